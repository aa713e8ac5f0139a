//! Large files are streamed into the guest (their bytes exist once, in the guest; issue 16):
//! the findings are the same as for the same bytes read whole (stdin is never streamed), the
//! code frames come from a second read of the file, and `--skip-unknown` still judges a large
//! `*.json` by its first KiBs.

mod common;
use common::*;

use std::io::Write as _;
use std::process::Stdio;

const SECRET: &str = "Qw7eR9tY2uI4oP6aS8dF1gH3jK5lZ0xC";

/// A state of more than 8 MiB (the streaming threshold) whose one leak, a
/// `random_password.result`, sits after the first 8 MiB.
fn big_state() -> String {
    let filler = r#"{"mode":"managed","type":"random_pet","name":"p{N}","provider":"provider[\"registry.terraform.io/hashicorp/random\"]","instances":[{"schema_version":0,"attributes":{"id":"happy-cat-{N}","length":2,"prefix":"a prefix that makes the resource long enough to fill the file"}}]}"#;
    let mut s = String::from(
        "{\n\"version\": 4,\n\"terraform_version\": \"1.9.8\",\n\"serial\": 1,\n\"lineage\": \"x\",\n\"outputs\": {},\n\"resources\": [\n",
    );
    let mut n = 0;
    while s.len() < 9 << 20 {
        s.push_str(&filler.replace("{N}", &n.to_string()));
        s.push_str(",\n");
        n += 1;
    }
    s.push_str(&format!(
        r#"{{"mode":"managed","type":"random_password","name":"client_secret","provider":"provider[\"registry.terraform.io/hashicorp/random\"]","instances":[{{"schema_version":3,"attributes":{{"id":"none","length":32,
"result": "{SECRET}"}}}}]}}
]
}}
"#
    ));
    s
}

fn json_findings(out: &str) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_str(out).expect("JSON report");
    let mut f = v["findings"].as_array().expect("findings").clone();
    for x in &mut f {
        // The path differs (`<stdin>`), and the fingerprint with it; nothing else may.
        x["path"] = serde_json::Value::Null;
        x["fingerprint"] = serde_json::Value::Null;
    }
    f
}

#[test]
fn a_streamed_file_gives_the_findings_of_the_same_bytes_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let state = big_state();
    let path = dir.path().join("big.tfstate");
    std::fs::write(&path, &state).unwrap();

    let streamed = run(tfguard().args(["check", "--format", "json"]).arg(&path));
    let mut child = tfguard()
        .args(["check", "--format", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || stdin.write_all(state.as_bytes()));
    let whole = child.wait_with_output().unwrap();
    feeder.join().unwrap().unwrap();

    let (s_out, s_err) = text(&streamed);
    let (w_out, _) = text(&whole);
    assert_eq!(streamed.status.code(), Some(1), "{s_out}{s_err}");
    assert_eq!(whole.status.code(), Some(1));
    let (a, b) = (json_findings(&s_out), json_findings(&w_out));
    assert_eq!(a, b);
    assert!(
        a.iter()
            .any(|f| f["address"] == "random_password.client_secret" && f["attribute"] == "result"),
        "{s_out}"
    );
    assert!(!s_out.contains(SECRET) && !s_err.contains(SECRET));
}

/// The human report's frame of a document error in a streamed file (state findings have no
/// span; a syntax error has) is read from the file again, and masked like any other.
#[test]
fn a_streamed_files_frame_is_read_again_and_masked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.tfstate");
    // A missing comma on the secret's own line: the error's frame shows that line.
    let broken = big_state().replace(
        &format!("\"result\": \"{SECRET}\""),
        &format!("\"result\": \"{SECRET}\" \"oops\": 1"),
    );
    std::fs::write(&path, broken).unwrap();
    let o = run(tfguard().arg("check").arg(&path));
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}{err}");
    // `... at line N column C`, then the frame: `N | <the line, strings masked>`.
    let all = format!("{out}{err}");
    let line = all
        .split("at line ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("no location:\n{all}"));
    let frame = all
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{line} | ")))
        .unwrap_or_else(|| panic!("no frame of the error:\n{all}"));
    assert!(frame.contains("\"****\": 1"), "{frame}");
    assert!(!out.contains(SECRET) && !err.contains(SECRET), "{out}{err}");
}

/// `--skip-unknown` (what the pre-commit hook passes) skips a large JSON file that is not a
/// state or plan by its first KiBs, and still checks a large state.
#[test]
fn skip_unknown_judges_a_large_json_by_its_head() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("big.json");
    std::fs::write(&state, big_state()).unwrap();
    let other = dir.path().join("data.json");
    let mut blob = String::from("{\"items\": [");
    while blob.len() < 9 << 20 {
        blob.push_str("{\"name\": \"not terraform\", \"n\": 1},");
    }
    blob.push_str("{}]}\n");
    std::fs::write(&other, blob).unwrap();
    let o = run(tfguard()
        .args(["check", "--skip-unknown", "--format", "json"])
        .arg(&state)
        .arg(&other));
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let skipped = v["skipped"].to_string();
    assert!(skipped.contains("data.json"), "{skipped}");
    assert!(!skipped.contains("big.json"), "{skipped}");
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["path"].as_str().is_some_and(|p| p.ends_with("big.json"))),
        "{out}"
    );
}
