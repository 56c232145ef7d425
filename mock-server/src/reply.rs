//! What a handler answers: status, optional JSON body, extra headers. One type for successes and errors,
//! so every answer passes through the same decoration (vendor headers, CORS, journal).

use axum::http::{HeaderName, HeaderValue, StatusCode};
use serde_json::Value;

/// An answer to an API request.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    /// The HTTP status.
    pub(crate) status: StatusCode,
    /// The JSON body, if any.
    pub(crate) body: Option<Value>,
    /// Headers beside the body's content type.
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    /// Bytes passed on as they came, instead of `body` (a vendor's answer through the proxy, whose own
    /// `Content-Type` is among `headers`).
    pub(crate) passed: Option<bytes::Bytes>,
}

impl Reply {
    /// A JSON answer.
    pub(crate) fn json(status: u16, body: Value) -> Reply {
        Reply {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            body: Some(body),
            headers: Vec::new(),
            passed: None,
        }
    }

    /// An answer without a body.
    pub(crate) fn empty(status: u16) -> Reply {
        Reply {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            body: None,
            headers: Vec::new(),
            passed: None,
        }
    }

    /// Adds a header (values that are not valid header text are skipped).
    pub(crate) fn header(mut self, name: &'static str, value: impl AsRef<str>) -> Reply {
        if let Ok(value) = HeaderValue::from_str(value.as_ref()) {
            self.headers.push((HeaderName::from_static(name), value));
        }
        self
    }
}
