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
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{NamedTenant, Shared, commit, problem, store_problem};
use crate::state::{Commit, Txn};
use crate::switch::{KIND, Switch};

pub(super) async fn list(State(state): Shared, NamedTenant(which): NamedTenant) -> Response {
    match Switch::all(&state.store, &which).await {
        Ok(switches) => Json(json!({"tenant": which, "switches": switches})).into_response(),
        Err(e) => store_problem(e),
    }
}

pub(super) async fn set(
    State(state): Shared,
    Path(operation): Path<String>,
    NamedTenant(which): NamedTenant,
    body: axum::body::Bytes,
) -> Response {
    let op = match super::operation(&state, &operation) {
        Ok(op) => op,
        Err(unknown) => return *unknown,
    };
    let mut switch: Switch = match serde_json::from_slice(&body) {
        Ok(switch) => switch,
        Err(e) => {
            return problem(
                StatusCode::BAD_REQUEST,
                format!("a switch is {{status?, example?, delayMs?}}: {e}"),
            );
        }
    };
    switch.operation = op.id.clone();
    if let Err(message) = switch.check(op) {
        return problem(StatusCode::BAD_REQUEST, message);
    }
    let Ok(value) = serde_json::to_value(&switch) else {
        return problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the switch did not serialize",
        );
    };
    let txn = Txn::new().put(KIND, op.id.clone(), value);
    match commit(&state, &which, txn).await {
        Ok(_) => Json(json!({"tenant": which, "switch": switch})).into_response(),
        Err(refused) => refused,
    }
}

pub(super) async fn remove(
    State(state): Shared,
    Path(operation): Path<String>,
    NamedTenant(which): NamedTenant,
) -> Response {
    let txn = Txn::new()
        .guard(crate::state::Guard::Exists(
            KIND.to_owned(),
            operation.clone(),
        ))
        .delete(KIND, operation.clone());
    match commit(&state, &which, txn).await {
        Ok(Commit::Committed) => StatusCode::NO_CONTENT.into_response(),
        Ok(Commit::Rejected(_)) => problem(
            StatusCode::NOT_FOUND,
            format!("{operation} is not switched for tenant {which}"),
        ),
        Err(refused) => refused,
    }
}

pub(super) async fn clear(State(state): Shared, NamedTenant(which): NamedTenant) -> Response {
    let switches = match Switch::all(&state.store, &which).await {
        Ok(switches) => switches,
        Err(e) => return store_problem(e),
    };
    let txn = switches
        .iter()
        .fold(Txn::new(), |txn, s| txn.delete(KIND, s.operation.clone()));
    match commit(&state, &which, txn).await {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(refused) => refused,
    }
}
