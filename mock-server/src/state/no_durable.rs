//! The state file where the `sqlite` feature is left out: none can be opened, so no value of [`Durable`]
//! exists and every method below is unreachable.

use std::collections::HashMap;
use std::path::Path;

use super::StoreError;
use super::tenant::{Tenant, VersionedWrite};

/// No durable half (uninhabited).
#[derive(Clone)]
pub enum Durable {}

impl Durable {
    /// Fails: this build has no SQLite.
    pub fn open(path: &Path) -> Result<Durable, StoreError> {
        Err(StoreError::new(format!(
            "{} needs a state file, which this build of concord-mock leaves out (enable its `sqlite` feature)",
            path.display()
        )))
    }

    pub fn load(&self) -> Result<HashMap<String, Tenant>, StoreError> {
        match *self {}
    }

    pub async fn apply(&self, _tenant: &str, _writes: &[VersionedWrite]) -> Result<(), StoreError> {
        match *self {}
    }

    pub async fn replace_tenant(&self, _tenant: &str, _state: &Tenant) -> Result<(), StoreError> {
        match *self {}
    }

    pub async fn forget_tenant(&self, _tenant: &str) -> Result<(), StoreError> {
        match *self {}
    }

    pub async fn forget_tenants(&self, _tenants: Vec<String>) -> Result<(), StoreError> {
        match *self {}
    }
}
