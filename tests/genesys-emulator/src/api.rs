//! The emulated endpoints: `/oauth/token` (login host, §4) and `/api/v2/...` (API host, §3), plus the
//! gateway middleware that adds latency, injects faults, sets `ININ-Correlation-Id` and logs.

use crate::faults::FaultKind;
use crate::model::{
    AuthError, ClientRequest, DEFAULT_VALIDITY, DomainEntityRef, ErrorBody, ErrorDetail,
    ErrorLimit, GRANT_TYPES, Listing, OAuthClient, RoleDivision, STATES, Secret, TokenResponse,
    VALIDITY_RANGE,
};
use crate::state::{BearerRefusal, LogEntry, Shared, TokenRefusal, now_iso, random_token};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio::sync::Notify;

/// Put into each request by the connection loop; notifying it closes the connection unanswered.
#[derive(Clone)]
pub(crate) struct ConnKill(pub Arc<Notify>);

pub(crate) const CORRELATION_HEADER: &str = "ININ-Correlation-Id";

pub(crate) fn router(shared: Shared) -> Router {
    let api = Router::new()
        .route("/oauth/token", post(token))
        .route(
            "/api/v2/oauth/clients",
            get(list_clients).post(create_client),
        )
        .route(
            "/api/v2/oauth/clients/{id}",
            get(get_client).put(update_client).delete(delete_client),
        )
        .route("/api/v2/oauth/clients/{id}/secret", post(regenerate_secret))
        .route("/api/v2/tokens/me", get(tokens_me))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(shared.clone(), gateway));
    Router::new()
        .nest("/__emulator", crate::control::router())
        .merge(api)
        .with_state(shared)
}

// ---------------------------------------------------------------------------------------------
// Errors

/// An API error; the gateway turns it into an `ErrorBody` carrying the request's correlation id.
/// Boxed: it is the `Err` of every handler.
#[derive(Debug, Clone)]
pub(crate) struct ApiError(Box<ApiErrorData>);

#[derive(Debug, Clone)]
pub(crate) struct ApiErrorData {
    status: StatusCode,
    code: &'static str,
    message: String,
    params: BTreeMap<String, String>,
    details: Vec<ErrorDetail>,
    entity_id: Option<String>,
    retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError(Box::new(ApiErrorData {
            status,
            code,
            message: message.into(),
            params: BTreeMap::new(),
            details: Vec::new(),
            entity_id: None,
            retry_after: None,
        }))
    }

    fn field(mut self, error_code: &str, field: &str) -> Self {
        self.details.push(ErrorDetail {
            error_code: error_code.to_owned(),
            field_name: Some(field.to_owned()),
            entity_id: None,
        });
        self
    }

    fn bad_request(field: &str, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "bad.request", message).field("bad.request", field)
    }

    fn invalid_value(field: &str, value: &str, allowed: &[&str]) -> Self {
        let mut e = ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid.value",
            format!(
                "Value [{value}] is not valid for field type [{field}]. Allowable values are: {}",
                allowed.join(", ")
            ),
        )
        .field("invalid.value", field);
        e.params.insert("value".into(), value.into());
        e.params.insert("field".into(), field.into());
        e
    }

    fn not_found(id: &str) -> Self {
        let mut e = ApiError::new(
            StatusCode::NOT_FOUND,
            "not.found",
            "The requested resource was not found.",
        );
        e.entity_id = Some(id.to_owned());
        e
    }

    fn too_many(retry_after: u64) -> Self {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too.many.requests.retry.after",
            format!(
                "Rate limit exceeded the maximum. Retry the request in [{retry_after}] seconds"
            ),
        );
        e.retry_after = Some(retry_after);
        e
    }

    fn server(status: u16) -> Self {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let (code, message) = match status.as_u16() {
            503 => (
                "service.unavailable",
                "Service Unavailable - The server is currently unavailable.",
            ),
            504 => ("request.timeout", "The request timed out."),
            502 => ("bad.gateway", "Bad Gateway."),
            _ => (
                "internal.server.error",
                "The server encountered an unexpected condition which prevented it from fulfilling the request.",
            ),
        };
        ApiError::new(status, code, message)
    }

    fn body(&self, context_id: &str) -> ErrorBody {
        ErrorBody {
            message: self.message.clone(),
            code: self.code.to_owned(),
            status: self.status.as_u16(),
            entity_id: self.entity_id.clone(),
            message_with_params: self.message.clone(),
            message_params: self.params.clone(),
            context_id: context_id.to_owned(),
            details: self.details.clone(),
            errors: Vec::new(),
            limit: self.retry_after.map(|_| ErrorLimit {
                key: "token.rate.per.minute".into(),
                namespace: "platform.api".into(),
                value: 300,
            }),
        }
    }
}

