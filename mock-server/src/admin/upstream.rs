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
use serde::Deserialize;
use serde_json::{Value, json};

use super::error::{AdminError, AdminResult, body};
use super::{NamedTenant, Shared, commit};
use crate::upstream::mode::{self, Mode};

pub(super) async fn list(
    State(state): Shared,
    NamedTenant(which): NamedTenant,
) -> AdminResult<Json<Value>> {
    let stored = mode::stored(&state.store, &which).await?;
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
    Ok(Json(json!({"tenant": which, "operations": operations})))
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
    bytes: axum::body::Bytes,
) -> AdminResult<Json<Value>> {
    let op = super::operation(&state, &operation)?;
    let asked: SetMode = body(
        &bytes,
        r#"a mode is {"mode": "mock"} or {"mode": "vendor"}"#,
    )?;
    let api = &state.contract.vendor_of(op).api;
    let has_upstream = state
        .upstream
        .as_ref()
        .is_some_and(|p| p.target(op.vendor).is_some());
    if asked.mode == Mode::Vendor && !has_upstream {
        return Err(AdminError::Conflict(format!(
            "{operation} belongs to {api}, which has no upstream: start the mock with --upstream {api}=URL"
        )));
    }
    commit(&state, &which, mode::set(&op.id, asked.mode)).await?;
    Ok(Json(
        json!({"tenant": which, "operation": op.id, "mode": asked.mode}),
    ))
}

pub(super) async fn drift(State(state): Shared) -> Json<Value> {
    Json(match &state.upstream {
        Some(proxy) => proxy.drift.snapshot(),
        // No upstream: the report of nothing, in the same shape.
        None => crate::upstream::DriftReport::default().snapshot(),
    })
}

pub(super) async fn clear_drift(State(state): Shared) -> StatusCode {
    if let Some(proxy) = &state.upstream {
        proxy.drift.clear();
    }
    StatusCode::NO_CONTENT
}

pub(super) async fn recording(
    State(state): Shared,
    NamedTenant(which): NamedTenant,
) -> AdminResult<Json<Value>> {
    let by_default = state
        .upstream
        .as_ref()
        .is_some_and(|p| p.records_by_default());
    let on = mode::recording(&state.store, &which, by_default).await?;
    Ok(Json(
        crate::upstream::recording_export(&state.store, &which, on).await?,
    ))
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
    bytes: axum::body::Bytes,
) -> AdminResult<Json<Value>> {
    let asked: Recording = body(
        &bytes,
        r#"recording takes {"action": "start"} or {"action": "stop"}"#,
    )?;
    let on = matches!(asked.action, Action::Start);
    if on && state.upstream.is_none() {
        return Err(AdminError::Conflict(
            "no API has an upstream, so there is nothing to record: start the mock with --upstream API=URL"
                .into(),
        ));
    }
    commit(&state, &which, mode::set_recording(on)).await?;
    Ok(Json(json!({"tenant": which, "recording": on})))
}

pub(super) async fn forget_recording(
    State(state): Shared,
    NamedTenant(which): NamedTenant,
) -> AdminResult<StatusCode> {
    let txn = crate::upstream::forget_recording(&state.store, &which).await?;
    commit(&state, &which, txn).await?;
    Ok(StatusCode::NO_CONTENT)
}
