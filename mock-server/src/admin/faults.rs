//! Fault rules over the admin API.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{Shared, problem};
use crate::faults::FaultRule;

/// `GET /__mock/faults`.
pub(super) async fn list(State(state): Shared) -> Json<Value> {
    Json(json!({"faults": state.faults.list()}))
}

/// `POST /__mock/faults`: 201 with the rule and its id.
pub(super) async fn add(State(state): Shared, body: axum::body::Bytes) -> Response {
    let rule: FaultRule = match serde_json::from_slice(&body) {
        Ok(rule) => rule,
        Err(e) => return problem(StatusCode::BAD_REQUEST, format!("invalid fault rule: {e}")),
    };
    if let Some(op) = &rule.operation
        && state.contract.operation(op).is_none()
    {
        return problem(
            StatusCode::BAD_REQUEST,
            format!("no operation {op} in the contract"),
        );
    }
    match state.faults.add(rule) {
        Ok(rule) => (StatusCode::CREATED, Json(json!(rule))).into_response(),
        Err(message) => problem(StatusCode::BAD_REQUEST, message),
    }
}

/// `DELETE /__mock/faults/{id}`.
pub(super) async fn remove(State(state): Shared, Path(id): Path<u64>) -> Response {
    if state.faults.remove(id) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        problem(StatusCode::NOT_FOUND, format!("no fault rule {id}"))
    }
}

/// `DELETE /__mock/faults`: removes every rule.
pub(super) async fn clear(State(state): Shared) -> StatusCode {
    state.faults.clear();
    StatusCode::NO_CONTENT
}
