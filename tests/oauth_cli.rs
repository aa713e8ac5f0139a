//! End-to-end: the OAuth client rules (TFG020–TFG045) through the real `tfguard` binary.

mod common;
use common::*;

use serde_json::Value;

fn json_check(args: &[&str], dir: &std::path::Path) -> (Option<i32>, Value, String) {
    let o = run(tfguard()
        .current_dir(dir)
        .args(["check", "--format", "json"])
        .args(args));
    let (out, err) = text(&o);
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    (o.status.code(), v, err)
}

fn findings<'a>(v: &'a Value, rule: &str) -> Vec<&'a Value> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == rule)
        .collect()
}

fn at(f: &Value) -> (String, u64, u64) {
    (
        f["path"].as_str().unwrap_or("").to_string(),
        f["span"]["line"].as_u64().unwrap_or(0),
        f["span"]["column"].as_u64().unwrap_or(0),
    )
}

/// Every OAuth mistake of the seed recipe, at its file:line:column, with a concrete fix.
#[test]
fn seed_oauth_mistakes_are_reported_with_positions_and_fixes() {
    let o = run(tfguard()
        .current_dir(root())
        .args(["check", "examples/seed"]));
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    for (rule, pos, fix) in [
        (
            "TFG044",
            "examples/seed/main.tf:6:17",
            "source = \"mypurecloud/genesyscloud\"",
        ),
        (
            "TFG040",
            "examples/seed/main.tf:40:3",
            "Remove `client_type`",
        ),
        (
            "TFG040",
            "examples/seed/main.tf:42:3",
            "Rename `redirect_uris` to `registered_redirect_uris`",
        ),
        (
            "TFG040",
            "examples/seed/main.tf:46:3",
            "authorized_grant_type = \"CODE\"",
        ),
        (
            "TFG030",
            "examples/seed/main.tf:52:5",
            "with `\"conversations\"`",
        ),
        (
            "TFG030",
            "examples/seed/main.tf:53:5",
            "with `\"users:readonly\"`",
        ),
        (
            "TFG043",
            "examples/seed/main.tf:56:3",
            "Remove `client_secret`",
        ),
        ("TFG045", "examples/seed/main.tf:64:54", "~> 1.63"),
    ] {
        // The human report prints `error[ID]: …`, then ` --> file:line:col`, then `help:`.
        let block = out
            .split("\n\n")
            .find(|b| b.starts_with(&format!("error[{rule}]")) && b.contains(pos))
            .unwrap_or_else(|| panic!("no {rule} at {pos} in\n{out}"));
        assert!(
            block.contains(fix),
            "{rule} at {pos}: fix `{fix}` missing in\n{block}"
        );
    }
}

/// The same mistakes through JSON, and the seed's state: scopes checked there too.
#[test]
fn seed_json_report_covers_hcl_and_state() {
    let (code, v, err) = json_check(&["examples/seed"], &root());
    assert_eq!(code, Some(1), "{err}");
    let scopes = findings(&v, "TFG030");
    assert!(
        scopes
            .iter()
            .any(|f| at(f) == ("examples/seed/main.tf".into(), 53, 5))
    );
    assert!(scopes.iter().any(|f| {
        f["path"] == "examples/seed/terraform.tfstate"
            && f["address"] == "genesyscloud_oauth_client.my_app"
            && f["attribute"] == "scopes[1]"
            && f["message"]
                .as_str()
                .is_some_and(|m| m.contains("did you mean `users:readonly`"))
    }));
}

