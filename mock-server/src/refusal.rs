//! Every answer that is not a rule's success goes through here: a [`Refusal`] (auth, validation, a
//! precondition, `Prefer`, a fault, the store) is rendered in ONE place, as the operation's documented
//! example where one applies, else as the vendor's error body for the problem.

use serde_json::Value;

use crate::contract::Operation;
use crate::problem::Problem;
use crate::reply::Reply;
use crate::vendor::Vendor;

/// How a refusal picks its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// The documented answer for the status: this example (exactly), or the first one, or the schema's;
    /// the vendor's error body for the problem where none is documented.
    Documented(Option<String>),
    /// The vendor's error body for the problem.
    Problem,
}

/// An answer the pipeline gives instead of running (or finishing) the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    /// The status.
    pub(crate) status: u16,
    /// Where the body comes from.
    pub(crate) source: Source,
    /// What went wrong (the body's content when no example is used).
    pub(crate) problem: Problem,
    /// Extra headers (`X-Mock-Error`).
    pub(crate) headers: Vec<(&'static str, String)>,
}

/// Set on answers the mock produced because of its own trouble (not a vendor rule), saying why.
pub(crate) const MOCK_ERROR_HEADER: &str = "x-mock-error";

impl Refusal {
    /// The documented answer for `status` (a named example, or the first documented one).
    pub(crate) fn documented(status: u16, example: Option<&str>, problem: Problem) -> Refusal {
        Refusal {
            status,
            source: Source::Documented(example.map(str::to_owned)),
            problem,
            headers: Vec::new(),
        }
    }

    /// The vendor's error body for `problem`.
    pub(crate) fn problem(status: u16, problem: Problem) -> Refusal {
        Refusal {
            status,
            source: Source::Problem,
            problem,
            headers: Vec::new(),
        }
    }

    /// The store failed: the operation's documented 503; `X-Mock-Error` says what failed.
    pub(crate) fn store_unavailable(error: &crate::state::StoreError) -> Refusal {
        let cause = error.chain();
        tracing::error!(error = %cause, "state store failed");
        let mut refusal = Refusal::documented(
            503,
            None,
            Problem::new("The state store is unavailable; the request was not applied."),
        );
        refusal.headers.push((MOCK_ERROR_HEADER, cause));
        refusal
    }

    /// Renders the refusal for `op` (or, on a path no operation matches, in `vendor`'s body).
    pub(crate) fn render(&self, op: Option<&Operation>, vendor: &Vendor) -> Reply {
        let reply = match (op, &self.source) {
            (Some(op), Source::Documented(name)) => documented(op, vendor, self, name.as_deref()),
            _ => Reply::json(self.status, vendor.error_body(self.status, &self.problem)),
        };
        self.headers
            .iter()
            .fold(reply, |reply, (name, value)| reply.header(name, value))
    }
}

fn documented(op: &Operation, vendor: &Vendor, refusal: &Refusal, name: Option<&str>) -> Reply {
    let status = refusal.status;
    let fallback = || Reply::json(status, vendor.error_body(status, &refusal.problem));
    let Some(response) = op.responses.get(&status) else {
        if op.omitted.contains(&status) {
            return Reply::empty(status);
        }
        return fallback();
    };
    if !response.has_body() {
        return Reply::empty(status);
    }
    let example: Option<Value> = match name {
        Some(n) => response
            .examples
            .iter()
            .find(|(e, _)| e == n)
            .map(|(_, v)| v.clone()),
        None => response.example(None),
    };
    match example {
        Some(mut body) => {
            if status >= 400 {
                vendor.refresh(&mut body);
            }
            Reply::json(status, body)
        }
        None => fallback(),
    }
}
