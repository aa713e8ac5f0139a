//! Wire types, named exactly as in facts/genesys.md §3.2 (`OAuthClientRequest`), §3.3 (`OAuthClient`,
//! `OAuthClientEntityListing`), §3.7 (`ErrorBody`) and §4.2 (token response / `AuthErrorResponse`).

use serde::{Deserialize, Serialize};
use std::fmt;

/// A client secret. `Debug`/`Display` never show it, so snapshots can be printed by failing tests.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    /// The secret itself, for test assertions (e.g. "the value in Vault is this one").
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Grant types the API accepts (§3.2, PY `allowed_values`). The provider's legacy `SAML2BEARER` is a
/// Terraform-side spelling and is not in the API enum.
pub const GRANT_TYPES: [&str; 5] = [
    "CODE",
    "TOKEN",
    "SAML2-BEARER",
    "PASSWORD",
    "CLIENT-CREDENTIALS",
];
/// Client states (§3.2).
pub const STATES: [&str; 3] = ["active", "disabled", "inactive"];
/// Default `accessTokenValiditySeconds` when the request omits it (§3.2: "a default of 24 hours").
pub const DEFAULT_VALIDITY: i64 = 86_400;
/// Range the provider validates (§1.2: 300..38880000; the upper end is for SCIM clients).
pub const VALIDITY_RANGE: std::ops::RangeInclusive<i64> = 300..=38_880_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleDivision {
    pub role_id: String,
    pub division_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainEntityRef {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

/// An OAuth client as the emulator stores it. Tests get clones from `Handle::clients()` and may edit
/// one server-side with `Handle::edit_client` (to simulate drift).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthClient {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub access_token_validity_seconds: i64,
    pub registered_redirect_uri: Vec<String>,
    pub role_ids: Vec<String>,
    pub authorized_grant_type: String,
    pub scope: Vec<String>,
    pub role_divisions: Vec<RoleDivision>,
    pub state: String,
    pub date_to_delete: Option<String>,
    pub date_created: String,
    pub date_modified: String,
    pub created_by: Option<DomainEntityRef>,
    pub modified_by: Option<DomainEntityRef>,
    pub secret: Secret,
}

impl OAuthClient {
    pub fn self_uri(&self) -> String {
        format!("/api/v2/oauth/clients/{}", self.id)
    }

    /// The JSON body. `with_secret` is true only for POST create and POST `/secret` (§3.4).
    pub fn to_wire(&self, with_secret: bool) -> WireClient {
        WireClient {
            id: self.id.clone(),
            name: self.name.clone(),
            access_token_validity_seconds: self.access_token_validity_seconds,
            description: self.description.clone(),
            registered_redirect_uri: self.registered_redirect_uri.clone(),
            secret: with_secret.then(|| self.secret.expose().to_owned()),
            role_ids: self.role_ids.clone(),
            date_created: self.date_created.clone(),
            date_modified: self.date_modified.clone(),
            created_by: self.created_by.clone(),
            modified_by: self.modified_by.clone(),
            authorized_grant_type: self.authorized_grant_type.clone(),
            scope: self.scope.clone(),
            role_divisions: self.role_divisions.clone(),
            state: self.state.clone(),
            date_to_delete: self.date_to_delete.clone(),
            self_uri: self.self_uri(),
        }
    }
}

/// `OAuthClient` on the wire (§3.3).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WireClient {
    pub id: String,
    pub name: String,
    pub access_token_validity_seconds: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub registered_redirect_uri: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub role_ids: Vec<String>,
    pub date_created: String,
    pub date_modified: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<DomainEntityRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified_by: Option<DomainEntityRef>,
    pub authorized_grant_type: String,
    pub scope: Vec<String>,
    pub role_divisions: Vec<RoleDivision>,
    pub state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_to_delete: Option<String>,
    pub self_uri: String,
}

/// `OAuthClientRequest` (§3.2). Every field optional here so that validation, not serde, reports
/// what is missing. There is no secret field: the caller cannot choose the secret.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientRequest {
    pub name: Option<String>,
    pub access_token_validity_seconds: Option<i64>,
    pub description: Option<String>,
    pub registered_redirect_uri: Option<Vec<String>>,
    pub role_ids: Option<Vec<String>>,
    pub authorized_grant_type: Option<String>,
    pub scope: Option<Vec<String>>,
    pub role_divisions: Option<Vec<RoleDivisionRequest>>,
    pub state: Option<String>,
    pub date_to_delete: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleDivisionRequest {
    pub role_id: Option<String>,
    pub division_id: Option<String>,
}

/// `OAuthClientEntityListing` (§3.3).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Listing {
    pub entities: Vec<WireClient>,
    pub page_size: usize,
    pub page_number: usize,
    pub total: usize,
    pub first_uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_uri: Option<String>,
    pub last_uri: String,
    pub self_uri: String,
    pub page_count: usize,
}

/// `ErrorBody.details[]` (§3.7).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorDetail {
    pub error_code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
}

/// `ErrorBody.limit` (§3.7).
#[derive(Debug, Clone, Serialize)]
pub struct ErrorLimit {
    pub key: String,
    pub namespace: String,
    pub value: i64,
}

/// `ErrorBody` (§3.7).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    pub message: String,
    pub code: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    pub message_with_params: String,
    pub message_params: std::collections::BTreeMap<String, String>,
    pub context_id: String,
    pub details: Vec<ErrorDetail>,
    pub errors: Vec<ErrorBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<ErrorLimit>,
}

/// Token response (§4.2, GO `AuthResponse`).
#[derive(Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
}

/// Token error (§4.2, GO `AuthErrorResponse`).
#[derive(Serialize)]
pub struct AuthError {
    pub error: &'static str,
    pub description: String,
    pub error_description: String,
}
