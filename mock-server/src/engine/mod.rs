//! The interpreter of declared rules. It runs an operation's steps against one request: reads go to the
//! store as the steps ask; every precondition that reads an entity and every effect go into ONE guarded
//! commit (versions of what was read, absence of new ids and unique keys, the writes). When a version
//! guard fails because another request got there first, the program runs again on the new state, so
//! business rules hold under any concurrency and on every backend; a unique key that is taken answers the
//! resource's conflict.
//!
//! Each step runs in the file of its name (`load.rs`, `list.rs`, …), beside the compiler's file of that name
//! under `rules/step/`; `require` and `let` run here.

mod claim;
mod create;
mod delete;
mod find;
mod list;
mod load;
mod respond;
mod update;

use std::sync::Arc;

use serde_json::Value;

use crate::answer::Answer;
use crate::contract::{Contract, Operation};
use crate::problem::Problem;
use crate::rules::{Program, RefusalDecl, Step};
use crate::state::{Entity, Guard, Store, StoreError, Write};
use crate::template::{Scope, Template, field, loosely_equal};

/// The refusal a declaration describes, its templates read in `scope`.
pub(crate) fn refusal(op: &Operation, decl: &RefusalDecl, scope: &dyn Scope) -> Answer {
    let text = |t: &Option<Template>| t.as_ref().map(|t| t.text(scope));
    let description = op
        .responses
        .get(&decl.status)
        .map(|r| r.description.clone())
        .unwrap_or_default();
    let problem = Problem {
        code: text(&decl.code),
        message: text(&decl.message).unwrap_or(description),
        details: decl.details.iter().map(|d| d.text(scope)).collect(),
        fields: decl
            .fields
            .iter()
            .map(|(f, t)| (f.clone(), t.text(scope)))
            .collect(),
    };
    match &decl.example {
        Some(name) => Answer::documented(decl.status, Some(name), problem),
        None => Answer::problem(decl.status, problem),
    }
}

/// How often a program runs again after losing a race before the mock gives up (503).
const ATTEMPTS: usize = 16;

/// One request as the rules see it.
pub(crate) struct Request<'a> {
    /// The contract.
    pub(crate) contract: &'a Contract,
    /// The operation.
    pub(crate) op: &'a Operation,
    /// Its rules.
    pub(crate) program: &'a Program,
    /// The tenant whose state it reads and changes.
    pub(crate) tenant: &'a str,
    /// The store.
    pub(crate) store: &'a Store,
    /// What the request brings.
    pub(crate) roots: Roots,
    /// Entities of the first loads, read before the rules ran (with the request's other first reads):
    /// (step index, what the store had). Used by the first attempt only.
    pub(crate) prefetched: Prefetched,
}

/// What was read ahead for the rules, by step index: the entity of each load, every entity of the kind
/// of each list.
#[derive(Default)]
pub(crate) struct Prefetched {
    /// (load step, the id it read, what the store had). The id is the one the step would work out: a load
    /// is read ahead only when its id reads nothing the rules bind.
    pub(crate) loads: Vec<(usize, String, Option<Entity>)>,
    /// (list step, every entity of its kind, by id).
    pub(crate) lists: Vec<(usize, Vec<(String, Entity)>)>,
}

/// What the rules can read with the request's first read, before the credentials are checked: every step
/// before the program's first write that needs nothing the principal or an earlier step binds.
pub(crate) struct ReadAhead<'a> {
    /// `(step index, kind, id)` of the loads whose ids are known now. (A `require` between them does not
    /// stop the batch: a load read ahead of a refusal is a read nobody uses.)
    pub(crate) loads: Vec<(usize, &'a str, String)>,
    /// `(step index, kind)` of the lists of whole kinds, when the store reads kinds ahead: they then cost
    /// no round trip of their own. (Their filters may need what the loads find: they are applied when the
    /// list step runs.)
    pub(crate) lists: Vec<(usize, &'a str)>,
}

impl Request<'_> {
    /// What the program can read ahead (see [`ReadAhead`]).
    pub(crate) fn read_ahead(&self) -> ReadAhead<'_> {
        let run = Run::new(self);
        let lists_too = self.store.reads_kinds_ahead();
        let mut ahead = ReadAhead {
            loads: Vec::new(),
            lists: Vec::new(),
        };
        let mut bound: Vec<&str> = vec!["principal"];
        for (index, step) in self.program.steps.iter().enumerate() {
            match step {
                Step::Require(..) => {}
                Step::Load(load) => {
                    if !load.reads.iter().any(|r| bound.contains(&r.as_str())) {
                        ahead
                            .loads
                            .push((index, load.kind.as_str(), load.id.text(&run)));
                    }
                    bound.push(&load.name);
                }
                Step::List(list) => {
                    if lists_too && list.ids.is_none() {
                        ahead.lists.push((index, list.kind.as_str()));
                    }
                    bound.push(&list.name);
                }
                Step::Find(find) => bound.push(&find.name),
                Step::Let(bindings) => bound.extend(bindings.iter().map(|(name, _)| name.as_str())),
                // A write or the answer: what follows may read what it changes.
                Step::Create(_)
                | Step::Update(_)
                | Step::Delete { .. }
                | Step::Claim(_)
                | Step::Respond(_) => break,
            }
        }
        ahead
    }
}

