//! The interpreter of declared rules. It runs an operation's steps against one request: reads go to the
//! store as the steps ask; every precondition that reads an entity and every effect go into ONE guarded
//! commit (versions of what was read, absence of new ids and unique keys, the writes). When a version
//! guard fails because another request got there first, the program runs again on the new state, so
//! business rules hold under any concurrency and on every backend; a unique key that is taken answers the
//! resource's conflict.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::contract::{Contract, Operation};
use crate::problem::Problem;
use crate::refusal::Refusal;
use crate::reply::Reply;
use crate::rules::{
    Claim, Create, Find, IdStrategy, List, Load, Program, RefusalDecl, Respond, Step,
};
use crate::state::{Commit, Entity, Guard, Store, StoreError, Txn, Write};
use crate::template::{Layered, Scope, Template, field, loosely_equal, text_of};

/// The refusal a declaration describes, its templates read in `scope`.
pub(crate) fn refusal(op: &Operation, decl: &RefusalDecl, scope: &dyn Scope) -> Refusal {
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
        Some(name) => Refusal::documented(decl.status, Some(name), problem),
        None => Refusal::problem(decl.status, problem),
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
    /// (load step, what the store had).
    pub(crate) loads: Vec<(usize, Option<Entity>)>,
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
                | Step::Update { .. }
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
    /// The credential entity that authenticated the call (`null` without one).
    pub(crate) principal: Value,
    /// The tenant's name.
    pub(crate) tenant: Value,
}

/// Runs the program: the success answer, or the refusal of a failed precondition.
pub(crate) async fn run(mut request: Request<'_>) -> Result<Reply, Refusal> {
    let mut prefetched = std::mem::take(&mut request.prefetched);
    for _ in 0..ATTEMPTS {
        // What was read ahead serves the first attempt; one that lost a race reads again.
        match attempt(&request, std::mem::take(&mut prefetched)).await {
            Ok(Outcome::Done(result)) => return result,
            Ok(Outcome::Raced) => continue,
            Err(e) => return Err(Refusal::store_unavailable(&e)),
        }
    }
    let mut refusal = Refusal::documented(
        503,
        None,
        Problem::new(
            "Too many concurrent changes to the same entities; the request was not applied.",
        ),
    );
    refusal.headers.push((
        crate::refusal::MOCK_ERROR_HEADER,
        format!("the rules lost {ATTEMPTS} races in a row"),
    ));
    Err(refusal)
}

enum Outcome {
    Done(Result<Reply, Refusal>),
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
struct Bound {
    kind: String,
    id: String,
    version: Option<u64>,
}

/// The values steps bound, by name: a handful per request, so a list beats a hashed map.
#[derive(Default)]
struct Bindings(Vec<(String, Value)>);

impl Bindings {
    fn get(&self, name: &str) -> Option<&Value> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    fn insert(&mut self, name: String, value: Value) {
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.0.push((name, value)),
        }
    }

    fn remove(&mut self, name: &str) {
        self.0.retain(|(n, _)| n != name);
    }
}

struct Run<'r> {
    request: &'r Request<'r>,
    /// What the steps bound (the request's roots are read in place, never copied).
    scope: Bindings,
    ids: BTreeMap<String, Value>,
    entities: BTreeMap<String, Bound>,
    guards: Vec<(Guard, Role)>,
    writes: Vec<Write>,
}

impl crate::template::Owned for Run<'_> {
    fn bound_mut(&mut self, root: &str) -> Option<&mut Value> {
        self.scope
            .0
            .iter_mut()
            .find(|(n, _)| n == root)
            .map(|(_, v)| v)
    }
}

impl Scope for Run<'_> {
    fn root(&self, root: &str) -> Option<&Value> {
        self.scope.get(root).or(match root {
            "operation" => Some(&self.request.op.context),
            "path" => Some(&self.request.roots.path),
            "query" => Some(&self.request.roots.query),
            "header" => Some(&self.request.roots.header),
            "body" => Some(&self.request.roots.body),
            "principal" => Some(&self.request.roots.principal),
            "tenant" => Some(&self.request.roots.tenant),
            _ => None,
        })
    }
    fn id(&self, root: &str) -> Option<Value> {
        self.ids.get(root).cloned()
    }
}

