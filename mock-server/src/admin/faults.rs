//! Fault rules over the admin API.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{Shared, problem};
use crate::faults::{AddError, FaultRule};

/// `GET /__mock/faults`.
pub(super) async fn list(State(state): Shared) -> Response {
    match state.faults.list().await {
        Ok(rules) => Json(json!({"faults": rules})).into_response(),
        Err(e) => unavailable(&e),
    }
}

/// The shared store of the rules did not answer.
fn unavailable(e: &crate::state::StoreError) -> Response {
    problem(StatusCode::SERVICE_UNAVAILABLE, e.chain())
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
    match state.faults.add(rule).await {
        Ok(rule) => (StatusCode::CREATED, Json(json!(rule))).into_response(),
        Err(AddError::Invalid(message)) => problem(StatusCode::BAD_REQUEST, message),
        Err(AddError::Store(e)) => unavailable(&e),
    }
}

/// `DELETE /__mock/faults/{id}`.
pub(super) async fn remove(State(state): Shared, Path(id): Path<u64>) -> Response {
    match state.faults.remove(id).await {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => problem(StatusCode::NOT_FOUND, format!("no fault rule {id}")),
        Err(e) => unavailable(&e),
    }
}

/// `DELETE /__mock/faults`: removes every rule.
pub(super) async fn clear(State(state): Shared) -> Response {
    match state.faults.clear().await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => unavailable(&e),
    }
}
