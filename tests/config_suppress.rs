//! `.tfguard.hcl` and `# tfguard:ignore[...]` suppressions, end to end through the real binary:
//! what they change (positive), what they must not change (negative), and malformed input
//! (exit 2 with `file:line:col` for the config; TFG900 at the comment for suppressions).

mod common;
use common::*;

use std::path::Path;
use std::process::Output;

use serde_json::Value;

/// The seed tutorial's `secrets.tf` (random_password + vault_generic_secret), which leaks the
/// OAuth secret into state: TFG012 on the generator block, TFG010 on `data_json`.
const SECRETS_TF: &str = r#"# 1. Generate a cryptographically secure password
resource "random_password" "oauth_client_secret" {
  length  = 32
  special = false
  override_special = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
}

# 2. Store the generated password in HashiCorp Vault
resource "vault_generic_secret" "genesys_oauth_secret" {
  path = "secret/data/genesys/oauth/my-app"

  data_json = jsonencode({
    client_id     = "id"
    client_secret = random_password.oauth_client_secret.result
  })
}
"#;

fn check_json(dir: &Path, extra: &[&str]) -> (Output, Value) {
    let o = run(tfguard()
        .arg("check")
        .arg(dir)
        .args(["--format", "json"])
        .args(extra));
    let v = serde_json::from_slice(&o.stdout).unwrap_or(Value::Null);
    (o, v)
}

/// (rule, line, suppressed reason) of every finding.
fn findings(v: &Value) -> Vec<(String, u64, Option<String>)> {
    v["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings array: {v}"))
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["span"]["line"].as_u64().unwrap_or(0),
                f["suppressed"]["reason"].as_str().map(str::to_string),
            )
        })
        .collect()
}

fn ids(v: &Value) -> Vec<String> {
    findings(v).into_iter().map(|f| f.0).collect()
}

/// `secrets.tf` with `line` inserted before 1-based line `at`.
fn with_line(at: usize, line: &str) -> String {
    let mut lines: Vec<&str> = SECRETS_TF.lines().collect();
    lines.insert(at - 1, line);
    lines.join("\n") + "\n"
}

#[test]
fn baseline_without_config_or_comments_fails() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "secrets.tf", SECRETS_TF);
    let (o, v) = check_json(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(1));
    let f = findings(&v);
    assert!(f.contains(&("TFG012".into(), 2, None)), "{f:?}");
    assert!(f.contains(&("TFG010".into(), 12, None)), "{f:?}");
}

#[test]
fn comments_above_a_block_and_an_attribute_suppress_with_their_reason() {
    let dir = tempfile::tempdir().unwrap();
    let src = with_line(
        2,
        "# tfguard:ignore[TFG012] sandbox org; state is local and deleted after the demo",
    );
    // After the insert, `data_json` is on line 13; `//` comments work as well.
    let mut lines: Vec<&str> = src.lines().collect();
    lines.insert(12, "  // tfguard:ignore[TFG010, TFG011] tracked in OPS-42");
    write(dir.path(), "secrets.tf", &(lines.join("\n") + "\n"));
    let (o, v) = check_json(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{v}");
    let f = findings(&v);
    assert!(
        f.contains(&(
            "TFG012".into(),
            3,
            Some("sandbox org; state is local and deleted after the demo".into())
        )),
        "{f:?}"
    );
    assert!(
        f.contains(&("TFG010".into(), 14, Some("tracked in OPS-42".into()))),
        "{f:?}"
    );
    // TFG011 named in the same comment matched nothing there: reported, but only a warning.
    assert!(ids(&v).contains(&"TFG901".to_string()), "{f:?}");
    assert_eq!(v["summary"]["suppressed"], 2);
    let sup = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "TFG012")
        .unwrap();
    assert_eq!(
        sup["suppressed"]["origin"],
        "comment secrets.tf:2".replace(
            "secrets.tf",
            &dir.path().join("secrets.tf").display().to_string(),
        )
    );

    // Every format sees the suppression: SARIF lists it in `suppressions`, human counts it.
    let o = run(tfguard()
        .arg("check")
        .arg(dir.path())
        .args(["--format", "sarif"]));
    let s: Value = serde_json::from_slice(&o.stdout).unwrap();
    let r = s["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "TFG012")
        .unwrap();
    assert_eq!(r["suppressions"][0]["kind"], "inSource");
    let o = run(tfguard().arg("check").arg(dir.path()));
    let (out, _) = text(&o);
    assert!(out.contains("suppressed[TFG012]"), "{out}");
    assert!(out.contains("2 suppressed"), "{out}");
}

#[test]
fn trailing_comment_on_the_finding_line_suppresses() {
    let dir = tempfile::tempdir().unwrap();
    let src = SECRETS_TF.replace(
        "resource \"random_password\" \"oauth_client_secret\" {",
        "resource \"random_password\" \"oauth_client_secret\" { # tfguard:ignore[persisted-secret-generator] demo only",
    );
    write(dir.path(), "secrets.tf", &src);
    let (_, v) = check_json(dir.path(), &[]);
    assert!(
        findings(&v).contains(&("TFG012".into(), 2, Some("demo only".into()))),
        "{v}"
    );
}

#[test]
fn suppression_without_reason_is_ignored_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "secrets.tf",
        &with_line(2, "# tfguard:ignore[TFG012]"),
    );
    let (o, v) = check_json(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(1), "the finding still fails the gate");
    let f = findings(&v);
    assert!(f.contains(&("TFG012".into(), 3, None)), "{f:?}");
    assert!(f.contains(&("TFG900".into(), 2, None)), "{f:?}");
}

