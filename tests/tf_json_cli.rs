//! End-to-end: Terraform JSON syntax (`.tf.json`, `.tfvars.json`) through the real host binary.

mod common;
use common::*;

/// A configuration in JSON syntax whose scopes come from `terraform.tfvars.json`.
const CLIENT: &str = r#"{
  "variable": {
    "scopes": {"type": "list(string)"}
  },
  "resource": {
    "genesyscloud_oauth_client": {
      "c": {
        "name": "c",
        "authorized_grant_type": "CLIENT-CREDENTIALS",
        "scopes": "${var.scopes}",
        "roles": {"role_id": "r"}
      }
    }
  }
}
"#;

fn json_report(dir: &std::path::Path) -> (Option<i32>, serde_json::Value, String) {
    let o = run(tfguard().arg("check").arg("--format").arg("json").arg(dir));
    let (out, err) = text(&o);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    (o.status.code(), v, err)
}

#[test]
fn a_directory_walk_reads_tf_json_and_tfvars_json_and_reports_json_positions() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "main.tf.json", CLIENT);
    write(
        dir.path(),
        "terraform.tfvars.json",
        "{\n  \"scopes\": [\"user:read\"]\n}\n",
    );
    // Not auto-loaded by Terraform: a walk leaves it out, as it does `prod.tfvars`.
    write(dir.path(), "prod.tfvars.json", "{\"scopes\": [\"users\"]}");
    let (code, v, err) = json_report(dir.path());
    assert_eq!(code, Some(1), "{v:#}{err}");
    let docs: Vec<(String, String)> = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let name = d["path"].as_str().unwrap_or_default();
            let name = name.rsplit('/').next().unwrap_or_default().to_string();
            (name, d["recognised_as"].as_str().unwrap_or_default().into())
        })
        .collect();
    assert_eq!(
        docs,
        [
            ("main.tf.json".to_string(), "hcl (json)".to_string()),
            ("terraform.tfvars.json".into(), "tfvars (json)".into()),
        ]
    );
    // The value from terraform.tfvars.json is checked, at the `"scopes"` value in main.tf.json
    // (line 10, column 19: read off CLIENT).
    let unknown_scope = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "TFG030")
        .unwrap_or_else(|| panic!("no TFG030 in {v:#}"));
    assert!(
        unknown_scope["message"]
            .as_str()
            .unwrap_or_default()
            .contains("user:read"),
        "{unknown_scope:#}"
    );
    assert!(
        unknown_scope["path"]
            .as_str()
            .unwrap_or_default()
            .ends_with("main.tf.json"),
        "{unknown_scope:#}"
    );
    assert_eq!(unknown_scope["span"]["line"], 10, "{unknown_scope:#}");
    assert_eq!(unknown_scope["span"]["column"], 19, "{unknown_scope:#}");
}

#[test]
fn the_seed_json_example_gives_the_seed_findings_with_a_json_code_frame() {
    let o = run(tfguard()
        .current_dir(root())
        .arg("check")
        .arg("examples/seed-json"));
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    // TFG010 on `"client_secret"` (line 54, column 9 of examples/seed-json/main.tf.json).
    assert!(
        out.contains("--> examples/seed-json/main.tf.json:54:9"),
        "{out}"
    );
    // TFG045 on `client_id` in the output's `"value"`, with the JSON line as its code frame
    // and the caret under `client_id`.
    let frame = out
        .split("--> examples/seed-json/main.tf.json:68:52")
        .nth(1)
        .unwrap_or_else(|| panic!("no finding at 68:52 in\n{out}"));
    let mut lines = frame.lines().skip(2);
    let source = lines.next().unwrap_or_default();
    let carets = lines.next().unwrap_or_default();
    assert_eq!(
        source,
        "68 |       \"value\": \"${genesyscloud_oauth_client.my_app.client_id}\","
    );
    let col = |s: &str, pat: &str| s.find(pat).unwrap_or(usize::MAX);
    assert_eq!(col(carets, "^"), col(source, "client_id}"), "{frame}");
}

#[test]
fn malformed_tf_json_is_exit_2_with_location_and_others_still_checked() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "bad/main.tf.json",
        "{\n  \"resource\": {\n    \"a\": {\"b\": [1}\n  }\n}\n",
    );
    write(dir.path(), "good/main.tf.json", CLIENT);
    write(
        dir.path(),
        "good/terraform.tfvars.json",
        "{\"scopes\": [\"user:read\"]}",
    );
    let o = run(tfguard().arg("check").arg(dir.path()));
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}{err}");
    let all = format!("{out}{err}");
    assert!(all.contains("bad/main.tf.json:3:18"), "no location: {all}");
    assert!(all.contains("user:read"), "other file not checked: {all}");
}
