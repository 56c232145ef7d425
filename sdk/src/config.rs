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
/// Where calls go is always chosen, never defaulted: the mock server for every API
/// ([`base_url`](Self::base_url)), or per API one of the vendor's servers (`paysafe_sandbox()`,
/// `magicline_production(tenant)`, … generated from the contract's `servers`) or any URL
/// ([`api_base_url`](Self::api_base_url)). An API with no server chosen is not called: its calls fail
/// before sending, naming the setters that would choose one; a client with none at all is not built.
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
///     .attempt_timeout(Duration::from_secs(5))
///     .retry_policy(RetryPolicy::default().max_retries(3))
///     .build()?;
/// assert_eq!(client.base_url(Api::Paysafe), Some("http://localhost:4010"));
///
/// // The vendors' own servers, chosen per API; the tenant is an input, never a default.
/// let real = Client::builder()
///     .paysafe_sandbox()
///     .paysafe_token("sandbox-token")
///     .magicline_production("my-studio")
///     .magicline_api_key("studio-key")
///     .build()?;
/// assert_eq!(real.base_url(Api::Paysafe), Some("https://sandbox.paysafe.com/digitalwallets/v2"));
/// assert_eq!(real.base_url(Api::Magicline), Some("https://my-studio.open-api.magicline.com"));
/// assert_eq!(real.base_url(Api::Masstack), None);
/// # Ok::<(), concord_sdk::ConfigError>(())
/// ```
#[derive(Clone, Default)]
#[must_use]
pub struct ClientBuilder {
    base_url: Option<String>,
    api_base_urls: BTreeMap<Api, String>,
    credentials: BTreeMap<Api, Credentials>,
    timeout: Option<Duration>,
    deadline: Option<Duration>,
    connect_timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    user_agent: Option<String>,
    headers: reqwest::header::HeaderMap,
    problems: Vec<String>,
    /// Whether [`from_env`](Self::from_env) made this builder: its errors then name the variables.
    from_environment: bool,
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
    /// A builder with the defaults: no server chosen, 60 s timeout, 2 retries.
    pub fn new() -> Self {
        Self::default()
    }

    /// Configuration from environment variables:
    ///
    /// | variable | meaning |
    /// |---|---|
    /// | `CONCORD_BASE_URL` | one base URL for every API (e.g. the mock server) |
    /// | `CONCORD_<API>_BASE_URL` | the base URL of one API (`MAGICLINE`, `PAYSAFE`, `ES_LOYALTY`, `MASSTACK`) |
    /// | `CONCORD_<API>_SERVER` | one of the API's servers by name (`production`, `sandbox`, `staging`), its variables from `CONCORD_<API>_<VARIABLE>` (`CONCORD_MAGICLINE_TENANT`) |
    /// | `CONCORD_<API>_API_KEY`, `…_TOKEN`, `…_BASIC` (`user:password`) | the API's credentials, as its security scheme sends them |
    /// | `CONCORD_<API>_<HEADER>` | the value of a second credential header (`CONCORD_MASSTACK_AUTH_ROLES` for `x-auth-roles`) |
    /// | `CONCORD_ATTEMPT_TIMEOUT_MS` | time for each attempt of a call (retries get as much again) |
    /// | `CONCORD_DEADLINE_MS` | total time for a call, retries included |
    /// | `CONCORD_MAX_RETRIES` | retries after the first attempt |
    ///
    /// A variable that cannot be read (`CONCORD_ATTEMPT_TIMEOUT_MS=soon`), a server name the API does not have, or a
    /// misspelt variable (`CONCORD_BASEURL`) makes [`build`](Self::build) fail, and so does an environment
    /// that chooses no server for any API.
    pub fn from_env() -> Self {
        let names: Vec<String> = std::env::vars()
            .map(|(name, _)| name)
            .filter(|name| name.starts_with("CONCORD_"))
            .collect();
        Self::new().env_overrides(|name| std::env::var(name).ok(), &names)
    }

