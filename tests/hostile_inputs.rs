//! Hostile inputs through the real host and guest (issue 11): each case ends in findings or a
//! clear document error (exit 2), within a bounded time, without a panic, and the other files
//! of the run are still checked. Limits: README "What tfguard reads, and its limits".

mod common;
use common::*;

use std::path::Path;
use std::process::Output;

// Each case shares its directory with the seed state (`seed_tree`), whose leak must still be
// reported: the other files of the run are still checked.
use common::seed_tree as tree;

fn check(dir: &Path, extra: &[&str]) -> Output {
    run_bounded(
        tfguard()
            .current_dir(dir)
            .args(["check", ".", "--format", "json"])
            .args(extra),
        120,
    )
}

fn all(o: &Output) -> String {
    let (out, err) = text(o);
    format!("{out}{err}")
}

/// The largest peak RSS of any tfguard this test binary has waited for, in bytes.
fn children_peak_rss() -> u64 {
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into the struct we own; RUSAGE_CHILDREN covers waited children.
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut u) };
    u.ru_maxrss as u64 * 1024
}

/// No panic, exit 1 or 2 as expected, the seed still checked, memory bounded (the 2 GiB guest
/// cap, the host's copy of the input, and the runtime).
fn assert_handled(o: &Output, code: i32, what: &str) {
    let peak = children_peak_rss();
    assert!(
        peak < 3 << 30,
        "{what}: a tfguard run peaked at {peak} bytes"
    );
    let all = all(o);
    assert_eq!(o.status.code(), Some(code), "{what}: {all}");
    assert!(!all.contains("panicked"), "{what}: panic: {all}");
    assert!(
        all.contains("random_password.oauth_client_secret"),
        "{what}: the other files were not checked: {all}"
    );
}

fn error_for<'a>(v: &'a serde_json::Value, file: &str) -> Option<&'a serde_json::Value> {
    v["errors"]
        .as_array()?
        .iter()
        .find(|e| e["path"].as_str().is_some_and(|p| p.ends_with(file)))
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", all(o)))
}

#[test]
fn a_1_gb_file_is_refused_by_its_size_without_reading_it() {
    let dir = tree();
    let f = std::fs::File::create(dir.path().join("huge.tfstate")).unwrap();
    f.set_len(1 << 30).unwrap(); // sparse: no disk, no read
    let o = check(dir.path(), &[]);
    assert_handled(&o, 2, "1 GB");
    let v = json(&o);
    let e = error_for(&v, "huge.tfstate").expect("no error for huge.tfstate");
    assert!(e["message"].as_str().unwrap().contains("512MiB cap"), "{e}");
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let dir = tree();
    let depth = 10_000;
    let hcl = format!(
        "locals {{\n  x = {}1{}\n}}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    write(dir.path(), "deep.tf", &hcl);
    let state = format!(
        "{{\"version\":4,\"terraform_version\":\"1.9.8\",\"serial\":1,\"lineage\":\"x\",\"resources\":[{{\"mode\":\"managed\",\"type\":\"t\",\"name\":\"n\",\"provider\":\"p\",\"instances\":[{{\"attributes\":{{\"a\":{}1{}}}}}]}}]}}",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    write(dir.path(), "deep.tfstate", &state);
    let o = check(dir.path(), &[]);
    assert_handled(&o, 2, "deep nesting");
    let v = json(&o);
    assert!(error_for(&v, "deep.tfstate").is_some(), "{v}");
}

#[test]
fn many_tiny_resources_and_findings_end() {
    let dir = tree();
    // 200,000 resources, each with a persisted secret: 200,000 findings, all reported.
    let mut s = String::from(
        r#"{"version":4,"terraform_version":"1.9.8","serial":1,"lineage":"x","resources":["#,
    );
    let n = 200_000;
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!(
            r#"{{"mode":"managed","type":"random_password","name":"p{i}","provider":"provider[\"registry.terraform.io/hashicorp/random\"]","instances":[{{"attributes":{{"result":"r"}}}}]}}"#
        ));
    }
    s.push_str("]}");
    write(dir.path(), "many.tfstate", &s);
    let o = check(dir.path(), &[]);
    assert_handled(&o, 1, "many resources");
    let v = json(&o);
    let many = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("many.tfstate"))
        })
        .count();
    assert_eq!(many, n, "one finding per resource");
}

#[test]
fn one_huge_string_is_checked() {
    let dir = tree();
    let big = "a".repeat(200 << 20);
    write(
        dir.path(),
        "big.tfstate",
        &format!(
            r#"{{"version":4,"terraform_version":"1.9.8","serial":1,"lineage":"x","resources":[{{"mode":"managed","type":"random_pet","name":"p","provider":"p","instances":[{{"attributes":{{"id":"{big}"}}}}]}}]}}"#
        ),
    );
    let o = check(dir.path(), &[]);
    assert_handled(&o, 1, "huge string");
}