/// The request's roots, by field rather than in a map: every request builds them.
pub(crate) struct Roots {
    /// Path parameters, converted.
    pub(crate) path: Value,
    /// Query parameters, converted.
    pub(crate) query: Value,
    /// Header parameters, converted.
    pub(crate) header: Value,
    /// The body (`null` without one).
    pub(crate) body: Value,
    /// The credential entity that authenticated the call (read as `null` without one), shared with the
    /// store.
    pub(crate) principal: Option<Arc<Value>>,
    /// The tenant's name.
    pub(crate) tenant: Value,
}

/// Runs the program: the reply of its `respond`, or the answer of a failed precondition.
pub(crate) async fn run(mut request: Request<'_>) -> Answer {
    let mut prefetched = std::mem::take(&mut request.prefetched);
    for _ in 0..ATTEMPTS {
        // What was read ahead serves the first attempt; one that lost a race reads again.
        match attempt(&request, std::mem::take(&mut prefetched)).await {
            Ok(Outcome::Done(answer)) => return answer,
            Ok(Outcome::Raced) => continue,
            Err(e) => return Answer::store_unavailable(&e),
        }
    }
    Answer::documented(
        503,
        None,
        Problem::new(
            "Too many concurrent changes to the same entities; the request was not applied.",
        ),
    )
    .header(
        crate::answer::MOCK_ERROR_HEADER,
        format!("the rules lost {ATTEMPTS} races in a row"),
    )
}

enum Outcome {
    Done(Answer),
    /// A guard on something read failed: run again.
    Raced,
}

/// Why a guard is in the commit, so a failure can be answered.
#[derive(Clone)]
enum Role {
    /// The version of something read: lost a race.
    Read,
    /// A generated id was taken: lost a race (a new one is drawn).
    NewId,
    /// A unique key or a given id is taken.
    Taken(Box<RefusalDecl>),
}

/// A bound entity: where it is stored, and the version read (none: created by this request).
#[derive(Clone)]
struct Bound<'r> {
    kind: &'r str,
    id: String,
    version: Option<u64>,
}

/// Values by the names the program gives them: a handful per request, so a list beats a map, and the
/// names are the program's own (borrowed, not copied).
struct Named<'r, T>(Vec<(&'r str, T)>);

impl<T> Default for Named<'_, T> {
    fn default() -> Self {
        Named(Vec::new())
    }
}

impl<'r, T> Named<'r, T> {
    fn get(&self, name: &str) -> Option<&T> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    fn get_mut(&mut self, name: &str) -> Option<&mut T> {
        self.0.iter_mut().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    fn insert(&mut self, name: &'r str, value: T) {
        match self.get_mut(name) {
            Some(slot) => *slot = value,
            None => self.0.push((name, value)),
        }
    }

    fn remove(&mut self, name: &str) {
        self.0.retain(|(n, _)| *n != name);
    }

    fn values(&self) -> impl Iterator<Item = &T> {
        self.0.iter().map(|(_, v)| v)
    }
}

/// What an absent root reads as.
static NULL: Value = Value::Null;

struct Run<'r> {
    request: &'r Request<'r>,
    /// What the steps bound (the request's roots are read in place, never copied).
    scope: Named<'r, Arc<Value>>,
    ids: Named<'r, Value>,
    entities: Named<'r, Bound<'r>>,
    guards: Vec<(Guard, Role)>,
    writes: Vec<Write>,
}

impl crate::template::Owned for Run<'_> {
    fn bound_mut(&mut self, root: &str) -> Option<&mut Value> {
        self.scope.get_mut(root).map(Arc::make_mut)
    }
}

