//! Table-driven fixture tests for the HCL secret-flow rules (TFG010–TFG014), checkov-style:
//! each `tests/fixtures/<ID>/` holds `fail_*` items the rule must report and `pass_*` items it
//! must not. Only the rule under test is enabled, so the sets compare exactly.

mod common;
use common::{packs, repo, walk};
use std::collections::BTreeSet;

use tfguard_guest::engine;
use tfguard_guest::types::{DocKind, Document, Finding, Settings, Severity};

/// Documents of a fixture directory, with paths relative to the repository (as the CLI has them).
fn fixture_docs(id: &str) -> (Vec<Document>, String) {
    let root = repo();
    let mut files = Vec::new();
    walk(&root.join("tests/fixtures").join(id), &mut files);
    let mut text = String::new();
    let docs = files
        .into_iter()
        .filter_map(|p| {
            let kind = match p.extension().and_then(|e| e.to_str()) {
                Some("tf") => DocKind::Hcl,
                Some("tfvars") => DocKind::Tfvars,
                _ => return None,
            };
            let contents = std::fs::read(&p).unwrap();
            text.push_str(&String::from_utf8_lossy(&contents));
            let rel = p
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            Some(Document::new(rel, kind, contents))
        })
        .collect();
    (docs, text)
}

/// Names of the `fail_*`/`pass_*` items declared in the fixture text.
fn declared(text: &str, prefix: &str) -> BTreeSet<String> {
    let re = regex::Regex::new(
        r#"(?m)^\s*(?:(?:resource|data|ephemeral)\s+"[^"]+"|output|module)\s+"([A-Za-z0-9_-]+)""#,
    )
    .unwrap();
    re.captures_iter(text)
        .map(|c| c[1].to_string())
        .filter(|n| n.starts_with(prefix))
        .collect()
}

/// The item a finding is about: the last name in its address (`module.m.t.fail_x` → `fail_x`).
fn item(f: &Finding) -> String {
    let addr = f.address.clone().unwrap_or_default();
    let last = addr.rsplit('.').next().unwrap_or("");
    last.split('[').next().unwrap_or("").to_string()
}

fn run(id: &str) -> (Vec<Finding>, String) {
    let (docs, text) = fixture_docs(id);
    assert!(!docs.is_empty(), "fixture {id} has no files");
    let settings = Settings {
        packs: packs(),
        options_json: format!(r#"{{"only":["{id}"]}}"#),
        known_secrets: Vec::new(),
    };
    let report = engine::check(&docs, &settings).unwrap();
    assert!(report.errors.is_empty(), "{id}: {:?}", report.errors);
    (report.findings, text)
}

fn assert_fixture(id: &str) -> Vec<Finding> {
    let (findings, text) = run(id);
    // Info-level ("cannot verify") items are named info_*, as in the shared fixture table.
    let want = declared(&text, if id == "TFG014" { "info_" } else { "fail_" });
    assert!(
        !want.is_empty(),
        "fixture {id} declares no fail_*/info_* item"
    );
    let got: BTreeSet<String> = findings.iter().map(item).collect();
    let missing: Vec<_> = want.difference(&got).collect();
    let unexpected: Vec<_> = got.difference(&want).collect();
    let describe = findings
        .iter()
        .map(|f| format!("  {} {:?} {}", f.rule_id, f.address, f.message))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        missing.is_empty() && unexpected.is_empty(),
        "{id}: missing {missing:?}, unexpected {unexpected:?}\nfindings:\n{describe}"
    );
    for pass in declared(&text, "pass_") {
        assert!(!got.contains(&pass), "{id}: reported {pass}");
    }
    for f in &findings {
        assert_eq!(f.rule_id, id);
        let s = f
            .span
            .unwrap_or_else(|| panic!("{id}: finding without span: {f:?}"));
        assert!(s.line >= 1 && s.column >= 1, "{f:?}");
        assert!(
            f.path.starts_with(&format!("tests/fixtures/{id}/")),
            "{}",
            f.path
        );
        assert!(!f.remediation.is_empty(), "{id}: no fix in {f:?}");
    }
    findings
}

