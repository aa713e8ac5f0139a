//! Vault (or OpenBao) KV v2 client, configured the way the Vault CLI is: `VAULT_ADDR`,
//! `VAULT_NAMESPACE`, `VAULT_CACERT`/`VAULT_CAPATH`, and a token from `VAULT_TOKEN` (else
//! `~/.vault-token`) or from a login with AppRole, JWT or Kubernetes ([`auth`]).
//!
//! Plain HTTP calls to Vault's API over the reqwest client (rustls) that the Genesys client
//! uses too, on a current-thread tokio runtime owned by the client, so callers (the CLI
//! commands) stay synchronous. Four KV v2 endpoints do not need an SDK: the `vaultrs` crate it
//! replaced cost a fifth of a first build's critical path (issue 17) and kept two plain
//! `String` copies of the token.
//!
//! Rules kept here:
//! - plain `http://` is accepted only for a loopback address (a dev server); anything else
//!   must be `https://`, so a token or secret never crosses a network in clear text;
//! - values come back as `SecretString` and are never formatted into errors;
//! - a 403 becomes an answer: the path, the capabilities that are missing (asked of Vault via
//!   `sys/capabilities-self`) and the policy that would grant them.

pub mod auth;

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::secret;

pub use auth::{AuthArgs, Method};

/// The largest answer read to a login or unwrap; they are a few KiB.
const MAX_AUTH_ANSWER: usize = 256 << 10;

/// The largest KV v2 answer read: Vault's own default request limit (`max_request_size`).
const MAX_KV_ANSWER: usize = 32 << 20;

/// What an operation on a KV v2 secret needs, for 403 answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Read,
    Write,
    ReadMetadata,
    DestroyAll,
}

impl Op {
    fn verb(self) -> &'static str {
        match self {
            Op::Read => "read",
            Op::Write => "write",
            Op::ReadMetadata => "read the metadata of",
            Op::DestroyAll => "destroy all versions of",
        }
    }

    /// (API path, capabilities) this operation needs on a KV v2 secret.
    fn needs(self, mount: &str, path: &str) -> (String, &'static [&'static str]) {
        match self {
            Op::Read => (format!("{mount}/data/{path}"), &["read"]),
            // A check-and-set write creates the first version and updates later ones.
            Op::Write => (format!("{mount}/data/{path}"), &["create", "update"]),
            Op::ReadMetadata => (format!("{mount}/metadata/{path}"), &["read"]),
            Op::DestroyAll => (format!("{mount}/metadata/{path}"), &["delete"]),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// Bad or missing settings (`VAULT_ADDR`, `VAULT_TOKEN`, a path).
    #[error("{0}")]
    Config(String),
    /// A login that failed: names the method, the mount and the role, never a credential.
    #[error("Vault login with {method} at auth/{mount}/ ({role}) failed: {reason}")]
    Login {
        method: &'static str,
        mount: String,
        role: String,
        reason: String,
    },
    #[error("Vault at {addr} could not be reached: {reason}")]
    Unreachable { addr: String, reason: String },
    #[error("{}", forbidden_text(.op, .api_path, .namespace, .missing, .unknown))]
    Forbidden {
        op: Op,
        api_path: String,
        namespace: Option<String>,
        missing: Vec<String>,
        /// True when Vault would not tell us the token's capabilities.
        unknown: bool,
    },
    #[error("no secret at {mount}/{path} in Vault")]
    NotFound { mount: String, path: String },
    #[error(
        "check-and-set write to {mount}/{path} refused: the secret is no longer at version {expected} (someone else wrote it)"
    )]
    CasMismatch {
        mount: String,
        path: String,
        expected: u64,
    },
    #[error("Vault answered {code} for {api_path}: {message}")]
    Api {
        code: u16,
        api_path: String,
        message: String,
    },
}

