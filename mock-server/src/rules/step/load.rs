//! `load: NAME`, `kind`, `id`, `where`, `missing`: an entity that must exist (and belong to the path's
//! parent). Run by `engine/load.rs`.

use super::{Declared, Entities, Step, fields};
use crate::rules::RefusalDecl;
use crate::template::{Names, Template};

/// `load`.
#[derive(Debug, Clone)]
pub(crate) struct Load {
    /// Binds the entity.
    pub(crate) name: String,
    /// Its kind.
    pub(crate) kind: String,
    /// Its id.
    pub(crate) id: Template,
    /// Fields it must have (its parent).
    pub(crate) filter: Vec<(String, Template)>,
    /// When it is absent or does not match.
    pub(crate) missing: RefusalDecl,
    /// The roots its id and filter read (a load reading none of the loads just before it is read with them,
    /// in one batch).
    pub(crate) reads: Vec<String>,
}

impl Declared<'_, '_> {
    pub(super) fn load(&self, names: &mut Names, entities: &mut Entities) -> Result<Step, String> {
        let name = self.name()?;
        let id = self.template("id", names)?;
        let filter = fields(self.map.get("where"), names)?;
        let mut references = Vec::new();
        id.references(&mut references);
        for (_, f) in &filter {
            f.references(&mut references);
        }
        let reads = references
            .iter()
            .map(|r| r.split(['.', '[']).next().unwrap_or(r).to_owned())
            .collect();
        let load = Load {
            kind: self.text("kind")?,
            id,
            filter,
            missing: self.refusal("missing", names)?,
            name: name.clone(),
            reads,
        };
        entities.insert(name.clone(), load.kind.clone());
        names.bind(name);
        Ok(Step::Load(load))
    }
}
