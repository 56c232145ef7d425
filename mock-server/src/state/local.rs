//! The local backends: every tenant in memory behind its own read-write lock, optionally with every write
//! made durable in a SQLite file (`--state-file`) before it is acknowledged.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, RwLock};

use super::durable::Durable;
use super::tenant::{Entity, Tenant};
use super::{Commit, DemoData, Snapshot, StoreError, Txn, to_completion};

type TenantMap = RwLock<HashMap<String, Arc<tokio::sync::RwLock<Tenant>>>>;

/// The local store: tenants in memory, each behind its own read-write lock (reads, most requests, run side by
/// side; a commit is exclusive), optionally backed by a durable file.
pub struct LocalStore {
    tenants: Arc<TenantMap>,
    /// What a tenant nobody has written to reads: the demo data, shared, so that reads (and refused
    /// requests) create no tenant.
    pristine: Arc<tokio::sync::RwLock<Tenant>>,
    demo_data: Arc<DemoData>,
    durable: Option<Durable>,
    /// The most tenants held; a write that would create one more is refused.
    max_tenants: usize,
}

/// The default bound on tenants held by one local store (each holds a copy of the demo data).
pub const DEFAULT_MAX_TENANTS: usize = 2_000;

impl LocalStore {
    /// An in-memory store.
    pub fn in_memory(demo_data: DemoData) -> LocalStore {
        LocalStore {
            tenants: Arc::new(RwLock::new(HashMap::new())),
            pristine: Arc::new(tokio::sync::RwLock::new(Tenant::from_demo_data(&demo_data))),
            demo_data: Arc::new(demo_data),
            durable: None,
            max_tenants: DEFAULT_MAX_TENANTS,
        }
    }

    /// A store whose writes are durable in `path` (SQLite); tenants already in the file are loaded.
    pub fn with_file(demo_data: DemoData, path: &Path) -> Result<LocalStore, StoreError> {
        let durable = Durable::open(path)?;
        let loaded = durable.load()?;
        let tenants = loaded
            .into_iter()
            .map(|(name, tenant)| (name, Arc::new(tokio::sync::RwLock::new(tenant))))
            .collect();
        Ok(LocalStore {
            tenants: Arc::new(RwLock::new(tenants)),
            pristine: Arc::new(tokio::sync::RwLock::new(Tenant::from_demo_data(&demo_data))),
            demo_data: Arc::new(demo_data),
            durable: Some(durable),
            max_tenants: DEFAULT_MAX_TENANTS,
        })
    }

    /// Bounds the number of tenants (at least 1).
    pub fn set_max_tenants(&mut self, max: usize) {
        self.max_tenants = max.max(1);
    }

    /// Whether writes go to a file too.
    pub fn is_durable(&self) -> bool {
        self.durable.is_some()
    }

    fn tenants_handle(&self) -> Arc<TenantMap> {
        self.tenants.clone()
    }

    /// The tenant to read: its own state once written, else the shared demo data.
    fn for_reading(&self, name: &str) -> Arc<tokio::sync::RwLock<Tenant>> {
        self.existing(name).unwrap_or_else(|| self.pristine.clone())
    }

    fn existing(&self, tenant: &str) -> Option<Arc<tokio::sync::RwLock<Tenant>>> {
        self.tenants
            .read()
            .expect("tenant map lock")
            .get(tenant)
            .cloned()
    }

