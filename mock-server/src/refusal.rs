//! Every answer that is not a rule's success goes through here: a [`Refusal`] (auth, validation, a
//! precondition, `Prefer`, a fault, the store) is rendered in ONE place, as the operation's documented
//! example where one applies, else as the vendor's error body for the problem.

use serde_json::Value;

use crate::contract::{Contract, ErrorShape, Operation};
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
/// On answers through the validating proxy: how the exchange differs from the contract (a JSON array).
pub(crate) const VIOLATIONS_HEADER: &str = "x-concord-violations";
/// On answers through the validating proxy: how many violations (the list header may be cut to fit).
pub(crate) const VIOLATION_COUNT_HEADER: &str = "x-concord-violation-count";

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

    /// Renders the refusal for `op` (or, on a path no operation matches, in the body of the vendor whose
    /// paths start like `path`).
    pub(crate) fn render(&self, contract: &Contract, op: Option<&Operation>, path: &str) -> Reply {
        let answering = contract.answering(op, path);
        let reply = match (op, &self.source) {
            (Some(op), Source::Documented(name)) => {
                documented(op, answering, self, name.as_deref())
            }
            _ => Reply::json(self.status, error_body(op, answering, self)),
        };
        self.headers
            .iter()
            .fold(reply, |reply, (name, value)| reply.header(name, value))
    }
}

/// Who answers: the vendor, and the error schema its operations use most.
type Answering<'a> = (&'a Vendor, Option<&'a ErrorShape>);

/// The vendor's error body; for a vendor that declares none, the operation's own error schema (else the
/// one the vendor's operations use most).
fn error_body(
    op: Option<&Operation>,
    (vendor, most_used): Answering<'_>,
    refusal: &Refusal,
) -> Value {
    let own = op
        .filter(|_| !vendor.declares_error)
        .and_then(|op| op.error_shape(refusal.status))
        .or(most_used);
    match own {
        Some(shape) => shape.render(refusal.status, &refusal.problem),
        None => vendor.error_body(refusal.status, &refusal.problem),
    }
}

fn documented(
    op: &Operation,
    answering: Answering<'_>,
    refusal: &Refusal,
    name: Option<&str>,
) -> Reply {
    let vendor = answering.0;
    let status = refusal.status;
    let fallback = || Reply::json(status, error_body(Some(op), answering, refusal));
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
        None => response.forced(None),
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
