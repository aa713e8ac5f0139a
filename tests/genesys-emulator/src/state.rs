//! In-memory server state shared by the handlers and the `Handle`.

use crate::faults::{Fault, FaultKind};
use crate::model::OAuthClient;
use base64::Engine;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

/// Permissions the OAuth client API checks (§1.3 / §3.1).
pub const ALL_PERMISSIONS: [&str; 4] = [
    "oauth:client:add",
    "oauth:client:view",
    "oauth:client:edit",
    "oauth:client:delete",
];

/// One handled request. Only method, path and outcome: never headers, bodies or query strings,
/// so secrets cannot end up here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    pub method: String,
    pub path: String,
    /// The query string, if the request had one (listing pages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    pub status: u16,
    /// The response was not sent: the connection was dropped (fault `dropConnection`).
    pub dropped: bool,
    /// Name of the injected fault that produced this response, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<String>,
}

pub(crate) struct Token {
    pub client_id: String,
    pub expires: Instant,
}

pub(crate) struct Inner {
    pub admin_id: String,
    pub clients: BTreeMap<String, OAuthClient>,
    pub tokens: BTreeMap<String, Token>,
    pub permissions: BTreeMap<String, BTreeSet<String>>,
    pub faults: Vec<Fault>,
    pub latency: Duration,
    /// Page size of a listing that asks for none; `None` puts everything on one page.
    pub default_page_size: Option<usize>,
    pub log: Vec<LogEntry>,
    pub echo: bool,
    pub org_id: String,
}

#[derive(Clone)]
pub(crate) struct Shared(Arc<Mutex<Inner>>);

impl Shared {
    pub fn new(inner: Inner) -> Self {
        Shared(Arc::new(Mutex::new(inner)))
    }

    /// Lock; a handler that panicked while holding the lock must not take the emulator down.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Why a token request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRefusal {
    /// Unknown client id or wrong secret: 401 `invalid_client`.
    BadCredentials,
    /// Client is `inactive` or `disabled`: 400 `invalid_client` (§3.3 state descriptions).
    NotActive,
    /// Client's grant type is not `CLIENT-CREDENTIALS`: 400 `unauthorized_client`.
    WrongGrant,
}

/// Why a bearer token was refused (401 `ErrorBody`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BearerRefusal {
    Unknown,
    Expired,
}

impl Inner {
    pub fn check_credentials(&self, id: &str, secret: &str) -> Result<&OAuthClient, TokenRefusal> {
        let client = self.clients.get(id).ok_or(TokenRefusal::BadCredentials)?;
        if !constant_time_eq(client.secret.expose().as_bytes(), secret.as_bytes()) {
            return Err(TokenRefusal::BadCredentials);
        }
        if client.state != "active" {
            return Err(TokenRefusal::NotActive);
        }
        if client.authorized_grant_type != "CLIENT-CREDENTIALS" {
            return Err(TokenRefusal::WrongGrant);
        }
        Ok(client)
    }

    /// Issue a token for valid credentials; returns (token, expires_in).
    pub fn issue_token(&mut self, id: &str, secret: &str) -> Result<(String, i64), TokenRefusal> {
        let validity = self
            .check_credentials(id, secret)?
            .access_token_validity_seconds;
        let token = random_token(32);
        let expires = Instant::now() + Duration::from_secs(validity.max(0).unsigned_abs());
        self.tokens.insert(
            token.clone(),
            Token {
                client_id: id.to_owned(),
                expires,
            },
        );
        Ok((token, validity))
    }

    /// The client id behind a bearer token. Tokens of a deleted or disabled client are invalid
    /// ("Access tokens created by the client are invalid", §3.3).
    pub fn bearer(&self, token: &str) -> Result<String, BearerRefusal> {
        let t = self.tokens.get(token).ok_or(BearerRefusal::Unknown)?;
        if Instant::now() >= t.expires {
            return Err(BearerRefusal::Expired);
        }
        match self.clients.get(&t.client_id) {
            Some(c) if c.state != "disabled" => Ok(t.client_id.clone()),
            _ => Err(BearerRefusal::Unknown),
        }
    }

    pub fn has_permission(&self, client_id: &str, perm: &str) -> bool {
        self.permissions
            .get(client_id)
            .is_some_and(|p| p.contains(perm))
    }

    /// Take one use of the first fault matching this request and `pick`.
    pub fn take_fault(
        &mut self,
        method: &str,
        path: &str,
        pick: impl Fn(&FaultKind) -> bool,
    ) -> Option<FaultKind> {
        let i = self
            .faults
            .iter()
            .position(|f| f.count > 0 && pick(&f.kind) && f.matches(method, path))?;
        let kind = self.faults[i].kind.clone();
        self.faults[i].count -= 1;
        if self.faults[i].count == 0 {
            self.faults.remove(i);
        }
        Some(kind)
    }
}

/// Comparison whose time does not depend on where the inputs differ; cheap to do right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `n` random bytes, base64url without padding (32 bytes → 43 characters, the length of real secrets).
pub(crate) fn random_token(n: usize) -> String {
    let mut buf = vec![0u8; n];
    // The OS RNG failing is not recoverable for a server that hands out secrets.
    if getrandom::fill(&mut buf).is_err() {
        panic!("OS random number generator unavailable");
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// ISO-8601 with milliseconds, as Genesys returns dates (`2026-11-25T10:26:18.123Z`).
pub(crate) fn now_iso() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}