#[test]
fn comment_away_from_the_finding_does_not_suppress() {
    let dir = tempfile::tempdir().unwrap();
    // Above the vault block's `path` line: TFG012 is on the other block, TFG010 on data_json.
    write(
        dir.path(),
        "secrets.tf",
        &with_line(10, "  # tfguard:ignore[TFG012, TFG010] wrong place"),
    );
    let (o, v) = check_json(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(1));
    let f = findings(&v);
    assert!(f.iter().all(|x| x.2.is_none()), "{f:?}");
    assert_eq!(
        f.iter().filter(|x| x.0 == "TFG901" && x.1 == 10).count(),
        2,
        "{f:?}"
    );
}

#[test]
fn malformed_suppressions_are_reported_at_the_comment() {
    let dir = tempfile::tempdir().unwrap();
    let src = with_line(2, "# tfguard:ignore[TGF012] typo in the code");
    let src = src.replace(
        "# 2. Store",
        "# tfguard:ignore[TFG010 no closing bracket\n# 2. Store",
    );
    write(dir.path(), "secrets.tf", &src);
    let (o, v) = check_json(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(1));
    let f = findings(&v);
    assert!(f.contains(&("TFG902".into(), 2, None)), "{f:?}");
    assert!(f.contains(&("TFG900".into(), 9, None)), "{f:?}");
    assert!(
        f.contains(&("TFG012".into(), 3, None)),
        "not suppressed: {f:?}"
    );
}

#[test]
fn config_is_found_by_walking_up_and_changes_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    // A project is a git checkout: the config is looked for up to its root (and no higher).
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(dir.path(), "infra/app/secrets.tf", SECRETS_TF);
    write(
        dir.path(),
        ".tfguard.hcl",
        r#"# project policy
disable  = ["TFG012"]
severity = { TFG010 = "warning" }
"#,
    );
    let app = dir.path().join("infra/app");
    let (o, v) = check_json(&app, &[]);
    assert_eq!(o.status.code(), Some(0), "{v}");
    assert_eq!(ids(&v), ["TFG010"]);
    assert_eq!(v["findings"][0]["severity"], "warning");
    // --fail-on on the command line beats the config's default.
    let (o, _) = check_json(&app, &["--fail-on", "warning"]);
    assert_eq!(o.status.code(), Some(1));
    // fail_on in the config.
    write(
        dir.path(),
        ".tfguard.hcl",
        "fail_on = \"warning\"\nseverity = { TFG010 = \"warning\" }\nrule \"TFG012\" {\n  enabled = false\n}\n",
    );
    let (o, v) = check_json(&app, &[]);
    assert_eq!(o.status.code(), Some(1), "{v}");
    assert_eq!(v["summary"]["fail_on"], "warning");
    assert_eq!(ids(&v), ["TFG010"]);
}

#[test]
fn explicit_config_with_ignore_blocks_suppresses_state_findings() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write(
        dir.path(),
        "ci.tfguard.hcl",
        r#"ignore {
  rule    = "TFG001"
  address = "random_password.*"
  reason  = "demo state, secret rotated (OPS-7)"
}
"#,
    );
    let state = root().join("examples/seed/terraform.tfstate");
    let o = run(tfguard()
        .arg("check")
        .arg(&state)
        .args(["--format", "json", "--config"])
        .arg(&cfg));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let fs = v["findings"].as_array().unwrap();
    let pw: Vec<&Value> = fs
        .iter()
        .filter(|f| {
            f["rule_id"] == "TFG001" && f["address"] == "random_password.oauth_client_secret"
        })
        .collect();
    assert!(!pw.is_empty());
    assert!(pw.iter().all(|f| f["suppressed"]["origin"] == "config"));
    assert!(
        fs.iter()
            .filter(|f| f["address"] == "vault_generic_secret.genesys_oauth_secret")
            .all(|f| f["suppressed"].is_null()),
        "the ignore must not reach other resources"
    );
    assert_eq!(o.status.code(), Some(1), "vault_generic_secret still fails");
}

