//! Logging in to Vault the ways users do: a token (`VAULT_TOKEN`, else the Vault CLI's
//! `~/.vault-token`), AppRole (role id + secret id, the secret id plain or response-wrapped),
//! JWT (a CI system's OIDC ID token) and Kubernetes (the pod's service-account token).
//!
//! Rules kept here:
//! - every credential (role id, secret id, wrapping token, JWT, the token Vault hands back)
//!   is a `SecretString` from the moment it is read, and the request and answer bodies that
//!   carry one live in buffers zeroised on drop;
//! - credentials come from files or the environment, never from the command line (which any
//!   local user can read in `/proc/*/cmdline`); files are read the careful way: regular files
//!   only, at most 64 KiB;
//! - an error names the method, the mount and the role, never a value; what Vault answers is
//!   scrubbed of the credentials sent before it is shown.

use std::io::Read;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use zeroize::{Zeroize, Zeroizing};

use super::{Client, VaultError};
use crate::discover::{self, Refusal};

/// Where Kubernetes mounts a pod's service-account token.
pub const DEFAULT_KUBERNETES_TOKEN_FILE: &str =
    "/var/run/secrets/kubernetes.io/serviceaccount/token";

/// A role id, secret id or JWT is a few KiB at most; a larger file is not one.
const MAX_CREDENTIAL_FILE: u64 = 64 << 10;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Method {
    /// `VAULT_TOKEN`, else the token `vault login` left in `~/.vault-token`.
    #[default]
    Token,
    /// Role id + secret id (`VAULT_ROLE_ID`, `VAULT_SECRET_ID` or the `-file` flags).
    Approle,
    /// A signed JWT, e.g. a GitHub Actions or GitLab CI ID token, and a role.
    Jwt,
    /// The pod's service-account token and a role.
    Kubernetes,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Token => "token",
            Method::Approle => "approle",
            Method::Jwt => "jwt",
            Method::Kubernetes => "kubernetes",
        }
    }
}

/// How to log in to Vault; shared by `check --vault-secret`, `plan`, `apply`, `rotate`,
/// `destroy` and `token`. Names follow the Vault CLI (`-method`, `-path`) and the variables
/// GitLab's Vault integration uses (`VAULT_AUTH_PATH`, `VAULT_AUTH_ROLE`).
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Vault login")]
pub struct AuthArgs {
    /// How to log in to Vault (VAULT_ADDR, VAULT_NAMESPACE and VAULT_CACERT apply to all).
    #[arg(
        long = "vault-auth-method",
        env = "VAULT_AUTH_METHOD",
        value_enum,
        value_name = "METHOD",
        default_value_t = Method::Token
    )]
    pub method: Method,
    /// Path the auth method is enabled at, as `vault login -path` (default: the method's
    /// name: approle, jwt, kubernetes).
    #[arg(
        long = "vault-auth-mount",
        env = "VAULT_AUTH_PATH",
        value_name = "PATH"
    )]
    pub mount: Option<String>,
    /// Role to log in as: required for kubernetes; for jwt the mount's `default_role` is used
    /// without it; for approle it names the role whose wrapped secret id is accepted.
    #[arg(long = "vault-role", env = "VAULT_AUTH_ROLE", value_name = "NAME")]
    pub role: Option<String>,
    /// AppRole: read the role id from FILE (default: the VAULT_ROLE_ID variable).
    #[arg(
        long = "vault-role-id-file",
        env = "VAULT_ROLE_ID_FILE",
        value_name = "FILE"
    )]
    pub role_id_file: Option<PathBuf>,
    /// AppRole: read the secret id from FILE (default: the VAULT_SECRET_ID variable).
    #[arg(
        long = "vault-secret-id-file",
        env = "VAULT_SECRET_ID_FILE",
        value_name = "FILE"
    )]
    pub secret_id_file: Option<PathBuf>,
    /// AppRole: the secret id is a response-wrapping token (`vault write -wrap-ttl=…
    /// auth/approle/role/NAME/secret-id`); tfguard checks it was created there, then unwraps it.
    #[arg(long = "vault-secret-id-wrapped", env = "VAULT_SECRET_ID_WRAPPED")]
    pub secret_id_wrapped: bool,
    /// JWT: read the ID token from FILE (default: the variable named by --vault-jwt-env).
    #[arg(long = "vault-jwt-file", env = "VAULT_JWT_FILE", value_name = "FILE")]
    pub jwt_file: Option<PathBuf>,
    /// JWT: the environment variable holding the ID token, e.g. the name given under GitLab's
    /// `id_tokens:`.
    #[arg(
        long = "vault-jwt-env",
        env = "VAULT_JWT_ENV",
        value_name = "VAR",
        default_value = "VAULT_ID_TOKEN"
    )]
    pub jwt_env: String,
    /// Kubernetes: the service-account token file.
    #[arg(
        long = "vault-kubernetes-token-file",
        env = "VAULT_KUBERNETES_TOKEN_FILE",
        value_name = "FILE",
        default_value = DEFAULT_KUBERNETES_TOKEN_FILE
    )]
    pub kubernetes_token_file: PathBuf,
}

