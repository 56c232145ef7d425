//! What every handler shares: the compiled contract, the store, fault rules, the journal and limits.

use std::sync::Arc;
use std::time::Instant;

use crate::contract::Contract;
use crate::faults::Faults;
use crate::journal::Journal;
use crate::state::Store;

/// Everything the handlers share.
pub struct AppState {
    /// The compiled contract.
    pub contract: Arc<Contract>,
    /// Tenants' state.
    pub store: Store,
    /// Fault rules.
    pub faults: Faults,
    /// The request journal.
    pub journal: Journal,
    /// The largest request body accepted.
    pub body_limit: usize,
    /// How long a client may take to send its body.
    pub body_timeout: std::time::Duration,
    /// The token the admin API requires, if any.
    pub admin_token: Option<String>,
    /// When the server started.
    pub started: Instant,
    /// The hosts the admin API and the web page answer for.
    pub allowed_hosts: crate::origin::AllowedHosts,
    /// Security schemes the demo data holds no credential for: any well-formed credential passes.
    pub open_schemes: std::collections::BTreeSet<String>,
    /// Where the contract's requests carry credentials (the journal redacts them).
    pub(crate) secrets: crate::journal::Secrets,
    /// The validating proxy, when an API has an upstream.
    #[cfg(feature = "upstream")]
    pub(crate) upstream: Option<crate::upstream::Proxy>,
}
