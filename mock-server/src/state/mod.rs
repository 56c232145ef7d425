//! The mock's state: one store interface with guarded commits (see shared/STATE.md). Business rules are
//! conditional writes — "this card is not assigned yet", "this username is free" — checked inside the
//! store under the tenant's lock, so they hold under any concurrency. Every tenant starts from the
//! fixtures; `--state-file` makes every acknowledged write durable.

mod durable;
mod tenant;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, RwLock};

use serde_json::Value;

pub use durable::Durable;
pub use tenant::{Entity, Tenant};

/// A condition a commit requires.
#[derive(Debug, Clone, PartialEq)]
pub enum Guard {
    /// The entity exists.
    Exists(String, String),
    /// The entity does not exist (e.g. a unique key is free).
    Absent(String, String),
    /// The entity is at this version (0: absent) — nobody changed it since it was read.
    VersionIs(String, String, u64),
}

/// A change a commit makes.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// Creates or replaces an entity (its version goes up by one).
    Put(String, String, Value),
    /// Removes an entity.
    Delete(String, String),
}

/// Guards and writes applied atomically.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Txn {
    /// All must hold, or nothing is written.
    pub guards: Vec<Guard>,
    /// Applied in order when every guard holds.
    pub writes: Vec<Write>,
}

impl Txn {
    /// An empty transaction.
    pub fn new() -> Txn {
        Txn::default()
    }

    /// Adds a guard.
    pub fn guard(mut self, guard: Guard) -> Txn {
        self.guards.push(guard);
        self
    }

    /// Adds a `Put`.
    pub fn put(mut self, kind: &str, id: impl Into<String>, body: Value) -> Txn {
        self.writes
            .push(Write::Put(kind.to_owned(), id.into(), body));
        self
    }

    /// Adds a `Delete`.
    pub fn delete(mut self, kind: &str, id: impl Into<String>) -> Txn {
        self.writes.push(Write::Delete(kind.to_owned(), id.into()));
        self
    }
}

/// How a commit ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Commit {
    /// Every guard held; the writes are applied (and durable, with a state file).
    Committed,
    /// This guard (index into `Txn::guards`) did not hold; nothing was written.
    Rejected(usize),
}

/// The store failed (the state file could not be written): the write is not acknowledged.
#[derive(Debug, thiserror::Error)]
#[error("state store: {0}")]
pub struct StoreError(pub String);

/// Fixtures: `{kind: {id: body}}`, the state every tenant starts from.
pub type Fixtures = BTreeMap<String, BTreeMap<String, Value>>;

/// The store: tenants in memory, each behind its own read-write lock (reads, most requests, run side by
/// side; a commit is exclusive), optionally backed by a durable file.
pub struct Store {
    tenants: RwLock<HashMap<String, Arc<tokio::sync::RwLock<Tenant>>>>,
    fixtures: Arc<Fixtures>,
    durable: Option<Durable>,
}

impl Store {
    /// An in-memory store.
    pub fn in_memory(fixtures: Fixtures) -> Store {
        Store {
            tenants: RwLock::new(HashMap::new()),
            fixtures: Arc::new(fixtures),
            durable: None,
        }
    }

    /// A store whose writes are durable in `path` (SQLite); tenants already in the file are loaded.
    pub fn with_file(fixtures: Fixtures, path: &Path) -> Result<Store, StoreError> {
        let durable = Durable::open(path)?;
        let loaded = durable.load()?;
        let tenants = loaded
            .into_iter()
            .map(|(name, tenant)| (name, Arc::new(tokio::sync::RwLock::new(tenant))))
            .collect();
        Ok(Store {
            tenants: RwLock::new(tenants),
            fixtures: Arc::new(fixtures),
            durable: Some(durable),
        })
    }

    fn existing(&self, tenant: &str) -> Option<Arc<tokio::sync::RwLock<Tenant>>> {
        self.tenants
            .read()
            .expect("tenant map lock")
            .get(tenant)
            .cloned()
    }

    /// The tenant, created from the fixtures on first use.
    async fn tenant(&self, name: &str) -> Result<Arc<tokio::sync::RwLock<Tenant>>, StoreError> {
        if let Some(t) = self.existing(name) {
            return Ok(t);
        }
        let fresh = Tenant::from_fixtures(&self.fixtures);
        let created = {
            let mut map = self.tenants.write().expect("tenant map lock");
            if let Some(t) = map.get(name) {
                return Ok(t.clone());
            }
            let t = Arc::new(tokio::sync::RwLock::new(fresh.clone()));
            map.insert(name.to_owned(), t.clone());
            t
        };
        if let Some(durable) = &self.durable {
            // Hold the new tenant's lock while its fixtures are written, so no write overtakes them.
            let _guard = created.write().await;
            durable.replace_tenant(name, &fresh).await?;
        }
        Ok(created)
    }

    /// One entity.
    pub async fn get(
        &self,
        tenant: &str,
        kind: &str,
        id: &str,
    ) -> Result<Option<Entity>, StoreError> {
        let t = self.tenant(tenant).await?;
        let t = t.read().await;
        Ok(t.get(kind, id).cloned())
    }

    /// Every entity of a kind, by id.
    pub async fn list(
        &self,
        tenant: &str,
        kind: &str,
    ) -> Result<Vec<(String, Entity)>, StoreError> {
        let t = self.tenant(tenant).await?;
        let t = t.read().await;
        Ok(t.list(kind))
    }

    /// Checks the guards and applies the writes atomically.
    pub async fn commit(&self, tenant: &str, txn: Txn) -> Result<Commit, StoreError> {
        let t = self.tenant(tenant).await?;
        let mut t = t.write().await;
        if let Some(failed) = t.first_failing_guard(&txn.guards) {
            return Ok(Commit::Rejected(failed));
        }
        let versioned = t.versioned_writes(&txn.writes);
        if let Some(durable) = &self.durable {
            // Durable first: memory changes only once the file holds the write.
            durable.apply(tenant, &versioned).await?;
        }
        t.apply(versioned);
        Ok(Commit::Committed)
    }

    /// Back to the fixtures: one tenant, or every tenant (`None`).
    pub async fn reset(&self, tenant: Option<&str>) -> Result<(), StoreError> {
        let names: Vec<String> = match tenant {
            Some(name) => vec![name.to_owned()],
            None => self.tenant_names(),
        };
        for name in names {
            self.replace(&name, Tenant::from_fixtures(&self.fixtures))
                .await?;
        }
        Ok(())
    }

    /// Replaces a tenant's whole state with `{kind: {id: body}}`.
    pub async fn import(&self, tenant: &str, state: Fixtures) -> Result<(), StoreError> {
        self.replace(tenant, Tenant::from_fixtures(&state)).await
    }

    async fn replace(&self, name: &str, fresh: Tenant) -> Result<(), StoreError> {
        let t = self.tenant(name).await?;
        let mut t = t.write().await;
        if let Some(durable) = &self.durable {
            durable.replace_tenant(name, &fresh).await?;
        }
        *t = fresh;
        Ok(())
    }

    /// A tenant's state as `{kind: {id: body}}`.
    pub async fn export(&self, tenant: &str) -> Result<Fixtures, StoreError> {
        let t = self.tenant(tenant).await?;
        let t = t.read().await;
        Ok(t.export())
    }

    /// Tenants that have been used.
    pub fn tenant_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .tenants
            .read()
            .expect("tenant map lock")
            .keys()
            .cloned()
            .collect();
        names.sort();
        names
    }
}
