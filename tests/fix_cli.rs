//! `tfguard fix` end to end: the seed becomes a configuration the gate passes, a second run
//! changes nothing, `--diff` writes nothing and its patch reproduces the fix exactly (so every
//! line outside a hunk is byte-identical), safe-only runs list the unsafe fixes, and bad input
//! is exit 2 with nothing written.

mod common;
use common::{root, run, text, tfguard};
use std::path::{Path, PathBuf};

/// A copy of `examples/<name>` in a fresh temp dir.
fn copy_example(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join(name);
    std::fs::create_dir_all(&dir).expect("mkdir");
    for e in std::fs::read_dir(root().join("examples").join(name)).expect("example") {
        let p = e.expect("entry").path();
        std::fs::copy(&p, dir.join(p.file_name().expect("name"))).expect("copy");
    }
    (tmp, dir)
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).expect("read")
}

/// The error-level findings of `check --format json` on the given files, as `(rule, family)`.
fn errors_after_check(files: &[PathBuf]) -> Vec<(String, String)> {
    let o = run(tfguard().args(["check", "--format", "json"]).args(files));
    let (out, err) = text(&o);
    let report: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    let rules = run(tfguard().args(["rules"]));
    let (listing, _) = text(&rules);
    let family = |id: &str| {
        listing
            .lines()
            .find(|l| l.starts_with(id))
            .and_then(|l| l.split_whitespace().nth(2))
            .unwrap_or("?")
            .to_string()
    };
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| {
            let id = f["rule_id"].as_str().unwrap_or_default().to_string();
            let fam = family(&id);
            (id, fam)
        })
        .collect()
}

#[test]
fn seed_with_unsafe_fixes_passes_the_gate_and_a_second_run_changes_nothing() {
    let (_tmp, dir) = copy_example("seed");
    let o = run(tfguard().args(["fix", "--unsafe-fixes"]).arg(&dir));
    let (out, err) = text(&o);
    assert!(err.is_empty(), "{err}");
    // The state still holds the secret: the run reports it as left (exit 1) and says rotate.
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("tfguard rotate"), "{out}");
    assert!(out.contains("left after fixing"), "{out}");
    for id in [
        "TFG044", "TFG040", "TFG043", "TFG030", "TFG010", "TFG012", "TFG045",
    ] {
        assert!(
            out.contains(&format!("  {id} ")),
            "{id} not listed as fixed:\n{out}"
        );
    }

    let tf = [dir.join("main.tf"), dir.join("variables.tf")];
    let errors = errors_after_check(&tf);
    let blocking: Vec<_> = errors
        .iter()
        .filter(|(_, fam)| matches!(fam.as_str(), "secrets" | "redirect-uris" | "oauth"))
        .collect();
    assert!(
        blocking.is_empty(),
        "the fixed seed still fails: {blocking:?}"
    );
    // examples/fixed passes the same check (the reference the fix is compared with).
    let fixed = root().join("examples/fixed");
    assert!(errors_after_check(&[fixed.join("main.tf"), fixed.join("variables.tf")]).is_empty());

    // Shown, for review: how the mechanical fix differs from the hand-written fixed example.
    for name in ["main.tf", "variables.tf"] {
        let want = read(&fixed, name);
        let got = read(&dir, name);
        println!(
            "{}",
            tfguard::diff::unified(&format!("examples/fixed vs fixed seed/{name}"), &want, &got)
        );
    }

    let before: Vec<String> = tf
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("read"))
        .collect();
    let o = run(tfguard().args(["fix", "--unsafe-fixes"]).arg(&dir));
    let (out, _) = text(&o);
    assert!(
        out.starts_with("tfguard: fixed 0 findings in 0 files"),
        "{out}"
    );
    let after: Vec<String> = tf
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("read"))
        .collect();
    assert_eq!(before, after, "the second run changed a file");
}

