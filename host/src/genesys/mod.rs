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

mod endpoints;
mod error;
mod model;
mod retry;
#[cfg(test)]
mod tests;
mod token;

pub use endpoints::*;
pub use error::*;
pub use model::*;
pub use retry::*;
pub use token::*;

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
