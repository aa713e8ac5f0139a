//! Every `--format` on the seed example, through the real binary and guest: human diagnostics,
//! JSON, SARIF (validated against the vendored OASIS schema), GitHub workflow commands and JUnit
//! XML (parsed back). No format may contain the seed's secret.

mod common;
use common::*;

use std::collections::BTreeMap;
use std::process::Output;

use quick_xml::events::Event;
use serde_json::Value;

const SEED_SECRET: &str = "Xk9mP2vL7qR4tW8nB3cF6hJ1dG5sA0zY";
const FORMATS: [&str; 6] = ["human", "json", "sarif", "github", "junit", "gitlab"];

/// `tfguard check <args>` from the repository root, so paths in reports are relative.
fn check(args: &[&str]) -> Output {
    run(tfguard().current_dir(root()).arg("check").args(args))
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json_of(args: &[&str]) -> Value {
    let o = check(args);
    let (out, err) = text(&o);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}{err}"))
}

/// A config that suppresses the seed's random_password findings, written outside the tree.
fn ignore_config(dir: &std::path::Path) -> String {
    write(
        dir,
        "ignore.hcl",
        "ignore {\n  rule    = \"TFG001\"\n  address = \"random_password.*\"\n  reason  = \"demo secret, rotated\"\n}\n",
    )
    .display()
    .to_string()
}

#[test]
fn no_format_contains_the_secret() {
    let dir = tempfile::tempdir().unwrap();
    for f in FORMATS {
        let o = check(&["examples/seed", "--format", f]);
        let (out, err) = text(&o);
        assert_eq!(o.status.code(), Some(1), "{f}: {out}{err}");
        assert!(!out.is_empty(), "{f}: empty output");
        for s in [SEED_SECRET, "$2a$10$"] {
            assert!(!out.contains(s) && !err.contains(s), "{f} leaks {s}");
        }
        let file = dir.path().join(format!("report.{f}"));
        let o = run(tfguard()
            .current_dir(root())
            .args(["check", "examples/seed", "--format", f, "--output"])
            .arg(&file));
        assert_eq!(o.status.code(), Some(1), "{f} --output: {:?}", text(&o));
        let written = std::fs::read_to_string(&file).unwrap();
        assert!(!written.contains(SEED_SECRET), "{f} file leaks the secret");
    }
}

#[test]
fn human_shows_state_findings_with_address_attribute_fix_and_summary() {
    let o = check(&["examples/seed/terraform.tfstate"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("error[TFG001]: "), "{out}");
    assert!(out.contains("--> examples/seed/terraform.tfstate"), "{out}");
    assert!(
        out.contains("= note: resource: random_password.oauth_client_secret"),
        "{out}"
    );
    assert!(out.contains("= note: attribute: result"), "{out}");
    assert!(out.contains("= help: "), "{out}");
    let last = out.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("tfguard: ")
            && last.contains(" errors, ")
            && last.contains("1 document checked"),
        "summary: {last}"
    );
    assert!(last.contains("failed"), "{last}");
    // NO_COLOR is set by the harness and stdout is a pipe: no escape codes.
    assert!(!out.contains('\x1b'), "colour without a terminal");
}

#[test]
fn human_colour_follows_the_flag() {
    let o = check(&["examples/seed/terraform.tfstate", "--color", "always"]);
    assert!(stdout(&o).contains("\x1b["), "--color always must colour");
    let o = check(&["examples/seed/terraform.tfstate", "--color", "never"]);
    assert!(!stdout(&o).contains('\x1b'));
}

#[test]
fn human_underlines_the_span_and_renders_document_errors() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.tf",
        "# tfguard:ignore[TFG001] kept for the demo\nlocals {\n  a = 1\n}\n",
    );
    write(
        dir.path(),
        "broken/bad.tf",
        "resource \"a\" \"b\" {\n  x = \n}\n",
    );
    let o = run(tfguard().arg("check").arg(dir.path()));
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    // The unused suppression (TFG901) is a spanned finding: code frame with a caret underline.
    assert!(
        out.contains("warning[TFG901]: suppression of TFG001 matches no finding"),
        "{out}"
    );
    assert!(out.contains("main.tf:1:1"), "{out}");
    assert!(
        out.contains("1 | # tfguard:ignore[TFG001] kept for the demo"),
        "{out}"
    );
    assert!(out.contains("  | ^^^^^"), "{out}");
    assert!(out.contains("bad.tf:2:"), "{out}");
    assert!(out.contains("HCL syntax error"), "{out}");
    assert!(out.contains("1 document could not be checked"), "{out}");
}

