//! `ClientBuilder`: base URLs, credentials, timeouts and retries; from code or from the environment.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use crate::api::Api;
use crate::auth::Credentials;
use crate::client::Client;
use crate::retry::RetryPolicy;

/// Default time for one attempt of a call, connection included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default time to establish a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Configures a [`Client`]. Setters never fail; problems are reported by [`ClientBuilder::build`].
///
/// ```
/// use std::time::Duration;
/// use concord_sdk::{Api, Client, RetryPolicy};
///
/// // Everything against a local mock server:
/// let client = Client::builder()
///     .base_url("http://localhost:4010")
///     .magicline_api_key("demo-magicline-key")
///     .paysafe_token("demo-paysafe-token")
///     .es_loyalty_token("demo-loyalty-token")
///     .masstack_token("demo-masstack-token")
///     .timeout(Duration::from_secs(5))
///     .retry_policy(RetryPolicy::default().max_retries(3))
///     .build()?;
/// assert_eq!(client.base_url(Api::Paysafe), Some("http://localhost:4010"));
///
/// // The real APIs: each defaults to its vendor's host (ES Loyalty has none and must be set).
/// let real = Client::builder()
///     .api_base_url(Api::EsLoyalty, "https://sandbox.example-es.com/es-loyalty/cux")
///     .build()?;
/// assert_eq!(real.base_url(Api::Paysafe), Some("https://api.paysafe.com/digitalwallets/v2"));
/// # Ok::<(), concord_sdk::ConfigError>(())
/// ```
#[derive(Clone, Default)]
#[must_use]
pub struct ClientBuilder {
    base_url: Option<String>,
    api_base_urls: BTreeMap<Api, String>,
    credentials: BTreeMap<Api, Credentials>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    user_agent: Option<String>,
    headers: reqwest::header::HeaderMap,
    problems: Vec<String>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("api_base_urls", &self.api_base_urls)
            .field("credentials", &self.credentials)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// A builder with the defaults: vendor hosts, 60 s timeout, 2 retries.
    pub fn new() -> Self {
        Self::default()
    }

    /// Configuration from environment variables:
    ///
    /// | variable | meaning |
    /// |---|---|
    /// | `CONCORD_BASE_URL` | one base URL for every API (e.g. the mock server) |
    /// | `CONCORD_<API>_BASE_URL` | the base URL of one API (`MAGICLINE`, `PAYSAFE`, `ES_LOYALTY`, `MASSTACK`) |
    /// | `CONCORD_MAGICLINE_API_KEY` | Magicline's `X-API-KEY` |
    /// | `CONCORD_PAYSAFE_TOKEN`, `CONCORD_ES_LOYALTY_TOKEN`, `CONCORD_MASSTACK_TOKEN` | bearer tokens |
    /// | `CONCORD_MASSTACK_ROLES` | MasStack's `x-auth-roles` (default `API_KEY`) |
    /// | `CONCORD_TIMEOUT_MS` | per-attempt timeout |
    /// | `CONCORD_MAX_RETRIES` | retries after the first attempt |
    ///
    /// A variable that cannot be read (e.g. `CONCORD_TIMEOUT_MS=soon`) makes [`build`](Self::build) fail.
    pub fn from_env() -> Self {
        Self::new().env_overrides(|name| std::env::var(name).ok())
    }

    /// `from_env` over any lookup (tests pass a map).
    fn env_overrides(mut self, var: impl Fn(&str) -> Option<String>) -> Self {
        if let Some(url) = var("CONCORD_BASE_URL") {
            self = self.base_url(url);
        }
        for api in Api::ALL {
            let prefix = api.env_prefix();
            if let Some(url) = var(&format!("{prefix}_BASE_URL")) {
                self = self.api_base_url(api, url);
            }
            let secret_var = match api.auth() {
                crate::auth::Auth::HeaderKey(_) | crate::auth::Auth::QueryKey(_) => "API_KEY",
                crate::auth::Auth::Basic => "BASIC",
                _ => "TOKEN",
            };
            if let Some(secret) = var(&format!("{prefix}_{secret_var}")) {
                self = self.credentials(api, Credentials::for_api(api, secret));
            }
        }
        if let (Some(roles), Some(Credentials::BearerWithRoles { token, .. })) = (
            var("CONCORD_MASSTACK_ROLES"),
            self.credentials.get(&Api::Masstack).cloned(),
        ) {
            self = self.credentials(Api::Masstack, Credentials::BearerWithRoles { token, roles });
        }
        if let Some(ms) = var("CONCORD_TIMEOUT_MS") {
            match ms.parse() {
                Ok(ms) => self = self.timeout(Duration::from_millis(ms)),
                Err(_) => self.problems.push(format!(
                    "CONCORD_TIMEOUT_MS={ms:?} is not a number of milliseconds"
                )),
            }
        }
        if let Some(n) = var("CONCORD_MAX_RETRIES") {
            match n.parse() {
                Ok(n) => {
                    let policy = self.retry.clone().unwrap_or_default().max_retries(n);
                    self = self.retry_policy(policy);
                }
                Err(_) => self
                    .problems
                    .push(format!("CONCORD_MAX_RETRIES={n:?} is not a whole number")),
            }
        }
        self
    }

