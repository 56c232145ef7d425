//! The steps of a program and how each is declared.
//!
//! | step | declares |
//! |---|---|
//! | `require: COND`, `else: ANSWER` | a precondition |
//! | `load: NAME`, `kind`, `id`, `where`, `missing` | an entity that must exist (and belong to the path's parent) |
//! | `find: NAME`, `kind`, `field`, `equals`, `missing` | the first entity whose field equals a value |
//! | `list: NAME`, `kind`, `where`, `ids`, `sort`, `offset`, `limit` | a page of entities (`NAME.items`, `.total`, `.page`) |
//! | `create: NAME`, `kind`, `body`, `id`, `count`, `items`, `upsert` | new entities (ids and unique keys per the resource) |
//! | `update: NAME`, `set` | changed fields of a loaded or created entity |
//! | `delete: NAME` | removes a loaded entity (and its unique keys) |
//! | `claim: NAME`, `kind`, `ids`, `where`, `set` | takes free entities from a pool (`NAME.taken`, `NAME.refused`) |
//! | `let: {NAME: VALUE}` | names a value |
//! | `respond: STATUS`, `body`, `headers` | the answer; the last step |
//!
//! Each step with more to it than a line has its own file here (what it declares, and how that compiles)
//! and one of the same name under `engine/` (how it runs); `require`, `delete` and `let` are compiled
//! below and run in `engine/mod.rs`.

mod claim;
mod create;
mod find;
mod list;
mod load;
mod respond;
mod update;

use std::collections::BTreeMap;

use serde_json::{Map, Value};

pub(crate) use self::claim::Claim;
pub(crate) use self::create::Create;
pub(crate) use self::find::Find;
pub(crate) use self::list::List;
pub(crate) use self::load::Load;
pub(crate) use self::respond::Respond;
pub(crate) use self::update::Update;
use super::{OperationFacts, RefusalDecl, Resource};
use crate::template::{Names, Predicate, Template};

/// One step.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    /// A condition that must hold.
    Require(Predicate, RefusalDecl),
    /// Reads one entity by id.
    Load(Load),
    /// Finds one entity by a field.
    Find(Find),
    /// Reads a page of entities.
    List(List),
    /// Creates entities.
    Create(Create),
    /// Changes fields of a bound entity.
    Update(Update),
    /// Deletes a bound entity.
    Delete {
        /// The bound entity.
        name: String,
    },
    /// Takes entities from a pool.
    Claim(Claim),
    /// Binds values.
    Let(Vec<(String, Template)>),
    /// The answer.
    Respond(Respond),
}

/// Names bound to entities so far (for `update`/`delete`): name → kind.
type Entities = BTreeMap<String, String>;

const STEPS: [&str; 10] = [
    "require", "load", "find", "list", "create", "update", "delete", "claim", "let", "respond",
];

impl Step {
    pub(super) fn compile(
        value: &Value,
        facts: &OperationFacts<'_>,
        names: &mut Names,
        entities: &mut Entities,
    ) -> Result<Step, String> {
        let map = value.as_object().ok_or("a step is an object")?;
        let Some(kind) = STEPS.iter().find(|s| map.contains_key(**s)) else {
            return Err(format!(
                "a step starts with one of {}; found {}",
                STEPS.join(", "),
                map.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
        };
        let allowed: &[&str] = match *kind {
            "require" => &["require", "else"],
            "load" => &["load", "kind", "id", "where", "missing"],
            "find" => &["find", "kind", "field", "equals", "missing"],
            "list" => &["list", "kind", "ids", "where", "sort", "offset", "limit"],
            "create" => &["create", "kind", "id", "upsert", "count", "items", "body"],
            "update" => &["update", "set"],
            "delete" => &["delete"],
            "claim" => &["claim", "kind", "ids", "where", "set"],
            "let" => &["let"],
            _ => &["respond", "body", "headers"],
        };
        if let Some(extra) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(format!("`{kind}` does not take `{extra}`"));
        }
        let step = Declared { map, kind, facts };
        match *kind {
            "require" => Ok(Step::Require(
                Predicate::compile(&map["require"], names)?,
                step.refusal("else", names)?,
            )),
            "load" => step.load(names, entities),
            "find" => step.find(names, entities),
            "list" => step.list(names),
            "create" => step.create(names, entities),
            "update" => step.update(names, entities),
            "delete" => {
                let name = step.name()?;
                if !entities.contains_key(&name) {
                    return Err(format!("`{name}` is not an entity loaded or found before"));
                }
                Ok(Step::Delete { name })
            }
            "claim" => step.claim(names),
            "let" => {
                let bound = fields(map.get("let"), names)?;
                for (name, _) in &bound {
                    names.bind(name.clone());
                }
                Ok(Step::Let(bound))
            }
            _ => step.respond(names),
        }
    }
}

/// One step as declared, while it is compiled.
struct Declared<'a, 'f> {
    map: &'a Map<String, Value>,
    kind: &'a str,
    facts: &'a OperationFacts<'f>,
}

impl Declared<'_, '_> {
    fn required(&self, key: &str) -> Result<&Value, String> {
        self.map
            .get(key)
            .ok_or_else(|| format!("`{}` needs `{key}`", self.kind))
    }

    fn text(&self, key: &str) -> Result<String, String> {
        self.required(key)?
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("`{key}` must be text"))
    }

    /// The name a step binds (`load: account`).
    fn name(&self) -> Result<String, String> {
        let name = self.text(self.kind)?;
        let valid = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !name.is_empty();
        if !valid || super::REQUEST_ROOTS.contains(&name.as_str()) {
            return Err(format!(
                "`{name}` cannot name a value (letters, digits, _; not a request root)"
            ));
        }
        Ok(name)
    }

    /// The template at `key`, which must be there.
    fn template(&self, key: &str, names: &Names) -> Result<Template, String> {
        Template::compile(self.required(key)?, names).map_err(|e| format!("{key}: {e}"))
    }

    /// The template at `key`, if any.
    fn optional(&self, key: &str, names: &Names) -> Result<Option<Template>, String> {
        self.map
            .get(key)
            .map(|v| Template::compile(v, names).map_err(|e| format!("{key}: {e}")))
            .transpose()
    }

    /// The refusal at `key`, which must be there.
    fn refusal(&self, key: &str, names: &Names) -> Result<RefusalDecl, String> {
        RefusalDecl::compile(self.required(key)?, self.facts, names)
            .map_err(|e| format!("{key}: {e}"))
    }

    /// The conflicts of a resource's unique keys, in their order.
    fn conflicts(&self, resource: &Resource, names: &Names) -> Result<Vec<RefusalDecl>, String> {
        resource
            .unique
            .iter()
            .map(|u| RefusalDecl::compile(&u.conflict, self.facts, names))
            .collect()
    }
}

/// `{field: template}`.
fn fields(value: Option<&Value>, names: &Names) -> Result<Vec<(String, Template)>, String> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    value
        .as_object()
        .ok_or("expected {field: value}")?
        .iter()
        .map(|(k, v)| {
            Ok((
                k.clone(),
                Template::compile(v, names).map_err(|e| format!("{k}: {e}"))?,
            ))
        })
        .collect()
}
