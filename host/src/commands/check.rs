//! `tfguard check`: collect documents, load the config, run the guest once, render in the chosen
//! format, and pick the exit code (0 clean, 1 failing findings, 2 anything that stops the gate).

use crate::cli::{CheckArgs, ColorChoice, FailOn, Format};
use crate::config::{self, Config};
use crate::discover;
use crate::error::{Error, Result};
use crate::output::{self, Ctx};
use crate::packs;
use crate::runtime::wit::{DocError, DocKind, Document, Report, RuleInfo, Severity};
use crate::runtime::{GuestError, KnownValue, Runtime};

/// Values the guest cross-checks documents against (`--vault-secret`). They go to the guest
/// only; findings name the label (`path#key`), never the value. Kept apart from `settings`
/// so that stays free of I/O and secrets.
pub fn known_secrets(paths: &[String], auth: &crate::vault::AuthArgs) -> Result<Vec<KnownValue>> {
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    let client = crate::vault::Client::connect(auth)
        .map_err(|e| Error::Other(format!("--vault-secret: {e}")))?;
    let mut out = Vec::new();
    for arg in paths {
        // `PATH#key1,key2` picks keys; plain `PATH` takes every key but identifiers.
        let (full, keys) = match arg.split_once('#') {
            Some((p, k)) => (p, Some(k.split(',').map(str::trim).collect::<Vec<_>>())),
            None => (arg.as_str(), None),
        };
        let (mount, path) = client
            .resolve_path(full)
            .map_err(|e| Error::Other(format!("--vault-secret {full}: {e}")))?;
        let secret = client
            .read_kv2(&mount, &path)
            .map_err(|e| Error::Other(format!("--vault-secret {full}: {e}")))?;
        if let Some(keys) = &keys
            && let Some(missing) = keys.iter().find(|k| secret.get(k).is_none())
        {
            return Err(Error::Other(format!(
                "--vault-secret {arg}: the secret has no key `{missing}` (keys: {})",
                secret.data.keys().cloned().collect::<Vec<_>>().join(", ")
            )));
        }
        for (key, value) in &secret.data {
            let wanted = match &keys {
                Some(k) => k.contains(&key.as_str()),
                None => !is_identifier_key(key),
            };
            if wanted {
                out.push(KnownValue {
                    label: format!("{mount}/{path}#{key}"),
                    value: value.clone(),
                });
            }
        }
    }
    Ok(out)
}

/// Keys that name something rather than hold a secret (`client_id`, `username`): finding those
/// in state is expected, so they are matched only when asked for with `PATH#key`.
fn is_identifier_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k == "id"
        || k.ends_with("_id")
        || k.ends_with("-id")
        || [
            "clientid", "username", "user", "name", "login", "region", "url", "host",
        ]
        .contains(&k.as_str())
}

pub fn fail_threshold(cli: Option<FailOn>, cfg: &Config) -> Severity {
    match (cli, cfg.fail_on.as_deref()) {
        (Some(FailOn::Error), _) | (None, Some("error")) => Severity::Error,
        (Some(FailOn::Warning), _) | (None, Some("warning")) => Severity::Warning,
        (Some(FailOn::Info), _) | (None, Some("info")) => Severity::Info,
        _ => Severity::Error,
    }
}

/// 0 = clean, 1 = an unsuppressed finding at or above the threshold, 2 = a document error.
pub fn exit_code(report: &Report, threshold: Severity) -> u8 {
    if !report.errors.is_empty() {
        return 2;
    }
    let failing = report
        .findings
        .iter()
        .any(|f| output::fails_at(f, threshold));
    u8::from(failing)
}

