//! Harness for the provisioning tests: the Genesys emulator in-process, a real OpenBao dev
//! server, a copy of `examples/apply/` in a temp dir, and the leak audit every scenario ends
//! with (no secret in any file of the module dir, nor in any stdout/stderr; the Vault secret
//! gets a token from the emulator).
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use base64::Engine as _;
use genesys_emulator::{Emulator, Handle, Options};

use crate::common::{self, Bao};

pub const ADMIN_ID: &str = "tfguard-admin";
pub const VAULT_PATH: &str = "tfguard/reporting";

pub struct Env {
    pub emu: Handle,
    pub bao: Option<Bao>,
    pub dir: tempfile::TempDir,
    pub admin_secret: String,
    /// Every secret seen during the scenario (rotations included), to search for at the end.
    pub secrets: BTreeSet<String>,
    /// Every stdout/stderr of every tfguard run.
    pub outputs: Vec<(String, String)>,
}

fn copy_dir(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).expect("read example dir") {
        let e = e.expect("entry");
        let p = e.path();
        if p.is_file()
            && !p
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("tfguard.tfstate"))
        {
            std::fs::copy(&p, to.join(e.file_name())).expect("copy");
        }
    }
}

impl Env {
    pub fn new() -> Env {
        Env::with_bao(Bao::start())
    }

    /// With a given OpenBao (the soak's restartable one).
    pub fn with_bao(bao: Bao) -> Env {
        let admin_secret = format!("admin-{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
        let emu = Emulator::start(Options::default().admin(ADMIN_ID, admin_secret.clone()))
            .expect("start emulator");
        let dir = tempfile::tempdir().expect("tempdir");
        copy_dir(&common::root().join("examples/apply"), dir.path());
        let mut secrets = BTreeSet::new();
        secrets.insert(admin_secret.clone());
        Env {
            emu,
            bao: Some(bao),
            dir,
            admin_secret,
            secrets,
            outputs: Vec::new(),
        }
    }

    pub fn bao(&self) -> &Bao {
        self.bao.as_ref().expect("OpenBao running")
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn state_file(&self) -> PathBuf {
        self.path().join("tfguard.tfstate")
    }

    pub fn state(&self) -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(self.state_file()).expect("state file"))
            .expect("state JSON")
    }

