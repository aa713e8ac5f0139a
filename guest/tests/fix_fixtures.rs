//! Every rule with a fix has fixture pairs: `tests/fix/fixtures/<RULE-ID>/<case>/before/` and
//! `.../after/`, the same file names in both. The case is fixed with only that rule's fixes
//! (unsafe ones included); each file must come out exactly as `after/` (a file with no edit
//! must be identical in both), the fixed files must parse, a second run must change nothing,
//! and the rule must list the fix (a case whose `after/` equals `before/` expects a manual
//! item: the instruction). `TFGUARD_BLESS=1` writes `after/` from the result, for review.

mod common;
use common::{repo, walk};
use std::path::{Path, PathBuf};

use tfguard_guest::fix::{FixRequest, Safety, fix, rules_with_fixes};
use tfguard_guest::types::{DocKind, Document, Settings};

fn kind(p: &Path) -> Option<DocKind> {
    let n = p.file_name()?.to_str()?;
    if n.ends_with(".tf") || n.ends_with(".tf.json") {
        Some(DocKind::Hcl)
    } else if n.ends_with(".tfvars") {
        Some(DocKind::Tfvars)
    } else if n.ends_with(".tfstate") || n.ends_with(".json") {
        Some(DocKind::Detect)
    } else {
        None
    }
}

/// The files of `dir`, named `<case>/<relative path>` so before and after share names.
fn docs(dir: &Path, case: &str) -> Vec<Document> {
    let mut files = Vec::new();
    walk(dir, &mut files);
    files
        .into_iter()
        .filter_map(|p| {
            let k = kind(&p)?;
            let rel = p.strip_prefix(dir).ok()?.display().to_string();
            Some(Document::new(
                format!("{case}/{rel}"),
                k,
                std::fs::read(&p).expect("read fixture"),
            ))
        })
        .collect()
}

fn settings() -> Settings {
    Settings {
        packs: Vec::new(),
        options_json: String::new(),
        known_secrets: Vec::new(),
    }
}

fn cases() -> Vec<(String, PathBuf)> {
    let root = repo().join("tests/fix/fixtures");
    let mut out = Vec::new();
    let mut rules: Vec<_> = std::fs::read_dir(&root)
        .expect("tests/fix/fixtures")
        .map(|e| e.expect("entry").path())
        .collect();
    rules.sort();
    for r in rules {
        let rule = r
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let mut cs: Vec<_> = std::fs::read_dir(&r)
            .expect("rule dir")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.is_dir())
            .collect();
        cs.sort();
        for c in cs {
            out.push((rule.clone(), c));
        }
    }
    out
}

#[test]
fn every_rule_with_a_fix_has_a_fixture_pair() {
    let have: Vec<String> = cases().into_iter().map(|(r, _)| r).collect();
    for id in rules_with_fixes() {
        assert!(
            have.iter().any(|h| h == id),
            "{id} has a fix but no tests/fix/fixtures/{id}/<case>/{{before,after}}"
        );
    }
}

#[test]
fn fixture_pairs() {
    let bless = std::env::var_os("TFGUARD_BLESS").is_some();
    let cases = cases();
    assert!(!cases.is_empty());
    for (rule, dir) in cases {
        let case = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let name = format!("{rule}/{case}");
        let before = docs(&dir.join("before"), case);
        assert!(!before.is_empty(), "{name}: empty before/");
        let req = FixRequest {
            unsafe_fixes: true,
            rules: vec![rule.clone()],
        };
        let r = fix(before.clone(), &settings(), &req)
            .unwrap_or_else(|e| panic!("{name}: {}", e.message));
        assert!(
            r.report.errors.is_empty(),
            "{name}: fixed files must parse: {:?}",
            r.report.errors
        );
        let fixed: Vec<Document> = before
            .iter()
            .map(|d| match r.files.iter().find(|f| f.path == d.path) {
                Some(f) => Document::new(d.path.clone(), d.kind, f.contents.clone()),
                None => d.clone(),
            })
            .collect();
        if bless {
            for d in &fixed {
                let rel = d.path.strip_prefix(&format!("{case}/")).unwrap_or(&d.path);
                let p = dir.join("after").join(rel);
                std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
                std::fs::write(&p, &d.contents).expect("bless");
            }
        }
        let after = docs(&dir.join("after"), case);
        assert_eq!(
            after.iter().map(|d| &d.path).collect::<Vec<_>>(),
            fixed.iter().map(|d| &d.path).collect::<Vec<_>>(),
            "{name}: before/ and after/ hold different files"
        );
        for (want, got) in after.iter().zip(&fixed) {
            assert_eq!(
                String::from_utf8_lossy(&got.contents),
                String::from_utf8_lossy(&want.contents),
                "{name}: {} differs from after/",
                got.path
            );
        }
        let mine: Vec<_> = r.fixes.iter().filter(|i| i.rule_id == rule).collect();
        assert!(
            !mine.is_empty(),
            "{name}: no fix listed for {rule}: {:#?}",
            r.fixes
        );
        if r.files.is_empty() {
            assert!(
                mine.iter().any(|i| i.safety == Safety::Manual),
                "{name}: nothing changed, so a manual item is expected: {mine:#?}"
            );
        } else {
            assert!(mine.iter().any(|i| i.applied), "{name}: {mine:#?}");
            // Fewer findings of this rule than before.
            let count = |rep: &tfguard_guest::types::Report| {
                rep.findings.iter().filter(|f| f.rule_id == rule).count()
            };
            let was = tfguard_guest::check(&before, &settings()).expect("check");
            // Module-level fixes (TFG005's `ephemeral = true`) prevent a finding that only a
            // plan file would show; the others must resolve one here.
            let module_level = tfguard_guest::fix::MODULE_FIXES
                .iter()
                .any(|(id, _)| *id == rule);
            assert!(
                module_level || count(&r.report) < count(&was),
                "{name}: the fix resolved no finding of {rule}"
            );
        }
        let again = fix(fixed.clone(), &settings(), &req).expect("second run");
        assert!(
            again.files.is_empty(),
            "{name}: a second run changed {:?}",
            again.files.iter().map(|f| &f.path).collect::<Vec<_>>()
        );
    }
}
