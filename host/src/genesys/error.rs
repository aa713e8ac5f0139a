//! What went wrong, with the correlation id Genesys support asks for; never a secret.

use super::*;

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

pub(super) fn correlation_suffix(c: &Option<String>) -> String {
    c.as_deref()
        .map(|c| format!(" (correlation id {c})"))
        .unwrap_or_default()
}
