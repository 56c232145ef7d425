//! Runs `list`: a filtered, sorted page of a kind's entities (or of the ids asked for).

use std::sync::Arc;

use serde_json::{Map, Value};

use super::{Run, count, meets};
use crate::rules::List;
use crate::state::{Entity, StoreError};
use crate::template::{field, text_of};

impl<'r> Run<'r> {
    /// Binds a page of `list`; `ahead`: every entity of its kind, read with the request's first read.
    pub(super) async fn list(
        &mut self,
        list: &'r List,
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
                    .filter(|e| meets(&e.body, &expected))
                    .map(|e| Arc::unwrap_or_clone(e.body))
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
                let mut items: Vec<(String, Value)> = found
                    .into_iter()
                    .map(|(id, e)| (id, Arc::unwrap_or_clone(e.body)))
                    .collect();
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
        let mut page = Map::with_capacity(5);
        page.insert("items".into(), Value::Array(items));
        page.insert("total".into(), total.into());
        page.insert("offset".into(), offset.into());
        page.insert("limit".into(), shown_limit.into());
        page.insert("page".into(), (offset / shown_limit.max(1) + 1).into());
        self.scope.insert(&list.name, Arc::new(Value::Object(page)));
        Ok(())
    }
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
