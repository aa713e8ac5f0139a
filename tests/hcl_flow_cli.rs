//! End-to-end: the HCL secret-flow rules (TFG010–TFG014) through the real binary, on the seed
//! recipe and on its fixed version.

mod common;
use common::*;

/// The seed's secret (in `examples/seed/terraform.tfstate`); it must never be printed.
const SEED_SECRET: &str = "Xk9mP2vL7qR4tW8nB3cF6hJ1dG5sA0zY";

fn flow_titles(out: &str) -> Vec<&str> {
    out.lines()
        .filter(|l| (0..=9).any(|d| l.contains(&format!("[TFG01{d}]"))))
        .collect()
}

#[test]
fn seed_reports_exactly_the_three_flows_with_positions_and_fixes() {
    let o = run(tfguard()
        .arg("check")
        .arg(root().join("examples/seed"))
        .current_dir(root()));
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    let titles = flow_titles(&out);
    assert_eq!(
        titles.len(),
        3,
        "want 3 flow findings, got:\n{}\n---\n{out}",
        titles.join("\n")
    );

    let src = "random_password.oauth_client_secret.result";
    for sink in [
        "vault_generic_secret.genesys_oauth_secret.data_json",
        "genesyscloud_oauth_client.my_app.client_secret",
    ] {
        assert!(
            titles
                .iter()
                .any(|t| t.contains("[TFG010]") && t.contains(src) && t.contains(sink)),
            "no TFG010 flow {src} → {sink} in:\n{out}"
        );
    }
    assert!(
        titles
            .iter()
            .any(|t| t.contains("[TFG012]") && t.contains("random_password.oauth_client_secret")),
        "no TFG012 for the managed random_password in:\n{out}"
    );
    // file:line:column of each finding: the generator's header and the two sink arguments.
    for pos in ["main.tf:30:1", "main.tf:56:3", "main.tf:63:3"] {
        assert!(
            out.contains(&format!("examples/seed/{pos}")),
            "missing {pos} in:\n{out}"
        );
    }
    // The fix names the concrete replacement and the versions it needs.
    for fix in [
        "ephemeral \"random_password\"",
        "vault_kv_secret_v2",
        "data_json_wo",
        "data_json_wo_version",
        "3.7",
        "5.0",
        "1.11",
    ] {
        assert!(out.contains(fix), "fix text lacks `{fix}` in:\n{out}");
    }
    assert!(
        !out.contains(SEED_SECRET) && !err.contains(SEED_SECRET),
        "secret leaked"
    );
}

#[test]
fn seed_flows_in_json_carry_hops_and_spans() {
    let o = run(tfguard()
        .args(["check", "--format", "json"])
        .arg(root().join("examples/seed/main.tf"))
        .arg(root().join("examples/seed/variables.tf")));
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let findings: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["rule_id"]
                .as_str()
                .is_some_and(|r| r.starts_with("TFG01"))
        })
        .collect();
    assert_eq!(findings.len(), 3, "{out}");
    let data_json = findings
        .iter()
        .find(|f| f["attribute"] == "data_json")
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(data_json["span"]["line"], 63);
    assert_eq!(data_json["span"]["column"], 3);
    assert_eq!(
        data_json["flow"],
        serde_json::json!([
            "random_password.oauth_client_secret.result",
            "vault_generic_secret.genesys_oauth_secret.data_json"
        ])
    );
}

#[test]
fn fixed_example_has_no_flow_finding() {
    let o = run(tfguard()
        .arg("check")
        .arg(root().join("examples/fixed"))
        .current_dir(root()));
    let (out, err) = text(&o);
    assert!(flow_titles(&out).is_empty(), "{out}{err}");
    assert_ne!(o.status.code(), Some(2), "{out}{err}");
}

#[test]
fn flow_through_a_local_child_module_is_reported_in_the_child() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.tf",
        "resource \"random_password\" \"p\" {\n  length = 32\n}\nmodule \"store\" {\n  source = \"./store\"\n  secret = random_password.p.result\n}\n",
    );
    std::fs::create_dir(dir.path().join("store")).unwrap();
    write(
        &dir.path().join("store"),
        "main.tf",
        "variable \"secret\" {\n  type = string\n}\nresource \"terraform_data\" \"copy\" {\n  input = var.secret\n}\n",
    );
    let o = run(tfguard().arg("check").arg(dir.path()));
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(
        flow_titles(&out).iter().any(|t| t.contains("[TFG010]")
            && t.contains("random_password.p.result")
            && t.contains("module.store")),
        "{out}"
    );
    assert!(out.contains("store/main.tf:5:3"), "{out}");
}

#[test]
fn var_file_decides_a_gated_flow_and_cannot_verify_is_info_only() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.tf",
        "variable \"store_in_state\" {\n  type    = bool\n  default = true\n}\n\nvariable \"db_password\" {\n  type      = string\n  sensitive = true\n}\n\nresource \"terraform_data\" \"gated\" {\n  input = var.store_in_state ? var.db_password : null\n}\n\nmodule \"remote\" {\n  source   = \"terraform-aws-modules/rds/aws\"\n  password = var.db_password\n}\n",
    );
    let envs = tempfile::tempdir().unwrap();
    let var_file = write(envs.path(), "prod.tfvars", "store_in_state = false\n");

    // Without the var-file the default (true) lets the secret through: an error at 12:3.
    let o = run(tfguard().arg("check").arg(dir.path()));
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(
        flow_titles(&out)
            .iter()
            .any(|t| t.starts_with("error[TFG010]")
                && t.contains("var.db_password → terraform_data.gated.input")),
        "{out}"
    );
    assert!(out.contains("main.tf:12:3"), "{out}");

    // `-var-file` turns the gate off; what is left is the remote module, at info level.
    let o = run(tfguard()
        .arg("check")
        .arg(dir.path())
        .arg("--var-file")
        .arg(&var_file));
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    let titles = flow_titles(&out);
    assert_eq!(titles.len(), 1, "{out}");
    assert!(
        titles[0].starts_with("info[TFG014]") && titles[0].contains("cannot verify"),
        "{out}"
    );
    assert!(out.contains("main.tf:17:3"), "{out}");
}
