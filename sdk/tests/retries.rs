//! Retries, backoff, Retry-After and timeouts, against a wiremock server.

mod common;

use std::time::{Duration, Instant};

use concord_sdk::{ErrorKind, RetryPolicy};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CREDENTIALS: &str =
    "/v4/orgs/telco/customers/123e4567-e89b-12d3-a456-556642440000/credentials";

fn credentials_json() -> serde_json::Value {
    serde_json::json!([{"id": common::CREDENTIAL, "username": "username@masmovil.com"}])
}

fn masstack_error(code: &str) -> serde_json::Value {
    serde_json::json!({"errors": [{"error": {"code": code, "title": "t", "ref": "http://", "message": "m"}}]})
}

#[tokio::test]
async fn a_get_succeeds_after_two_503s_on_the_third_attempt() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(CREDENTIALS))
        .respond_with(ResponseTemplate::new(503).set_body_json(masstack_error("MCUS.999.503")))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(CREDENTIALS))
        .respond_with(ResponseTemplate::new(200).set_body_json(credentials_json()))
        .expect(1)
        .mount(&server)
        .await;
    let client = common::client(&server.uri());
    let list = client
        .masstack()
        .list_credentials("telco", common::MASSTACK_CUSTOMER)
        .await
        .expect("the third attempt succeeds");
    assert_eq!(list.len(), 1);
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn retries_stop_at_the_maximum_and_return_the_last_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).set_body_json(masstack_error("MCUS.999.503")))
        .mount(&server)
        .await;
    let client = common::client_with(&server.uri(), common::fast_retries().max_retries(3));
    let err = client
        .masstack()
        .list_credentials("telco", common::MASSTACK_CUSTOMER)
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert!(err.is_retryable());
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        4,
        "1 attempt + 3 retries"
    );
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_body_json(
                    serde_json::json!({"errorMessage": "Access denied - rate limit is exceeded."}),
                ),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"format": "QR_CODE", "content": "1"})),
        )
        .mount(&server)
        .await;
    let client = common::client(&server.uri());
    let started = Instant::now();
    common::call(&client, "magicline_get_access_code")
        .await
        .unwrap();
    let waited = started.elapsed();
    // The backoff alone would be 5-10 ms; Retry-After asks for a second.
    assert!(
        waited >= Duration::from_millis(950),
        "waited only {waited:?}"
    );
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_ends_retries_and_is_reported() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "3600")
                .set_body_json(
                    serde_json::json!({"errorMessage": "Access denied - rate limit is exceeded."}),
                ),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = common::client(&server.uri());
    let err = common::call(&client, "magicline_get_access_code")
        .await
        .unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
}

#[tokio::test]
async fn a_post_is_not_retried_after_a_500() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_json(serde_json::json!({
            "error": {"code": "DW-INTERNAL-SERVER-ERROR", "message": "Internal Server Error"}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = common::client(&server.uri());
    let err = common::call(&client, "paysafe_assign_bulk_card")
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert!(!err.is_retryable());
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_post_is_not_retried_after_a_502_unless_the_caller_opts_in() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(502))
        .mount(&server)
        .await;
    let client = common::client(&server.uri());
    common::call(&client, "paysafe_assign_bulk_card")
        .await
        .unwrap_err();
    assert_eq!(server.received_requests().await.unwrap().len(), 1);

    let opted_in = client.with_retry_policy(common::fast_retries().retry_non_idempotent(true));
    common::call(&opted_in, "paysafe_assign_bulk_card")
        .await
        .unwrap_err();
    assert_eq!(server.received_requests().await.unwrap().len(), 1 + 3);
}

#[tokio::test]
async fn a_post_is_retried_after_a_503_because_it_was_not_processed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path_regex("/assignments$"))
        .respond_with(ResponseTemplate::new(503).set_body_json(serde_json::json!({
            "error": {"code": "DW-SERVICE-UNAVAILABLE", "message": "Service Unavailable"}
        })))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "cardId": common::CARD, "customerId": "1231122232", "targetCustomerId": "1233333323"
        })))
        .mount(&server)
        .await;
    let client = common::client(&server.uri());
    common::call(&client, "paysafe_assign_bulk_card")
        .await
        .unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_slow_answer_times_out_with_a_timeout_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let client = common::client_with(&server.uri(), RetryPolicy::never());
    let started = Instant::now();
    let err = common::call(
        &client.with_attempt_timeout(Duration::from_millis(200)),
        "magicline_get_access_code",
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    assert!(err.is_timeout() && err.is_retryable());
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(
        std::error::Error::source(&err).is_some(),
        "the reqwest error is chained"
    );
}

#[tokio::test]
async fn timeouts_of_idempotent_calls_are_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let client = common::client(&server.uri()).with_attempt_timeout(Duration::from_millis(100));
    let err = common::call(&client, "magicline_get_access_code")
        .await
        .unwrap_err();
    assert!(err.is_timeout());
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