#[test]
fn json_has_a_versioned_schema_and_stable_fingerprints() {
    let a = json_of(&["examples/seed", "--format", "json"]);
    assert_eq!(a["version"], 1);
    assert_eq!(a["tool"]["name"], "tfguard");
    let findings = a["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    let errors = findings
        .iter()
        .filter(|f| f["severity"] == "error" && f["suppressed"].is_null())
        .count();
    assert_eq!(a["summary"]["errors"], errors);
    assert_eq!(a["summary"]["failed"], true);
    assert_eq!(a["summary"]["fail_on"], "error");
    assert_eq!(
        a["summary"]["documents"].as_u64(),
        Some(a["documents"].as_array().unwrap().len() as u64)
    );
    let leak = findings
        .iter()
        .find(|f| {
            f["rule_id"] == "TFG001"
                && f["address"] == "random_password.oauth_client_secret"
                && f["attribute"] == "result"
        })
        .expect("TFG001 on random_password.result");
    assert_eq!(leak["path"], "examples/seed/terraform.tfstate");
    assert_eq!(leak["rule_name"], "secret-attribute-in-state");
    assert!(leak["span"].is_null());
    assert_eq!(leak["fails"], true);
    for key in [
        "rule_id",
        "rule_name",
        "severity",
        "message",
        "path",
        "span",
        "address",
        "attribute",
        "flow",
        "remediation",
        "suppressed",
        "fails",
        "fingerprint",
    ] {
        assert!(leak.get(key).is_some(), "missing {key}");
    }
    let b = json_of(&["examples/seed", "--format", "json"]);
    let fps = |v: &Value| -> Vec<String> {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["fingerprint"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(fps(&a), fps(&b));
}

#[test]
fn json_output_file_is_written_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out/report.json");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, "stale").unwrap();
    let o = run(tfguard()
        .current_dir(root())
        .args(["check", "examples/seed", "--format", "json", "-o"])
        .arg(&file));
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty(), "report went to stdout too");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(v["version"], 1);
    let names: Vec<_> = std::fs::read_dir(file.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["report.json"], "temp file left behind");
    // An unwritable destination is an error (exit 2), not a silent success.
    let o = run(tfguard()
        .current_dir(root())
        .args(["check", "examples/seed", "--format", "json", "-o"])
        .arg(dir.path().join("missing/dir/report.json")));
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let validator = sarif_validator();
    let dir = tempfile::tempdir().unwrap();
    let cfg = ignore_config(dir.path());
    write(
        dir.path(),
        "bad.tfstate",
        "{\n  \"version\": 4,\n  \"resources\": [\n}\n",
    );
    let bad = dir.path().join("bad.tfstate").display().to_string();
    for args in [
        vec!["examples/seed", "--format", "sarif"],
        vec!["examples/seed", "--format", "sarif", "--config", &cfg],
        vec!["examples/seed", &bad, "--format", "sarif"],
    ] {
        let v = json_of(&args);
        let errs: Vec<String> = validator
            .iter_errors(&v)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errs.is_empty(), "{args:?}: {errs:#?}");
    }

    let v = json_of(&["examples/seed", "--format", "sarif", "--config", &cfg]);
    // The validator does reject a broken log (so the check above can fail).
    let mut broken = v.clone();
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!validator.is_valid(&broken));
    assert_eq!(v["version"], "2.1.0");
    let run0 = &v["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    let tfg001 = rules.iter().find(|r| r["id"] == "TFG001").unwrap();
    assert!(
        tfg001["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## Fix")
    );
    assert!(tfg001["helpUri"].as_str().unwrap().ends_with("/TFG001.md"));
    let results = run0["results"].as_array().unwrap();
    let by_addr: BTreeMap<String, &Value> = results
        .iter()
        .filter(|r| r["ruleId"] == "TFG001")
        .map(|r| {
            (
                r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                r,
            )
        })
        .collect();
    let pw = by_addr
        .get("random_password.oauth_client_secret.result")
        .expect("state finding with logical location");
    assert_eq!(
        pw["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "examples/seed/terraform.tfstate"
    );
    assert_eq!(pw["suppressions"][0]["kind"], "external");
    assert_eq!(
        pw["suppressions"][0]["justification"],
        "demo secret, rotated"
    );
    assert!(pw["partialFingerprints"]["tfguard/v1"].is_string());
    let idx = pw["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[idx]["id"], "TFG001");
    let vault = by_addr
        .get("vault_generic_secret.genesys_oauth_secret.data_json")
        .expect("vault finding");
    assert!(
        vault.get("suppressions").is_none(),
        "only random_password is ignored"
    );

    let v = json_of(&["examples/seed", &bad, "--format", "sarif"]);
    let inv = &v["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let n = &inv["toolExecutionNotifications"][0];
    assert_eq!(n["level"], "error");
    assert_eq!(
        n["locations"][0]["physicalLocation"]["region"]["startLine"],
        4
    );
}

#[test]
fn github_emits_escaped_workflow_commands() {
    let o = check(&["examples/seed", "--format", "github"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1));
    let cmds: Vec<&str> = out.lines().filter(|l| l.starts_with("::")).collect();
    assert!(!cmds.is_empty(), "{out}");
    let leak = cmds
        .iter()
        .find(|l| {
            l.starts_with("::error file=examples/seed/terraform.tfstate,title=TFG001 secret-attribute-in-state::")
                && l.contains("resource: random_password.oauth_client_secret%0Aattribute: result")
        })
        .unwrap_or_else(|| panic!("no TFG001 annotation in\n{out}"));
    assert!(leak.contains("%0Afix: "), "{leak}");
    for c in &cmds {
        let (props, _) = c[2..].split_once("::").expect("command has a message");
        let (kind, props) = props.split_once(' ').unwrap();
        assert!(["error", "warning", "notice"].contains(&kind), "{c}");
        for p in props.split(',') {
            let (k, v) = p.split_once('=').expect("key=value");
            assert!(
                ["file", "line", "col", "endLine", "endColumn", "title"].contains(&k),
                "{c}"
            );
            assert!(!v.contains(':'), "unescaped ':' in property: {c}");
        }
    }
    assert!(out.lines().last().unwrap().starts_with("tfguard: "));
}

fn gitlab_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/schemas/gitlab-codequality.json")).unwrap(),
    )
    .unwrap();
    jsonschema::validator_for(&schema).expect("schema compiles")
}

fn assert_valid(validator: &jsonschema::Validator, v: &Value, what: &str) {
    let errs: Vec<String> = validator
        .iter_errors(v)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errs.is_empty(), "{what}: {errs:#?}\n{v:#}");
}

