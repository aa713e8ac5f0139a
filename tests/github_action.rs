//! The GitHub Action (`action.yml`) run here, step by step, the way the runner runs a composite
//! action: `if:` conditions evaluated, `${{ }}` expressions substituted, each `run:` step executed
//! by `bash --noprofile --norc -eo pipefail` (GitHub's `shell: bash`) with the runner's files and
//! variables (`GITHUB_OUTPUT`, `GITHUB_PATH`, `GITHUB_ACTION_PATH`, `RUNNER_TEMP`, ...). The
//! `uses:` steps are not run; the cache is emulated by a directory per key, and each reference
//! is checked against what the run steps produced (the cached directory holds the installed
//! binary, the uploaded SARIF file exists and is valid SARIF). `cargo install` is replaced by a
//! stub on PATH that records its arguments and installs the binary this test run built: a real
//! one takes minutes (the README's first command measures that).

mod common;
use common::*;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn action() -> Value {
    let text = std::fs::read_to_string(root().join("action.yml")).expect("action.yml");
    serde_yaml::from_str(&text).expect("action.yml is YAML")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// What a run of the action did.
#[derive(Debug, Default)]
struct Outcome {
    /// stdout and stderr of every run step, in order.
    log: String,
    /// Step id (or index) → outputs written to `GITHUB_OUTPUT`.
    outputs: BTreeMap<String, BTreeMap<String, String>>,
    /// Each step: (id or `uses`, ran?).
    steps: Vec<(String, bool)>,
    /// `uses:` steps that ran, with their substituted `with:`.
    uses: Vec<(String, BTreeMap<String, String>)>,
    /// The exit code of the step that failed the action.
    failed: Option<i32>,
    /// The action's `outputs:`.
    action_outputs: BTreeMap<String, String>,
}

impl Outcome {
    fn ran(&self, name: &str) -> bool {
        self.steps.iter().any(|(n, r)| n == name && *r)
    }
    fn used(&self, prefix: &str) -> Option<&BTreeMap<String, String>> {
        self.uses
            .iter()
            .find(|(u, _)| u.starts_with(prefix))
            .map(|(_, w)| w)
    }
}

/// One machine: a workspace with the user's repository, a cache service shared between runs.
struct Runner {
    workspace: tempfile::TempDir,
    /// The emulated cache service: `<store>/<key>/` holds a saved directory.
    store: tempfile::TempDir,
    stub: tempfile::TempDir,
    cargo_log: PathBuf,
}

impl Runner {
    fn new() -> Runner {
        let workspace = tempfile::tempdir().unwrap();
        copy_dir(
            &root().join("examples/seed"),
            &workspace.path().join("infra"),
        );
        let _ = Command::new("git")
            .args(["init", "-q"])
            .current_dir(workspace.path())
            .status();
        let stub = tempfile::tempdir().unwrap();
        let cargo = stub.path().join("cargo");
        std::fs::write(
            &cargo,
            "#!/bin/sh\n\
             # Stands in for `cargo install`: records the call, installs the binary under test.\n\
             printf '%s\\n' \"$PWD\" \"$@\" > \"$TFGUARD_TEST_CARGO_LOG\"\n\
             [ \"$1\" = install ] || exit 97\n\
             root=\n\
             while [ $# -gt 0 ]; do\n\
               if [ \"$1\" = --root ]; then root=$2; shift; fi\n\
               shift\n\
             done\n\
             [ -n \"$root\" ] || exit 98\n\
             mkdir -p \"$root/bin\" && cp \"$TFGUARD_TEST_BIN\" \"$root/bin/tfguard\"\n",
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();
        let cargo_log = stub.path().join("cargo.log");
        Runner {
            workspace,
            store: tempfile::tempdir().unwrap(),
            stub,
            cargo_log,
        }
    }

    fn ws(&self) -> &Path {
        self.workspace.path()
    }

    /// Runs the action with `with` as its inputs on a fresh runner (new temp and tool-cache
    /// directories; the cache service and the workspace are kept).
    fn run(&self, with: &[(&str, &str)]) -> Outcome {
        let action = action();
        let runner_temp = tempfile::tempdir().unwrap();
        let tool_cache = tempfile::tempdir().unwrap();
        let _ = std::fs::remove_file(&self.cargo_log);

        let mut inputs = BTreeMap::new();
        for (k, v) in action["inputs"].as_object().expect("inputs") {
            let default = v["default"].as_str().unwrap_or("").to_string();
            inputs.insert(k.clone(), default);
        }
        for (k, v) in with {
            assert!(inputs.contains_key(*k), "no input `{k}` in action.yml");
            inputs.insert(k.to_string(), v.to_string());
        }
        let mut ctx = Ctx {
            inputs,
            steps: BTreeMap::new(),
            runner_temp: runner_temp.path().to_path_buf(),
            tool_cache: tool_cache.path().to_path_buf(),
            failed: false,
        };
        let mut out = Outcome::default();
        // GITHUB_PATH additions, newest first, ahead of a minimal system PATH: no tfguard or
        // cargo from this machine can stand in for the action's own.
        let mut path_prepend: Vec<String> = Vec::new();

        let steps = action["runs"]["steps"].as_array().expect("steps");
        for (i, step) in steps.iter().enumerate() {
            let id = step["id"].as_str().map(str::to_string);
            let name = id
                .clone()
                .or_else(|| step["uses"].as_str().map(str::to_string))
                .unwrap_or_else(|| format!("step{i}"));
            let cond = step["if"].as_str().unwrap_or("success()");
            if !ctx.condition(cond) {
                out.steps.push((name, false));
                continue;
            }
            out.steps.push((name.clone(), true));
            let mut outputs = BTreeMap::new();
            if let Some(uses) = step["uses"].as_str() {
                let with: BTreeMap<String, String> = step["with"]
                    .as_object()
                    .map(|m| {
                        m.iter()
                            .map(|(k, v)| (k.clone(), ctx.substitute(v.as_str().unwrap_or(""))))
                            .collect()
                    })
                    .unwrap_or_default();
                self.emulate_uses(uses, &with, &mut outputs);
                out.uses.push((uses.to_string(), with));
            } else {
                let script = step["run"].as_str().expect("a step has run or uses");
                assert_eq!(
                    step["shell"], "bash",
                    "{name}: composite steps need shell: bash"
                );
                assert!(
                    !script.contains("${{"),
                    "{name}: an expression in a script is an injection risk; pass it in env"
                );
                let dir = tempfile::tempdir().unwrap();
                let file = dir.path().join("step.sh");
                std::fs::write(&file, script).unwrap();
                let gh_output = dir.path().join("output");
                let gh_path = dir.path().join("path");
                let gh_env = dir.path().join("env");
                for f in [&gh_output, &gh_path, &gh_env] {
                    std::fs::write(f, "").unwrap();
                }
                let mut path = path_prepend.clone();
                path.push(self.stub.path().display().to_string());
                path.push("/usr/local/bin:/usr/bin:/bin".into());
                let mut cmd = Command::new("bash");
                cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
                    .arg(&file)
                    .current_dir(self.ws())
                    .env_clear()
                    .env("PATH", path.join(":"))
                    .env("HOME", runner_temp.path())
                    .env("CI", "true")
                    .env("GITHUB_ACTIONS", "true")
                    .env("GITHUB_ACTION_PATH", root())
                    .env("GITHUB_WORKSPACE", self.ws())
                    .env("GITHUB_OUTPUT", &gh_output)
                    .env("GITHUB_PATH", &gh_path)
                    .env("GITHUB_ENV", &gh_env)
                    .env("RUNNER_OS", "Linux")
                    .env("RUNNER_ARCH", "X64")
                    .env("RUNNER_TEMP", runner_temp.path())
                    .env("RUNNER_TOOL_CACHE", tool_cache.path())
                    // The guest's compile cache shared by the tests, as tfguard() sets it.
                    .env("TFGUARD_CACHE_DIR", root().join("target/test-cache"))
                    .env("TFGUARD_TEST_BIN", env!("CARGO_BIN_EXE_tfguard"))
                    .env("TFGUARD_TEST_CARGO_LOG", &self.cargo_log);
                if let Some(env) = step["env"].as_object() {
                    for (k, v) in env {
                        cmd.env(k, ctx.substitute(v.as_str().unwrap_or("")));
                    }
                }
                let o = cmd.output().expect("bash");
                out.log.push_str(&String::from_utf8_lossy(&o.stdout));
                out.log.push_str(&String::from_utf8_lossy(&o.stderr));
                outputs = parse_output_file(&std::fs::read_to_string(&gh_output).unwrap());
                for line in std::fs::read_to_string(&gh_path).unwrap().lines() {
                    if !line.trim().is_empty() {
                        path_prepend.insert(0, line.to_string());
                    }
                }
                if !o.status.success() {
                    ctx.failed = true;
                    out.failed.get_or_insert(o.status.code().unwrap_or(-1));
                }
            }
            if let Some(id) = id {
                ctx.steps.insert(id.clone(), outputs.clone());
                out.outputs.insert(id, outputs);
            }
        }
        if let Some(outputs) = action["outputs"].as_object() {
            for (k, v) in outputs {
                let value = ctx.substitute(v["value"].as_str().unwrap_or(""));
                out.action_outputs.insert(k.clone(), value);
            }
        }
        out
    }

    /// What the `uses:` steps would do, as far as the following steps can tell.
    fn emulate_uses(
        &self,
        uses: &str,
        with: &BTreeMap<String, String>,
        outputs: &mut BTreeMap<String, String>,
    ) {
        let action = uses.split('@').next().unwrap();
        match action {
            "actions/cache/restore" | "actions/cache/save" => {
                let key = &with["key"];
                let path = PathBuf::from(&with["path"]);
                assert!(path.is_absolute(), "cache path {path:?}");
                assert!(!key.is_empty() && !key.contains('/'), "cache key {key:?}");
                let saved = self.store.path().join(key);
                if action == "actions/cache/restore" {
                    let hit = saved.is_dir();
                    if hit {
                        copy_dir(&saved, &path);
                    }
                    outputs.insert("cache-hit".into(), hit.to_string());
                } else {
                    // The save step fails on a path that does not exist.
                    assert!(path.is_dir(), "cache save of a missing path {path:?}");
                    copy_dir(&path, &saved);
                }
            }
            "github/codeql-action/upload-sarif" => {
                // Checked by the tests from the recorded `with`.
            }
            other => panic!("action.yml uses `{other}`, which this test does not know"),
        }
    }
}

/// `name=value` lines and `name<<DELIMITER` blocks (GitHub's GITHUB_OUTPUT format).
fn parse_output_file(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((k, delim)) = line.split_once("<<") {
            let mut v = Vec::new();
            for l in lines.by_ref() {
                if l == delim {
                    break;
                }
                v.push(l);
            }
            out.insert(k.to_string(), v.join("\n"));
        } else if let Some((k, v)) = line.split_once('=') {
            out.insert(k.to_string(), v.to_string());
        }
    }
    out
}

/// The expression contexts a composite action sees, and the subset of the expression language
/// action.yml uses. Anything else panics, so the test cannot pass over an expression it did
/// not understand.
struct Ctx {
    inputs: BTreeMap<String, String>,
    steps: BTreeMap<String, BTreeMap<String, String>>,
    runner_temp: PathBuf,
    tool_cache: PathBuf,
    failed: bool,
}

impl Ctx {
    fn value(&self, e: &str) -> String {
        let e = e.trim();
        if let Some(s) = e.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
            return s.replace("''", "'");
        }
        let parts: Vec<&str> = e.split('.').collect();
        match parts.as_slice() {
            ["inputs", name] => self
                .inputs
                .get(*name)
                .unwrap_or_else(|| panic!("unknown input `{name}`"))
                .clone(),
            ["steps", id, "outputs", name] => self
                .steps
                .get(*id)
                .and_then(|o| o.get(*name))
                .cloned()
                .unwrap_or_default(),
            ["github", "action_path"] => root().display().to_string(),
            ["runner", "temp"] => self.runner_temp.display().to_string(),
            ["runner", "tool_cache"] => self.tool_cache.display().to_string(),
            ["runner", "os"] => "Linux".into(),
            _ => panic!("expression `{e}` is not supported by this emulation"),
        }
    }

    fn truth(&self, e: &str) -> bool {
        let e = e.trim();
        match e {
            "always()" => return true,
            "success()" => return !self.failed,
            "failure()" => return self.failed,
            _ => {}
        }
        if let Some((a, b)) = e.split_once("!=") {
            return self.value(a) != self.value(b);
        }
        if let Some((a, b)) = e.split_once("==") {
            return self.value(a) == self.value(b);
        }
        !self.value(e).is_empty()
    }

    /// An `if:`; without a status function, `success() &&` is implied, as on GitHub.
    fn condition(&self, cond: &str) -> bool {
        let cond = cond
            .trim()
            .strip_prefix("${{")
            .and_then(|c| c.strip_suffix("}}"))
            .unwrap_or(cond);
        assert!(!cond.contains("||"), "`||` is not supported: {cond}");
        let status = ["always()", "success()", "failure()", "cancelled()"]
            .iter()
            .any(|f| cond.contains(f));
        (status || !self.failed) && cond.split("&&").all(|c| self.truth(c))
    }

    fn substitute(&self, s: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find("}}").expect("unclosed ${{") + start;
            out.push_str(&self.value(&rest[start + 3..end]));
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }
}

