//! The admin API under `/__mock/`: health and the operations, tenants' state, response switches, the
//! request journal and fault rules. With an admin token configured, every admin call needs
//! `Authorization: Bearer <token>`; every call is same-origin only (crate::origin).

mod error;
mod faults;
mod journal;
mod operations;
mod state;
mod switches;
#[cfg(feature = "upstream")]
mod upstream;

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use self::error::{AdminError, AdminResult};
use crate::shared::AppState;
use crate::tenant::DEFAULT_TENANT;

type Shared = State<Arc<AppState>>;

/// Where the admin routes are nested (the page lives under it too).
pub(crate) const PREFIX: &str = "/__mock";

/// The admin routes (nested under [`PREFIX`]).
pub(crate) fn routes(state: Arc<AppState>) -> Router<Arc<AppState>> {
    let router = Router::new()
        .route("/health", get(health))
        .route("/operations", get(operations::list))
        .route("/reset", post(state::reset))
        .route("/state", get(state::export).put(state::import))
        .route(
            "/state/{kind}/{id}",
            put(state::put_entity).delete(state::delete_entity),
        )
        .route("/tenants", get(state::tenants))
        .route("/tenants/{name}", delete(state::forget_tenant))
        .route("/switches", get(switches::list).delete(switches::clear))
        .route(
            "/switches/{operation}",
            put(switches::set).delete(switches::remove),
        )
        .route("/requests", get(journal::list).delete(journal::clear))
        .route(
            "/faults",
            get(faults::list).post(faults::add).delete(faults::clear),
        )
        .route("/faults/{id}", delete(faults::remove))
        .fallback(no_such_endpoint);
    #[cfg(feature = "upstream")]
    let router = router
        .route("/upstream", get(upstream::list))
        .route("/upstream/{operation}", put(upstream::set))
        .route("/drift", get(upstream::drift).delete(upstream::clear_drift))
        .route(
            "/recording",
            get(upstream::recording)
                .post(upstream::set_recording)
                .delete(upstream::forget_recording),
        );
    router
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

/// A path under `/__mock` that is no admin endpoint (nor the page): a 404 naming it, not a vendor's.
async fn no_such_endpoint(method: axum::http::Method, uri: axum::http::Uri) -> AdminError {
    // The path as nested: without the prefix.
    AdminError::NotFound(format!(
        "{method} {PREFIX}{uri} is no endpoint of the mock's admin API (its endpoints are under {PREFIX}; \
         GET {PREFIX}/operations lists the vendor APIs' operations)"
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
            return AdminError::Unauthorized.into_response();
        }
    }
    next.run(request).await
}

/// The operation named in an admin path, or the 404 that says there is none.
fn operation<'s>(state: &'s AppState, id: &str) -> AdminResult<&'s crate::contract::Operation> {
    state
        .contract
        .operation(id)
        .ok_or_else(|| AdminError::NotFound(format!("no operation {id} in the contract")))
}

#[derive(Debug, Deserialize, Default)]
struct TenantQuery {
    tenant: Option<String>,
}

/// `?tenant=` wins over the `X-Mock-Tenant` header.
fn tenant(query: &TenantQuery, headers: &HeaderMap) -> AdminResult<Option<String>> {
    crate::tenant::named(query.tenant.as_deref(), headers).map_err(AdminError::BadRequest)
}

async fn health(State(state): Shared) -> AdminResult<Json<Value>> {
    let tenants = state.store.tenant_names().await?;
    Ok(Json(json!({
        "status": "ok",
        "store": state.store.backend(),
        "operations": state.contract.operations.iter().map(|o| o.id.clone()).collect::<Vec<_>>(),
        "tenants": tenants,
        "uptimeMs": state.started.elapsed().as_millis() as u64,
        "journal": state.journal.len(),
    })))
}

/// The tenant an admin call names (`?tenant=` over `X-Mock-Tenant`), else the default one; a bad name is
/// refused with a 400 before the handler runs.
struct NamedTenant(String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for NamedTenant {
    type Rejection = AdminError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> AdminResult<Self> {
        let query = axum::extract::Query::<TenantQuery>::try_from_uri(&parts.uri)
            .map_err(|e| AdminError::BadRequest(e.body_text()))?;
        let named = tenant(&query, &parts.headers)?;
        Ok(NamedTenant(
            named.unwrap_or_else(|| DEFAULT_TENANT.to_owned()),
        ))
    }
}

/// Commits in a task of its own and waits for it: once begun it finishes, whatever happens to the client
/// that asked (a client that goes away cannot stop a write half-way).
async fn commit(
    state: &Arc<AppState>,
    tenant: &str,
    txn: crate::state::Txn,
) -> AdminResult<crate::state::Commit> {
    let state = state.clone();
    let tenant = tenant.to_owned();
    crate::state::to_completion("the admin write", async move {
        state.store.commit(&tenant, txn).await
    })
    .await
    .map_err(AdminError::Store)
}
