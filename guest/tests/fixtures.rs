//! The one fixture harness for every rule (STYLE.md §H, checkov's pass/fail names, ruff's
//! snapshots).
//!
//! `tests/fixtures/<RULE-ID>/` holds documents (`.tf`, `.tf.json`, `.tfvars`, state and plan
//! JSON) and optionally:
//! - case directories `fail_*`, `pass_*`, `info_*`, each run on its own (other directories are
//!   child modules of the case that holds them);
//! - `options.json`: the options object (`only` is extended, never replaced: the rule under
//!   test always runs, alone unless the fixture names more);
//! - `known-secrets.json`: `[{"label", "value"}]`, the values `--vault-secret` reads from Vault;
//!   no finding may echo one.
//!
//! Items named `fail_*` (resources, data sources, outputs, variables, modules) must be reported
//! at warning or above, `pass_*` not at all, `info_*` only at info ("cannot verify"). A finding
//! without an address belongs to its case directory. Every finding must belong to a `fail_` or
//! `info_` item or case, so a rule that starts reporting something new shows up here.
//!
//! Each rule's findings are snapshotted in `tests/fixtures/<RULE-ID>/<RULE-ID>.snap` (rule, severity,
//! position, address, message, flow, fix): `cargo insta review` is how a change of wording or
//! position is accepted. The audit at the end ties registry, rule files, docs, fixtures and
//! snapshots together; its own tests plant each kind of gap and orphan.

mod common;
use common::repo;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use tfguard_guest::types::{DocKind, Document, Finding, KnownSecret, Settings, Severity};

const CONTROL_FILES: &[&str] = &["options.json", "known-secrets.json"];

/// The document kind a file name implies, as the CLI's directory walk decides it.
fn kind_of(p: &Path) -> Option<DocKind> {
    let n = p.file_name()?.to_str()?;
    if CONTROL_FILES.contains(&n) {
        None
    } else if n.ends_with(".tf") || n.ends_with(".tf.json") {
        Some(DocKind::Hcl)
    } else if n.ends_with(".tfvars") || n.ends_with(".tfvars.json") {
        Some(DocKind::Tfvars)
    } else if n.ends_with(".tfstate") {
        Some(DocKind::State)
    } else if n.ends_with(".json") {
        Some(DocKind::Detect)
    } else {
        None
    }
}

fn is_case(name: &str) -> bool {
    ["pass_", "fail_", "info_"]
        .iter()
        .any(|p| name.starts_with(p))
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    v.sort();
    v
}

fn file_name(p: &Path) -> &str {
    p.file_name().and_then(|n| n.to_str()).unwrap_or_default()
}

/// Documents of a case, with repository-relative paths as the CLI shows them. Case directories
/// below `dir` are separate cases, other directories child modules.
fn collect(root: &Path, dir: &Path, top: bool, docs: &mut Vec<Document>) {
    for p in sorted_entries(dir) {
        if p.is_dir() {
            if !(top && is_case(file_name(&p))) {
                collect(root, &p, false, docs);
            }
        } else if let Some(kind) = kind_of(&p) {
            let rel = p.strip_prefix(root).unwrap_or(&p);
            docs.push(Document::new(
                rel.to_string_lossy().replace('\\', "/"),
                kind,
                std::fs::read(&p).expect("read fixture"),
            ));
        }
    }
}

/// One run of the rule: the rule directory itself, or one of its case directories.
struct Case {
    dir: PathBuf,
    /// `Some("fail_x")` for a case directory.
    name: Option<String>,
    docs: Vec<Document>,
}

fn cases(root: &Path, rule_dir: &Path) -> Vec<Case> {
    let mut out = Vec::new();
    let mut docs = Vec::new();
    collect(root, rule_dir, true, &mut docs);
    out.push(Case {
        dir: rule_dir.to_path_buf(),
        name: None,
        docs,
    });
    for p in sorted_entries(rule_dir) {
        let name = file_name(&p).to_string();
        if p.is_dir() && is_case(&name) {
            let mut docs = Vec::new();
            collect(root, &p, false, &mut docs);
            out.push(Case {
                dir: p,
                name: Some(name),
                docs,
            });
        }
    }
    out
}