fn fingerprints_unique(issues: &[Value]) {
    let mut seen = std::collections::BTreeSet::new();
    for i in issues {
        let fp = i["fingerprint"].as_str().expect("fingerprint");
        assert!(seen.insert(fp), "fingerprint {fp} repeated");
    }
}

#[test]
fn gitlab_code_quality_validates_and_maps_every_unsuppressed_finding() {
    let validator = gitlab_validator();
    // The schema does reject what GitLab would not read.
    for broken in [
        serde_json::json!([{"description": "d", "check_name": "c", "fingerprint": "f", "severity": "fatal", "location": {"path": "a.tf", "lines": {"begin": 1}}}]),
        serde_json::json!([{"description": "d", "check_name": "c", "fingerprint": "f", "severity": "info", "location": {"path": "./a.tf", "lines": {"begin": 1}}}]),
        serde_json::json!([{"description": "d", "check_name": "c", "fingerprint": "f", "severity": "info", "location": {"path": "a.tf"}}]),
        serde_json::json!([{"description": "d", "fingerprint": "f", "severity": "info", "location": {"path": "a.tf", "lines": {"begin": 1}}}]),
        serde_json::json!({"issues": []}),
    ] {
        assert!(!validator.is_valid(&broken), "accepted {broken}");
    }

    let dir = tempfile::tempdir().unwrap();
    let cfg = ignore_config(dir.path());
    for args in [
        vec!["examples/seed", "--format", "gitlab"],
        vec!["examples/seed", "--format", "gitlab", "--config", &cfg],
    ] {
        let o = check(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let v: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
        assert_valid(&validator, &v, &format!("{args:?}"));
        let issues = v.as_array().unwrap();
        fingerprints_unique(issues);

        // One issue per unsuppressed finding, and the same findings as the JSON report.
        let mut json_args = args.clone();
        json_args[2] = "json";
        let j = json_of(&json_args);
        let open: Vec<&Value> = j["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["suppressed"].is_null())
            .collect();
        assert_eq!(issues.len(), open.len(), "{args:?}");
        for (f, i) in open.iter().zip(issues) {
            assert!(
                i["check_name"]
                    .as_str()
                    .unwrap()
                    .starts_with(f["rule_id"].as_str().unwrap()),
                "{i}"
            );
            assert_eq!(i["location"]["path"], f["path"]);
            let want_line = f["span"]["line"].as_u64().unwrap_or(1);
            assert_eq!(i["location"]["lines"]["begin"].as_u64(), Some(want_line));
            let want_sev = match f["severity"].as_str().unwrap() {
                "error" => "critical",
                "warning" => "major",
                _ => "info",
            };
            assert_eq!(i["severity"], want_sev);
            assert!(
                i["description"]
                    .as_str()
                    .unwrap()
                    .contains(f["message"].as_str().unwrap())
            );
        }
    }

    // The seed's state leak: named by resource and attribute, since its line says nothing.
    let v = json_of(&["examples/seed", "--format", "gitlab"]);
    let issues = v.as_array().unwrap();
    let leak = issues
        .iter()
        .find(|i| {
            i["location"]["path"] == "examples/seed/terraform.tfstate"
                && i["description"]
                    .as_str()
                    .unwrap()
                    .contains("[resource random_password.oauth_client_secret, attribute result]")
        })
        .unwrap_or_else(|| panic!("no state issue in {v:#}"));
    assert_eq!(leak["check_name"], "TFG001 secret-attribute-in-state");
    assert_eq!(leak["severity"], "critical");
    assert_eq!(leak["location"]["lines"]["begin"], 1);
    assert!(
        leak["content"]["body"]
            .as_str()
            .unwrap()
            .contains("/policies/rules/TFG001.md")
    );
    // With the ignore config the suppressed finding is left out of the report.
    let suppressed = json_of(&["examples/seed", "--format", "gitlab", "--config", &cfg]);
    assert!(
        !suppressed
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["fingerprint"] == leak["fingerprint"]),
        "a suppressed finding is in the widget"
    );
    // Fingerprints are stable across runs.
    let again = json_of(&["examples/seed", "--format", "gitlab"]);
    assert_eq!(v, again);

    // A clean tree is an empty report, which GitLab reads as "no issues".
    let o = check(&["examples/fixed", "--format", "gitlab"]);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    assert_eq!(
        serde_json::from_str::<Value>(&stdout(&o)).unwrap(),
        serde_json::json!([])
    );
}

#[test]
fn gitlab_reports_document_errors_and_relative_paths() {
    let validator = gitlab_validator();
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "infra/bad.tfstate",
        "{\n  \"version\": 4,\n  \"resources\": [\n}\n",
    );
    // The same literal secret in two clients: findings of one rule in one file, each with its
    // own fingerprint.
    write(
        dir.path(),
        "infra/main.tf",
        "resource \"genesyscloud_oauth_client\" \"a\" {\n  name = \"a\"\n  client_secret = \"Zq8vN3kL0pW6rT2yH5cX9bJ4mG7sD1fA\"\n}\nresource \"genesyscloud_oauth_client\" \"b\" {\n  name = \"b\"\n  client_secret = \"Zq8vN3kL0pW6rT2yH5cX9bJ4mG7sD1fA\"\n}\n",
    );
    // Absolute paths under the working directory (a GitLab job runs in the project directory)
    // become relative.
    let o = run(tfguard()
        .current_dir(dir.path())
        .arg("check")
        .arg(dir.path().join("infra"))
        .args(["--format", "gitlab"]));
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}{err}");
    let v: Value = serde_json::from_str(&out).expect("JSON");
    assert_valid(&validator, &v, "document error");
    let issues = v.as_array().unwrap();
    fingerprints_unique(issues);
    let e = issues
        .iter()
        .find(|i| i["check_name"] == "tfguard/document-error")
        .unwrap_or_else(|| panic!("no document error in {v:#}"));
    assert_eq!(e["severity"], "blocker");
    assert_eq!(e["location"]["path"], "infra/bad.tfstate");
    assert_eq!(e["location"]["lines"]["begin"], 4);
    assert!(
        e["description"]
            .as_str()
            .unwrap()
            .starts_with("document not checked: "),
        "{e}"
    );
    assert!(
        issues
            .iter()
            .any(|i| i["location"]["path"] == "infra/main.tf"),
        "{v:#}"
    );
    assert!(
        !out.contains("Zq8vN3kL0pW6rT2yH5cX9bJ4mG7sD1fA"),
        "leaks the secret"
    );
}

