//! Genesys Cloud API client for OAuth clients (facts/genesys.md §3, §4, §5).
//!
//! - Hosts come from the region, as the Terraform provider maps it (§4.3): `api.<domain>` for
//!   the REST API, `login.<domain>/oauth/token` for the client-credentials grant (§4.1).
//! - Test/override hooks: `TFGUARD_GENESYS_API_URL` and `TFGUARD_GENESYS_LOGIN_URL` replace the
//!   two base URLs (the tests point both at the emulator). Plain `http://` is accepted there only
//!   for loopback, like Vault.
//! - Retries are bounded and jittered: 429 honours `Retry-After` (integer seconds; more than 180 s
//!   is not retried, as the Genesys SDKs do), 5xx except 501 and transport errors back off.
//!   A create is never retried blindly after a transport error: the client may exist (the caller
//!   recovers by looking it up), so `create` reports `OutcomeUnknown` instead.
//! - Every secret (the admin's, a created client's, an access token) is a `SecretString`.

use std::fmt;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::secret;

pub const ENV_CLIENT_ID: &str = "GENESYSCLOUD_OAUTHCLIENT_ID";
pub const ENV_CLIENT_SECRET: &str = "GENESYSCLOUD_OAUTHCLIENT_SECRET";
pub const ENV_REGION: &str = "GENESYSCLOUD_REGION";
/// Test/override hook: base URL of the API host (default `https://api.<domain>`).
pub const ENV_API_URL: &str = "TFGUARD_GENESYS_API_URL";
/// Test/override hook: base URL of the login host (default `https://login.<domain>`).
pub const ENV_LOGIN_URL: &str = "TFGUARD_GENESYS_LOGIN_URL";

/// The permissions the admin client needs for `tfguard plan/apply/rotate/destroy`.
pub const ADMIN_PERMISSIONS: &str = "oauth:client:add|edit|view|delete";

/// `GENESYSCLOUD_REGION` → domain, exactly the provider's `getRegionMap()` (facts §4.3).
const REGIONS: &[(&str, &str)] = &[
    ("dca", "inindca.com"),
    ("tca", "inintca.com"),
    ("us-east-1", "mypurecloud.com"),
    ("us-east-2", "use2.us-gov-pure.cloud"),
    ("us-west-2", "usw2.pure.cloud"),
    ("eu-west-1", "mypurecloud.ie"),
    ("eu-west-2", "euw2.pure.cloud"),
    ("ap-southeast-2", "mypurecloud.com.au"),
    ("ap-northeast-1", "mypurecloud.jp"),
    ("eu-central-1", "mypurecloud.de"),
    ("ca-central-1", "cac1.pure.cloud"),
    ("ap-northeast-2", "apne2.pure.cloud"),
    ("ap-south-1", "aps1.pure.cloud"),
    ("sa-east-1", "sae1.pure.cloud"),
    ("ap-northeast-3", "apne3.pure.cloud"),
    ("eu-central-2", "euc2.pure.cloud"),
    ("me-central-1", "mec1.pure.cloud"),
    ("mx-central-1", "mxc1.pure.cloud"),
    ("ap-southeast-1", "apse1.pure.cloud"),
    ("eusc-de-east-1", "edee1.eusc-pure.cloud"),
];

/// The region's domain; the region is lower-cased first, as the provider does.
pub fn region_domain(region: &str) -> Option<&'static str> {
    let r = region.trim().to_ascii_lowercase();
    REGIONS.iter().find(|(k, _)| *k == r).map(|(_, d)| *d)
}

#[derive(Clone, Debug)]
pub struct Endpoints {
    pub region: String,
    pub api: String,
    pub login: String,
}

impl Endpoints {
    /// From the region, with the override hooks applied.
    pub fn for_region(region: &str) -> Result<Endpoints, GenesysError> {
        let api_override = env_nonempty(ENV_API_URL);
        let login_override = env_nonempty(ENV_LOGIN_URL);
        let domain = region_domain(region);
        let (api, login) = match (api_override, login_override, domain) {
            (Some(a), Some(l), _) => (a, l),
            (a, l, Some(d)) => (
                a.unwrap_or_else(|| format!("https://api.{d}")),
                l.unwrap_or_else(|| format!("https://login.{d}")),
            ),
            _ => {
                let known = REGIONS.iter().map(|(k, _)| *k).collect::<Vec<_>>();
                return Err(GenesysError::Config(format!(
                    "{ENV_REGION}=`{region}` is not a Genesys Cloud region; use one of: {}",
                    known.join(", ")
                )));
            }
        };
        for (name, u) in [(ENV_API_URL, &api), (ENV_LOGIN_URL, &login)] {
            check_url(name, u)?;
        }
        Ok(Endpoints {
            region: region.to_string(),
            api: api.trim_end_matches('/').to_string(),
            login: login.trim_end_matches('/').to_string(),
        })
    }
}

