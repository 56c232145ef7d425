//! Bad input of every kind gets the vendor's error body or the right status, never a 5xx, and the server
//! keeps serving.

mod common;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use common::{CREDENTIALS, Mock};
use concord_mock::MockConfig;

/// The mock still answers a normal request promptly.
async fn still_serving(mock: &Mock) {
    let started = Instant::now();
    assert_eq!(mock.get(CREDENTIALS).send().await.status, 200);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn malformed_bodies_get_400_in_the_vendors_body() {
    let mock = Mock::start().await;
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated JSON", b"{\"username\":".to_vec()),
        ("not JSON", b"username=x".to_vec()),
        ("a JSON string", b"\"username\"".to_vec()),
        ("an array", b"[]".to_vec()),
        ("null", b"null".to_vec()),
        ("deeply nested", nested.into_bytes()),
        (
            "invalid UTF-8",
            vec![b'{', b'"', 0xff, 0xfe, b'"', b':', b'1', b'}'],
        ),
        ("trailing garbage", b"{\"username\":\"a@b.c\"} x".to_vec()),
    ];
    for (what, body) in cases {
        let answer = mock
            .post(CREDENTIALS, serde_json::json!({}))
            .raw_body(body, Some("application/json"))
            .send()
            .await;
        assert_eq!(answer.status, 400, "{what}");
        assert_eq!(
            answer.json()["errors"][0]["error"]["code"],
            "MCUS.999.998",
            "{what}"
        );
    }
    still_serving(&mock).await;
}

/// A client that writes its whole body before it reads (Python's urllib, many SDKs) reads the 413, not a
/// broken pipe: the server reads on past the limit (bounded) before it answers.
#[tokio::test]
async fn a_client_that_writes_its_whole_oversized_body_first_reads_the_413() {
    let mock = Mock::start().await;
    let addr = mock.url("").trim_start_matches("http://").to_owned();
    let answer = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let body = vec![b'x'; 8 * 1024 * 1024];
        let head = format!(
            "POST /customers/1231122232/prepaid/cards/bulk HTTP/1.1\r\nHost: 127.0.0.1\r\n\
             Authorization: Bearer demo-paysafe-token\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes())?;
        stream.write_all(&body)?;
        let mut answer = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = stream.read(&mut buf)?;
            answer.extend_from_slice(&buf[..n]);
            if n == 0 || answer.windows(4).any(|w| w == b"\r\n\r\n") {
                break;
            }
        }
        Ok::<_, std::io::Error>(String::from_utf8_lossy(&answer).into_owned())
    })
    .await
    .unwrap();
    let answer =
        answer.expect("the whole body is written and the answer read, without a broken pipe");
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    still_serving(&mock).await;
}

#[tokio::test]
async fn a_ten_mib_body_gets_413_and_the_server_keeps_serving() {
    let mock = Mock::start().await;
    let body = vec![b'x'; 10 * 1024 * 1024];
    let answer = mock
        .post(
            "/customers/1231122232/prepaid/cards/bulk",
            serde_json::json!({}),
        )
        .raw_body(body, Some("application/json"))
        .unchecked()
        .send()
        .await;
    assert_eq!(answer.status, 413);
    assert!(
        answer.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("exceeds")
    );
    still_serving(&mock).await;
}

#[tokio::test]
async fn hostile_paths_parameters_and_headers_are_refused_cleanly() {
    let mock = Mock::start().await;
    for (path, expected) in [
        ("/v1/customers/..%2F..%2Fetc%2Fpasswd/access-code", 400),
        ("/v1/customers/1001%00/access-code", 400),
        ("/v1/customers/-9223372036854775809/access-code", 400),
        (
            "/v4/orgs/telco/customers/123e4567-e89b-12d3-a456-55664244000G/credentials",
            400,
        ),
        (
            "/customers/1231122232/prepaid/cards/bulk/8d2b3a8c-3c54-4a0e-9a53-6bb3f7e0c001?limit=abc",
            400,
        ),
        (
            "/customers/1231122232/prepaid/cards/bulk/8d2b3a8c-3c54-4a0e-9a53-6bb3f7e0c001?offset=-1",
            400,
        ),
    ] {
        let answer = mock.get(path).send().await;
        assert_eq!(answer.status, expected, "{path}");
    }
    let traversal = mock.get("/v1/../../etc/passwd").unchecked().send().await;
    assert!(traversal.status < 500, "{}", traversal.status);
    let unknown_enum = mock
        .post(
            "/client/users/100200300/sessions",
            serde_json::json!({"correlationId": "x", "channel": "TELEPATHY"}),
        )
        .header("x-identifier-type", "SHOE_SIZE")
        .send()
        .await;
    assert_eq!(unknown_enum.status, 400);
    let long = "a".repeat(64 * 1024);
    let answer = mock
        .get(CREDENTIALS)
        .header("x-long", &long)
        .unchecked()
        .send()
        .await;
    assert!(
        answer.status == 431 || answer.status == 400 || answer.status == 200,
        "{}",
        answer.status
    );
    still_serving(&mock).await;
}

#[tokio::test]
async fn a_client_that_never_finishes_its_body_times_out_while_others_are_served() {
    let mock = Mock::start_with(MockConfig {
        body_timeout: Duration::from_millis(500),
        ..MockConfig::default()
    })
    .await;
    let addr = mock.server.addr();
    let slow = std::thread::spawn(move || {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        let head = format!(
            "POST {CREDENTIALS} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\
             Authorization: Bearer demo-masstack-token\r\nx-auth-roles: API_KEY\r\n\r\n{{\"user"
        );
        stream.write_all(head.as_bytes()).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut answer = vec![0; 4096];
        let n = stream.read(&mut answer).unwrap_or(0);
        String::from_utf8_lossy(&answer[..n]).into_owned()
    });
    still_serving(&mock).await;
    let answer = tokio::task::spawn_blocking(move || slow.join().unwrap())
        .await
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    still_serving(&mock).await;
}

#[tokio::test]
async fn a_malformed_chunked_body_is_a_400_not_a_413() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mock = Mock::start().await;
    let mut stream = tokio::net::TcpStream::connect(mock.server.addr())
        .await
        .unwrap();
    let request = format!(
        "POST {} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer demo-masstack-token\r\n\
         x-auth-roles: API_KEY\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\
         X-Mock-Tenant: {}\r\nConnection: close\r\n\r\nzz\r\n{{}}\r\n0\r\n\r\n",
        common::CREDENTIALS,
        mock.tenant
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        stream.read_to_end(&mut answer),
    )
    .await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    still_serving(&mock).await;
}
