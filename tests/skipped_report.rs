//! Nothing is skipped silently: a file the directory walk leaves out (a variable file Terraform
//! does not auto-load, OpenTofu-only files, a saved binary plan, JSON that is not a state or
//! plan, a provider cache, a symlinked directory) is named with its reason in every format,
//! and does not change the exit code.

mod common;
use common::*;

use std::path::Path;

use quick_xml::events::Event;
use serde_json::Value;

/// A clean tree with one of each kind of left-out file. Returns the names expected in `skipped`.
fn tree(dir: &Path) -> Vec<&'static str> {
    write(dir, "main.tf", "resource \"null_resource\" \"a\" {}\n");
    write(dir, "prod.tfvars", "region = \"eu-west-1\"\n");
    write(dir, "extra.tfvars.json", "{\"region\": \"eu-west-1\"}\n");
    write(
        dir,
        "override.tofu",
        "resource \"null_resource\" \"b\" {}\n",
    );
    write(dir, "release.tfplan", "PK\u{3}\u{4}binary");
    write(
        dir,
        "package.json",
        "{\"name\": \"site\", \"version\": \"1.0.0\"}\n",
    );
    std::fs::create_dir_all(dir.join(".terraform/modules/vpc")).unwrap();
    write(
        dir,
        ".terraform/modules/vpc/main.tf",
        "resource \"null_resource\" \"c\" {}\n",
    );
    std::fs::create_dir_all(dir.join("shared")).unwrap();
    write(
        dir,
        "shared/outside.tf",
        "resource \"null_resource\" \"d\" {}\n",
    );
    std::fs::create_dir_all(dir.join("env")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("../shared", dir.join("env/linked")).unwrap();
    vec![
        ".terraform",
        "env/linked",
        "extra.tfvars.json",
        "override.tofu",
        "package.json",
        "prod.tfvars",
        "release.tfplan",
    ]
}

fn check(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let o = run(tfguard().current_dir(dir).arg("check").arg(".").args(args));
    let (out, err) = text(&o);
    assert!(err.is_empty() || o.status.code() != Some(2), "{err}");
    (o.status.code(), out)
}

#[test]
fn json_lists_every_skipped_file_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let want = tree(dir.path());
    let (code, out) = check(dir.path(), &["--format", "json"]);
    assert_eq!(code, Some(0), "skipped files do not fail the gate: {out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let skipped = v["skipped"].as_array().unwrap();
    let mut names: Vec<&str> = skipped
        .iter()
        .map(|s| s["path"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, want);
    for s in skipped {
        assert!(!s["reason"].as_str().unwrap().is_empty(), "{s}");
    }
    assert_eq!(v["summary"]["skipped"], want.len());
    let reason = |p: &str| {
        skipped
            .iter()
            .find(|s| s["path"] == p)
            .and_then(|s| s["reason"].as_str())
            .unwrap()
            .to_string()
    };
    assert!(reason("prod.tfvars").contains("--var-file"));
    assert!(reason("package.json").contains("not a Terraform state or plan"));
    assert!(reason("env/linked").contains("symlinked directory"));
    // What was read is not also listed as skipped; the shared directory is walked itself.
    let docs: Vec<&str> = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert!(
        docs.contains(&"main.tf") && docs.contains(&"shared/outside.tf"),
        "{docs:?}"
    );
}

#[test]
fn a_timestamped_state_backup_is_read_not_skipped() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "terraform.tfstate.1712345678.backup",
        r#"{"version": 4, "terraform_version": "1.9.0", "serial": 1, "lineage": "5f0e6c8e-2b7a-4c0e-9d3e-1a2b3c4d5e6f", "outputs": {}, "resources": [{"mode": "managed", "type": "aws_iam_access_key", "name": "ci", "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]", "instances": [{"schema_version": 0, "attributes": {"id": "AKIAEXAMPLEID", "secret": "q7Rz2LmX9vKp4TwN8bYc3HdJ6sFg1AeU0oWi5QnB"}}]}]}"#,
    );
    write(
        dir.path(),
        "terraform.tfstate.lock.info",
        "{\"ID\": \"x\"}\n",
    );
    let (code, out) = check(dir.path(), &["--format", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(code, Some(1), "the backup's secret fails the gate: {out}");
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["path"] == "terraform.tfstate.1712345678.backup"),
        "{out}"
    );
    let skipped: Vec<&str> = v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["path"].as_str().unwrap())
        .collect();
    assert_eq!(skipped, ["terraform.tfstate.lock.info"]);
}

