//! Logging in to Vault as users do (issue 17), against a real OpenBao dev server. Each test
//! enables and configures its auth method on the server itself, logs in through tfguard and
//! reads a KV v2 secret: `check --vault-secret secret/app` finds the secret planted in a state
//! file, which it can only do with the value read from Vault. Every failed login must exit 2,
//! name the method, the mount and the role, and show no credential in any output.

mod apply_support;
mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use common::*;

/// The KV v2 secret every login reads.
const SECRET: &str = "Vx9-kQ2mZr7LpT4wNc8YhB3dFs6GjA1e";

struct Setup {
    bao: Bao,
    dir: tempfile::TempDir,
    /// An empty HOME, so no `~/.vault-token` of the machine is used.
    home: PathBuf,
    /// A state holding SECRET: `check --vault-secret secret/app` exits 1 on it once logged in.
    state: PathBuf,
}

impl Setup {
    /// OpenBao with `secret/app` and a policy `app-read` that can read it (and nothing else).
    fn new() -> Setup {
        let bao = Bao::start();
        ok(
            &bao,
            &[
                "kv",
                "put",
                "secret/app",
                "client_id=app-1",
                &format!("client_secret={SECRET}"),
            ],
        );
        let dir = tempfile::tempdir().expect("tempdir");
        let policy = write(
            dir.path(),
            "app-read.hcl",
            "path \"secret/data/app\" {\n  capabilities = [\"read\"]\n}\n",
        );
        ok(
            &bao,
            &["policy", "write", "app-read", &policy.display().to_string()],
        );
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).expect("home");
        let state = write(
            dir.path(),
            "leaky.tfstate",
            &serde_json::json!({
                "version": 4, "terraform_version": "1.9.8", "serial": 1, "lineage": "l",
                "outputs": {},
                "resources": [{
                    "mode": "managed", "type": "terraform_data", "name": "x",
                    "provider": "provider[\"terraform.io/builtin/terraform\"]",
                    "instances": [{"schema_version": 0, "attributes": {"id": "1", "input": SECRET}}]
                }]
            })
            .to_string(),
        );
        Setup {
            bao,
            dir,
            home,
            state,
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `tfguard check --vault-secret secret/app STATE` with `args` and `env`, no VAULT_TOKEN.
    fn check(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut c = tfguard();
        c.env("VAULT_ADDR", &self.bao.addr).env("HOME", &self.home);
        c.args(["check", "--vault-secret", "secret/app"])
            .args(args)
            .arg(&self.state);
        for (k, v) in env {
            c.env(k, v);
        }
        run(&mut c)
    }
}

/// Run the bao CLI as root; fail the test on error; stdout trimmed.
fn ok(bao: &Bao, args: &[&str]) -> String {
    let o = bao.cli(args);
    assert!(
        o.status.success(),
        "bao {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// Logged in and read: the planted secret is found under its Vault label.
fn assert_read(o: &Output, what: &str) {
    let (out, err) = text(o);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{what}\n--- stdout\n{out}\n--- stderr\n{err}"
    );
    assert!(
        out.contains("TFG006") && out.contains("secret/app#client_secret"),
        "{what}: {out}"
    );
    assert!(
        !out.contains(SECRET) && !err.contains(SECRET),
        "{what}: the secret was printed"
    );
}

/// A refused login: exit 2, the message names what it must, no credential anywhere.
fn assert_refused(o: &Output, what: &str, names: &[&str], creds: &[&str]) -> String {
    let (out, err) = text(o);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{what}\n--- stdout\n{out}\n--- stderr\n{err}"
    );
    for n in names {
        assert!(err.contains(n), "{what}: stderr lacks `{n}`:\n{err}");
    }
    assert_no_credential(o, what, creds);
    err
}

/// Each credential, raw, JSON-escaped or base64, and for a JWT its signature, is in no output.
fn assert_no_credential(o: &Output, what: &str, creds: &[&str]) {
    let (out, err) = text(o);
    for c in creds.iter().chain(&[SECRET]) {
        let mut forms = vec![
            c.to_string(),
            serde_json::to_string(c)
                .unwrap()
                .trim_matches('"')
                .to_string(),
            STANDARD.encode(c),
            URL_SAFE_NO_PAD.encode(c),
        ];
        if let Some(sig) = c.rsplit('.').next().filter(|s| s.len() >= 16) {
            forms.push(sig.to_string());
        }
        for f in &forms {
            assert!(
                !out.contains(f.as_str()),
                "{what}: a credential is in stdout:\n{out}"
            );
            assert!(
                !err.contains(f.as_str()),
                "{what}: a credential is in stderr:\n{err}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Token: VAULT_TOKEN, else the Vault CLI's ~/.vault-token.

#[test]
fn token_from_the_vault_cli_token_file() {
    let s = Setup::new();
    std::fs::write(s.home.join(".vault-token"), format!("{}\n", s.bao.token)).unwrap();
    assert_read(&s.check(&[], &[]), "token from ~/.vault-token");

    // VAULT_TOKEN wins over the file.
    let o = s.check(&[], &[("VAULT_TOKEN", "not-a-real-token-123")]);
    assert_eq!(o.status.code(), Some(2), "{:?}", text(&o));
    assert_no_credential(&o, "bad VAULT_TOKEN", &["not-a-real-token-123"]);

    // A token file that is not a regular file is refused, not read (nor waited on).
    std::fs::remove_file(s.home.join(".vault-token")).unwrap();
    std::fs::create_dir(s.home.join(".vault-token")).unwrap();
    assert_refused(
        &s.check(&[], &[]),
        "dir token file",
        &[".vault-token", "regular file"],
        &[],
    );

    std::fs::remove_dir(s.home.join(".vault-token")).unwrap();
    let err = assert_refused(&s.check(&[], &[]), "no token", &["VAULT_TOKEN"], &[]);
    assert!(err.contains("--vault-auth-method"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// AppRole.

/// How many tokens the server holds (root's included).
fn live_tokens(bao: &Bao) -> usize {
    let list = ok(bao, &["list", "-format=json", "auth/token/accessors"]);
    serde_json::from_str::<Vec<String>>(&list)
        .expect("accessor list")
        .len()
}

fn approle(s: &Setup) -> (String, String) {
    ok(&s.bao, &["auth", "enable", "approle"]);
    ok(
        &s.bao,
        &[
            "write",
            "auth/approle/role/ci",
            "token_policies=app-read",
            "token_ttl=5m",
            "secret_id_ttl=10m",
        ],
    );
    let role_id = ok(
        &s.bao,
        &["read", "-field=role_id", "auth/approle/role/ci/role-id"],
    );
    let secret_id = ok(
        &s.bao,
        &[
            "write",
            "-f",
            "-field=secret_id",
            "auth/approle/role/ci/secret-id",
        ],
    );
    assert!(role_id.len() >= 16 && secret_id.len() >= 16);
    (role_id, secret_id)
}

#[test]
fn approle_with_plain_and_wrapped_secret_ids() {
    let s = Setup::new();
    let (role_id, secret_id) = approle(&s);

    // From the environment, as a CI job's masked variables.
    let env = [
        ("VAULT_AUTH_METHOD", "approle"),
        ("VAULT_ROLE_ID", role_id.as_str()),
        ("VAULT_SECRET_ID", secret_id.as_str()),
    ];
    let before = live_tokens(&s.bao);
    let o = s.check(&[], &env);
    assert_read(&o, "approle from env");
    assert_no_credential(&o, "approle from env", &[&role_id, &secret_id]);
    // The token tfguard logged in for was revoked when it was done with it.
    assert_eq!(
        live_tokens(&s.bao),
        before,
        "a login token outlived the run"
    );

    // From files, as Vault Agent's role_id_file_path / secret_id_file_path.
    let rf = write(s.path(), "role-id", &format!("{role_id}\n"));
    let sf = write(s.path(), "secret-id", &format!("{secret_id}\n"));
    let (rf, sf) = (rf.display().to_string(), sf.display().to_string());
    let o = s.check(
        &[
            "--vault-auth-method",
            "approle",
            "--vault-role-id-file",
            &rf,
            "--vault-secret-id-file",
            &sf,
        ],
        &[],
    );
    assert_read(&o, "approle from files");

    // A response-wrapped secret id: looked up, checked for its origin, unwrapped.
    let wrap = ok(
        &s.bao,
        &[
            "write",
            "-f",
            "-wrap-ttl=5m",
            "-field=wrapping_token",
            "auth/approle/role/ci/secret-id",
        ],
    );
    let wf = write(s.path(), "wrapped", &wrap).display().to_string();
    let wrapped = [
        "--vault-auth-method",
        "approle",
        "--vault-role",
        "ci",
        "--vault-role-id-file",
        &rf,
        "--vault-secret-id-file",
        &wf,
        "--vault-secret-id-wrapped",
    ];
    let o = s.check(&wrapped, &[]);
    assert_read(&o, "approle with a wrapped secret id");
    assert_no_credential(&o, "wrapped", &[&wrap, &role_id]);
    // A wrapping token is good once: the second use is refused.
    let err = assert_refused(
        &s.check(&wrapped, &[]),
        "wrapped reused",
        &[
            "approle",
            "auth/approle/",
            "role `ci`",
            "not a live wrapping token",
        ],
        &[&wrap, &role_id],
    );
    assert!(!err.contains("Verified"), "{err}");

    // A wrapping token from elsewhere is not unwrapped (and so stays usable for its owner).
    let foreign = ok(
        &s.bao,
        &[
            "write",
            "-wrap-ttl=5m",
            "-field=wrapping_token",
            "sys/wrapping/wrap",
            "secret_id=planted-by-someone",
        ],
    );
    let ff = write(s.path(), "foreign", &foreign).display().to_string();
    let mut args = wrapped;
    args[7] = &ff;
    assert_refused(
        &s.check(&args, &[]),
        "foreign wrapping token",
        &["created by `sys/wrapping/wrap`", "refusing to unwrap"],
        &[&foreign, &role_id, "planted-by-someone"],
    );
    ok(&s.bao, &["unwrap", &foreign]);
    // One minted for another role of the mount is refused when the role is named.
    ok(
        &s.bao,
        &["write", "auth/approle/role/other", "token_policies=default"],
    );
    let other = ok(
        &s.bao,
        &[
            "write",
            "-f",
            "-wrap-ttl=5m",
            "-field=wrapping_token",
            "auth/approle/role/other/secret-id",
        ],
    );
    let of = write(s.path(), "other", &other).display().to_string();
    args[7] = &of;
    assert_refused(
        &s.check(&args, &[]),
        "wrapped for another role",
        &["auth/approle/role/other/secret-id", "refusing to unwrap"],
        &[&other, &role_id],
    );

    // A wrong secret id.
    let wrong = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
    let env = [
        ("VAULT_AUTH_METHOD", "approle"),
        ("VAULT_ROLE_ID", role_id.as_str()),
        ("VAULT_SECRET_ID", wrong),
    ];
    assert_refused(
        &s.check(&[], &env),
        "wrong secret id",
        &[
            "Vault login with approle at auth/approle/",
            "Vault answered 400",
        ],
        &[wrong, &role_id, &secret_id],
    );
    // No role id at all.
    assert_refused(
        &s.check(
            &[],
            &[
                ("VAULT_AUTH_METHOD", "approle"),
                ("VAULT_SECRET_ID", &secret_id),
            ],
        ),
        "no role id",
        &[
            "approle",
            "the role id from the variable VAULT_ROLE_ID: it is not set",
        ],
        &[&secret_id],
    );
    // A secret-id "file" that is a FIFO is refused at once, not waited on.
    let fifo = s.path().join("fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let o = run_bounded(
        tfguard()
            .env("VAULT_ADDR", &s.bao.addr)
            .env("HOME", &s.home)
            .env("VAULT_ROLE_ID", &role_id)
            .args([
                "check",
                "--vault-auth-method",
                "approle",
                "--vault-secret-id-file",
            ])
            .arg(&fifo)
            .args(["--vault-secret", "secret/app"])
            .arg(&s.state),
        60,
    );
    assert_refused(&o, "fifo secret id", &["FIFO", "regular file"], &[&role_id]);
}

/// `tfguard token` logs in with AppRole, reads the client's credentials from Vault and gets
/// an access token from the Genesys Cloud emulator.
#[test]
fn token_command_logs_in_with_approle() {
    let s = Setup::new();
    let client_secret = format!("gc-{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
    let emu = genesys_emulator::Emulator::start(
        genesys_emulator::Options::default().admin("app-client", client_secret.clone()),
    )
    .expect("emulator");
    ok(
        &s.bao,
        &[
            "kv",
            "put",
            "secret/app",
            "client_id=app-client",
            &format!("client_secret={client_secret}"),
        ],
    );
    let (role_id, secret_id) = approle(&s);
    let sf = write(s.path(), "secret-id", &secret_id);
    let o = run(tfguard()
        .env("VAULT_ADDR", &s.bao.addr)
        .env("HOME", &s.home)
        .env("VAULT_AUTH_METHOD", "approle")
        .env("VAULT_ROLE_ID", &role_id)
        .env("VAULT_SECRET_ID_FILE", &sf)
        .env("TFGUARD_GENESYS_API_URL", emu.base_url())
        .env("TFGUARD_GENESYS_LOGIN_URL", emu.base_url())
        .args([
            "token",
            "--vault-secret",
            "secret/app",
            "--region",
            "us-east-1",
        ]));
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    let tok = out.trim();
    assert!(!tok.is_empty() && !tok.contains(' '), "{tok:?}");
    assert_no_credential(&o, "token", &[&role_id, &secret_id, &client_secret]);
}

// ---------------------------------------------------------------------------------------------
// JWT: a CI ID token signed by a key the test makes.

fn openssl(args: &[&str], dir: &Path) {
    let o = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl");
    assert!(
        o.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// An RSA key pair in `dir`: (private key file, public key file).
fn keypair(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let key = format!("{name}.key");
    let pub_ = format!("{name}.pub");
    openssl(
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            &key,
        ],
        dir,
    );
    openssl(&["pkey", "-in", &key, "-pubout", "-out", &pub_], dir);
    (dir.join(key), dir.join(pub_))
}

/// An RS256 JWT of `claims`, signed with `key`.
fn sign(key: &Path, claims: &serde_json::Value) -> String {
    let head = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(claims.to_string());
    let input = format!("{head}.{body}");
    let mut child = Command::new("openssl")
        .args(["dgst", "-sha256", "-binary", "-sign"])
        .arg(key)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("openssl");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success() && !o.stdout.is_empty());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(o.stdout))
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Claims shaped like a GitLab CI ID token.
fn ci_claims(aud: &str, project: &str) -> serde_json::Value {
    let t = now();
    serde_json::json!({
        "iss": "https://gitlab.example.test",
        "sub": format!("project_path:{project}:ref_type:branch:ref:main"),
        "aud": aud,
        "project_path": project,
        "ref": "main",
        "iat": t - 5, "nbf": t - 5, "exp": t + 300,
    })
}

#[test]
fn jwt_ci_id_token() {
    let s = Setup::new();
    let (key, public) = keypair(s.path(), "ci");
    let (rogue, _) = keypair(s.path(), "rogue");
    // Mounted at `gitlab/`, as a site with several JWT issuers would.
    ok(&s.bao, &["auth", "enable", "-path=gitlab", "jwt"]);
    ok(
        &s.bao,
        &[
            "write",
            "auth/gitlab/config",
            &format!("jwt_validation_pubkeys=@{}", public.display()),
            "bound_issuer=https://gitlab.example.test",
        ],
    );
    let role = write(
        s.path(),
        "role.json",
        &serde_json::json!({
            "role_type": "jwt", "user_claim": "sub",
            "bound_audiences": ["tfguard"],
            "bound_claims": {"project_path": "group/app"},
            "token_policies": ["app-read"], "token_ttl": "5m",
        })
        .to_string(),
    );
    ok(
        &s.bao,
        &[
            "write",
            "auth/gitlab/role/ci",
            &format!("@{}", role.display()),
        ],
    );

    let good = sign(&key, &ci_claims("tfguard", "group/app"));
    // GitLab's conventions: the mount and role in VAULT_AUTH_PATH / VAULT_AUTH_ROLE, the
    // token in the variable named under `id_tokens:` (VAULT_ID_TOKEN by default here).
    let env = |jwt: &str| {
        vec![
            ("VAULT_AUTH_METHOD", "jwt".to_string()),
            ("VAULT_AUTH_PATH", "gitlab".to_string()),
            ("VAULT_AUTH_ROLE", "ci".to_string()),
            ("VAULT_ID_TOKEN", jwt.to_string()),
        ]
    };
    let run_env = |jwt: &str, args: &[&str]| {
        let e = env(jwt);
        let e: Vec<(&str, &str)> = e.iter().map(|(k, v)| (*k, v.as_str())).collect();
        s.check(args, &e)
    };
    let o = run_env(&good, &[]);
    assert_read(&o, "jwt from VAULT_ID_TOKEN");
    assert_no_credential(&o, "jwt", &[&good]);

    // From a file, and from a variable of another name.
    let f = write(s.path(), "id-token", &good).display().to_string();
    assert_read(
        &s.check(
            &[
                "--vault-auth-method",
                "jwt",
                "--vault-auth-mount",
                "gitlab",
                "--vault-role",
                "ci",
                "--vault-jwt-file",
                &f,
            ],
            &[],
        ),
        "jwt from a file",
    );
    assert_read(
        &s.check(
            &[
                "--vault-auth-method=jwt",
                "--vault-auth-mount=gitlab",
                "--vault-role=ci",
                "--vault-jwt-env=CI_ID_TOKEN",
            ],
            &[("CI_ID_TOKEN", &good)],
        ),
        "jwt from another variable",
    );

    let names = [
        "Vault login with jwt at auth/gitlab/ (role `ci`) failed",
        "Vault answered",
    ];
    // Signed by a key OpenBao does not trust.
    let forged = sign(&rogue, &ci_claims("tfguard", "group/app"));
    assert_refused(
        &run_env(&forged, &[]),
        "bad signature",
        &names,
        &[&forged, &good],
    );
    // Well signed, for another audience, or another project.
    let aud = sign(&key, &ci_claims("someone-else", "group/app"));
    assert_refused(&run_env(&aud, &[]), "wrong audience", &names, &[&aud]);
    let proj = sign(&key, &ci_claims("tfguard", "group/other"));
    assert_refused(&run_env(&proj, &[]), "unbound claim", &names, &[&proj]);
    // Expired.
    let mut old = ci_claims("tfguard", "group/app");
    old["exp"] = serde_json::json!(now() - 3600);
    old["iat"] = serde_json::json!(now() - 7200);
    old["nbf"] = serde_json::json!(now() - 7200);
    let old = sign(&key, &old);
    assert_refused(&run_env(&old, &[]), "expired", &names, &[&old]);
    // A role that does not exist.
    assert_refused(
        &run_env(&good, &["--vault-role", "nope"]),
        "wrong role",
        &["jwt at auth/gitlab/ (role `nope`)"],
        &[&good],
    );
    // The default mount has no JWT method here.
    assert_refused(
        &s.check(
            &["--vault-auth-method", "jwt", "--vault-role", "ci"],
            &[("VAULT_ID_TOKEN", &good)],
        ),
        "wrong mount",
        &["jwt at auth/jwt/ (role `ci`)"],
        &[&good],
    );
    // No token at all.
    assert_refused(
        &s.check(
            &["--vault-auth-method", "jwt", "--vault-auth-mount", "gitlab"],
            &[],
        ),
        "no token",
        &[
            "jwt at auth/gitlab/ (the mount's default role)",
            "VAULT_ID_TOKEN: it is not set",
        ],
        &[],
    );
}

// ---------------------------------------------------------------------------------------------
// Kubernetes. OpenBao's Kubernetes method always asks the cluster's TokenReview API whether a
// service-account token is live; there is no cluster here, so a stand-in on loopback answers
// for exactly one token (the one the test "issued"), as the API server would for a live one,
// and "not authenticated" for any other. OpenBao itself checks the signature (`pem_keys`), the
// role and its service-account bindings.

struct TokenReview {
    url: String,
    reviews: Arc<AtomicUsize>,
}

fn token_review(live: String) -> TokenReview {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", l.local_addr().unwrap());
    let reviews = Arc::new(AtomicUsize::new(0));
    let count = reviews.clone();
    std::thread::spawn(move || {
        for conn in l.incoming() {
            let Ok(mut conn) = conn else { continue };
            let mut r = BufReader::new(conn.try_clone().expect("clone"));
            let (mut len, mut line, mut first) = (0usize, String::new(), String::new());
            r.read_line(&mut first).ok();
            loop {
                line.clear();
                if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; len];
            r.read_exact(&mut body).ok();
            let req: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let answer = if first.starts_with("POST /apis/authentication.k8s.io/v1/tokenreviews") {
                count.fetch_add(1, Ordering::SeqCst);
                let authenticated = req["spec"]["token"].as_str() == Some(live.as_str());
                let mut status = serde_json::json!({ "authenticated": authenticated });
                if authenticated {
                    status["user"] = serde_json::json!({
                        "username": "system:serviceaccount:apps:tfguard",
                        "uid": "0d4f2c5e-uid",
                        "groups": ["system:serviceaccounts", "system:serviceaccounts:apps"],
                    });
                }
                serde_json::json!({
                    "apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "status": status,
                })
                .to_string()
            } else {
                String::from("{}")
            };
            let _ = write!(
                conn,
                "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    TokenReview { url, reviews }
}

fn sa_claims() -> serde_json::Value {
    serde_json::json!({
        "iss": "kubernetes/serviceaccount",
        "sub": "system:serviceaccount:apps:tfguard",
        "kubernetes.io/serviceaccount/namespace": "apps",
        "kubernetes.io/serviceaccount/service-account.name": "tfguard",
        "kubernetes.io/serviceaccount/service-account.uid": "0d4f2c5e-uid",
        "kubernetes.io/serviceaccount/secret.name": "tfguard-token",
    })
}

/// The token as the kubelet mounts it: `token -> ..data/token`, `..data -> ..<timestamp>`.
fn mount_token(dir: &Path, jwt: &str) -> PathBuf {
    let sa = dir.join("serviceaccount");
    let stamp = sa.join("..2026_12_02_01_00_00.000000001");
    std::fs::create_dir_all(&stamp).unwrap();
    std::fs::write(stamp.join("token"), jwt).unwrap();
    std::os::unix::fs::symlink("..2026_12_02_01_00_00.000000001", sa.join("..data")).unwrap();
    std::os::unix::fs::symlink("..data/token", sa.join("token")).unwrap();
    sa.join("token")
}

#[test]
fn kubernetes_service_account_token() {
    let s = Setup::new();
    let (key, public) = keypair(s.path(), "sa");
    let (rogue, _) = keypair(s.path(), "rogue");
    let live = sign(&key, &sa_claims());
    let review = token_review(live.clone());
    // OpenBao wants a CA certificate for the API even when it talks plain http to it.
    openssl(
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "1",
            "-subj",
            "/CN=test-ca",
        ],
        s.path(),
    );
    ok(&s.bao, &["auth", "enable", "kubernetes"]);
    ok(
        &s.bao,
        &[
            "write",
            "auth/kubernetes/config",
            &format!("kubernetes_host={}", review.url),
            &format!("kubernetes_ca_cert=@{}", s.path().join("ca.pem").display()),
            &format!("pem_keys=@{}", public.display()),
            "disable_local_ca_jwt=true",
            "token_reviewer_jwt=reviewer-jwt-not-checked-here",
        ],
    );
    ok(
        &s.bao,
        &[
            "write",
            "auth/kubernetes/role/app",
            "bound_service_account_names=tfguard",
            "bound_service_account_namespaces=apps",
            "token_policies=app-read",
            "token_ttl=5m",
        ],
    );
    let file = mount_token(s.path(), &live);
    let f = file.display().to_string();
    let args = |role: &'static str| -> Vec<String> {
        vec![
            "--vault-auth-method=kubernetes".into(),
            format!("--vault-role={role}"),
            format!("--vault-kubernetes-token-file={f}"),
        ]
    };
    let check = |a: &[String]| s.check(&a.iter().map(String::as_str).collect::<Vec<_>>(), &[]);

    let o = check(&args("app"));
    assert_read(&o, "kubernetes");
    assert_no_credential(&o, "kubernetes", &[&live]);
    assert!(
        review.reviews.load(Ordering::SeqCst) >= 1,
        "OpenBao asked the TokenReview API"
    );

    let names = [
        "Vault login with kubernetes at auth/kubernetes/ (role `app`) failed",
        "Vault answered",
    ];
    // Well signed, but not a token the cluster knows (revoked, or from another cluster).
    let mut claims = sa_claims();
    claims["kubernetes.io/serviceaccount/secret.name"] = serde_json::json!("revoked-token");
    let dead = sign(&key, &claims);
    let dir2 = s.path().join("dead");
    let dead_file = mount_token(&dir2, &dead);
    let mut a = args("app");
    a[2] = format!("--vault-kubernetes-token-file={}", dead_file.display());
    assert_refused(
        &check(&a),
        "token the cluster does not know",
        &names,
        &[&dead, &live],
    );
    // Signed by another key: OpenBao's own signature check refuses it.
    let forged = sign(&rogue, &sa_claims());
    let dir3 = s.path().join("forged");
    let forged_file = mount_token(&dir3, &forged);
    a[2] = format!("--vault-kubernetes-token-file={}", forged_file.display());
    let before = review.reviews.load(Ordering::SeqCst);
    assert_refused(&check(&a), "forged token", &names, &[&forged, &live]);
    assert_eq!(
        review.reviews.load(Ordering::SeqCst),
        before,
        "refused before any review"
    );
    // A role that does not exist, and none at all.
    assert_refused(
        &check(&args("nope")),
        "wrong role",
        &["kubernetes at auth/kubernetes/ (role `nope`)"],
        &[&live],
    );
    assert_refused(
        &s.check(
            &[
                "--vault-auth-method",
                "kubernetes",
                "--vault-kubernetes-token-file",
                &f,
            ],
            &[],
        ),
        "no role",
        &[
            "kubernetes at auth/kubernetes/ (no role named)",
            "--vault-role",
        ],
        &[&live],
    );
    // Not in a pod: the default token file is missing, and the message says what to pass.
    if !Path::new("/var/run/secrets/kubernetes.io/serviceaccount/token").exists() {
        assert_refused(
            &s.check(
                &["--vault-auth-method", "kubernetes", "--vault-role", "app"],
                &[],
            ),
            "not in a pod",
            &[
                "/var/run/secrets/kubernetes.io/serviceaccount/token",
                "--vault-kubernetes-token-file",
            ],
            &[],
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The provisioning commands log in the same way: apply, rotate and destroy with AppRole, under
// a policy that grants only what they need on their own Vault paths.

#[test]
fn apply_rotate_destroy_log_in_with_approle() {
    let mut env = apply_support::Env::new();
    let bao = env.bao();
    let dir = tempfile::tempdir().expect("tempdir");
    let policy = write(
        dir.path(),
        "provision.hcl",
        "path \"secret/data/tfguard/*\" {\n  capabilities = [\"create\", \"update\", \"read\"]\n}\n\
         path \"secret/metadata/tfguard/*\" {\n  capabilities = [\"read\", \"delete\"]\n}\n",
    );
    ok(
        bao,
        &[
            "policy",
            "write",
            "provision",
            &policy.display().to_string(),
        ],
    );
    ok(bao, &["auth", "enable", "approle"]);
    ok(
        bao,
        &[
            "write",
            "auth/approle/role/deployer",
            "token_policies=provision",
            "token_ttl=5m",
        ],
    );
    let role_id = ok(
        bao,
        &[
            "read",
            "-field=role_id",
            "auth/approle/role/deployer/role-id",
        ],
    );
    let secret_id = ok(
        bao,
        &[
            "write",
            "-f",
            "-field=secret_id",
            "auth/approle/role/deployer/secret-id",
        ],
    );
    let sf = write(dir.path(), "secret-id", &secret_id);
    let approle = |args: &[&str], env: &apply_support::Env| {
        let mut c = env.cmd(args);
        c.env_remove("VAULT_TOKEN")
            .env("HOME", dir.path())
            .env("VAULT_AUTH_METHOD", "approle")
            .env("VAULT_ROLE_ID", &role_id)
            .env("VAULT_SECRET_ID_FILE", &sf);
        c
    };
    for args in [
        &["apply", "--auto-approve", "."][..],
        &["rotate", "reporting", "."][..],
        &["destroy", "--auto-approve", "."][..],
    ] {
        let mut c = approle(args, &env);
        let o = env.run_cmd(&mut c);
        apply_support::assert_ok(&o, args[0]);
        assert_no_credential(&o, args[0], &[&role_id, &secret_id]);
        if args[0] == "rotate" {
            // Still there, with the rotated secret: the token command reads it the same way.
            env.audit(&[apply_support::VAULT_PATH]);
        }
    }
    assert!(env.emu.clients().is_empty(), "destroyed");
    let m = env.bao().cli(&[
        "kv",
        "metadata",
        "get",
        "-mount=secret",
        apply_support::VAULT_PATH,
    ]);
    assert!(!m.status.success(), "every version destroyed");
    // A revoked secret id stops the next run, naming the role's mount.
    ok(
        env.bao(),
        &[
            "write",
            "auth/approle/role/deployer/secret-id/destroy",
            &format!("secret_id={secret_id}"),
        ],
    );
    let mut c = approle(&["plan", "."], &env);
    let o = env.run_cmd(&mut c);
    assert_refused(
        &o,
        "revoked secret id",
        &["Vault login with approle at auth/approle/"],
        &[&role_id, &secret_id],
    );
    env.assert_no_leak();
}