    /// `from_env` over any lookup (tests pass a map); `present` are the `CONCORD_*` names that are set.
    fn env_overrides(mut self, var: impl Fn(&str) -> Option<String>, present: &[String]) -> Self {
        let mut known = vec![
            "CONCORD_BASE_URL".to_owned(),
            "CONCORD_ATTEMPT_TIMEOUT_MS".to_owned(),
            "CONCORD_DEADLINE_MS".to_owned(),
            "CONCORD_MAX_RETRIES".to_owned(),
        ];
        if let Some(url) = var("CONCORD_BASE_URL") {
            self = self.base_url(url);
        }
        for api in Api::ALL {
            let prefix = api.env_prefix();
            known.push(format!("{prefix}_BASE_URL"));
            known.push(format!("{prefix}_SERVER"));
            if let Some(url) = var(&format!("{prefix}_BASE_URL")) {
                self = self.api_base_url(api, url);
            }
            let variable = |name: &str| format!("{prefix}_{}", shouty(name));
            for server in api.servers() {
                known.extend(server.variables().iter().map(|v| variable(v)));
            }
            if let Some(name) = var(&format!("{prefix}_SERVER")) {
                let values: Vec<(&str, String)> = api
                    .servers()
                    .iter()
                    .flat_map(|s| s.variables())
                    .filter_map(|v| Some((*v, var(&variable(v))?)))
                    .collect();
                let values: Vec<(&str, &str)> =
                    values.iter().map(|(n, v)| (*n, v.as_str())).collect();
                self = self.api_server(api, &name, &values);
            }
            let secret_var = match api.auth() {
                crate::auth::Auth::HeaderKey(_) | crate::auth::Auth::QueryKey(_) => "API_KEY",
                crate::auth::Auth::Basic => "BASIC",
                _ => "TOKEN",
            };
            known.push(format!("{prefix}_{secret_var}"));
            if let Some(secret) = var(&format!("{prefix}_{secret_var}")) {
                self = self.credentials(api, Credentials::for_api(api, secret));
            }
            if let crate::auth::Auth::BearerAndHeader(header, _) = api.auth() {
                let name = variable(header.trim_start_matches("x-").trim_start_matches("X-"));
                known.push(name.clone());
                if let (Some(value), Some(Credentials::BearerAndHeader { token, .. })) =
                    (var(&name), self.credentials.get(&api).cloned())
                {
                    self = self.credentials(api, Credentials::BearerAndHeader { token, value });
                }
            }
        }
        for name in present {
            if known.contains(name) {
                continue;
            }
            if let Some(meant) = known.iter().find(|k| near(k, name)) {
                self.problems.push(format!(
                    "{name} is not a variable the SDK reads; did you mean {meant}?"
                ));
            }
        }
        self.from_environment = true;
        if let Some(ms) = var("CONCORD_ATTEMPT_TIMEOUT_MS") {
            match ms.parse() {
                Ok(ms) => self = self.attempt_timeout(Duration::from_millis(ms)),
                Err(_) => self.problems.push(format!(
                    "CONCORD_ATTEMPT_TIMEOUT_MS={ms:?} is not a number of milliseconds"
                )),
            }
        }
        if let Some(ms) = var("CONCORD_DEADLINE_MS") {
            match ms.parse() {
                Ok(ms) => self = self.deadline(Duration::from_millis(ms)),
                Err(_) => self.problems.push(format!(
                    "CONCORD_DEADLINE_MS={ms:?} is not a number of milliseconds"
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

    /// One of the API's servers by its name in the contract (`production`, `sandbox`, `staging`; see
    /// [`Api::servers`]), with values for its variables. The generated setters (`paysafe_sandbox()`,
    /// `magicline_production(tenant)`) call this. An unknown name or a missing variable fails the build.
    pub fn api_server(mut self, api: Api, name: &str, variables: &[(&str, &str)]) -> Self {
        let servers = api.servers();
        let Some(server) = servers
            .iter()
            .find(|s| s.name().eq_ignore_ascii_case(name.trim()))
        else {
            let names: Vec<&str> = servers.iter().map(|s| s.name()).collect();
            self.problems.push(format!(
                "{api} has no server named {name:?}; the contract lists: {}",
                names.join(", ")
            ));
            return self;
        };
        match server.resolve(variables) {
            Ok(url) => {
                self.api_base_urls.insert(api, url);
            }
            Err(missing) => self.problems.push(format!(
                "{api}'s {} server needs a value for {}",
                server.name(),
                missing.join(", ")
            )),
        }
        self
    }

    /// Credentials for one API.
    pub fn credentials(mut self, api: Api, credentials: Credentials) -> Self {
        self.credentials.insert(api, credentials);
        self
    }

    /// Time for each attempt of a call (default 60 s). A call retries a timed-out attempt, so it may take
    /// `(1 + retries) × attempt_timeout` plus the waits: [`deadline`](Self::deadline) bounds the whole call.
    /// [`Client::with_attempt_timeout`] sets it for the calls of one client.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The former name of [`attempt_timeout`](Self::attempt_timeout).
    #[deprecated(
        note = "bounds each attempt, not the call: use attempt_timeout, or deadline for the whole call"
    )]
    pub fn timeout(self, timeout: Duration) -> Self {
        self.attempt_timeout(timeout)
    }

    /// Time for a whole call, retries and their waits included (default: none, so a call may take up to
    /// `(1 + retries) × attempt_timeout` plus the waits). Each attempt's timeout is cut to what is left, and no retry
    /// starts that could not finish in time; see [`Client::with_deadline`] and the requests'
    /// `with_deadline` for one call.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
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
                .or_else(|| self.base_url.clone());
            let Some(url) = url else { continue };
            let url = url.trim_end_matches('/').to_owned();
            check_url(api, &url)?;
            let credentials = self.credentials.get(&api);
            // Credentials that fit not the API's first requirement but an operation's own are kept for
            // that operation's calls.
            let fits_an_operation = |c: &Credentials| {
                crate::facade::OPERATION_AUTH
                    .iter()
                    .any(|(a, _, ways)| *a == api && ways.iter().any(|w| c.fits(*w)))
            };
            let auth = match credentials.map(|c| (c, c.headers(api))) {
                Some((_, Ok(headers))) => Some(headers),
                Some((c, Err(_))) if fits_an_operation(c) => None,
                Some((_, Err(e))) => return Err(ConfigError(format!("{api}: {e}"))),
                None => None,
            };
            let query = credentials.and_then(|c| c.query(api));
            apis.insert(api, (url, auth, query, credentials.cloned()));
        }
        if apis.is_empty() {
            return Err(ConfigError(if self.from_environment {
                "no server is chosen for any API: set CONCORD_BASE_URL (e.g. the mock, http://localhost:4010), \
                 or per API CONCORD_<API>_SERVER (production, sandbox, …) or CONCORD_<API>_BASE_URL"
                    .to_owned()
            } else {
                format!(
                    "no server is chosen for any API: call base_url (e.g. the mock, http://localhost:4010), \
                     a vendor's server setter ({}, …) or api_base_url",
                    server_setters().join(", ")
                )
            }));
        }
        Ok(Client::assemble(
            http,
            apis,
            self.timeout.unwrap_or(DEFAULT_TIMEOUT),
            self.deadline,
            self.retry.unwrap_or_default(),
            self.headers,
        ))
    }
}

/// Why [`ClientBuilder::build`] failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(String);

impl ConfigError {
    pub(crate) fn new(message: String) -> Self {
        ConfigError(message)
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid client configuration: {}", self.0)
    }
}

impl std::error::Error for ConfigError {}

/// The first server setter of each of the first two APIs, as a user calls them (`paysafe_sandbox()`,
/// `magicline_production(tenant)`).
fn server_setters() -> Vec<String> {
    Api::ALL
        .iter()
        .filter_map(|api| {
            let server = api.servers().first()?;
            let id = api
                .env_prefix()
                .trim_start_matches("CONCORD_")
                .to_ascii_lowercase();
            let args: Vec<String> = server
                .variables
                .iter()
                .map(|v| v.to_ascii_lowercase())
                .collect();
            Some(format!("{id}_{}({})", server.name, args.join(", ")))
        })
        .take(2)
        .collect()
}

/// A base URL must be absolute http(s) with a host: `localhost:4010` or `htp://…` would otherwise pass as a
/// URL and fail every call.
fn check_url(api: Api, url: &str) -> Result<(), ConfigError> {
    let problem = match reqwest::Url::parse(url) {
        Ok(parsed) if !matches!(parsed.scheme(), "http" | "https") => Some(format!(
            "its scheme is {:?}, not http or https{}",
            parsed.scheme(),
            if parsed.has_host() {
                String::new()
            } else {
                format!("; did you mean http://{url}?")
            }
        )),
        Ok(parsed) if !parsed.has_host() => Some("it has no host".to_owned()),
        Ok(_) => None,
        Err(e) => Some(e.to_string()),
    };
    match problem {
        Some(problem) => Err(ConfigError(format!(
            "{api} base URL {url:?} is not a URL the SDK can call: {problem}"
        ))),
        None => Ok(()),
    }
}

/// `CONCORD_MAGICLINE_TENANT` from `tenant`, `..._ROOT_DOMAIN` from `rootDomain`.
fn shouty(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
        } else {
            out.push('_');
        }
    }
    out
}

