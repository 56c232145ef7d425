//! `claim: NAME`, `kind`, `ids`, `where`, `set`: takes free entities from a pool (`NAME.taken`,
//! `NAME.refused`). Run by `engine/claim.rs`.

use super::{Declared, Step, fields};
use crate::template::{Names, Template};

/// `claim`.
#[derive(Debug, Clone)]
pub(crate) struct Claim {
    /// Binds `{taken, refused}`.
    pub(crate) name: String,
    /// The pool's kind.
    pub(crate) kind: String,
    /// The ids asked for.
    pub(crate) ids: Template,
    /// What a free entity looks like.
    pub(crate) filter: Vec<(String, Template)>,
    /// What claiming sets.
    pub(crate) set: Vec<(String, Template)>,
}

impl Declared<'_, '_> {
    pub(super) fn claim(&self, names: &mut Names) -> Result<Step, String> {
        let name = self.name()?;
        let claim = Claim {
            kind: self.text("kind")?,
            ids: self.template("ids", names)?,
            filter: fields(self.map.get("where"), names)?,
            set: fields(Some(self.required("set")?), names)?,
            name: name.clone(),
        };
        names.bind(name);
        Ok(Step::Claim(claim))
    }
}
