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

    fn load(&self, names: &mut Names, entities: &mut Entities) -> Result<Step, String> {
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

    fn find(&self, names: &mut Names, entities: &mut Entities) -> Result<Step, String> {
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

    fn list(&self, names: &mut Names) -> Result<Step, String> {
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

    fn create(&self, names: &mut Names, entities: &mut Entities) -> Result<Step, String> {
        let name = self.name()?;
        let kind = self.text("kind")?;
        let resource = self.facts.resources.get(&kind).cloned().ok_or_else(|| {
            format!("no resource `{kind}` is declared in x-concord-mock.resources")
        })?;
        let id = self.optional("id", names)?;
        if id.is_none() && resource.id == super::IdStrategy::Request {
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

    fn update(&self, names: &mut Names, entities: &Entities) -> Result<Step, String> {
        let name = self.name()?;
        let kind = entities
            .get(&name)
            .ok_or_else(|| format!("`{name}` is not an entity loaded, found or created before"))?;
        let conflicts = match self.facts.resources.get(kind) {
            Some(resource) => self.conflicts(resource, names)?,
            None => Vec::new(),
        };
        Ok(Step::Update {
            set: fields(Some(self.required("set")?), names)?,
            conflicts,
            name,
        })
    }

    fn claim(&self, names: &mut Names) -> Result<Step, String> {
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

    fn respond(&self, names: &mut Names) -> Result<Step, String> {
        let status = self.map["respond"]
            .as_u64()
            .and_then(|s| u16::try_from(s).ok())
            .ok_or("respond takes a status")?;
        if !self.facts.statuses.contains(&status) {
            return Err(format!(
                "respond {status}: the operation {} does not document {status}",
                self.facts.id
            ));
        }
        let body = self.optional("body", names)?;
        let headers = fields(self.map.get("headers"), names)?;
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
        Ok(Step::Respond(Respond {
            status,
            body,
            headers,
            shared,
        }))
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