/// Where a credential comes from, for reading and for messages (which name it, not its value).
enum Source<'a> {
    File(&'a Path),
    Env(&'a str),
}

impl std::fmt::Display for Source<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::File(p) => write!(f, "the file {}", p.display()),
            Source::Env(v) => write!(f, "the variable {v}"),
        }
    }
}

/// The method, mount and role of one login, which every error about it names.
struct Login {
    method: Method,
    mount: String,
    role: String,
}

impl Login {
    fn fail(&self, reason: impl Into<String>) -> VaultError {
        VaultError::Login {
            method: self.method.name(),
            mount: self.mount.clone(),
            role: self.role.clone(),
            reason: reason.into(),
        }
    }
}

/// Log in with `a.method` (not `token`) and return the client token Vault issues.
pub(super) fn login(c: &Client, a: &AuthArgs) -> Result<SecretString, VaultError> {
    let mount = mount(a)?;
    let role = a.role.as_deref().map(str::trim).filter(|r| !r.is_empty());
    let who = Login {
        method: a.method,
        mount: mount.clone(),
        role: match (a.method, role) {
            (_, Some(r)) => format!("role `{r}`"),
            (Method::Jwt, None) => "the mount's default role".into(),
            (Method::Approle, None) => "the role its role id names".into(),
            (_, None) => "no role named".into(),
        },
    };
    // What is sent, kept to scrub from anything Vault says back.
    let mut sent: Vec<SecretString> = Vec::new();
    let body = match a.method {
        Method::Token => {
            return Err(VaultError::Config(
                "internal: the token method does not log in".into(),
            ));
        }
        Method::Approle => {
            let role_id = credential(&who, a.role_id_file.as_deref(), "VAULT_ROLE_ID", "role id")?;
            let secret_id = credential(
                &who,
                a.secret_id_file.as_deref(),
                "VAULT_SECRET_ID",
                "secret id",
            )?;
            let secret_id = if a.secret_id_wrapped {
                unwrap_secret_id(c, &who, role, secret_id)?
            } else {
                secret_id
            };
            let body = json_body(&[("role_id", Some(&role_id)), ("secret_id", Some(&secret_id))]);
            sent.extend([role_id, secret_id]);
            body
        }
        Method::Jwt => {
            let jwt = credential(&who, a.jwt_file.as_deref(), &a.jwt_env, "ID token")?;
            let role = role.map(|r| SecretString::from(r.to_string()));
            let body = json_body(&[("jwt", Some(&jwt)), ("role", role.as_ref())]);
            sent.push(jwt);
            body
        }
        Method::Kubernetes => {
            let Some(role) = role else {
                return Err(who.fail(
                    "no role: pass --vault-role (or set VAULT_AUTH_ROLE) to the Kubernetes auth role bound to this service account",
                ));
            };
            let jwt = read_file(&a.kubernetes_token_file).map_err(|e| {
                who.fail(format!(
                    "the service-account token: {e}{}",
                    if a.kubernetes_token_file == Path::new(DEFAULT_KUBERNETES_TOKEN_FILE) {
                        " (not in a pod? pass --vault-kubernetes-token-file)"
                    } else {
                        ""
                    }
                ))
            })?;
            let role = SecretString::from(role.to_string());
            let body = json_body(&[("jwt", Some(&jwt)), ("role", Some(&role))]);
            sent.push(jwt);
            body
        }
    };
    let (status, answer) = c
        .post_raw(&format!("auth/{mount}/login"), body, None)
        .map_err(|e| who.fail(e.to_string()))?;
    if !(200..300).contains(&status) {
        // Vault says 403 both for a refused credential and for a path nothing is mounted at.
        let hint = if status == 403 {
            format!(
                " (the credential was refused, or no {} auth method is enabled at auth/{mount}/)",
                a.method.name()
            )
        } else {
            String::new()
        };
        return Err(who.fail(format!(
            "Vault answered {status}: {}{hint}",
            vault_message(&answer, &sent)
        )));
    }
    #[derive(Deserialize)]
    struct Answer {
        auth: Option<Auth>,
    }
    #[derive(Deserialize)]
    struct Auth {
        client_token: SecretString,
    }
    match serde_json::from_slice::<Answer>(&answer) {
        Ok(Answer {
            auth: Some(Auth { client_token }),
        }) if !client_token.expose_secret().is_empty() => Ok(client_token),
        _ => Err(who.fail(format!(
            "Vault answered {status} without a client token (is auth/{mount}/ a {} auth method?)",
            a.method.name()
        ))),
    }
}

