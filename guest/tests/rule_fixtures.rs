//! The table every rule's fixtures run through (STYLE.md §H). A fixture is
//! `tests/fixtures/<RULE-ID>/` (or a case directory below it) holding `.tf`, `.tfvars`,
//! state and plan files, and optionally `options.json` (rule options). Resources, outputs and
//! variables named `fail_*` must be reported by that rule, `pass_*` must not, and `info_*`
//! must be reported at info level only ("cannot verify"). A case directory named `fail_*`
//! must produce at least one finding, `pass_*` none. Only the rule under test is enabled.

mod common;
use common::{packs, repo};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use tfguard_guest::types::{DocKind, Document, KnownSecret, Settings, Severity};

fn kind_of(p: &Path) -> Option<DocKind> {
    let n = p.file_name()?.to_str()?;
    if n.ends_with(".tf") {
        Some(DocKind::Hcl)
    } else if n.ends_with(".tfvars") {
        Some(DocKind::Tfvars)
    } else if n.ends_with(".tfstate")
        || (n.ends_with(".json") && n != "options.json" && n != "known-secrets.json")
    {
        Some(DocKind::Detect)
    } else {
        None
    }
}

/// Files of a case, recursively (child modules live in subdirectories of the case).
fn collect(dir: &Path, docs: &mut Vec<Document>, case_dirs: bool) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            // Case directories are run separately; other directories are child modules.
            if !(case_dirs && is_case(name)) {
                collect(&p, docs, false);
            }
        } else if let Some(kind) = kind_of(&p) {
            docs.push(Document::new(
                p.display().to_string(),
                kind,
                std::fs::read(&p).expect("read"),
            ));
        }
    }
}

fn is_case(name: &str) -> bool {
    name.starts_with("pass_") || name.starts_with("fail_") || name.starts_with("info_")
}

/// `pass_*` / `fail_*` / `info_*` names declared in the documents.
fn declared(docs: &[Document]) -> BTreeSet<String> {
    let re = regex::Regex::new(
        r#"(?:resource|data|output|variable|module)\s+(?:"[^"]+"\s+)?"((?:pass|fail|info)_[A-Za-z0-9_-]*)"|"name"\s*:\s*"((?:pass|fail|info)_[A-Za-z0-9_-]*)""#,
    )
    .expect("regex");
    let mut out = BTreeSet::new();
    for d in docs {
        let s = String::from_utf8_lossy(&d.contents);
        for c in re.captures_iter(&s) {
            if let Some(m) = c.get(1).or_else(|| c.get(2)) {
                out.insert(m.as_str().to_string());
            }
        }
    }
    out
}

/// `module.m.aws_x.fail_a["k"]` → `fail_a`; `output.fail_o` → `fail_o`.
fn name_of(address: &str) -> String {
    let base = address.split(" (deposed").next().unwrap_or(address);
    // Drop index keys (which may contain dots) before taking the last segment.
    let mut plain = String::new();
    let mut depth = 0;
    for c in base.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            _ if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    plain.rsplit('.').next().unwrap_or_default().to_string()
}