    /// The tenant, created from the demo data on first use. The new tenant is locked before anyone can see
    /// it, so no write overtakes its demo data on the way to the file; if the file cannot take the demo
    /// data, the tenant is forgotten again (the next request retries) rather than kept without it.
    async fn tenant(&self, name: &str) -> Result<Arc<tokio::sync::RwLock<Tenant>>, StoreError> {
        if let Some(t) = self.existing(name) {
            return Ok(t);
        }
        let fresh = Tenant::from_demo_data(&self.demo_data);
        let (created, seeding) = {
            let mut map = self.tenants.write().expect("tenant map lock");
            if let Some(t) = map.get(name) {
                return Ok(t.clone());
            }
            if map.len() >= self.max_tenants {
                return Err(StoreError::new(format!(
                    "the mock holds its maximum of {} tenants: delete some (DELETE /__mock/tenants/NAME), \
                     reset all, or start it with a higher --max-tenants",
                    self.max_tenants
                )));
            }
            let t = Arc::new(tokio::sync::RwLock::new(fresh.clone()));
            let seeding = t
                .clone()
                .try_write_owned()
                .expect("a lock nobody else has seen is free");
            map.insert(name.to_owned(), t.clone());
            (t, seeding)
        };
        if let Some(durable) = self.durable.clone() {
            // In a task of its own: the demo data reaches the file even when this request is dropped.
            let tenants = self.tenants_handle();
            let name = name.to_owned();
            let created = created.clone();
            to_completion("seeding a tenant", async move {
                let written = durable.replace_tenant(&name, &fresh).await;
                if written.is_err() {
                    let mut map = tenants.write().expect("tenant map lock");
                    if map.get(&name).is_some_and(|t| Arc::ptr_eq(t, &created)) {
                        map.remove(&name);
                    }
                }
                drop(seeding);
                written
            })
            .await?;
        } else {
            drop(seeding);
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
        let t = self.for_reading(tenant);
        let t = t.read().await;
        Ok(t.get(kind, id).cloned())
    }

    /// Several entities under one lock, in the order asked.
    pub async fn get_many<'k>(
        &self,
        tenant: &str,
        wanted: impl IntoIterator<Item = (&'k str, &'k str)>,
    ) -> Result<Vec<Option<Entity>>, StoreError> {
        Ok(self.read_many(tenant, wanted, &[]).await?.entities)
    }

