//! End-to-end: the real guest through the real host binary.

mod common;
use common::*;

const SEED_SECRET: &str = "Xk9mP2vL7qR4tW8nB3cF6hJ1dG5sA0zY";

#[test]
fn seed_state_leaks_are_reported_without_the_secret() {
    let o = run(tfguard()
        .arg("check")
        .arg(root().join("examples/seed/terraform.tfstate")));
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    for (addr, attr) in [
        ("random_password.oauth_client_secret", "result"),
        ("random_password.oauth_client_secret", "bcrypt_hash"),
        ("vault_generic_secret.genesys_oauth_secret", "data_json"),
        ("vault_generic_secret.genesys_oauth_secret", "data"),
    ] {
        assert!(
            out.lines()
                .any(|l| l.contains(addr) && l.contains(&format!("`{attr}`"))),
            "missing {addr} {attr} in\n{out}"
        );
    }
    assert!(
        !out.contains(SEED_SECRET) && !err.contains(SEED_SECRET),
        "secret leaked into output"
    );
    assert!(!out.contains("$2a$10$"), "bcrypt hash leaked into output");
}

#[test]
fn clean_state_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "terraform.tfstate",
        r#"{"version":4,"terraform_version":"1.9.8","serial":1,"lineage":"x","outputs":{},"resources":[
      {"mode":"managed","type":"random_pet","name":"p","provider":"provider[\"registry.terraform.io/hashicorp/random\"]",
       "instances":[{"schema_version":0,"attributes":{"id":"happy-cat","length":2}}]}]}"#,
    );
    let o = run(tfguard().arg("check").arg(&p));
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
}

#[test]
fn malformed_state_is_exit_2_with_location_and_others_still_checked() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "bad.tfstate",
        "{\n  \"version\": 4,\n  \"resources\": [\n}\n",
    );
    std::fs::copy(
        root().join("examples/seed/terraform.tfstate"),
        dir.path().join("seed.tfstate"),
    )
    .unwrap();
    let o = run(tfguard().arg("check").arg(dir.path()));
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}{err}");
    let all = format!("{out}{err}");
    assert!(all.contains("bad.tfstate:4:"), "no location: {all}");
    assert!(
        all.contains("random_password.oauth_client_secret"),
        "other file not checked: {all}"
    );
}

#[test]
fn memory_limit_is_exit_2_naming_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    // ~8 MB of state against a 4 MiB guest memory cap.
    let mut s = String::from(
        r#"{"version":4,"terraform_version":"1.9.8","serial":1,"lineage":"x","resources":["#,
    );
    for i in 0..20_000 {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!(r#"{{"mode":"managed","type":"null_resource","name":"n{i}","instances":[{{"attributes":{{"id":"{i:0>300}"}}}}]}}"#));
    }
    s.push_str("]}");
    let p = write(dir.path(), "big.tfstate", &s);
    let o = run(tfguard().args(["check", "--max-memory", "4MiB"]).arg(&p));
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}{err}");
    assert!(err.contains("memory limit of 4MiB"), "{err}");
}

#[test]
fn time_limit_is_exit_2_naming_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = String::from(
        r#"{"version":4,"terraform_version":"1.9.8","serial":1,"lineage":"x","resources":["#,
    );
    for i in 0..200_000 {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!(r#"{{"mode":"managed","type":"null_resource","name":"n{i}","instances":[{{"attributes":{{"id":"{i}"}}}}]}}"#));
    }
    s.push_str("]}");
    let p = write(dir.path(), "slow.tfstate", &s);
    let o = run(tfguard().args(["check", "--timeout", "1ms"]).arg(&p));
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}{err}");
    assert!(err.contains("time limit"), "{err}");
    assert!(out.is_empty(), "a report was printed: {out}");
    // The check's watchdog ends the process: no report file, not even a partial one.
    let report = dir.path().join("out").join("report.json");
    std::fs::create_dir_all(report.parent().unwrap()).unwrap();
    let o = run(tfguard()
        .args(["check", "--timeout", "1ms", "--format", "json", "-o"])
        .arg(&report)
        .arg(&p));
    assert_eq!(o.status.code(), Some(2), "{:?}", text(&o));
    let left: Vec<_> = std::fs::read_dir(report.parent().unwrap())
        .unwrap()
        .collect();
    assert!(left.is_empty(), "files written: {left:?}");
}

#[test]
fn usage_error_is_exit_2() {
    let o = run(tfguard().args(["check", "--fail-on", "sometimes"]));
    assert_eq!(o.status.code(), Some(2));
    let o = run(tfguard().args(["check", "/definitely/not/here"]));
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("/definitely/not/here"));
}

