//! A gate reads files that anyone can put in a pull request. These cases are the holes of
//! issue 11: a symlink that would echo the job's environment or another file of the machine
//! into a code frame, `/dev/zero`, a FIFO that blocks the walk. Each must end in a document
//! error (exit 2) naming the file, in bounded time, without a byte of the target in any output,
//! and with the other files of the run still checked.

mod common;
use common::*;

use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Command;

// Each case shares its directory with the seed state (`seed_tree`), whose leak must still be
// reported: the other files of the run are still checked.
use common::seed_tree as tree;

fn check(dir: &Path) -> Command {
    let mut c = tfguard();
    c.current_dir(dir).arg("check").arg(".");
    c
}

fn all(o: &std::process::Output) -> String {
    let (out, err) = text(o);
    format!("{out}{err}")
}

/// Exit 2, the refused file named with `why`, and the seed state still checked.
fn assert_refused(o: &std::process::Output, file: &str, why: &str) {
    let all = all(o);
    assert_eq!(o.status.code(), Some(2), "{all}");
    assert!(
        all.lines().any(|l| l.contains(file))
            && all
                .lines()
                .any(|l| l.contains("not read") && l.contains(why)),
        "no `{why}` error for {file}:\n{all}"
    );
    assert!(
        all.contains("random_password.oauth_client_secret"),
        "the other files were not checked:\n{all}"
    );
}

#[test]
fn symlink_to_proc_environ_never_echoes_the_environment() {
    let dir = tree();
    symlink("/proc/self/environ", dir.path().join("x.tf")).unwrap();
    let canary = "tfguard-canary-6f1d0c9a5e";
    let o = run_bounded(check(dir.path()).env("CI_JOB_TOKEN", canary), 60);
    assert_refused(&o, "x.tf", "virtual file system");
    assert!(!all(&o).contains(canary), "the environment leaked");
}

#[test]
fn symlink_to_a_file_outside_the_tree_is_not_read() {
    let outside = tempfile::tempdir().unwrap();
    let canary = "tfguard-canary-outside-71c2";
    // Invalid HCL: read, it would be shown in the code frame of the syntax error.
    write(outside.path(), "creds", &format!("token = {canary} {{{{\n"));
    let dir = tree();
    symlink(outside.path().join("creds"), dir.path().join("creds.tf")).unwrap();
    for format in ["human", "json", "sarif", "github", "junit"] {
        let o = run_bounded(check(dir.path()).args(["--format", format]), 60);
        assert_eq!(o.status.code(), Some(2), "{format}: {}", all(&o));
        assert!(all(&o).contains("creds.tf"), "{format}: {}", all(&o));
        assert!(
            all(&o).contains("outside the checked tree"),
            "{format}: {}",
            all(&o)
        );
        assert!(!all(&o).contains(canary), "{format}: the file leaked");
    }
}

#[test]
fn symlink_named_explicitly_is_confined_too() {
    // What a pre-commit hook does: it names the staged file.
    let outside = tempfile::tempdir().unwrap();
    let canary = "tfguard-canary-explicit-93ad";
    write(outside.path(), "creds.tf", &format!("x = {canary} {{{{\n"));
    let dir = tree();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    symlink(outside.path().join("creds.tf"), dir.path().join("main.tf")).unwrap();
    let o = run_bounded(
        tfguard()
            .current_dir(dir.path())
            .args(["check", "main.tf", "terraform.tfstate"]),
        60,
    );
    assert_refused(&o, "main.tf", "outside the checked tree");
    assert!(!all(&o).contains(canary));
}

#[test]
fn symlink_inside_the_tree_is_followed() {
    let dir = tree();
    std::fs::create_dir(dir.path().join("shared")).unwrap();
    std::fs::copy(
        root().join("examples/seed/main.tf"),
        dir.path().join("shared/main.tf"),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("app")).unwrap();
    symlink("../shared/main.tf", dir.path().join("app/main.tf")).unwrap();
    let o = run_bounded(tfguard().current_dir(dir.path()).args(["check", "."]), 60);
    let all = all(&o);
    assert_eq!(o.status.code(), Some(1), "{all}");
    assert!(
        all.contains("app/main.tf:"),
        "linked file not checked:\n{all}"
    );
}

#[test]
fn symlink_inside_the_tree_to_a_non_terraform_file_is_not_shown() {
    let dir = tree();
    let canary = "tfguard-canary-dotenv-2b7e";
    write(dir.path(), ".env", &format!("API_TOKEN={canary} {{\n"));
    symlink(".env", dir.path().join("env.tf")).unwrap();
    let o = run_bounded(&mut check(dir.path()), 60);
    assert_refused(&o, "env.tf", "not a Terraform file");
    assert!(!all(&o).contains(canary));
}