#[test]
fn tfg010_secret_flows_to_state() {
    let findings = assert_fixture("TFG010");
    for f in &findings {
        assert!(f.flow.len() >= 2, "flow has a source and a sink: {f:?}");
        assert_eq!(f.severity, Severity::Error);
    }
    // The child-module flow names the module hops.
    let child = findings
        .iter()
        .find(|f| item(f) == "fail_child_sink")
        .unwrap();
    assert!(
        child.path.ends_with("modules/store/main.tf"),
        "{}",
        child.path
    );
    assert!(
        child
            .flow
            .first()
            .is_some_and(|h| h.contains("random_password.src_password.result")),
        "{:?}",
        child.flow
    );
    assert!(
        child.flow.iter().any(|h| h.contains("module.store")),
        "{:?}",
        child.flow
    );
    // The locals chain shows every local on the way.
    let chain = findings
        .iter()
        .find(|f| item(f) == "fail_locals_chain")
        .unwrap();
    let joined = chain.flow.join(" → ");
    assert!(
        joined.contains("local.creds") && joined.contains("local.wrapped"),
        "{joined}"
    );
    // A hard-coded literal is named by where it is, never by its value.
    for f in &findings {
        assert!(
            !f.message.contains("hunter2") && !f.flow.join(" ").contains("hunter2"),
            "{f:?}"
        );
        assert!(!f.message.contains("correct-horse"), "{f:?}");
    }
}

#[test]
fn tfg011_secret_flows_to_output() {
    let findings = assert_fixture("TFG011");
    let via_child = findings
        .iter()
        .find(|f| item(f) == "fail_through_child_module")
        .unwrap();
    assert!(
        via_child.flow.iter().any(|h| h.contains("module.child")),
        "{:?}",
        via_child.flow
    );
}

#[test]
fn tfg012_persisted_secret_generator() {
    let findings = assert_fixture("TFG012");
    for f in &findings {
        // The safe replacement: an ephemeral resource, or for IAM keys and login profiles
        // (no ephemeral twin) a PGP key.
        assert!(
            f.remediation.contains("ephemeral") || f.remediation.contains("pgp_key"),
            "{}",
            f.remediation
        );
    }
}

#[test]
fn tfg013_ephemeral_value_persisted() {
    assert_fixture("TFG013");
}

#[test]
fn tfg014_secret_flow_unverifiable_is_info() {
    for f in assert_fixture("TFG014") {
        assert_eq!(f.severity, Severity::Info, "{f:?}");
        assert!(
            f.message.to_lowercase().contains("cannot verify"),
            "{}",
            f.message
        );
    }
}

/// The seed recipe: exactly the three flows the issue names, each with a position and a fix.
#[test]
fn seed_reports_exactly_the_three_flows() {
    let root = repo();
    let docs: Vec<Document> = ["main.tf", "variables.tf"]
        .iter()
        .map(|n| {
            Document::new(
                format!("examples/seed/{n}"),
                DocKind::Hcl,
                std::fs::read(root.join("examples/seed").join(n)).unwrap(),
            )
        })
        .collect();
    let settings = Settings {
        packs: packs(),
        options_json: r#"{"only":["TFG010","TFG011","TFG012","TFG013","TFG014"]}"#.into(),
        known_secrets: Vec::new(),
    };
    let report = engine::check(&docs, &settings).unwrap();
    let mut got: Vec<(String, u32, u32)> = report
        .findings
        .iter()
        .map(|f| {
            let s = f.span.unwrap();
            (f.rule_id.clone(), s.line, s.column)
        })
        .collect();
    got.sort();
    // main.tf:30:1 `resource "random_password"`, :56:3 `client_secret`, :63:3 `data_json`.
    assert_eq!(
        got,
        vec![
            ("TFG010".to_string(), 56, 3),
            ("TFG010".to_string(), 63, 3),
            ("TFG012".to_string(), 30, 1),
        ],
        "{:#?}",
        report.findings
    );
    let src = "random_password.oauth_client_secret.result";
    for sink in [
        "genesyscloud_oauth_client.my_app.client_secret",
        "vault_generic_secret.genesys_oauth_secret.data_json",
    ] {
        let want = format!("{src} → {sink}");
        assert!(
            report.findings.iter().any(|f| f.flow.join(" → ") == want),
            "no flow `{want}` in {:#?}",
            report.findings
        );
    }
    for f in &report.findings {
        assert!(f.path == "examples/seed/main.tf", "{}", f.path);
        assert!(
            f.remediation.contains("ephemeral \"random_password\""),
            "{}",
            f.remediation
        );
    }
}

#[test]
fn fixed_example_is_clean() {
    let root = repo();
    let mut files = Vec::new();
    walk(&root.join("examples/fixed"), &mut files);
    let docs: Vec<Document> = files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "tf"))
        .map(|p| {
            let rel = p
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            Document::new(rel, DocKind::Hcl, std::fs::read(p).unwrap())
        })
        .collect();
    assert!(docs.len() >= 2);
    let settings = Settings {
        packs: packs(),
        options_json: String::new(),
        known_secrets: Vec::new(),
    };
    let report = engine::check(&docs, &settings).unwrap();
    let flows: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule_id.starts_with("TFG01"))
        .collect();
    assert!(flows.is_empty(), "{flows:#?}");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
}