/// The provider's own examples are valid: no error from the OAuth rules.
#[test]
fn genesys_provider_examples_produce_no_oauth_errors() {
    let (_, v, err) = json_check(
        &["tests/corpus/MyPureCloud__terraform-provider-genesyscloud/examples"],
        &root(),
    );
    assert!(
        v["errors"].as_array().is_some_and(|e| e.is_empty()),
        "{v}{err}"
    );
    let docs = v["documents"].as_array().expect("documents");
    assert!(
        docs.iter().any(|d| d["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("genesyscloud_oauth_client/resource.tf"))),
        "{docs:?}"
    );
    let ours: Vec<&Value> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| {
            let id = f["rule_id"].as_str().unwrap_or("");
            ("TFG020".."TFG050").contains(&id) && f["severity"] == "error"
        })
        .collect();
    assert!(ours.is_empty(), "false errors: {ours:#?}");
}

/// Options from `.tfguard.hcl` reach the rules; unresolved values are "cannot verify" infos.
#[test]
fn config_options_and_cannot_verify() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.tf",
        r#"
variable "extra" {
  type = list(string)
}
resource "genesyscloud_oauth_client" "admin" {
  name                     = "Admin console"
  authorized_grant_type    = "CODE"
  registered_redirect_uris = ["https://admin.example.com/cb"]
  scopes                   = ["users", "routing:readonly"]
}
resource "genesyscloud_oauth_client" "reports" {
  name                     = "Reports"
  authorized_grant_type    = "CODE"
  registered_redirect_uris = ["https://reports.example.com/cb"]
  scopes                   = var.extra
}
"#,
    );
    // Without options: `users` is a least-privilege warning, `var.extra` cannot be verified.
    let (code, v, err) = json_check(&["."], dir.path());
    assert_eq!(
        code,
        Some(0),
        "warnings and infos do not fail by default: {v}{err}"
    );
    let lp = findings(&v, "TFG033");
    assert_eq!(lp.len(), 1, "{v}");
    assert_eq!(lp[0]["address"], "genesyscloud_oauth_client.admin");
    assert_eq!(lp[0]["severity"], "warning");
    let info = findings(&v, "TFG030");
    assert_eq!(info.len(), 1, "{v}");
    assert_eq!(info[0]["severity"], "info");
    assert!(
        info[0]["message"]
            .as_str()
            .unwrap()
            .contains("cannot verify")
    );
    assert_eq!(at(info[0]).1, 15);

    write(
        dir.path(),
        ".tfguard.hcl",
        r#"
severity = { TFG030 = "error" }
rule "TFG033" {
  exempt_clients = ["genesyscloud_oauth_client.admin"]
}
rule "TFG031" {
  deny = ["routing:readonly"]
}
"#,
    );
    let (code, v, err) = json_check(&["."], dir.path());
    assert_eq!(code, Some(1), "{v}{err}");
    assert!(findings(&v, "TFG033").is_empty(), "{v}");
    // Raising the rule's severity does not turn "cannot verify" into a failure.
    let info = findings(&v, "TFG030");
    assert!(info.len() == 1 && info[0]["severity"] == "info", "{v}");
    let denied = findings(&v, "TFG031");
    assert_eq!(denied.len(), 1, "{v}");
    assert_eq!(at(denied[0]), ("main.tf".into(), 9, 40));
}

/// `tfguard explain` prints each OAuth rule's docs; `tfguard rules` lists them.
#[test]
fn explain_and_list() {
    let o = run(tfguard().arg("rules"));
    let (list, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    for id in [
        "TFG020", "TFG021", "TFG022", "TFG023", "TFG030", "TFG031", "TFG032", "TFG033", "TFG034",
        "TFG035", "TFG040", "TFG041", "TFG042", "TFG043", "TFG044", "TFG045",
    ] {
        assert!(list.contains(id), "{id} not listed:\n{list}");
        let o = run(tfguard().args(["explain", id]));
        let (doc, err) = text(&o);
        assert_eq!(o.status.code(), Some(0), "{id}: {err}");
        assert!(doc.starts_with(&format!("# {id} ")), "{doc}");
        for h in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## Fix",
        ] {
            assert!(doc.contains(h), "{id} lacks {h}");
        }
    }
    let o = run(tfguard().args(["explain", "oauth-scope-unknown"]));
    assert!(text(&o).0.starts_with("# TFG030"));
}