/// The auth mount, without slashes; it goes into a URL path, so only path characters pass.
fn mount(a: &AuthArgs) -> Result<String, VaultError> {
    let m = a
        .mount
        .as_deref()
        .unwrap_or(a.method.name())
        .trim()
        .trim_matches('/');
    let m = m.strip_prefix("auth/").unwrap_or(m);
    let ok = !m.is_empty()
        && m.split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != "..")
        && m.chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "-_./".contains(ch));
    if !ok {
        return Err(VaultError::Config(format!(
            "--vault-auth-mount `{m}` is not an auth mount path (letters, digits, `-`, `_`, `.` and `/`), e.g. approle or ci/jwt"
        )));
    }
    Ok(m.to_string())
}

/// A credential from `file` when given, else from the variable `var`.
fn credential(
    who: &Login,
    file: Option<&Path>,
    var: &str,
    what: &str,
) -> Result<SecretString, VaultError> {
    let src = match file {
        Some(p) => Source::File(p),
        None => Source::Env(var),
    };
    let r = match &src {
        Source::File(p) => read_file(p),
        Source::Env(v) => read_env(v),
    };
    r.map_err(|e| who.fail(format!("the {what} from {src}: {e}")))
}

fn read_env(var: &str) -> Result<SecretString, String> {
    match std::env::var(var) {
        Ok(v) => trimmed(v).ok_or_else(|| "it is empty".to_string()),
        Err(std::env::VarError::NotPresent) => Err("it is not set".into()),
        Err(std::env::VarError::NotUnicode(_)) => Err("it is not UTF-8 text".into()),
    }
}

/// Moves `s` into a secret without the surrounding whitespace (files end with a newline);
/// `None` when nothing is left. The original buffer is zeroised.
fn trimmed(mut s: String) -> Option<SecretString> {
    let t = s.trim();
    let out = (!t.is_empty()).then(|| SecretString::from(Box::<str>::from(t)));
    s.zeroize();
    out
}

/// Reads a credential file: a regular file (symlinks followed, as Kubernetes mounts its
/// token), at most 64 KiB, UTF-8. The buffer is sized once so it never reallocates, and is
/// zeroised on drop.
pub(super) fn read_file(path: &Path) -> Result<SecretString, String> {
    let (file, len) = discover::open_regular(path).map_err(|r| refusal(path, r))?;
    let too_large = || {
        format!(
            "{} is larger than {} KiB, which no credential is",
            path.display(),
            MAX_CREDENTIAL_FILE >> 10
        )
    };
    if len > MAX_CREDENTIAL_FILE {
        return Err(too_large());
    }
    let mut buf = Zeroizing::new(Vec::with_capacity(MAX_CREDENTIAL_FILE as usize + 1));
    file.take(MAX_CREDENTIAL_FILE + 1)
        .read_to_end(&mut buf)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if buf.len() as u64 > MAX_CREDENTIAL_FILE {
        return Err(too_large());
    }
    let text = std::str::from_utf8(&buf)
        .map_err(|_| format!("{} is not UTF-8 text", path.display()))?
        .trim();
    if text.is_empty() {
        return Err(format!("{} is empty", path.display()));
    }
    Ok(SecretString::from(Box::<str>::from(text)))
}

