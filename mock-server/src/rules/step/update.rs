//! `update: NAME`, `set`: changed fields of a loaded or created entity. Run by `engine/update.rs`.

use super::{Declared, Entities, Step, fields};
use crate::rules::RefusalDecl;
use crate::template::{Names, Template};

/// `update`.
#[derive(Debug, Clone)]
pub(crate) struct Update {
    /// The bound entity.
    pub(crate) name: String,
    /// Field → value (absent values leave the field as it is).
    pub(crate) set: Vec<(String, Template)>,
    /// Answers to unique-key clashes, per unique key of its resource.
    pub(crate) conflicts: Vec<RefusalDecl>,
}

impl Declared<'_, '_> {
    pub(super) fn update(&self, names: &mut Names, entities: &Entities) -> Result<Step, String> {
        let name = self.name()?;
        let kind = entities
            .get(&name)
            .ok_or_else(|| format!("`{name}` is not an entity loaded, found or created before"))?;
        let conflicts = match self.facts.resources.get(kind) {
            Some(resource) => self.conflicts(resource, names)?,
            None => Vec::new(),
        };
        Ok(Step::Update(Update {
            set: fields(Some(self.required("set")?), names)?,
            conflicts,
            name,
        }))
    }
}
