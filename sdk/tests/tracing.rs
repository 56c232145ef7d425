//! Calls are traced with their operation id and attempts, and secrets never reach the logs.
//! (Its own test binary: a thread-local subscriber races with tests running beside it.)

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn calls_are_traced_with_their_operation_and_secrets_never_appear() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(503).set_body_json(serde_json::json!({"errorMessage": "x"})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(418))
        .mount(&server)
        .await;
    let client = common::client(&server.uri());
    let err = common::call(&client, "magicline_get_access_code")
        .await
        .unwrap_err();
    let debug = format!("{err:?} {err} {client:?}");

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("magicline_get_access_code"), "{logs}");
    assert!(logs.contains("retrying"), "the retry is logged: {logs}");
    assert!(logs.contains("attempts=2"), "{logs}");
    for secret in [
        "demo-magicline-key",
        "demo-paysafe-token",
        "demo-loyalty-token",
        "demo-masstack-token",
    ] {
        assert!(!logs.contains(secret), "{secret} in logs:\n{logs}");
        assert!(!debug.contains(secret), "{secret} in Debug:\n{debug}");
    }
}