/// `pass_*` / `fail_*` / `info_*` items the documents declare, in HCL and JSON syntax and in
/// state and plan JSON (`"name": "fail_x"`).
fn declared(docs: &[Document]) -> BTreeSet<String> {
    let re = regex::Regex::new(
        r#"(?:resource|data|ephemeral|output|variable|module)\s+(?:"[^"]+"\s+)?"((?:pass|fail|info)_[A-Za-z0-9_-]*)"|"(?:[A-Za-z0-9_-]+\.)*((?:pass|fail|info)_[A-Za-z0-9_-]*)"\s*:\s*\{|"name"\s*:\s*"((?:pass|fail|info)_[A-Za-z0-9_-]*)""#,
    )
    .expect("regex");
    let mut out = BTreeSet::new();
    for d in docs {
        let s = String::from_utf8_lossy(&d.contents);
        for c in re.captures_iter(&s) {
            if let Some(m) = c.get(1).or_else(|| c.get(2)).or_else(|| c.get(3)) {
                out.insert(m.as_str().to_string());
            }
        }
    }
    out
}

/// The item a finding is about: the last name of its address (index keys, which may hold
/// dots, dropped: `module.m.aws_x.fail_a["k.1"]` → `fail_a`), else its case directory.
fn item_of(f: &Finding, case: Option<&str>) -> String {
    let Some(address) = f.address.as_deref() else {
        return case.unwrap_or_default().to_string();
    };
    let base = address.split(" (deposed").next().unwrap_or(address);
    let mut plain = String::new();
    let mut depth = 0u32;
    let mut quoted = false;
    for c in base.chars() {
        match c {
            '"' if depth > 0 => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth = depth.saturating_sub(1),
            _ if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    plain.rsplit('.').next().unwrap_or_default().to_string()
}

fn read_json(path: &Path) -> Option<serde_json::Value> {
    let s = std::fs::read_to_string(path).ok()?;
    Some(serde_json::from_str(&s).unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display())))
}

fn known_secrets(case: &Case, rule_dir: &Path) -> Vec<KnownSecret> {
    let v = read_json(&case.dir.join("known-secrets.json"))
        .or_else(|| read_json(&rule_dir.join("known-secrets.json")))
        .unwrap_or_else(|| serde_json::json!([]));
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|k| KnownSecret {
                    label: k["label"].as_str().unwrap_or_default().to_string(),
                    value: k["value"].as_str().unwrap_or_default().to_string(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The outcome of one rule's fixtures: the snapshot text and what broke the fixture contract.
struct Outcome {
    snapshot: String,
    problems: Vec<String>,
}

fn run_rule(root: &Path, id: &str) -> Outcome {
    let rule_dir = root.join("tests/fixtures").join(id);
    let options =
        read_json(&rule_dir.join("options.json")).unwrap_or_else(|| serde_json::json!({}));
    let mut snapshot = String::new();
    let mut problems = Vec::new();
    for case in cases(root, &rule_dir) {
        let label = case
            .dir
            .strip_prefix(root)
            .unwrap_or(&case.dir)
            .display()
            .to_string();
        if case.docs.is_empty() {
            // The rule directory may hold only case directories; a case must hold documents.
            if case.name.is_some() {
                problems.push(format!("{label}: case directory without documents"));
            }
            continue;
        }
        let mut opts = options.clone();
        let mut only = vec![serde_json::json!(id)];
        if let Some(extra) = opts["only"].as_array() {
            only.extend(extra.iter().filter(|v| v.as_str() != Some(id)).cloned());
        }
        opts["only"] = serde_json::Value::Array(only);
        let secrets = known_secrets(&case, &rule_dir);
        let settings = Settings {
            packs: Vec::new(),
            options_json: opts.to_string(),
            known_secrets: secrets.clone(),
        };
        let report = match tfguard_guest::check(&case.docs, &settings) {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("{label}: settings refused: {e:?}"));
                continue;
            }
        };
        for e in &report.errors {
            problems.push(format!("{label}: document error {}: {}", e.path, e.message));
        }
        let mut mine: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.rule_id == id && f.suppressed.is_none())
            .collect();
        mine.sort_by_key(|f| {
            (
                f.path.clone(),
                f.span.map(|s| (s.line, s.column)),
                f.message.clone(),
            )
        });

        let declared = declared(&case.docs);
        let mut by_item: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
        for f in &mine {
            by_item
                .entry(item_of(f, case.name.as_deref()))
                .or_default()
                .push(f);
        }
        for name in &declared {
            let got = by_item.get(name).map(Vec::as_slice).unwrap_or_default();
            let loud = got.iter().any(|f| f.severity >= Severity::Warning);
            let quiet = !got.is_empty() && got.iter().all(|f| f.severity == Severity::Info);
            match &name[..5] {
                "fail_" if !loud => problems.push(format!("{label}: `{name}` not reported")),
                "pass_" if !got.is_empty() => problems.push(format!("{label}: `{name}` reported")),
                "info_" if !quiet => {
                    problems.push(format!("{label}: `{name}` not reported at info level only"))
                }
                _ => {}
            }
        }
        match case.name.as_deref().map(|n| &n[..5]) {
            // A case may be about an info-level rule (TFG007): any finding counts.
            Some("fail_") if mine.is_empty() => {
                problems.push(format!("{label}: case expects a finding, got none"))
            }
            Some("pass_") if !mine.is_empty() => {
                problems.push(format!("{label}: case expects no finding"))
            }
            Some("info_") if mine.iter().any(|f| f.severity != Severity::Info) => {
                problems.push(format!("{label}: case expects info findings only"))
            }
            _ => {}
        }
        for (item, fs) in &by_item {
            let owned = declared.contains(item) || case.name.as_deref() == Some(item.as_str());
            if !(owned && (item.starts_with("fail_") || item.starts_with("info_"))) {
                problems.push(format!(
                    "{label}: finding on `{item}`, which is not a fail_/info_ item: {}",
                    fs[0].message
                ));
            }
        }
        for f in &mine {
            if f.message.is_empty() || f.remediation.is_empty() {
                problems.push(format!("{label}: finding without message or fix: {f:?}"));
            }
            let shown = format!("{f:?}");
            for s in secrets.iter().filter(|s| !s.value.is_empty()) {
                if shown.contains(&s.value) {
                    problems.push(format!(
                        "{label}: a finding echoes the known secret `{}`",
                        s.label
                    ));
                }
            }
        }

        let _ = writeln!(snapshot, "## {label}");
        if mine.is_empty() {
            snapshot.push_str("(no findings)\n");
        }
        for f in &mine {
            render(&mut snapshot, f);
        }
        snapshot.push('\n');
    }
    Outcome { snapshot, problems }
}

