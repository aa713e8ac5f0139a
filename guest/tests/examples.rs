//! Whole configurations, beyond one rule's fixtures: the seed and fixed examples, the Genesys
//! provider's own examples and a Genesys export. Rule-by-rule behaviour lives in the fixture
//! harness (`fixtures.rs`).

mod common;
use common::{repo, walk};
use std::path::{Path, PathBuf};

use tfguard_guest::engine;
use tfguard_guest::types::{DocKind, Document, Settings, Severity};

fn docs_under(dir: &Path) -> (Vec<Document>, String) {
    let root = repo();
    let mut files = Vec::new();
    walk(dir, &mut files);
    let mut text = String::new();
    let docs = files
        .into_iter()
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?.to_string();
            let kind = match p.extension().and_then(|e| e.to_str()) {
                Some("tf") => DocKind::Hcl,
                Some("tfvars") => DocKind::Tfvars,
                Some("tfstate") => DocKind::State,
                Some("json") if name != "options.json" => DocKind::Plan,
                _ => return None,
            };
            let contents = std::fs::read(&p).unwrap();
            text.push_str(&String::from_utf8_lossy(&contents));
            text.push('\n');
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

#[test]
fn genesys_flat_export_has_no_false_error() {
    let path = repo().join("tests/genesys/export-flat.tfstate");
    let doc = Document::new(
        "tests/genesys/export-flat.tfstate",
        DocKind::State,
        std::fs::read(&path).unwrap(),
    );
    let settings = Settings {
        packs: Vec::new(),
        options_json: "{}".into(),
        known_secrets: Vec::new(),
    };
    let report = engine::check(&[doc], &settings).unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let errors: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "false errors: {errors:#?}");
}

/// Issue 13: a new TOKEN (implicit) client is an error, an existing one a warning; both point
/// to CODE with PKCE.

#[test]
fn genesys_provider_examples_have_no_false_errors() {
    let dir = repo().join("tests/corpus/MyPureCloud__terraform-provider-genesyscloud/examples");
    let mut files = Vec::new();
    walk(&dir, &mut files);
    let mut dirs: Vec<PathBuf> = files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "tf"))
        .map(|f| f.parent().unwrap().to_path_buf())
        .collect();
    dirs.dedup();
    assert!(dirs.len() >= 4, "{dirs:?}");
    let ids: Vec<String> = tfguard_guest::rules()
        .into_iter()
        .map(|r| r.id)
        .filter(|id| ("TFG020".."TFG050").contains(&id.as_str()))
        .collect();
    assert!(ids.len() >= 15, "{ids:?}");
    let only = ids
        .iter()
        .map(|i| format!("\"{i}\""))
        .collect::<Vec<_>>()
        .join(",");
    let mut checked_client = false;
    for d in dirs {
        let (docs, text) = docs_under(&d);
        checked_client |= text.contains("resource \"genesyscloud_oauth_client\"");
        let settings = Settings {
            packs: Vec::new(),
            options_json: format!(r#"{{"only":[{only}]}}"#),
            known_secrets: Vec::new(),
        };
        let report = engine::check(&docs, &settings).unwrap();
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        let errors: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .collect();
        assert!(
            errors.is_empty(),
            "{}: false errors {errors:#?}",
            d.display()
        );
    }
    assert!(
        checked_client,
        "the corpus must include a genesyscloud_oauth_client"
    );
}

/// `desired_clients` on the seed: one client, its Vault destination from the
/// `vault_generic_secret` that references it, and the gate's report alongside.

#[test]
fn desired_clients_of_the_seed_and_the_apply_example() {
    let settings = Settings {
        packs: Vec::new(),
        options_json: String::new(),
        known_secrets: Vec::new(),
    };
    let (docs, _) = docs_under(&repo().join("examples/seed"));
    let ds = tfguard_guest::desired_clients(&docs, &settings).unwrap();
    assert_eq!(ds.clients.len(), 1);
    let c = &ds.clients[0];
    assert_eq!(c.address, "genesyscloud_oauth_client.my_app");
    assert_eq!(c.name, "Terraform Managed App");
    assert_eq!(c.scopes, ["conversation:call", "user:read"]);
    assert_eq!(c.vault_mount.as_deref(), Some("secret"));
    assert_eq!(c.vault_path.as_deref(), Some("genesys/oauth/my-app"));
    // The seed has no authorized_grant_type: apply must stop on the gate's errors.
    assert!(
        ds.report.findings.iter().any(|f| f.rule_id == "TFG040"
            && f.severity == Severity::Error
            && f.suppressed.is_none())
    );
    assert!(ds.report.findings.iter().any(|f| f.rule_id == "TFG041"
        && f.message.contains("cannot provision")
        && f.message.contains("`authorized_grant_type` is missing")));

    let (docs, _) = docs_under(&repo().join("examples/apply"));
    let ds = tfguard_guest::desired_clients(&docs, &settings).unwrap();
    assert_eq!(ds.clients.len(), 1, "{:?}", ds.clients);
    let c = &ds.clients[0];
    assert_eq!(c.authorized_grant_type, "CLIENT-CREDENTIALS");
    assert_eq!(
        c.access_token_validity_seconds, 3600,
        "variable default resolved"
    );
    assert_eq!(c.roles.len(), 1);
    assert_eq!(c.roles[0].role_id, "5e2d6b4a-3f0e-4a8c-9a51-1c7f3e2b9d10");
    assert_eq!(c.vault_mount.as_deref(), Some("secret"));
    assert_eq!(c.vault_path.as_deref(), Some("tfguard/reporting"));
    assert!(
        ds.report
            .findings
            .iter()
            .all(|f| f.severity != Severity::Error),
        "{:#?}",
        ds.report.findings
    );
}

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
        packs: Vec::new(),
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
        packs: Vec::new(),
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
