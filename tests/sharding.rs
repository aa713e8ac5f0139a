//! Checking in several guest instances at once (`--jobs`, issue 16) gives the report of one
//! instance, byte for byte, in every format; and a finding's fingerprint does not depend on
//! which other files are checked with it.

mod common;
use common::*;

use std::path::Path;

/// A tree of more than 64 files (the sharding threshold) mixing what the partition must keep
/// together: a root calling a local module (a secret flows across the call), modules that
/// stand alone, states, suppression comments, and a syntax error.
fn tree(dir: &Path) {
    let w = |rel: &str, text: &str| {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    w(
        "live/main.tf",
        "resource \"random_password\" \"s\" {\n  length = 32\n}\n\nmodule \"app\" {\n  source = \"../modules/app\"\n  secret = random_password.s.result\n}\n",
    );
    w(
        "modules/app/main.tf",
        "variable \"secret\" {\n  sensitive = true\n}\n\nresource \"vault_generic_secret\" \"s\" {\n  path      = \"secret/app\"\n  data_json = jsonencode({ client_secret = var.secret })\n}\n",
    );
    for i in 0..40 {
        w(
            &format!("stand/m{i:02}/main.tf"),
            &format!(
                "resource \"random_password\" \"p{i}\" {{\n  length = 16\n}}\n\noutput \"o{i}\" {{\n  value = random_password.p{i}.result\n}}\n\n# tfguard:ignore[TFG003]\nlocals {{\n  a = 1\n}}\n"
            ),
        );
        w(
            &format!("stand/m{i:02}/vars.tf"),
            "variable \"api_token\" {\n  default = \"tok-Qw7eR9tY2uI4oP6a\"\n}\n",
        );
    }
    for i in 0..6 {
        std::fs::copy(
            root().join("examples/seed/terraform.tfstate"),
            dir.join(format!("states/s{i}.tfstate")),
        )
        .or_else(|_| {
            std::fs::create_dir_all(dir.join("states"))?;
            std::fs::copy(
                root().join("examples/seed/terraform.tfstate"),
                dir.join(format!("states/s{i}.tfstate")),
            )
        })
        .unwrap();
    }
    w("broken/main.tf", "resource \"x\" \"y\" {\n  a = \n");
    // A caller late in the walk and its module early.
    w(
        "zroot/main.tf",
        "resource \"random_password\" \"z\" {\n  length = 32\n}\n\nmodule \"zz\" {\n  source = \"../modules/zz\"\n  secret = random_password.z.result\n}\n",
    );
    w(
        "modules/zz/main.tf",
        "variable \"secret\" {\n  sensitive = true\n}\n\nresource \"vault_generic_secret\" \"z\" {\n  path      = \"secret/zz\"\n  data_json = jsonencode({ client_secret = var.secret })\n}\n",
    );
}

fn check(dir: &Path, format: &str, jobs: &str) -> (Option<i32>, Vec<u8>) {
    let o = run(tfguard()
        .args(["check", "--format", format, "--jobs", jobs])
        .arg(dir));
    (o.status.code(), o.stdout)
}

#[test]
fn several_instances_give_the_report_of_one() {
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path());
    for format in ["json", "human", "sarif", "github", "junit", "gitlab"] {
        let one = check(dir.path(), format, "1");
        let many = check(dir.path(), format, "3");
        assert_eq!(one.0, Some(2), "{format}: the syntax error is exit 2");
        assert_eq!(
            one,
            many,
            "{format}:\n{}\n---\n{}",
            String::from_utf8_lossy(&one.1),
            String::from_utf8_lossy(&many.1)
        );
    }
    // The flows across the local module calls are found, so each caller and its module were
    // checked in one instance.
    let (_, out) = check(dir.path(), "json", "3");
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    for module in ["modules/app/main.tf", "modules/zz/main.tf"] {
        assert!(
            v["findings"].as_array().unwrap().iter().any(|f| {
                f["rule_id"] == "TFG010" && f["path"].as_str().is_some_and(|p| p.ends_with(module))
            }),
            "{module}: {v:#}"
        );
    }
}

/// A suppression finding's fingerprint (SARIF `partialFingerprints`) numbered its comment
/// among all comments of the run, so it changed with the other files checked.
#[test]
fn fingerprints_do_not_depend_on_the_other_files() {
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path());
    let fingerprints = |path: &Path| {
        let (_, out) = check(path, "json", "1");
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["path"].as_str().is_some_and(|p| p.contains("stand/m07/")))
            .map(|f| (f["rule_id"].to_string(), f["fingerprint"].to_string()))
            .collect::<Vec<_>>()
    };
    let alone = fingerprints(&dir.path().join("stand/m07"));
    let all = fingerprints(dir.path());
    assert!(alone.iter().any(|(r, _)| r == "\"TFG900\""), "{alone:?}");
    assert_eq!(alone, all);
}
