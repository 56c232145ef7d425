//! The admin API under `/__mock/`: health, reset, state export/import, the request journal and fault rules.
//! With an admin token configured, every admin call needs `Authorization: Bearer <token>`.

use std::sync::Arc;

use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::faults::FaultRule;
use crate::journal::Filter;
use crate::shared::AppState;
use crate::state::{Fixtures, StoreError, to_completion};
use crate::tenant::DEFAULT_TENANT;

type Shared = State<Arc<AppState>>;

/// The admin routes (nested under `/__mock`).
pub(crate) fn routes(state: Arc<AppState>) -> Router<Arc<AppState>> {
    Router::new()
        .route("/health", get(health))
        .route("/reset", post(reset))
        .route("/state", get(export).put(import))
        .route("/tenants", get(tenants))
        .route("/tenants/{name}", delete(forget_tenant))
        .route("/requests", get(requests).delete(clear_requests))
        .route(
            "/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/faults/{id}", delete(remove_fault))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            require_token,
        ))
        // Outermost: a foreign host or origin is refused before the token is even looked at.
        .layer(axum::middleware::from_fn_with_state(
            state.allowed_hosts.clone(),
            crate::origin::same_origin,
        ))
}

async fn require_token(State(state): Shared, request: Request, next: Next) -> Response {
    if let Some(token) = &state.admin_token {
        let presented = request
            .headers()
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if presented != Some(token.as_str()) {
            return problem(
                StatusCode::UNAUTHORIZED,
                "the admin API needs `Authorization: Bearer <admin token>`",
            );
        }
    }
    next.run(request).await
}

fn problem(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({"error": message.into()}))).into_response()
}

fn store_problem(e: StoreError) -> Response {
    problem(StatusCode::SERVICE_UNAVAILABLE, e.chain())
}

#[derive(Debug, Deserialize, Default)]
struct TenantQuery {
    tenant: Option<String>,
}

/// `?tenant=` wins over the `X-Mock-Tenant` header.
fn tenant(query: &TenantQuery, headers: &HeaderMap) -> Result<Option<String>, Box<Response>> {
    crate::tenant::named(query.tenant.as_deref(), headers)
        .map_err(|message| Box::new(problem(StatusCode::BAD_REQUEST, message)))
}

async fn health(State(state): Shared) -> Response {
    match state.store.tenant_names().await {
        Ok(tenants) => Json(json!({
            "status": "ok",
            "store": state.store.backend(),
            "operations": state.contract.operations.iter().map(|o| o.id.clone()).collect::<Vec<_>>(),
            "tenants": tenants,
            "uptimeMs": state.started.elapsed().as_millis() as u64,
            "journal": state.journal.len(),
        }))
        .into_response(),
        Err(e) => store_problem(e),
    }
}

/// One tenant (`?tenant=` or the header) or, without either, every tenant.
async fn reset(
    State(state): Shared,
    Query(query): Query<TenantQuery>,
    headers: HeaderMap,
) -> Response {
    let which = match tenant(&query, &headers) {
        Ok(which) => which,
        Err(refused) => return *refused,
    };
    // In a task of its own: a reset of every tenant completes even when its client gives up waiting.
    let done = {
        let state = state.clone();
        let which = which.clone();
        to_completion("the reset task", async move {
            state.store.reset(which.as_deref()).await
        })
        .await
    };
    match done {
        Ok(()) => Json(json!({"reset": which.map_or_else(|| json!("all"), Value::String)}))
            .into_response(),
        Err(e) => store_problem(e),
    }
}

async fn export(
    State(state): Shared,
    Query(query): Query<TenantQuery>,
    headers: HeaderMap,
) -> Response {
    let which = match tenant(&query, &headers) {
        Ok(which) => which.unwrap_or_else(|| DEFAULT_TENANT.to_owned()),
        Err(refused) => return *refused,
    };
    match state.store.export(&which).await {
        Ok(fixtures) => Json(json!({"tenant": which, "state": fixtures})).into_response(),
        Err(e) => store_problem(e),
    }
}

async fn import(
    State(state): Shared,
    Query(query): Query<TenantQuery>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let which = match tenant(&query, &headers) {
        Ok(which) => which.unwrap_or_else(|| DEFAULT_TENANT.to_owned()),
        Err(refused) => return *refused,
    };
    let parsed: Result<Value, _> = serde_json::from_slice(&body);
    // Accept what GET returns ({tenant, state}) as well as the bare {kind: {id: body}} map.
    let state_value = match parsed {
        Ok(Value::Object(mut map)) if map.contains_key("state") => {
            map.remove("state").unwrap_or_default()
        }
        Ok(other) => other,
        Err(e) => {
            return problem(
                StatusCode::BAD_REQUEST,
                format!("the body is not JSON: {e}"),
            );
        }
    };
    let fixtures: Fixtures = match serde_json::from_value(state_value) {
        Ok(f) => f,
        Err(e) => {
            return problem(
                StatusCode::BAD_REQUEST,
                format!("state must be {{kind: {{id: entity}}}}: {e}"),
            );
        }
    };
    let fixtures = state.contract.prepare_fixtures(fixtures);
    match state.store.import(&which, fixtures).await {
        Ok(()) => Json(json!({"imported": which})).into_response(),
        Err(e) => store_problem(e),
    }
}

/// `DELETE /__mock/tenants/{name}`: the tenant's state is gone (204), or it had none (404).
async fn forget_tenant(State(state): Shared, Path(name): Path<String>) -> Response {
    let headers = HeaderMap::new();
    let name = match crate::tenant::named(Some(&name), &headers) {
        Ok(Some(name)) => name,
        Ok(None) => return problem(StatusCode::BAD_REQUEST, "name a tenant"),
        Err(message) => return problem(StatusCode::BAD_REQUEST, message),
    };
    let done = {
        let state = state.clone();
        let name = name.clone();
        to_completion(
            "the delete task",
            async move { state.store.forget(&name).await },
        )
        .await
    };
    match done {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => problem(StatusCode::NOT_FOUND, format!("no tenant {name} has state")),
        Err(e) => store_problem(e),
    }
}

async fn tenants(State(state): Shared) -> Response {
    match state.store.tenant_names().await {
        Ok(tenants) => Json(json!({"tenants": tenants})).into_response(),
        Err(e) => store_problem(e),
    }
}

async fn requests(State(state): Shared, Query(filter): Query<Filter>) -> Json<Value> {
    Json(json!({"requests": state.journal.query(&filter)}))
}

async fn clear_requests(State(state): Shared) -> StatusCode {
    state.journal.clear();
    StatusCode::NO_CONTENT
}

async fn list_faults(State(state): Shared) -> Json<Value> {
    Json(json!({"faults": state.faults.list()}))
}

async fn add_fault(State(state): Shared, body: axum::body::Bytes) -> Response {
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

async fn remove_fault(State(state): Shared, Path(id): Path<u64>) -> Response {
    if state.faults.remove(id) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        problem(StatusCode::NOT_FOUND, format!("no fault rule {id}"))
    }
}

async fn clear_faults(State(state): Shared) -> StatusCode {
    state.faults.clear();
    StatusCode::NO_CONTENT
}
