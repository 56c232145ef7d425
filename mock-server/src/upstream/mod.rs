//! The validating proxy: the mock in front of a vendor's real (sandbox) server. An API given an upstream
//! (`--upstream API=URL`) forwards its requests there by default; each operation can be switched to the
//! mock per tenant (`mode`). Every forwarded exchange is checked against the contract both ways
//! (`check`); the answer goes back unchanged with the violations in `X-Concord-Violations`, they are
//! journaled and aggregated into the drift report (`drift`), and vendor answers can be recorded into the
//! tenant's state and exported as demo data (`record`).
//!
//! Security model: the mock connects only to the configured URL. The target is built from that base and the
//! request's path and query alone — neither `Host`, an absolute request URI nor any header can name
//! another; redirects are returned to the client, never followed; hop-by-hop headers are dropped; the
//! answer's size and time are bounded. A configured sandbox credential replaces the client's (which the mock
//! checks as it checks any demo credential), so it never reaches a browser, and no credential is journaled.

mod check;
mod drift;
mod forward;
pub(crate) mod mode;
mod record;
mod stage;

use std::time::Duration;

pub use check::Drift;
pub(crate) use drift::DriftReport;
pub(crate) use record::{export as recording_export, forget as forget_recording};
pub(crate) use stage::{Exchange, forward_if_vendor, injects};

use crate::contract::{Contract, Scheme};

/// The largest vendor answer the proxy reads (larger: 502).
pub const DEFAULT_BODY_LIMIT: usize = 32 * 1024 * 1024;
/// How long a vendor may take to answer, body included (longer: 504).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The prefix of the environment variables that configure upstreams.
pub const ENV_PREFIX: &str = "CONCORD_MOCK_UPSTREAM_";

/// One API's real server, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    /// The API's id (`magicline`, `es-loyalty`; a `--spec` document's title in kebab case).
    pub api: String,
    /// The base URL (absolute http or https, no credentials, query or fragment; no trailing `/`).
    pub url: String,
    /// Credentials the mock sends instead of the client's, by security scheme name.
    pub credentials: Vec<(String, String)>,
}

/// Why an upstream cannot be configured.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UpstreamError {
    /// The API id names no API of the contract.
    #[error("--upstream {api}: no API is called {api:?} (the contract's APIs: {known})")]
    UnknownApi {
        /// As given.
        api: String,
        /// The contract's API ids.
        known: String,
    },
    /// A bare URL while the contract serves several APIs.
    #[error("--upstream {url}: the contract serves several APIs ({known}); name one as API=URL")]
    WhichApi {
        /// As given.
        url: String,
        /// The contract's API ids.
        known: String,
    },
    /// Not an absolute http(s) URL.
    #[error("--upstream {api}={url}: {why}")]
    BadUrl {
        /// The API.
        api: String,
        /// As given.
        url: String,
        /// What is wrong with it.
        why: String,
    },
    /// Two upstreams for one API.
    #[error("--upstream {api}: given twice")]
    Twice {
        /// The API.
        api: String,
    },
}

/// The contract's API ids, in order, once each.
pub fn api_ids(contract: &Contract) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    // Vendor 0 (untagged operations) counts only where it has operations.
    for (index, vendor) in contract.vendors.iter().enumerate() {
        let used = index > 0 || contract.operations.iter().any(|op| op.vendor == 0);
        if used && !ids.contains(&vendor.api) {
            ids.push(vendor.api.clone());
        }
    }
    ids
}

/// The environment variable that carries an API's upstream URL (`CONCORD_MOCK_UPSTREAM_ES_LOYALTY`).
pub fn env_name(api: &str) -> String {
    format!("{ENV_PREFIX}{}", api.to_ascii_uppercase().replace('-', "_"))
}

impl Upstream {
    /// Reads `API=URL` (or a bare `URL` when the contract serves one API), checked against the contract.
    pub fn parse(given: &str, contract: &Contract) -> Result<Upstream, UpstreamError> {
        let ids = api_ids(contract);
        let known = ids.join(", ");
        let (api, url) = match given.split_once('=') {
            Some((api, url)) if !api.contains("://") => {
                (crate::vendor::kebab(api), url.trim().to_owned())
            }
            _ if ids.len() == 1 => (ids[0].clone(), given.trim().to_owned()),
            _ => {
                return Err(UpstreamError::WhichApi {
                    url: given.to_owned(),
                    known,
                });
            }
        };
        if !ids.contains(&api) {
            return Err(UpstreamError::UnknownApi { api, known });
        }
        let url = checked_url(&api, &url)?;
        Ok(Upstream {
            api,
            url,
            credentials: Vec::new(),
        })
    }

