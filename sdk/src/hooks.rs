//! What every generated call goes through: auth headers, the per-attempt timeout, the call's deadline,
//! retries and tracing. progenitor calls these hooks (`ClientHooks`) for every operation, so no operation
//! can skip them. Each call notes what happened in its [`Trace`] for its result or error.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::Method;
use reqwest::header::HeaderMap;
use tracing::Instrument;

use crate::api::Api;
use crate::generated;
use crate::retry::{Decision, Outcome, RetryPolicy};

/// Options that may differ per call ([`crate::Client::with_attempt_timeout`], [`crate::Client::with_retry_policy`],
/// and the request builders' `with_*`).
#[derive(Clone, Debug)]
pub(crate) struct CallOptions {
    /// Time for one attempt.
    pub(crate) timeout: Duration,
    /// Time for the whole call, retries and their waits included.
    pub(crate) deadline: Option<Duration>,
    pub(crate) retry: RetryPolicy,
    /// Extra headers on every call ([`crate::Client::with_header`], [`crate::ClientBuilder::default_header`]).
    pub(crate) headers: HeaderMap,
}

/// The context each generated client carries (progenitor's "inner type").
#[derive(Clone, Debug)]
pub(crate) struct CallContext {
    pub(crate) api: Api,
    /// Sensitive header values: `Debug` prints `Sensitive` for them.
    pub(crate) auth: Option<Arc<HeaderMap>>,
    /// An API key the contract sends in the query: (parameter, key).
    pub(crate) query: Option<(&'static str, crate::auth::Secret)>,
    /// The API's credentials, for operations that document other security requirements than their
    /// API's (`auth` and `query` are how the API's own requirement sends them).
    pub(crate) credentials: Option<crate::auth::Credentials>,
    pub(crate) options: CallOptions,
    /// Where this call notes what happened, for the caller to read afterwards; `None` on the client shared
    /// by all calls.
    pub(crate) trace: Option<Arc<Mutex<Trace>>>,
}

/// What one call noted as it went.
#[derive(Debug, Default, Clone)]
pub(crate) struct Trace {
    /// `GET api.paysafe.com:443`: the method, host and port the call went to.
    pub(crate) target: Option<String>,
    pub(crate) attempts: u32,
    pub(crate) elapsed: Duration,
    /// The per-attempt timeout the call ran with.
    pub(crate) timeout: Duration,
    /// The deadline, when it ended the call.
    pub(crate) deadline_reached: Option<Duration>,
    /// The status and headers of the last response, kept whether or not its body decodes.
    pub(crate) answer: Option<(reqwest::StatusCode, HeaderMap)>,
}

impl ClientHooks<CallContext> for generated::Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let context = self.inner();
        // An operation that documents its own security requirements gets the first way the credentials
        // fit; the others the API's, worked out once when the client was built.
        let own = match crate::auth::operation_auth(context.api, info.operation_id) {
            Some(ways) => Some(
                crate::auth::placed(
                    context.api,
                    info.operation_id,
                    context.credentials.as_ref(),
                    ways,
                )
                .map_err(progenitor_client::Error::InvalidRequest)?,
            ),
            None => None,
        };
        let (auth, query) = match &own {
            Some((headers, query)) => (Some(headers), query.as_ref()),
            None => (context.auth.as_deref(), context.query.as_ref()),
        };
        if let Some(auth) = auth {
            for (name, value) in auth.iter() {
                request.headers_mut().insert(name.clone(), value.clone());
            }
        }
        if let Some((name, key)) = query {
            request
                .url_mut()
                .query_pairs_mut()
                .append_pair(name, key.expose());
        }
        for (name, value) in &context.options.headers {
            request.headers_mut().insert(name.clone(), value.clone());
        }
        *request.timeout_mut() = Some(context.options.timeout);
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let context = self.inner();
        let span = tracing::info_span!(
            "concord.call",
            operation = info.operation_id,
            api = %context.api,
            method = %request.method(),
            attempts = tracing::field::Empty,
            status = tracing::field::Empty,
        );
        // Host and port: the port is half of "where", and a refused connection is about the port.
        let url = request.url();
        let target = format!(
            "{} {}:{}",
            request.method(),
            url.host_str().unwrap_or_default(),
            url.port_or_known_default().unwrap_or_default()
        );
        let started = Instant::now();
        let deadline = context.options.deadline;
        let (result, attempts, deadline_reached) = send_with_retries(
            self.client(),
            request,
            &context.options.retry,
            deadline.map(|d| started + d),
        )
        .instrument(span)
        .await;
        if let Some(trace) = &context.trace
            && let Ok(mut trace) = trace.lock()
        {
            *trace = Trace {
                target: Some(target),
                attempts,
                elapsed: started.elapsed(),
                timeout: context.options.timeout,
                deadline_reached: deadline.filter(|_| deadline_reached),
                answer: result
                    .as_ref()
                    .ok()
                    .map(|r| (r.status(), r.headers().clone())),
            };
        }
        result
    }
}

