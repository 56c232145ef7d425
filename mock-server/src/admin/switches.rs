//! Response switches over the admin API, per tenant (`?tenant=` or `X-Mock-Tenant`, else the default one):
//!
//! - `GET /__mock/switches`: the tenant's switches;
//! - `PUT /__mock/switches/{operationId}` with `{"status": 404}`, `{"example": "ENTITY_NOT_FOUND"}` and/or
//!   `{"delayMs": 800}`: from the next call on, the operation answers so;
//! - `DELETE /__mock/switches/{operationId}`: switched back (204, or 404 when it was not switched);
//! - `DELETE /__mock/switches`: every operation of the tenant switched back.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::error::{AdminError, AdminResult, body};
use super::{NamedTenant, Shared, commit};
use crate::state::{Commit, Txn};
use crate::switch::{KIND, Switch};

pub(super) async fn list(
    State(state): Shared,
    NamedTenant(which): NamedTenant,
) -> AdminResult<Json<Value>> {
    let switches = Switch::all(&state.store, &which).await?;
    Ok(Json(json!({"tenant": which, "switches": switches})))
}

pub(super) async fn set(
    State(state): Shared,
    Path(operation): Path<String>,
    NamedTenant(which): NamedTenant,
    bytes: axum::body::Bytes,
) -> AdminResult<Json<Value>> {
    let op = super::operation(&state, &operation)?;
    let mut switch: Switch = body(&bytes, "a switch is {status?, example?, delayMs?}")?;
    switch.operation = op.id.clone();
    switch.check(op).map_err(AdminError::BadRequest)?;
    let txn = Txn::new().put(KIND, op.id.clone(), json!(switch));
    commit(&state, &which, txn).await?;
    Ok(Json(json!({"tenant": which, "switch": switch})))
}

pub(super) async fn remove(
    State(state): Shared,
    Path(operation): Path<String>,
    NamedTenant(which): NamedTenant,
) -> AdminResult<StatusCode> {
    let txn = Txn::new()
        .guard(crate::state::Guard::Exists(
            KIND.to_owned(),
            operation.clone(),
        ))
        .delete(KIND, operation.clone());
    match commit(&state, &which, txn).await? {
        Commit::Committed => Ok(StatusCode::NO_CONTENT),
        Commit::Rejected(_) => Err(AdminError::NotFound(format!(
            "{operation} is not switched for tenant {which}"
        ))),
    }
}

pub(super) async fn clear(
    State(state): Shared,
    NamedTenant(which): NamedTenant,
) -> AdminResult<StatusCode> {
    let switches = Switch::all(&state.store, &which).await?;
    let txn = switches
        .iter()
        .fold(Txn::new(), |txn, s| txn.delete(KIND, s.operation.clone()));
    commit(&state, &which, txn).await?;
    Ok(StatusCode::NO_CONTENT)
}
