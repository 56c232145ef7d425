//! Runs `find`: the first entity of a kind whose field equals a value.

use serde_json::Value;

use super::Run;
use crate::rules::{Find, RefusalDecl};
use crate::state::StoreError;
use crate::template::{field, loosely_equal};

impl<'r> Run<'r> {
    pub(super) async fn find(&mut self, find: &'r Find) -> Result<Option<RefusalDecl>, StoreError> {
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
                self.bind(&find.name, &find.kind, id, entity);
                Ok(None)
            }
            None => Ok(Some(find.missing.clone())),
        }
    }
}
