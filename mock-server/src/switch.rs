//! The response switch: for one operation of one tenant, the answer the mock gives (one of the operation's
//! documented statuses or named examples) and/or a delay, until it is switched back. Test suites set it
//! over the admin API (`PUT /__mock/switches/{operationId}`), people from the web page. It is kept in the
//! tenant's state (kind [`KIND`], one entity per operation), so every replica sharing a store sees it, and a
//! reset of the tenant ends it with the rest of its state.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::contract::Operation;
use crate::prefer::{Prefer, chosen, documented_list};
use crate::state::{Entity, Store, StoreError};

/// The kind switches are stored under (an engine kind: the web page does not list it as data).
pub(crate) const KIND: &str = "mock.switch";

/// What an operation answers while switched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Switch {
    /// The operationId (from the URL when set over the admin API).
    #[serde(default)]
    pub operation: String,
    /// A documented status to answer with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// A documented example (by name) to answer with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<String>,
    /// The delay to add before answering, in milliseconds.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub delay_ms: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Switch {
    /// The switch as a `Prefer` header would say it.
    pub(crate) fn prefer(&self) -> Prefer {
        Prefer {
            status: self.status,
            example: self.example.clone(),
            delay: (self.delay_ms > 0).then(|| Duration::from_millis(self.delay_ms)),
        }
    }

    /// Whether `op` documents what the switch asks for; the error says what it does document.
    pub(crate) fn check(&self, op: &Operation) -> Result<(), String> {
        let max = crate::prefer::MAX_DELAY.as_millis() as u64;
        if self.delay_ms > max {
            return Err(format!(
                "delayMs must be at most {max} (the same cap as `Prefer: delay`), found {}",
                self.delay_ms
            ));
        }
        if self.status.is_none() && self.example.is_none() && self.delay_ms == 0 {
            return Err(format!(
                "a switch needs a status, an example or a delayMs. {}",
                documented_list(op)
            ));
        }
        match chosen(op, &self.prefer()) {
            Ok(_) => Ok(()),
            Err(what) => Err(format!(
                "{what} is not documented for {}. {}",
                op.id,
                documented_list(op)
            )),
        }
    }

    /// The switch an entity of [`KIND`] holds (one that no longer parses is ignored and logged); the
    /// pipeline reads it with the request's other keys in one batch.
    pub(crate) fn stored(entity: Option<Entity>) -> Option<Switch> {
        parse(&entity?.body)
    }

    /// Every switch of a tenant, by operation.
    pub(crate) async fn all(store: &Store, tenant: &str) -> Result<Vec<Switch>, StoreError> {
        let stored = store.list(tenant, KIND).await?;
        Ok(stored
            .into_iter()
            .filter_map(|(_, entity)| parse(&entity.body))
            .collect())
    }
}

fn parse(body: &Value) -> Option<Switch> {
    match Switch::deserialize(body) {
        Ok(switch) => Some(switch),
        Err(e) => {
            // Only an import of hand-edited state can store one; the operation then answers normally.
            tracing::warn!(error = %e, "ignoring a stored response switch that does not parse");
            None
        }
    }
}
