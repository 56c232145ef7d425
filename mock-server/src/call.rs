//! One API request as a vendor handler sees it: the operation, the tenant, converted parameters, the body,
//! who is calling, and the store.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::reply::Reply;
use crate::spec_index::Operation;
use crate::state::Store;
use crate::vendors::Problem;

/// A validated request.
pub struct Call<'a> {
    /// The operation.
    pub op: &'a Operation,
    /// The tenant whose state it reads and changes.
    pub tenant: &'a str,
    /// Path, query and header parameters, converted to their declared JSON types.
    pub params: BTreeMap<String, Value>,
    /// The parsed body.
    pub body: Option<Value>,
    /// The credential that authenticated the call (its fixture entity).
    pub principal: Option<Value>,
    /// The store.
    pub store: &'a Store,
}

impl Call<'_> {
    /// A parameter as text (numbers printed).
    pub fn text(&self, name: &str) -> String {
        match self.params.get(name) {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        }
    }

    /// The body (an empty object when there is none).
    pub fn body(&self) -> &Value {
        static EMPTY: Value = Value::Null;
        self.body.as_ref().unwrap_or(&EMPTY)
    }

    /// The documented example `name` of `status`, as the answer.
    pub fn documented(&self, status: u16, name: &str) -> Reply {
        self.documented_or(
            status,
            name,
            Problem::new(format!("documented example {name} is missing")),
        )
    }

    /// The documented example `name` of `status`, or the vendor's error body for `fallback`.
    pub fn documented_or(&self, status: u16, name: &str, fallback: Problem) -> Reply {
        documented(self.op, status, Some(name), fallback)
    }

    /// The vendor's error body.
    pub fn fail(&self, status: u16, problem: Problem) -> Reply {
        Reply::json(status, self.op.vendor.error_body(status, &problem))
    }
}

/// The documented answer for `status`: the example `name` (exactly that one, when named), else the
/// response's first example or its schema's example; a response documented without a body answers empty;
/// otherwise the vendor's error body for `fallback`.
pub(crate) fn documented(
    op: &Operation,
    status: u16,
    name: Option<&str>,
    fallback: Problem,
) -> Reply {
    let Some(response) = op.responses.get(&status) else {
        if op.omitted.contains(&status) {
            return Reply::empty(status);
        }
        return Reply::json(status, op.vendor.error_body(status, &fallback));
    };
    if !response.has_body() {
        return Reply::empty(status);
    }
    let example = match name {
        Some(n) => response
            .examples
            .iter()
            .find(|(e, _)| e == n)
            .map(|(_, v)| v.clone()),
        None => response.example(None),
    };
    match example {
        Some(mut body) => {
            op.vendor.refresh(&mut body);
            Reply::json(status, body)
        }
        None => Reply::json(status, op.vendor.error_body(status, &fallback)),
    }
}

/// The answer when the store fails: the operation's documented 503 (the vendor's error body where none is
/// documented); nothing was applied. The body stays the vendor's; `X-Mock-Error` says what failed.
pub(crate) fn store_unavailable(op: &Operation, error: &crate::state::StoreError) -> Reply {
    tracing::error!(error = %error, "state store failed");
    documented(
        op,
        503,
        None,
        Problem::new("The state store is unavailable; the request was not applied."),
    )
    .header(
        MOCK_ERROR_HEADER,
        error.to_string().replace(['\r', '\n'], " "),
    )
}

/// Set on answers the mock produced because of its own trouble (not a vendor rule), saying why.
pub(crate) const MOCK_ERROR_HEADER: &str = "x-mock-error";
