use super::*;
use crate::types::{DocKind, Document, Settings};

fn settings() -> Settings {
    Settings {
        packs: crate::policy::default_packs(),
        options_json: String::new(),
        known_secrets: Vec::new(),
    }
}

fn seed() -> Vec<Document> {
    ["main.tf", "variables.tf"]
        .iter()
        .map(|n| {
            let p = format!("{}/../examples/seed/{n}", env!("CARGO_MANIFEST_DIR"));
            Document::new(
                format!("seed/{n}"),
                DocKind::Hcl,
                std::fs::read(&p).expect("seed file"),
            )
        })
        .collect()
}

fn apply(docs: &[Document], r: &FixResult) -> Vec<Document> {
    docs.iter()
        .map(|d| match r.files.iter().find(|f| f.path == d.path) {
            Some(f) => Document::new(d.path.clone(), d.kind, f.contents.clone()),
            None => d.clone(),
        })
        .collect()
}

#[test]
fn seed_with_unsafe_fixes_passes_and_is_idempotent() {
    let docs = seed();
    let req = FixRequest {
        unsafe_fixes: true,
        rules: Vec::new(),
    };
    let r = fix(&docs, &settings(), &req).expect("fix");
    for f in &r.files {
        eprintln!("=== {}\n{}", f.path, String::from_utf8_lossy(&f.contents));
    }
    for i in &r.fixes {
        eprintln!(
            "{:?} {} {} applied={} {}",
            i.safety, i.rule_id, i.title, i.applied, i.why
        );
    }
    for f in &r.report.findings {
        eprintln!("left: {} {:?} {}", f.rule_id, f.severity, f.message);
    }
    let errors: Vec<_> = r
        .report
        .findings
        .iter()
        .filter(|f| f.severity == crate::types::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(r.report.errors.is_empty());
    let again = fix(&apply(&docs, &r), &settings(), &req).expect("fix");
    assert!(again.files.is_empty(), "second run changed files");
}

#[test]
fn json_syntax_is_not_edited_but_its_fixes_are_listed_as_manual() {
    let docs: Vec<Document> = ["main.tf.json", "variables.tf.json"]
        .iter()
        .map(|n| {
            let p = format!("{}/../examples/seed-json/{n}", env!("CARGO_MANIFEST_DIR"));
            Document::new(
                format!("seed-json/{n}"),
                DocKind::Hcl,
                std::fs::read(&p).expect("seed-json"),
            )
        })
        .collect();
    let req = FixRequest {
        unsafe_fixes: true,
        rules: Vec::new(),
    };
    let r = fix(&docs, &settings(), &req).expect("fix");
    assert!(r.files.is_empty());
    let manual: Vec<&str> = r
        .fixes
        .iter()
        .filter(|i| i.safety == Safety::Manual && !i.applied)
        .map(|i| i.rule_id.as_str())
        .collect();
    for id in ["TFG044", "TFG040", "TFG043", "TFG030", "TFG010", "TFG012"] {
        assert!(manual.contains(&id), "{id} not listed: {manual:?}");
    }
    assert!(r.fixes.iter().all(|i| i.why.contains("tfguard rotate")));
}
