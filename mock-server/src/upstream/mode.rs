//! Per tenant and operation: does the vendor answer (`vendor`, the default for an API with an upstream) or
//! the mock (`mock`)? And does the tenant record vendor answers? Both live in the tenant's state (kinds
//! [`MODE_KIND`] and [`RECORDING_KIND`]), so every replica sharing a store agrees and a reset ends them; they
//! are read together, in one round trip, before a request is forwarded.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::state::{Store, StoreError, Txn};

/// The kind modes are stored under (an engine kind: the web page does not list it as data).
pub(crate) const MODE_KIND: &str = "mock.upstream";
/// The kind of the tenant's recording switch (one entity, [`RECORDING_ID`]).
pub(crate) const RECORDING_KIND: &str = "mock.recording";
pub(crate) const RECORDING_ID: &str = "recording";

/// Who answers an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Mode {
    /// The mock: its rules, state and examples.
    Mock,
    /// The vendor, through the validating proxy.
    Vendor,
}

/// What a request needs to know before it is forwarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Settings {
    pub(crate) mode: Mode,
    pub(crate) recording: bool,
}

/// The operation's mode and the tenant's recording switch, read together.
pub(crate) async fn read(
    store: &Store,
    tenant: &str,
    operation: &str,
    record_by_default: bool,
) -> Result<Settings, StoreError> {
    let found = store
        .get_many(
            tenant,
            [(MODE_KIND, operation), (RECORDING_KIND, RECORDING_ID)],
        )
        .await?;
    let mode = found
        .first()
        .and_then(Option::as_ref)
        .and_then(|e| serde_json::from_value::<Mode>(e.body["mode"].clone()).ok())
        .unwrap_or(Mode::Vendor);
    let recording = found
        .get(1)
        .and_then(Option::as_ref)
        .and_then(|e| e.body["on"].as_bool())
        .unwrap_or(record_by_default);
    Ok(Settings { mode, recording })
}

/// Every operation's stored mode for the tenant.
pub(crate) async fn stored(store: &Store, tenant: &str) -> Result<Vec<(String, Mode)>, StoreError> {
    Ok(store
        .list(tenant, MODE_KIND)
        .await?
        .into_iter()
        .filter_map(|(id, e)| Some((id, serde_json::from_value(e.body["mode"].clone()).ok()?)))
        .collect())
}

/// The write that sets an operation's mode.
pub(crate) fn set(operation: &str, mode: Mode) -> Txn {
    Txn::new().put(MODE_KIND, operation, json!({"mode": mode}))
}

/// The write that turns the tenant's recording on or off.
pub(crate) fn set_recording(on: bool) -> Txn {
    Txn::new().put(RECORDING_KIND, RECORDING_ID, json!({"on": on}))
}

/// Whether the tenant records, as stored (else the start-up default).
pub(crate) async fn recording(
    store: &Store,
    tenant: &str,
    by_default: bool,
) -> Result<bool, StoreError> {
    Ok(store
        .get(tenant, RECORDING_KIND, RECORDING_ID)
        .await?
        .and_then(|e| e.body["on"].as_bool())
        .unwrap_or(by_default))
}
