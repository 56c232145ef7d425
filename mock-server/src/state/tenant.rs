//! One tenant's entities, with versions.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::{DemoData, Guard, Write};

/// A stored entity.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    /// Starts at 1; goes up with every `Put`.
    pub version: u64,
    /// The entity's JSON, shared: a read hands out the stored body without copying it.
    pub body: Arc<Value>,
}

/// A write with the version it produces (`None`: a delete).
pub(crate) type VersionedWrite = (String, String, Option<Entity>);

/// One tenant's state.
#[derive(Debug, Clone, Default)]
pub struct Tenant {
    kinds: BTreeMap<String, BTreeMap<String, Entity>>,
    /// Deleted or reset away while a writer waited for it: the writer starts again on the tenant that
    /// replaced it, so no acknowledged write lands in a state nobody reads.
    pub(crate) forgotten: bool,
}

impl Tenant {
    /// A tenant holding the demo data, every entity at version 1.
    pub fn from_demo_data(demo_data: &DemoData) -> Tenant {
        let kinds = demo_data
            .iter()
            .map(|(kind, entities)| {
                let entities = entities
                    .iter()
                    .map(|(id, body)| {
                        (
                            id.clone(),
                            Entity {
                                version: 1,
                                body: Arc::new(body.clone()),
                            },
                        )
                    })
                    .collect();
                (kind.clone(), entities)
            })
            .collect();
        Tenant {
            kinds,
            forgotten: false,
        }
    }

    pub(crate) fn insert(&mut self, kind: String, id: String, entity: Entity) {
        self.kinds.entry(kind).or_default().insert(id, entity);
    }

    /// One entity.
    pub fn get(&self, kind: &str, id: &str) -> Option<&Entity> {
        self.kinds.get(kind)?.get(id)
    }

    /// Every entity of a kind.
    pub fn list(&self, kind: &str) -> Vec<(String, Entity)> {
        self.list_where(kind, |_, _| true)
    }

    /// The entities of a kind that `keep` accepts: only those are copied.
    pub fn list_where(
        &self,
        kind: &str,
        mut keep: impl FnMut(&str, &Entity) -> bool,
    ) -> Vec<(String, Entity)> {
        self.kinds
            .get(kind)
            .map(|m| {
                m.iter()
                    .filter(|(id, e)| keep(id, e))
                    .map(|(id, e)| (id.clone(), e.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every entity, for writing the whole tenant out.
    #[cfg(feature = "sqlite")]
    pub(crate) fn entities(&self) -> impl Iterator<Item = (&String, &String, &Entity)> {
        self.kinds
            .iter()
            .flat_map(|(kind, m)| m.iter().map(move |(id, e)| (kind, id, e)))
    }

    pub(crate) fn first_failing_guard(&self, guards: &[Guard]) -> Option<usize> {
        guards.iter().position(|guard| match guard {
            Guard::Exists(kind, id) => self.get(kind, id).is_none(),
            Guard::Absent(kind, id) => self.get(kind, id).is_some(),
            Guard::VersionIs(kind, id, version) => {
                self.get(kind, id).map_or(0, |e| e.version) != *version
            }
        })
    }

    /// The entities the writes produce, in order (a later write to the same entity sees the earlier one).
    /// The writes are moved, not copied: this runs under the tenant's lock.
    pub(crate) fn versioned_writes(&self, writes: Vec<Write>) -> Vec<VersionedWrite> {
        // First the versions, with borrowed keys; then the bodies move.
        let mut latest: BTreeMap<(&str, &str), u64> = BTreeMap::new();
        let versions: Vec<u64> = writes
            .iter()
            .map(|write| match write {
                Write::Put(kind, id, _) => {
                    let key = (kind.as_str(), id.as_str());
                    let current = latest
                        .get(&key)
                        .copied()
                        .unwrap_or_else(|| self.get(kind, id).map_or(0, |e| e.version));
                    latest.insert(key, current + 1);
                    current + 1
                }
                Write::Delete(kind, id) => {
                    latest.insert((kind.as_str(), id.as_str()), 0);
                    0
                }
            })
            .collect();
        writes
            .into_iter()
            .zip(versions)
            .map(|(write, version)| match write {
                Write::Put(kind, id, body) => (
                    kind,
                    id,
                    Some(Entity {
                        version,
                        body: Arc::new(body),
                    }),
                ),
                Write::Delete(kind, id) => (kind, id, None),
            })
            .collect()
    }

    pub(crate) fn apply(&mut self, writes: Vec<VersionedWrite>) {
        for (kind, id, entity) in writes {
            match entity {
                Some(entity) => self.insert(kind, id, entity),
                None => {
                    if let Some(m) = self.kinds.get_mut(&kind) {
                        m.remove(&id);
                    }
                }
            }
        }
    }

    /// `{kind: {id: body}}`.
    pub fn export(&self) -> DemoData {
        self.kinds
            .iter()
            .map(|(kind, m)| {
                (
                    kind.clone(),
                    m.iter()
                        .map(|(id, e)| (id.clone(), Value::clone(&e.body)))
                        .collect(),
                )
            })
            .collect()
    }
}