#[test]
fn bad_encodings_are_document_errors() {
    let dir = tree();
    std::fs::write(
        dir.path().join("latin1.tf"),
        b"locals { x = \"caf\xe9\" }\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("nul.tf"), b"locals {\0 x = 1 }\n").unwrap();
    // UTF-16LE without a BOM.
    let utf16: Vec<u8> = "{\"version\":4}"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    std::fs::write(dir.path().join("u16.tfstate"), utf16).unwrap();
    let o = check(dir.path(), &[]);
    assert_handled(&o, 2, "encodings");
    let v = json(&o);
    for f in ["latin1.tf", "nul.tf", "u16.tfstate"] {
        assert!(error_for(&v, f).is_some(), "no error for {f}: {v}");
    }
}

#[test]
fn exploding_expressions_and_cycles_end() {
    let dir = tree();
    // Each local doubles the previous one: 2^40 elements if evaluated eagerly.
    let mut hcl = String::from("locals {\n  l0 = [\"x\", \"y\"]\n");
    for i in 1..40 {
        hcl.push_str(&format!(
            "  l{i} = [for a in local.l{p} : [for b in local.l{p} : \"${{a}}${{b}}\"]]\n",
            p = i - 1
        ));
    }
    // A cycle of locals, and a template that repeats itself.
    hcl.push_str("  c1 = local.c2\n  c2 = local.c1\n  t = \"${local.t}${local.t}\"\n}\n");
    hcl.push_str(
        "resource \"vault_generic_secret\" \"s\" {\n  path = \"secret/x\"\n  data_json = jsonencode(local.l39)\n}\n",
    );
    write(dir.path(), "explode.tf", &hcl);
    let o = check(dir.path(), &[]);
    let all = all(&o);
    assert!(matches!(o.status.code(), Some(1 | 2)), "{all}");
    assert!(!all.contains("panicked"), "{all}");
    assert!(all.contains("random_password.oauth_client_secret"), "{all}");
}

#[test]
fn module_sources_that_loop_or_climb_out_end() {
    let dir = tree();
    write(
        dir.path(),
        "a/main.tf",
        "module \"b\" {\n  source = \"../b\"\n}\nmodule \"up\" {\n  source = \"../../../../etc\"\n}\n",
    );
    write(
        dir.path(),
        "b/main.tf",
        "module \"a\" {\n  source = \"../a\"\n}\n",
    );
    let o = check(dir.path(), &[]);
    assert_handled(&o, 1, "module loop");
}

#[test]
fn a_config_that_includes_itself_or_is_huge_is_a_config_error() {
    let dir = tree();
    write(
        dir.path(),
        ".tfguard.hcl",
        "policy_packs = [\".tfguard.hcl\"]\n",
    );
    let o = run_bounded(tfguard().current_dir(dir.path()).args(["check", "."]), 60);
    assert_eq!(o.status.code(), Some(2), "{}", all(&o));
    assert!(!all(&o).contains("panicked"));
    write(dir.path(), ".tfguard.hcl", &"# padding\n".repeat(200_000));
    let o = run_bounded(tfguard().current_dir(dir.path()).args(["check", "."]), 60);
    assert_eq!(o.status.code(), Some(2), "{}", all(&o));
    assert!(all(&o).contains("1MiB cap"), "{}", all(&o));
}

#[test]
fn a_device_file_in_the_walk_is_refused() {
    let dir = tree();
    // A character device (like /dev/null) made in the tree itself, when allowed (root).
    let made = std::process::Command::new("mknod")
        .arg(dir.path().join("dev.tf"))
        .args(["c", "1", "3"])
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!("mknod not permitted here: covered by the /dev/zero symlink case");
        return;
    }
    let o = check(dir.path(), &[]);
    assert_handled(&o, 2, "device");
    let v = json(&o);
    let e = error_for(&v, "dev.tf").expect("no error for dev.tf");
    assert!(e["message"].as_str().unwrap().contains("device"), "{e}");
}