/// `--color auto` colours only a terminal, and only when `NO_COLOR` is unset or empty
/// (no-color.org); an explicit `--color always` wins over `NO_COLOR`.
pub fn use_color(choice: ColorChoice, to_file: bool) -> bool {
    use std::io::IsTerminal;
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            !to_file
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

/// Rule ids named in the config must exist; names are normalised to ids.
pub fn validate_config(cfg: &mut Config, rules: &[RuleInfo]) -> Result<()> {
    let known: Vec<(String, String)> = rules
        .iter()
        .map(|r| (r.id.clone(), r.name.clone()))
        .collect();
    cfg.check_rule_ids(&known)
}

/// The guest names the rule and option key it rejects; point at them in the config file.
pub fn settings_error(e: GuestError, cfg: &Config) -> Error {
    use crate::runtime::wit::SettingsErrorKind;
    match (&e, &cfg.path) {
        (GuestError::Settings(se), Some(path)) if se.kind != SettingsErrorKind::PolicyPack => {
            let loc = se
                .rule
                .as_deref()
                .and_then(|rule| cfg.locate_rule_option(rule, se.key.as_deref()))
                .unwrap_or(config::Loc { line: 1, column: 1 });
            Error::Config {
                path: path.clone(),
                line: loc.line,
                column: loc.column,
                message: se.message.clone(),
            }
        }
        _ => Error::Guest(e),
    }
}

pub fn run(args: &CheckArgs) -> Result<u8> {
    let mut cfg = config::load_for(
        args.config.as_deref(),
        args.paths.first().map(|p| p.as_path()),
    )?;
    // Large files are streamed into the guest after it starts, not read here: their bytes then
    // exist once, in the guest (peak memory, issue 16).
    let limits = discover::InputLimits {
        stream_from: Some(discover::STREAM_FROM),
        ..args.sandbox.input_limits()
    };
    // The guest loads (the cached component mapped and its tables read) while the files are
    // read. Joined before any error is returned: a first run writes the cache file.
    let (collected, loaded) = std::thread::scope(|s| {
        // The check's report is written after the guest returns, so a call past the time
        // limit can end the process: the guest's code then runs without epoch checks.
        let sandbox = crate::runtime::Limits {
            deadline: crate::runtime::Deadline::Exit(crate::error::exit_with),
            ..args.sandbox.limits()
        };
        let loading = s.spawn(|| Runtime::new(sandbox));
        let collected = discover::collect(&args.paths, &args.var_files, limits);
        let loaded = loading
            .join()
            .unwrap_or_else(|_| Err(GuestError::Load("the loading thread panicked".into())));
        (collected, loaded)
    });
    let collected = collected?;
    let mut docs = collected.docs;
    let mut streamed = collected.streamed;
    let mut skipped = collected.skipped;
    if args.skip_unknown {
        // Hooks pass every staged `*.json`; only state and plan JSON are ours. The others are
        // still named in the report.
        let head = |i: usize, d: &crate::runtime::wit::Document| match streamed
            .iter()
            .find(|s| s.doc == i)
        {
            Some(s) => s.head.clone(),
            None => d.contents[..d.contents.len().min(4096)].to_vec(),
        };
        let ours: Vec<bool> = docs
            .iter()
            .enumerate()
            .map(|(i, d)| {
                d.kind != DocKind::Detect || discover::looks_like_terraform_json(&head(i, d))
            })
            .collect();
        let mut at = Vec::with_capacity(docs.len());
        let mut keep = Vec::with_capacity(docs.len());
        for (d, ours) in docs.into_iter().zip(&ours) {
            at.push(keep.len());
            if *ours {
                keep.push(d);
            } else {
                skipped.push(discover::Skipped {
                    path: d.path,
                    reason: "JSON, but not a Terraform state or plan (--skip-unknown)".into(),
                });
            }
        }
        streamed.retain(|s| ours[s.doc]);
        for s in &mut streamed {
            s.doc = at[s.doc];
        }
        docs = keep;
    }
    if docs.is_empty() && collected.errors.is_empty() && !args.skip_unknown {
        return Err(discover::nothing_found(
            "no Terraform files (*.tf, *.tfvars, *.tfstate, plan JSON)",
            &args.paths,
        ));
    }
    let rt = loaded?;
    // Rule metadata costs an instance and a call of its own: ask for it only when the config
    // names rules, and after the check when the report needs it (start-up, issue 16).
    let mut rules = if cfg.rule_refs.is_empty() {
        Vec::new()
    } else {
        rt.rules()?
    };
    validate_config(&mut cfg, &rules)?;
    let mut settings = packs::settings(&cfg)?;
    let known = known_secrets(&args.vault_secrets, &args.vault)?;
    let jobs = args.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        |n| n.get(),
    );
    let (mut report, stream_errors) =
        check_docs(&rt, &mut docs, &mut streamed, &mut settings, &known, jobs)
            .map_err(|e| settings_error(e, &cfg))?;
    // Files refused before the guest saw them fail the gate like malformed ones.
    report
        .errors
        .splice(0..0, collected.errors.into_iter().chain(stream_errors));
    let threshold = fail_threshold(args.fail_on, &cfg);
    // SARIF lists every rule; the other formats look up the rules of the findings they show.
    if rules.is_empty() && (!report.findings.is_empty() || args.format == Format::Sarif) {
        rules = rt.rules()?;
    }

    let cx = Ctx {
        report: &report,
        docs: &docs,
        streamed: &streamed,
        skipped: &skipped,
        rules: &rules,
        threshold,
        color: use_color(args.color, args.output.is_some()),
        jobs,
    };
    match &args.output {
        Some(path) => {
            let mut buf = Vec::new();
            output::render(args.format, &cx, &mut buf).map_err(|e| Error::io(path, e))?;
            output::write_atomic(path, &buf).map_err(|e| Error::io(path, e))?;
        }
        None => {
            // Buffered: stdout is line-buffered, and a pretty-printed report of 540 findings was
            // 19,000 `write` calls (3 ms of 2,000 files' 110 on two cores).
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            output::render(args.format, &cx, &mut out)
                .and_then(|()| std::io::Write::flush(&mut out))
                .map_err(|e| Error::io("<stdout>", e))?;
        }
    }
    // The process ends here and its memory goes with it: freeing 2,000 documents and unmapping
    // the guest's code piece by piece took 0.5 ms of 80 (issue 16).
    let code = exit_code(&report, threshold);
    std::mem::forget(docs);
    std::mem::forget(rt);
    Ok(code)
}

