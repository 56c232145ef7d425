//! Runs `delete`: a bound entity and its unique keys removed.

use super::Run;
use crate::state::Write;

impl Run<'_> {
    pub(super) fn delete(&mut self, name: &str) {
        let Some(bound) = self.entities.get(name).cloned() else {
            return;
        };
        if let (Some(resource), Some(body)) = (
            self.request.contract.resources.get(bound.kind),
            self.scope.get(name),
        ) {
            for (kind, key) in resource.keys(body) {
                self.writes.push(Write::Delete(kind, key));
            }
        }
        self.writes
            .push(Write::Delete(bound.kind.to_owned(), bound.id));
    }
}