impl VaultError {
    /// Worth retrying with backoff: the server is down or overloaded, not refusing us.
    pub fn is_transient(&self) -> bool {
        match self {
            VaultError::Unreachable { .. } => true,
            VaultError::Api { code, .. } => *code >= 500 || *code == 429,
            _ => false,
        }
    }
}

/// The policy stanza that grants `caps` on `api_path`, as `vault policy write` takes it.
pub fn policy_for(api_path: &str, caps: &[String]) -> String {
    let list = caps
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    format!("path \"{api_path}\" {{\n  capabilities = [{list}]\n}}")
}

fn forbidden_text(
    op: &Op,
    api_path: &str,
    namespace: &Option<String>,
    missing: &[String],
    unknown: &bool,
) -> String {
    let ns = namespace
        .as_deref()
        .map(|n| format!(" in namespace `{n}`"))
        .unwrap_or_default();
    let lack = if *unknown {
        format!(
            "it needs {} (Vault would not report the token's capabilities)",
            missing.join(", ")
        )
    } else {
        format!("missing capabilities: {}", missing.join(", "))
    };
    format!(
        "Vault denied permission to {} {api_path}{ns} (403): {lack}.\n\
         A policy that grants them (`vault policy write <name> <file>`, then attach it to the token):\n\n{}",
        op.verb(),
        policy_for(api_path, missing)
    )
}

/// A KV v2 secret version: its values, each boxed as a secret.
pub struct Kv2Secret {
    pub version: u64,
    pub data: BTreeMap<String, SecretString>,
}

impl fmt::Debug for Kv2Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Kv2Secret")
            .field("version", &self.version)
            .field("keys", &self.data.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Kv2Secret {
    pub fn get(&self, key: &str) -> Option<&SecretString> {
        self.data.get(key)
    }
}

/// Serialises the values for a write; exists only for the duration of the request.
struct Exposed<'a>(&'a BTreeMap<String, SecretString>);

impl Serialize for Exposed<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            m.serialize_entry(k, v.expose_secret())?;
        }
        m.end()
    }
}

pub struct Client {
    rt: tokio::runtime::Runtime,
    http: reqwest::Client,
    addr: String,
    namespace: Option<String>,
    token: SecretString,
    /// Set when tfguard logged in itself: the token is then revoked when the client is
    /// dropped, so a run leaves no live token (nor a lease) behind.
    logged_in: bool,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("vault::Client")
            .field("addr", &self.addr)
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

/// True for `127.0.0.0/8`, `::1` and `localhost`.
pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Split `mount/path` (the form `vault kv get` takes) without asking the server. A `data/`
/// right after the mount (the API form, `secret/data/app`) is dropped.
pub fn split_path_naive(full: &str) -> Result<(String, String), VaultError> {
    let full = full.trim().trim_matches('/');
    let (mount, rest) = full.split_once('/').ok_or_else(|| {
        VaultError::Config(format!(
            "`{full}` is not a KV v2 path: expected MOUNT/PATH, e.g. secret/tfguard/my-client"
        ))
    })?;
    let rest = rest.strip_prefix("data/").unwrap_or(rest);
    if mount.is_empty() || rest.is_empty() {
        return Err(VaultError::Config(format!(
            "`{full}` is not a KV v2 path: expected MOUNT/PATH, e.g. secret/tfguard/my-client"
        )));
    }
    Ok((mount.to_string(), rest.to_string()))
}

impl Drop for Client {
    /// Revoke a token tfguard logged in for (best effort, briefly: Vault expires it anyway).
    fn drop(&mut self) {
        if self.logged_in {
            let url = format!("{}/v1/auth/token/revoke-self", self.addr);
            // Built inside the runtime: reqwest's timeout needs its timer.
            let _ = self.rt.block_on(async {
                self.request(reqwest::Method::POST, &url)
                    .timeout(Duration::from_secs(5))
                    .send()
                    .await
            });
        }
    }
}

impl Client {
    /// Configure from the environment with a token (`VAULT_TOKEN`, else `~/.vault-token`).
    pub fn from_env() -> Result<Client, VaultError> {
        Client::connect(&AuthArgs::default())
    }