fn sarif_at(ws: &Path, with: &BTreeMap<String, String>) -> Value {
    let file = ws.join(&with["sarif_file"]);
    let text = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("upload-sarif's file {}: {e}", file.display()));
    let v: Value = serde_json::from_str(&text).expect("SARIF is JSON");
    let errs: Vec<String> = sarif_validator()
        .iter_errors(&v)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errs.is_empty(), "{errs:#?}");
    v
}

#[test]
fn the_action_is_well_formed_and_its_inputs_are_documented() {
    let a = action();
    assert_eq!(a["runs"]["using"], "composite");
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section = readme
        .split("### GitHub Action")
        .nth(1)
        .expect("README has a GitHub Action section");
    for (name, input) in a["inputs"].as_object().unwrap() {
        assert!(
            input["description"].as_str().is_some_and(|d| d.len() > 10),
            "input {name} has no description"
        );
        assert!(
            section.contains(&format!("`{name}`")),
            "input {name} is not documented in the README"
        );
    }
    for step in a["runs"]["steps"].as_array().unwrap() {
        if let Some(uses) = step["uses"].as_str() {
            let (_, version) = uses.split_once('@').expect("uses pinned to a version");
            assert!(version.starts_with('v'), "{uses}");
        }
    }
}

#[test]
fn first_run_builds_and_caches_the_gate_fails_on_the_seed_and_sarif_is_uploaded() {
    let r = Runner::new();
    let o = r.run(&[("paths", "infra")]);

    // Cache miss: cargo install from the action's own checkout into the cached directory.
    assert!(o.ran("key") && o.ran("cache"), "{o:#?}");
    let key = &o.outputs["key"]["key"];
    let dir = &o.outputs["key"]["dir"];
    assert!(key.starts_with("tfguard-Linux-X64-0.1.0-"), "{key}");
    assert_eq!(o.outputs["cache"]["cache-hit"], "false");
    let log = std::fs::read_to_string(&r.cargo_log).expect("cargo install ran");
    let call: Vec<&str> = log.lines().collect();
    assert_eq!(
        Path::new(call[0]),
        root(),
        "cargo runs in the action's checkout"
    );
    assert_eq!(
        call[1..],
        [
            "install",
            "--locked",
            "--path",
            ".",
            "--root",
            dir.as_str(),
            "--bin",
            "tfguard"
        ]
    );
    let restore = o.used("actions/cache/restore").unwrap();
    let save = o.used("actions/cache/save").expect("saved after the build");
    assert_eq!((&restore["path"], &restore["key"]), (dir, key));
    assert_eq!((&save["path"], &save["key"]), (dir, key));
    assert!(r.store.path().join(key).join("bin/tfguard").is_file());

    // The gate: annotations in the log, SARIF written, uploaded, then the action fails with 1.
    assert_eq!(o.outputs["gate"]["exit-code"], "1", "{}", o.log);
    assert!(
        o.log
            .contains("::error file=infra/terraform.tfstate,title=TFG001"),
        "{}",
        o.log
    );
    let upload = o
        .used("github/codeql-action/upload-sarif")
        .expect("uploaded");
    assert_eq!(upload["category"], "tfguard");
    assert_eq!(upload["sarif_file"], "tfguard.sarif");
    let sarif = sarif_at(r.ws(), upload);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(
        results.iter().any(|x| x["ruleId"] == "TFG001"
            && x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                == "infra/terraform.tfstate"),
        "{sarif:#}"
    );
    assert_eq!(o.failed, Some(1), "the gate's verdict fails the action");
    assert_eq!(o.action_outputs["exit-code"], "1");
    assert_eq!(o.action_outputs["sarif-file"], "tfguard.sarif");

    // A second run on a fresh runner: the cache hits, nothing is built, same verdict.
    let again = r.run(&[("paths", "infra")]);
    assert_eq!(again.outputs["key"]["key"], *key, "same sources, same key");
    assert_eq!(again.outputs["cache"]["cache-hit"], "true");
    assert!(!r.cargo_log.exists(), "cargo ran on a cache hit");
    assert!(!again.ran("actions/cache/save@v4"));
    assert_eq!(again.outputs["gate"]["exit-code"], "1", "{}", again.log);
    assert_eq!(again.failed, Some(1));
}

