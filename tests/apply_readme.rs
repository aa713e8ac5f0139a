//! The README's provisioning walkthrough, run as written: `eval "$(scripts/demo-env)"` (the
//! emulator binary + OpenBao on loopback), then plan / apply / token on a copy of
//! `examples/apply/`, then `scripts/demo-env stop`.

mod common;

#[test]
fn readme_walkthrough_runs() {
    let root = common::root();
    let emulator = root.join("target/release/genesys-emulator");
    assert!(
        emulator.is_file(),
        "{} missing: build it with `cargo build --release -p genesys-emulator` (scripts/test does)",
        emulator.display()
    );
    let demo = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let script = r#"
set -euo pipefail
eval "$(scripts/demo-env)"
trap 'demo-env stop' EXIT
cp -r examples/apply/. "$WORK/"
rm -f "$WORK"/tfguard.tfstate*
cd "$WORK"
tfguard plan .
tfguard apply --auto-approve .
tfguard plan .
echo "TOKEN=$(tfguard token --vault-secret secret/tfguard/reporting)"
tfguard destroy --auto-approve .
"#;
    let o = std::process::Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(&root)
        .env("TFGUARD_DEMO_NO_BUILD", "1")
        .env("TFGUARD_DEMO_DIR", demo.path())
        .env("WORK", work.path())
        .env("TFGUARD_CACHE_DIR", root.join("target/test-cache"))
        .env_remove("VAULT_ADDR")
        .env_remove("VAULT_TOKEN")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("bash");
    let (out, err) = common::text(&o);
    assert!(o.status.success(), "walkthrough failed\n{out}\n{err}");
    assert!(
        out.contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "{out}"
    );
    assert!(out.contains("Apply complete! Resources: 1 added"), "{out}");
    assert!(out.contains("No changes."), "{out}");
    let token = out
        .lines()
        .find_map(|l| l.strip_prefix("TOKEN="))
        .unwrap_or_default();
    assert!(token.len() >= 16, "{out}");
    assert!(
        out.contains("Destroy complete! Resources: 1 destroyed."),
        "{out}"
    );
    // `stop` ran (trap): nothing left listening.
    assert!(
        std::fs::read_dir(demo.path()).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".pid")),
        "demo-env stop left pid files"
    );
}