/// Found by the `config` fuzz target: 1.2 KB on which hcl-edit's parser backtracks for
/// seconds (26 s under ASan). As a config it is a config error within the parse deadline; as
/// a `.tf` file the guest's deadline bounds it; the other files are still checked.
#[test]
fn a_slow_to_parse_file_ends_in_bounded_time() {
    let bytes = std::fs::read(root().join("tests/hostile/slow-parse.hcl")).unwrap();
    let dir = tree();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join("slow.tf"), &bytes).unwrap();
    let o = check(dir.path(), &[]);
    assert_handled(&o, 2, "slow .tf");
    std::fs::write(dir.path().join(".tfguard.hcl"), &bytes).unwrap();
    let o = run_bounded(tfguard().current_dir(dir.path()).args(["check", "."]), 60);
    assert_eq!(o.status.code(), Some(2), "{}", all(&o));
    assert!(all(&o).contains(".tfguard.hcl:"), "{}", all(&o));
}

/// Inputs on which the HCL parser backtracks exponentially with depth (found by fuzzing: 63
/// levels took 7.8 s as a `.tf`) are refused before parsing, as a document error at the place
/// that nests too deeply; the other files are still checked.
#[test]
fn deep_nesting_is_refused_before_the_parser_backtracks() {
    let dir = tree();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    for name in ["backtrack-depth-63.hcl", "slow-parse.hcl"] {
        let bytes = std::fs::read(root().join("tests/hostile").join(name)).unwrap();
        std::fs::write(dir.path().join(format!("{name}.tf")), &bytes).unwrap();
    }
    let o = check(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", all(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON report");
    for (name, line) in [("backtrack-depth-63.hcl.tf", 18), ("slow-parse.hcl.tf", 34)] {
        let e = report["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| e["path"].as_str().is_some_and(|p| p.ends_with(name)))
            .unwrap_or_else(|| panic!("{name}: no document error in {report}"));
        assert!(
            e["message"]
                .as_str()
                .is_some_and(|m| m.contains("nesting deeper than 40 levels")),
            "{e}"
        );
        assert_eq!(e["span"]["line"], line, "{e}");
    }
    // The seed beside them is still checked.
    assert!(
        report["findings"].as_array().is_some_and(|f| !f.is_empty()),
        "{report}"
    );
}

/// Brackets never closed set off the same backtracking under the depth bound: the hcl fuzz
/// target found 408 bytes with 35 unclosed `{` that ran for minutes (the guest's deadline
/// would have ended the whole run). Refused unparsed, at the outermost unclosed bracket, within
/// a short deadline; the seed beside it is still checked.
#[test]
fn brackets_never_closed_are_refused_before_the_parser_backtracks() {
    let dir = tree();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let bytes = std::fs::read(root().join("tests/hostile/backtrack-unclosed-35.hcl")).unwrap();
    std::fs::write(dir.path().join("unclosed.tf"), &bytes).unwrap();
    let o = check(dir.path(), &["--timeout", "10s"]);
    assert_eq!(o.status.code(), Some(2), "{}", all(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON report");
    let e = report["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| {
            e["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("unclosed.tf"))
        })
        .unwrap_or_else(|| panic!("no document error in {report}"));
    assert!(
        e["message"]
            .as_str()
            .is_some_and(|m| m.contains("brackets are never closed")),
        "{e}"
    );
    assert_eq!(
        (&e["span"]["line"], &e["span"]["column"]),
        (&1.into(), &19.into()),
        "{e}"
    );
    assert!(
        report["findings"].as_array().is_some_and(|f| !f.is_empty()),
        "the seed beside it is still checked: {report}"
    );
}

/// Long names where a near miss is looked for (a scope, an argument, an enum value) are not
/// compared by edit distance, which is quadratic: fuzzing found a 23 KB plan whose long scope
/// strings took seconds. A plan with megabyte scopes ends within a short deadline with its
/// findings (before the bound, the deadline was exceeded: exit 2).
#[test]
fn long_names_are_not_compared_for_suggestions() {
    let dir = tree();
    let long = "users7".repeat(200_000);
    let plan = format!(
        r#"{{"format_version":"1.2","terraform_version":"1.9.8","planned_values":{{"root_module":{{"resources":[{{"address":"genesyscloud_oauth_client.a","mode":"managed","type":"genesyscloud_oauth_client","name":"a","provider_name":"registry.terraform.io/mypurecloud/genesyscloud","values":{{"name":"a","authorized_grant_type":"CODE","registered_redirect_uris":["https://app.example.com/cb"],"scopes":["{long}","{long}x","{long}:readonly"]}}}}]}}}}}}"#
    );
    std::fs::write(dir.path().join("plan.json"), plan).unwrap();
    let o = check(dir.path(), &["--timeout", "10s"]);
    assert_handled(&o, 1, "megabyte scopes");
    let v = json(&o);
    assert!(
        v["findings"]
            .as_array()
            .is_some_and(|f| f.iter().any(|f| f["rule_id"] == "TFG030")),
        "no unknown-scope finding: {v}"
    );
}