fn check_url(name: &str, u: &str) -> Result<(), GenesysError> {
    let url = url::Url::parse(u)
        .map_err(|e| GenesysError::Config(format!("{name} `{u}` is not a URL: {e}")))?;
    match url.scheme() {
        "https" => Ok(()),
        "http" if crate::vault::is_loopback(&url) => Ok(()),
        _ => Err(GenesysError::Config(format!(
            "{name} `{u}` must be https (plain http only to a loopback test server)"
        ))),
    }
}

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Who we are and where: named in every authentication error by the variables' names, never
/// their values.
#[derive(Clone, Debug)]
pub struct AuthContext {
    pub id_source: String,
    pub secret_source: String,
    pub client_id: String,
    pub region: String,
    pub login: String,
}

impl AuthContext {
    /// For the admin client (the one tfguard provisions with), the permissions it needs.
    fn admin_hint(&self) -> String {
        if self.id_source == ENV_CLIENT_ID {
            format!(
                "\n  tfguard provisions with this admin client: it needs a role with the permissions {ADMIN_PERMISSIONS}."
            )
        } else {
            String::new()
        }
    }

    fn describe(&self) -> String {
        format!(
            "client id from {}, secret from {}, region `{}` (token endpoint {}/oauth/token)",
            self.id_source, self.secret_source, self.region, self.login
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GenesysError {
    #[error("{0}")]
    Config(String),
    /// The token endpoint refused the credentials.
    #[error(
        "Genesys Cloud refused the client credentials (HTTP {status} {error}: {description}).\n  Using: {}.\n  Check that the client exists in that region, is active, uses the CLIENT-CREDENTIALS grant, and that the secret is current.{}",
        .ctx.describe(),
        .ctx.admin_hint()
    )]
    Auth {
        status: u16,
        error: String,
        description: String,
        ctx: Box<AuthContext>,
    },
    /// 401/403 on an API call.
    #[error(
        "Genesys Cloud denied {action} (HTTP {status} {code}): {message}\n  Using: {}.\n  The admin OAuth client needs the permissions {ADMIN_PERMISSIONS} (a role granting `{permission}` is missing, or the token was revoked).",
        .ctx.describe()
    )]
    Denied {
        action: String,
        status: u16,
        code: String,
        message: String,
        permission: &'static str,
        ctx: Box<AuthContext>,
    },
    /// Any other 4xx, or a 5xx/429 that outlasted the retries.
    #[error("Genesys Cloud refused {action} (HTTP {status} {code}): {message}{}", correlation_suffix(.correlation))]
    Api {
        action: String,
        status: u16,
        code: String,
        message: String,
        correlation: Option<String>,
    },
    #[error("Genesys Cloud rate limit on {action}: {reason}")]
    RateLimited { action: String, reason: String },
    #[error("Genesys Cloud could not be reached for {action}: {reason}")]
    Transport { action: String, reason: String },
    /// A create whose response was lost (dropped connection, 5xx): the client may or may not
    /// exist.
    #[error(
        "no answer for {action} (dropped connection or server error); the client may have been created"
    )]
    OutcomeUnknown { action: String },
    #[error("no OAuth client with id {0} in Genesys Cloud")]
    NotFound(String),
}

fn correlation_suffix(c: &Option<String>) -> String {
    c.as_deref()
        .map(|c| format!(" (correlation id {c})"))
        .unwrap_or_default()
}

/// `RoleDivision` (§3.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "camelCase")]
pub struct RoleDivision {
    pub role_id: String,
    pub division_id: String,
}

/// `OAuthClientRequest` (§3.2): there is no secret field; the server generates it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientRequest {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub access_token_validity_seconds: u32,
    pub registered_redirect_uri: Vec<String>,
    pub authorized_grant_type: String,
    pub scope: Vec<String>,
    pub role_divisions: Vec<RoleDivision>,
    pub state: String,
}

