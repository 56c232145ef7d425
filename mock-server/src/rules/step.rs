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

use std::collections::BTreeMap;

use serde_json::{Map, Value};

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
    Update {
        /// The bound entity.
        name: String,
        /// Field → value (absent values leave the field as it is).
        set: Vec<(String, Template)>,
        /// Answers to unique-key clashes, per unique key of its resource.
        conflicts: Vec<RefusalDecl>,
    },
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

/// `respond`.
#[derive(Debug, Clone)]
pub(crate) struct Respond {
    /// The status.
    pub(crate) status: u16,
    /// The body, projected onto the response's schema.
    pub(crate) body: Option<Template>,
    /// Extra headers.
    pub(crate) headers: Vec<(String, Template)>,
    /// References the body makes more than once (those are copied, the others moved into the answer).
    pub(crate) shared: Vec<String>,
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
        let step = Declared { map, kind };
        let t = |key: &str, names: &Names| -> Result<Template, String> {
            Template::compile(step.required(key)?, names).map_err(|e| format!("{key}: {e}"))
        };
        let optional = |key: &str, names: &Names| -> Result<Option<Template>, String> {
            map.get(key)
                .map(|v| Template::compile(v, names).map_err(|e| format!("{key}: {e}")))
                .transpose()
        };
        let refusal = |key: &str, names: &Names| {
            RefusalDecl::compile(step.required(key)?, facts, names)
                .map_err(|e| format!("{key}: {e}"))
        };
        let compiled = match *kind {
            "require" => Step::Require(
                Predicate::compile(&map["require"], names)?,
                refusal("else", names)?,
            ),
            "load" => {
                let name = step.name()?;
                let id = t("id", names)?;
                let filter = fields(map.get("where"), names)?;
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
                    kind: step.text("kind")?,
                    id,
                    filter,
                    missing: refusal("missing", names)?,
                    name: name.clone(),
                    reads,
                };
                entities.insert(name.clone(), load.kind.clone());
                names.bind(name);
                Step::Load(load)
            }
            "find" => {
                let name = step.name()?;
                let find = Find {
                    kind: step.text("kind")?,
                    field: t("field", names)?,
                    equals: t("equals", names)?,
                    missing: refusal("missing", names)?,
                    name: name.clone(),
                };
                entities.insert(name.clone(), find.kind.clone());
                names.bind(name);
                Step::Find(find)
            }
            "list" => {
                let name = step.name()?;
                let list = List {
                    kind: step.text("kind")?,
                    ids: optional("ids", names)?,
                    filter: fields(map.get("where"), names)?,
                    sort: map
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
                    offset: optional("offset", names)?,
                    limit: optional("limit", names)?,
                    name: name.clone(),
                };
                names.bind(name);
                Step::List(list)
            }
            "create" => {
                let name = step.name()?;
                let kind = step.text("kind")?;
                let resource = facts.resources.get(&kind).cloned().ok_or_else(|| {
                    format!("no resource `{kind}` is declared in x-concord-mock.resources")
                })?;
                let id = optional("id", names)?;
                if id.is_none() && resource.id == super::IdStrategy::Request {
                    return Err(format!(
                        "resource {kind} takes its id from the request: give `id`"
                    ));
                }
                let inner = names.with(["$id", "$index", "item"]);
                let conflicts = resource
                    .unique
                    .iter()
                    .map(|u| RefusalDecl::compile(&u.conflict, facts, names))
                    .collect::<Result<_, _>>()
                    .map_err(|e| format!("{kind}: unique conflict: {e}"))?;
                let create = Create {
                    resource,
                    id,
                    upsert: map.get("upsert") == Some(&Value::Bool(true)),
                    count: optional("count", names)?,
                    items: optional("items", names)?,
                    body: t("body", &inner)?,
                    conflicts,
                    name: name.clone(),
                };
                entities.insert(name.clone(), kind);
                names.bind(name);
                Step::Create(create)
            }
            "update" => {
                let name = step.name()?;
                let kind = entities.get(&name).ok_or_else(|| {
                    format!("`{name}` is not an entity loaded, found or created before")
                })?;
                let conflicts = match facts.resources.get(kind) {
                    Some(resource) => resource
                        .unique
                        .iter()
                        .map(|u| RefusalDecl::compile(&u.conflict, facts, names))
                        .collect::<Result<_, _>>()?,
                    None => Vec::new(),
                };
                Step::Update {
                    set: fields(Some(step.required("set")?), names)?,
                    conflicts,
                    name,
                }
            }
            "delete" => {
                let name = step.name()?;
                if !entities.contains_key(&name) {
                    return Err(format!("`{name}` is not an entity loaded or found before"));
                }
                Step::Delete { name }
            }
            "claim" => {
                let name = step.name()?;
                let claim = Claim {
                    kind: step.text("kind")?,
                    ids: t("ids", names)?,
                    filter: fields(map.get("where"), names)?,
                    set: fields(Some(step.required("set")?), names)?,
                    name: name.clone(),
                };
                names.bind(name);
                Step::Claim(claim)
            }
            "let" => {
                let bound = fields(map.get("let"), names)?;
                for (name, _) in &bound {
                    names.bind(name.clone());
                }
                Step::Let(bound)
            }
            _ => {
                let status = map["respond"]
                    .as_u64()
                    .and_then(|s| u16::try_from(s).ok())
                    .ok_or("respond takes a status")?;
                if !facts.statuses.contains(&status) {
                    return Err(format!(
                        "respond {status}: the operation {} does not document {status}",
                        facts.id
                    ));
                }
                let body = optional("body", names)?;
                let headers = fields(map.get("headers"), names)?;
                let mut references = Vec::new();
                if let Some(body) = &body {
                    body.references(&mut references);
                }
                for (_, header) in &headers {
                    header.references(&mut references);
                }
                let shared = references
                    .iter()
                    .filter(|r| *r == "*" || references.iter().filter(|o| o == r).count() > 1)
                    .cloned()
                    .collect();
                Step::Respond(Respond {
                    status,
                    body,
                    headers,
                    shared,
                })
            }
        };
        Ok(compiled)
    }
}

struct Declared<'a> {
    map: &'a Map<String, Value>,
    kind: &'a str,
}

impl Declared<'_> {
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