/// (suite name, case name, outcome) for every testcase.
fn junit_cases(xml: &str) -> Vec<(String, String, String)> {
    let mut r = quick_xml::Reader::from_str(xml);
    let (mut suite, mut case, mut out) = (String::new(), None::<String>, Vec::new());
    let attr = |e: &quick_xml::events::BytesStart, k: &str| -> String {
        e.attributes()
            .map(|a| a.unwrap())
            .find(|a| a.key.as_ref() == k)
            .map(|a| {
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .unwrap()
                    .into_owned()
            })
            .unwrap_or_default()
    };
    loop {
        match r.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == "testsuite" => {
                suite = attr(&e, "name")
            }
            Event::Empty(e) if e.name().as_ref() == "testcase" => {
                out.push((suite.clone(), attr(&e, "name"), "pass".into()))
            }
            Event::Start(e) if e.name().as_ref() == "testcase" => case = Some(attr(&e, "name")),
            Event::Start(e) | Event::Empty(e)
                if matches!(e.name().as_ref(), "failure" | "skipped" | "error") =>
            {
                if let Some(c) = case.take() {
                    let kind = e.name().as_ref().to_string();
                    out.push((suite.clone(), c, kind));
                }
            }
            Event::End(e) if e.name().as_ref() == "testcase" => {
                if let Some(c) = case.take() {
                    out.push((suite.clone(), c, "pass".into()));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

#[test]
fn junit_parses_as_xml_with_the_expected_cases() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = ignore_config(dir.path());
    let o = check(&["examples/seed", "--format", "junit", "--config", &cfg]);
    let xml = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{xml}");
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    let cases = junit_cases(&xml);
    let find = |name: &str| {
        cases
            .iter()
            .find(|(s, c, _)| s == "examples/seed/terraform.tfstate" && c == name)
            .map(|(_, _, k)| k.as_str())
    };
    assert_eq!(
        find("TFG001 vault_generic_secret.genesys_oauth_secret data_json"),
        Some("failure"),
        "{cases:#?}"
    );
    assert_eq!(
        find("TFG001 random_password.oauth_client_secret result"),
        Some("skipped"),
        "{cases:#?}"
    );
    // Every checked document is a suite.
    let j = json_of(&["examples/seed", "--format", "json", "--config", &cfg]);
    for d in j["documents"].as_array().unwrap() {
        let p = d["path"].as_str().unwrap();
        assert!(cases.iter().any(|(s, _, _)| s == p), "no suite for {p}");
    }
    // The totals on <testsuites> match the cases.
    let failures = cases.iter().filter(|c| c.2 == "failure").count();
    assert!(xml.contains(&format!("failures=\"{failures}\"")), "{xml}");
    let want_failures = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["fails"] == true)
        .count();
    assert_eq!(failures, want_failures);
}

#[test]
fn rules_lists_every_rule_in_aligned_columns_and_explain_prints_docs() {
    let o = run(tfguard().arg("rules"));
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(0));
    let rows: Vec<&str> = out.lines().filter(|l| l.starts_with("TFG")).collect();
    for id in ["TFG001", "TFG010", "TFG900", "TFG901", "TFG902"] {
        assert!(
            rows.iter().any(|r| r.starts_with(id)),
            "{id} missing:\n{out}"
        );
    }
    // The title column starts at the same offset on every row.
    let header = out.lines().next().unwrap();
    let col = header.find("TITLE").unwrap();
    for r in &rows {
        assert_eq!(&r[col - 2..col], "  ", "misaligned: {r}");
        assert_ne!(&r[col..col + 1], " ", "misaligned: {r}");
    }
    assert!(out.contains(&format!("{} rules.", rows.len())));
    for arg in ["TFG901", "tfg901", "unused-suppression"] {
        let o = run(tfguard().args(["explain", arg]));
        assert_eq!(o.status.code(), Some(0));
        assert!(text(&o).0.starts_with("# TFG901 unused-suppression"));
    }
    let o = run(tfguard().args(["explain", "TFG999"]));
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("unknown rule `TFG999`"));
}

/// `--color auto` on a real terminal (util-linux `script` provides the pty): coloured, unless
/// `NO_COLOR` is set.
#[test]
fn colour_auto_on_a_terminal_respects_no_color() {
    let cmd = format!(
        "{} check {} --color auto",
        env!("CARGO_BIN_EXE_tfguard"),
        root().join("examples/seed/terraform.tfstate").display()
    );
    let on_tty = |no_color: Option<&str>| {
        let mut c = std::process::Command::new("script");
        c.args(["-qec", &cmd, "/dev/null"])
            .env("TFGUARD_CACHE_DIR", root().join("target/test-cache"))
            .env_remove("NO_COLOR");
        if let Some(v) = no_color {
            c.env("NO_COLOR", v);
        }
        let o = c
            .output()
            .expect("util-linux `script` is needed for the terminal test");
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let plain = on_tty(Some("1"));
    assert!(plain.contains("error[TFG001]"), "{plain}");
    assert!(!plain.contains("\x1b["), "NO_COLOR ignored");
    assert!(on_tty(None).contains("\x1b["), "no colour on a terminal");
}