/// Apply a unified diff (as `fix --diff` prints it) to `old`.
fn patch(old: &str, diff: &str) -> String {
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let mut out = String::new();
    let mut at = 0usize;
    let mut lines = diff.split_inclusive('\n').peekable();
    while let Some(l) = lines.next() {
        let Some(h) = l.strip_prefix("@@ -") else {
            continue;
        };
        let start: usize = h
            .split([',', ' '])
            .next()
            .and_then(|n| n.parse().ok())
            .expect("hunk start");
        // Lines before the hunk are copied unchanged.
        while at + 1 < start {
            out.push_str(old_lines[at]);
            at += 1;
        }
        while let Some(body) = lines.peek() {
            if body.starts_with("@@") || body.starts_with("--- ") {
                break;
            }
            let body = lines.next().expect("peeked");
            match body.split_at(1) {
                (" ", rest) => {
                    assert_eq!(old_lines[at], rest, "context mismatch");
                    out.push_str(rest);
                    at += 1;
                }
                ("-", rest) => {
                    assert_eq!(old_lines[at], rest, "removed line mismatch");
                    at += 1;
                }
                ("+", rest) => out.push_str(rest),
                _ => {}
            }
        }
    }
    for l in &old_lines[at..] {
        out.push_str(l);
    }
    out
}

/// The diff of one file out of `fix --diff`'s output.
fn file_diff<'a>(all: &'a str, name: &str) -> &'a str {
    let start = all
        .find(&format!("--- a/{name}"))
        .unwrap_or_else(|| panic!("no diff for {name}:\n{all}"));
    let rest = &all[start + 4..];
    let end = rest
        .find("\n--- a/")
        .map_or(all.len(), |i| start + 4 + i + 1);
    &all[start..end]
}

#[test]
fn diff_writes_nothing_and_its_patch_is_the_fix() {
    let (_tmp, dir) = copy_example("seed");
    let (_tmp2, dir2) = copy_example("seed");
    let original = read(&dir, "main.tf");
    let mtime = std::fs::metadata(dir.join("main.tf"))
        .and_then(|m| m.modified())
        .ok();

    let o = run(tfguard().current_dir(&dir).args([
        "fix",
        "--unsafe-fixes",
        "--diff",
        "main.tf",
        "variables.tf",
    ]));
    let (out, err) = text(&o);
    assert!(
        out.starts_with("--- a/main.tf\n+++ b/main.tf\n@@ -"),
        "{out}"
    );
    assert!(
        err.contains("would fix"),
        "the summary goes to stderr: {err}"
    );
    assert_eq!(read(&dir, "main.tf"), original, "--diff wrote main.tf");
    assert_eq!(
        std::fs::metadata(dir.join("main.tf"))
            .and_then(|m| m.modified())
            .ok(),
        mtime
    );
    assert!(
        std::fs::read_dir(&dir).expect("dir").all(|e| !e
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .starts_with(".tfguard")),
        "a temp file was left behind"
    );

    // The same fix, written: the patch reproduces it byte for byte, so every line outside
    // the hunks is the original's.
    let o = run(tfguard().current_dir(&dir2).args([
        "fix",
        "--unsafe-fixes",
        "main.tf",
        "variables.tf",
    ]));
    assert_ne!(o.status.code(), Some(2), "{:?}", text(&o));
    for name in ["main.tf", "variables.tf"] {
        let d = file_diff(&out, name);
        assert_eq!(patch(&read(&dir, name), d), read(&dir2, name), "{name}");
        // Only changed lines are removed: no comment of the original is dropped.
        for l in d
            .lines()
            .filter(|l| l.starts_with('-') && !l.starts_with("---"))
        {
            assert!(
                !l[1..].trim_start().starts_with('#'),
                "a comment was removed: {l}"
            );
        }
    }
    let fixed = read(&dir2, "main.tf");
    for comment in original.lines().filter(|l| l.trim_start().starts_with('#')) {
        assert!(fixed.contains(comment), "comment lost: {comment}");
    }
    // Alignment of untouched attributes is kept exactly.
    for kept in [
        "  length           = 32\n",
        "  override_special = \"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789\"\n",
        "  value       = genesyscloud_oauth_client.my_app.client_id\n",
    ] {
        assert!(fixed.contains(kept), "{kept:?} changed");
    }
}

