//! Starting the mock: [`MockServer::start`] binds (port 0 allowed), serves in the background, and returns
//! the address and a handle that shuts it down (also on drop).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::oneshot;

use crate::app::app;
use crate::shared::AppState;
use crate::state::{DemoData, RedisConfig};

/// How to run the mock.
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// Where to listen (`127.0.0.1:0` picks a free port).
    pub addr: SocketAddr,
    /// The document to serve (default: the embedded contract of the four vendor APIs).
    pub contract: Option<Arc<crate::contract::Contract>>,
    /// The state every tenant starts from (default: the embedded demo data).
    pub demo_data: DemoData,
    /// Make every acknowledged write durable in this SQLite file.
    pub state_file: Option<PathBuf>,
    /// Keep the state in Redis instead, shared with every replica pointed at it (wins over `state_file`).
    pub redis: Option<RedisConfig>,
    /// How many requests the journal keeps.
    pub journal_capacity: usize,
    /// How many bytes the journal may hold (bodies, headers, paths; the oldest entries go first).
    pub journal_bytes: usize,
    /// The largest request body accepted (larger: 413).
    pub body_limit: usize,
    /// How long a client may take to send its body (longer: 408), so a stalled client holds nothing.
    pub body_timeout: std::time::Duration,
    /// Require `Authorization: Bearer <token>` on the admin API.
    pub admin_token: Option<String>,
    /// The most tenants held in memory (a write that would create one more answers 503 with `X-Mock-Error`).
    pub max_tenants: usize,
    /// How long a client may take to send a request's headers; also how long a kept-alive connection may
    /// stay idle. Half-sent requests and idle sockets are closed after it (slowloris).
    pub header_timeout: std::time::Duration,
    /// How long shutdown waits for open connections (a slow client, a long fault delay) before closing them.
    pub shutdown_grace: std::time::Duration,
    /// Host names the admin API and the web page answer for besides loopback names and the bound address
    /// (`*`: any; for a mock behind a proxy or on a shared host).
    pub allowed_hosts: Vec<String>,
    /// The validating proxy: APIs forwarded to their real servers, checked against the contract.
    #[cfg(feature = "upstream")]
    pub upstream: crate::upstream::UpstreamConfig,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            contract: None,
            demo_data: crate::demo_data::embedded(),
            state_file: None,
            redis: None,
            journal_capacity: 1000,
            journal_bytes: crate::journal::DEFAULT_BYTES,
            body_limit: 1024 * 1024,
            body_timeout: std::time::Duration::from_secs(10),
            admin_token: None,
            allowed_hosts: Vec::new(),
            shutdown_grace: std::time::Duration::from_secs(5),
            header_timeout: std::time::Duration::from_secs(10),
            max_tenants: crate::state::DEFAULT_MAX_TENANTS,
            #[cfg(feature = "upstream")]
            upstream: crate::upstream::UpstreamConfig::default(),
        }
    }
}

/// Why the mock could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The state file could not be opened, or Redis not reached.
    #[error(transparent)]
    State(#[from] crate::state::StoreError),
    /// The upstream HTTP client could not be built.
    #[error("{0}")]
    Upstream(String),
}

impl AppState {
    /// The one way to build the shared state from a configuration: the contract (the embedded one by
    /// default), its demo data prepared, the store opened (memory, SQLite file or Redis), the journal, the
    /// limits and the validating proxy. [`crate::MockServer::start`], `--self-check`, `verify-upstream`
    /// and the fuzz target all build it here; the server then adds the address it bound.
    pub async fn build(config: &MockConfig) -> Result<AppState, StartError> {
        let contract = config
            .contract
            .clone()
            .unwrap_or_else(crate::contract::Contract::embedded);
        let demo_data = contract.prepare_demo_data(config.demo_data.clone());
        let open_schemes = crate::auth::open_schemes(&contract, &demo_data);
        let mut store = match (&config.redis, &config.state_file) {
            (Some(redis), _) => crate::state::Store::redis(demo_data, redis.clone()).await?,
            (None, Some(path)) => crate::state::Store::with_file(demo_data, path)?,
            (None, None) => crate::state::Store::in_memory(demo_data),
        };
        store.set_max_tenants(config.max_tenants);
        // With Redis, the fault rules are shared by every replica too.
        #[cfg(feature = "redis")]
        let faults = match &config.redis {
            Some(redis) => crate::faults::Faults::shared(redis).await?,
            None => crate::faults::Faults::default(),
        };
        #[cfg(not(feature = "redis"))]
        let faults = crate::faults::Faults::default();
        let journal = crate::journal::Journal::new(config.journal_capacity, config.journal_bytes);
        // With Redis, every replica's requests in one journal too.
        #[cfg(feature = "redis")]
        let journal = match &config.redis {
            Some(redis) => {
                let shared =
                    crate::journal::SharedJournal::connect(redis, config.journal_capacity).await?;
                journal.with_shared(shared)
            }
            None => journal,
        };
        Ok(AppState {
            secrets: contract.secrets(),
            #[cfg(feature = "upstream")]
            upstream: crate::upstream::Proxy::build(&contract, &config.upstream)
                .map_err(StartError::Upstream)?,
            contract,
            store,
            faults,
            journal,
            body_limit: config.body_limit,
            body_timeout: config.body_timeout,
            admin_token: config.admin_token.clone(),
            started: std::time::Instant::now(),
            allowed_hosts: crate::origin::AllowedHosts {
                bound: None,
                extra: config.allowed_hosts.clone(),
            },
            open_schemes,
        })
    }
}

/// A running mock server; dropping it shuts it down.
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl MockServer {
    /// Binds and starts serving in the background.
    pub async fn start(config: MockConfig) -> Result<MockServer, StartError> {
        let mut state = AppState::build(&config).await?;
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|source| StartError::Bind {
                addr: config.addr,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: config.addr,
            source,
        })?;
        state.allowed_hosts.bound = Some(addr);
        let state = Arc::new(state);
        let (shutdown, stopped) = oneshot::channel::<()>();
        let limits = crate::connections::Limits {
            header_read: config.header_timeout,
            shutdown_grace: config.shutdown_grace,
        };
        let task = tokio::spawn(async move {
            let stop = async move {
                let _ = stopped.await;
            };
            crate::connections::serve(listener, app(state), limits, stop).await;
        });
        Ok(MockServer {
            addr,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }

    /// A mock with the demo data on a free loopback port.
    pub async fn start_default() -> Result<MockServer, StartError> {
        MockServer::start(MockConfig::default()).await
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections, finishes in-flight requests, and waits for the server to end.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