impl std::ops::Deref for ApiError {
    type Target = ApiErrorData;
    fn deref(&self) -> &ApiErrorData {
        &self.0
    }
}

impl std::ops::DerefMut for ApiError {
    fn deref_mut(&mut self) -> &mut ApiErrorData {
        &mut self.0
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = self.status.into_response();
        if let Some(secs) = self.retry_after {
            let headers = resp.headers_mut();
            headers.insert(RETRY_AFTER, HeaderValue::from(secs));
            // Informational headers seen on real responses (§5).
            headers.insert("inin-ratelimit-count", HeaderValue::from(300u32));
            headers.insert("inin-ratelimit-allowed", HeaderValue::from(300u32));
            headers.insert("inin-ratelimit-reset", HeaderValue::from(secs));
        }
        resp.extensions_mut().insert(self);
        resp
    }
}

fn json_response(status: StatusCode, value: &impl Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => {
            let mut resp = (status, bytes).into_response();
            resp.headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            resp
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// A response that carries a secret must not be cached by anything in between.
fn no_store(mut resp: Response) -> Response {
    resp.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

fn auth_error(status: StatusCode, error: &'static str, description: &str) -> Response {
    json_response(
        status,
        &AuthError {
            error,
            description: description.to_owned(),
            error_description: description.to_owned(),
        },
    )
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not.found",
        "The requested resource was not found.",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method.not.allowed",
        "HTTP method not allowed.",
    )
}

// ---------------------------------------------------------------------------------------------
// Gateway middleware

async fn gateway(State(s): State<Shared>, req: Request, next: Next) -> Response {
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(str::to_owned);
    let correlation = uuid::Uuid::new_v4().to_string();
    let kill = req.extensions().get::<ConnKill>().cloned();

    let latency = s.lock().latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }

    let early = s
        .lock()
        .take_fault(&method, &path, |k| !matches!(k, FaultKind::DropConnection));
    let (mut resp, fault) = match early {
        Some(FaultKind::TooManyRequests { retry_after }) => (
            ApiError::too_many(retry_after).into_response(),
            Some("tooManyRequests"),
        ),
        Some(FaultKind::ServerError { status }) => (
            ApiError::server(status).into_response(),
            Some("serverError"),
        ),
        Some(FaultKind::TokenRateLimit) => (
            auth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "rate limit exceeded; try again later",
            ),
            Some("tokenRateLimit"),
        ),
        Some(FaultKind::DropConnection) | None => (next.run(req).await, None),
    };

    // Drop the connection after a successful, fully processed request.
    if resp.status().is_success()
        && let Some(kill) = kill
        && s.lock()
            .take_fault(&method, &path, |k| matches!(k, FaultKind::DropConnection))
            .is_some()
    {
        record(
            &s,
            LogEntry {
                method: method.clone(),
                path: path.clone(),
                query: query.clone(),
                status: resp.status().as_u16(),
                dropped: true,
                fault: Some("dropConnection".into()),
            },
        );
        kill.0.notify_one();
        // The connection task drops this future (and the socket) once it sees the notification.
        std::future::pending::<()>().await;
    }

    if let Some(err) = resp.extensions_mut().remove::<ApiError>()
        && let Ok(bytes) = serde_json::to_vec(&err.body(&correlation))
    {
        *resp.body_mut() = Body::from(bytes);
        resp.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    if let Ok(v) = HeaderValue::from_str(&correlation) {
        resp.headers_mut().insert(CORRELATION_HEADER, v);
    }
    record(
        &s,
        LogEntry {
            method,
            path,
            query,
            status: resp.status().as_u16(),
            dropped: false,
            fault: fault.map(str::to_owned),
        },
    );
    resp
}

fn record(s: &Shared, entry: LogEntry) {
    let mut inner = s.lock();
    if inner.echo {
        let suffix = match (&entry.fault, entry.dropped) {
            (_, true) => " (connection dropped)".to_owned(),
            (Some(f), _) => format!(" (fault {f})"),
            _ => String::new(),
        };
        eprintln!(
            "{} {} -> {}{suffix}",
            entry.method, entry.path, entry.status
        );
    }
    inner.log.push(entry);
}

// ---------------------------------------------------------------------------------------------
// Token endpoint (§4)

/// `Authorization: Basic base64(id:secret)` → (id, secret).
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

async fn token(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let form_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form_type {
        return auth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Content-Type must be application/x-www-form-urlencoded",
        );
    }
    let Some((id, secret)) = basic_credentials(&headers) else {
        return auth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client authentication with HTTP Basic is required",
        );
    };
    let grant = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "grant_type")
        .map(|(_, v)| v.into_owned());
    match grant.as_deref() {
        Some("client_credentials") => {}
        None => {
            return auth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "grant_type is required",
            );
        }
        Some(_) => {
            return auth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "the emulator supports grant_type=client_credentials only",
            );
        }
    }
    let issued = s.lock().issue_token(&id, &secret);
    match issued {
        Ok((access_token, expires_in)) => no_store(json_response(
            StatusCode::OK,
            &TokenResponse {
                access_token,
                token_type: "bearer",
                expires_in,
            },
        )),
        Err(TokenRefusal::BadCredentials) => auth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client authentication failed",
        ),
        Err(TokenRefusal::NotActive) => auth_error(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "client is not active",
        ),
        Err(TokenRefusal::WrongGrant) => auth_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            "client is not authorized for the client_credentials grant",
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// Bearer authentication and permissions