async fn attempt(request: &Request<'_>, mut prefetched: Prefetched) -> Result<Outcome, StoreError> {
    let mut run = Run::new(request);
    let steps = &request.program.steps;
    for (index, step) in steps.iter().enumerate() {
        let refused = match step {
            Step::Require(test, otherwise) => (!test.holds(&run)).then(|| otherwise.clone()),
            Step::Load(load) => {
                if !prefetched.loads.iter().any(|(i, _)| *i == index) {
                    // Added to what was read ahead: later loads read ahead stay there.
                    let more = run.prefetch(steps, index).await?;
                    prefetched.loads.extend(more);
                }
                let found = prefetched
                    .loads
                    .iter_mut()
                    .find(|(i, _)| *i == index)
                    .and_then(|(_, e)| e.take());
                run.load(load, found)
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
            Step::Update {
                name,
                set,
                conflicts,
            } => {
                run.update(name, set, conflicts);
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
                        Some(v) => run.scope.insert(name.clone(), v),
                        None => run.scope.remove(name),
                    };
                }
                None
            }
            Step::Respond(respond) => return run.finish(respond).await,
        };
        if let Some(decl) = refused {
            return Ok(Outcome::Done(Err(run.refusal(&decl))));
        }
    }
    // The compiler makes `respond` the last step.
    Ok(Outcome::Done(Err(Refusal::problem(
        500,
        Problem::new("the rules ended without an answer"),
    ))))
}

