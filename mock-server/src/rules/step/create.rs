//! `create: NAME`, `kind`, `body`, `id`, `count`, `items`, `upsert`: new entities (ids and unique keys per
//! the resource). Run by `engine/create.rs`.

use serde_json::Value;

use super::{Declared, Entities, Step};
use crate::rules::{IdStrategy, RefusalDecl, Resource};
use crate::template::{Names, Template};

/// `create`.
#[derive(Debug, Clone)]
pub(crate) struct Create {
    /// Binds the entity (or, with `count`, the list of them).
    pub(crate) name: String,
    /// The resource.
    pub(crate) resource: Resource,
    /// The id, when the request gives it.
    pub(crate) id: Option<Template>,
    /// Replace an entity with the same id instead of refusing.
    pub(crate) upsert: bool,
    /// How many.
    pub(crate) count: Option<Template>,
    /// Per-entity input, bound as `item` (the `$index`-th).
    pub(crate) items: Option<Template>,
    /// The entity (`$id` is its id).
    pub(crate) body: Template,
    /// Answers to unique-key clashes, per unique key of the resource.
    pub(crate) conflicts: Vec<RefusalDecl>,
}

impl Declared<'_, '_> {
    pub(super) fn create(
        &self,
        names: &mut Names,
        entities: &mut Entities,
    ) -> Result<Step, String> {
        let name = self.name()?;
        let kind = self.text("kind")?;
        let resource = self.facts.resources.get(&kind).cloned().ok_or_else(|| {
            format!("no resource `{kind}` is declared in x-concord-mock.resources")
        })?;
        let id = self.optional("id", names)?;
        if id.is_none() && resource.id == IdStrategy::Request {
            return Err(format!(
                "resource {kind} takes its id from the request: give `id`"
            ));
        }
        let inner = names.with(["$id", "$index", "item"]);
        let conflicts = self
            .conflicts(&resource, names)
            .map_err(|e| format!("{kind}: unique conflict: {e}"))?;
        let create = Create {
            resource,
            id,
            upsert: self.map.get("upsert") == Some(&Value::Bool(true)),
            count: self.optional("count", names)?,
            items: self.optional("items", names)?,
            body: self.template("body", &inner)?,
            conflicts,
            name: name.clone(),
        };
        entities.insert(name.clone(), kind);
        names.bind(name);
        Ok(Step::Create(create))
    }
}