/// Whether `b` looks like a misspelling of `a`: at most two single-character edits apart.
fn near(a: &str, b: &str) -> bool {
    strsim::levenshtein(a, b) <= 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Secret;

    fn from_map(vars: &[(&str, &str)]) -> ClientBuilder {
        let vars: BTreeMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let names: Vec<String> = vars.keys().cloned().collect();
        ClientBuilder::new().env_overrides(|name| vars.get(name).cloned(), &names)
    }

    #[test]
    fn environment_sets_urls_credentials_and_options() {
        let builder = from_map(&[
            ("CONCORD_BASE_URL", "http://localhost:4010"),
            ("CONCORD_PAYSAFE_BASE_URL", "http://127.0.0.1:9999"),
            ("CONCORD_MAGICLINE_API_KEY", "k"),
            ("CONCORD_MASSTACK_TOKEN", "t"),
            ("CONCORD_MASSTACK_AUTH_ROLES", "API_KEY,ADMIN"),
            ("CONCORD_ATTEMPT_TIMEOUT_MS", "1500"),
            ("CONCORD_MAX_RETRIES", "4"),
        ]);
        assert_eq!(builder.timeout, Some(Duration::from_millis(1500)));
        assert_eq!(builder.retry.as_ref().map(RetryPolicy::retries), Some(4));
        assert_eq!(
            builder.credentials[&Api::Masstack],
            Credentials::BearerAndHeader {
                token: Secret::new("t"),
                value: "API_KEY,ADMIN".into()
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
    fn the_environment_chooses_vendor_servers_by_name_with_their_variables() {
        let client = from_map(&[
            ("CONCORD_PAYSAFE_SERVER", "sandbox"),
            ("CONCORD_MAGICLINE_SERVER", "production"),
            ("CONCORD_MAGICLINE_TENANT", "my-studio"),
        ])
        .build()
        .unwrap();
        assert_eq!(
            client.base_url(Api::Paysafe),
            Some("https://sandbox.paysafe.com/digitalwallets/v2")
        );
        assert_eq!(
            client.base_url(Api::Magicline),
            Some("https://my-studio.open-api.magicline.com")
        );
        assert_eq!(client.base_url(Api::Masstack), None);
        let err = from_map(&[("CONCORD_MAGICLINE_SERVER", "production")])
            .build()
            .unwrap_err();
        assert!(
            err.to_string().contains("needs a value for tenant"),
            "{err}"
        );
        let err = from_map(&[("CONCORD_PAYSAFE_SERVER", "staging")])
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("production, sandbox"), "{err}");
    }

    #[test]
    fn nothing_saying_where_to_go_or_a_misspelt_variable_fails_the_build() {
        let err = from_map(&[]).build().unwrap_err();
        assert!(err.to_string().contains("CONCORD_BASE_URL"), "{err}");
        let err = from_map(&[("CONCORD_BASEURL", "http://localhost:4010")])
            .build()
            .unwrap_err();
        assert!(
            err.to_string().contains(
                "CONCORD_BASEURL is not a variable the SDK reads; did you mean CONCORD_BASE_URL?"
            ),
            "{err}"
        );
        // Other tools' variables are left alone.
        assert!(
            from_map(&[
                ("CONCORD_BASE_URL", "http://localhost:4010"),
                ("CONCORD_REQUIRE_REDIS", "1")
            ])
            .build()
            .is_ok()
        );
    }

    #[test]
    fn unreadable_environment_fails_the_build() {
        let err = from_map(&[("CONCORD_ATTEMPT_TIMEOUT_MS", "soon")])
            .build()
            .unwrap_err();
        assert!(
            err.to_string().contains("CONCORD_ATTEMPT_TIMEOUT_MS"),
            "{err}"
        );
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
        for (url, says) in [
            ("not a url", "relative URL without a base"),
            ("localhost:4010", "did you mean http://localhost:4010?"),
            ("htp://localhost:4010", "its scheme is \"htp\""),
            ("http://", "empty host"),
        ] {
            let err = ClientBuilder::new().base_url(url).build().unwrap_err();
            assert!(
                err.to_string().contains("is not a URL the SDK can call"),
                "{err}"
            );
            assert!(err.to_string().contains(says), "{url}: {err}");
        }
    }
}