/// One finding as a reviewer reads it.
fn render(out: &mut String, f: &Finding) {
    let at = f
        .span
        .map(|s| format!(":{}:{}-{}:{}", s.line, s.column, s.end_line, s.end_column))
        .unwrap_or_default();
    let _ = writeln!(out, "{}{at} {} {}", f.path, f.severity.as_str(), f.rule_id);
    if let Some(a) = &f.address {
        let attr = f
            .attribute
            .as_deref()
            .map(|a| format!(" [{a}]"))
            .unwrap_or_default();
        let _ = writeln!(out, "  at: {a}{attr}");
    }
    let _ = writeln!(out, "  message: {}", f.message);
    if !f.flow.is_empty() {
        let _ = writeln!(out, "  flow: {}", f.flow.join(" → "));
    }
    let _ = writeln!(out, "  fix: {}", f.remediation);
}

#[test]
fn every_rule_fixture_matches_its_names_and_snapshot() {
    let root = repo();
    let root = root.canonicalize().expect("repo root");
    let mut failures = Vec::new();
    let mut snapshots = Vec::new();
    for r in tfguard_guest::rules() {
        if !root.join("tests/fixtures").join(&r.id).is_dir() {
            continue; // the audit reports it
        }
        let o = run_rule(&root, &r.id);
        failures.extend(o.problems);
        snapshots.push((r.id, o.snapshot));
    }
    assert!(
        failures.is_empty(),
        "{} fixture problem(s):\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
    // The snapshot sits with its fixtures, so a rule's tests are one folder.
    for (id, text) in snapshots {
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(root.join("tests/fixtures").join(&id));
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.bind(|| insta::assert_snapshot!(id.clone(), text));
    }
}

// ---- The audit: registry, rule files, docs, fixtures and snapshots agree. ----

/// What the audit needs to know of a registered rule.
struct RuleFacts {
    id: String,
    name: String,
    takes_options: bool,
}

fn registered() -> Vec<RuleFacts> {
    tfguard_guest::rules::REGISTRY
        .iter()
        .map(|r| RuleFacts {
            id: r.meta().id.to_string(),
            name: r.meta().name.to_string(),
            takes_options: r.takes_options(),
        })
        .collect()
}

fn stems(dir: &Path, ext: &str) -> BTreeSet<String> {
    if !dir.is_dir() {
        return BTreeSet::new();
    }
    sorted_entries(dir)
        .iter()
        .filter_map(|p| file_name(p).strip_suffix(ext).map(str::to_string))
        .collect()
}

/// Every gap and orphan in the tree at `root`, one line each.
fn audit(root: &Path, rules: &[RuleFacts]) -> Vec<String> {
    let mut problems = Vec::new();
    let ids: BTreeSet<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    let files: BTreeSet<String> = rules.iter().map(|r| r.name.replace('-', "_")).collect();
    let fixtures = root.join("tests/fixtures");
    for r in rules {
        let file = format!("guest/src/rules/{}.rs", r.name.replace('-', "_"));
        if !root.join(&file).is_file() {
            problems.push(format!("{}: no rule file {file}", r.id));
        }
        let doc = root.join(format!("policies/rules/{}.md", r.id));
        match std::fs::read_to_string(&doc) {
            Err(_) => problems.push(format!("{}: no doc policies/rules/{}.md", r.id, r.id)),
            Ok(text) => {
                if r.takes_options && !text.contains("\n## Options") {
                    problems.push(format!(
                        "{}: takes options but its doc has no `## Options`",
                        r.id
                    ));
                }
                if !r.takes_options && text.contains("\n## Options") {
                    problems.push(format!(
                        "{}: its doc has `## Options` but the rule takes none",
                        r.id
                    ));
                }
            }
        }
        let dir = fixtures.join(&r.id);
        if !dir.is_dir() {
            problems.push(format!(
                "{}: no fixture folder tests/fixtures/{}/",
                r.id, r.id
            ));
        } else {
            let mut names = BTreeSet::new();
            for case in cases(root, &dir) {
                if case.docs.is_empty() {
                    if case.name.is_some() {
                        problems.push(format!(
                            "{}: case {} holds no documents",
                            r.id,
                            case.dir.display()
                        ));
                    }
                    continue;
                }
                names.extend(declared(&case.docs));
                names.extend(case.name);
            }
            // An info-level rule ("cannot verify", TFG014) has info_ items for its failures.
            let fails = names
                .iter()
                .any(|n| n.starts_with("fail_") || n.starts_with("info_"));
            if !fails {
                problems.push(format!("{}: no `fail_` fixture holding documents", r.id));
            }
            if !names.iter().any(|n| n.starts_with("pass_")) {
                problems.push(format!("{}: no `pass_` fixture holding documents", r.id));
            }
        }
        if !dir.join(format!("{}.snap", r.id)).is_file() {
            problems.push(format!(
                "{}: no snapshot tests/fixtures/{}/{}.snap",
                r.id, r.id, r.id
            ));
        }
    }
    for stem in stems(&root.join("policies/rules"), ".md") {
        if !ids.contains(stem.as_str()) {
            problems.push(format!("orphan doc policies/rules/{stem}.md"));
        }
    }
    for stem in stems(&root.join("guest/src/rules"), ".rs") {
        // `helpers` holds wording shared by several rules (ruff keeps the same file).
        if stem != "mod" && stem != "helpers" && !files.contains(&stem) {
            problems.push(format!("orphan rule file guest/src/rules/{stem}.rs"));
        }
    }
    if fixtures.is_dir() {
        for p in sorted_entries(&fixtures) {
            let name = file_name(&p);
            if !ids.contains(name) {
                problems.push(format!("orphan fixture folder tests/fixtures/{name}"));
            } else {
                for stem in stems(&p, ".snap") {
                    if stem != name {
                        problems.push(format!("orphan snapshot tests/fixtures/{name}/{stem}.snap"));
                    }
                }
            }
        }
    }
    problems
}

#[test]
fn audit_finds_no_gap_or_orphan() {
    let problems = audit(&repo(), &registered());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A copy of the parts of the tree the audit reads, to plant defects in.
fn audited_copy() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    for part in ["guest/src/rules", "policies/rules", "tests/fixtures"] {
        copy_dir(&repo().join(part), &tmp.path().join(part));
    }
    tmp
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for p in sorted_entries(from) {
        let dest = to.join(file_name(&p));
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).expect("copy");
        }
    }
}

