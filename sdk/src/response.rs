//! Turns what a generated call returned into the SDK's `Result`.

use progenitor_client::{Error as CallError, ResponseValue};

use crate::api::Api;
use crate::error::{Error, ErrorKind, Result, VendorError};

/// How much of an unexpected body is kept in the error.
const BODY_LIMIT: usize = 8 * 1024;

/// The body of a successful call, or the SDK's error for the failed one.
pub(crate) async fn finish<T, E: Into<VendorError>>(
    api: Api,
    operation: &'static str,
    result: std::result::Result<ResponseValue<T>, CallError<E>>,
) -> Result<T> {
    match result {
        Ok(value) => Ok(value.into_inner()),
        Err(error) => Err(convert(api, operation, error).await),
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

fn transport(new: impl Fn(ErrorKind, String) -> Error, source: reqwest::Error) -> Error {
    let kind = if source.is_timeout() {
        ErrorKind::Timeout
    } else {
        ErrorKind::Transport
    };
    let what = if source.is_timeout() {
        "the request timed out"
    } else {
        "the request failed"
    };
    // without_url: a URL can carry ids that should not end up in logs by accident.
    let source = source.without_url();
    new(kind, format!("{what}: {source}")).with_source(source)
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
