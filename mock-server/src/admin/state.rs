//! Tenants' state over the admin API: reset, export and import of a whole tenant, the tenants, and the
//! edit or removal of one entity. An edit goes through the same guarded commit as the vendor APIs' rules:
//! the entity's unique keys move with it and must be free, and a change made meanwhile is not overwritten.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{NamedTenant, Shared, TenantQuery, commit, problem, store_problem, tenant};
use crate::state::{Commit, Fixtures, Guard, Txn, to_completion};

/// One tenant (`?tenant=` or the header) or, without either, every tenant.
pub(super) async fn reset(
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

pub(super) async fn export(State(state): Shared, NamedTenant(which): NamedTenant) -> Response {
    match state.store.export(&which).await {
        Ok(fixtures) => Json(json!({"tenant": which, "state": fixtures})).into_response(),
        Err(e) => store_problem(e),
    }
}

pub(super) async fn import(
    State(state): Shared,
    NamedTenant(which): NamedTenant,
    body: axum::body::Bytes,
) -> Response {
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
pub(super) async fn forget_tenant(State(state): Shared, Path(name): Path<String>) -> Response {
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

pub(super) async fn tenants(State(state): Shared) -> Response {
    match state.store.tenant_names().await {
        Ok(tenants) => Json(json!({"tenants": tenants})).into_response(),
        Err(e) => store_problem(e),
    }
}

/// `PUT /__mock/state/{kind}/{id}`: creates or replaces one entity (200 with it, 409 when a unique key is
/// held by another entity or the entity changed meanwhile).
pub(super) async fn put_entity(
    State(state): Shared,
    Path((kind, id)): Path<(String, String)>,
    NamedTenant(which): NamedTenant,
    body: axum::body::Bytes,
) -> Response {
    if let Some(refused) = derived(&kind) {
        return refused;
    }
    let entity: Value = match serde_json::from_slice(&body) {
        Ok(entity) => entity,
        Err(e) => {
            return problem(
                StatusCode::BAD_REQUEST,
                format!("the entity is not JSON: {e}"),
            );
        }
    };
    let resource = state.contract.resources.get(&kind);
    if resource.is_some_and(|r| !r.unique.is_empty()) && !entity.is_object() {
        return problem(
            StatusCode::BAD_REQUEST,
            format!("a {kind} is a JSON object"),
        );
    }
    let current = match state.store.get(&which, &kind, &id).await {
        Ok(current) => current,
        Err(e) => return store_problem(e),
    };
    let mut txn = Txn::new().guard(Guard::VersionIs(
        kind.clone(),
        id.clone(),
        current.as_ref().map_or(0, |e| e.version),
    ));
    let mut claimed = Vec::new();
    if let Some(resource) = resource {
        let old = current
            .as_ref()
            .map(|e| resource.keys(&e.body))
            .unwrap_or_default();
        let new = resource.keys(&entity);
        for (index, key) in old.iter().filter(|k| !new.contains(k)) {
            txn = txn.delete(index, key.clone());
        }
        for (index, key) in new.into_iter().filter(|k| !old.contains(k)) {
            txn = txn.guard(Guard::Absent(index.clone(), key.clone())).put(
                &index,
                key.clone(),
                json!({"id": id}),
            );
            claimed.push((index, key));
        }
    }
    txn = txn.put(&kind, id.clone(), entity.clone());
    commit_edit(&state, &which, txn, (&kind, &id), &claimed)
        .await
        .unwrap_or_else(|| {
            Json(json!({"tenant": which, "kind": kind, "id": id, "entity": entity})).into_response()
        })
}

/// `DELETE /__mock/state/{kind}/{id}`: removes one entity and its unique keys (204, or 404).
pub(super) async fn delete_entity(
    State(state): Shared,
    Path((kind, id)): Path<(String, String)>,
    NamedTenant(which): NamedTenant,
) -> Response {
    if let Some(refused) = derived(&kind) {
        return refused;
    }
    let current = match state.store.get(&which, &kind, &id).await {
        Ok(Some(current)) => current,
        Ok(None) => {
            return problem(
                StatusCode::NOT_FOUND,
                format!("tenant {which} has no {kind} {id}"),
            );
        }
        Err(e) => return store_problem(e),
    };
    let mut txn = Txn::new().guard(Guard::VersionIs(kind.clone(), id.clone(), current.version));
    if let Some(resource) = state.contract.resources.get(&kind) {
        for (index, key) in resource.keys(&current.body) {
            txn = txn.delete(&index, key);
        }
    }
    txn = txn.delete(&kind, id.clone());
    commit_edit(&state, &which, txn, (&kind, &id), &[])
        .await
        .unwrap_or_else(|| StatusCode::NO_CONTENT.into_response())
}

/// Index kinds (`<kind>#<unique>`) are derived from their resource's entities: edited through them.
fn derived(kind: &str) -> Option<Response> {
    kind.contains('#').then(|| {
        problem(
            StatusCode::BAD_REQUEST,
            format!(
                "{kind} holds a unique key of {}; the mock keeps it in step with those entities, edit them instead",
                kind.split('#').next().unwrap_or(kind)
            ),
        )
    })
}

/// Commits (to completion) an edit of the entity `(kind, id)`; `None` when it committed, else the answer
/// saying why not. `claimed` are the unique keys guarded after the version.
async fn commit_edit(
    state: &std::sync::Arc<crate::shared::AppState>,
    tenant: &str,
    txn: Txn,
    (kind, id): (&str, &str),
    claimed: &[(String, String)],
) -> Option<Response> {
    match commit(state, tenant, txn).await {
        Ok(Commit::Committed) => None,
        Ok(Commit::Rejected(0)) => Some(problem(
            StatusCode::CONFLICT,
            format!(
                "{kind} {id} of tenant {tenant} changed while it was being edited; read it again"
            ),
        )),
        Ok(Commit::Rejected(guard)) => {
            let (index, key) = claimed
                .get(guard - 1)
                .cloned()
                .unwrap_or_else(|| (kind.to_owned(), id.to_owned()));
            let unique = index.split('#').nth(1).unwrap_or(&index).to_owned();
            Some(problem(
                StatusCode::CONFLICT,
                format!("another {kind} already holds the unique {unique} {key}"),
            ))
        }
        Err(refused) => Some(refused),
    }
}
