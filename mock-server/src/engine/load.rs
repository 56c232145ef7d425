//! Runs `load`: entities by id, the loads that do not read each other in one batched read.

use super::Run;
use crate::rules::{Load, RefusalDecl, Step};
use crate::state::{Entity, StoreError};

impl<'r> Run<'r> {
    /// Reads the entity of the load at `first` together with those of the loads right after it that do not
    /// depend on it (one batched read: one lock in memory, one round trip on Redis).
    pub(super) async fn prefetch(
        &self,
        steps: &[Step],
        first: usize,
    ) -> Result<Vec<(usize, String, Option<Entity>)>, StoreError> {
        let batch = self.batch(steps, first);
        let r = self.request;
        let found = r
            .store
            .get_many(
                r.tenant,
                batch.iter().map(|(_, kind, id)| (*kind, id.as_str())),
            )
            .await?;
        Ok(batch
            .into_iter()
            .zip(found)
            .map(|((i, _, id), e)| (i, id, e))
            .collect())
    }

    /// The load at `first` and those right after it that do not read each other: (step index, kind, id).
    pub(super) fn batch<'s>(
        &self,
        steps: &'s [Step],
        first: usize,
    ) -> Vec<(usize, &'s str, String)> {
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

    /// Binds the entity the load found under `id` (worked out when it was read), unless it is missing.
    pub(super) fn load(
        &mut self,
        load: &'r Load,
        id: String,
        found: Option<Entity>,
    ) -> Option<RefusalDecl> {
        match found {
            Some(entity) if !id.is_empty() && self.matches(&entity.body, &load.filter) => {
                self.bind(&load.name, &load.kind, id, entity);
                None
            }
            _ => Some(load.missing.clone()),
        }
    }
}
