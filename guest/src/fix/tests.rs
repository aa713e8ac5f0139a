use super::*;
use crate::types::{DocKind, Document, Settings};

fn settings() -> Settings {
    Settings {
        packs: Vec::new(),
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
    let r = fix(docs.clone(), &settings(), &req).expect("fix");
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
    // Items made in a later pass point into the original text: the generator's header is on
    // line 30 of the seed whatever was inserted above it first.
    let line_of = |id: &str| {
        r.fixes
            .iter()
            .find(|i| i.rule_id == id)
            .and_then(|i| i.span)
            .map(|s| s.line)
    };
    assert_eq!(line_of("TFG012"), Some(30));
    assert_eq!(line_of("TFG044"), Some(6));
    let errors: Vec<_> = r
        .report
        .findings
        .iter()
        .filter(|f| f.severity == crate::types::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(r.report.errors.is_empty());
    let again = fix(apply(&docs, &r), &settings(), &req).expect("fix");
    assert!(again.files.is_empty(), "second run changed files");
}

#[test]
fn json_syntax_gets_the_text_level_fixes_and_the_rest_as_manual() {
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
    let r = fix(docs.clone(), &settings(), &req).expect("fix");
    assert_eq!(r.files.len(), 1);
    let text = String::from_utf8_lossy(&r.files[0].contents).to_string();
    eprintln!("{text}");
    // Still JSON, and every line not fixed is the original's.
    let v: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let client = &v["resource"]["genesyscloud_oauth_client"]["my_app"];
    assert_eq!(client["authorized_grant_type"], "CODE");
    assert_eq!(
        client["registered_redirect_uris"][0],
        "https://my-app.example.com/callback"
    );
    assert_eq!(
        client["scopes"],
        serde_json::json!(["conversations:readonly", "users:readonly"])
    );
    for gone in [
        "client_type",
        "client_secret",
        "redirect_uris",
        "grant_types",
    ] {
        assert!(client.get(gone).is_none(), "{gone}");
    }
    assert_eq!(
        v["terraform"]["required_providers"]["genesyscloud"]["source"],
        "mypurecloud/genesyscloud"
    );
    let original = String::from_utf8_lossy(&docs[0].contents).to_string();
    assert!(text.contains(
        r#""override_special": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789""#
    ));
    assert!(
        original
            .lines()
            .filter(|l| l.contains("\"//\""))
            .all(|l| text.contains(l))
    );
    // What needs restructuring is the instruction.
    let manual: Vec<&str> = r
        .fixes
        .iter()
        .filter(|i| i.safety == Safety::Manual && !i.applied)
        .map(|i| i.rule_id.as_str())
        .collect();
    for id in ["TFG010", "TFG012"] {
        assert!(manual.contains(&id), "{id} not listed: {manual:?}");
    }
    assert!(r.fixes.iter().all(|i| i.why.contains("tfguard rotate")));
    let again = fix(
        vec![
            Document::new(docs[0].path.clone(), DocKind::Hcl, text.into_bytes()),
            docs[1].clone(),
        ],
        &settings(),
        &req,
    )
    .expect("fix");
    assert!(again.files.is_empty());
}
