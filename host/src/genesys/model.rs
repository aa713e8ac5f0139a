//! The API's shapes (§3): OAuth clients, role divisions, tokens, error bodies; secrets as
//! `SecretString`.

use super::*;

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
pub(super) struct SecretField {
    #[serde(default)]
    pub(super) secret: Option<SecretString>,
}

#[derive(Deserialize)]
pub(super) struct Listing {
    #[serde(default)]
    pub(super) entities: Vec<OAuthClient>,
    #[serde(default, rename = "nextUri")]
    pub(super) next_uri: Option<String>,
    #[serde(default, rename = "pageNumber")]
    pub(super) page_number: Option<u32>,
    #[serde(default, rename = "pageCount")]
    pub(super) page_count: Option<u32>,
}

/// `ErrorBody` (§3.7), the parts we show.
#[derive(Deserialize, Default)]
pub(super) struct ErrorBody {
    #[serde(default)]
    pub(super) message: String,
    #[serde(default)]
    pub(super) code: String,
}

#[derive(Deserialize, Default)]
pub(super) struct AuthErrorBody {
    #[serde(default)]
    pub(super) error: String,
    #[serde(default)]
    pub(super) error_description: String,
    #[serde(default)]
    pub(super) description: String,
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
pub(super) struct TokenBody {
    pub(super) access_token: SecretString,
    #[serde(default)]
    pub(super) token_type: String,
    #[serde(default)]
    pub(super) expires_in: u64,
}

pub(super) fn parse_client(r: &Reply, action: &str) -> Result<OAuthClient, GenesysError> {
    serde_json::from_slice(&r.body.0).map_err(|e| GenesysError::Api {
        action: action.to_string(),
        status: r.status.as_u16(),
        code: "unexpected.response".into(),
        // serde_json's message names the field and position, never the value.
        message: e.to_string(),
        correlation: r.correlation.clone(),
    })
}

pub(super) fn parse_secret(r: &Reply, action: &str) -> Result<SecretString, GenesysError> {
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
