//! `list: NAME`, `kind`, `where`, `ids`, `sort`, `offset`, `limit`: a page of entities (`NAME.items`,
//! `.total`, `.page`). Run by `engine/list.rs`.

use serde_json::Value;

use super::{Declared, Step, fields};
use crate::template::{Names, Template};

/// `list`.
#[derive(Debug, Clone)]
pub(crate) struct List {
    /// Binds `{items, total, offset, limit, page}`.
    pub(crate) name: String,
    /// The kind.
    pub(crate) kind: String,
    /// Exactly these ids, in this order (else every entity of the kind).
    pub(crate) ids: Option<Template>,
    /// Fields the entities must have.
    pub(crate) filter: Vec<(String, Template)>,
    /// Fields to sort by.
    pub(crate) sort: Vec<String>,
    /// Entities to skip.
    pub(crate) offset: Option<Template>,
    /// Entities to return at most.
    pub(crate) limit: Option<Template>,
}

impl Declared<'_, '_> {
    pub(super) fn list(&self, names: &mut Names) -> Result<Step, String> {
        let name = self.name()?;
        let list = List {
            kind: self.text("kind")?,
            ids: self.optional("ids", names)?,
            filter: fields(self.map.get("where"), names)?,
            sort: self
                .map
                .get("sort")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|s| {
                    s.as_str()
                        .map(str::to_owned)
                        .ok_or("sort lists field names")
                })
                .collect::<Result<_, _>>()?,
            offset: self.optional("offset", names)?,
            limit: self.optional("limit", names)?,
            name: name.clone(),
        };
        names.bind(name);
        Ok(Step::List(list))
    }
}