/// The OAuth client behind the request's bearer token.
pub(crate) struct Caller {
    id: String,
}

impl FromRequestParts<Shared> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, s: &Shared) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, t)| scheme.eq_ignore_ascii_case("bearer") && !t.trim().is_empty())
            .map(|(_, t)| t.trim().to_owned());
        let Some(token) = token else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "authentication.required",
                "No authentication bearer token specified in authorization header.",
            ));
        };
        match s.lock().bearer(&token) {
            Ok(id) => Ok(Caller { id }),
            Err(BearerRefusal::Unknown) => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "bad.credentials",
                "Invalid login credentials.",
            )),
            Err(BearerRefusal::Expired) => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "credentials.expired",
                "The supplied credentials are expired and cannot be used.",
            )),
        }
    }
}

impl Caller {
    fn require(&self, s: &Shared, perm: &str) -> Result<(), ApiError> {
        if s.lock().has_permission(&self.id, perm) {
            return Ok(());
        }
        let mut e = ApiError::new(
            StatusCode::FORBIDDEN,
            "missing.permissions",
            format!(
                "Unable to perform the requested action. You are missing the following permission(s): [{perm}]"
            ),
        );
        e.params.insert("permissions".into(), perm.into());
        Err(e)
    }

    fn entity_ref(&self) -> DomainEntityRef {
        DomainEntityRef {
            id: self.id.clone(),
            name: None,
            self_uri: None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// OAuth clients (§3)

/// Fields of a validated `OAuthClientRequest`.
struct Valid {
    name: String,
    description: Option<String>,
    validity: i64,
    redirect: Vec<String>,
    role_ids: Vec<String>,
    grant: String,
    scope: Vec<String>,
    role_divisions: Vec<RoleDivision>,
    state: String,
    date_to_delete: Option<String>,
}

fn parse_request(headers: &HeaderMap, body: &[u8]) -> Result<Valid, ApiError> {
    let json_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json_type {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported.media.type",
            "Unsupported Media Type - Unsupported or incorrect media type, such as an incorrect Content-Type value in the header.",
        ));
    }
    let req: ClientRequest = serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad.request",
            format!(
                "The request could not be understood by the server due to malformed syntax: {e}"
            ),
        )
    })?;
    validate(req)
}