/// Runs with at least this many documents are split across instances (when the guest says
/// they can be): below it, another instance costs more than it saves.
const SHARD_FROM: usize = 64;

/// The check of `docs`, in `jobs` guest instances at once where the guest's placement allows:
/// groups of documents (a module with its local calls; a state alone) are dealt to the
/// shards by size, checked on their own threads, and the reports merged into the one a single
/// instance gives (findings in the guest's order, documents and errors in input order). The
/// documents come back in their order for rendering.
fn check_docs(
    rt: &Runtime,
    docs: &mut Vec<Document>,
    streamed: &mut Vec<discover::Streamed>,
    settings: &mut crate::runtime::wit::Settings,
    known: &[crate::runtime::KnownValue],
    jobs: usize,
) -> std::result::Result<(Report, Vec<DocError>), GuestError> {
    let whole = |docs: &mut Vec<Document>, streamed: &mut Vec<discover::Streamed>, settings| {
        rt.check_streamed(docs, streamed, settings, known)
    };
    // A streamed configuration file would be missing from the guest's view when placing.
    if jobs < 2
        || docs.len() < SHARD_FROM
        || streamed
            .iter()
            .any(|s| matches!(docs[s.doc].kind, DocKind::Hcl | DocKind::Tfvars))
    {
        return whole(docs, streamed, settings);
    }
    let Some(groups) = groups(&rt.place(docs, jobs)?) else {
        return whole(docs, streamed, settings);
    };
    // Deal the groups, largest first, to the least loaded shard.
    let size = |i: usize| {
        streamed
            .iter()
            .find(|s| s.doc == i)
            .map_or(docs[i].contents.len() as u64, |s| s.len)
    };
    let mut group_size: std::collections::BTreeMap<u32, u64> = Default::default();
    for (i, g) in groups.iter().enumerate() {
        *group_size.entry(*g).or_default() += size(i) + 1;
    }
    let n = jobs.min(group_size.len());
    if n < 2 {
        return whole(docs, streamed, settings);
    }
    let mut by_size: Vec<(u32, u64)> = group_size.into_iter().collect();
    by_size.sort_by_key(|&(g, s)| (std::cmp::Reverse(s), g));
    let mut load = vec![0u64; n];
    let mut shard_of: std::collections::BTreeMap<u32, usize> = Default::default();
    for (g, s) in by_size {
        let k = (0..n).min_by_key(|&k| (load[k], k)).unwrap_or(0);
        load[k] += s;
        shard_of.insert(g, k);
    }
    // Each path's place in the input: documents and errors are merged back in that order.
    let mut order: std::collections::HashMap<String, usize> = Default::default();
    for (i, d) in docs.iter().enumerate() {
        order.entry(d.path.clone()).or_insert(i);
    }
    let rank = |path: &str| order.get(path).copied().unwrap_or(usize::MAX);
    // Move each document (and its stream) to its shard.
    let mut shards: Vec<(Vec<Document>, Vec<discover::Streamed>)> =
        (0..n).map(|_| (Vec::new(), Vec::new())).collect();
    let mut streams: Vec<Option<discover::Streamed>> = Vec::new();
    streams.resize_with(docs.len(), || None);
    for s in streamed.drain(..) {
        let i = s.doc;
        streams[i] = Some(s);
    }
    for (i, (d, g)) in docs.drain(..).zip(&groups).enumerate() {
        let k = shard_of.get(g).copied().unwrap_or(0);
        let (sd, ss) = &mut shards[k];
        if let Some(mut s) = streams[i].take() {
            s.doc = sd.len();
            ss.push(s);
        }
        sd.push(d);
    }
    let results = rt.check_shards(&mut shards, settings, known);
    // The documents back in input order, whatever happened (a failed stream's is gone).
    let mut back: Vec<(usize, Document, Option<discover::Streamed>)> = Vec::new();
    for (sd, ss) in shards {
        let mut ss: Vec<Option<discover::Streamed>> = ss.into_iter().map(Some).collect();
        for (j, d) in sd.into_iter().enumerate() {
            let s = ss
                .iter_mut()
                .find(|s| s.as_ref().is_some_and(|s| s.doc == j))
                .and_then(Option::take);
            back.push((rank(&d.path), d, s));
        }
    }
    back.sort_by_key(|(i, _, _)| *i);
    for (_, d, s) in back {
        if let Some(mut s) = s {
            s.doc = docs.len();
            streamed.push(s);
        }
        docs.push(d);
    }
    let mut merged = Report {
        findings: Vec::new(),
        errors: Vec::new(),
        documents: Vec::new(),
    };
    let mut stream_errors = Vec::new();
    for r in results {
        let (report, errors) = r?;
        merged.findings.extend(report.findings);
        merged.errors.extend(report.errors);
        merged.documents.extend(report.documents);
        stream_errors.extend(errors);
    }
    // The guest's order (wit/tfguard.wit, `check`): a path is in one shard only, so sorting
    // the concatenation by the same key gives the single instance's order; the sort is stable
    // for findings the key does not tell apart.
    merged
        .findings
        .sort_by(|a, b| order_key(a).cmp(&order_key(b)));
    merged.errors.sort_by_cached_key(|e| rank(&e.path));
    merged.documents.sort_by_cached_key(|d| rank(&d.path));
    stream_errors.sort_by_key(|e| rank(&e.path));
    Ok((merged, stream_errors))
}