/// Sends `request`, retrying as `policy` says, never past `deadline` (each attempt's timeout is cut to
/// what is left, and a wait that would end after it is not started); records attempts and the final status
/// on the current span. Returns the last result, the number of attempts, and whether the deadline ended
/// the call.
async fn send_with_retries(
    client: &reqwest::Client,
    mut request: reqwest::Request,
    policy: &RetryPolicy,
    deadline: Option<Instant>,
) -> (reqwest::Result<reqwest::Response>, u32, bool) {
    let idempotent = !matches!(*request.method(), Method::POST | Method::PATCH);
    let per_attempt = request.timeout().copied();
    let mut attempt = 1;
    loop {
        let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        let cut = match (per_attempt, left) {
            (Some(timeout), Some(left)) => Some(timeout.min(left)),
            (timeout, left) => timeout.or(left),
        };
        *request.timeout_mut() = cut;
        let cut_by_deadline = left.is_some_and(|left| per_attempt.is_none_or(|t| left < t));
        // A streaming body cannot be sent twice: such a request gets exactly one attempt.
        let Some(this_try) = request.try_clone() else {
            let result = client.execute(request).await;
            let timed_out = result.as_ref().is_err_and(reqwest::Error::is_timeout);
            return (result, attempt, cut_by_deadline && timed_out);
        };
        let started = Instant::now();
        let result = client.execute(this_try).await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        let outcome = match &result {
            Ok(response) => {
                tracing::debug!(
                    attempt,
                    status = response.status().as_u16(),
                    elapsed_ms,
                    "response"
                );
                Outcome::Status(response.status(), response.headers())
            }
            Err(error) => {
                tracing::debug!(attempt, elapsed_ms, error = %error, "request failed");
                if error.is_connect() {
                    Outcome::ConnectFailed
                } else {
                    Outcome::TransportFailed
                }
            }
        };
        let timed_out_by_deadline =
            cut_by_deadline && result.as_ref().is_err_and(reqwest::Error::is_timeout);
        let decision = match policy.decide(attempt, idempotent, outcome) {
            Decision::RetryAfter(wait)
                if deadline.is_some_and(|d| Instant::now() + wait >= d)
                    || timed_out_by_deadline =>
            {
                Decision::Stop
            }
            decision => decision,
        };
        match decision {
            Decision::Stop => {
                let span = tracing::Span::current();
                span.record("attempts", attempt);
                if let Ok(response) = &result {
                    span.record("status", response.status().as_u16());
                }
                tracing::info!(attempts = attempt, ok = result.is_ok(), "call finished");
                let reached = timed_out_by_deadline
                    || (result.is_err() && deadline.is_some_and(|d| Instant::now() >= d));
                return (result, attempt, reached);
            }
            Decision::RetryAfter(wait) => {
                tracing::info!(attempt, wait_ms = wait.as_millis() as u64, "retrying");
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use wiremock::matchers::{method, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;
    use crate::auth::Secret;

    #[tokio::test]
    async fn a_query_credential_is_added_to_every_call_next_to_the_calls_own_parameters() {
        let server = MockServer::start().await;
        Mock::given(method("DELETE"))
            .and(query_param("api_key", "k-1"))
            .respond_with(ResponseTemplate::new(204))
            .expect(1)
            .mount(&server)
            .await;
        let context = CallContext {
            api: Api::Masstack,
            auth: None,
            query: Some(("api_key", Secret::new("k-1"))),
            credentials: None,
            trace: None,
            options: CallOptions {
                timeout: Duration::from_secs(5),
                deadline: None,
                retry: RetryPolicy::never(),
                headers: HeaderMap::new(),
            },
        };
        let client =
            generated::Client::new_with_client(&server.uri(), reqwest::Client::new(), context);
        let sent = client
            .masstack_delete_credential()
            .org_id("telco")
            .customer_id(uuid::Uuid::nil())
            .credential_id(uuid::Uuid::nil())
            .send()
            .await;
        assert!(sent.is_ok(), "{sent:?}");
        let requests = server.received_requests().await.unwrap();
        assert_eq!(requests[0].url.query(), Some("api_key=k-1"));
    }
}