    /// Configure from the environment as the Vault CLI does and log in as `auth` says. Fails
    /// without network when the address is invalid or not loopback over plain http; a failed
    /// login is a [`VaultError::Login`].
    pub fn connect(auth: &AuthArgs) -> Result<Client, VaultError> {
        let addr = env_nonempty("VAULT_ADDR").ok_or_else(|| {
            VaultError::Config(
                "VAULT_ADDR is not set: export the Vault address, e.g. VAULT_ADDR=https://vault.example.com:8200"
                    .into(),
            )
        })?;
        let namespace = env_nonempty("VAULT_NAMESPACE");
        if auth.method == Method::Token {
            return Client::new(&addr, auth::token_from_env()?, namespace);
        }
        let mut c = Client::new(&addr, SecretString::from(""), namespace)?;
        let token = auth::login(&c, auth)?;
        c.set_token(token);
        c.logged_in = true;
        Ok(c)
    }

    fn set_token(&mut self, token: SecretString) {
        self.token = token;
    }

    /// POST `body` to `/v1/{api_path}` (a login, a wrapping lookup or unwrap) with `token`
    /// if given, and return the status and the answer. Both bodies may hold credentials, so
    /// both live in buffers zeroised on drop; the answer's is sized once and capped.
    fn post_raw(
        &self,
        api_path: &str,
        body: Zeroizing<Vec<u8>>,
        token: Option<&SecretString>,
    ) -> Result<(u16, Zeroizing<Vec<u8>>), VaultError> {
        let url = format!("{}/v1/{api_path}", self.addr);
        let unreachable = |e: reqwest::Error| VaultError::Unreachable {
            addr: self.addr.clone(),
            reason: crate::error::chain(&e),
        };
        self.rt.block_on(async {
            let mut r = self
                .http
                .post(&url)
                .header("X-Vault-Request", "true")
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(reqwest::Body::from(bytes::Bytes::from_owner(body)));
            if let Some(t) = token {
                let mut v =
                    reqwest::header::HeaderValue::from_str(t.expose_secret()).map_err(|_| {
                        VaultError::Config("a token with characters no HTTP header may hold".into())
                    })?;
                v.set_sensitive(true);
                r = r.header("X-Vault-Token", v);
            }
            if let Some(ns) = &self.namespace {
                r = r.header("X-Vault-Namespace", ns);
            }
            let mut resp = r.send().await.map_err(unreachable)?;
            let status = resp.status().as_u16();
            let mut answer = Zeroizing::new(Vec::with_capacity(MAX_AUTH_ANSWER));
            while let Some(chunk) = resp.chunk().await.map_err(unreachable)? {
                if answer.len() + chunk.len() > MAX_AUTH_ANSWER {
                    return Err(VaultError::Api {
                        code: status,
                        api_path: api_path.to_string(),
                        message: format!("an answer over {} KiB", MAX_AUTH_ANSWER >> 10),
                    });
                }
                answer.extend_from_slice(&chunk);
            }
            Ok((status, answer))
        })
    }

