//! Faults injected on demand, through `Handle::inject` or `POST /__emulator/faults`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum FaultKind {
    /// 429 `ErrorBody` `too.many.requests.retry.after` with `Retry-After: <seconds>` (§5).
    #[serde(rename_all = "camelCase")]
    TooManyRequests { retry_after: u64 },
    /// A 5xx `ErrorBody` (500, 502, 503 or 504).
    #[serde(rename_all = "camelCase")]
    ServerError { status: u16 },
    /// The request is processed (the client exists server-side), then the connection is closed
    /// without a response.
    DropConnection,
    /// Token endpoint rate limit: 400 `invalid_request` "rate limit exceeded; …" (§4.2).
    TokenRateLimit,
}

/// One fault: applies to the next `count` requests whose method and path match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    #[serde(flatten)]
    pub kind: FaultKind,
    pub count: u32,
    /// HTTP method to match (any when `None`).
    #[serde(default)]
    pub method: Option<String>,
    /// Path pattern; `*` matches any run of characters (`/api/v2/oauth/clients/*/secret`).
    #[serde(default)]
    pub path: Option<String>,
}

impl Fault {
    /// `count` 429s on API calls, each with `Retry-After: retry_after` seconds.
    pub fn too_many_requests(count: u32, retry_after: u64) -> Self {
        Fault {
            kind: FaultKind::TooManyRequests { retry_after },
            count,
            method: None,
            path: None,
        }
    }
    /// `count` responses with this 5xx status on API calls.
    pub fn server_error(count: u32, status: u16) -> Self {
        Fault {
            kind: FaultKind::ServerError { status },
            count,
            method: None,
            path: None,
        }
    }
    /// Drop the connection after the next `count` successful creates (POST /api/v2/oauth/clients).
    pub fn drop_after_create(count: u32) -> Self {
        Fault {
            kind: FaultKind::DropConnection,
            count,
            method: Some("POST".into()),
            path: Some("/api/v2/oauth/clients".into()),
        }
    }
    /// `count` token requests refused with the token endpoint's rate-limit error.
    pub fn token_rate_limit(count: u32) -> Self {
        Fault {
            kind: FaultKind::TokenRateLimit,
            count,
            method: None,
            path: None,
        }
    }
    /// Restrict the fault to one method and path pattern.
    pub fn on(mut self, method: &str, path: &str) -> Self {
        self.method = Some(method.to_ascii_uppercase());
        self.path = Some(path.to_owned());
        self
    }

    /// Path pattern used when none is given: API faults hit `/api/v2/*`, token faults `/oauth/token`.
    fn default_path(&self) -> &'static str {
        match self.kind {
            FaultKind::TokenRateLimit => "/oauth/token",
            _ => "/api/v2/*",
        }
    }

    pub(crate) fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = self
            .method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method));
        let pattern = self.path.as_deref().unwrap_or(self.default_path());
        method_ok && glob(pattern.as_bytes(), path.as_bytes())
    }

    pub(crate) fn validate(&self) -> Result<(), String> {
        match self.kind {
            FaultKind::ServerError { status } if !(500..=599).contains(&status) => {
                Err(format!("serverError status must be 5xx, got {status}"))
            }
            _ => Ok(()),
        }
    }
}

/// Wildcard match where `*` matches any (possibly empty) run of bytes. Hand-written: a dozen lines
/// against pulling a glob crate built for file systems.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches_prefix_exact_and_middle() {
        assert!(glob(b"/api/v2/*", b"/api/v2/oauth/clients"));
        assert!(!glob(b"/api/v2/*", b"/oauth/token"));
        assert!(glob(b"/api/v2/oauth/clients", b"/api/v2/oauth/clients"));
        assert!(!glob(
            b"/api/v2/oauth/clients",
            b"/api/v2/oauth/clients/x/secret"
        ));
        assert!(glob(
            b"/api/v2/oauth/clients/*/secret",
            b"/api/v2/oauth/clients/abc/secret"
        ));
        assert!(!glob(
            b"/api/v2/oauth/clients/*/secret",
            b"/api/v2/oauth/clients/abc"
        ));
    }

    #[test]
    fn faults_default_to_their_endpoint() {
        assert!(Fault::too_many_requests(1, 0).matches("GET", "/api/v2/oauth/clients"));
        assert!(!Fault::too_many_requests(1, 0).matches("POST", "/oauth/token"));
        assert!(Fault::token_rate_limit(1).matches("POST", "/oauth/token"));
        let drop = Fault::drop_after_create(1);
        assert!(drop.matches("POST", "/api/v2/oauth/clients"));
        assert!(!drop.matches("GET", "/api/v2/oauth/clients"));
        assert!(!drop.matches("POST", "/api/v2/oauth/clients/x/secret"));
    }

    #[test]
    fn fault_json_shape() {
        let f: Fault = serde_json::from_str(
            r#"{"kind":"tooManyRequests","retryAfter":2,"count":3,"method":"POST","path":"/api/v2/*"}"#,
        )
        .unwrap();
        assert_eq!(f, Fault::too_many_requests(3, 2).on("post", "/api/v2/*"));
        let f: Fault =
            serde_json::from_str(r#"{"kind":"serverError","status":418,"count":1}"#).unwrap();
        assert!(f.validate().is_err());
    }
}
