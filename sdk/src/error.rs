//! The SDK's one error type: which API failed, how, and the vendor's own error body.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::api::Api;

/// A boxed error source.
type Source = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What kind of failure an [`Error`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The API answered with an error status it documents; [`Error::vendor_error`] holds its typed body.
    Api,
    /// The API answered with a status the contract does not document for the operation.
    UnexpectedStatus,
    /// The request did not complete: connection refused, reset, TLS, DNS.
    Transport,
    /// The request timed out: an attempt's timeout or the call's deadline.
    Timeout,
    /// A response arrived but its body is not what the contract says.
    Decode,
    /// The request could not be built from the arguments (e.g. a value that fails the schema).
    InvalidRequest,
    /// The client is not configured for this API (e.g. no base URL for ES Loyalty).
    Config,
}

pub use crate::facade::VendorError;

/// A failed call. Tells which API and operation failed, how ([`ErrorKind`]), the HTTP status and headers
/// when the server answered, the vendor's typed error body, and its trace or request id.
pub struct Error {
    // Boxed so that `Result<T, Error>` stays small on the success path.
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    api: Api,
    operation: &'static str,
    status: Option<StatusCode>,
    headers: Option<HeaderMap>,
    vendor: Option<VendorError>,
    body: Option<String>,
    message: String,
    source: Option<Source>,
    /// `GET api.paysafe.com:443`, once the request was sent.
    target: Option<String>,
    attempts: u32,
    elapsed: Option<Duration>,
}

impl Error {
    pub(crate) fn new(
        kind: ErrorKind,
        api: Api,
        operation: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                api,
                operation,
                status: None,
                headers: None,
                vendor: None,
                body: None,
                message: message.into(),
                source: None,
                target: None,
                attempts: 0,
                elapsed: None,
            }),
        }
    }

    pub(crate) fn with_response(mut self, status: StatusCode, headers: HeaderMap) -> Self {
        self.inner.status = Some(status);
        self.inner.headers = Some(headers);
        self
    }

    pub(crate) fn with_vendor(mut self, vendor: VendorError) -> Self {
        self.inner.vendor = Some(vendor);
        self
    }

    pub(crate) fn with_body(mut self, body: String) -> Self {
        self.inner.body = Some(body);
        self
    }

    /// What the hooks noted of the call: where it went, the attempts and time, its deadline or timeout,
    /// and the status and headers of a response whose body did not decode.
    pub(crate) fn with_trace(mut self, trace: crate::hooks::Trace) -> Self {
        let Some(target) = trace.target else {
            return self;
        };
        self.inner.target = Some(target);
        self.inner.attempts = trace.attempts;
        self.inner.elapsed = Some(trace.elapsed);
        if let (None, Some((status, headers))) = (self.inner.status, trace.answer) {
            self.inner.status = Some(status);
            self.inner.headers = Some(headers);
        }
        if self.inner.kind == ErrorKind::Timeout {
            self.inner.message = match trace.deadline_reached {
                Some(deadline) => format!("the call's deadline of {deadline:?} was reached"),
                None => format!(
                    "an attempt ran past its attempt timeout of {:?} (each attempt gets that long; \
                     with_deadline bounds the whole call)",
                    trace.timeout
                ),
            };
        }
        self
    }

    pub(crate) fn with_source(mut self, source: impl Into<Source>) -> Self {
        self.inner.source = Some(source.into());
        self
    }

    /// How the call failed.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The vendor API the call went to.
    pub fn api(&self) -> Api {
        self.inner.api
    }

    /// The operationId of the failed call (e.g. `paysafe_assign_bulk_card`).
    pub fn operation_id(&self) -> &'static str {
        self.inner.operation
    }

    /// How many attempts were made (0 when the request was not sent).
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// The time the call took, retries and their waits included (`None` when it was not sent).
    pub fn elapsed(&self) -> Option<Duration> {
        self.inner.elapsed
    }

    /// Whether no connection could be made (refused, DNS, TLS handshake): the server never saw the request.
    pub fn is_connect(&self) -> bool {
        self.inner
            .source
            .as_deref()
            .and_then(|s| s.downcast_ref::<reqwest::Error>())
            .is_some_and(reqwest::Error::is_connect)
    }

    /// Whether the server answered with an error status ([`ErrorKind::Api`] or
    /// [`ErrorKind::UnexpectedStatus`]).
    pub fn is_status(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::Api | ErrorKind::UnexpectedStatus
        )
    }

    /// Whether a response arrived whose body is not what the contract says ([`ErrorKind::Decode`]).
    pub fn is_decode(&self) -> bool {
        self.inner.kind == ErrorKind::Decode
    }

    /// Whether the call was not sent because of the client's configuration ([`ErrorKind::Config`]) or its
    /// arguments ([`ErrorKind::InvalidRequest`]).
    pub fn is_request(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::Config | ErrorKind::InvalidRequest
        )
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        self.inner.status
    }

    /// The response headers, when the server answered.
    pub fn headers(&self) -> Option<&HeaderMap> {
        self.inner.headers.as_ref()
    }

    /// The vendor's typed error body, for documented error statuses.
    pub fn vendor_error(&self) -> Option<&VendorError> {
        self.inner.vendor.as_ref()
    }

    /// The raw body of an undocumented or undecodable response (at most 8 KiB).
    pub fn body(&self) -> Option<&str> {
        self.inner.body.as_deref()
    }

    /// The id to quote to the vendor's support, where the contract says the API keeps it (its tag's
    /// `x-concord-request-id`: a field of the error body, or response headers), otherwise an
    /// `x-request-id` header if the server sent one.
    pub fn request_id(&self) -> Option<&str> {
        if let Some(id) = self.inner.vendor.as_ref().and_then(VendorError::request_id) {
            return Some(id);
        }
        request_id_header(self.inner.api, self.inner.headers.as_ref()?)
    }

    /// The server's `Retry-After`, when it sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        crate::retry::parse_retry_after(self.inner.headers.as_ref()?)
    }

    /// Whether trying again later may succeed: transport failures, timeouts, 408, 429, 502, 503, 504.
    pub fn is_retryable(&self) -> bool {
        match self.inner.kind {
            ErrorKind::Transport | ErrorKind::Timeout => true,
            _ => self
                .inner
                .status
                .is_some_and(|s| matches!(s.as_u16(), 408 | 429 | 502 | 503 | 504)),
        }
    }

    /// Whether the call timed out.
    pub fn is_timeout(&self) -> bool {
        self.inner.kind == ErrorKind::Timeout
    }
}

