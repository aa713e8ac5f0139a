//! Control endpoints under `/__emulator/` for the binary (the library's `Handle` does the same
//! in-process). No auth, no faults, not logged. Never returns secrets.

use crate::faults::Fault;
use crate::state::{LogEntry, Shared};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use std::time::{Duration, Instant};

pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route(
            "/health",
            get(|| async { Json(serde_json::json!({ "status": "ok" })) }),
        )
        .route(
            "/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/latency", put(set_latency))
        .route("/requests", get(requests).delete(clear_requests))
        .route("/clients", get(clients))
        .route("/permissions", put(set_permissions))
        .route("/tokens/expire", post(expire_tokens))
}

fn bad(message: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(serde_json::json!({ "message": message })),
    )
        .into_response()
}

async fn list_faults(State(s): State<Shared>) -> Json<Vec<Fault>> {
    Json(s.lock().faults.clone())
}

async fn add_fault(State(s): State<Shared>, Json(fault): Json<Fault>) -> Response {
    if let Err(e) = fault.validate() {
        return bad(e);
    }
    s.lock().faults.push(fault);
    StatusCode::NO_CONTENT.into_response()
}

async fn clear_faults(State(s): State<Shared>) -> StatusCode {
    s.lock().faults.clear();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct Latency {
    millis: u64,
}

async fn set_latency(State(s): State<Shared>, Json(l): Json<Latency>) -> StatusCode {
    s.lock().latency = Duration::from_millis(l.millis);
    StatusCode::NO_CONTENT
}

async fn requests(State(s): State<Shared>) -> Json<Vec<LogEntry>> {
    Json(s.lock().log.clone())
}

async fn clear_requests(State(s): State<Shared>) -> StatusCode {
    s.lock().log.clear();
    StatusCode::NO_CONTENT
}

/// Every client as GET would show it (no secrets).
async fn clients(State(s): State<Shared>) -> Json<Vec<serde_json::Value>> {
    let inner = s.lock();
    Json(
        inner
            .clients
            .values()
            .filter_map(|c| serde_json::to_value(c.to_wire(false)).ok())
            .collect(),
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Permissions {
    /// Defaults to the seeded admin client.
    client_id: Option<String>,
    permissions: Vec<String>,
}

async fn set_permissions(State(s): State<Shared>, Json(p): Json<Permissions>) -> StatusCode {
    let mut inner = s.lock();
    let id = p.client_id.unwrap_or_else(|| inner.admin_id.clone());
    inner
        .permissions
        .insert(id, p.permissions.into_iter().collect());
    StatusCode::NO_CONTENT
}

async fn expire_tokens(State(s): State<Shared>) -> StatusCode {
    let now = Instant::now();
    for t in s.lock().tokens.values_mut() {
        t.expires = now;
    }
    StatusCode::NO_CONTENT
}
