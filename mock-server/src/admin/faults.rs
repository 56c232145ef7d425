//! Fault rules over the admin API.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::Shared;
use super::error::{AdminError, AdminResult, body};
use crate::faults::{AddError, FaultRule};

/// `GET /__mock/faults`.
pub(super) async fn list(State(state): Shared) -> AdminResult<Json<Value>> {
    let rules = state.faults.list().await?;
    Ok(Json(json!({"faults": rules})))
}

/// `POST /__mock/faults`: 201 with the rule and its id.
pub(super) async fn add(State(state): Shared, bytes: axum::body::Bytes) -> AdminResult {
    let rule: FaultRule = body(&bytes, "invalid fault rule")?;
    // A rule for an operation the contract lacks would never fire: refused (400, not the path's 404).
    if let Some(op) = &rule.operation
        && state.contract.operation(op).is_none()
    {
        return Err(AdminError::BadRequest(format!(
            "no operation {op} in the contract"
        )));
    }
    match state.faults.add(rule).await {
        Ok(rule) => Ok((StatusCode::CREATED, Json(json!(rule))).into_response()),
        Err(AddError::Invalid(message)) => Err(AdminError::BadRequest(message)),
        Err(AddError::Store(e)) => Err(e.into()),
    }
}

/// `DELETE /__mock/faults/{id}`.
pub(super) async fn remove(State(state): Shared, Path(id): Path<u64>) -> AdminResult<StatusCode> {
    if state.faults.remove(id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AdminError::NotFound(format!("no fault rule {id}")))
    }
}

/// `DELETE /__mock/faults`: removes every rule.
pub(super) async fn clear(State(state): Shared) -> AdminResult<StatusCode> {
    state.faults.clear().await?;
    Ok(StatusCode::NO_CONTENT)
}