    pub fn new(
        addr: &str,
        token: SecretString,
        namespace: Option<String>,
    ) -> Result<Client, VaultError> {
        crate::tls::init();
        let url = url::Url::parse(addr)
            .map_err(|e| VaultError::Config(format!("VAULT_ADDR `{addr}` is not a URL: {e}")))?;
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&url) => {}
            "http" => {
                return Err(VaultError::Config(format!(
                    "VAULT_ADDR `{addr}` uses plain http to a non-loopback host: the token and secrets would cross the network unencrypted; use https (and VAULT_CACERT for a private CA)"
                )));
            }
            s => {
                return Err(VaultError::Config(format!(
                    "VAULT_ADDR `{addr}` has scheme `{s}`; expected https (or http to a loopback dev server)"
                )));
            }
        }
        let http = http_client(&url)?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| VaultError::Config(format!("async runtime: {e}")))?;
        Ok(Client {
            rt,
            http,
            addr: url.as_str().trim_end_matches('/').to_string(),
            namespace,
            token,
            logged_in: false,
        })
    }

    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// Resolve `mount/path` to (mount, path) the way `vault kv get` does: ask the server which
    /// mount serves it (so nested mounts like `kv/team-a` work) and that it is KV v2. Falls back
    /// to the first segment when the token may not ask.
    pub fn resolve_path(&self, full: &str) -> Result<(String, String), VaultError> {
        let naive = split_path_naive(full)?;
        let full = full.trim().trim_matches('/');
        let url = format!("{}/v1/sys/internal/ui/mounts/{full}", self.addr);
        let resp = self.rt.block_on(async {
            let r = self.request(reqwest::Method::GET, &url).send().await?;
            let status = r.status();
            let body: serde_json::Value = r.json().await.unwrap_or_default();
            Ok::<_, reqwest::Error>((status, body))
        });
        let Ok((status, body)) = resp else {
            return Ok(naive);
        };
        if !status.is_success() {
            return Ok(naive);
        }
        let data = &body["data"];
        let Some(mount) = data["path"].as_str().map(|m| m.trim_end_matches('/')) else {
            return Ok(naive);
        };
        if !mount.is_empty() && data["type"].as_str() == Some("kv") {
            let version = data["options"]["version"].as_str().unwrap_or("1");
            if version != "2" {
                return Err(VaultError::Config(format!(
                    "the mount `{mount}/` is KV version {version}; tfguard writes with check-and-set, which needs KV version 2 (`vault kv enable-versioning {mount}/`)"
                )));
            }
            let rest = full
                .strip_prefix(mount)
                .unwrap_or(full)
                .trim_start_matches('/');
            let rest = rest.strip_prefix("data/").unwrap_or(rest);
            if rest.is_empty() {
                return Err(VaultError::Config(format!(
                    "`{full}` names the mount itself; add the secret's path, e.g. {mount}/tfguard/my-client"
                )));
            }
            return Ok((mount.to_string(), rest.to_string()));
        }
        Ok(naive)
    }

    /// Read the latest version. Missing (or soft-deleted) is `NotFound`.
    pub fn read_kv2(&self, mount: &str, path: &str) -> Result<Kv2Secret, VaultError> {
        let api = format!("{mount}/data/{path}");
        let mut body = self.kv(reqwest::Method::GET, &api, None, Op::Read, mount, path)?;
        let version = body["data"]["metadata"]["version"].as_u64();
        // Taken, not cloned: the values move into secrets instead of leaving a second copy.
        let secret = match (kv_data(body["data"]["data"].take()), version) {
            (Some(data), Some(version)) => Kv2Secret { version, data },
            // A soft-deleted or destroyed version answers with `data: null`.
            _ => {
                return Err(VaultError::NotFound {
                    mount: mount.into(),
                    path: path.into(),
                });
            }
        };
        Ok(secret)
    }

    /// The current version number, `None` when no secret exists at the path.
    pub fn current_version(&self, mount: &str, path: &str) -> Result<Option<u64>, VaultError> {
        let api = format!("{mount}/metadata/{path}");
        match self.kv(
            reqwest::Method::GET,
            &api,
            None,
            Op::ReadMetadata,
            mount,
            path,
        ) {
            Ok(body) => body["data"]["current_version"]
                .as_u64()
                .map(Some)
                .ok_or_else(|| VaultError::Api {
                    code: 200,
                    api_path: api,
                    message: "metadata without `current_version`".into(),
                }),
            Err(VaultError::NotFound { .. }) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// Write a new version with check-and-set: `expected` is the version the caller last saw
    /// (0 = the secret must not exist yet). Returns the new version.
    pub fn write_kv2(
        &self,
        mount: &str,
        path: &str,
        data: &BTreeMap<String, SecretString>,
        expected: u64,
    ) -> Result<u64, VaultError> {
        let api = format!("{mount}/data/{path}");
        // The request body holds the values: built into a buffer that is wiped when sent.
        let body = serde_json::to_vec(&WriteBody {
            options: WriteOptions { cas: expected },
            data: Exposed(data),
        })
        .map_err(|e| VaultError::Config(format!("encoding the write to {mount}/{path}: {e}")))?;
        match self.kv(
            reqwest::Method::POST,
            &api,
            Some(Zeroizing::new(body)),
            Op::Write,
            mount,
            path,
        ) {
            Ok(answer) => answer["data"]["version"]
                .as_u64()
                .ok_or_else(|| VaultError::Api {
                    code: 200,
                    api_path: api,
                    message: "a write answer without `version`".into(),
                }),
            Err(VaultError::Api {
                code: 400, message, ..
            }) if message.contains("check-and-set") => Err(VaultError::CasMismatch {
                mount: mount.into(),
                path: path.into(),
                expected,
            }),
            Err(e) => Err(e),
        }
    }

    /// Delete the metadata and every version (`vault kv metadata delete`). Missing is fine.
    pub fn destroy_all(&self, mount: &str, path: &str) -> Result<(), VaultError> {
        let api = format!("{mount}/metadata/{path}");
        match self.kv(
            reqwest::Method::DELETE,
            &api,
            None,
            Op::DestroyAll,
            mount,
            path,
        ) {
            Ok(_) | Err(VaultError::NotFound { .. }) => Ok(()),
            Err(other) => Err(other),
        }
    }

    /// One KV v2 call: `/v1/{api}` with the token, the JSON answer on success (`Null` for
    /// 204), and a failure turned into [`VaultError`] for `op` (a 403 names the capabilities
    /// that are missing). The answer may hold secret values: its buffer is wiped after
    /// decoding, and it is never part of an error.
    fn kv(
        &self,
        method: reqwest::Method,
        api: &str,
        body: Option<Zeroizing<Vec<u8>>>,
        op: Op,
        mount: &str,
        path: &str,
    ) -> Result<serde_json::Value, VaultError> {
        let url = format!("{}/v1/{api}", self.addr);
        let unreachable = |e: reqwest::Error| VaultError::Unreachable {
            addr: self.addr.clone(),
            reason: crate::error::chain(&e),
        };
        let (status, answer) = self.rt.block_on(async {
            let mut r = self.request(method, &url);
            if let Some(b) = body {
                r = r
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(reqwest::Body::from(bytes::Bytes::from_owner(b)));
            }
            let mut resp = r.send().await.map_err(unreachable)?;
            let status = resp.status().as_u16();
            // Capped like the login answers: a KV secret is small, a server that sends more is
            // an error, not a reason to fill memory.
            let mut answer = Zeroizing::new(Vec::new());
            while let Some(chunk) = resp.chunk().await.map_err(unreachable)? {
                if answer.len() + chunk.len() > MAX_KV_ANSWER {
                    return Err(VaultError::Api {
                        code: status,
                        api_path: api.to_string(),
                        message: format!("an answer over {} MiB", MAX_KV_ANSWER >> 20),
                    });
                }
                answer.extend_from_slice(&chunk);
            }
            Ok::<_, VaultError>((status, answer))
        })?;
        match status {
            200..=299 => {
                if answer.is_empty() {
                    return Ok(serde_json::Value::Null);
                }
                serde_json::from_slice(&answer).map_err(|e| VaultError::Api {
                    code: status,
                    api_path: api.to_string(),
                    message: format!("an answer that is not JSON ({e})"),
                })
            }
            404 => Err(VaultError::NotFound {
                mount: mount.into(),
                path: path.into(),
            }),
            403 => Err(self.forbidden(op, mount, path)),
            code => Err(VaultError::Api {
                code,
                api_path: api.to_string(),
                message: api_errors(&answer),
            }),
        }
    }

    fn request(&self, method: reqwest::Method, url: &str) -> reqwest::RequestBuilder {
        let mut r = self
            .http
            .request(method, url)
            .header("X-Vault-Token", self.token.expose_secret())
            .header("X-Vault-Request", "true");
        if let Some(ns) = &self.namespace {
            r = r.header("X-Vault-Namespace", ns);
        }
        r
    }

    /// The token's capabilities on `api_path`, via `sys/capabilities-self` (allowed by
    /// Vault's default policy).
    fn capabilities(&self, api_path: &str) -> Option<Vec<String>> {
        let url = format!("{}/v1/sys/capabilities-self", self.addr);
        self.rt.block_on(async {
            let r = self
                .request(reqwest::Method::POST, &url)
                .json(&serde_json::json!({ "paths": [api_path] }))
                .send()
                .await
                .ok()?;
            if !r.status().is_success() {
                return None;
            }
            let body: serde_json::Value = r.json().await.ok()?;
            let caps = body
                .get(api_path)
                .or_else(|| body.get("capabilities"))
                .or_else(|| body["data"].get(api_path))?;
            Some(
                caps.as_array()?
                    .iter()
                    .filter_map(|c| c.as_str().map(str::to_string))
                    .collect(),
            )
        })
    }

    /// A 403 made into an answer: the capabilities the token lacks for `op`, asked of Vault.
    fn forbidden(&self, op: Op, mount: &str, path: &str) -> VaultError {
        let (api_path, needed) = op.needs(mount, path);
        let have = self.capabilities(&api_path);
        let (missing, unknown) = match &have {
            Some(have) if have.iter().any(|c| c == "root") => (Vec::new(), false),
            Some(have) => (
                needed
                    .iter()
                    .filter(|n| !have.iter().any(|h| h == *n))
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>(),
                false,
            ),
            None => (needed.iter().map(|s| s.to_string()).collect(), true),
        };
        // A 403 with every capability present means the token itself was refused
        // (expired, revoked, wrong namespace): say so rather than print an empty policy.
        if missing.is_empty() {
            return VaultError::Api {
                code: 403,
                api_path,
                message: "permission denied although the token's policy grants the capabilities; check that VAULT_TOKEN is valid and VAULT_NAMESPACE is right".into(),
            };
        }
        VaultError::Forbidden {
            op,
            api_path,
            namespace: self.namespace.clone(),
            missing,
            unknown,
        }
    }
}

/// `{"options": {"cas": N}, "data": {...}}`, the body of a KV v2 check-and-set write.
#[derive(Serialize)]
struct WriteBody<'a> {
    options: WriteOptions,
    data: Exposed<'a>,
}