    /// One base URL for every API, e.g. `http://localhost:4010` for the mock server (whose paths do not
    /// collide across APIs). A per-API URL set with [`api_base_url`](Self::api_base_url) wins.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The base URL of one API.
    pub fn api_base_url(mut self, api: Api, url: impl Into<String>) -> Self {
        self.api_base_urls.insert(api, url.into());
        self
    }

    /// Credentials for one API.
    pub fn credentials(mut self, api: Api, credentials: Credentials) -> Self {
        self.credentials.insert(api, credentials);
        self
    }

    /// Time for one attempt of a call (default 60 s); see [`Client::with_timeout`] for one call.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Time to establish a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// How calls are retried (default: [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// A header sent on every call (not for secrets: use the credential setters, which mark them sensitive).
    pub fn default_header(mut self, name: &str, value: &str) -> Self {
        match (
            reqwest::header::HeaderName::from_bytes(name.as_bytes()),
            reqwest::header::HeaderValue::from_str(value),
        ) {
            (Ok(name), Ok(value)) => {
                self.headers.insert(name, value);
            }
            _ => self
                .problems
                .push(format!("{name:?}: {value:?} is not a valid header")),
        }
        self
    }

    /// Replaces the user agent (default `concord-sdk/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Builds the client: one connection pool shared by every API.
    pub fn build(self) -> Result<Client, ConfigError> {
        if !self.problems.is_empty() {
            return Err(ConfigError(self.problems.join("; ")));
        }
        let http =
            reqwest::Client::builder()
                .user_agent(self.user_agent.clone().unwrap_or_else(|| {
                    concat!("concord-sdk/", env!("CARGO_PKG_VERSION")).to_owned()
                }))
                .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                .build()
                .map_err(|e| ConfigError(format!("HTTP client: {e}")))?;
        let mut apis = BTreeMap::new();
        for api in Api::ALL {
            let url = self
                .api_base_urls
                .get(&api)
                .cloned()
                .or_else(|| self.base_url.clone())
                .or_else(|| api.default_base_url().map(str::to_owned));
            let Some(url) = url else { continue };
            let url = url.trim_end_matches('/').to_owned();
            if reqwest::Url::parse(&url).is_err() {
                return Err(ConfigError(format!("{api} base URL {url:?} is not a URL")));
            }
            let credentials = self.credentials.get(&api);
            let auth = credentials
                .map(|c| {
                    c.headers(api)
                        .map_err(|e| ConfigError(format!("{api}: {e}")))
                })
                .transpose()?;
            let query = credentials.and_then(|c| c.query(api));
            apis.insert(api, (url, auth, query));
        }
        Ok(Client::assemble(
            http,
            apis,
            self.timeout.unwrap_or(DEFAULT_TIMEOUT),
            self.retry.unwrap_or_default(),
            self.headers,
        ))
    }
}

/// Why [`ClientBuilder::build`] failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid client configuration: {}", self.0)
    }
}

impl std::error::Error for ConfigError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Secret;

    fn from_map(vars: &[(&str, &str)]) -> ClientBuilder {
        let vars: BTreeMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ClientBuilder::new().env_overrides(|name| vars.get(name).cloned())
    }

    #[test]
    fn environment_sets_urls_credentials_and_options() {
        let builder = from_map(&[
            ("CONCORD_BASE_URL", "http://localhost:4010"),
            ("CONCORD_PAYSAFE_BASE_URL", "http://127.0.0.1:9999"),
            ("CONCORD_MAGICLINE_API_KEY", "k"),
            ("CONCORD_MASSTACK_TOKEN", "t"),
            ("CONCORD_MASSTACK_ROLES", "API_KEY,ADMIN"),
            ("CONCORD_TIMEOUT_MS", "1500"),
            ("CONCORD_MAX_RETRIES", "4"),
        ]);
        assert_eq!(builder.timeout, Some(Duration::from_millis(1500)));
        assert_eq!(builder.retry.as_ref().map(RetryPolicy::retries), Some(4));
        assert_eq!(
            builder.credentials[&Api::Masstack],
            Credentials::BearerWithRoles {
                token: Secret::new("t"),
                roles: "API_KEY,ADMIN".into()
            }
        );
        let client = builder.build().unwrap();
        assert_eq!(
            client.base_url(Api::Magicline),
            Some("http://localhost:4010")
        );
        assert_eq!(client.base_url(Api::Paysafe), Some("http://127.0.0.1:9999"));
    }

    #[test]
    fn unreadable_environment_fails_the_build() {
        let err = from_map(&[("CONCORD_TIMEOUT_MS", "soon")])
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("CONCORD_TIMEOUT_MS"), "{err}");
    }

    #[test]
    fn secrets_are_redacted_in_debug() {
        let builder = ClientBuilder::new()
            .paysafe_token("s3cr3t-token")
            .magicline_api_key("s3cr3t-key");
        let debug = format!("{builder:?}");
        assert!(!debug.contains("s3cr3t"), "{debug}");
    }

    #[test]
    fn a_bad_base_url_fails_the_build() {
        let err = ClientBuilder::new()
            .base_url("not a url")
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("is not a URL"), "{err}");
    }
}
