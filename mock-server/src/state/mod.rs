//! The mock's state: one store interface with guarded commits (see shared/STATE.md), three backends.
//! Business rules are conditional writes — "this card is not assigned yet", "this username is free" —
//! whose guards the store checks atomically with the writes, so they hold under any concurrency: under
//! the tenant's lock in memory (optionally durable in a SQLite file, `--state-file`), or in one Lua script
//! in Redis (`--redis-url`), where they hold across every replica sharing it. Every tenant starts from
//! the demo data. Vendor modules only build transactions; no storage code lives outside this module.

#[cfg(feature = "sqlite")]
mod durable;
// Without SQLite there is no state file: a `Durable` that cannot exist keeps the local store's code one.
#[cfg(not(feature = "sqlite"))]
#[path = "no_durable.rs"]
mod durable;
mod local;
#[cfg(feature = "redis")]
mod parsed;
mod redis_config;
#[cfg(feature = "redis")]
mod redis_connection;
#[cfg(feature = "redis")]
mod redis_store;
mod tenant;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

pub use durable::Durable;
pub use local::{DEFAULT_MAX_TENANTS, LocalStore};
pub use redis_config::RedisConfig;
#[cfg(feature = "redis")]
pub(crate) use redis_connection::{
    Connection as RedisConnection, bounded as redis_bounded, connect as redis_connection,
};
#[cfg(feature = "redis")]
pub use redis_store::RedisStore;
pub use tenant::{Entity, Tenant};

/// What one batched read found.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// The entities asked for by id, in the order asked.
    pub entities: Vec<Option<Entity>>,
    /// Every entity of each kind asked for whole (by id), in the order asked.
    pub kinds: Vec<Vec<(String, Entity)>>,
}

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

/// The store failed (the state file could not be written, Redis did not answer): the write is not
/// acknowledged. The backend's own error is kept as the source.
#[derive(Debug, thiserror::Error)]
#[error("state store: {context}")]
pub struct StoreError {
    context: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl StoreError {
    /// A failure described by `context` alone.
    pub fn new(context: impl Into<String>) -> StoreError {
        StoreError {
            context: context.into(),
            source: None,
        }
    }

    /// A failure of `context` caused by `source`.
    pub fn caused(
        context: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> StoreError {
        StoreError {
            context: context.into(),
            source: Some(Box::new(source)),
        }
    }

    /// The message with every cause, on one line (`state store: redis GET: … : connection refused`).
    pub fn chain(&self) -> String {
        let mut text = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(e) = cause {
            text.push_str(": ");
            text.push_str(&e.to_string());
            cause = e.source();
        }
        text.replace(['\r', '\n'], " ")
    }
}

/// Runs `work` in a task of its own and waits for it: once begun it finishes, whatever happens to the
/// request that asked for it (a client that disconnects cannot stop a write half-way). `what` names it in
/// the error when the task itself fails.
pub async fn to_completion<T: Send + 'static>(
    what: &str,
    work: impl std::future::Future<Output = Result<T, StoreError>> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::spawn(work)
        .await
        .map_err(|e| StoreError::caused(what.to_owned(), e))?
}

/// Entities as data, `{kind: {id: body}}`: the demo data every tenant starts from, and what a tenant's
/// state exports as (so an export is demo data for `--demo-data`).
pub type DemoData = BTreeMap<String, BTreeMap<String, Value>>;

/// The store every handler uses; which backend holds the state is a start-up choice.
pub enum Store {
    /// In memory, optionally durable in a SQLite file.
    Local(LocalStore),
    /// In Redis, shared by every replica pointed at it (boxed: it is several times larger than `Local`).
    #[cfg(feature = "redis")]
    Redis(Box<RedisStore>),
}

impl Store {
    /// An in-memory store.
    pub fn in_memory(demo_data: DemoData) -> Store {
        Store::Local(LocalStore::in_memory(demo_data))
    }

    /// A store whose writes are durable in `path` (SQLite); tenants already in the file are loaded.
    pub fn with_file(demo_data: DemoData, path: &Path) -> Result<Store, StoreError> {
        LocalStore::with_file(demo_data, path).map(Store::Local)
    }

    /// A store in Redis (connects now, and reconnects by itself later).
    #[cfg(feature = "redis")]
    pub async fn redis(demo_data: DemoData, config: RedisConfig) -> Result<Store, StoreError> {
        RedisStore::connect(demo_data, config)
            .await
            .map(|store| Store::Redis(Box::new(store)))
    }

    /// Without the `redis` feature there is no Redis backend: the error says how to get one.
    #[cfg(not(feature = "redis"))]
    pub async fn redis(_demo_data: DemoData, config: RedisConfig) -> Result<Store, StoreError> {
        Err(StoreError::new(format!(
            "{} needs Redis support, which this build of concord-mock leaves out (enable its `redis` feature)",
            config.url
        )))
    }

    /// Bounds the tenants a local store holds (Redis keeps its tenants in Redis's memory, bounded there).
    // Irrefutable where the `redis` feature is left out.
    #[allow(irrefutable_let_patterns)]
    pub fn set_max_tenants(&mut self, max: usize) {
        if let Store::Local(local) = self {
            local.set_max_tenants(max);
        }
    }