#[test]
fn safe_fixes_alone_leave_the_unsafe_ones_listed_with_why() {
    let (_tmp, dir) = copy_example("seed");
    let o = run(tfguard()
        .args(["fix"])
        .arg(dir.join("main.tf"))
        .arg(dir.join("variables.tf")));
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let main = read(&dir, "main.tf");
    assert!(
        main.contains("source  = \"mypurecloud/genesyscloud\""),
        "{main}"
    );
    assert!(main.contains("registered_redirect_uris = ["), "{main}");
    assert!(!main.contains("client_type"), "{main}");
    assert!(
        !main.contains("\n  client_secret = random_password"),
        "{main}"
    );
    // Unsafe ones are not applied, but listed with their reasons.
    assert!(main.contains("resource \"random_password\""), "{main}");
    assert!(main.contains("\"conversation:call\""), "{main}");
    assert!(out.contains("not applied:"), "{out}");
    assert!(out.contains("rerun with --unsafe-fixes"), "{out}");
    assert!(
        out.contains("TFG030 scope `user:read` → `users:readonly`"),
        "{out}"
    );
    assert!(out.contains("state replace-provider"), "{out}");
}

#[test]
fn rule_filter_applies_only_that_rules_fixes() {
    let (_tmp, dir) = copy_example("seed");
    let before = read(&dir, "main.tf");
    let o = run(tfguard()
        .args(["fix", "--rule", "TFG044"])
        .arg(dir.join("main.tf")));
    let (out, _) = text(&o);
    let after = read(&dir, "main.tf");
    let d = tfguard::diff::unified("main.tf", &before, &after);
    let changed: Vec<&str> = d
        .lines()
        .filter(|l| {
            (l.starts_with('-') || l.starts_with('+'))
                && !l.starts_with("---")
                && !l.starts_with("+++")
        })
        .collect();
    assert_eq!(
        changed,
        [
            "-      source  = \"mikeschaeffer/genesyscloud\"",
            "+      source  = \"mypurecloud/genesyscloud\""
        ],
        "{out}"
    );
    let o = run(tfguard().args(["fix", "--rule", "TFG999"]).arg(&dir));
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn bad_input_is_exit_2_and_nothing_is_written() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let broken = "resource \"a\" \"b\" {\n  x = \n}\n";
    std::fs::write(tmp.path().join("broken.tf"), broken).expect("write");
    std::fs::write(
        tmp.path().join("versions.tf"),
        "terraform {\n  required_providers {\n    genesyscloud = {\n      source = \"mikeschaeffer/genesyscloud\"\n    }\n  }\n}\n",
    )
    .expect("write");
    let versions = std::fs::read_to_string(tmp.path().join("versions.tf")).expect("read");
    let o = run(tfguard().args(["fix"]).arg(tmp.path()));
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("broken.tf") && err.contains("nothing was written"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("broken.tf")).expect("read"),
        broken
    );
    // A file it could fix is left alone too: the module is not fully understood.
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("versions.tf")).expect("read"),
        versions
    );

    let o = run(tfguard().args(["fix", "-"]));
    assert_eq!(o.status.code(), Some(2));
    let o = run(tfguard().args(["fix"]).arg(tmp.path().join("missing")));
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn diff_never_prints_a_hard_coded_secret() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        tmp.path().join("main.tf"),
        "resource \"genesyscloud_oauth_client\" \"app\" {\n  name                     = \"App\"\n  authorized_grant_type    = \"CODE\"\n  registered_redirect_uris = [\"https://app.example.com/callback\"]\n  scopes                   = [\"users:readonly\"]\n  client_secret            = \"Hard-C0ded-S3cret-Value\"\n}\n",
    )
    .expect("write");
    let o = run(tfguard()
        .current_dir(tmp.path())
        .args(["fix", "--diff", "main.tf"]));
    let (out, err) = text(&o);
    assert!(
        out.contains("-  client_secret            = \"***********************\""),
        "{out}"
    );
    assert!(
        !out.contains("Hard-C0ded") && !err.contains("Hard-C0ded"),
        "{out}{err}"
    );
    // Written for real, the secret is gone from the file too.
    let o = run(tfguard().current_dir(tmp.path()).args(["fix", "main.tf"]));
    let (out, err) = text(&o);
    assert!(
        !out.contains("Hard-C0ded") && !err.contains("Hard-C0ded"),
        "{out}{err}"
    );
    assert!(
        !std::fs::read_to_string(tmp.path().join("main.tf"))
            .expect("read")
            .contains("Hard-C0ded")
    );
}