/// The corpus files that are broken on purpose (their upstream tests expect a parse error).
const DELIBERATELY_BROKEN: &[&str] = &[
    "hashicorp__terraform-json/testdata/invalid/plan.json",
    "hashicorp__terraform-json/testdata/invalid/state.json",
    "opentofu__opentofu/internal/command/testdata/show-corrupt-statefile/terraform.tfstate",
];

#[test]
fn every_corpus_state_and_plan_parses_or_is_unsupported() {
    let corpus = root().join("tests/corpus");
    let o = run(tfguard().args(["check", "--format", "json"]).arg(&corpus));
    let (out, err) = text(&o);
    assert!(!err.contains("trapped"), "guest crashed: {err}");
    let report: serde_json::Value = serde_json::from_str(&out).expect("json report");
    let errors = report["errors"].as_array().expect("errors array");
    let mut broken: Vec<String> = Vec::new();
    for e in errors {
        let path = e["path"].as_str().unwrap_or_default().replace('\\', "/");
        let known = DELIBERATELY_BROKEN.iter().any(|b| path.ends_with(b));
        let unsupported = e["unsupported"].as_bool().unwrap_or(false);
        assert!(known || unsupported, "unexpected parse failure: {e}");
        if known {
            broken.push(path);
        }
    }
    assert_eq!(
        broken.len(),
        DELIBERATELY_BROKEN.len(),
        "a deliberately broken file was accepted: {broken:?}"
    );
    // The UTF-16 plan written by PowerShell is read, not skipped.
    let docs = report["documents"].as_array().expect("documents");
    assert!(
        docs.iter().any(|d| d["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("tfplan_win_utf16.json"))),
        "UTF-16 plan skipped"
    );
    let states = docs
        .iter()
        .filter(|d| {
            d["recognised_as"]
                .as_str()
                .is_some_and(|k| k.starts_with("state"))
        })
        .count();
    let plans = docs
        .iter()
        .filter(|d| d["recognised_as"].as_str() == Some("plan JSON"))
        .count();
    assert!(
        states >= 60 && plans >= 40,
        "too few documents recognised: {states} states, {plans} plans"
    );
}

#[test]
fn a_corrupt_or_foreign_cache_artifact_falls_back_to_compiling() {
    let cache = tempfile::tempdir().unwrap();
    let seed = root().join("examples/seed/terraform.tfstate");
    let first = run(tfguard()
        .env("TFGUARD_CACHE_DIR", cache.path())
        .arg("check")
        .arg(&seed));
    assert_eq!(first.status.code(), Some(1), "{:?}", text(&first));
    let artifacts: Vec<_> = std::fs::read_dir(cache.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "cwasm"))
        .collect();
    assert_eq!(
        artifacts.len(),
        1,
        "expected one cached artifact: {artifacts:?}"
    );
    // An artifact from another engine/CPU, or a damaged one, must not be trusted.
    std::fs::write(&artifacts[0], b"\x7fELF not a wasmtime artifact").unwrap();
    let again = run(tfguard()
        .env("TFGUARD_CACHE_DIR", cache.path())
        .arg("check")
        .arg(&seed));
    let (out, err) = text(&again);
    assert_eq!(again.status.code(), Some(1), "{out}{err}");
    assert!(out.contains("random_password.oauth_client_secret"), "{out}");
    assert!(
        std::fs::metadata(&artifacts[0]).unwrap().len() > 1000,
        "artifact was not rebuilt"
    );
}

#[test]
fn code_frames_never_show_a_hard_coded_secret_in_any_format() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.tf",
        "resource \"openstack_compute_instance_v2\" \"w\" {\n  name       = \"w\"\n  admin_pass = \"N0tSoS3cretP4ssw0rd\"\n}\n\
         resource \"genesyscloud_oauth_client\" \"c\" {\n  name                     = \"c\"\n  authorized_grant_type    = \"CODE\"\n  registered_redirect_uris = [\"https://bob:hunter2pw@app.example.com/cb\"]\n  scopes                   = [\"users:readonly\"]\n}\n",
    );
    for format in ["human", "json", "sarif", "github", "junit"] {
        let o = run(tfguard()
            .args(["check", "--color", "always", "--format", format])
            .arg(dir.path()));
        let (out, err) = text(&o);
        assert_eq!(o.status.code(), Some(1), "{format}: {out}{err}");
        assert!(
            out.contains("admin_pass"),
            "{format}: finding missing\n{out}"
        );
        for secret in ["N0tSoS3cretP4ssw0rd", "hunter2pw"] {
            assert!(
                !out.contains(secret) && !err.contains(secret),
                "{format} printed {secret}:\n{out}"
            );
        }
    }
}
