//! Turns what a generated call returned into the SDK's `Result`: a [`Response`] (the body with the answer's
//! status and headers) or an [`Error`].

use progenitor_client::{Error as CallError, ResponseValue};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::api::Api;
use crate::error::{Error, ErrorKind, Result, VendorError};
use crate::hooks::Trace;

/// A successful answer: the typed body with the status and headers it came with (from a request's
/// `send_with_response`). Dereferences to the body.
///
/// ```no_run
/// # async fn run(client: concord_sdk::Client) -> concord_sdk::Result<()> {
/// let answer = client.masstack().list_credentials("telco", "123e4567-e89b-12d3-a456-556642440000")
///     .send_with_response()
///     .await?;
/// println!("{} credentials, status {}, request {:?}", answer.len(), answer.status(), answer.request_id());
/// let credentials = answer.into_inner();
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Response<T> {
    body: T,
    status: StatusCode,
    headers: HeaderMap,
    api: Api,
}

impl<T> Response<T> {
    /// The HTTP status (a documented success status).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers (`Deprecation`, trace ids, rate-limit headers, …).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The request id the server sent in a header, to quote to the vendor's support: the headers the
    /// contract names for the API (its tag's `x-concord-request-id`), else `x-request-id`.
    pub fn request_id(&self) -> Option<&str> {
        crate::error::request_id_header(self.api, &self.headers)
    }

    /// The typed body.
    pub fn body(&self) -> &T {
        &self.body
    }

    /// The typed body, owned.
    pub fn into_inner(self) -> T {
        self.body
    }
}

impl<T> std::ops::Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.body
    }
}

/// How much of an unexpected body is kept in the error.
const BODY_LIMIT: usize = 8 * 1024;

/// The body of a successful call with its status and headers, or the SDK's error for the failed one with
/// what the hooks noted in `trace` (so that an error whose body did not decode still carries the status).
pub(crate) async fn finish<T, E: Into<VendorError>>(
    api: Api,
    operation: &'static str,
    result: std::result::Result<ResponseValue<T>, CallError<E>>,
    trace: Trace,
) -> Result<Response<T>> {
    match result {
        Ok(value) => {
            let (status, headers) = (value.status(), value.headers().clone());
            Ok(Response {
                body: value.into_inner(),
                status,
                headers,
                api,
            })
        }
        Err(error) => Err(convert(api, operation, error).await.with_trace(trace)),
    }
}

async fn convert<E: Into<VendorError>>(
    api: Api,
    operation: &'static str,
    error: CallError<E>,
) -> Error {
    let new = |kind, message: String| Error::new(kind, api, operation, message);
    match error {
        CallError::ErrorResponse(value) => {
            let status = value.status();
            let headers = value.headers().clone();
            new(ErrorKind::Api, format!("the API answered {status}"))
                .with_response(status, headers)
                .with_vendor(value.into_inner().into())
        }
        CallError::UnexpectedResponse(response) => {
            let status = response.status();
            let headers = response.headers().clone();
            let body = response.text().await.unwrap_or_default();
            new(
                ErrorKind::UnexpectedStatus,
                format!(
                    "the contract does not document status {} for this operation",
                    status.as_u16()
                ),
            )
            .with_response(status, headers)
            .with_body(truncate(body))
        }
        CallError::InvalidResponsePayload(bytes, source) => new(
            ErrorKind::Decode,
            format!("the response body does not match the contract: {source}"),
        )
        .with_body(truncate(String::from_utf8_lossy(&bytes).into_owned()))
        .with_source(source),
        CallError::CommunicationError(source) | CallError::ResponseBodyError(source) => {
            transport(new, source)
        }
        CallError::InvalidUpgrade(source) => transport(new, source),
        CallError::InvalidRequest(message) => new(ErrorKind::InvalidRequest, message),
        CallError::Custom(message) => new(ErrorKind::Transport, message),
    }
}

/// A request that got no usable response, described by its root cause ("Connection refused (os error
/// 111)"), not reqwest's outermost "error sending request".
fn transport(new: impl Fn(ErrorKind, String) -> Error, source: reqwest::Error) -> Error {
    let (kind, what) = if source.is_timeout() {
        (ErrorKind::Timeout, "timed out")
    } else if source.is_connect() {
        (ErrorKind::Transport, "could not connect")
    } else {
        (ErrorKind::Transport, "the request failed")
    };
    // without_url: a URL can carry ids that should not end up in logs by accident.
    let source = source.without_url();
    let mut root: &dyn std::error::Error = &source;
    while let Some(next) = root.source() {
        root = next;
    }
    let message = if source.is_timeout() {
        what.to_owned()
    } else {
        format!("{what}: {root}")
    };
    new(kind, message).with_source(source)
}

fn truncate(mut body: String) -> String {
    if body.len() > BODY_LIMIT {
        let mut end = BODY_LIMIT;
        while !body.is_char_boundary(end) {
            end -= 1;
        }
        body.truncate(end);
    }
    body
}