#[derive(Serialize)]
struct WriteOptions {
    cas: u64,
}

/// Vault's `{"errors": [...]}` as one line; never the rest of an answer, which may hold values.
fn api_errors(answer: &[u8]) -> String {
    let errors: Vec<String> = serde_json::from_slice::<serde_json::Value>(answer)
        .ok()
        .and_then(|v| {
            v["errors"].as_array().map(|a| {
                a.iter()
                    .filter_map(|e| e.as_str().map(str::to_string))
                    .collect()
            })
        })
        .unwrap_or_default();
    if errors.is_empty() {
        "(no message)".into()
    } else {
        errors.join("; ")
    }
}

/// The HTTP client for `url`, with TLS as the Vault CLI configures it: extra roots from
/// `VAULT_CACERT` (a PEM bundle) and `VAULT_CAPATH` (a directory of them), a client identity
/// from `VAULT_CLIENT_CERT`/`VAULT_CLIENT_KEY`, and `VAULT_SKIP_VERIFY` honoured as the CLI
/// does (Go's `ParseBool`).
fn http_client(url: &url::Url) -> Result<reqwest::Client, VaultError> {
    let mut b = reqwest::Client::builder()
        // The token rides in a header that reqwest would carry to any host a redirect names.
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("tfguard/", env!("CARGO_PKG_VERSION")));
    if url.scheme() == "https" {
        let mut files: Vec<std::path::PathBuf> = Vec::new();
        if let Some(f) = env_nonempty("VAULT_CACERT") {
            files.push(f.into());
        }
        if let Some(dir) = env_nonempty("VAULT_CAPATH") {
            let entries = std::fs::read_dir(&dir)
                .map_err(|e| VaultError::Config(format!("VAULT_CAPATH `{dir}`: {e}")))?;
            let mut found: Vec<_> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            found.sort();
            files.extend(found);
        }
        for f in files {
            let pem = std::fs::read(&f).map_err(|e| {
                VaultError::Config(format!("CA certificate `{}`: {e}", f.display()))
            })?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                VaultError::Config(format!(
                    "CA certificate `{}`: not PEM certificates: {e}",
                    f.display()
                ))
            })?;
            b = b.tls_certs_merge(certs);
        }
        if env_nonempty("VAULT_SKIP_VERIFY")
            .is_some_and(|v| matches!(v.trim(), "1" | "t" | "T" | "true" | "TRUE" | "True"))
        {
            b = b.tls_danger_accept_invalid_certs(true);
        }
    }
    if let Some(id) = crate::tls::vault_client_identity().map_err(VaultError::Config)? {
        b = b.identity(id);
    }
    b.build()
        .map_err(|e| VaultError::Config(format!("Vault HTTP client: {}", crate::error::chain(&e))))
}