fn validate(req: ClientRequest) -> Result<Valid, ApiError> {
    let name = req
        .name
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| ApiError::bad_request("name", "The field name is required."))?;
    let grant = req.authorized_grant_type.ok_or_else(|| {
        ApiError::bad_request(
            "authorizedGrantType",
            "The field authorizedGrantType is required.",
        )
    })?;
    if !GRANT_TYPES.contains(&grant.as_str()) {
        return Err(ApiError::invalid_value(
            "authorizedGrantType",
            &grant,
            &GRANT_TYPES,
        ));
    }
    let state = req.state.unwrap_or_else(|| "active".to_owned());
    if !STATES.contains(&state.as_str()) {
        return Err(ApiError::invalid_value("state", &state, &STATES));
    }
    let validity = req
        .access_token_validity_seconds
        .unwrap_or(DEFAULT_VALIDITY);
    if !VALIDITY_RANGE.contains(&validity) {
        return Err(ApiError::bad_request(
            "accessTokenValiditySeconds",
            format!(
                "accessTokenValiditySeconds must be between {} and {}.",
                VALIDITY_RANGE.start(),
                VALIDITY_RANGE.end()
            ),
        ));
    }
    let mut role_divisions = Vec::new();
    for rd in req.role_divisions.unwrap_or_default() {
        match (rd.role_id, rd.division_id) {
            (Some(role_id), Some(division_id)) => role_divisions.push(RoleDivision {
                role_id,
                division_id,
            }),
            _ => {
                return Err(ApiError::bad_request(
                    "roleDivisions",
                    "Each roleDivision requires roleId and divisionId.",
                ));
            }
        }
    }
    if let Some(date) = &req.date_to_delete
        && humantime::parse_rfc3339_weak(date).is_err()
    {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid.date",
            "Dates must be specified as ISO-8601 strings. For example: yyyy-MM-ddTHH:mm:ss.SSSZ",
        )
        .field("invalid.date", "dateToDelete"));
    }
    Ok(Valid {
        name,
        description: req.description,
        validity,
        redirect: req.registered_redirect_uri.unwrap_or_default(),
        role_ids: req.role_ids.unwrap_or_default(),
        grant,
        scope: req.scope.unwrap_or_default(),
        role_divisions,
        state,
        date_to_delete: req.date_to_delete,
    })
}

fn apply(client: &mut OAuthClient, v: Valid) {
    client.name = v.name;
    client.description = v.description;
    client.access_token_validity_seconds = v.validity;
    client.registered_redirect_uri = v.redirect;
    client.role_ids = v.role_ids;
    client.authorized_grant_type = v.grant;
    client.scope = v.scope;
    client.role_divisions = v.role_divisions;
    client.state = v.state;
    client.date_to_delete = v.date_to_delete;
}

async fn create_client(
    State(s): State<Shared>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    caller.require(&s, "oauth:client:add")?;
    let valid = parse_request(&headers, &body)?;
    let now = now_iso();
    let mut client = OAuthClient {
        id: uuid::Uuid::new_v4().to_string(),
        name: String::new(),
        description: None,
        access_token_validity_seconds: DEFAULT_VALIDITY,
        registered_redirect_uri: Vec::new(),
        role_ids: Vec::new(),
        authorized_grant_type: String::new(),
        scope: Vec::new(),
        role_divisions: Vec::new(),
        state: String::new(),
        date_to_delete: None,
        date_created: now.clone(),
        date_modified: now,
        created_by: Some(caller.entity_ref()),
        modified_by: Some(caller.entity_ref()),
        secret: Secret::new(random_token(32)),
    };
    apply(&mut client, valid);
    let wire = client.to_wire(true);
    s.lock().clients.insert(client.id.clone(), client);
    // §3.6: create answers 200 (not 201) with the secret (§3.4).
    Ok(no_store(json_response(StatusCode::OK, &wire)))
}