    /// Entities by id and whole kinds under one lock, each in the order asked.
    pub async fn read_many<'k>(
        &self,
        tenant: &str,
        wanted: impl IntoIterator<Item = (&'k str, &'k str)>,
        kinds: &[&str],
    ) -> Result<Snapshot, StoreError> {
        let t = self.for_reading(tenant);
        let t = t.read().await;
        Ok(Snapshot {
            entities: wanted
                .into_iter()
                .map(|(kind, id)| t.get(kind, id).cloned())
                .collect(),
            kinds: kinds
                .iter()
                .map(|kind| t.list_where(kind, |_, _| true))
                .collect(),
        })
    }

    /// Every entity of a kind, by id.
    pub async fn list_where(
        &self,
        tenant: &str,
        kind: &str,
        keep: impl FnMut(&str, &Entity) -> bool,
    ) -> Result<Vec<(String, Entity)>, StoreError> {
        let t = self.for_reading(tenant);
        let t = t.read().await;
        Ok(t.list_where(kind, keep))
    }

    /// Checks the guards and applies the writes atomically. Once begun, a commit finishes in a task of its
    /// own whatever happens to the request that asked for it: a client that disconnects cannot leave a write
    /// in the file but not in memory.
    pub async fn commit(&self, tenant: &str, mut txn: Txn) -> Result<Commit, StoreError> {
        loop {
            let t = self.tenant(tenant).await?;
            let Some(durable) = self.durable.clone() else {
                // In memory nothing is awaited between the guards and the writes: nothing to cancel.
                let mut t = t.write().await;
                if t.forgotten {
                    continue;
                }
                if let Some(failed) = t.first_failing_guard(&txn.guards) {
                    return Ok(Commit::Rejected(failed));
                }
                let versioned = t.versioned_writes(txn.writes);
                t.apply(versioned);
                return Ok(Commit::Committed);
            };
            let name = tenant.to_owned();
            let done = to_completion("a commit task", async move {
                let mut t = t.write().await;
                if t.forgotten {
                    // Handed back to be applied to the tenant that replaced this one.
                    return Ok(Err(txn));
                }
                if let Some(failed) = t.first_failing_guard(&txn.guards) {
                    return Ok(Ok(Commit::Rejected(failed)));
                }
                let versioned = t.versioned_writes(txn.writes);
                // Durable first: memory changes only once the file holds the write.
                durable.apply(&name, &versioned).await?;
                t.apply(versioned);
                Ok(Ok(Commit::Committed))
            })
            .await?;
            match done {
                Ok(done) => return Ok(done),
                Err(back) => txn = back,
            }
        }
    }

    /// One tenant back to the demo data.
    pub async fn reset(&self, tenant: &str) -> Result<(), StoreError> {
        self.replace(tenant, Tenant::from_demo_data(&self.demo_data))
            .await
    }

    /// Replaces a tenant's whole state with `{kind: {id: body}}`.
    pub async fn import(&self, tenant: &str, state: DemoData) -> Result<(), StoreError> {
        self.replace(tenant, Tenant::from_demo_data(&state)).await
    }

    async fn replace(&self, name: &str, mut fresh: Tenant) -> Result<(), StoreError> {
        loop {
            let t = self.tenant(name).await?;
            let durable = self.durable.clone();
            let owned = name.to_owned();
            // Like a commit: once begun, it finishes.
            let done = to_completion("a reset task", async move {
                let mut t = t.write().await;
                if t.forgotten {
                    return Ok(Err(fresh));
                }
                if let Some(durable) = &durable {
                    durable.replace_tenant(&owned, &fresh).await?;
                }
                *t = fresh;
                Ok(Ok(()))
            })
            .await?;
            match done {
                Ok(()) => return Ok(()),
                Err(back) => fresh = back,
            }
        }
    }

    /// Every tenant back to the demo data at once: each is forgotten (it reads the demo data until its next
    /// write), in one transaction of the state file. Writes in flight finish first; writers waiting on a
    /// tenant start again on the one that replaces it.
    pub async fn forget_all(&self) -> Result<(), StoreError> {
        let held: Vec<(String, Arc<tokio::sync::RwLock<Tenant>>)> = self
            .tenants
            .read()
            .expect("tenant map lock")
            .iter()
            .map(|(name, t)| (name.clone(), t.clone()))
            .collect();
        self.forget_held(held).await
    }

    /// Forgets these tenants: once each one's writes in flight have finished, their rows leave the file in
    /// one transaction, they are marked forgotten (a waiting writer starts again on the replacement) and
    /// leave the map. Like a commit: once begun, it finishes.
    async fn forget_held(
        &self,
        held: Vec<(String, Arc<tokio::sync::RwLock<Tenant>>)>,
    ) -> Result<(), StoreError> {
        let durable = self.durable.clone();
        let tenants = self.tenants_handle();
        to_completion("forgetting tenants", async move {
            let mut guards = Vec::with_capacity(held.len());
            for (_, t) in &held {
                guards.push(t.clone().write_owned().await);
            }
            if let Some(durable) = &durable {
                let names: Vec<String> = held.iter().map(|(name, _)| name.clone()).collect();
                durable.forget_tenants(names).await?;
            }
            for guard in &mut guards {
                guard.forgotten = true;
            }
            let mut map = tenants.write().expect("tenant map lock");
            for (name, t) in &held {
                if map.get(name).is_some_and(|current| Arc::ptr_eq(current, t)) {
                    map.remove(name);
                }
            }
            Ok(())
        })
        .await
    }

    /// Forgets a tenant (it reads the demo data again until its next write); whether it existed.
    pub async fn forget(&self, name: &str) -> Result<bool, StoreError> {
        let Some(t) = self.existing(name) else {
            return Ok(false);
        };
        self.forget_held(vec![(name.to_owned(), t)]).await?;
        Ok(true)
    }

    /// A tenant's state as `{kind: {id: body}}`.
    pub async fn export(&self, tenant: &str) -> Result<DemoData, StoreError> {
        let t = self.for_reading(tenant);
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
