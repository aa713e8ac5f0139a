//! Fixture tests for the OAuth client rules (TFG020–TFG049), checkov-style: each
//! `tests/fixtures/<ID>/` holds `fail_*` items the rule must report (warning or error),
//! `pass_*` items it must not report at all, and `info_*` items it must report only as
//! info-level "cannot verify". Items are resources in `.tf`, state and plan files, or, for
//! module-level findings without an address, the fixture sub-directory. An `options.json`
//! in the fixture directory supplies rule options. Only the rule under test runs.

mod common;
use common::{packs, repo, walk};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use tfguard_guest::engine;
use tfguard_guest::types::{DocKind, Document, Finding, Settings, Severity};

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

fn run(id: &str, docs: &[Document], rules_json: &str) -> Vec<Finding> {
    let settings = Settings {
        packs: packs(),
        options_json: format!(r#"{{"only":["{id}"]{rules_json}}}"#),
        known_secrets: Vec::new(),
    };
    let report = engine::check(docs, &settings).unwrap();
    assert!(report.errors.is_empty(), "{id}: {:?}", report.errors);
    report.findings
}

/// Item names declared in the fixture: resource names in HCL and JSON, and directory names.
fn declared(text: &str, dir: &Path) -> BTreeSet<String> {
    let re = regex::Regex::new(
        r#"(?m)(?:^\s*resource\s+"[^"]+"\s+"([A-Za-z0-9_-]+)")|(?:"name"\s*:\s*"((?:pass|fail|info)_[A-Za-z0-9_]+)")"#,
    )
    .unwrap();
    let mut out: BTreeSet<String> = re
        .captures_iter(text)
        .filter_map(|c| c.get(1).or(c.get(2)).map(|m| m.as_str().to_string()))
        .collect();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.insert(p.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    out
}

/// The item a finding is about: the resource name, else the fixture sub-directory.
fn item(f: &Finding, id: &str) -> String {
    match &f.address {
        Some(a) => a
            .rsplit('.')
            .next()
            .unwrap_or("")
            .split('[')
            .next()
            .unwrap_or("")
            .to_string(),
        None => f
            .path
            .split(&format!("fixtures/{id}/"))
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or("")
            .to_string(),
    }
}

fn assert_fixture(id: &str) -> Vec<Finding> {
    let dir = repo().join("tests/fixtures").join(id);
    let (docs, text) = docs_under(&dir);
    assert!(!docs.is_empty(), "fixture {id} has no documents");
    let rules_json = match std::fs::read_to_string(dir.join("options.json")) {
        Ok(s) => {
            let v: serde_json::Value = serde_json::from_str(&s).unwrap();
            format!(r#","rules":{}"#, v["rules"])
        }
        Err(_) => String::new(),
    };
    let findings = run(id, &docs, &rules_json);
    for f in &findings {
        assert_eq!(f.rule_id, id, "{f:?}");
        assert!(!f.message.is_empty() && !f.remediation.is_empty(), "{f:?}");
    }
    let items = declared(&text, &dir);
    let mut by_item: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
    for f in &findings {
        by_item.entry(item(f, id)).or_default().push(f);
    }
    for name in &items {
        let got = by_item.get(name).cloned().unwrap_or_default();
        if name.starts_with("fail_") {
            assert!(
                got.iter().any(|f| f.severity >= Severity::Warning),
                "{id}: `{name}` should be reported; findings: {findings:#?}"
            );
        } else if name.starts_with("pass_") {
            assert!(got.is_empty(), "{id}: `{name}` must pass, got {got:#?}");
        } else if name.starts_with("info_") {
            assert!(
                !got.is_empty() && got.iter().all(|f| f.severity == Severity::Info),
                "{id}: `{name}` should get only info 'cannot verify', got {got:#?}"
            );
            assert!(got.iter().all(|f| f.message.contains("cannot verify")));
        }
    }
    for name in by_item.keys() {
        assert!(
            items.contains(name),
            "{id}: finding on undeclared item `{name}`: {findings:#?}"
        );
    }
    assert!(
        items.iter().any(|n| n.starts_with("fail_"))
            && items.iter().any(|n| n.starts_with("pass_")),
        "{id}: needs both pass_ and fail_ items"
    );
    // HCL findings carry a position; JSON findings an address or a position.
    for f in &findings {
        if f.path.ends_with(".tf") {
            assert!(f.span.is_some(), "{id}: HCL finding without a span: {f:?}");
        }
        if f.path.ends_with(".tfstate") || f.path.ends_with(".json") {
            // Resource findings name the address; document-level ones (provider) a position.
            assert!(f.address.is_some() || f.span.is_some(), "{id}: {f:?}");
        }
    }
    findings
}

fn messages(fs: &[Finding], item_name: &str) -> String {
    fs.iter()
        .filter(|f| f.address.as_deref().is_some_and(|a| a.ends_with(item_name)))
        .map(|f| format!("{} | {}\n", f.message, f.remediation))
        .collect()
}

#[test]
fn tfg020_redirect_uri_not_https() {
    let fs = assert_fixture("TFG020");
    let m = messages(&fs, "fail_localhost");
    assert!(m.contains("http://127.0.0.1:3000/cb"), "{m}");
    assert!(fs.iter().any(|f| f.path.ends_with(".tfstate")
        && f.attribute.as_deref() == Some("registered_redirect_uris[0]")));
}

#[test]
fn tfg021_redirect_uri_invalid() {
    let fs = assert_fixture("TFG021");
    assert!(messages(&fs, "fail_fragment").contains("fragment"));
    assert!(messages(&fs, "fail_wildcard").contains("wildcard"));
    assert!(messages(&fs, "fail_userinfo").contains("user-info"));
    // A password in a URI is a secret: never echoed.
    assert!(fs.iter().all(|f| !format!("{f:?}").contains("hunter2")));
    // The finding points at the offending element.
    let f = fs
        .iter()
        .find(|f| f.address.as_deref() == Some("genesyscloud_oauth_client.fail_fragment"))
        .unwrap();
    let s = f.span.unwrap();
    assert_eq!((s.line, s.column), (12, 31));
}

#[test]
fn tfg022_redirect_uri_missing() {
    assert_fixture("TFG022");
}

#[test]
fn tfg023_redirect_uri_unused() {
    let fs = assert_fixture("TFG023");
    assert!(fs.iter().all(|f| f.severity == Severity::Warning));
}

#[test]
fn tfg030_scope_unknown() {
    let fs = assert_fixture("TFG030");
    let m = messages(&fs, "fail_seed_scopes");
    for want in [
        "`conversation:call`: did you mean `conversations`",
        "`user:read`: did you mean `users:readonly`",
        "`analytics:conversation`: did you mean `analytics:readonly`",
    ] {
        assert!(m.contains(want), "missing {want} in {m}");
    }
    // Resolved values say where they came from: a local, and a tfvars value of a variable.
    let m = messages(&fs, "fail_scope_from_local");
    assert!(
        m.contains("`analytics:conversation`: did you mean `analytics:readonly`")
            && m.contains("(from `concat(local.reporting_scopes, [\"users:readonly\"])`)"),
        "{m}"
    );
    let m = messages(&fs, "fail_scope_from_tfvars");
    assert!(
        m.contains("`user:read`: did you mean `users:readonly`")
            && m.contains("(from `var.extra_scope`)"),
        "{m}"
    );
    assert!(fs.iter().any(|f| f.path.ends_with("plan.json")
        && f.address.as_deref() == Some("genesyscloud_oauth_client.fail_plan_scope")));
    // Issue 13: wrong names stay errors; well-formed absent or legacy names are warnings that
    // name the catalogue's date and where the live list is.
    let of = |name: &str| -> Vec<&Finding> {
        fs.iter()
            .filter(|f| f.address.as_deref().is_some_and(|a| a.ends_with(name)))
            .collect()
    };
    for name in ["fail_seed_scopes", "fail_near_miss", "fail_flat_seed_scope"] {
        let got = of(name);
        assert!(
            !got.is_empty() && got.iter().all(|f| f.severity == Severity::Error),
            "{name}: {got:#?}"
        );
    }
    let m = messages(&fs, "fail_near_miss");
    assert!(
        m.contains("`archtect`: did you mean `architect`")
            && m.contains("`user`: did you mean `users`"),
        "{m}"
    );
    for name in ["fail_legacy_scope", "fail_absent_well_formed"] {
        let got = of(name);
        assert!(
            !got.is_empty() && got.iter().all(|f| f.severity == Severity::Warning),
            "{name}: {got:#?}"
        );
        assert!(
            got.iter().all(|f| f.message.contains("2026-07-23")),
            "{got:#?}"
        );
    }
    assert_eq!(of("fail_absent_well_formed").len(), 3);
    let m = messages(&fs, "fail_absent_well_formed");
    assert!(
        m.contains("GET /api/v2/oauth/scopes") && m.contains("seen on live clients"),
        "{m}"
    );
    assert!(m.contains("`search:readonly`"), "{m}");
    assert!(messages(&fs, "fail_legacy_scope").contains("obsolete"));
}

#[test]
fn tfg031_scope_not_allowed() {
    let fs = assert_fixture("TFG031");
    assert!(messages(&fs, "fail_denied").contains("denied"));
    assert!(messages(&fs, "fail_not_on_allowlist").contains("allowlist"));
}

#[test]
fn tfg032_scope_broad() {
    assert_fixture("TFG032");
}

#[test]
fn tfg033_scope_not_least_privilege() {
    let fs = assert_fixture("TFG033");
    assert!(messages(&fs, "fail_read_write").contains("`users:readonly`"));
}

#[test]
fn tfg034_grant_scope_mismatch() {
    let fs = assert_fixture("TFG034");
    assert!(messages(&fs, "fail_client_credentials_without_roles").contains("roles"));
    assert!(fs.iter().any(|f| f.path.ends_with(".tfstate")));
    // Legacy `attributes_flat`: `roles.#` / `roles.<hash>.role_id` are read as a set of blocks.
    assert!(messages(&fs, "fail_flat_cc_no_roles").contains("roles"));
    assert!(messages(&fs, "fail_flat_cc_scopes").contains("scopes"));
}

/// Issue 13: a Genesys export in `attributes_flat` form (41 clients: 27 CLIENT-CREDENTIALS
/// with roles, 14 CODE clients with scopes newer than the old catalogue) gets no error from
/// any rule.
#[test]
fn genesys_flat_export_has_no_false_error() {
    let path = repo().join("tests/genesys/export-flat.tfstate");
    let doc = Document::new(
        "tests/genesys/export-flat.tfstate",
        DocKind::State,
        std::fs::read(&path).unwrap(),
    );
    let settings = Settings {
        packs: packs(),
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
fn tfg035_grant_retired() {
    let fs = assert_fixture("TFG035");
    let sev = |name: &str| -> Vec<Severity> {
        fs.iter()
            .filter(|f| f.address.as_deref().is_some_and(|a| a.ends_with(name)))
            .map(|f| f.severity)
            .collect()
    };
    for name in ["fail_new_token_client", "fail_plan_create_token"] {
        assert_eq!(sev(name), [Severity::Error], "{name}: {fs:#?}");
    }
    for name in [
        "fail_existing_token_client",
        "fail_flat_token_client",
        "fail_plan_update_token",
    ] {
        assert_eq!(sev(name), [Severity::Warning], "{name}: {fs:#?}");
    }
    for f in &fs {
        assert!(
            f.remediation.contains("CODE") && f.remediation.contains("PKCE"),
            "{f:?}"
        );
        assert!(f.message.contains("March 2027"), "{f:?}");
    }
    assert!(messages(&fs, "fail_new_token_client").contains("March 2026"));
}

#[test]
fn tfg040_unknown_argument() {
    let fs = assert_fixture("TFG040");
    let m = messages(&fs, "fail_seed_arguments");
    assert!(m.contains("did you mean `registered_redirect_uris`"), "{m}");
    assert!(m.contains("authorized_grant_type = \"CODE\""), "{m}");
    assert!(m.contains("`client_type` is not an argument"), "{m}");
    let m = messages(&fs, "fail_typo");
    assert!(
        m.contains("did you mean `scopes`") && m.contains("did you mean `description`"),
        "{m}"
    );
    let m = messages(&fs, "fail_role_block_argument");
    assert!(
        m.contains("did you mean `role_id`") && m.contains("did you mean `division_id`"),
        "{m}"
    );
}

#[test]
fn tfg041_invalid_value() {
    let fs = assert_fixture("TFG041");
    assert!(messages(&fs, "fail_grant_standard_name").contains("did you mean \"CODE\""));
    assert!(messages(&fs, "fail_grant_case").contains("did you mean \"CODE\""));
    assert!(messages(&fs, "fail_missing_required").contains("`authorized_grant_type`"));
    assert!(messages(&fs, "fail_state_bad_grant").contains("IMPLICIT"));
    let long: Vec<_> = fs
        .iter()
        .filter(|f| {
            f.address
                .as_deref()
                .is_some_and(|a| a.ends_with("fail_token_lifetime_over_48h"))
        })
        .collect();
    assert!(
        long.len() == 1
            && long[0].severity == Severity::Warning
            && long[0].message.contains("SCIM")
    );
}

#[test]
fn tfg042_secret_exposed() {
    let fs = assert_fixture("TFG042");
    for f in &fs {
        assert!(!f.message.contains("REDACTED-FIXTURE-VALUE"), "{f:?}");
    }
    assert!(
        fs.iter()
            .any(|f| f.path.ends_with(".tfstate") && f.severity == Severity::Error)
    );
}

#[test]
fn tfg043_secret_argument() {
    let fs = assert_fixture("TFG043");
    let m = messages(&fs, "fail_secret_from_random");
    assert!(
        m.contains(">= 1.63.0") && m.contains("1.35.0") && m.contains("server-side"),
        "{m}"
    );
}

#[test]
fn tfg044_provider_source() {
    let fs = assert_fixture("TFG044");
    let f = fs
        .iter()
        .find(|f| f.path.contains("fail_tutorial_source"))
        .unwrap();
    let s = f.span.unwrap();
    assert_eq!((s.line, s.column), (5, 17));
    assert!(f.remediation.contains("mypurecloud/genesyscloud"));
    let f = fs
        .iter()
        .find(|f| f.path.contains("fail_state_provider"))
        .unwrap();
    assert_eq!(f.span.map(|s| (s.line, s.column)), Some((12, 20)));
    assert!(f.remediation.contains("terraform state replace-provider"));
    assert!(
        fs.iter()
            .any(|f| f.path.ends_with("fail_plan_provider/plan.json"))
    );
}

#[test]
fn tfg045_argument_too_new() {
    let fs = assert_fixture("TFG045");
    assert!(messages(&fs, "fail_saml2_bearer_value").contains("1.51.0"));
    assert!(messages(&fs, "fail_expose_argument").contains("1.68.5"));
    let m = messages(&fs, "fail_client_id_reference");
    assert!(
        m.contains("Unsupported attribute") && m.contains("`.id`"),
        "{m}"
    );
    let f = fs
        .iter()
        .find(|f| f.attribute.as_deref() == Some("client_id"))
        .unwrap();
    assert_eq!(f.span.map(|s| (s.line, s.column)), Some((34, 62)));
    assert!(
        fs.iter().all(|f| f.severity == Severity::Error),
        "an exact pin is an error"
    );
}

/// The provider's own examples are valid configurations: no OAuth rule may call them errors.
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
            packs: packs(),
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
        packs: packs(),
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