async fn list_clients(
    State(s): State<Shared>,
    caller: Caller,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Result<Response, ApiError> {
    caller.require(&s, "oauth:client:view")?;
    let mut page_size = None;
    let mut page_number = 1usize;
    for (k, v) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        let parsed = v.parse::<usize>().ok().filter(|n| *n > 0);
        match (k.as_ref(), parsed) {
            ("pageSize", Some(n)) => page_size = Some(n),
            ("pageNumber", Some(n)) => page_number = n,
            ("pageSize" | "pageNumber", None) => {
                return Err(ApiError::bad_request(
                    &k,
                    format!("{k} must be a positive integer."),
                ));
            }
            _ => {}
        }
    }
    let (mut all, default_size) = {
        let inner = s.lock();
        let all: Vec<OAuthClient> = inner.clients.values().cloned().collect();
        (all, inner.default_page_size)
    };
    all.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
    let total = all.len();
    // The SDKs send no paging parameters (§3.1): by default one page holds everything, unless
    // a test sets a default page size.
    let size = page_size.or(default_size).unwrap_or(total.max(1));
    let page_count = total.div_ceil(size).max(1);
    let entities = all
        .iter()
        .skip((page_number - 1).saturating_mul(size))
        .take(size)
        .map(|c| c.to_wire(false))
        .collect();
    let uri = |n: usize| format!("/api/v2/oauth/clients?pageSize={size}&pageNumber={n}");
    Ok(json_response(
        StatusCode::OK,
        &Listing {
            entities,
            page_size: size,
            page_number,
            total,
            first_uri: uri(1),
            next_uri: (page_number < page_count).then(|| uri(page_number + 1)),
            previous_uri: (page_number > 1).then(|| uri(page_number - 1)),
            last_uri: uri(page_count),
            self_uri: uri(page_number),
            page_count,
        },
    ))
}

async fn get_client(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require(&s, "oauth:client:view")?;
    let wire = s.lock().clients.get(&id).map(|c| c.to_wire(false));
    wire.map(|w| json_response(StatusCode::OK, &w))
        .ok_or_else(|| ApiError::not_found(&id))
}

async fn update_client(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    caller.require(&s, "oauth:client:edit")?;
    if !s.lock().clients.contains_key(&id) {
        return Err(ApiError::not_found(&id));
    }
    let valid = parse_request(&headers, &body)?;
    let mut inner = s.lock();
    let client = inner
        .clients
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found(&id))?;
    apply(client, valid);
    client.date_modified = now_iso();
    client.modified_by = Some(caller.entity_ref());
    // §3.4: PUT never returns the secret.
    Ok(json_response(StatusCode::OK, &client.to_wire(false)))
}

async fn delete_client(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require(&s, "oauth:client:delete")?;
    let mut inner = s.lock();
    let state = inner
        .clients
        .get(&id)
        .map(|c| c.state.clone())
        .ok_or_else(|| ApiError::not_found(&id))?;
    if state != "inactive" {
        // §3.5: only inactive clients may be deleted.
        let mut e = ApiError::new(
            StatusCode::BAD_REQUEST,
            "cannot.delete.client",
            "Clients must be marked as inactive to be eligible for deletion.",
        );
        e.entity_id = Some(id);
        return Err(e);
    }
    inner.clients.remove(&id);
    inner.permissions.remove(&id);
    inner.tokens.retain(|_, t| t.client_id != id);
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn regenerate_secret(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require(&s, "oauth:client:edit")?;
    let mut inner = s.lock();
    let client = inner
        .clients
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found(&id))?;
    client.secret = Secret::new(random_token(32));
    client.date_modified = now_iso();
    client.modified_by = Some(caller.entity_ref());
    Ok(no_store(json_response(
        StatusCode::OK,
        &client.to_wire(true),
    )))
}

/// `GET /api/v2/tokens/me` → `TokenInfo` (§4.2); note the literal `OAuthClient` key.
async fn tokens_me(State(s): State<Shared>, caller: Caller) -> Result<Response, ApiError> {
    let inner = s.lock();
    let org = serde_json::json!({ "id": inner.org_id, "name": "Emulated organization" });
    let name = inner
        .clients
        .get(&caller.id)
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let body = serde_json::json!({
        "organization": org,
        "homeOrganization": org,
        "authorizedScope": [],
        "OAuthClient": { "id": caller.id, "name": name, "organization": { "id": inner.org_id } },
    });
    Ok(json_response(StatusCode::OK, &body))
}