impl Scope for Run<'_> {
    fn root(&self, root: &str) -> Option<&Value> {
        self.scope.get(root).map(|v| &**v).or(match root {
            "operation" => Some(&self.request.op.context),
            "path" => Some(&self.request.roots.path),
            "query" => Some(&self.request.roots.query),
            "header" => Some(&self.request.roots.header),
            "body" => Some(&self.request.roots.body),
            "principal" => Some(self.request.roots.principal.as_deref().unwrap_or(&NULL)),
            "tenant" => Some(&self.request.roots.tenant),
            _ => None,
        })
    }
    fn id(&self, root: &str) -> Option<Value> {
        self.ids.get(root).cloned()
    }
}

async fn attempt<'r>(
    request: &'r Request<'r>,
    mut prefetched: Prefetched,
) -> Result<Outcome, StoreError> {
    let mut run = Run::new(request);
    let steps = &request.program.steps;
    for (index, step) in steps.iter().enumerate() {
        let refused = match step {
            Step::Require(test, otherwise) => (!test.holds(&run)).then(|| otherwise.clone()),
            Step::Load(load) => {
                if !prefetched.loads.iter().any(|(i, _, _)| *i == index) {
                    // Added to what was read ahead: later loads read ahead stay there.
                    let more = run.prefetch(steps, index).await?;
                    prefetched.loads.extend(more);
                }
                // Always there: a batch begins with the load it was read for.
                let (id, found) = prefetched
                    .loads
                    .iter_mut()
                    .find(|(i, _, _)| *i == index)
                    .map(|(_, id, e)| (std::mem::take(id), e.take()))
                    .unwrap_or_default();
                run.load(load, id, found)
            }
            Step::Find(find) => run.find(find).await?,
            Step::List(list) => {
                let ahead = prefetched
                    .lists
                    .iter_mut()
                    .find(|(i, _)| *i == index)
                    .map(|(_, entities)| std::mem::take(entities));
                run.list(list, ahead).await?;
                None
            }
            Step::Create(create) => {
                run.create(create).await?;
                None
            }
            Step::Update(update) => {
                run.update(update);
                None
            }
            Step::Delete { name } => {
                run.delete(name);
                None
            }
            Step::Claim(claim) => {
                run.claim(claim).await?;
                None
            }
            Step::Let(bindings) => {
                for (name, template) in bindings {
                    match template.eval(&run) {
                        Some(v) => run.scope.insert(name, Arc::new(v)),
                        None => run.scope.remove(name),
                    };
                }
                None
            }
            Step::Respond(respond) => return run.finish(respond).await,
        };
        if let Some(decl) = refused {
            return Ok(Outcome::Done(run.refusal(&decl)));
        }
    }
    // The compiler makes `respond` the last step.
    Ok(Outcome::Done(Answer::problem(
        500,
        Problem::new("the rules ended without an answer"),
    )))
}

impl<'r> Run<'r> {
    fn new(request: &'r Request<'r>) -> Run<'r> {
        Run {
            request,
            scope: Named::default(),
            ids: Named::default(),
            entities: Named::default(),
            guards: Vec::new(),
            writes: Vec::new(),
        }
    }

    fn refusal(&self, decl: &RefusalDecl) -> Answer {
        refusal(self.request.op, decl, self)
    }

    /// Binds a read entity; its version becomes a guard if the request writes anything.
    fn bind(&mut self, name: &'r str, kind: &'r str, id: String, entity: Entity) {
        self.scope.insert(name, entity.body);
        self.ids.insert(name, Value::String(id.clone()));
        self.entities.insert(
            name,
            Bound {
                kind,
                id,
                version: Some(entity.version),
            },
        );
    }

    fn matches(&self, body: &Value, filter: &[(String, Template)]) -> bool {
        meets(body, &self.expected(filter))
    }

    /// A filter's expected values, evaluated once for all the entities it is tested against.
    fn expected<'f>(&self, filter: &'f [(String, Template)]) -> Vec<(&'f str, Option<Value>)> {
        filter
            .iter()
            .map(|(path, t)| (path.as_str(), t.eval(self).filter(|v| !v.is_null())))
            .collect()
    }
}

/// A template's value as a count (a number, or numeric text; negatives are 0).
fn count(template: Option<&Template>, scope: &dyn Scope) -> Option<usize> {
    let value = template?.eval(scope)?;
    crate::template::as_f64(&value).map(|n| n.max(0.0) as usize)
}

/// Whether a body has the expected values (an absent expectation wants the field absent).
fn meets(body: &Value, expected: &[(&str, Option<Value>)]) -> bool {
    expected
        .iter()
        .all(|(path, want)| match (field(body, path), want) {
            (None, None) => true,
            (Some(actual), Some(want)) => loosely_equal(actual, want),
            _ => false,
        })
}