fn run_case(id: &str, dir: &Path, options: Option<&serde_json::Value>) -> Result<(), String> {
    let mut docs = Vec::new();
    collect(dir, &mut docs, true);
    if docs.is_empty() {
        return Ok(());
    }
    let mut opts = options.cloned().unwrap_or_else(|| serde_json::json!({}));
    // Only the rule under test runs, plus any the fixture's options name (a meta rule like
    // TFG901 needs the rule it suppresses).
    let mut only = vec![serde_json::json!(id)];
    if let Some(extra) = opts["only"].as_array() {
        only.extend(extra.iter().filter(|v| v.as_str() != Some(id)).cloned());
    }
    opts["only"] = serde_json::Value::Array(only);
    // `known-secrets.json` stands in for the values `--vault-secret` reads from Vault.
    let known_secrets = std::fs::read_to_string(dir.join("known-secrets.json"))
        .or_else(|_| {
            std::fs::read_to_string(dir.parent().unwrap_or(dir).join("known-secrets.json"))
        })
        .ok()
        .map(|s| serde_json::from_str::<Vec<serde_json::Value>>(&s).expect("known-secrets.json"))
        .unwrap_or_default()
        .iter()
        .map(|k| KnownSecret {
            label: k["label"].as_str().unwrap_or_default().to_string(),
            value: k["value"].as_str().unwrap_or_default().to_string(),
        })
        .collect();
    let settings = Settings {
        packs: packs(),
        options_json: opts.to_string(),
        known_secrets,
    };
    let report =
        tfguard_guest::check(&docs, &settings).map_err(|e| format!("{}: {e}", dir.display()))?;
    if !report.errors.is_empty() {
        return Err(format!(
            "{}: document errors {:?}",
            dir.display(),
            report.errors
        ));
    }
    let mine: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule_id == id && f.suppressed.is_none())
        .collect();
    let flagged: BTreeSet<String> = mine
        .iter()
        .filter(|f| f.severity != Severity::Info)
        .filter_map(|f| f.address.as_deref().map(name_of))
        .collect();
    let infos: BTreeSet<String> = mine
        .iter()
        .filter(|f| f.severity == Severity::Info)
        .filter_map(|f| f.address.as_deref().map(name_of))
        .collect();
    let mut problems = Vec::new();
    for name in declared(&docs) {
        let (hit, info) = (flagged.contains(&name), infos.contains(&name));
        match &name[..5] {
            "fail_" if !hit => problems.push(format!("{name} not reported")),
            "pass_" if hit || info => problems.push(format!("{name} reported")),
            "info_" if !info || hit => {
                problems.push(format!("{name} not reported at info level only"))
            }
            _ => {}
        }
    }
    let case = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    if case.starts_with("fail_") && mine.is_empty() {
        problems.push("case expects a finding, got none".into());
    }
    if case.starts_with("pass_") && !mine.is_empty() {
        problems.push(format!(
            "case expects no finding, got {:?}",
            mine.iter().map(|f| &f.message).collect::<Vec<_>>()
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}: {}\n    findings: {:?}",
            dir.display(),
            problems.join("; "),
            mine.iter()
                .map(|f| (&f.address, &f.message))
                .collect::<Vec<_>>()
        ))
    }
}

#[test]
fn every_rule_fixture_reports_exactly_its_fail_cases() {
    let base = repo().join("tests/fixtures");
    let mut failures = Vec::new();
    let mut ran = 0;
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&base)
        .expect("tests/fixtures")
        .map(|e| e.expect("entry").path())
        .collect();
    dirs.sort();
    for dir in dirs.iter().filter(|d| d.is_dir()) {
        let id = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if !id.starts_with("TFG") {
            continue;
        }
        let options: Option<serde_json::Value> = std::fs::read_to_string(dir.join("options.json"))
            .ok()
            .map(|s| serde_json::from_str(&s).expect("options.json"));
        let mut cases = vec![dir.clone()];
        cases.extend(
            std::fs::read_dir(dir)
                .expect("fixture")
                .map(|e| e.expect("entry").path())
                .filter(|p| {
                    p.is_dir() && p.file_name().and_then(|n| n.to_str()).is_some_and(is_case)
                }),
        );
        for case in cases {
            ran += 1;
            if let Err(e) = run_case(&id, &case, options.as_ref()) {
                failures.push(e);
            }
        }
    }
    assert!(ran > 0, "no fixtures found");
    assert!(
        failures.is_empty(),
        "{} fixture case(s) failed:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}

/// Every rule in the registry has a fixture directory (meta rules may use their own tests).
#[test]
fn every_rule_has_a_fixture() {
    let missing: Vec<String> = tfguard_guest::rules()
        .into_iter()
        .map(|r| r.id)
        .filter(|id| !repo().join("tests/fixtures").join(id).is_dir())
        .collect();
    println!("rules without fixtures: {missing:?}");
    assert!(
        missing.is_empty(),
        "rules without tests/fixtures/<ID>/: {missing:?}"
    );
}