impl<'r> Run<'r> {
    fn new(request: &'r Request<'r>) -> Run<'r> {
        Run {
            request,
            scope: Bindings::default(),
            ids: BTreeMap::new(),
            entities: BTreeMap::new(),
            guards: Vec::new(),
            writes: Vec::new(),
        }
    }

    fn refusal(&self, decl: &RefusalDecl) -> Refusal {
        refusal(self.request.op, decl, self)
    }

    /// Binds a read entity; its version becomes a guard if the request writes anything.
    fn bind(&mut self, name: &str, kind: &str, id: &str, entity: Entity) {
        self.scope.insert(name.to_owned(), entity.body);
        self.ids
            .insert(name.to_owned(), Value::String(id.to_owned()));
        self.entities.insert(
            name.to_owned(),
            Bound {
                kind: kind.to_owned(),
                id: id.to_owned(),
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

    /// Reads the entity of the load at `first` together with those of the loads right after it that do not
    /// depend on it (one batched read: one lock in memory, one round trip on Redis).
    async fn prefetch(
        &self,
        steps: &[Step],
        first: usize,
    ) -> Result<Vec<(usize, Option<Entity>)>, StoreError> {
        let batch = self.batch(steps, first);
        let r = self.request;
        let found = r
            .store
            .get_many(
                r.tenant,
                batch.iter().map(|(_, kind, id)| (*kind, id.as_str())),
            )
            .await?;
        Ok(batch.iter().map(|(i, _, _)| *i).zip(found).collect())
    }

    /// The load at `first` and those right after it that do not read each other: (step index, kind, id).
    fn batch<'s>(&self, steps: &'s [Step], first: usize) -> Vec<(usize, &'s str, String)> {
        let mut batch: Vec<(usize, &str, String)> = Vec::new();
        let mut names: Vec<&str> = Vec::new();
        for (index, step) in steps.iter().enumerate().skip(first) {
            let Step::Load(load) = step else { break };
            if load.reads.iter().any(|r| names.contains(&r.as_str())) {
                break;
            }
            batch.push((index, load.kind.as_str(), load.id.text(self)));
            names.push(load.name.as_str());
        }
        batch
    }

    fn load(&mut self, load: &Load, found: Option<Entity>) -> Option<RefusalDecl> {
        let id = load.id.text(self);
        match found {
            Some(entity) if !id.is_empty() && self.matches(&entity.body, &load.filter) => {
                self.bind(&load.name, &load.kind, &id, entity);
                None
            }
            _ => Some(load.missing.clone()),
        }
    }

    async fn find(&mut self, find: &Find) -> Result<Option<RefusalDecl>, StoreError> {
        let field_path = find.field.text(self);
        let Some(wanted) = find.equals.eval(self).filter(|v| !v.is_null()) else {
            return Ok(Some(find.missing.clone()));
        };
        let r = self.request;
        let mut seen = false;
        let found = r
            .store
            .list_where(r.tenant, &find.kind, |id, entity| {
                let hit = !seen
                    && if field_path == "$id" {
                        loosely_equal(&Value::String(id.to_owned()), &wanted)
                    } else {
                        field(&entity.body, &field_path).is_some_and(|a| loosely_equal(a, &wanted))
                    };
                seen |= hit;
                hit
            })
            .await?
            .into_iter()
            .next();
        match found {
            Some((id, entity)) => {
                self.bind(&find.name, &find.kind, &id, entity);
                Ok(None)
            }
            None => Ok(Some(find.missing.clone())),
        }
    }

    /// Binds a page of `list`; `ahead`: every entity of its kind, read with the request's first read.
    async fn list(
        &mut self,
        list: &List,
        ahead: Option<Vec<(String, Entity)>>,
    ) -> Result<(), StoreError> {
        let offset = count(list.offset.as_ref(), self).unwrap_or(0);
        let limit = count(list.limit.as_ref(), self);
        let r = self.request;
        let (items, total) = match &list.ids {
            Some(ids) => {
                let ids: Vec<String> = match ids.eval(self) {
                    Some(Value::Array(ids)) => ids.iter().map(text_of).collect(),
                    _ => Vec::new(),
                };
                let total = ids.len();
                let page: Vec<&String> = ids
                    .iter()
                    .skip(offset)
                    .take(limit.unwrap_or(usize::MAX))
                    .collect();
                let found = r
                    .store
                    .get_many(
                        r.tenant,
                        page.iter().map(|id| (list.kind.as_str(), id.as_str())),
                    )
                    .await?;
                let expected = self.expected(&list.filter);
                let items: Vec<Value> = found
                    .into_iter()
                    .flatten()
                    .map(|e| e.body)
                    .filter(|b| meets(b, &expected))
                    .collect();
                (items, total)
            }
            None => {
                let expected = self.expected(&list.filter);
                let keep = |_: &str, e: &Entity| meets(&e.body, &expected);
                let found = match ahead {
                    Some(mut all) => {
                        all.retain(|(id, e)| keep(id, e));
                        all
                    }
                    None => r.store.list_where(r.tenant, &list.kind, keep).await?,
                };
                let mut items: Vec<(String, Value)> =
                    found.into_iter().map(|(id, e)| (id, e.body)).collect();
                items.sort_by(|(ia, a), (ib, b)| {
                    list.sort
                        .iter()
                        .map(|f| compare(sort_key(a, f, ia), sort_key(b, f, ib)))
                        .find(|o| o.is_ne())
                        .unwrap_or(std::cmp::Ordering::Equal)
                });
                let total = items.len();
                let page = items
                    .into_iter()
                    .skip(offset)
                    .take(limit.unwrap_or(usize::MAX))
                    .map(|(_, b)| b)
                    .collect();
                (page, total)
            }
        };
        let shown_limit = limit.unwrap_or(total);
        // Built by hand: `json!` would copy the items through a serializer.
        let mut page = Map::new();
        page.insert("items".into(), Value::Array(items));
        page.insert("total".into(), total.into());
        page.insert("offset".into(), offset.into());
        page.insert("limit".into(), shown_limit.into());
        page.insert("page".into(), (offset / shown_limit.max(1) + 1).into());
        self.scope.insert(list.name.clone(), Value::Object(page));
        Ok(())
    }

    async fn create(&mut self, create: &Create) -> Result<(), StoreError> {
        // A declared count that is absent or not a number creates none.
        let count = create
            .count
            .as_ref()
            .map(|c| count(Some(c), self).unwrap_or(0));
        let items = create.items.as_ref().and_then(|t| t.eval(self));
        let mut next_in_sequence = self.first_in_sequence(create).await?;
        let mut created = Vec::new();
        for index in 0..count.unwrap_or(1) {
            let (id_value, role) = self.new_id(create, &mut next_in_sequence);
            let mut top = Map::new();
            top.insert("$id".into(), id_value.clone());
            top.insert("$index".into(), json!(index));
            if let Some(item) = items.as_ref().and_then(|i| i.get(index)) {
                top.insert("item".into(), item.clone());
            }
            let body = create
                .body
                .eval(&Layered {
                    top: &top,
                    base: self,
                })
                .unwrap_or_else(|| json!({}));
            self.put_new(create, &id_value, role, &body);
            created.push((body, id_value));
        }
        self.bind_created(create, count.is_some(), created);
        Ok(())
    }

    /// The next id of a `Sequence` resource created without a declared id: one past the largest (0 when
    /// not needed).
    async fn first_in_sequence(&self, create: &Create) -> Result<i64, StoreError> {
        let IdStrategy::Sequence(start) = create.resource.id else {
            return Ok(0);
        };
        if create.id.is_some() {
            return Ok(0);
        }
        let r = self.request;
        // Only the ids are wanted: the filter sees every entity and keeps none.
        let mut max: Option<i64> = None;
        r.store
            .list_where(r.tenant, &create.resource.kind, |id, _| {
                max = max.max(id.parse::<i64>().ok());
                false
            })
            .await?;
        Ok(max.map_or(start, |max| max.saturating_add(1).max(start)))
    }

    /// The id of one created entity: the declared one (taken: 409), or a new one as the resource makes them.
    fn new_id(&self, create: &Create, next_in_sequence: &mut i64) -> (Value, Role) {
        if let Some(template) = &create.id {
            let taken = RefusalDecl {
                status: 409,
                example: None,
                message: Some(Template::Literal(json!(
                    "An entity with this id already exists."
                ))),
                code: None,
                fields: Vec::new(),
                details: Vec::new(),
            };
            return (
                template.eval(self).unwrap_or(Value::Null),
                Role::Taken(Box::new(taken)),
            );
        }
        let value = match create.resource.id {
            IdStrategy::Digits(n) => {
                let low = 10i64.pow(n - 1);
                json!(fastrand::i64(low..low.saturating_mul(10)))
            }
            IdStrategy::Sequence(_) => {
                let id = *next_in_sequence;
                *next_in_sequence = next_in_sequence.saturating_add(1);
                json!(id)
            }
            IdStrategy::Uuid | IdStrategy::Request => json!(uuid::Uuid::new_v4().to_string()),
        };
        (value, Role::NewId)
    }

    /// The guards and writes that create one entity and claim its unique keys.
    fn put_new(&mut self, create: &Create, id_value: &Value, role: Role, body: &Value) {
        let resource = &create.resource;
        let id = text_of(id_value);
        if !create.upsert {
            self.guards
                .push((Guard::Absent(resource.kind.clone(), id.clone()), role));
        }
        for ((index_kind, key), conflict) in resource.keys(body).into_iter().zip(&create.conflicts)
        {
            self.guards.push((
                Guard::Absent(index_kind.clone(), key.clone()),
                Role::Taken(Box::new(conflict.clone())),
            ));
            self.writes
                .push(Write::Put(index_kind, key, json!({"id": id_value})));
        }
        self.writes
            .push(Write::Put(resource.kind.clone(), id, body.clone()));
    }

    /// Names what was created: a list of bodies and ids for a counted create, else the one entity.
    fn bind_created(&mut self, create: &Create, counted: bool, mut created: Vec<(Value, Value)>) {
        let name = create.name.clone();
        if counted {
            let (bodies, ids): (Vec<Value>, Vec<Value>) = created.into_iter().unzip();
            self.scope.insert(name.clone(), Value::Array(bodies));
            self.ids.insert(name, Value::Array(ids));
        } else if let Some((body, value)) = created.pop() {
            self.scope.insert(name.clone(), body);
            self.entities.insert(
                name.clone(),
                Bound {
                    kind: create.resource.kind.clone(),
                    id: text_of(&value),
                    version: None,
                },
            );
            self.ids.insert(name, value);
        }
    }

    fn update(&mut self, name: &str, set: &[(String, Template)], conflicts: &[RefusalDecl]) {
        let Some(bound) = self.entities.get(name).cloned() else {
            return;
        };
        let old = self.scope.get(name).cloned().unwrap_or_else(|| json!({}));
        let mut new = old.clone();
        for (field_name, template) in set {
            if let (Some(value), Some(map)) = (template.eval(self), new.as_object_mut()) {
                map.insert(field_name.clone(), value);
            }
        }
        if let Some(resource) = self.request.contract.resources.get(&bound.kind) {
            let old_keys = resource.keys(&old);
            let new_keys = resource.keys(&new);
            for (((old_kind, old_key), (new_kind, new_key)), conflict) in
                old_keys.into_iter().zip(new_keys).zip(conflicts)
            {
                if old_key != new_key {
                    self.guards.push((
                        Guard::Absent(new_kind.clone(), new_key.clone()),
                        Role::Taken(Box::new(conflict.clone())),
                    ));
                    self.writes.push(Write::Delete(old_kind, old_key));
                    self.writes.push(Write::Put(
                        new_kind,
                        new_key,
                        json!({"id": self.ids.get(name).cloned().unwrap_or(Value::Null)}),
                    ));
                }
            }
        }
        self.put(&bound, new.clone());
        self.scope.insert(name.to_owned(), new);
    }

    /// A `Put`, replacing an earlier one of the same entity in this commit.
    fn put(&mut self, bound: &Bound, body: Value) {
        let earlier = self.writes.iter_mut().find_map(|w| match w {
            Write::Put(kind, id, earlier) if *kind == bound.kind && *id == bound.id => {
                Some(earlier)
            }
            _ => None,
        });
        match earlier {
            Some(earlier) => *earlier = body,
            None => self
                .writes
                .push(Write::Put(bound.kind.clone(), bound.id.clone(), body)),
        }
    }

    fn delete(&mut self, name: &str) {
        let Some(bound) = self.entities.get(name).cloned() else {
            return;
        };
        if let (Some(resource), Some(body)) = (
            self.request.contract.resources.get(&bound.kind),
            self.scope.get(name),
        ) {
            for (kind, key) in resource.keys(body) {
                self.writes.push(Write::Delete(kind, key));
            }
        }
        self.writes.push(Write::Delete(bound.kind, bound.id));
    }

    async fn claim(&mut self, claim: &Claim) -> Result<(), StoreError> {
        let asked: Vec<Value> = match claim.ids.eval(self) {
            Some(Value::Array(ids)) => ids,
            Some(Value::Null) | None => Vec::new(),
            Some(one) => vec![one],
        };
        let keys: Vec<String> = asked.iter().map(text_of).collect();
        let r = self.request;
        let found = r
            .store
            .get_many(
                r.tenant,
                keys.iter().map(|id| (claim.kind.as_str(), id.as_str())),
            )
            .await?;
        let mut taken: Vec<Value> = Vec::new();
        let mut refused = Vec::new();
        let mut seen: BTreeMap<String, ()> = BTreeMap::new();
        for ((value, key), entity) in asked.into_iter().zip(keys).zip(found) {
            let free = entity.filter(|e| self.matches(&e.body, &claim.filter));
            match free {
                Some(entity) if seen.insert(key.clone(), ()).is_none() => {
                    let mut body = entity.body.clone();
                    for (field_name, template) in &claim.set {
                        if let (Some(v), Some(map)) = (template.eval(self), body.as_object_mut()) {
                            map.insert(field_name.clone(), v);
                        }
                    }
                    self.guards.push((
                        Guard::VersionIs(claim.kind.clone(), key.clone(), entity.version),
                        Role::Read,
                    ));
                    self.writes.push(Write::Put(claim.kind.clone(), key, body));
                    taken.push(value);
                }
                _ => refused.push(value),
            }
        }
        self.scope.insert(
            claim.name.clone(),
            json!({"taken": taken, "refused": refused}),
        );
        Ok(())
    }

    async fn finish(mut self, respond: &Respond) -> Result<Outcome, StoreError> {
        let r = self.request;
        // Headers first: the body may move values out of the bindings.
        let headers: Vec<(String, String)> = respond
            .headers
            .iter()
            .map(|(name, template)| (name.clone(), template.text(&self)))
            .collect();
        let body = respond.body.as_ref().map(|t| {
            // Without writes nothing can refuse after this, so the bindings may move into the answer.
            let value = if self.writes.is_empty() {
                t.eval_moving(&mut self, &respond.shared)
            } else {
                t.eval(&self)
            };
            r.contract
                .project(r.op, respond.status, value.unwrap_or(Value::Null))
        });
        let mut reply = match body {
            Some(body) => Reply::json(respond.status, body),
            None => Reply::empty(respond.status),
        };
        for (name, value) in headers {
            if let Ok(name) =
                axum::http::HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes())
                && let Ok(value) = axum::http::HeaderValue::from_str(&value)
            {
                reply.headers.push((name, value));
            }
        }
        if self.writes.is_empty() {
            return Ok(Outcome::Done(Ok(reply)));
        }
        // Everything read must be as it was read.
        let reads = self.entities.values().filter_map(|bound| {
            let version = bound.version?;
            Some((
                Guard::VersionIs(bound.kind.clone(), bound.id.clone(), version),
                Role::Read,
            ))
        });
        let (guards, roles): (Vec<Guard>, Vec<Role>) = reads
            .collect::<Vec<_>>()
            .into_iter()
            .chain(std::mem::take(&mut self.guards))
            .unzip();
        let txn = Txn {
            guards,
            writes: std::mem::take(&mut self.writes),
        };
        Ok(match r.store.commit(r.tenant, txn).await? {
            Commit::Committed => Outcome::Done(Ok(reply)),
            Commit::Rejected(i) => match roles.get(i) {
                Some(Role::Taken(decl)) => Outcome::Done(Err(self.refusal(decl))),
                _ => Outcome::Raced,
            },
        })
    }
}

