//! Slow and idle clients hold nothing for long: a half-sent request and an idle kept-alive connection are
//! closed after the header timeout, a crowd of half-open connections (slowloris) does not keep a normal
//! client from being served, and a server out of file descriptors recovers instead of stopping.
// Needs the `cli` feature (the default); the light build runs the other tests.
#![cfg(feature = "cli")]

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::process::spawn_listening;
use concord_mock::{MockConfig, MockServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use common::CREDENTIALS;

async fn start(header_timeout: Duration) -> MockServer {
    MockServer::start(MockConfig {
        header_timeout,
        ..MockConfig::default()
    })
    .await
    .unwrap()
}

/// How long until the server closes `stream` (reads end of file or a reset), at most `limit`.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout_at((started + limit).into(), stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0) | Err(_)) => return Some(started.elapsed()),
            // An answer (the 408-less close of hyper sends none, but tolerate one): keep reading.
            Ok(Ok(_)) => {}
        }
    }
}

async fn get_credentials(url: &str) -> reqwest::StatusCode {
    reqwest::Client::new()
        .get(format!("{url}{CREDENTIALS}"))
        .header("authorization", "Bearer demo-masstack-token")
        .header("x-auth-roles", "API_KEY")
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .expect("a normal client is served")
        .status()
}

#[tokio::test]
async fn a_half_sent_request_is_closed_after_the_header_timeout() {
    let server = start(Duration::from_millis(800)).await;
    let mut stream = TcpStream::connect(server.addr()).await.unwrap();
    stream
        .write_all(b"GET /__mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .await
        .unwrap();
    let closed = closed_within(&mut stream, Duration::from_secs(5)).await;
    let closed =
        closed.expect("a half-sent request was held for 5 s with an 800 ms header timeout");
    assert!(
        closed >= Duration::from_millis(700),
        "closed after {closed:?}: before its timeout"
    );
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed_after_the_header_timeout() {
    let server = start(Duration::from_millis(800)).await;
    let mut stream = TcpStream::connect(server.addr()).await.unwrap();
    let closed = closed_within(&mut stream, Duration::from_secs(5)).await;
    assert!(
        closed.is_some(),
        "a silent connection was held for 5 s with an 800 ms header timeout"
    );
}

#[tokio::test]
async fn http2_with_prior_knowledge_is_still_served() {
    let server = start(Duration::from_secs(5)).await;
    let mut stream = TcpStream::connect(server.addr()).await.unwrap();
    // The preface, then an empty SETTINGS frame: the server answers with its own SETTINGS frame.
    stream
        .write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        .await
        .unwrap();
    let mut frame = [0u8; 9];
    tokio::time::timeout(Duration::from_secs(5), stream.read_exact(&mut frame))
        .await
        .expect("an HTTP/2 answer in time")
        .unwrap();
    assert_eq!(frame[3], 0x04, "the first frame is SETTINGS: {frame:?}");
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed_after_the_header_timeout() {
    let server = start(Duration::from_millis(800)).await;
    let mut stream = TcpStream::connect(server.addr()).await.unwrap();
    stream
        .write_all(b"GET /__mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 4096];
    let n = stream.read(&mut buf).await.unwrap();
    assert!(
        String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&buf[..n])
    );
    // The connection is kept alive, then idle.
    let closed = closed_within(&mut stream, Duration::from_secs(5)).await;
    assert!(
        closed.is_some(),
        "an idle kept-alive connection was held for 5 s with an 800 ms timeout"
    );
}

#[tokio::test]
async fn normal_clients_are_served_during_a_slowloris_and_the_slow_connections_are_dropped() {
    concord_mock::raise_open_files_limit();
    let server = start(Duration::from_secs(2)).await;
    let mut slow = Vec::new();
    for _ in 0..1200 {
        let mut stream = TcpStream::connect(server.addr()).await.unwrap();
        stream
            .write_all(b"POST /v1/customers/1001/access-mediums HTTP/1.1\r\nHost: x\r\nX-A: ")
            .await
            .unwrap();
        slow.push(stream);
    }
    // A normal client is served while 1,200 requests are half-sent.
    let started = Instant::now();
    assert_eq!(get_credentials(&server.url()).await, 200);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "a normal request took {:?} during the slowloris",
        started.elapsed()
    );
    // And the slow ones are let go once the header timeout has passed.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let mut still_open = 0;
    for stream in &mut slow {
        if closed_within(stream, Duration::from_millis(1))
            .await
            .is_none()
        {
            still_open += 1;
        }
    }
    assert_eq!(
        still_open, 0,
        "{still_open} of 1200 half-sent requests still held after the 2 s header timeout"
    );
}

/// The binary with only 64 file descriptors: 100 idle connections exhaust them; once the idle ones are
/// closed by the timeout, the server accepts and answers again (an accept error does not stop it).
#[tokio::test]
async fn a_server_out_of_file_descriptors_recovers() {
    let (child, url) = spawn_listening(
        Command::new("sh")
            .arg("-c")
            .arg(format!(
                "ulimit -n 64 && exec {} --port 0 --log error --header-timeout 1",
                env!("CARGO_BIN_EXE_concord-mock")
            ))
            .stderr(Stdio::null()),
    );
    let _child = Killed(child);
    let addr = url.trim_start_matches("http://").to_owned();
    let mut idle = Vec::new();
    for _ in 0..100 {
        // The kernel completes the handshake into the backlog even when the server cannot accept.
        if let Ok(Ok(stream)) =
            tokio::time::timeout(Duration::from_millis(200), TcpStream::connect(&addr)).await
        {
            idle.push(stream);
        }
    }
    // The idle ones are still open on this side: only the server's timeout can free its descriptors (those
    // accepted first, then those waiting in the backlog). Then a normal client is served.
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let status = get_credentials(&url).await;
    drop(idle);
    assert_eq!(status, 200);
}

/// A child process killed when the test ends, passed or not.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
