//! A resource: a collection of entities of one kind, how their ids are made and which of their fields are
//! unique. Declared per vendor in `x-concord-mock.resources`:
//!
//! ```yaml
//! resources:
//!   shop.member:
//!     id: uuid                 # or {digits: 10}, {sequence: 1000}, request
//!     unique:
//!       - name: email
//!         key: "{shop}/{lower(email)}"   # over the entity's fields
//!         conflict: {example: CONFLICT}  # or {status: 409, message: …}
//! ```
//!
//! Each unique key is held by an index entity (`<kind>#<name>`), claimed in the same guarded commit as the
//! entity, so uniqueness holds under any concurrency on every backend. Indexes of the demo data are derived
//! at start-up.

use serde_json::{Value, json};

use crate::state::DemoData;
use crate::template::{Names, Template};

/// How new entities get their id.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum IdStrategy {
    /// A random UUID (text).
    Uuid,
    /// A random integer of this many digits (the first not zero).
    Digits(u32),
    /// One more than the largest integer id so far, starting here.
    Sequence(i64),
    /// Taken from the request (the `create` step's `id`).
    Request,
}

/// A unique field (or combination) of a resource.
#[derive(Debug, Clone)]
pub(crate) struct Unique {
    /// Names the index kind (`<kind>#<name>`).
    pub(crate) name: String,
    /// The key, over the entity's fields.
    pub(crate) key: Template,
    /// How a clash answers, compiled per operation (it may name the operation's examples).
    pub(crate) conflict: Value,
}

/// A declared resource.
#[derive(Debug, Clone)]
pub(crate) struct Resource {
    /// The kind its entities are stored under.
    pub(crate) kind: String,
    /// How ids are made.
    pub(crate) id: IdStrategy,
    /// Unique keys.
    pub(crate) unique: Vec<Unique>,
}

impl Resource {
    /// Compiles one entry of `x-concord-mock.resources`.
    pub(crate) fn compile(kind: &str, value: &Value) -> Result<Resource, String> {
        let id = match value.get("id") {
            None => IdStrategy::Uuid,
            Some(Value::String(s)) if s == "uuid" => IdStrategy::Uuid,
            Some(Value::String(s)) if s == "request" => IdStrategy::Request,
            Some(Value::Object(m)) if m.contains_key("digits") => IdStrategy::Digits(
                m["digits"]
                    .as_u64()
                    .and_then(|d| u32::try_from(d).ok())
                    .filter(|d| (1..=18).contains(d))
                    .ok_or("id.digits must be from 1 to 18")?,
            ),
            Some(Value::Object(m)) if m.contains_key("sequence") => IdStrategy::Sequence(
                m["sequence"]
                    .as_i64()
                    .ok_or("id.sequence must be an integer")?,
            ),
            Some(other) => {
                return Err(format!(
                    "id must be uuid, request, {{digits: N}} or {{sequence: START}}, found {other}"
                ));
            }
        };
        let unique = value
            .get("unique")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|u| {
                let name = u["name"].as_str().ok_or("unique[].name is missing")?;
                Ok(Unique {
                    name: name.to_owned(),
                    key: Template::compile(
                        u.get("key").ok_or("unique[].key is missing")?,
                        &Names::open(),
                    )?,
                    conflict: u
                        .get("conflict")
                        .cloned()
                        .unwrap_or_else(|| json!({"status": 409, "message": format!("The {name} is already taken.")})),
                })
            })
            .collect::<Result<_, String>>()
            .map_err(|e: String| format!("{kind}: {e}"))?;
        Ok(Resource {
            kind: kind.to_owned(),
            id,
            unique,
        })
    }

    /// The kind of a unique key's index entities.
    pub(crate) fn index_kind(&self, unique: &Unique) -> String {
        format!("{}#{}", self.kind, unique.name)
    }

    /// The unique keys an entity holds: (index kind, key).
    pub(crate) fn keys(&self, body: &Value) -> Vec<(String, String)> {
        let Some(fields) = body.as_object() else {
            return Vec::new();
        };
        self.unique
            .iter()
            .map(|u| (self.index_kind(u), u.key.text(fields)))
            .collect()
    }

    /// Adds the index entities of the demo data's entities of this kind.
    pub(crate) fn index_demo_data(&self, demo_data: &mut DemoData) {
        let Some(entities) = demo_data.get(&self.kind).cloned() else {
            return;
        };
        for (id, body) in entities {
            for (kind, key) in self.keys(&body) {
                demo_data
                    .entry(kind)
                    .or_default()
                    .insert(key, json!({"id": id}));
            }
        }
    }
}
