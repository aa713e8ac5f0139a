//! `tfguard fix`: the guest computes the edits (it is the only part that understands
//! Terraform); this reads the files, shows the diff or writes each changed file atomically,
//! and prints what was fixed, what was not and why, and what the check of the result left.
//! Exit codes as `check`, for the fixed configuration: 0 clean, 1 findings left, 2 errors.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use super::check::{fail_threshold, settings_error, validate_config};
use crate::cli::FixArgs;
use crate::discover;
use crate::error::{Error, Result};
use crate::runtime::Runtime;
use crate::runtime::wit::{FixItem, FixRequest, FixSafety, Report, Severity};

pub fn run(args: &FixArgs) -> Result<u8> {
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        return Err(Error::Usage(
            "`tfguard fix` edits files: `-` (stdin) has no file to write; pass paths".into(),
        ));
    }
    // The config as `check` finds it: `--config`, else `.tfguard.hcl` walking up from the
    // first path.
    let mut cfg = crate::config::load_for(
        args.config.as_deref(),
        args.paths.first().map(|p| p.as_path()),
    )?;
    let collected = discover::collect(&args.paths, &args.var_files, args.sandbox.input_limits())?;
    let docs = collected.docs;
    if docs.is_empty() && collected.errors.is_empty() {
        return Err(discover::nothing_found("no Terraform files", &args.paths));
    }
    let rt = Runtime::new(args.sandbox.limits())?;
    let rules = rt.rules()?;
    validate_config(&mut cfg, &rules)?;
    for r in &args.rules {
        if !rules
            .iter()
            .any(|x| x.id.eq_ignore_ascii_case(r) || x.name == *r)
        {
            return Err(Error::Usage(format!(
                "--rule {r}: no such rule (`tfguard rules` lists them)"
            )));
        }
    }
    let settings = crate::runtime::wit::Settings {
        packs: crate::packs::load(&cfg.pack_paths(), cfg.path.as_deref())?,
        options_json: cfg.options_json(),
        known_secrets: Vec::new(),
    };
    let request = FixRequest {
        unsafe_fixes: args.unsafe_fixes,
        rules: args.rules.clone(),
    };
    let mut result = rt
        .fix(&docs, &settings, &request)
        .map_err(|e| settings_error(e, &cfg))?;
    result.report.errors.splice(0..0, collected.errors);

    let originals: BTreeMap<&str, &[u8]> = docs
        .iter()
        .map(|d| (d.path.as_str(), d.contents.as_slice()))
        .collect();
    // The guest returns only files it was given, each of which parses; hold it to that.
    for f in &result.files {
        if !originals.contains_key(f.path.as_str()) {
            return Err(Error::Other(format!(
                "the policy guest returned a file it was not given: {}",
                f.path
            )));
        }
        if let Some(e) = result.report.errors.iter().find(|e| e.path == f.path) {
            return Err(Error::Other(format!(
                "not writing {}: the fixed text does not parse ({}); nothing was written",
                f.path, e.message
            )));
        }
    }

    // A file that could not be read or parsed may hold uses of what a fix changes (a
    // generator made ephemeral): fixing around it could break the module, so fail closed.
    // An input tfguard cannot inspect by design (encrypted state: `unsupported`) is no reason
    // to refuse; anything malformed or unreadable is.
    let blocking = result.report.errors.iter().any(|e| {
        let p = e.path.to_ascii_lowercase();
        let config = [".tf", ".tf.json", ".tfvars", ".tfvars.json"]
            .iter()
            .any(|x| p.ends_with(x));
        !e.unsupported || config
    });
    if blocking {
        let mut err = std::io::stderr().lock();
        summary(
            &mut err,
            &result.fixes,
            &result.report,
            true,
            result.files.len(),
        )
        .map_err(|e| Error::io("<stderr>", e))?;
        return Err(Error::Other(format!(
            "{} document{} could not be read or parsed (listed above): nothing was written",
            result.report.errors.len(),
            if result.report.errors.len() == 1 {
                ""
            } else {
                "s"
            }
        )));
    }
    let mut stdout = std::io::stdout().lock();
    if args.diff {
        for f in &result.files {
            // A CI log must not receive a hard-coded secret the diff would show (the same
            // masking as `check`'s code frames); such a line then does not apply as a patch.
            let old = originals.get(f.path.as_str()).copied().unwrap_or(&[]);
            let old = crate::output::human::mask_secret_values(&String::from_utf8_lossy(old));
            let new =
                crate::output::human::mask_secret_values(&String::from_utf8_lossy(&f.contents));
            write!(stdout, "{}", crate::diff::unified(&f.path, &old, &new))
                .map_err(|e| Error::io("<stdout>", e))?;
        }
        // The diff is the output (a patch); the summary goes to stderr.
        let mut err = std::io::stderr().lock();
        summary(
            &mut err,
            &result.fixes,
            &result.report,
            true,
            result.files.len(),
        )
        .map_err(|e| Error::io("<stderr>", e))?;
    } else {
        // Every file is checked unchanged since it was read before any is replaced, so a
        // concurrent edit stops the run with nothing written.
        for f in &result.files {
            let path = Path::new(&f.path);
            let now = std::fs::read(path).map_err(|e| Error::io(path, e))?;
            if originals.get(f.path.as_str()).copied() != Some(now.as_slice()) {
                return Err(Error::Other(format!(
                    "{} changed while tfguard was fixing it; nothing was written",
                    f.path
                )));
            }
        }
        for f in &result.files {
            let path = Path::new(&f.path);
            let perms = std::fs::metadata(path).ok().map(|m| m.permissions());
            crate::atomic::write_with(path, &f.contents, perms).map_err(|e| Error::io(path, e))?;
        }
        summary(
            &mut stdout,
            &result.fixes,
            &result.report,
            false,
            result.files.len(),
        )
        .map_err(|e| Error::io("<stdout>", e))?;
    }
    let threshold = fail_threshold(args.fail_on, &cfg);
    Ok(exit_code(&result.report, threshold))
}

