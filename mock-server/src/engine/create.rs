//! Runs `create`: new entities, their ids (drawn, counted in sequence or given) and unique keys guarded.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::{Bound, Role, Run, count};
use crate::rules::{Create, IdStrategy, RefusalDecl};
use crate::state::{Guard, StoreError, Write};
use crate::template::{Layered, Template, text_of};

impl<'r> Run<'r> {
    pub(super) async fn create(&mut self, create: &'r Create) -> Result<(), StoreError> {
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
    pub(super) async fn first_in_sequence(&self, create: &Create) -> Result<i64, StoreError> {
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
    pub(super) fn new_id(&self, create: &Create, next_in_sequence: &mut i64) -> (Value, Role) {
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
    pub(super) fn put_new(&mut self, create: &Create, id_value: &Value, role: Role, body: &Value) {
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
    pub(super) fn bind_created(
        &mut self,
        create: &'r Create,
        counted: bool,
        mut created: Vec<(Value, Value)>,
    ) {
        let name = create.name.as_str();
        if counted {
            let (bodies, ids): (Vec<Value>, Vec<Value>) = created.into_iter().unzip();
            self.scope.insert(name, Arc::new(Value::Array(bodies)));
            self.ids.insert(name, Value::Array(ids));
        } else if let Some((body, value)) = created.pop() {
            self.scope.insert(name, Arc::new(body));
            self.entities.insert(
                name,
                Bound {
                    kind: &create.resource.kind,
                    id: text_of(&value),
                    version: None,
                },
            );
            self.ids.insert(name, value);
        }
    }
}