#[test]
fn rule_blocks_pass_options_to_the_rule() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.tf",
        r#"resource "genesyscloud_oauth_client" "app" {
  name                          = "app"
  authorized_grant_type         = "CLIENT-CREDENTIALS"
  access_token_validity_seconds = 600
  roles {
    role_id = "r"
  }
}

resource "genesyscloud_oauth_client" "web" {
  name                          = "web"
  authorized_grant_type         = "CODE"
  access_token_validity_seconds = 600
  registered_redirect_uris      = ["https://app.example.com/cb"]
  scopes                        = ["users:readonly", "analytics"]
}
"#,
    );
    let (_, before) = check_json(dir.path(), &[]);
    assert!(!ids(&before).contains(&"TFG031".to_string()), "{before}");
    write(
        dir.path(),
        ".tfguard.hcl",
        "rule \"TFG031\" {\n  deny = [\"analytics\"]\n}\n",
    );
    let (o, after) = check_json(dir.path(), &[]);
    let denied: Vec<_> = findings(&after)
        .into_iter()
        .filter(|f| f.0 == "TFG031")
        .collect();
    assert_eq!(denied.len(), 1, "{after}");
    assert_eq!(o.status.code(), Some(1));
}

/// Exit 2 and `path:line:col: message` on stderr.
fn config_error(src: &str) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "secrets.tf", SECRETS_TF);
    let cfg = write(dir.path(), ".tfguard.hcl", src);
    let o = run(tfguard().arg("check").arg(dir.path()));
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{src}\n{out}{err}");
    assert!(out.is_empty(), "no report on a config error: {out}");
    (cfg.display().to_string(), err)
}

#[test]
fn malformed_config_is_exit_2_with_its_location() {
    for (src, loc, msg) in [
        (
            "disable = [\"TFG012\"]\nfial_on = \"warning\"\n",
            "2:1",
            "unknown setting `fial_on`",
        ),
        ("fail_on = \"sometimes\"\n", "1:11", "fail_on must be"),
        ("only = [\"TFG001\"\n", "1:18", "syntax error: expected `]`"),
        (
            "disable = [\n  \"TFG012\",\n  \"TFG999\",\n]\n",
            "3:3",
            "unknown rule `TFG999`",
        ),
        (
            "ignore {\n  rule = \"TFG001\"\n}\n",
            "1:1",
            "needs a non-empty `reason`",
        ),
        (
            "rule \"TFG010\" {\n  severity = \"loud\"\n}\n",
            "2:14",
            "severity must be",
        ),
        (
            "ignore {\n  rule   = \"TFG001\"\n  reason = \"r\"\n  adress = \"x\"\n}\n",
            "4:3",
            "unknown key `adress` in ignore",
        ),
        ("policy_packs = \"extra.toml\"\n", "1:16", "must be a list"),
        ("severity = { TFG010 = var.x }\n", "1:23", "string literal"),
        // Rule options are checked by the rule before anything runs, and reported at the key.
        (
            "rule \"TFG032\" {\n  severity = \"warning\"\n  alow = [\"oauth\"]\n}\n",
            "3:3",
            "unknown field `alow`, expected `allow`",
        ),
        (
            "rule \"TFG001\" {\n  foo = 1\n}\n",
            "2:3",
            "unknown option `foo`: this rule has none",
        ),
        (
            "rule \"oauth-scope-broad\" {\n  allow = \"oauth\"\n}\n",
            "1:6",
            "options of TFG032: invalid type",
        ),
    ] {
        let (path, err) = config_error(src);
        let want = format!("{path}:{loc}: ");
        assert!(err.contains(&want), "want `{want}` in: {err}");
        assert!(err.contains(msg), "want `{msg}` in: {err}");
    }
}

#[test]
fn missing_explicit_config_or_pack_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "secrets.tf", SECRETS_TF);
    let o = run(tfguard()
        .arg("check")
        .arg(dir.path())
        .args(["--config"])
        .arg(dir.path().join("nope.hcl")));
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("nope.hcl"));
    write(
        dir.path(),
        ".tfguard.hcl",
        "policy_packs = [\"packs/extra.toml\"]\n",
    );
    let o = run(tfguard().arg("check").arg(dir.path()));
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("packs/extra.toml"), "{:?}", text(&o));
}
