//! The validating proxy over the admin API, per tenant (`?tenant=` or `X-Mock-Tenant`):
//!
//! - `GET /__mock/upstream`: every operation, its API's upstream (if any) and who answers it;
//! - `PUT /__mock/upstream/{operationId}` with `{"mode": "mock"}` or `{"mode": "vendor"}`;
//! - `GET /__mock/drift` (`DELETE` forgets it): per operation and status, how the vendor's exchanges
//!   differ from the contract;
//! - `GET /__mock/recording`: what the tenant recorded, as demo data and named examples;
//!   `POST /__mock/recording` with `{"action": "start"}` or `{"action": "stop"}`; `DELETE` forgets the
//!   record (the entities stay in the tenant's state).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::{NamedTenant, Shared, commit, problem, store_problem};
use crate::upstream::mode::{self, Mode};

pub(super) async fn list(State(state): Shared, NamedTenant(which): NamedTenant) -> Response {
    let stored = match mode::stored(&state.store, &which).await {
        Ok(stored) => stored,
        Err(e) => return store_problem(e),
    };
    let proxy = state.upstream.as_ref();
    let operations: Vec<_> = state
        .contract
        .operations
        .iter()
        .map(|op| {
            let target = proxy.and_then(|p| p.target(op.vendor));
            let chosen = stored.iter().find(|(id, _)| id == &op.id).map(|(_, m)| *m);
            let mode = match target {
                Some(_) => chosen.unwrap_or(Mode::Vendor),
                None => Mode::Mock,
            };
            json!({
                "operation": op.id,
                "api": state.contract.vendor_of(op).api,
                "upstream": target.map(crate::upstream::Target::base),
                "mode": mode,
                "default": target.is_some() && chosen.is_none(),
            })
        })
        .collect();
    Json(json!({"tenant": which, "operations": operations})).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SetMode {
    mode: Mode,
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
    let asked: SetMode = match serde_json::from_slice(&body) {
        Ok(asked) => asked,
        Err(e) => {
            return problem(
                StatusCode::BAD_REQUEST,
                format!("a mode is {{\"mode\": \"mock\"}} or {{\"mode\": \"vendor\"}}: {e}"),
            );
        }
    };
    let api = &state.contract.vendor_of(op).api;
    let has_upstream = state
        .upstream
        .as_ref()
        .is_some_and(|p| p.target(op.vendor).is_some());
    if asked.mode == Mode::Vendor && !has_upstream {
        return problem(
            StatusCode::CONFLICT,
            format!(
                "{operation} belongs to {api}, which has no upstream: start the mock with --upstream {api}=URL"
            ),
        );
    }
    match commit(&state, &which, mode::set(&op.id, asked.mode)).await {
        Ok(_) => {
            Json(json!({"tenant": which, "operation": op.id, "mode": asked.mode})).into_response()
        }
        Err(refused) => refused,
    }
}

pub(super) async fn drift(State(state): Shared) -> Response {
    match &state.upstream {
        Some(proxy) => Json(proxy.drift.snapshot()).into_response(),
        // No upstream: the report of nothing, in the same shape.
        None => Json(crate::upstream::DriftReport::default().snapshot()).into_response(),
    }
}

pub(super) async fn clear_drift(State(state): Shared) -> StatusCode {
    if let Some(proxy) = &state.upstream {
        proxy.drift.clear();
    }
    StatusCode::NO_CONTENT
}

pub(super) async fn recording(State(state): Shared, NamedTenant(which): NamedTenant) -> Response {
    let by_default = state
        .upstream
        .as_ref()
        .is_some_and(|p| p.records_by_default());
    let on = match mode::recording(&state.store, &which, by_default).await {
        Ok(on) => on,
        Err(e) => return store_problem(e),
    };
    match crate::upstream::recording_export(&state.store, &which, on).await {
        Ok(export) => Json(export).into_response(),
        Err(e) => store_problem(e),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "lowercase")]
enum Action {
    Start,
    Stop,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Recording {
    action: Action,
}

pub(super) async fn set_recording(
    State(state): Shared,
    NamedTenant(which): NamedTenant,
    body: axum::body::Bytes,
) -> Response {
    let asked: Recording = match serde_json::from_slice(&body) {
        Ok(asked) => asked,
        Err(e) => {
            return problem(
                StatusCode::BAD_REQUEST,
                format!(
                    "recording takes {{\"action\": \"start\"}} or {{\"action\": \"stop\"}}: {e}"
                ),
            );
        }
    };
    let on = matches!(asked.action, Action::Start);
    if on && state.upstream.is_none() {
        return problem(
            StatusCode::CONFLICT,
            "no API has an upstream, so there is nothing to record: start the mock with --upstream API=URL",
        );
    }
    match commit(&state, &which, mode::set_recording(on)).await {
        Ok(_) => Json(json!({"tenant": which, "recording": on})).into_response(),
        Err(refused) => refused,
    }
}

pub(super) async fn forget_recording(
    State(state): Shared,
    NamedTenant(which): NamedTenant,
) -> Response {
    let txn = match crate::upstream::forget_recording(&state.store, &which).await {
        Ok(txn) => txn,
        Err(e) => return store_problem(e),
    };
    match commit(&state, &which, txn).await {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(refused) => refused,
    }
}
