//! `find: NAME`, `kind`, `field`, `equals`, `missing`: the first entity whose field equals a value. Run by
//! `engine/find.rs`.

use super::{Declared, Entities, Step};
use crate::rules::RefusalDecl;
use crate::template::{Names, Template};

/// `find`.
#[derive(Debug, Clone)]
pub(crate) struct Find {
    /// Binds the entity.
    pub(crate) name: String,
    /// Its kind.
    pub(crate) kind: String,
    /// The field compared (dotted; `$id` is the id).
    pub(crate) field: Template,
    /// The value it must equal.
    pub(crate) equals: Template,
    /// When none matches.
    pub(crate) missing: RefusalDecl,
}

impl Declared<'_, '_> {
    pub(super) fn find(&self, names: &mut Names, entities: &mut Entities) -> Result<Step, String> {
        let name = self.name()?;
        let find = Find {
            kind: self.text("kind")?,
            field: self.template("field", names)?,
            equals: self.template("equals", names)?,
            missing: self.refusal("missing", names)?,
            name: name.clone(),
        };
        entities.insert(name.clone(), find.kind.clone());
        names.bind(name);
        Ok(Step::Find(find))
    }
}