#[test]
fn inputs_reach_tfguard() {
    let r = Runner::new();
    write(
        r.ws(),
        "ci/ignore.hcl",
        "ignore {\n  rule    = \"TFG001\"\n  address = \"random_password.*\"\n  reason  = \"demo secret, rotated\"\n}\n",
    );
    let o = r.run(&[
        ("paths", "infra/main.tf\ninfra/terraform.tfstate"),
        ("config", "ci/ignore.hcl"),
        ("format", "json"),
        ("args", "--max-memory 1GiB  --timeout 60s"),
        ("fail-on", "warning"),
        ("sarif-file", "reports/tfguard.sarif"),
        ("upload-sarif", "false"),
        ("fail", "false"),
    ]);
    // format: the log report is JSON; paths: exactly the two files; fail-on reached tfguard.
    let start = o.log.find('{').expect("a JSON report in the log");
    let end = o.log.rfind('}').unwrap();
    let report: Value = serde_json::from_str(&o.log[start..=end]).expect("JSON report");
    let docs: Vec<&str> = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert_eq!(docs, ["infra/main.tf", "infra/terraform.tfstate"]);
    assert_eq!(report["summary"]["fail_on"], "warning");
    // config: the ignore block suppressed the random_password finding, in SARIF too.
    assert!(report["summary"]["suppressed"].as_u64().unwrap() >= 1);
    let sarif_file = r.ws().join("reports/tfguard.sarif");
    let sarif = sarif_at(
        r.ws(),
        &BTreeMap::from([(
            "sarif_file".to_string(),
            "reports/tfguard.sarif".to_string(),
        )]),
    );
    assert!(sarif_file.is_file());
    let suppressed = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["suppressions"][0]["justification"] == "demo secret, rotated")
        .count();
    assert!(suppressed >= 1, "{sarif:#}");
    // upload-sarif and fail: no upload, and findings (exit 1) do not fail the action.
    assert_eq!(o.outputs["gate"]["exit-code"], "1");
    assert!(o.used("github/codeql-action/upload-sarif").is_none());
    assert_eq!(o.failed, None, "{o:#?}");
}

#[test]
fn a_usage_error_fails_closed_and_uploads_nothing() {
    let r = Runner::new();
    let o = r.run(&[("paths", "infra"), ("fail-on", "bogus")]);
    assert_eq!(o.outputs["gate"]["exit-code"], "2", "{}", o.log);
    assert!(o.log.contains("bogus"), "{}", o.log);
    assert!(!r.ws().join("tfguard.sarif").exists());
    assert!(
        o.used("github/codeql-action/upload-sarif").is_none(),
        "uploaded a report that was not written"
    );
    assert_eq!(o.failed, Some(2));
    // A stale report from an earlier step is not uploaded as this run's.
    std::fs::write(r.ws().join("tfguard.sarif"), "{}").unwrap();
    let o = r.run(&[("paths", "infra"), ("fail-on", "bogus")]);
    assert!(!r.ws().join("tfguard.sarif").exists());
    assert!(o.used("github/codeql-action/upload-sarif").is_none());
}
