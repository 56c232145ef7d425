//! Runs `claim`: free entities of a pool taken, each guarded by the version it was read at.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Value, json};

use super::{Role, Run};
use crate::rules::Claim;
use crate::state::{Guard, StoreError, Write};
use crate::template::text_of;

impl<'r> Run<'r> {
    pub(super) async fn claim(&mut self, claim: &'r Claim) -> Result<(), StoreError> {
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
                    let mut body = Value::clone(&entity.body);
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
            &claim.name,
            Arc::new(json!({"taken": taken, "refused": refused})),
        );
        Ok(())
    }
}