/// Plants one defect and expects exactly the matching complaint.
fn planted(defect: impl FnOnce(&Path), expect: &str) {
    let tmp = audited_copy();
    let rules = registered();
    assert!(
        audit(tmp.path(), &rules).is_empty(),
        "the copy starts clean"
    );
    defect(tmp.path());
    let problems = audit(tmp.path(), &rules);
    assert!(
        problems.iter().any(|p| p.contains(expect)),
        "planted `{expect}`, audit said {problems:#?}"
    );
}

#[test]
fn audit_catches_an_orphan_fixture_folder() {
    planted(
        |r| std::fs::create_dir_all(r.join("tests/fixtures/TFG046")).expect("mkdir"),
        "orphan fixture folder tests/fixtures/TFG046",
    );
}

#[test]
fn audit_catches_an_orphan_doc_and_snapshot_and_rule_file() {
    planted(
        |r| std::fs::write(r.join("policies/rules/TFG046.md"), "# TFG046 gone\n").expect("write"),
        "orphan doc policies/rules/TFG046.md",
    );
    planted(
        |r| std::fs::write(r.join("tests/fixtures/TFG032/TFG031.snap"), "").expect("write"),
        "orphan snapshot tests/fixtures/TFG032/TFG031.snap",
    );
    planted(
        |r| std::fs::write(r.join("guest/src/rules/forgotten_rule.rs"), "").expect("write"),
        "orphan rule file guest/src/rules/forgotten_rule.rs",
    );
}