/// The request id a server sent in a header: one the contract names for `api`, best first, otherwise
/// `x-request-id`.
pub(crate) fn request_id_header(api: Api, headers: &HeaderMap) -> Option<&str> {
    api.request_id_headers()
        .iter()
        .chain(&["x-request-id"])
        .find_map(|name| headers.get(*name)?.to_str().ok())
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: ", self.inner.api, self.inner.operation)?;
        if let Some(target) = &self.inner.target
            && self.inner.status.is_none()
        {
            write!(f, "{target}: ")?;
        }
        match (self.inner.status, &self.inner.vendor) {
            (Some(status), Some(vendor)) => {
                write!(f, "{status}")?;
                if let Some(code) = vendor.code() {
                    write!(f, " {code}")?;
                }
                if let Some(message) = vendor.message() {
                    write!(f, ": {message}")?;
                }
            }
            (Some(status), None) => write!(f, "{status}: {}", self.inner.message)?,
            (None, _) => f.write_str(&self.inner.message)?,
        }
        if let Some(id) = self.request_id() {
            write!(f, " (request id {id})")?;
        }
        if let Some(elapsed) = self.inner.elapsed
            && (self.inner.attempts > 1 || self.inner.status.is_none())
        {
            let attempts = self.inner.attempts;
            let s = if attempts == 1 { "" } else { "s" };
            write!(
                f,
                " ({attempts} attempt{s} in {:.2} s)",
                elapsed.as_secs_f64()
            )?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Headers are left out: they may echo credentials back.
        f.debug_struct("Error")
            .field("kind", &self.inner.kind)
            .field("api", &self.inner.api)
            .field("operation", &self.inner.operation)
            .field("status", &self.inner.status)
            .field("vendor", &self.inner.vendor)
            .field("message", &self.inner.message)
            .field("source", &self.inner.source)
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source.as_deref().map(|s| s as _)
    }
}

/// Shorthand for results of SDK calls.
pub type Result<T, E = Error> = std::result::Result<T, E>;
