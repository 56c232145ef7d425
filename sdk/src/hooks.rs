//! What every generated call goes through: auth headers, the per-attempt timeout, retries and tracing.
//! progenitor calls these hooks (`ClientHooks`) for every operation, so no operation can skip them.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::Method;
use reqwest::header::HeaderMap;
use tracing::Instrument;

use crate::api::Api;
use crate::generated;
use crate::retry::{Decision, Outcome, RetryPolicy};

/// Options that may differ per call ([`crate::Client::with_timeout`], [`crate::Client::with_retry_policy`]).
#[derive(Clone, Debug)]
pub(crate) struct CallOptions {
    pub(crate) timeout: Duration,
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
    pub(crate) options: CallOptions,
    /// Where this call's last answer (status and headers) is noted, for the caller to read afterwards;
    /// `None` on the client shared by all calls.
    pub(crate) answer: Option<Arc<Mutex<Option<Answer>>>>,
}

/// The status and headers of a response, kept whether or not its body decodes.
pub(crate) type Answer = (reqwest::StatusCode, HeaderMap);

impl ClientHooks<CallContext> for generated::Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let context = self.inner();
        if let Some(auth) = &context.auth {
            for (name, value) in auth.iter() {
                request.headers_mut().insert(name.clone(), value.clone());
            }
        }
        if let Some((name, key)) = &context.query {
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
        let result = send_with_retries(self.client(), request, &context.options.retry)
            .instrument(span)
            .await;
        if let (Some(answer), Ok(response)) = (&context.answer, &result)
            && let Ok(mut answer) = answer.lock()
        {
            *answer = Some((response.status(), response.headers().clone()));
        }
        result
    }
}

/// Sends `request`, retrying as `policy` says; records attempts and the final status on the current span.
async fn send_with_retries(
    client: &reqwest::Client,
    request: reqwest::Request,
    policy: &RetryPolicy,
) -> reqwest::Result<reqwest::Response> {
    let idempotent = !matches!(*request.method(), Method::POST | Method::PATCH);
    let mut attempt = 1;
    loop {
        // A streaming body cannot be sent twice: such a request gets exactly one attempt.
        let Some(this_try) = request.try_clone() else {
            return client.execute(request).await;
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
        match policy.decide(attempt, idempotent, outcome) {
            Decision::Stop => {
                let span = tracing::Span::current();
                span.record("attempts", attempt);
                if let Ok(response) = &result {
                    span.record("status", response.status().as_u16());
                }
                tracing::info!(attempts = attempt, ok = result.is_ok(), "call finished");
                return result;
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
            answer: None,
            options: CallOptions {
                timeout: Duration::from_secs(5),
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