    /// A tfguard command wired to the emulator and OpenBao, run in the module dir.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = common::tfguard();
        c.args(args)
            .current_dir(self.path())
            .env("GENESYSCLOUD_OAUTHCLIENT_ID", ADMIN_ID)
            .env("GENESYSCLOUD_OAUTHCLIENT_SECRET", &self.admin_secret)
            .env("GENESYSCLOUD_REGION", "us-east-1")
            .env("TFGUARD_GENESYS_API_URL", self.emu.base_url())
            .env("TFGUARD_GENESYS_LOGIN_URL", self.emu.base_url());
        match &self.bao {
            Some(b) => b.env(&mut c),
            // Vault gone: a loopback port nobody listens on.
            None => {
                c.env(
                    "VAULT_ADDR",
                    format!("http://127.0.0.1:{}", common::free_port()),
                )
                .env("VAULT_TOKEN", "nobody");
            }
        }
        c
    }

    /// Run, record the output for the leak audit, and remember the emulator's secrets.
    pub fn run(&mut self, args: &[&str]) -> Output {
        let mut c = self.cmd(args);
        self.run_cmd(&mut c)
    }

    pub fn run_cmd(&mut self, c: &mut Command) -> Output {
        let o = common::run(c);
        self.record(&o);
        o
    }

    pub fn record(&mut self, o: &Output) {
        self.outputs.push(common::text(o));
        self.remember_secrets();
    }

    pub fn remember_secrets(&mut self) {
        for c in self.emu.clients() {
            self.secrets.insert(c.secret.expose().to_string());
        }
    }

    /// `apply --auto-approve`, asserting exit 0.
    /// Edit the example's `main.tf` so the gate has an error finding (TFG042: the client's
    /// secret exposed in state). Returns the original text.
    pub fn expose_secret_in_config(&self) -> String {
        let main = self.path().join("main.tf");
        let src = std::fs::read_to_string(&main).expect("main.tf");
        let edited = src.replace(
            "  state                         = \"active\"\n",
            "  state                         = \"active\"\n  expose_client_secret          = true\n",
        );
        assert_ne!(edited, src, "the example's `state` line moved");
        std::fs::write(&main, edited).expect("write main.tf");
        src
    }

    pub fn apply(&mut self) -> Output {
        let o = self.run(&["apply", "--auto-approve", "."]);
        assert_ok(&o, "apply");
        o
    }

    /// `{client_id, client_secret}` at `secret/<path>`, read with the bao CLI.
    pub fn vault_creds(&self, path: &str) -> Option<(String, String)> {
        let o = self
            .bao()
            .cli(&["kv", "get", "-format=json", "-mount=secret", path]);
        if !o.status.success() {
            return None;
        }
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).ok()?;
        let d = &v["data"]["data"];
        Some((
            d["client_id"].as_str()?.to_string(),
            d["client_secret"].as_str()?.to_string(),
        ))
    }

    /// The audit every scenario ends with.
    pub fn audit(&mut self, vault_paths: &[&str]) {
        self.remember_secrets();
        for p in vault_paths {
            let (id, secret) = self
                .vault_creds(p)
                .unwrap_or_else(|| panic!("no {{client_id, client_secret}} at secret/{p}"));
            self.secrets.insert(secret.clone());
            assert!(
                self.emu.check_credentials(&id, &secret).is_ok(),
                "the secret in Vault at {p} does not get a token from the emulator"
            );
            // And through tfguard itself: the one command whose output is a credential.
            let o = self.run(&["token", "--vault-secret", &format!("secret/{p}")]);
            assert_ok(&o, "token");
            let tok = String::from_utf8_lossy(&o.stdout).trim().to_string();
            assert!(
                !tok.is_empty() && !tok.contains(' '),
                "token output: {tok:?}"
            );
        }
        self.assert_no_leak();
    }

    /// No secret (admin's or any client's, current or rotated away) in any file of the module
    /// dir or any output, raw, JSON-escaped or base64.
    pub fn assert_no_leak(&self) {
        let mut files = Vec::new();
        for e in std::fs::read_dir(self.path()).expect("read dir") {
            let p = e.expect("entry").path();
            if p.is_file() {
                files.push((p.display().to_string(), std::fs::read(&p).expect("read")));
            }
        }
        for s in &self.secrets {
            let forms = forms(s);
            for (name, bytes) in &files {
                for f in &forms {
                    assert!(
                        !contains(bytes, f.as_bytes()),
                        "a secret leaked into {name}"
                    );
                }
            }
            for (i, (out, err)) in self.outputs.iter().enumerate() {
                for f in &forms {
                    assert!(
                        !out.contains(f.as_str()),
                        "a secret leaked into stdout of run {i}"
                    );
                    assert!(
                        !err.contains(f.as_str()),
                        "a secret leaked into stderr of run {i}"
                    );
                }
            }
        }
    }
}

fn forms(s: &str) -> Vec<String> {
    let json = serde_json::to_string(s).expect("json");
    vec![
        s.to_string(),
        json.trim_matches('"').to_string(),
        base64::engine::general_purpose::STANDARD.encode(s),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s),
    ]
}

fn contains(h: &[u8], n: &[u8]) -> bool {
    h.windows(n.len()).any(|w| w == n)
}

pub fn assert_ok(o: &Output, what: &str) {
    let (out, err) = common::text(o);
    assert!(
        o.status.success(),
        "{what} failed ({:?})\n--- stdout\n{out}\n--- stderr\n{err}",
        o.status.code()
    );
}

pub fn assert_code(o: &Output, code: i32, what: &str) {
    let (out, err) = common::text(o);
    assert_eq!(
        o.status.code(),
        Some(code),
        "{what}: unexpected exit\n--- stdout\n{out}\n--- stderr\n{err}"
    );
}

/// Requests that change something (create, update, delete, rotate) since the last clear.
pub fn writes(emu: &Handle) -> Vec<String> {
    emu.requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/v2/") && r.method != "GET")
        .map(|r| format!("{} {} -> {}", r.method, r.path, r.status))
        .collect()
}
