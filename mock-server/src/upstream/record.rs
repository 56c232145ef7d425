//! Recording: a vendor's success answer to an operation whose rules list, load or create entities of a
//! kind is stored in the tenant's state as those entities (with the parent fields the rules filter on and
//! their unique-key indexes), so the same operation switched back to `mock` serves what the vendor
//! returned. Each answer is also kept as a named example per operation and status; `GET
//! /__mock/recording` exports both in the vendor folder's formats (`demo.json` entities, response
//! examples). Credentials are redacted before anything is stored.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::contract::{Contract, Operation};
use crate::rules::Step;
use crate::state::{Store, StoreError, Txn};
use crate::template::{Template, text_of};

/// The log of recorded entities (`<kind> <id>` → `{kind, id}`), for the export.
const ENTITIES: &str = "mock.recorded";
/// The recorded examples (`<operationId> <status>` → `{operation, status, value}`).
const EXAMPLES: &str = "mock.recorded-example";
/// The most entities one answer records.
const MAX_PER_ANSWER: usize = 100;
/// Field names whose values are secrets wherever they appear.
const SECRET_FIELDS: [&str; 9] = [
    "password",
    "secret",
    "client_secret",
    "token",
    "access_token",
    "refresh_token",
    "api_key",
    "apikey",
    "authorization",
];

/// What one exchange gives the recorder.
pub(crate) struct Answer<'a> {
    pub(crate) op: &'a Operation,
    /// `path`, `query`, `header` and `body` of the request, typed as the rules see them.
    pub(crate) roots: &'a Map<String, Value>,
    pub(crate) status: u16,
    pub(crate) body: &'a Value,
    /// Credential values the exchange carried (the client's and the configured one).
    pub(crate) secrets: &'a [String],
}

/// The writes that record `answer`: its entities and its example.
pub(crate) fn writes(contract: &Contract, answer: &Answer<'_>) -> Txn {
    let mut body = answer.body.clone();
    redact(&mut body, answer.secrets);
    let mut txn = Txn::new().put(
        EXAMPLES,
        format!("{} {}", answer.op.id, answer.status),
        json!({"operation": answer.op.id, "status": answer.status, "value": body}),
    );
    for (kind, id, entity) in entities(answer, &body) {
        if let Some(resource) = contract.resources.get(&kind) {
            for (index, key) in resource.keys(&entity) {
                txn = txn.put(&index, key, json!({"id": id}));
            }
        }
        txn = txn
            .put(
                ENTITIES,
                format!("{kind} {id}"),
                json!({"kind": kind, "id": id}),
            )
            .put(&kind, id, entity);
    }
    txn
}

/// The entities the answer shows: the items of the list, or the entity loaded or created, that the
/// operation's `respond` step answers with.
fn entities(answer: &Answer<'_>, body: &Value) -> Vec<(String, String, Value)> {
    let Some(program) = &answer.op.rules else {
        return Vec::new();
    };
    let mut references = Vec::new();
    for step in &program.steps {
        if let Step::Respond(respond) = step
            && let Some(template) = &respond.body
        {
            template.references(&mut references);
        }
    }
    let answered = |name: &str| {
        references
            .iter()
            .any(|r| r == name || r.starts_with(&format!("{name}.")))
    };
    let scope = answer.roots;
    let with_filter = |mut entity: Value, filter: &[(String, Template)]| {
        if let Some(map) = entity.as_object_mut() {
            for (field, template) in filter {
                if let Some(value) = template.eval(scope)
                    && !map.contains_key(field)
                {
                    map.insert(field.clone(), value);
                }
            }
        }
        entity
    };
    for step in program.steps.iter().rev() {
        match step {
            Step::List(list) if answered(&list.name) => {
                return items(body)
                    .into_iter()
                    .filter_map(|item| Some((id_of(item)?, item.clone())))
                    .take(MAX_PER_ANSWER)
                    .map(|(id, item)| (list.kind.clone(), id, with_filter(item, &list.filter)))
                    .collect();
            }
            Step::Load(load) if answered(&load.name) && body.is_object() => {
                let Some(id) = load.id.eval(scope).map(|v| text_of(&v)) else {
                    continue;
                };
                return vec![(
                    load.kind.clone(),
                    id,
                    with_filter(body.clone(), &load.filter),
                )];
            }
            Step::Create(create) if answered(&create.name) && body.is_object() => {
                // The answer may show only part of what was created (an id): the request fills the rest.
                let mut entity = scope.get("body").cloned().unwrap_or(Value::Null);
                if !entity.is_object() {
                    entity = json!({});
                }
                let mut sent = entity;
                redact(&mut sent, answer.secrets);
                if let (Some(into), Some(shown)) = (sent.as_object_mut(), body.as_object()) {
                    for (k, v) in shown {
                        into.insert(k.clone(), v.clone());
                    }
                }
                let id =
                    id_of(body).or_else(|| create.id.as_ref()?.eval(scope).map(|v| text_of(&v)));
                let Some(id) = id else { continue };
                return vec![(create.resource.kind.clone(), id, sent)];
            }
            _ => {}
        }
    }
    Vec::new()
}