#[test]
fn sarif_names_skipped_files_as_notes() {
    let dir = tempfile::tempdir().unwrap();
    let want = tree(dir.path());
    let (_, out) = check(dir.path(), &["--format", "sarif"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let notes: Vec<&Value> = v["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["level"] == "note")
        .collect();
    assert_eq!(notes.len(), want.len(), "{out}");
    for w in &want {
        assert!(
            notes.iter().any(|n| {
                n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .is_some_and(|u| u.ends_with(w))
                    && n["message"]["text"]
                        .as_str()
                        .is_some_and(|t| t.starts_with("not checked: "))
            }),
            "{w} not in {notes:?}"
        );
    }
    assert_eq!(v["runs"][0]["invocations"][0]["executionSuccessful"], true);
}

#[test]
fn junit_has_a_skipped_case_per_file() {
    let dir = tempfile::tempdir().unwrap();
    let want = tree(dir.path());
    let (_, out) = check(dir.path(), &["--format", "junit"]);
    let mut reader = quick_xml::Reader::from_str(&out);
    let mut suite = String::new();
    let mut skipped_suites = Vec::new();
    let mut total_skipped = None;
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) => {
                let attr = |k: &str| {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == k)
                        .and_then(|a| {
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .ok()
                                .map(|v| v.into_owned())
                        })
                };
                match e.name().as_ref() {
                    "testsuites" => total_skipped = attr("skipped"),
                    "testsuite" => suite = attr("name").unwrap_or_default(),
                    "skipped" => {
                        assert!(attr("message").unwrap().starts_with("not checked: "));
                        skipped_suites.push(suite.clone());
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    skipped_suites.sort();
    assert_eq!(skipped_suites, want);
    assert_eq!(
        total_skipped.as_deref(),
        Some(want.len().to_string().as_str())
    );
}

#[test]
fn github_annotates_each_skipped_file_and_counts_them() {
    let dir = tempfile::tempdir().unwrap();
    let want = tree(dir.path());
    let (_, out) = check(dir.path(), &["--format", "github"]);
    for w in &want {
        assert!(
            out.lines()
                .any(|l| l.starts_with(&format!("::notice file={w},"))
                    && l.contains("::not checked: ")),
            "{w}: {out}"
        );
    }
    assert!(
        out.lines()
            .last()
            .is_some_and(|l| l.ends_with(&format!("{} skipped", want.len()))),
        "{out}"
    );
}

#[test]
fn human_names_skipped_files_and_counts_them() {
    let dir = tempfile::tempdir().unwrap();
    let want = tree(dir.path());
    let (_, out) = check(dir.path(), &[]);
    for w in &want {
        assert!(
            out.lines()
                .any(|l| l.starts_with(&format!("not checked: {w}: "))),
            "{w}: {out}"
        );
    }
    let summary = out.lines().last().unwrap();
    assert!(
        summary.contains(&format!("{} files not checked", want.len()))
            && summary.ends_with("passed"),
        "{summary}"
    );
}

#[test]
fn skip_unknown_still_names_the_json_it_drops() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.tf",
        "resource \"null_resource\" \"a\" {}\n",
    );
    write(dir.path(), "tsconfig.json", "{\"compilerOptions\": {}}\n");
    let o = run(tfguard().current_dir(dir.path()).args([
        "check",
        "--skip-unknown",
        "--format",
        "json",
        "main.tf",
        "tsconfig.json",
    ]));
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["skipped"][0]["path"], "tsconfig.json", "{out}");
    assert!(
        v["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("--skip-unknown")
    );
}