/// `OAuthClient` (§3.3) without the secret: `secret` is read into a `SecretString` separately.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OAuthClient {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub access_token_validity_seconds: Option<u32>,
    #[serde(default)]
    pub registered_redirect_uri: Vec<String>,
    #[serde(default)]
    pub authorized_grant_type: String,
    #[serde(default)]
    pub scope: Vec<String>,
    #[serde(default)]
    pub role_divisions: Vec<RoleDivision>,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub date_created: Option<String>,
}

/// Only the `secret` field of a create/regenerate response.
#[derive(Deserialize)]
struct SecretField {
    #[serde(default)]
    secret: Option<SecretString>,
}

#[derive(Deserialize)]
struct Listing {
    #[serde(default)]
    entities: Vec<OAuthClient>,
    #[serde(default, rename = "nextUri")]
    next_uri: Option<String>,
    #[serde(default, rename = "pageNumber")]
    page_number: Option<u32>,
    #[serde(default, rename = "pageCount")]
    page_count: Option<u32>,
}

/// `ErrorBody` (§3.7), the parts we show.
#[derive(Deserialize, Default)]
struct ErrorBody {
    #[serde(default)]
    message: String,
    #[serde(default)]
    code: String,
}

#[derive(Deserialize, Default)]
struct AuthErrorBody {
    #[serde(default)]
    error: String,
    #[serde(default)]
    error_description: String,
    #[serde(default)]
    description: String,
}

/// A client-credentials access token (§4.2).
pub struct AccessToken {
    pub access_token: SecretString,
    pub token_type: String,
    pub expires_in: u64,
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct TokenBody {
    access_token: SecretString,
    #[serde(default)]
    token_type: String,
    #[serde(default)]
    expires_in: u64,
}

/// Bounds on retrying. The defaults follow the Genesys SDKs (§5): honour `Retry-After` up to
/// 180 s, back off 0.5 s → 30 s with full jitter, and give up after `max_attempts` or when the
/// next wait would pass `max_total`.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base: Duration,
    pub cap: Duration,
    pub max_retry_after: Duration,
    pub max_total: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 10,
            base: Duration::from_millis(500),
            cap: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(180),
            max_total: Duration::from_secs(300),
        }
    }
}

impl RetryPolicy {
    /// Full-jitter exponential backoff for attempt `n` (0-based).
    pub fn backoff(&self, n: u32) -> Duration {
        let exp = self
            .base
            .saturating_mul(1u32.checked_shl(n.min(16)).unwrap_or(u32::MAX));
        let ceiling = exp.min(self.cap);
        ceiling.mul_f64(0.5 + fastrand::f64() * 0.5)
    }

    /// Wait for a 429: the server's `Retry-After` plus up to 20 % jitter (so a crowd of
    /// clients does not return in lockstep), or backoff when the header is absent.
    /// `None` = the server asked for longer than we will wait.
    pub fn after_429(&self, retry_after: Option<u64>, n: u32) -> Option<Duration> {
        match retry_after {
            Some(s) if Duration::from_secs(s) > self.max_retry_after => None,
            Some(s) => {
                let d = Duration::from_secs(s);
                Some(
                    d + d.mul_f64(fastrand::f64() * 0.2)
                        + Duration::from_millis(fastrand::u64(0..100)),
                )
            }
            None => Some(self.backoff(n)),
        }
    }
}

/// One request's retry budget under a [`RetryPolicy`]: the attempt count and the time spent.
/// Both retry loops (API calls and the token endpoint) ask it when and how long to wait, so the
/// bounds and the rate-limit wording live once.
struct Attempts<'p> {
    policy: &'p RetryPolicy,
    started: Instant,
    n: u32,
}

impl<'p> Attempts<'p> {
    fn new(policy: &'p RetryPolicy) -> Self {
        Attempts {
            policy,
            started: Instant::now(),
            n: 0,
        }
    }

    /// Another try fits: fewer than `max_attempts` and within `max_total` after `wait`.
    fn fits(&self, wait: Duration) -> bool {
        self.n + 1 < self.policy.max_attempts
            && self.started.elapsed() + wait <= self.policy.max_total
    }