fn refusal(path: &Path, r: Refusal) -> String {
    let p = path.display();
    match r {
        Refusal::Io(e) => format!("{p}: {e}"),
        Refusal::NotRegular(what) => {
            format!("{p} is a {what}; a credential is read from a regular file only")
        }
        Refusal::Virtual => format!(
            "{p} is on a virtual file system (/proc, /sys, /dev); a credential is read from a regular file only"
        ),
        other => format!("{p}: {other}"),
    }
}

/// `{"k": "v", ...}` for the present pairs, written into a buffer sized for the worst case
/// (every byte escaped as `\u00XX`) so that it never reallocates and leaves a copy behind.
fn json_body(pairs: &[(&str, Option<&SecretString>)]) -> Zeroizing<Vec<u8>> {
    let size: usize = pairs
        .iter()
        .map(|(k, v)| k.len() + 8 + v.map_or(0, |v| 6 * v.expose_secret().len()))
        .sum();
    let mut buf = Zeroizing::new(Vec::with_capacity(size + 2));
    buf.push(b'{');
    let mut first = true;
    for (k, v) in pairs {
        let Some(v) = v else { continue };
        if !first {
            buf.push(b',');
        }
        first = false;
        // Writing a `&str` into a `Vec` cannot fail.
        let _ = serde_json::to_writer(&mut *buf, k);
        buf.push(b':');
        let _ = serde_json::to_writer(&mut *buf, v.expose_secret());
    }
    buf.push(b'}');
    buf
}

/// Vault's `errors` list, scrubbed of every credential sent (and of each part of a JWT), and
/// cut short: the message is shown, the values never are.
fn vault_message(answer: &[u8], sent: &[SecretString]) -> String {
    #[derive(Deserialize)]
    struct Errors {
        #[serde(default)]
        errors: Vec<String>,
    }
    let mut msg = match serde_json::from_slice::<Errors>(answer) {
        Ok(e) if !e.errors.is_empty() => e.errors.join("; "),
        _ => "(no message)".to_string(),
    };
    for s in sent {
        let s = s.expose_secret();
        let parts = std::iter::once(s).chain(s.split('.'));
        for p in parts.filter(|p| p.len() >= 8) {
            if msg.contains(p) {
                msg = msg.replace(p, "[redacted]");
            }
        }
    }
    if let Some((cut, _)) = msg.char_indices().nth(400) {
        msg.truncate(cut);
        msg.push('…');
    }
    msg
}

/// Unwrap a response-wrapped secret id. It is looked up first (which does not use it up):
/// a wrapping token that was not created by this mount's `secret-id` endpoint may have been
/// substituted on the way, and unwrapping it would hand us someone else's data.
fn unwrap_secret_id(
    c: &Client,
    who: &Login,
    role: Option<&str>,
    wrapping: SecretString,
) -> Result<SecretString, VaultError> {
    let mount = &who.mount;
    let sent = [wrapping];
    let body = json_body(&[("token", Some(&sent[0]))]);
    let (status, answer) = c
        .post_raw("sys/wrapping/lookup", body, None)
        .map_err(|e| who.fail(e.to_string()))?;
    if !(200..300).contains(&status) {
        return Err(who.fail(format!(
            "the wrapped secret id is not a live wrapping token (it may have expired or been unwrapped already; lookup answered {status}: {})",
            vault_message(&answer, &sent)
        )));
    }
    #[derive(Deserialize)]
    struct Lookup {
        data: LookupData,
    }
    #[derive(Deserialize)]
    struct LookupData {
        creation_path: String,
    }
    let created = serde_json::from_slice::<Lookup>(&answer)
        .map(|l| l.data.creation_path)
        .map_err(|_| who.fail("the wrapping-token lookup answered without a creation path"))?;
    let created = created.trim_matches('/');
    let expected = match role {
        Some(r) => created == format!("auth/{mount}/role/{r}/secret-id"),
        None => created
            .strip_prefix(&format!("auth/{mount}/role/"))
            .and_then(|rest| rest.strip_suffix("/secret-id"))
            .is_some_and(|r| !r.is_empty() && !r.contains('/')),
    };
    if !expected {
        return Err(who.fail(format!(
            "the wrapped secret id was created by `{created}`, not by auth/{mount}/role/{}/secret-id: refusing to unwrap a token of another origin",
            role.unwrap_or("*")
        )));
    }
    let (status, answer) = c
        .post_raw(
            "sys/wrapping/unwrap",
            Zeroizing::new(b"{}".to_vec()),
            Some(&sent[0]),
        )
        .map_err(|e| who.fail(e.to_string()))?;
    if !(200..300).contains(&status) {
        return Err(who.fail(format!(
            "unwrapping the secret id failed (Vault answered {status}: {})",
            vault_message(&answer, &sent)
        )));
    }
    #[derive(Deserialize)]
    struct Unwrapped {
        data: UnwrappedData,
    }
    #[derive(Deserialize)]
    struct UnwrappedData {
        secret_id: SecretString,
    }
    serde_json::from_slice::<Unwrapped>(&answer)
        .map(|u| u.data.secret_id)
        .map_err(|_| who.fail("the unwrapped response holds no `secret_id`"))
}