/// The key/value pairs of a KV v2 secret's `data` (`None` when it is not an object): strings as
/// they are, other JSON values as their JSON text, every value held as a secret.
fn kv_data(data: serde_json::Value) -> Option<BTreeMap<String, SecretString>> {
    let serde_json::Value::Object(map) = data else {
        return None;
    };
    Some(
        map.into_iter()
            .map(|(k, v)| {
                let s = match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                (k, secret::from_string(s))
            })
            .collect(),
    )
}

/// Fuzzing entry (`fuzz/`): a KV v2 read response body as the client decodes it.
#[doc(hidden)]
pub fn fuzz_read_response(body: &[u8]) {
    if let Ok(r) = serde_json::from_slice::<serde_json::Value>(body) {
        let _ = r["data"]["metadata"]["version"].as_u64();
        let _ = kv_data(r["data"]["data"].clone());
    }
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
        let _ = kv_data(v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_loopback() {
        let tok = || SecretString::from("t");
        assert!(Client::new("http://127.0.0.1:8200", tok(), None).is_ok());
        assert!(Client::new("http://localhost:8200", tok(), None).is_ok());
        assert!(Client::new("http://[::1]:8200", tok(), None).is_ok());
        let e = Client::new("http://vault.example.com:8200", tok(), None).unwrap_err();
        assert!(e.to_string().contains("plain http"), "{e}");
        assert!(Client::new("https://vault.example.com:8200", tok(), None).is_ok());
        assert!(Client::new("ftp://x", tok(), None).is_err());
    }

    #[test]
    fn naive_split() {
        assert_eq!(
            split_path_naive("secret/tfguard/app").unwrap(),
            ("secret".into(), "tfguard/app".into())
        );
        assert_eq!(
            split_path_naive("/secret/data/app/").unwrap(),
            ("secret".into(), "app".into())
        );
        assert!(split_path_naive("secret").is_err());
    }

    #[test]
    fn forbidden_prints_policy() {
        let e = VaultError::Forbidden {
            op: Op::Write,
            api_path: "secret/data/app".into(),
            namespace: None,
            missing: vec!["create".into(), "update".into()],
            unknown: false,
        };
        let t = e.to_string();
        assert!(t.contains("missing capabilities: create, update"), "{t}");
        assert!(
            t.contains("path \"secret/data/app\" {\n  capabilities = [\"create\", \"update\"]\n}"),
            "{t}"
        );
    }
}
