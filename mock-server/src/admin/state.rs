//! Tenants' state over the admin API: reset, export and import of a whole tenant, the tenants, and the
//! edit or removal of one entity. An edit goes through the same guarded commit as the vendor APIs' rules:
//! the entity's unique keys move with it and must be free, and a change made meanwhile is not overwritten.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

use super::error::{AdminError, AdminResult, body};
use super::{NamedTenant, Shared, TenantQuery, commit, tenant};
use crate::state::{Commit, DemoData, Guard, Txn, to_completion};

/// One tenant (`?tenant=` or the header) or, without either, every tenant.
pub(super) async fn reset(
    State(state): Shared,
    Query(query): Query<TenantQuery>,
    headers: HeaderMap,
) -> AdminResult<Json<Value>> {
    let which = tenant(&query, &headers)?;
    // In a task of its own: a reset of every tenant completes even when its client gives up waiting.
    let done = {
        let state = state.clone();
        let which = which.clone();
        to_completion("the reset task", async move {
            state.store.reset(which.as_deref()).await
        })
        .await
    };
    done?;
    Ok(Json(
        json!({"reset": which.map_or_else(|| json!("all"), Value::String)}),
    ))
}

pub(super) async fn export(
    State(state): Shared,
    NamedTenant(which): NamedTenant,
) -> AdminResult<Json<Value>> {
    let demo_data = state.store.export(&which).await?;
    Ok(Json(json!({"tenant": which, "state": demo_data})))
}

pub(super) async fn import(
    State(state): Shared,
    NamedTenant(which): NamedTenant,
    bytes: axum::body::Bytes,
) -> AdminResult<Json<Value>> {
    // Accept what GET returns ({tenant, state}) as well as the bare {kind: {id: body}} map.
    let state_value = match body(&bytes, "the body is not JSON")? {
        Value::Object(mut map) if map.contains_key("state") => {
            map.remove("state").unwrap_or_default()
        }
        other => other,
    };
    let demo_data: DemoData = serde_json::from_value(state_value).map_err(|e| {
        AdminError::BadRequest(format!("state must be {{kind: {{id: entity}}}}: {e}"))
    })?;
    let demo_data = state.contract.prepare_demo_data(demo_data);
    state.store.import(&which, demo_data).await?;
    Ok(Json(json!({"imported": which})))
}

/// `DELETE /__mock/tenants/{name}`: the tenant's state is gone (204), or it had none (404).
pub(super) async fn forget_tenant(
    State(state): Shared,
    Path(name): Path<String>,
) -> AdminResult<StatusCode> {
    let name = crate::tenant::named(Some(&name), &HeaderMap::new())
        .map_err(AdminError::BadRequest)?
        .ok_or_else(|| AdminError::BadRequest("name a tenant".into()))?;
    let done = {
        let state = state.clone();
        let name = name.clone();
        to_completion(
            "the delete task",
            async move { state.store.forget(&name).await },
        )
        .await
    };
    if done? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AdminError::NotFound(format!("no tenant {name} has state")))
    }
}

pub(super) async fn tenants(State(state): Shared) -> AdminResult<Json<Value>> {
    let tenants = state.store.tenant_names().await?;
    Ok(Json(json!({"tenants": tenants})))
}

/// `PUT /__mock/state/{kind}/{id}`: creates or replaces one entity (200 with it, 409 when a unique key is
/// held by another entity or the entity changed meanwhile).
pub(super) async fn put_entity(
    State(state): Shared,
    Path((kind, id)): Path<(String, String)>,
    NamedTenant(which): NamedTenant,
    bytes: axum::body::Bytes,
) -> AdminResult<Json<Value>> {
    not_derived(&kind)?;
    let entity: Value = body(&bytes, "the entity is not JSON")?;
    let resource = state.contract.resources.get(&kind);
    if resource.is_some_and(|r| !r.unique.is_empty()) && !entity.is_object() {
        return Err(AdminError::BadRequest(format!("a {kind} is a JSON object")));
    }
    let current = state.store.get(&which, &kind, &id).await?;
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
    commit_edit(&state, &which, txn, (&kind, &id), &claimed).await?;
    Ok(Json(
        json!({"tenant": which, "kind": kind, "id": id, "entity": entity}),
    ))
}

/// `DELETE /__mock/state/{kind}/{id}`: removes one entity and its unique keys (204, or 404).
pub(super) async fn delete_entity(
    State(state): Shared,
    Path((kind, id)): Path<(String, String)>,
    NamedTenant(which): NamedTenant,
) -> AdminResult<StatusCode> {
    not_derived(&kind)?;
    let current = state
        .store
        .get(&which, &kind, &id)
        .await?
        .ok_or_else(|| AdminError::NotFound(format!("tenant {which} has no {kind} {id}")))?;
    let mut txn = Txn::new().guard(Guard::VersionIs(kind.clone(), id.clone(), current.version));
    if let Some(resource) = state.contract.resources.get(&kind) {
        for (index, key) in resource.keys(&current.body) {
            txn = txn.delete(&index, key);
        }
    }
    txn = txn.delete(&kind, id.clone());
    commit_edit(&state, &which, txn, (&kind, &id), &[]).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Index kinds (`<kind>#<unique>`) are derived from their resource's entities: edited through them.
fn not_derived(kind: &str) -> AdminResult<()> {
    match kind.split_once('#') {
        Some((resource, _)) => Err(AdminError::BadRequest(format!(
            "{kind} holds a unique key of {resource}; the mock keeps it in step with those entities, edit them instead"
        ))),
        None => Ok(()),
    }
}

/// Commits (to completion) an edit of the entity `(kind, id)`, or says why it did not. `claimed` are the
/// unique keys guarded after the version.
async fn commit_edit(
    state: &std::sync::Arc<crate::shared::AppState>,
    tenant: &str,
    txn: Txn,
    (kind, id): (&str, &str),
    claimed: &[(String, String)],
) -> AdminResult<()> {
    match commit(state, tenant, txn).await? {
        Commit::Committed => Ok(()),
        Commit::Rejected(0) => Err(AdminError::Conflict(format!(
            "{kind} {id} of tenant {tenant} changed while it was being edited; read it again"
        ))),
        Commit::Rejected(guard) => {
            let (index, key) = claimed
                .get(guard - 1)
                .cloned()
                .unwrap_or_else(|| (kind.to_owned(), id.to_owned()));
            let unique = index.split('#').nth(1).unwrap_or(&index);
            Err(AdminError::Conflict(format!(
                "another {kind} already holds the unique {unique} {key}"
            )))
        }
    }
}
