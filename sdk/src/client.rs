//! `Client`: one connection pool, one generated client per configured API, grouped accessors.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use progenitor_client::ClientInfo;
use reqwest::header::HeaderMap;

use crate::api::Api;
use crate::auth::Secret;
use crate::config::ClientBuilder;
use crate::error::{Error, ErrorKind, Result};
use crate::generated;
use crate::hooks::{CallContext, CallOptions};
use crate::retry::RetryPolicy;

/// What one API is called with: its base URL, its credential headers, and a query-parameter credential.
pub(crate) type ApiSetup = (
    String,
    Option<HeaderMap>,
    Option<(&'static str, Secret)>,
    Option<crate::auth::Credentials>,
);

/// The SDK client. Cheap to clone (everything is shared); use one per application.
///
/// Calls are grouped per vendor API: [`magicline`](Client::magicline), [`paysafe`](Client::paysafe),
/// [`es_loyalty`](Client::es_loyalty), [`masstack`](Client::masstack).
#[derive(Clone, Debug)]
pub struct Client {
    apis: Arc<BTreeMap<Api, generated::Client>>,
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from `CONCORD_*` environment variables (see [`ClientBuilder::from_env`]).
    pub fn from_env() -> std::result::Result<Client, crate::ConfigError> {
        ClientBuilder::from_env().build()
    }

    pub(crate) fn assemble(
        http: reqwest::Client,
        apis: BTreeMap<Api, ApiSetup>,
        timeout: Duration,
        deadline: Option<Duration>,
        retry: RetryPolicy,
        headers: HeaderMap,
    ) -> Client {
        let options = CallOptions {
            timeout,
            deadline,
            retry,
            headers,
        };
        let apis = apis
            .into_iter()
            .map(|(api, (url, auth, query, credentials))| {
                let context = CallContext {
                    api,
                    auth: auth.map(Arc::new),
                    query,
                    credentials,
                    options: options.clone(),
                    trace: None,
                };
                (
                    api,
                    generated::Client::new_with_client(&url, http.clone(), context),
                )
            })
            .collect();
        Client {
            apis: Arc::new(apis),
        }
    }

    /// The base URL calls to `api` go to; `None` when no server is chosen for it.
    pub fn base_url(&self, api: Api) -> Option<&str> {
        self.apis.get(&api).map(|c| c.baseurl())
    }

    /// A client whose calls give each attempt `timeout`; everything else is shared with `self`. A call
    /// retries a timed-out attempt, so three attempts of 2 s take over 6 s:
    /// [`with_deadline`](Self::with_deadline) bounds the whole call, as most callers mean by a timeout.
    ///
    /// ```no_run
    /// # async fn run(client: concord_sdk::Client) -> concord_sdk::Result<()> {
    /// use std::time::Duration;
    /// let client = client.with_attempt_timeout(Duration::from_secs(2)).with_deadline(Duration::from_secs(5));
    /// let code = client.magicline().get_access_code(1001).await?;
    /// # Ok(()) }
    /// ```
    pub fn with_attempt_timeout(&self, timeout: Duration) -> Client {
        self.with_options(|options| options.timeout = timeout)
    }

    /// The former name of [`with_attempt_timeout`](Self::with_attempt_timeout).
    #[deprecated(
        note = "bounds each attempt, not the call: use with_attempt_timeout, or with_deadline for the whole call"
    )]
    pub fn with_timeout(&self, timeout: Duration) -> Client {
        self.with_attempt_timeout(timeout)
    }

    /// A client whose calls end after `deadline` in all, retries and their waits included; everything else
    /// is shared with `self`.
    ///
    /// ```no_run
    /// # async fn run(client: concord_sdk::Client) -> concord_sdk::Result<()> {
    /// use std::time::Duration;
    /// let quick = client.with_deadline(Duration::from_millis(800));
    /// let code = quick.magicline().get_access_code(1001).await?;
    /// # Ok(()) }
    /// ```
    pub fn with_deadline(&self, deadline: Duration) -> Client {
        self.with_options(|options| options.deadline = Some(deadline))
    }

    /// A client whose calls retry as `policy` says; everything else is shared with `self`.
    pub fn with_retry_policy(&self, policy: RetryPolicy) -> Client {
        self.with_options(|options| options.retry = policy.clone())
    }

    /// A client that sends one more header on every call (e.g. `Prefer: code=429` or `X-Mock-Tenant` against
    /// the mock); everything else is shared with `self`. A name or value that is not valid header text is
    /// an error naming it.
    ///
    /// ```
    /// let client = concord_sdk::Client::builder().base_url("http://localhost:4010").build()?;
    /// let alice = client.with_header("x-mock-tenant", "alice")?;
    /// assert!(client.with_header("x mock tenant", "alice").is_err());
    /// # Ok::<(), concord_sdk::ConfigError>(())
    /// ```
    pub fn with_header(&self, name: &str, value: &str) -> Result<Client, crate::ConfigError> {
        let name = reqwest::header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| crate::ConfigError::new(format!("{name:?} is not a header name")))?;
        let value = reqwest::header::HeaderValue::from_str(value).map_err(|_| {
            crate::ConfigError::new(format!("the value of {name} is not valid header text"))
        })?;
        Ok(self.with_options(|options| {
            options.headers.insert(name.clone(), value.clone());
        }))
    }

    fn with_options(&self, change: impl Fn(&mut CallOptions)) -> Client {
        let apis = self
            .apis
            .iter()
            .map(|(api, client)| {
                let mut context = client.inner().clone();
                change(&mut context.options);
                let client = generated::Client::new_with_client(
                    client.baseurl(),
                    client.client().clone(),
                    context,
                );
                (*api, client)
            })
            .collect();
        Client {
            apis: Arc::new(apis),
        }
    }

    /// The generated client for `api`, or a configuration error naming the operation.
    pub(crate) fn generated(
        &self,
        api: Api,
        operation: &'static str,
    ) -> Result<&generated::Client> {
        self.apis.get(&api).ok_or_else(|| {
            Error::new(
                ErrorKind::Config,
                api,
                operation,
                format!(
                    "no server is chosen for {api}: choose one with ClientBuilder::base_url (the mock), one of \
                     {api}'s server setters ({}) or api_base_url; the request was not sent",
                    api.servers()
                        .iter()
                        .map(|s| s.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })
    }
}