/// A template's value as a count (a number, or numeric text; negatives are 0).
fn count(template: Option<&Template>, scope: &dyn Scope) -> Option<usize> {
    let value = template?.eval(scope)?;
    crate::template::as_f64(&value).map(|n| n.max(0.0) as usize)
}

/// What an entity sorts by: a field, or its id.
enum SortKey<'v> {
    Value(Option<&'v Value>),
    Id(&'v str),
}

fn sort_key<'v>(body: &'v Value, field_name: &str, id: &'v str) -> SortKey<'v> {
    if field_name == "$id" {
        SortKey::Id(id)
    } else {
        SortKey::Value(field(body, field_name))
    }
}

fn compare(a: SortKey<'_>, b: SortKey<'_>) -> std::cmp::Ordering {
    let value = |k: &SortKey<'_>| match k {
        SortKey::Value(v) => v.cloned().unwrap_or(Value::Null),
        SortKey::Id(id) => Value::String((*id).to_owned()),
    };
    match (a, b) {
        (SortKey::Id(x), SortKey::Id(y)) => x.cmp(y),
        (SortKey::Value(Some(Value::String(x))), SortKey::Value(Some(Value::String(y)))) => {
            x.cmp(y)
        }
        (a, b) => {
            let (a, b) = (value(&a), value(&b));
            match (a.as_f64(), b.as_f64()) {
                (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal),
                _ => text_of(&a).cmp(&text_of(&b)),
            }
        }
    }
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
