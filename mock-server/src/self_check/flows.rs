//! The walk through each resource whose behaviour was inferred from its paths: create → read → list →
//! update, parents before their children, then every delete, children first; in a tenant of its own, with
//! a body built from each request schema, and every answer checked against the schema of its status. The
//! entity a create made is found in the tenant's state, so its id need not be guessed from the answer.

use std::collections::BTreeMap;

use axum::body::Body;
use serde_json::Value;

use super::{Credentials, Finding, Report, answer, assemble, with_credentials};
use crate::contract::{BodyMedia, Contract, Operation};
use crate::shared::AppState;

/// The tenant the walk runs in (the documented answers are asked for in another).
const TENANT: &str = "self-check-flows";

/// What an inferred operation does to its resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    Create,
    Read,
    List,
    Update,
    Delete,
}

/// One inferred resource: its kind, its parent's, and its operations by role.
struct Resource<'c> {
    kind: String,
    parent: Option<String>,
    operations: BTreeMap<Role, &'c Operation>,
}

/// Walks through every inferred resource of `contract` and adds what went wrong to `report`.
pub(super) async fn walk(
    contract: &Contract,
    app: &crate::app::App,
    state: &AppState,
    credentials: &Credentials,
    report: &mut Report,
) {
    let walker = Walker {
        contract,
        app,
        state,
        credentials,
    };
    // Path parameter → the id of an entity the walk holds (`storeId` → `st_…`).
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    let mut deletes: Vec<(&Operation, String)> = Vec::new();
    for resource in resources(contract) {
        let Some(id) = walker.create_or_find(&resource, &ids, report).await else {
            continue;
        };
        let item_param = resource
            .operations
            .values()
            .filter(|op| {
                matches!(
                    role(op),
                    Some((Role::Read | Role::Update | Role::Delete, ..))
                )
            })
            .find_map(|op| last_param(&op.path));
        if let Some(param) = item_param {
            ids.insert(param, id);
        }
        for role in [Role::Read, Role::List, Role::Update] {
            if let Some(op) = resource.operations.get(&role)
                && let Some(path) = concrete(&op.path, &ids)
            {
                walker.send(op, path, report).await;
            }
        }
        if let Some(op) = resource.operations.get(&Role::Delete)
            && let Some(path) = concrete(&op.path, &ids)
        {
            deletes.push((op, path));
        }
    }
    for (op, path) in deletes.into_iter().rev() {
        walker.send(op, path, report).await;
    }
}

struct Walker<'a> {
    contract: &'a Contract,
    app: &'a crate::app::App,
    state: &'a AppState,
    credentials: &'a Credentials,
}

