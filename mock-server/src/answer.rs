//! What the pipeline answers, before it is rendered. Every stage ends in an [`Answer`] or passes the request
//! on ([`Flow`]); successes and refusals alike are answers, and [`Answer::render`] is the ONE place that
//! turns one into the reply: a documented answer as the operation documents it (a named example, else the
//! first one, else the vendor's error body for the problem), a problem in the vendor's error body, or an
//! answer that is ready as it is (the rules' reply, the vendor's answer through the proxy, a 405).

use std::ops::ControlFlow;

use serde_json::Value;

use crate::contract::{Contract, ErrorShape, Operation};
use crate::problem::Problem;
use crate::reply::Reply;
use crate::vendor::Vendor;

/// A stage's outcome: go on with a `T`, or stop with the answer.
pub(crate) type Flow<T = ()> = ControlFlow<Answer, T>;

/// Headers the mock adds to an answer it renders (`X-Mock-Error`).
type Extra = Vec<(&'static str, String)>;

/// An answer to a vendor API request.
#[derive(Debug, Clone)]
pub(crate) enum Answer {
    /// The operation's documented answer for `status`: the example named (exactly), or the first
    /// documented one, or the vendor's error body for `problem` where the status documents none. The
    /// operation without rules, a forced answer, a store failure, a declared refusal naming an example.
    Documented {
        /// The status.
        status: u16,
        /// The example asked for by name.
        example: Option<String>,
        /// What the body says where no example is used.
        problem: Problem,
        /// Headers to add.
        extra: Extra,
    },
    /// The vendor's error body for `problem`: validation, auth, a failed precondition.
    Problem {
        /// The status.
        status: u16,
        /// What went wrong.
        problem: Problem,
        /// Headers to add.
        extra: Extra,
    },
    /// Complete as it is: the rules' reply, the vendor's answer through the proxy, a 405 with `Allow`.
    Ready(Reply),
}

/// Set on answers the mock produced because of its own trouble (not a vendor rule), saying why.
pub(crate) const MOCK_ERROR_HEADER: &str = "x-mock-error";
/// On answers through the validating proxy: how the exchange differs from the contract (a JSON array).
pub(crate) const VIOLATIONS_HEADER: &str = "x-concord-violations";
/// On answers through the validating proxy: how many violations (the list header may be cut to fit).
pub(crate) const VIOLATION_COUNT_HEADER: &str = "x-concord-violation-count";

impl Answer {
    /// The documented answer for `status` (a named example, or the first documented one).
    pub(crate) fn documented(status: u16, example: Option<&str>, problem: Problem) -> Answer {
        Answer::Documented {
            status,
            example: example.map(str::to_owned),
            problem,
            extra: Vec::new(),
        }
    }

    /// The vendor's error body for `problem`.
    pub(crate) fn problem(status: u16, problem: Problem) -> Answer {
        Answer::Problem {
            status,
            problem,
            extra: Vec::new(),
        }
    }

    /// The store failed: the operation's documented 503; `X-Mock-Error` says what failed.
    pub(crate) fn store_unavailable(error: &crate::state::StoreError) -> Answer {
        let cause = error.chain();
        tracing::error!(error = %cause, "state store failed");
        Answer::documented(
            503,
            None,
            Problem::new("The state store is unavailable; the request was not applied."),
        )
        .header(MOCK_ERROR_HEADER, cause)
    }

    /// The answer with one more header.
    pub(crate) fn header(mut self, name: &'static str, value: String) -> Answer {
        if let Answer::Documented { extra, .. } | Answer::Problem { extra, .. } = &mut self {
            extra.push((name, value));
            return self;
        }
        match self {
            Answer::Ready(reply) => Answer::Ready(reply.header(name, value)),
            rendered_later => rendered_later,
        }
    }

    /// Renders the answer for `op` (or, on a path no operation matches, in the body of the vendor whose
    /// paths start like `path`).
    pub(crate) fn render(self, contract: &Contract, op: Option<&Operation>, path: &str) -> Reply {
        let answering = || contract.answering(op, path);
        let (reply, extra) = match self {
            Answer::Ready(reply) => return reply,
            Answer::Documented {
                status,
                example,
                problem,
                extra,
            } => {
                let reply = match op {
                    Some(op) => documented(op, answering(), status, example.as_deref(), &problem),
                    None => Reply::json(status, error_body(op, answering(), status, &problem)),
                };
                (reply, extra)
            }
            Answer::Problem {
                status,
                problem,
                extra,
            } => (
                Reply::json(status, error_body(op, answering(), status, &problem)),
                extra,
            ),
        };
        extra
            .into_iter()
            .fold(reply, |reply, (name, value)| reply.header(name, value))
    }
}

/// Stops a stage with `answer`.
pub(crate) fn stop<T>(answer: Answer) -> Flow<T> {
    ControlFlow::Break(answer)
}

/// The answer a flow of answers ends in, stopped early or not.
pub(crate) fn settle(flow: Flow<Answer>) -> Answer {
    match flow {
        ControlFlow::Break(answer) | ControlFlow::Continue(answer) => answer,
    }
}

/// Who answers: the vendor, and the error schema its operations use most.
type Answering<'a> = (&'a Vendor, Option<&'a ErrorShape>);

/// The vendor's error body; for a vendor that declares none, the operation's own error schema (else the
/// one the vendor's operations use most).
fn error_body(
    op: Option<&Operation>,
    (vendor, most_used): Answering<'_>,
    status: u16,
    problem: &Problem,
) -> Value {
    let own = op
        .filter(|_| !vendor.declares_error)
        .and_then(|op| op.error_shape(status))
        .or(most_used);
    match own {
        Some(shape) => shape.render(status, problem),
        None => vendor.error_body(status, problem),
    }
}

fn documented(
    op: &Operation,
    answering: Answering<'_>,
    status: u16,
    name: Option<&str>,
    problem: &Problem,
) -> Reply {
    let vendor = answering.0;
    let fallback = || Reply::json(status, error_body(Some(op), answering, status, problem));
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
            // An error example's fresh fields (a trace id) are new on every answer.
            if status >= 400 {
                vendor.refresh(&mut body);
            }
            Reply::json(status, body)
        }
        None => fallback(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header<'r>(reply: &'r Reply, name: &str) -> Option<&'r str> {
        reply
            .headers
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.to_str().ok())
    }

    #[test]
    fn a_ready_answer_renders_as_it_is_with_the_headers_added() {
        let contract = Contract::embedded();
        let reply = Answer::Ready(Reply::empty(405).header("allow", "GET, PUT"))
            .header(MOCK_ERROR_HEADER, "why".into())
            .render(&contract, None, "/nowhere");
        assert_eq!(reply.status.as_u16(), 405);
        assert!(reply.body.is_none());
        assert_eq!(header(&reply, "allow"), Some("GET, PUT"));
        assert_eq!(header(&reply, MOCK_ERROR_HEADER), Some("why"));
    }

    #[test]
    fn a_problem_renders_in_the_error_body_with_the_headers_added() {
        let contract = Contract::embedded();
        let reply = Answer::problem(400, Problem::new("the body is wrong"))
            .header(MOCK_ERROR_HEADER, "why".into())
            .render(&contract, None, "/nowhere");
        assert_eq!(reply.status.as_u16(), 400);
        let body = reply.body.as_ref().expect("an error body").to_string();
        assert!(body.contains("the body is wrong"), "{body}");
        assert_eq!(header(&reply, MOCK_ERROR_HEADER), Some("why"));
    }

    #[test]
    fn a_flow_settles_on_its_answer_whether_it_stopped_or_not() {
        let stopped = settle(stop(Answer::problem(401, Problem::new("no"))));
        let finished = settle(ControlFlow::Continue(Answer::Ready(Reply::empty(204))));
        assert!(matches!(stopped, Answer::Problem { status: 401, .. }));
        assert!(matches!(finished, Answer::Ready(reply) if reply.status.as_u16() == 204));
    }
}