/// `VAULT_TOKEN`, else `~/.vault-token` (the Vault CLI's default token helper file).
pub(super) fn token_from_env() -> Result<SecretString, VaultError> {
    if let Ok(t) = std::env::var("VAULT_TOKEN")
        && let Some(t) = trimmed(t)
    {
        return Ok(t);
    }
    let missing = || {
        VaultError::Config(
            "no Vault token: VAULT_TOKEN is not set and ~/.vault-token does not exist; run `vault login`, export VAULT_TOKEN, or log in with --vault-auth-method approle, jwt or kubernetes"
                .into(),
        )
    };
    let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) else {
        return Err(missing());
    };
    let file = Path::new(&home).join(".vault-token");
    if !file.exists() {
        return Err(missing());
    }
    read_file(&file).map_err(|e| VaultError::Config(format!("the Vault CLI's token file: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(method: Method, mount: Option<&str>) -> AuthArgs {
        AuthArgs {
            method,
            mount: mount.map(str::to_string),
            ..AuthArgs::default()
        }
    }

    #[test]
    fn mount_defaults_to_the_method_and_refuses_path_tricks() {
        assert_eq!(mount(&args(Method::Approle, None)).unwrap(), "approle");
        assert_eq!(
            mount(&args(Method::Jwt, Some("/auth/ci/jwt/"))).unwrap(),
            "ci/jwt"
        );
        for bad in ["", "/", "a/../b", "a b", "x?y", "a//b"] {
            assert!(mount(&args(Method::Jwt, Some(bad))).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn json_body_escapes_and_skips_absent_values() {
        let a = SecretString::from("x\"y\\z");
        let b = json_body(&[("jwt", Some(&a)), ("role", None)]);
        let v: serde_json::Value = serde_json::from_slice(&b).unwrap();
        assert_eq!(v, serde_json::json!({"jwt": "x\"y\\z"}));
        assert!(b.capacity() >= b.len());
    }

    #[test]
    fn vault_messages_are_scrubbed_of_what_was_sent() {
        let jwt = SecretString::from("aaaaaaaaaa.bbbbbbbbbbbb.cccccccccc");
        let answer =
            br#"{"errors":["bad token bbbbbbbbbbbb in aaaaaaaaaa.bbbbbbbbbbbb.cccccccccc"]}"#;
        let m = vault_message(answer, &[jwt]);
        assert!(
            !m.contains("bbbbbbbbbbbb") && !m.contains("aaaaaaaaaa"),
            "{m}"
        );
        assert!(m.starts_with("bad token [redacted]"), "{m}");
        assert_eq!(vault_message(b"<html>", &[]), "(no message)");
    }

    #[test]
    fn credential_files_must_be_regular_small_and_non_empty() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("secret-id");
        std::fs::write(&f, "  s3cr3t-id\n").unwrap();
        assert_eq!(read_file(&f).unwrap().expose_secret(), "s3cr3t-id");
        std::fs::write(&f, "\n").unwrap();
        assert!(read_file(&f).unwrap_err().contains("is empty"));
        std::fs::write(&f, vec![b'a'; MAX_CREDENTIAL_FILE as usize + 1]).unwrap();
        assert!(read_file(&f).unwrap_err().contains("larger than"));
        assert!(read_file(dir.path()).unwrap_err().contains("regular file"));
        assert!(
            read_file(Path::new("/proc/self/environ"))
                .unwrap_err()
                .contains("virtual")
        );
        assert!(read_file(&dir.path().join("missing")).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("fifo");
        let c = std::ffi::CString::new(f.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path and a plain mode.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(read_file(&f).unwrap_err().contains("FIFO"));
    }
}