    /// Adds the sandbox credentials the environment gives for the API's security schemes:
    /// `CONCORD_MOCK_UPSTREAM_<ID>_<SCHEME>` (the scheme's name in upper snake case, with or without the
    /// API's prefix: `…_MASSTACK_BEARER_AUTH`), or for a key scheme `…_<HEADER OR PARAMETER>`
    /// (`CONCORD_MOCK_UPSTREAM_MAGICLINE_X_API_KEY`). Basic credentials are `user:password`.
    pub fn with_env_credentials(
        mut self,
        contract: &Contract,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Upstream {
        let prefix = env_name(&self.api);
        let api = env_suffix(&self.api);
        for (scheme, kind) in schemes_of(contract, &self.api) {
            let full = env_suffix(scheme);
            // A merged document prefixes scheme names with the API's (`MasstackBearerAuth`): both work.
            let mut names = vec![full.clone()];
            if let Some(short) = full.strip_prefix(&format!("{api}_")) {
                names.push(short.to_owned());
            }
            if let Scheme::HeaderKey(n) | Scheme::QueryKey(n) | Scheme::CookieKey(n) = kind {
                names.push(env_suffix(n));
            }
            let value = names
                .iter()
                .find_map(|suffix| env(&format!("{prefix}_{suffix}")))
                .filter(|v| !v.is_empty());
            if let Some(value) = value {
                self.credentials.push((scheme.to_owned(), value));
            }
        }
        self
    }
}

/// Every upstream the command line (`--upstream`, repeatable) and the environment
/// (`CONCORD_MOCK_UPSTREAM_<ID>=URL`) give, with their credentials; the command line wins.
pub fn configure(
    contract: &Contract,
    given: &[String],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Upstream>, UpstreamError> {
    let mut upstreams: Vec<Upstream> = Vec::new();
    for given in given {
        let upstream = Upstream::parse(given, contract)?;
        if upstreams.iter().any(|u| u.api == upstream.api) {
            return Err(UpstreamError::Twice { api: upstream.api });
        }
        upstreams.push(upstream);
    }
    for api in api_ids(contract) {
        if upstreams.iter().any(|u| u.api == api) {
            continue;
        }
        if let Some(url) = env(&env_name(&api)).filter(|u| !u.trim().is_empty()) {
            upstreams.push(Upstream::parse(&format!("{api}={url}"), contract)?);
        }
    }
    Ok(upstreams
        .into_iter()
        .map(|u| u.with_env_credentials(contract, env))
        .collect())
}

/// The security schemes the API's operations use.
fn schemes_of<'c>(contract: &'c Contract, api: &str) -> Vec<(&'c str, &'c Scheme)> {
    let mut names: Vec<&str> = contract
        .operations
        .iter()
        .filter(|op| contract.vendors[op.vendor].api == api)
        .flat_map(|op| op.security.iter().flatten())
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .filter_map(|name| contract.schemes.get_key_value(name))
        .map(|(name, scheme)| (name.as_str(), scheme))
        .collect()
}

/// A name as an environment variable's part: `BearerAuth` → `BEARER_AUTH`, `x-api-key` → `X_API_KEY`.
fn env_suffix(name: &str) -> String {
    heck::ToShoutySnakeCase::to_shouty_snake_case(name)
}

fn checked_url(api: &str, given: &str) -> Result<String, UpstreamError> {
    let bad = |why: &str| UpstreamError::BadUrl {
        api: api.to_owned(),
        url: given.to_owned(),
        why: why.to_owned(),
    };
    let url = reqwest::Url::parse(given).map_err(|e| bad(&format!("not an absolute URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("the scheme must be http or https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad(&format!(
            "credentials do not go in the URL (they would be logged): set {}_<SCHEME>",
            env_name(api)
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("a base URL has no query or fragment"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// What the proxy needs at run time: the HTTP client, each vendor's target and the settings.
pub(crate) struct Proxy {
    client: reqwest::Client,
    /// Per vendor (by index in the contract), its target, if its API has an upstream.
    targets: Vec<Option<Target>>,
    body_limit: usize,
    timeout: Duration,
    /// Answer a drifted exchange with a 502 listing the violations.
    strict: bool,
    /// Record vendor answers for tenants that did not say otherwise.
    record: bool,
    /// Drift seen so far.
    pub(crate) drift: DriftReport,
}

/// Where one API's requests go.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// The base URL, without a trailing `/`.
    base: String,
    parsed: reqwest::Url,
    /// `host:port`, for messages.
    host: String,
    credentials: Vec<(String, String)>,
}

/// The validating proxy's configuration ([`crate::MockConfig::upstream`]).
#[derive(Debug, Clone)]
pub struct UpstreamConfig {
    /// The APIs forwarded to a real server (none: the mock answers everything).
    pub upstreams: Vec<Upstream>,
    /// How long a vendor may take to answer, body included (longer: 504).
    pub timeout: Duration,
    /// The largest vendor answer read (larger: 502).
    pub body_limit: usize,
    /// Answer an exchange that drifted from the contract with a 502 listing the violations, instead of
    /// passing the vendor's answer on.
    pub strict: bool,
    /// Record vendor answers into every tenant's state from the start (each tenant can stop).
    pub record: bool,
}

impl Default for UpstreamConfig {
    fn default() -> Self {
        UpstreamConfig {
            upstreams: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            body_limit: DEFAULT_BODY_LIMIT,
            strict: false,
            record: false,
        }
    }
}

impl Proxy {
    /// The proxy for `upstreams`; none when there are none.
    pub(crate) fn build(
        contract: &Contract,
        settings: &UpstreamConfig,
    ) -> Result<Option<Proxy>, String> {
        let upstreams = &settings.upstreams;
        if upstreams.is_empty() {
            return Ok(None);
        }
        // One process-wide TLS provider (ring); a second install attempt is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            // rustls with the provider installed above, also where another crate of the build enables
            // native TLS in reqwest.
            .tls_backend_rustls()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| format!("the upstream HTTP client: {e}"))?;
        let mut targets = Vec::new();
        for vendor in &contract.vendors {
            let target = match upstreams.iter().find(|u| u.api == vendor.api) {
                Some(u) => {
                    let parsed = reqwest::Url::parse(&u.url)
                        .map_err(|e| format!("--upstream {}: {e}", u.api))?;
                    let host = format!(
                        "{}:{}",
                        parsed.host_str().unwrap_or_default(),
                        parsed.port_or_known_default().unwrap_or_default()
                    );
                    Some(Target {
                        base: u.url.clone(),
                        parsed,
                        host,
                        credentials: u.credentials.clone(),
                    })
                }
                None => None,
            };
            targets.push(target);
        }
        Ok(Some(Proxy {
            client,
            targets,
            body_limit: settings.body_limit,
            timeout: settings.timeout,
            strict: settings.strict,
            record: settings.record,
            drift: DriftReport::default(),
        }))
    }

    /// The target of a vendor's operations, if its API has an upstream.
    pub(crate) fn target(&self, vendor: usize) -> Option<&Target> {
        self.targets.get(vendor).and_then(Option::as_ref)
    }

    /// Whether recording is on where a tenant did not say.
    pub(crate) fn records_by_default(&self) -> bool {
        self.record
    }
}

impl Target {
    /// The base URL.
    pub(crate) fn base(&self) -> &str {
        &self.base
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Two APIs: a tagged one with an id, and the document's own (its title) for untagged operations.
    fn contract() -> Contract {
        Contract::compile(json!({
            "openapi": "3.0.3",
            "info": {"title": "Shop API", "version": "1"},
            "tags": [{"name": "Stock Keeping", "x-concord-id": "stock_keeping"}],
            "components": {"securitySchemes": {"StoreKey": {"type": "apiKey", "in": "header", "name": "x-store-key"}}},
            "security": [{"StoreKey": []}],
            "paths": {
                "/items": {"get": {"operationId": "list_items", "tags": ["Stock Keeping"], "responses": {"200": {"description": "ok"}}}},
                "/orders": {"get": {"operationId": "list_orders", "responses": {"200": {"description": "ok"}}}}
            }
        }))
        .unwrap()
    }

    #[test]
    fn api_ids_come_from_tags_and_the_title_in_kebab_case() {
        assert_eq!(api_ids(&contract()), ["shop-api", "stock-keeping"]);
    }

    #[test]
    fn upstreams_are_checked_at_start_up() {
        let contract = contract();
        let ok = Upstream::parse("stock_keeping=http://127.0.0.1:9/base/", &contract).unwrap();
        assert_eq!(
            (ok.api.as_str(), ok.url.as_str()),
            ("stock-keeping", "http://127.0.0.1:9/base")
        );
        let unknown = Upstream::parse("billing=http://127.0.0.1:9", &contract).unwrap_err();
        assert!(
            unknown.to_string().contains("no API is called \"billing\""),
            "{unknown}"
        );
        for bad in [
            "shop-api=ftp://x",
            "shop-api=/relative",
            "shop-api=http://u:p@h/",
            "shop-api=http://h/?a=1",
        ] {
            assert!(
                matches!(
                    Upstream::parse(bad, &contract),
                    Err(UpstreamError::BadUrl { .. })
                ),
                "{bad}"
            );
        }
        assert!(matches!(
            Upstream::parse("http://127.0.0.1:9", &contract),
            Err(UpstreamError::WhichApi { .. })
        ));
    }

    #[test]
    fn credentials_and_urls_come_from_the_environment() {
        let contract = contract();
        let env = |name: &str| match name {
            "CONCORD_MOCK_UPSTREAM_SHOP_API" => Some("http://127.0.0.1:9".to_owned()),
            "CONCORD_MOCK_UPSTREAM_SHOP_API_X_STORE_KEY" => Some("real-key".to_owned()),
            "CONCORD_MOCK_UPSTREAM_STOCK_KEEPING_STORE_KEY" => Some("other-key".to_owned()),
            _ => None,
        };
        let given = ["stock-keeping=http://127.0.0.1:8".to_owned()];
        let upstreams = configure(&contract, &given, &env).unwrap();
        let of = |api: &str| upstreams.iter().find(|u| u.api == api).unwrap();
        assert_eq!(
            of("shop-api").credentials,
            [("StoreKey".to_owned(), "real-key".to_owned())]
        );
        assert_eq!(of("stock-keeping").url, "http://127.0.0.1:8");
        assert_eq!(of("stock-keeping").credentials[0].1, "other-key");
    }
}