    /// The backend's name, for health reports.
    pub fn backend(&self) -> &'static str {
        match self {
            Store::Local(local) if local.is_durable() => "file",
            Store::Local(_) => "memory",
            #[cfg(feature = "redis")]
            #[cfg(feature = "redis")]
            Store::Redis(_) => "redis",
        }
    }

    /// One entity.
    pub async fn get(
        &self,
        tenant: &str,
        kind: &str,
        id: &str,
    ) -> Result<Option<Entity>, StoreError> {
        match self {
            Store::Local(s) => s.get(tenant, kind, id).await,
            #[cfg(feature = "redis")]
            Store::Redis(s) => s.get(tenant, kind, id).await,
        }
    }

    /// Several entities in one read (one round trip on Redis), in the order asked.
    pub async fn get_many<'k>(
        &self,
        tenant: &str,
        wanted: impl IntoIterator<Item = (&'k str, &'k str)>,
    ) -> Result<Vec<Option<Entity>>, StoreError> {
        match self {
            Store::Local(s) => s.get_many(tenant, wanted).await,
            #[cfg(feature = "redis")]
            Store::Redis(s) => s.get_many(tenant, wanted).await,
        }
    }

    /// Entities by id and whole kinds (sorted by id) in one read (one round trip on Redis), each in the
    /// order asked.
    pub async fn read_many<'k>(
        &self,
        tenant: &str,
        wanted: impl IntoIterator<Item = (&'k str, &'k str)>,
        kinds: &[&str],
    ) -> Result<Snapshot, StoreError> {
        match self {
            Store::Local(s) => s.read_many(tenant, wanted, kinds).await,
            #[cfg(feature = "redis")]
            Store::Redis(s) => s.read_many(tenant, wanted, kinds).await,
        }
    }

    /// Whether whole kinds are worth reading ahead, with a request's other first reads: on Redis that saves
    /// a round trip; in memory a later read under the list's own filter copies less.
    pub fn reads_kinds_ahead(&self) -> bool {
        !matches!(self, Store::Local(_))
    }

    /// Every entity of a kind, by id.
    pub async fn list(
        &self,
        tenant: &str,
        kind: &str,
    ) -> Result<Vec<(String, Entity)>, StoreError> {
        self.list_where(tenant, kind, |_, _| true).await
    }

    /// The entities of a kind that `keep` accepts, by id (in memory only those are copied).
    pub async fn list_where(
        &self,
        tenant: &str,
        kind: &str,
        keep: impl FnMut(&str, &Entity) -> bool + Send,
    ) -> Result<Vec<(String, Entity)>, StoreError> {
        match self {
            Store::Local(s) => s.list_where(tenant, kind, keep).await,
            #[cfg(feature = "redis")]
            Store::Redis(s) => s.list_where(tenant, kind, keep).await,
        }
    }

    /// Checks the guards and applies the writes atomically: all of them, or (a guard failed) none.
    pub async fn commit(&self, tenant: &str, txn: Txn) -> Result<Commit, StoreError> {
        match self {
            Store::Local(s) => s.commit(tenant, txn).await,
            #[cfg(feature = "redis")]
            Store::Redis(s) => s.commit(tenant, txn).await,
        }
    }

    /// Back to the demo data: one tenant, or every tenant (`None`).
    pub async fn reset(&self, tenant: Option<&str>) -> Result<(), StoreError> {
        if let (Store::Local(s), None) = (self, tenant) {
            return s.forget_all().await;
        }
        let names = match tenant {
            Some(name) => vec![name.to_owned()],
            None => self.tenant_names().await?,
        };
        for name in names {
            match self {
                Store::Local(s) => s.reset(&name).await?,
                #[cfg(feature = "redis")]
                Store::Redis(s) => s.reset(&name).await?,
            }
        }
        Ok(())
    }

    /// Forgets a tenant: it reads the demo data again until its next write. Whether it existed.
    pub async fn forget(&self, tenant: &str) -> Result<bool, StoreError> {
        match self {
            Store::Local(s) => s.forget(tenant).await,
            #[cfg(feature = "redis")]
            Store::Redis(s) => s.forget(tenant).await,
        }
    }

    /// Replaces a tenant's whole state with `{kind: {id: body}}`.
    pub async fn import(&self, tenant: &str, state: DemoData) -> Result<(), StoreError> {
        match self {
            Store::Local(s) => s.import(tenant, state).await,
            #[cfg(feature = "redis")]
            Store::Redis(s) => s.import(tenant, state).await,
        }
    }

    /// A tenant's state as `{kind: {id: body}}` (kinds without entities left out).
    pub async fn export(&self, tenant: &str) -> Result<DemoData, StoreError> {
        let mut state = match self {
            Store::Local(s) => s.export(tenant).await?,
            #[cfg(feature = "redis")]
            Store::Redis(s) => s.export(tenant).await?,
        };
        state.retain(|_, entities| !entities.is_empty());
        Ok(state)
    }

    /// Tenants that have been used, sorted.
    pub async fn tenant_names(&self) -> Result<Vec<String>, StoreError> {
        match self {
            Store::Local(s) => Ok(s.tenant_names()),
            #[cfg(feature = "redis")]
            Store::Redis(s) => s.tenant_names().await,
        }
    }
}
