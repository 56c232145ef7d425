//! What every generated request builder (`sdk/src/generated_calls.rs`) carries and does: which client, API
//! and operation it is for, this call's own options (timeout, deadline, retries, headers), arguments that
//! failed to convert (reported with the argument's name when the request is sent), and the generated call's
//! result turned into the SDK's with what the hooks noted of it (attempts, time, status and headers).

use std::fmt::Display;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use progenitor_client::{ClientInfo, Error as CallError, ResponseValue};

use crate::api::Api;
use crate::client::Client;
use crate::error::{Error, ErrorKind, Result, VendorError};
use crate::generated;
use crate::hooks::{CallOptions, Trace};
use crate::response::Response;
use crate::retry::RetryPolicy;

/// One call in the making.
#[derive(Clone, Debug)]
pub(crate) struct Call<'a> {
    client: &'a Client,
    api: Api,
    operation: &'static str,
    /// This call's changes to the client's options, applied in order.
    overrides: Vec<Override>,
    /// What the hooks noted of the call.
    trace: Arc<Mutex<Trace>>,
}

/// One change to the options of one call.
#[derive(Clone, Debug)]
enum Override {
    Timeout(Duration),
    Deadline(Duration),
    Retry(RetryPolicy),
    Header(
        std::result::Result<(reqwest::header::HeaderName, reqwest::header::HeaderValue), String>,
    ),
}

impl<'a> Call<'a> {
    pub(crate) fn new(client: &'a Client, api: Api, operation: &'static str) -> Self {
        Call {
            client,
            api,
            operation,
            overrides: Vec::new(),
            trace: Arc::default(),
        }
    }

    /// Time for each attempt of this call.
    pub(crate) fn attempt_timeout(&mut self, timeout: Duration) {
        self.overrides.push(Override::Timeout(timeout));
    }

    /// Time for this call in all, retries included.
    pub(crate) fn deadline(&mut self, deadline: Duration) {
        self.overrides.push(Override::Deadline(deadline));
    }

    /// How this call is retried.
    pub(crate) fn retry_policy(&mut self, policy: RetryPolicy) {
        self.overrides.push(Override::Retry(policy));
    }

    /// One more header on this call; a bad name or value fails the call naming it.
    pub(crate) fn header(&mut self, name: &str, value: &str) {
        let parsed = reqwest::header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("{name:?} is not a header name"))
            .and_then(|name| {
                reqwest::header::HeaderValue::from_str(value)
                    .map(|value| (name.clone(), value))
                    .map_err(|_| format!("the value of {name} is not valid header text"))
            });
        self.overrides.push(Override::Header(parsed));
    }

    /// The generated client this call goes through: the API's, with this call's options, noting what
    /// happens here. Fails before anything is sent when no server is chosen for the API, its credentials
    /// are missing, or a header given for this call is not valid.
    pub(crate) fn generated(&self) -> Result<generated::Client> {
        let shared = self.client.generated(self.api, self.operation)?;
        let mut context = shared.inner().clone();
        let own = crate::auth::operation_auth(self.api, self.operation);
        if context.credentials.is_none()
            && !own.is_some_and(|ways| ways.contains(&crate::auth::Auth::None))
            && let Some(missing) = crate::auth::missing_credentials(self.api)
        {
            return Err(Error::new(
                ErrorKind::Config,
                self.api,
                self.operation,
                missing,
            ));
        }
        for change in &self.overrides {
            apply(&mut context.options, change).map_err(|message| {
                Error::new(ErrorKind::InvalidRequest, self.api, self.operation, message)
            })?;
        }
        context.trace = Some(self.trace.clone());
        Ok(generated::Client::new_with_client(
            shared.baseurl(),
            shared.client().clone(),
            context,
        ))
    }

    /// An argument's converted value, or the request error that names it.
    pub(crate) fn value<T>(&self, value: std::result::Result<T, String>) -> Result<T> {
        value.map_err(|message| {
            Error::new(ErrorKind::InvalidRequest, self.api, self.operation, message)
        })
    }

    /// The body of a successful call with its status and headers, or the SDK's error for the failed one,
    /// with what the hooks noted: the status and headers whenever a response arrived, where the call went,
    /// the attempts made and the time spent.
    pub(crate) async fn finish<T, E: Into<VendorError>>(
        &self,
        result: std::result::Result<ResponseValue<T>, CallError<E>>,
    ) -> Result<Response<T>> {
        let trace = self
            .trace
            .lock()
            .map(|mut t| std::mem::take(&mut *t))
            .unwrap_or_default();
        crate::response::finish(self.api, self.operation, result, trace).await
    }
}

fn apply(options: &mut CallOptions, change: &Override) -> std::result::Result<(), String> {
    match change {
        Override::Timeout(timeout) => options.timeout = *timeout,
        Override::Deadline(deadline) => options.deadline = Some(*deadline),
        Override::Retry(policy) => options.retry = policy.clone(),
        Override::Header(Ok((name, value))) => {
            options.headers.insert(name.clone(), value.clone());
        }
        Override::Header(Err(message)) => return Err(message.clone()),
    }
    Ok(())
}

/// `value` converted to an argument's type; the error names the argument (`limit: …`).
pub(crate) fn convert<T, V>(name: &str, value: V) -> std::result::Result<T, String>
where
    V: TryInto<T>,
    V::Error: Display,
{
    value
        .try_into()
        .map_err(|e| format!("invalid `{name}`: {e}"))
}

/// `value` converted to a `NonZero*` argument through its primitive `P`, so that callers pass plain
/// integers; zero (or a value out of range) is reported with the argument's name.
pub(crate) fn convert_nonzero<P, T, V>(name: &str, value: V) -> std::result::Result<T, String>
where
    V: TryInto<P>,
    V::Error: Display,
    T: TryFrom<P>,
{
    let primitive = convert::<P, V>(name, value)?;
    T::try_from(primitive).map_err(|_| format!("invalid `{name}`: must not be 0"))
}
