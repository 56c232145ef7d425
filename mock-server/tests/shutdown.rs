//! Shutdown has a deadline: a client that sent one byte, or a request waiting on a long fault delay, cannot
//! hold it open.

use std::time::{Duration, Instant};

use concord_mock::{MockConfig, MockServer};
use tokio::io::AsyncWriteExt;

#[tokio::test]
async fn shutdown_completes_within_its_grace_whatever_the_clients_do() {
    let server = MockServer::start(MockConfig {
        shutdown_grace: Duration::from_millis(500),
        ..MockConfig::default()
    })
    .await
    .unwrap();
    // One connection that sent a single byte of a request.
    let mut stalled = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    stalled.write_all(b"G").await.unwrap();
    // One request waiting on a 30 s delay.
    let url = format!(
        "{}/v4/orgs/telco/customers/123e4567-e89b-12d3-a456-556642440000/credentials",
        server.url()
    );
    let slow = tokio::spawn(async move {
        reqwest::Client::new()
            .get(url)
            .header("authorization", "Bearer demo-masstack-token")
            .header("x-auth-roles", "API_KEY")
            .header("prefer", "delay=30000")
            .send()
            .await
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let finished = tokio::time::timeout(Duration::from_secs(5), server.shutdown()).await;
    assert!(finished.is_ok(), "shutdown hung past 5 s");
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(2),
        "shutdown took {took:?} with a 500 ms grace"
    );
    slow.abort();
    drop(stalled);
}