/// A URL nothing listens on: a listener bound and dropped.
fn refused_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}")
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error() {
    let client = common::client(&refused_url());
    let err = common::call(&client, "paysafe_assign_bulk_card")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err:?}");
    assert!(err.is_retryable());
    assert!(err.status().is_none());
}

#[tokio::test]
async fn a_refused_connection_names_the_host_and_port_the_cause_the_attempts_and_the_time() {
    let url = refused_url();
    let client = common::client(&url);
    let err = common::call(&client, "masstack_list_credentials")
        .await
        .unwrap_err();
    let text = err.to_string();
    // The port it tried: on one host, it is the port that tells which server was not there.
    let host_and_port = url.trim_start_matches("http://");
    assert!(text.contains(&format!("GET {host_and_port}:")), "{text}");
    assert!(text.to_lowercase().contains("refused"), "{text}");
    assert!(text.contains("3 attempts in"), "{text}");
    assert!(err.is_connect() && !err.is_timeout() && !err.is_status());
    assert_eq!(err.attempts(), 3);
    assert!(err.elapsed().is_some());
}

#[tokio::test]
async fn a_deadline_bounds_a_call_with_retries_to_within_ten_percent() {
    let server = MockServer::start().await;
    // Every attempt answers a retryable 503 after 150 ms: without a deadline the call would go on for
    // 11 attempts (about 1.8 s).
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(503)
                .set_body_json(masstack_error("MCUS.999.503"))
                .set_delay(Duration::from_millis(150)),
        )
        .mount(&server)
        .await;
    let deadline = Duration::from_millis(400);
    let client = common::client_with(&server.uri(), common::fast_retries().max_retries(10))
        .with_attempt_timeout(Duration::from_secs(5))
        .with_deadline(deadline);
    let started = Instant::now();
    let err = client
        .masstack()
        .list_credentials("telco", common::MASSTACK_CUSTOMER)
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(
        took >= deadline.mul_f64(0.9) && took <= deadline.mul_f64(1.1),
        "{took:?} for a deadline of {deadline:?}: {err}"
    );
    assert!(err.is_timeout(), "{err}");
    assert!(err.to_string().contains("deadline of 400ms"), "{err}");
    assert!(err.attempts() >= 2, "{err}");
}

#[tokio::test]
async fn per_attempt_timeouts_without_a_deadline_add_up_over_the_retries() {
    // What the deadline is for: three attempts of 200 ms each take over 600 ms.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let started = Instant::now();
    let err = common::client(&server.uri())
        .masstack()
        .list_credentials("telco", common::MASSTACK_CUSTOMER)
        .with_attempt_timeout(Duration::from_millis(200))
        .await
        .unwrap_err();
    assert!(started.elapsed() >= Duration::from_millis(600));
    assert_eq!(err.attempts(), 3);
    assert!(err.to_string().contains("timeout of 200ms"), "{err}");
}

#[tokio::test]
async fn a_request_sets_its_own_deadline_retries_and_headers() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::header("prefer", "code=503"))
        .respond_with(ResponseTemplate::new(503).set_body_json(masstack_error("MCUS.999.503")))
        .mount(&server)
        .await;
    let client = common::client(&server.uri());
    let err = client
        .masstack()
        .list_credentials("telco", common::MASSTACK_CUSTOMER)
        .with_header("prefer", "code=503")
        .with_retry_policy(RetryPolicy::never())
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503), "{err}");
    assert_eq!(err.attempts(), 1);
    // A bad header name fails the call before anything is sent.
    let before = server.received_requests().await.unwrap().len();
    let err = client
        .masstack()
        .list_credentials("telco", common::MASSTACK_CUSTOMER)
        .with_header("bad name", "x")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(
        err.to_string()
            .contains("\"bad name\" is not a header name"),
        "{err}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), before);
}

#[tokio::test]
async fn the_attempt_timeout_bounds_each_attempt_and_says_so_and_the_deadline_bounds_the_call() {
    // An answer that takes 2 s, as an integrator met it: a "timeout" of 300 ms that is per attempt lets
    // three attempts and their back-off run; the error says which bound ran out and what bounds the call.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
        .mount(&server)
        .await;
    let client = common::client(&server.uri());
    let started = Instant::now();
    let err = common::call(
        &client.with_attempt_timeout(Duration::from_millis(300)),
        "magicline_get_access_code",
    )
    .await
    .unwrap_err();
    assert!(started.elapsed() >= Duration::from_millis(900), "{err}");
    assert_eq!(err.attempts(), 3, "{err}");
    let text = err.to_string();
    assert!(text.contains("attempt timeout of 300ms"), "{text}");
    assert!(
        text.contains("with_deadline bounds the whole call"),
        "{text}"
    );
    // The deadline is the bound on the whole call: 300 ms it is.
    let started = Instant::now();
    let err = common::call(
        &client.with_deadline(Duration::from_millis(300)),
        "magicline_get_access_code",
    )
    .await
    .unwrap_err();
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(270) && took <= Duration::from_millis(330),
        "{took:?}: {err}"
    );
    assert!(err.to_string().contains("deadline of 300ms"), "{err}");
}