    /// The backoff before the next try, `None` when the budget is spent.
    fn backoff(&self) -> Option<Duration> {
        let w = self.policy.backoff(self.n);
        self.fits(w).then_some(w)
    }

    /// The wait after a rate-limit answer, or why tfguard gives up (`still` names the state:
    /// "429", "rate limited").
    fn rate_limited(&self, retry_after: Option<u64>, still: &str) -> Result<Duration, String> {
        let Some(w) = self.policy.after_429(retry_after, self.n) else {
            return Err(format!(
                "the server asked to wait {}s (Retry-After), more than the {}s tfguard waits",
                retry_after.unwrap_or_default(),
                self.policy.max_retry_after.as_secs()
            ));
        };
        if !self.fits(w) {
            return Err(format!(
                "still {still} after {} attempts over {}s",
                self.n + 1,
                self.started.elapsed().as_secs()
            ));
        }
        Ok(w)
    }
}

/// What both retry loops read of an answer: status, `Retry-After` (integer seconds), the
/// correlation id Genesys support asks for, and the body in a buffer wiped on drop.
struct Answer {
    status: StatusCode,
    retry_after: Option<u64>,
    correlation: Option<String>,
    body: bytes_body::Body,
}

async fn read_answer(r: reqwest::Response) -> Result<Answer, reqwest::Error> {
    let header = |name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let retry_after = header("retry-after").and_then(|v| v.trim().parse::<u64>().ok());
    let correlation = header("inin-correlation-id");
    let status = r.status();
    let bytes = r.bytes().await?;
    Ok(Answer {
        status,
        retry_after,
        correlation,
        body: bytes_body::Body(bytes.to_vec()),
    })
}

/// Whether a retry of this request is safe after a lost response.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Idempotent {
    Yes,
    No,
}

struct Reply {
    status: StatusCode,
    body: bytes_body::Body,
    correlation: Option<String>,
}

/// Response bodies that may carry a secret are zeroised when dropped.
mod bytes_body {
    use zeroize::Zeroize;

    pub struct Body(pub Vec<u8>);

    impl Drop for Body {
        fn drop(&mut self) {
            self.0.zeroize();
        }
    }
}

pub struct Client {
    rt: tokio::runtime::Runtime,
    http: reqwest::Client,
    pub endpoints: Endpoints,
    ctx: AuthContext,
    admin_secret: SecretString,
    token: std::cell::RefCell<Option<SecretString>>,
    pub retry: RetryPolicy,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("genesys::Client")
            .field("endpoints", &self.endpoints)
            .field("client_id", &self.ctx.client_id)
            .finish_non_exhaustive()
    }
}

pub fn http_client() -> Result<reqwest::Client, GenesysError> {
    crate::tls::init();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("tfguard/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| GenesysError::Config(format!("HTTP client: {e}")))
}

pub fn runtime() -> Result<tokio::runtime::Runtime, GenesysError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| GenesysError::Config(format!("async runtime: {e}")))
}

/// The admin credentials from the environment, as the Terraform provider reads them.
pub fn admin_from_env() -> Result<(String, SecretString, String), GenesysError> {
    let missing: Vec<&str> = [ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_REGION]
        .into_iter()
        .filter(|n| env_nonempty(n).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(GenesysError::Config(format!(
            "{} not set: tfguard authenticates to Genesys Cloud as the Terraform provider does, with an admin OAuth client (CLIENT-CREDENTIALS grant, permissions {ADMIN_PERMISSIONS}) given by {ENV_CLIENT_ID}, {ENV_CLIENT_SECRET} and {ENV_REGION}",
            missing.join(", ")
        )));
    }
    let get = |n: &str| env_nonempty(n).unwrap_or_default();
    Ok((
        get(ENV_CLIENT_ID),
        secret::from_string(get(ENV_CLIENT_SECRET)),
        get(ENV_REGION),
    ))
}

impl Client {
    pub fn from_env() -> Result<Client, GenesysError> {
        let (id, secret, region) = admin_from_env()?;
        let endpoints = Endpoints::for_region(&region)?;
        Client::new(
            endpoints,
            AuthContext {
                id_source: ENV_CLIENT_ID.into(),
                secret_source: ENV_CLIENT_SECRET.into(),
                client_id: id,
                region,
                login: String::new(),
            },
            secret,
        )
    }