fn exit_code(report: &Report, threshold: Severity) -> u8 {
    if !report.errors.is_empty() {
        return 2;
    }
    u8::from(
        report
            .findings
            .iter()
            .any(|f| crate::output::fails_at(f, threshold)),
    )
}

fn at(i: &FixItem) -> String {
    match &i.span {
        Some(s) => format!("{}:{}:{}", i.path, s.line, s.column),
        None => i.path.clone(),
    }
}

fn summary(
    w: &mut dyn Write,
    fixes: &[FixItem],
    report: &Report,
    dry_run: bool,
    files: usize,
) -> std::io::Result<()> {
    let applied: Vec<&FixItem> = fixes.iter().filter(|i| i.applied).collect();
    let unsafe_skipped: Vec<&FixItem> = fixes
        .iter()
        .filter(|i| !i.applied && i.safety == FixSafety::Unsafe)
        .collect();
    let manual: Vec<&FixItem> = fixes
        .iter()
        .filter(|i| !i.applied && i.safety == FixSafety::Manual)
        .collect();
    let verb = if dry_run { "would fix" } else { "fixed" };
    writeln!(
        w,
        "tfguard: {verb} {} finding{} in {files} file{}",
        applied.len(),
        if applied.len() == 1 { "" } else { "s" },
        if files == 1 { "" } else { "s" }
    )?;
    for i in &applied {
        let kind = if i.safety == FixSafety::Unsafe {
            "unsafe"
        } else {
            "safe"
        };
        writeln!(w, "  {} {kind:<6} {} ({})", i.rule_id, i.title, at(i))?;
        writeln!(w, "         {}", i.why)?;
    }
    if !unsafe_skipped.is_empty() {
        writeln!(
            w,
            "not applied: {} unsafe fix{} (they change what Terraform does; rerun with --unsafe-fixes):",
            unsafe_skipped.len(),
            if unsafe_skipped.len() == 1 { "" } else { "es" }
        )?;
        for i in &unsafe_skipped {
            writeln!(w, "  {} {} ({})", i.rule_id, i.title, at(i))?;
            writeln!(w, "         {}", i.why)?;
        }
    }
    if !manual.is_empty() {
        writeln!(w, "to do by hand:")?;
        for i in &manual {
            writeln!(w, "  {} {} ({})", i.rule_id, i.title, at(i))?;
            writeln!(w, "         {}", i.why)?;
        }
    }
    let open: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .collect();
    let count = |s: Severity| open.iter().filter(|f| f.severity == s).count();
    writeln!(
        w,
        "left after fixing: {} errors, {} warnings, {} infos{}",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
        if report.errors.is_empty() {
            String::new()
        } else {
            format!(
                ", {} documents that could not be checked",
                report.errors.len()
            )
        }
    )?;
    for f in open.iter().filter(|f| f.severity != Severity::Info) {
        let sev = crate::output::sev_str(f.severity);
        let loc = match &f.span {
            Some(s) => format!("{}:{}:{}", f.path, s.line, s.column),
            None => f.path.clone(),
        };
        writeln!(w, "  {sev}[{}] {loc}: {}", f.rule_id, f.message)?;
    }
    for e in &report.errors {
        writeln!(w, "  error: {}: {}", e.path, e.message)?;
    }
    if !applied.is_empty() || !unsafe_skipped.is_empty() {
        writeln!(
            w,
            "A secret that already reached state stays in its history (and in backups): rotate it (`tfguard rotate` for Genesys OAuth clients)."
        )?;
    }
    Ok(())
}