#[test]
fn dev_zero_is_refused_without_reading_it() {
    let dir = tree();
    symlink("/dev/zero", dir.path().join("zero.tfstate")).unwrap();
    let o = run_bounded(&mut check(dir.path()), 30);
    assert_refused(&o, "zero.tfstate", "virtual file system");
    // Named on the command line: the same.
    let o = run_bounded(tfguard().args(["check", "/dev/zero"]), 30);
    assert_eq!(o.status.code(), Some(2), "{}", all(&o));
    assert!(all(&o).contains("not read"), "{}", all(&o));
}

#[test]
fn fifo_in_the_walk_does_not_block() {
    let dir = tree();
    let fifo = dir.path().join("pipe.tf");
    let status = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    let o = run_bounded(&mut check(dir.path()), 30);
    assert_refused(&o, "pipe.tf", "FIFO");
}

#[test]
fn symlink_loops_are_errors_not_hangs() {
    let dir = tree();
    symlink("b.tf", dir.path().join("a.tf")).unwrap();
    symlink("a.tf", dir.path().join("b.tf")).unwrap();
    // A directory that links to its parent is not followed.
    symlink("..", dir.path().join("up")).unwrap();
    let o = run_bounded(&mut check(dir.path()), 30);
    assert_refused(&o, "a.tf", "symlink loop");
}

#[test]
fn an_over_cap_file_is_an_error_naming_the_cap() {
    let dir = tree();
    // 2 MiB of valid HCL: the cap, not the content, refuses it.
    let big = "# padding line of a large but valid Terraform file\n".repeat(41_000);
    write(dir.path(), "big.tf", &big);
    let o = run_bounded(check(dir.path()).args(["--max-file-size", "1MiB"]), 60);
    assert_refused(&o, "big.tf", "1MiB cap on one file");
    // The cap is the documented environment variable too.
    let o = run_bounded(check(dir.path()).env("TFGUARD_MAX_FILE_SIZE", "1MiB"), 60);
    assert_refused(&o, "big.tf", "1MiB cap on one file");
    // Under the default cap it is read.
    let o = run_bounded(&mut check(dir.path()), 60);
    assert_eq!(o.status.code(), Some(1), "{}", all(&o));
}

#[test]
fn the_run_has_a_total_input_cap() {
    let dir = tree();
    let pad = "# padding\n".repeat(60_000); // 600 KB each
    write(dir.path(), "a.tf", &pad);
    write(dir.path(), "b.tf", &pad);
    let o = run_bounded(check(dir.path()).args(["--max-input-size", "1MiB"]), 60);
    let all = all(&o);
    assert_eq!(o.status.code(), Some(2), "{all}");
    assert!(
        all.contains("b.tf") && all.contains("1MiB cap on all input"),
        "{all}"
    );
}

#[test]
fn stdin_is_capped() {
    let mut child = tfguard()
        .args(["check", "-", "--max-file-size", "64KiB"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        let chunk = vec![b' '; 1 << 16];
        // Far more than the cap; tfguard stops reading, so the write fails with EPIPE.
        for _ in 0..64 {
            if stdin.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    let o = child.wait_with_output().unwrap();
    let _ = writer.join();
    let all = all(&o);
    assert_eq!(o.status.code(), Some(2), "{all}");
    assert!(all.contains("64KiB cap on one file"), "{all}");
}

#[test]
fn a_config_cannot_name_a_pack_outside_its_tree() {
    let outside = tempfile::tempdir().unwrap();
    let canary = "tfguard-canary-pack-5c3f";
    write(outside.path(), "pack.toml", &format!("x = {canary} [[\n"));
    let dir = tree();
    write(
        dir.path(),
        ".tfguard.hcl",
        &format!(
            "policy_packs = [\"{}\"]\n",
            outside.path().join("pack.toml").display()
        ),
    );
    let o = run_bounded(&mut check(dir.path()), 60);
    let all = all(&o);
    assert_eq!(o.status.code(), Some(2), "{all}");
    assert!(all.contains("outside the checked tree"), "{all}");
    assert!(!all.contains(canary), "the pack leaked");
}

#[test]
fn a_config_above_the_tree_is_not_picked_up() {
    let above = tempfile::tempdir().unwrap();
    // Would silence the leak if it applied.
    write(
        above.path(),
        ".tfguard.hcl",
        "disable = [\"TFG001\", \"TFG002\"]\n",
    );
    let dir = above.path().join("repo");
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::copy(
        root().join("examples/seed/terraform.tfstate"),
        dir.join("terraform.tfstate"),
    )
    .unwrap();
    let o = run_bounded(&mut check(&dir), 60);
    let all = all(&o);
    assert_eq!(o.status.code(), Some(1), "{all}");
    assert!(all.contains("TFG001"), "{all}");
}