impl Walker<'_> {
    /// The id of the entity the walk goes on with: the one its create made (found in the state), else the
    /// first of the demo data's for a resource with no parent and no create.
    async fn create_or_find(
        &self,
        resource: &Resource<'_>,
        ids: &BTreeMap<String, String>,
        report: &mut Report,
    ) -> Option<String> {
        let before = self.entities(&resource.kind).await;
        let Some(create) = resource.operations.get(&Role::Create) else {
            return before
                .into_iter()
                .next()
                .filter(|_| resource.parent.is_none());
        };
        let path = concrete(&create.path, ids)?;
        let status = self.send(create, path, report).await?;
        let made = self
            .entities(&resource.kind)
            .await
            .into_iter()
            .find(|id| !before.contains(id));
        if made.is_none() {
            report.findings.push(Finding {
                operation: create.id.clone(),
                status,
                problem: format!("answered {status} but stored no {}", resource.kind),
            });
        }
        made
    }

    /// The ids of the walk tenant's entities of `kind`.
    async fn entities(&self, kind: &str) -> Vec<String> {
        let state = self.state.store.export(TENANT).await.unwrap_or_default();
        state
            .get(kind)
            .map(|entities| entities.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// Sends `op` to `path` (with a body built from its schema) and notes what is wrong with the answer:
    /// anything but a success, or a body its status's schema refuses. The status, when all was well.
    async fn send(&self, op: &Operation, path: String, report: &mut Report) -> Option<u16> {
        report.flow_requests += 1;
        let (query, mut headers) = with_credentials(self.contract, op, self.credentials);
        headers.push((crate::TENANT_HEADER.into(), TENANT.into()));
        let body = match op.body.as_ref().map(|b| (b, b.media.first())) {
            Some((spec, Some(BodyMedia::Json))) => {
                headers.push(("content-type".into(), BodyMedia::Json.essence().into()));
                Body::from(spec.sample().to_string())
            }
            Some((spec, Some(BodyMedia::Form))) => {
                headers.push(("content-type".into(), BodyMedia::Form.essence().into()));
                Body::from(form(&spec.sample()))
            }
            _ => Body::empty(),
        };
        let request = assemble(&op.method, path, &query, headers, body);
        let (status, problems) =
            answer(self.app, op, request, |got| (200..300).contains(&got)).await;
        let ok = problems.is_empty().then_some(status);
        report
            .findings
            .extend(problems.into_iter().map(|problem| Finding {
                operation: op.id.clone(),
                status,
                problem: format!("walking through {}: {problem}", op.path),
            }));
        ok
    }
}

/// The inferred resources, parents before their children.
fn resources(contract: &Contract) -> Vec<Resource<'_>> {
    let mut by_kind: BTreeMap<String, Resource<'_>> = BTreeMap::new();
    for op in &contract.operations {
        let Some((role, kind, parent)) = role(op) else {
            continue;
        };
        let resource = by_kind.entry(kind.clone()).or_insert_with(|| Resource {
            kind,
            parent: None,
            operations: BTreeMap::new(),
        });
        resource.parent = resource.parent.take().or(parent);
        resource.operations.entry(role).or_insert(op);
    }
    let mut ordered: Vec<Resource<'_>> = Vec::new();
    while !by_kind.is_empty() {
        let ready: Vec<String> = by_kind
            .values()
            .filter(|r| {
                r.parent.as_ref().is_none_or(|p| {
                    !by_kind.contains_key(p) || ordered.iter().any(|o| &o.kind == p)
                })
            })
            .map(|r| r.kind.clone())
            .collect();
        if ready.is_empty() {
            // A cycle of parents cannot come from paths; walk what is left as it is.
            ordered.extend(std::mem::take(&mut by_kind).into_values());
            break;
        }
        for kind in ready {
            ordered.extend(by_kind.remove(&kind));
        }
    }
    ordered
}

/// What an inferred operation does, to which kind, under which parent kind (read from its rules as
/// `--explain` prints them).
fn role(op: &Operation) -> Option<(Role, String, Option<String>)> {
    let steps = op.inferred.as_ref()?.as_array()?;
    let kind_of = |key: &str, value: &str| {
        steps
            .iter()
            .find(|s| s[key] == value)
            .and_then(|s| s["kind"].as_str())
            .map(str::to_owned)
    };
    let parent = kind_of("load", "parent");
    let has = |key: &str| steps.iter().any(|s| s.get(key).is_some());
    let (role, kind) = if has("create") {
        (
            Role::Create,
            steps
                .iter()
                .find_map(|s| s.get("create").and(s["kind"].as_str()))?
                .to_owned(),
        )
    } else if has("list") {
        (Role::List, kind_of("list", "page")?)
    } else if has("update") {
        (Role::Update, kind_of("load", "entity")?)
    } else if has("delete") {
        (Role::Delete, kind_of("load", "entity")?)
    } else {
        (Role::Read, kind_of("load", "entity")?)
    };
    Some((role, kind, parent))
}

/// `/stores/{storeId}/members` with the walk's ids in place of its parameters; `None` when one is unknown.
fn concrete(path: &str, ids: &BTreeMap<String, String>) -> Option<String> {
    path.split('/')
        .map(
            |segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(param) => ids
                    .get(param)
                    .map(|id| form_urlencoded::byte_serialize(id.as_bytes()).collect()),
                None => Some(segment.to_owned()),
            },
        )
        .collect::<Option<Vec<String>>>()
        .map(|segments| segments.join("/"))
}

/// The name of a path's last parameter (`/stores/{storeId}` → `storeId`).
fn last_param(path: &str) -> Option<String> {
    path.rsplit('/')
        .next()?
        .strip_prefix('{')?
        .strip_suffix('}')
        .map(str::to_owned)
}

/// A form body of a sample's scalar fields (nested values are left out: they are optional here).
fn form(sample: &Value) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (name, value) in sample.as_object().into_iter().flatten() {
        match value {
            Value::String(text) => {
                out.append_pair(name, text);
            }
            Value::Number(_) | Value::Bool(_) => {
                out.append_pair(name, &value.to_string());
            }
            _ => {}
        }
    }
    out.finish()
}