#[test]
fn audit_catches_missing_file_doc_snapshot_and_fixture() {
    planted(
        |r| std::fs::remove_file(r.join("guest/src/rules/oauth_scope_broad.rs")).expect("rm"),
        "TFG032: no rule file",
    );
    planted(
        |r| std::fs::remove_file(r.join("policies/rules/TFG032.md")).expect("rm"),
        "TFG032: no doc",
    );
    planted(
        |r| std::fs::remove_file(r.join("tests/fixtures/TFG032/TFG032.snap")).expect("rm"),
        "TFG032: no snapshot",
    );
    planted(
        |r| std::fs::remove_dir_all(r.join("tests/fixtures/TFG032")).expect("rm"),
        "TFG032: no fixture folder",
    );
}

#[test]
fn audit_catches_an_empty_fixture_and_a_missing_pass_case() {
    // A folder with no documents: the old meta-test only asked that it exist.
    planted(
        |r| {
            let d = r.join("tests/fixtures/TFG022");
            std::fs::remove_dir_all(&d).expect("rm");
            std::fs::create_dir_all(&d).expect("mkdir");
        },
        "TFG022: no `fail_` fixture holding documents",
    );
    // A case directory without documents.
    planted(
        |r| std::fs::create_dir_all(r.join("tests/fixtures/TFG044/pass_empty")).expect("mkdir"),
        "holds no documents",
    );
    // Only fail_ items left: every pass_ case of TFG044 removed.
    planted(
        |r| {
            for p in sorted_entries(&r.join("tests/fixtures/TFG044")) {
                if file_name(&p).starts_with("pass_") {
                    std::fs::remove_dir_all(&p).expect("rm");
                }
            }
        },
        "TFG044: no `pass_` fixture holding documents",
    );
}

#[test]
fn audit_catches_options_without_docs() {
    planted(
        |r| {
            let p = r.join("policies/rules/TFG031.md");
            let text = std::fs::read_to_string(&p).expect("read");
            let cut = text
                .split("\n## Options")
                .next()
                .unwrap_or(&text)
                .to_string();
            std::fs::write(&p, cut).expect("write");
        },
        "TFG031: takes options but its doc has no `## Options`",
    );
}

/// The harness itself fails on a broken contract: a `pass_` item that is reported, and a
/// `fail_` case whose rule stays silent.
#[test]
fn harness_reports_a_broken_fixture() {
    let tmp = audited_copy();
    let root = tmp.path().canonicalize().expect("tmp");
    // The policy packs are read from the real repository; only fixtures are planted.
    let dir = root.join("tests/fixtures/TFG020");
    let main = dir.join("main.tf");
    let text = std::fs::read_to_string(&main).expect("read");
    std::fs::write(&main, text.replace("\"fail_", "\"pass_")).expect("write");
    let o = run_rule(&root, "TFG020");
    assert!(
        o.problems.iter().any(|p| p.contains("` reported")),
        "{:#?}",
        o.problems
    );
    std::fs::create_dir_all(dir.join("fail_silent")).expect("mkdir");
    std::fs::write(
        dir.join("fail_silent/main.tf"),
        "resource \"genesyscloud_oauth_client\" \"x\" {\n  name = \"x\"\n  authorized_grant_type = \"CLIENT-CREDENTIALS\"\n}\n",
    )
    .expect("write");
    let o = run_rule(&root, "TFG020");
    assert!(
        o.problems
            .iter()
            .any(|p| p.contains("fail_silent: case expects a finding")),
        "{:#?}",
        o.problems
    );
}