/// The list in an answer: the answer itself, or its first array of objects (`items`, `data`).
fn items(body: &Value) -> Vec<&Value> {
    match body {
        Value::Array(items) => items.iter().collect(),
        Value::Object(map) => map
            .values()
            .find_map(|v| v.as_array().filter(|a| a.iter().all(Value::is_object)))
            .map(|a| a.iter().collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

fn id_of(entity: &Value) -> Option<String> {
    entity.get("id").filter(|v| !v.is_null()).map(text_of)
}

/// Replaces credentials: any value equal to one the exchange carried, and the values of secret fields.
pub(crate) fn redact(value: &mut Value, secrets: &[String]) {
    match value {
        Value::String(s)
            if secrets
                .iter()
                .any(|secret| !secret.is_empty() && s.contains(secret.as_str())) =>
        {
            *s = "***".to_owned();
        }
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                let secret_field = SECRET_FIELDS.iter().any(|f| key.eq_ignore_ascii_case(f));
                if secret_field && !v.is_null() {
                    *v = Value::String("***".to_owned());
                } else {
                    redact(v, secrets);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| redact(v, secrets)),
        _ => {}
    }
}

/// What the tenant recorded, in the vendor folder's formats: `demo` as in `demo.json` (kind → id →
/// entity, as the tenant's state holds them now) and `examples` per operation and status as OpenAPI
/// named examples (`{summary, value}`), ready to paste into the vendor's `openapi.yaml`.
pub(crate) async fn export(store: &Store, tenant: &str, on: bool) -> Result<Value, StoreError> {
    let logged = store.list(tenant, ENTITIES).await?;
    let wanted: Vec<(String, String)> = logged
        .iter()
        .filter_map(|(_, e)| {
            Some((
                e.body["kind"].as_str()?.to_owned(),
                e.body["id"].as_str()?.to_owned(),
            ))
        })
        .collect();
    let found = store
        .get_many(tenant, wanted.iter().map(|(k, i)| (k.as_str(), i.as_str())))
        .await?;
    let mut demo = Map::new();
    for ((kind, id), entity) in wanted.iter().zip(found) {
        if let Some(entity) = entity {
            let into = demo.entry(kind.clone()).or_insert_with(|| json!({}));
            into[id.as_str()] = Arc::unwrap_or_clone(entity.body);
        }
    }
    let mut examples = Map::new();
    for (_, e) in store.list(tenant, EXAMPLES).await? {
        let (Some(op), Some(status)) = (e.body["operation"].as_str(), e.body["status"].as_u64())
        else {
            continue;
        };
        let per_op = examples.entry(op.to_owned()).or_insert_with(|| json!({}));
        per_op[status.to_string()] = json!({"recorded": {
            "summary": format!("Recorded from the vendor ({op}, {status})"),
            "value": e.body["value"],
        }});
    }
    Ok(json!({"tenant": tenant, "recording": on, "demo": demo, "examples": examples}))
}

/// The writes that forget what the tenant recorded (the entities stay in its state).
pub(crate) async fn forget(store: &Store, tenant: &str) -> Result<Txn, StoreError> {
    let mut txn = Txn::new();
    for kind in [ENTITIES, EXAMPLES] {
        for (id, _) in store.list(tenant, kind).await? {
            txn = txn.delete(kind, id);
        }
    }
    Ok(txn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_redacted_by_value_and_by_field() {
        let mut value = json!({"a": "Bearer real-secret-1", "password": "p", "nested": [{"apiKey": "k"}], "ok": "x"});
        redact(&mut value, &["real-secret-1".to_owned()]);
        assert_eq!(
            value,
            json!({"a": "***", "password": "***", "nested": [{"apiKey": "***"}], "ok": "x"})
        );
    }
}