    pub fn new(
        endpoints: Endpoints,
        mut ctx: AuthContext,
        admin_secret: SecretString,
    ) -> Result<Client, GenesysError> {
        ctx.login = endpoints.login.clone();
        Ok(Client {
            rt: runtime()?,
            http: http_client()?,
            endpoints,
            ctx,
            admin_secret,
            token: std::cell::RefCell::new(None),
            retry: RetryPolicy::default(),
        })
    }

    /// The admin's access token, fetched once and reused until a 401.
    fn bearer(&self) -> Result<SecretString, GenesysError> {
        if let Some(t) = self.token.borrow().as_ref() {
            return Ok(SecretString::from(t.expose_secret()));
        }
        let t = self.rt.block_on(client_credentials(
            &self.http,
            &self.retry,
            &self.ctx,
            &self.admin_secret,
            &[],
        ))?;
        let out = SecretString::from(t.access_token.expose_secret());
        *self.token.borrow_mut() = Some(t.access_token);
        Ok(out)
    }

    /// One API call with retries. `action` names the client for errors.
    fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&ClientRequest>,
        action: &str,
        permission: &'static str,
        idem: Idempotent,
    ) -> Result<Reply, GenesysError> {
        let url = format!("{}{}", self.endpoints.api, path);
        let mut tries = Attempts::new(&self.retry);
        let mut reauthed = false;
        loop {
            let token = self.bearer()?;
            let mut req = self
                .http
                .request(method.clone(), &url)
                .bearer_auth(token.expose_secret())
                .header("Accept", "application/json");
            if let Some(b) = body {
                req = req.json(b);
            }
            let sent = self
                .rt
                .block_on(async { read_answer(req.send().await?).await });
            let wait = match sent {
                Err(e) => {
                    if idem == Idempotent::No {
                        return Err(GenesysError::OutcomeUnknown {
                            action: action.to_string(),
                        });
                    }
                    let Some(w) = tries.backoff() else {
                        return Err(GenesysError::Transport {
                            action: action.to_string(),
                            reason: crate::error::chain(&e),
                        });
                    };
                    w
                }
                Ok(Answer {
                    status,
                    retry_after,
                    correlation,
                    body,
                }) => {
                    if status.is_success() {
                        return Ok(Reply {
                            status,
                            body,
                            correlation,
                        });
                    }
                    if status == StatusCode::UNAUTHORIZED && !reauthed {
                        // An expired or revoked token: fetch a new one once.
                        reauthed = true;
                        *self.token.borrow_mut() = None;
                        continue;
                    }
                    let err: ErrorBody = serde_json::from_slice(&body.0).unwrap_or_default();
                    if status == StatusCode::TOO_MANY_REQUESTS {
                        tries.rate_limited(retry_after, "429").map_err(|reason| {
                            GenesysError::RateLimited {
                                action: action.to_string(),
                                reason,
                            }
                        })?
                    } else if status.is_server_error() && idem == Idempotent::No {
                        // A create answered 5xx may still have happened: never retried blindly;
                        // the caller looks the client up and retries only if it is not there.
                        return Err(GenesysError::OutcomeUnknown {
                            action: action.to_string(),
                        });
                    } else if status.is_server_error() && status != StatusCode::NOT_IMPLEMENTED {
                        let Some(w) = tries.backoff() else {
                            return Err(self.api_error(status, err, correlation, action));
                        };
                        w
                    } else if status == StatusCode::NOT_FOUND {
                        return Err(GenesysError::NotFound(path_id(path)));
                    } else if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN
                    {
                        return Err(GenesysError::Denied {
                            action: action.to_string(),
                            status: status.as_u16(),
                            code: err.code,
                            message: err.message,
                            permission,
                            ctx: Box::new(self.ctx.clone()),
                        });
                    } else {
                        return Err(self.api_error(status, err, correlation, action));
                    }
                }
            };
            std::thread::sleep(wait);
            tries.n += 1;
        }
    }

    fn api_error(
        &self,
        status: StatusCode,
        err: ErrorBody,
        correlation: Option<String>,
        action: &str,
    ) -> GenesysError {
        GenesysError::Api {
            action: action.to_string(),
            status: status.as_u16(),
            code: if err.code.is_empty() {
                status.canonical_reason().unwrap_or("error").to_string()
            } else {
                err.code
            },
            message: if err.message.is_empty() {
                "(no message)".into()
            } else {
                err.message
            },
            correlation,
        }
    }

    /// Every OAuth client (all pages).
    /// Every OAuth client. The first request has no query string (the SDKs send none, facts
    /// §3.1); further pages, if the listing has any, are followed through `nextUri`.
    pub fn list_clients(&self) -> Result<Vec<OAuthClient>, GenesysError> {
        let mut out = Vec::new();
        let mut path = "/api/v2/oauth/clients".to_string();
        for _ in 0..1000 {
            let r = self.call(
                Method::GET,
                &path,
                None,
                "listing OAuth clients",
                "oauth:client:view",
                Idempotent::Yes,
            )?;
            let l: Listing = serde_json::from_slice(&r.body.0).map_err(|e| GenesysError::Api {
                action: "listing OAuth clients".into(),
                status: r.status.as_u16(),
                code: "unexpected.response".into(),
                message: e.to_string(),
                correlation: r.correlation.clone(),
            })?;
            let n = l.entities.len();
            out.extend(l.entities);
            let last = matches!((l.page_number, l.page_count), (Some(p), Some(c)) if p >= c);
            // `nextUri` is a path (`/api/v2/oauth/clients?pageNumber=2...`); keep only that
            // part of an absolute URL so the request stays on the configured API host.
            let next = l
                .next_uri
                .filter(|u| !u.is_empty())
                .map(|u| match u.find("/api/") {
                    Some(i) => u[i..].to_string(),
                    None => u,
                });
            match next {
                Some(n_uri) if !last && n > 0 && n_uri != path && n_uri.starts_with("/api/") => {
                    path = n_uri
                }
                _ => return Ok(out),
            }
        }
        Ok(out)
    }

    pub fn get_client(&self, id: &str) -> Result<Option<OAuthClient>, GenesysError> {
        match self.call(
            Method::GET,
            &format!("/api/v2/oauth/clients/{id}"),
            None,
            &format!("reading OAuth client {id}"),
            "oauth:client:view",
            Idempotent::Yes,
        ) {
            Ok(r) => parse_client(&r, "reading OAuth client").map(Some),
            Err(GenesysError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Create: the response carries the secret, the only time it is ever returned.
    pub fn create_client(
        &self,
        req: &ClientRequest,
        address: &str,
    ) -> Result<(OAuthClient, SecretString), GenesysError> {
        let action = format!("creating {address} (\"{}\")", req.name);
        let r = self.call(
            Method::POST,
            "/api/v2/oauth/clients",
            Some(req),
            &action,
            "oauth:client:add",
            Idempotent::No,
        )?;
        let c = parse_client(&r, &action)?;
        let s = parse_secret(&r, &action)?;
        Ok((c, s))
    }

    pub fn update_client(
        &self,
        id: &str,
        req: &ClientRequest,
        address: &str,
    ) -> Result<OAuthClient, GenesysError> {
        let action = format!("updating {address} ({id})");
        let r = self.call(
            Method::PUT,
            &format!("/api/v2/oauth/clients/{id}"),
            Some(req),
            &action,
            "oauth:client:edit",
            Idempotent::Yes,
        )?;
        parse_client(&r, &action)
    }

    /// `POST /oauth/clients/{id}/secret`: a new secret, returned once. Retrying after a lost
    /// response is safe: it only rotates again, and the last answer is the valid secret.
    pub fn regenerate_secret(&self, id: &str, address: &str) -> Result<SecretString, GenesysError> {
        let action = format!("regenerating the secret of {address} ({id})");
        let r = self.call(
            Method::POST,
            &format!("/api/v2/oauth/clients/{id}/secret"),
            None,
            &action,
            "oauth:client:edit",
            Idempotent::Yes,
        )?;
        parse_secret(&r, &action)
    }

    /// Delete as the provider does (§3.5): set `inactive` with a PUT, then DELETE. Gone already
    /// is success.
    pub fn delete_client(&self, current: &OAuthClient, address: &str) -> Result<(), GenesysError> {
        if current.state != "inactive" {
            let req = ClientRequest {
                name: current.name.clone(),
                description: current.description.clone(),
                access_token_validity_seconds: current
                    .access_token_validity_seconds
                    .unwrap_or(86400),
                registered_redirect_uri: current.registered_redirect_uri.clone(),
                authorized_grant_type: current.authorized_grant_type.clone(),
                scope: current.scope.clone(),
                role_divisions: current.role_divisions.clone(),
                state: "inactive".into(),
            };
            match self.update_client(&current.id, &req, address) {
                Ok(_) | Err(GenesysError::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        match self.call(
            Method::DELETE,
            &format!("/api/v2/oauth/clients/{}", current.id),
            None,
            &format!("deleting {address} ({})", current.id),
            "oauth:client:delete",
            Idempotent::Yes,
        ) {
            Ok(_) | Err(GenesysError::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

fn path_id(path: &str) -> String {
    path.trim_start_matches("/api/v2/oauth/clients/")
        .split(['/', '?'])
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Fuzzing entry (`fuzz/`): one response body, with any status, through every parser the
/// client applies to a Genesys response (client, secret, listing, error and token bodies).
#[doc(hidden)]
pub fn fuzz_response(status: u16, body: &[u8]) {
    let r = Reply {
        status: StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
        body: bytes_body::Body(body.to_vec()),
        correlation: None,
    };
    let _ = parse_client(&r, "fuzz");
    let _ = parse_secret(&r, "fuzz");
    let _ = serde_json::from_slice::<Listing>(body);
    let _ = serde_json::from_slice::<ErrorBody>(body);
    let _ = serde_json::from_slice::<AuthErrorBody>(body);
    let _ = serde_json::from_slice::<TokenBody>(body);
}

fn parse_client(r: &Reply, action: &str) -> Result<OAuthClient, GenesysError> {
    serde_json::from_slice(&r.body.0).map_err(|e| GenesysError::Api {
        action: action.to_string(),
        status: r.status.as_u16(),
        code: "unexpected.response".into(),
        // serde_json's message names the field and position, never the value.
        message: e.to_string(),
        correlation: r.correlation.clone(),
    })
}

fn parse_secret(r: &Reply, action: &str) -> Result<SecretString, GenesysError> {
    let f: SecretField = serde_json::from_slice(&r.body.0).map_err(|e| GenesysError::Api {
        action: action.to_string(),
        status: r.status.as_u16(),
        code: "unexpected.response".into(),
        message: e.to_string(),
        correlation: r.correlation.clone(),
    })?;
    f.secret
        .filter(|s| !s.expose_secret().is_empty())
        .ok_or_else(|| GenesysError::Api {
            action: action.to_string(),
            status: r.status.as_u16(),
            code: "missing.secret".into(),
            message: "the response has no `secret`".into(),
            correlation: r.correlation.clone(),
        })
}

/// The client-credentials grant at the login host (§4.1): Basic auth, form body. The token
/// endpoint's own rate limit is a 400 `invalid_request` "rate limit exceeded" (§4.2) and is
/// retried like a 429; 429 (with `Retry-After`) and 5xx are retried too.
pub async fn client_credentials(
    http: &reqwest::Client,
    retry: &RetryPolicy,
    ctx: &AuthContext,
    secret: &SecretString,
    scopes: &[String],
) -> Result<AccessToken, GenesysError> {
    let url = format!("{}/oauth/token", ctx.login);
    let mut form: Vec<(&str, String)> = vec![("grant_type", "client_credentials".into())];
    if !scopes.is_empty() {
        form.push(("scope", scopes.join(" ")));
    }
    let action = format!("the token request (client id from {})", ctx.id_source);
    let mut tries = Attempts::new(retry);
    loop {
        let sent = async {
            let r = http
                .post(&url)
                .basic_auth(&ctx.client_id, Some(secret.expose_secret()))
                .header("Accept", "application/json")
                .form(&form)
                .send()
                .await?;
            read_answer(r).await
        }
        .await;
        let wait = match sent {
            Err(e) => {
                let Some(w) = tries.backoff() else {
                    return Err(GenesysError::Transport {
                        action,
                        reason: crate::error::chain(&e),
                    });
                };
                w
            }
            Ok(Answer {
                status,
                retry_after,
                body,
                ..
            }) => {
                if status.is_success() {
                    let t: TokenBody =
                        serde_json::from_slice(&body.0).map_err(|e| GenesysError::Api {
                            action: action.clone(),
                            status: status.as_u16(),
                            code: "unexpected.response".into(),
                            message: e.to_string(),
                            correlation: None,
                        })?;
                    return Ok(AccessToken {
                        access_token: t.access_token,
                        token_type: t.token_type,
                        expires_in: t.expires_in,
                    });
                }
                let err: AuthErrorBody = serde_json::from_slice(&body.0).unwrap_or_default();
                let description = if err.error_description.is_empty() {
                    err.description.clone()
                } else {
                    err.error_description.clone()
                };
                let rate_limited = status == StatusCode::TOO_MANY_REQUESTS
                    || (status == StatusCode::BAD_REQUEST
                        && description
                            .to_ascii_lowercase()
                            .contains("rate limit exceeded"));
                if rate_limited {
                    // The token endpoint's 400 "rate limit exceeded" carries no Retry-After.
                    let retry_after =
                        retry_after.filter(|_| status == StatusCode::TOO_MANY_REQUESTS);
                    match tries.rate_limited(retry_after, "rate limited") {
                        Ok(w) => w,
                        Err(reason) => return Err(GenesysError::RateLimited { action, reason }),
                    }
                } else if status.is_server_error() && status != StatusCode::NOT_IMPLEMENTED {
                    let Some(w) = tries.backoff() else {
                        return Err(GenesysError::Api {
                            action,
                            status: status.as_u16(),
                            code: err.error,
                            message: description,
                            correlation: None,
                        });
                    };
                    w
                } else {
                    return Err(GenesysError::Auth {
                        status: status.as_u16(),
                        error: if err.error.is_empty() {
                            "error".into()
                        } else {
                            err.error
                        },
                        description: if description.is_empty() {
                            "(no description)".into()
                        } else {
                            description
                        },
                        ctx: Box::new(ctx.clone()),
                    });
                }
            }
        };
        tokio::time::sleep(wait).await;
        tries.n += 1;
    }
}

/// A token for arbitrary credentials (the `token` command), blocking.
pub fn token_for(
    endpoints: &Endpoints,
    ctx: AuthContext,
    secret: &SecretString,
    scopes: &[String],
    retry: &RetryPolicy,
) -> Result<AccessToken, GenesysError> {
    let mut ctx = ctx;
    ctx.login = endpoints.login.clone();
    let rt = runtime()?;
    let http = http_client()?;
    rt.block_on(client_credentials(&http, retry, &ctx, secret, scopes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_map_to_hosts() {
        assert_eq!(region_domain("us-east-1"), Some("mypurecloud.com"));
        assert_eq!(region_domain("EU-West-1"), Some("mypurecloud.ie"));
        assert_eq!(
            region_domain("eusc-de-east-1"),
            Some("edee1.eusc-pure.cloud")
        );
        assert_eq!(region_domain("mypurecloud.com"), None);
        assert_eq!(REGIONS.len(), 20);
    }

    #[test]
    fn retry_after_is_honoured_and_bounded() {
        let p = RetryPolicy::default();
        let w = p.after_429(Some(3), 0).unwrap();
        assert!(
            w >= Duration::from_secs(3) && w <= Duration::from_millis(3700),
            "{w:?}"
        );
        assert!(p.after_429(Some(181), 0).is_none());
        assert!(p.after_429(Some(180), 0).is_some());
        for n in 0..20 {
            assert!(p.backoff(n) <= p.cap);
        }
        assert!(p.backoff(0) >= Duration::from_millis(250));
    }

    #[test]
    fn request_has_the_api_field_names() {
        let r = ClientRequest {
            name: "n".into(),
            description: None,
            access_token_validity_seconds: 600,
            registered_redirect_uri: vec!["https://x".into()],
            authorized_grant_type: "CODE".into(),
            scope: vec!["users:readonly".into()],
            role_divisions: vec![RoleDivision {
                role_id: "r".into(),
                division_id: "*".into(),
            }],
            state: "active".into(),
        };
        let v = serde_json::to_value(&r).unwrap();
        for k in [
            "name",
            "accessTokenValiditySeconds",
            "registeredRedirectUri",
            "authorizedGrantType",
            "scope",
            "roleDivisions",
            "state",
        ] {
            assert!(v.get(k).is_some(), "{k}");
        }
        assert_eq!(v["roleDivisions"][0]["divisionId"], "*");
        assert!(v.get("secret").is_none());
    }
}
