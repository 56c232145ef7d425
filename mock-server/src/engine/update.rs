//! Runs `update`: new field values of a bound entity; unique keys that change move with it.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{Bound, Role, Run};
use crate::rules::Update;
use crate::state::{Guard, Write};

impl<'r> Run<'r> {
    pub(super) fn update(&mut self, update: &'r Update) {
        let Update {
            name,
            set,
            conflicts,
        } = update;
        let Some(bound) = self.entities.get(name).cloned() else {
            return;
        };
        // The old body is shared, not copied: only `new` is.
        let old = self
            .scope
            .get(name)
            .cloned()
            .unwrap_or_else(|| Arc::new(json!({})));
        let mut new = Value::clone(&old);
        for (field_name, template) in set {
            if let (Some(value), Some(map)) = (template.eval(self), new.as_object_mut()) {
                map.insert(field_name.clone(), value);
            }
        }
        if let Some(resource) = self.request.contract.resources.get(bound.kind) {
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
        self.scope.insert(name, Arc::new(new));
    }

    /// A `Put`, replacing an earlier one of the same entity in this commit.
    pub(super) fn put(&mut self, bound: &Bound<'_>, body: Value) {
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
                .push(Write::Put(bound.kind.to_owned(), bound.id.clone(), body)),
        }
    }
}
