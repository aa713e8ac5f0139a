//! Fixing every HCL module (native and JSON syntax) of the corpus (`tests/corpus/`), the examples and the rule
//! fixtures, unsafe fixes included, never produces a file that fails to parse, and a second
//! run changes nothing. The fixtures are where most fixes apply; the corpus is real code.

mod common;
use common::{repo, walk};
use std::collections::BTreeMap;
use std::path::PathBuf;

use tfguard_guest::fix::{FixRequest, fix};
use tfguard_guest::types::{DocKind, Document, Settings};

fn settings() -> Settings {
    Settings {
        packs: Vec::new(),
        options_json: String::new(),
        known_secrets: Vec::new(),
    }
}

fn parses(path: &str, bytes: &[u8]) -> bool {
    if path.ends_with(".tf.json") {
        tfguard_guest::hcl::parse_json(path, bytes, &Default::default()).is_ok()
    } else {
        tfguard_guest::hcl::parse(path, bytes).is_ok()
    }
}

/// `.tf` and `.tf.json` files grouped by directory (one module each), those that parse.
fn modules() -> BTreeMap<PathBuf, Vec<Document>> {
    let mut files = Vec::new();
    for dir in [
        "tests/corpus",
        "examples",
        "tests/fixtures",
        "tests/fix/fixtures",
    ] {
        walk(&repo().join(dir), &mut files);
    }
    let mut out: BTreeMap<PathBuf, Vec<Document>> = BTreeMap::new();
    for p in files {
        let name = p.display().to_string();
        if !(name.ends_with(".tf") || name.ends_with(".tf.json")) {
            continue;
        }
        let bytes = std::fs::read(&p).expect("read");
        if !parses(&name, &bytes) {
            continue;
        }
        let dir = p.parent().expect("parent").to_path_buf();
        out.entry(dir).or_default().push(Document::new(
            p.display().to_string(),
            DocKind::Hcl,
            bytes,
        ));
    }
    out
}

#[test]
fn fixing_the_corpus_keeps_every_file_parsing_and_is_idempotent() {
    let req = FixRequest {
        unsafe_fixes: true,
        rules: Vec::new(),
    };
    let (mut modules_seen, mut changed_files, mut applied) = (0, 0, 0);
    for (dir, docs) in modules() {
        modules_seen += 1;
        let r = fix(docs.clone(), &settings(), &req)
            .unwrap_or_else(|e| panic!("{}: {}", dir.display(), e.message));
        for f in &r.files {
            assert!(
                parses(&f.path, &f.contents),
                "{}: fixed text does not parse:\n{}",
                f.path,
                String::from_utf8_lossy(&f.contents)
            );
        }
        assert!(
            r.report.errors.is_empty(),
            "{}: {:?}",
            dir.display(),
            r.report.errors
        );
        changed_files += r.files.len();
        applied += r.fixes.iter().filter(|i| i.applied).count();
        let fixed: Vec<Document> = docs
            .iter()
            .map(|d| match r.files.iter().find(|f| f.path == d.path) {
                Some(f) => Document::new(d.path.clone(), d.kind, f.contents.clone()),
                None => d.clone(),
            })
            .collect();
        let again = fix(fixed.clone(), &settings(), &req).expect("second run");
        assert!(
            again.files.is_empty(),
            "{}: a second run changed files again: {:#?}",
            dir.display(),
            again.fixes.iter().filter(|i| i.applied).collect::<Vec<_>>()
        );
    }
    eprintln!("{modules_seen} modules, {changed_files} files changed by {applied} fixes");
    // Not vacuous: the fixtures alone hold dozens of fixable findings.
    assert!(modules_seen >= 50, "{modules_seen}");
    assert!(
        changed_files >= 20 && applied >= 40,
        "{changed_files} files, {applied} fixes"
    );
}