/// The groups of documents that must be checked in one call, numbered in order of first
/// appearance, from where the guest placed each (wit/tfguard.wit, `place`): the documents of a
/// module directory together, joined with the modules it calls that are in the run, each state
/// or plan alone. `None` when everything must go together: a module directory of variable
/// files only (`-var-file`) applies to every module.
fn groups(placed: &[crate::runtime::wit::Placement]) -> Option<Vec<u32>> {
    use std::collections::HashMap;
    // Each module directory numbered once, with whether it has a `.tf` file.
    let mut modules: HashMap<&str, (usize, bool)> = HashMap::new();
    let mut module_of: Vec<Option<usize>> = Vec::with_capacity(placed.len());
    for p in placed {
        let Some(m) = p.module.as_deref() else {
            module_of.push(None);
            continue;
        };
        let next = modules.len();
        let entry = modules.entry(m).or_insert((next, false));
        entry.1 |= p.tf;
        module_of.push(Some(entry.0));
    }
    if modules.values().any(|&(_, tf)| !tf) {
        return None;
    }
    // Union-find over module directories.
    let mut parent: Vec<usize> = (0..modules.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for (p, m) in placed.iter().zip(&module_of) {
        let Some(a) = *m else { continue };
        for call in &p.calls {
            // A call into a directory that is not being checked joins nothing.
            if let Some(&(b, _)) = modules.get(call.as_str()) {
                let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
                parent[ra] = rb;
            }
        }
    }
    let mut number: HashMap<usize, u32> = HashMap::new();
    let mut next = 0u32;
    let mut out = Vec::with_capacity(placed.len());
    for m in &module_of {
        let g = match m.map(|i| root(&mut parent, i)) {
            Some(r) => *number.entry(r).or_insert_with(|| {
                next += 1;
                next - 1
            }),
            None => {
                next += 1;
                next - 1
            }
        };
        out.push(g);
    }
    Some(out)
}

/// A finding's place in the guest's order (`tfguard_common::order`).
fn order_key(f: &crate::runtime::wit::Finding) -> tfguard_common::order::FindingKey<'_> {
    tfguard_common::order::FindingKey {
        path: &f.path,
        at: f.span.as_ref().map(|s| (s.line, s.column)),
        address: f.address.as_deref(),
        attribute: f.attribute.as_deref(),
        rule_id: &f.rule_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::wit::Placement;

    fn tf(module: &str, calls: &[&str]) -> Placement {
        Placement {
            module: Some(module.into()),
            tf: true,
            calls: calls.iter().map(|c| c.to_string()).collect(),
        }
    }

    fn alone() -> Placement {
        Placement {
            module: None,
            tf: false,
            calls: Vec::new(),
        }
    }

    /// A module is grouped with the files of its directory and the modules it calls (in either
    /// order of the walk); a call out of the run joins nothing; states stand alone.
    #[test]
    fn modules_join_their_local_calls_and_states_stand_alone() {
        let vars = Placement {
            tf: false,
            ..tf("live/a", &[])
        };
        let placed = [
            tf("live/a", &["modules/net"]),
            tf("live/a", &[]),
            tf("live/b", &["modules/db"]),
            tf("modules/net", &[]),
            tf("modules/db", &[]),
            tf("other", &["not/checked"]),
            alone(),
            alone(),
            vars,
            tf("late", &["live/b"]),
        ];
        let g = groups(&placed).expect("groups");
        assert_eq!(g[0], g[1]);
        assert_eq!(g[0], g[3]);
        assert_eq!(g[0], g[8]);
        assert_eq!(g[2], g[4]);
        assert_eq!(g[2], g[9]);
        assert_ne!(g[0], g[2]);
        assert_ne!(g[5], g[0]);
        assert_ne!(g[5], g[2]);
        assert_ne!(g[6], g[7]);
        assert!(![g[0], g[2], g[5]].contains(&g[6]));
        // Numbered in order of first appearance.
        assert_eq!(&g[..3], &[0, 0, 1]);
    }

    /// Variable files in a directory with no `.tf` file (`-var-file`) apply to every module.
    #[test]
    fn var_files_apply_everywhere() {
        let placed = [
            tf("a", &[]),
            Placement {
                tf: false,
                ..tf("vars", &[])
            },
        ];
        assert_eq!(groups(&placed), None);
    }
}
