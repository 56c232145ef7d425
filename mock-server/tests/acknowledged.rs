//! Nothing acknowledged is lost and nothing is split between memory and the state file: not when a fresh
//! tenant gets several writes at once, not when clients disconnect mid-request, not when a client stops
//! waiting for "reset all", not when writes race "reset all".
// Needs the `sqlite` feature (a default); the light build runs the other tests.
#![cfg(feature = "sqlite")]

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use concord_mock::{MockConfig, MockServer, TENANT_HEADER};
use serde_json::{Value, json};

const CREDENTIALS: &str = common::CREDENTIALS;

async fn start(file: &std::path::Path) -> MockServer {
    MockServer::start(MockConfig {
        state_file: Some(file.to_owned()),
        ..MockConfig::default()
    })
    .await
    .unwrap()
}

/// A request as a MasStack client sends it, with the demo credentials, in `tenant`.
fn masstack(request: reqwest::RequestBuilder, tenant: &str) -> reqwest::RequestBuilder {
    common::auth(CREDENTIALS)
        .into_iter()
        .fold(request, |request, (name, value)| {
            request.header(name, value)
        })
        .header(TENANT_HEADER, tenant)
}

fn create(
    http: &reqwest::Client,
    server: &MockServer,
    tenant: &str,
    username: &str,
) -> reqwest::RequestBuilder {
    masstack(http.post(format!("{}{CREDENTIALS}", server.url())), tenant)
        .json(&json!({"username": username}))
}

async fn usernames(http: &reqwest::Client, server: &MockServer, tenant: &str) -> BTreeSet<String> {
    let list: Value = masstack(http.get(format!("{}{CREDENTIALS}", server.url())), tenant)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| c["username"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn simultaneous_first_writes_to_fresh_tenants_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.sqlite");
    let server = start(&file).await;
    let http = reqwest::Client::new();
    let mut tasks = Vec::new();
    for t in 0..48 {
        for n in 0..8 {
            let request = create(
                &http,
                &server,
                &format!("fresh-{t}"),
                &format!("user-{n}@example.com"),
            );
            tasks.push(tokio::spawn(async move {
                request.send().await.unwrap().status().as_u16()
            }));
        }
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 201);
    }
    server.shutdown().await;
    let again = start(&file).await;
    let mut lost = Vec::new();
    for t in 0..48 {
        let found = usernames(&http, &again, &format!("fresh-{t}")).await;
        // 8 acknowledged, plus the demo data's one.
        if found.len() != 9 {
            lost.push(format!("fresh-{t}: {} of 9", found.len()));
        }
    }
    assert!(lost.is_empty(), "acknowledged writes lost: {lost:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn clients_that_disconnect_mid_write_leave_memory_and_file_alike() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.sqlite");
    let server = start(&file).await;
    let http = reqwest::Client::new();
    let tenant = "disconnects";
    let mut tasks = Vec::new();
    for n in 0..300u64 {
        // Each client gives up after 0–2 ms: some before, some during, some after the commit.
        let request = create(&http, &server, tenant, &format!("gone-{n}@example.com"))
            .timeout(Duration::from_micros(200 + (n % 10) * 200));
        tasks.push(tokio::spawn(async move { request.send().await.is_ok() }));
    }
    for task in tasks {
        let _ = task.await;
    }
    // Let the writes that began finish.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let in_memory = usernames(&http, &server, tenant).await;
    server.shutdown().await;
    let again = start(&file).await;
    let on_disk = usernames(&http, &again, tenant).await;
    assert_eq!(
        in_memory.symmetric_difference(&on_disk).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "memory and the file disagree ({} in memory, {} on disk)",
        in_memory.len(),
        on_disk.len()
    );
    // And no username is accepted twice.
    for name in on_disk.iter().filter(|n| n.starts_with("gone-")).take(20) {
        let status = create(&http, &again, tenant, name)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 409, "{name} was accepted again");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reset_all_completes_when_its_client_gives_up() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.sqlite");
    let server = start(&file).await;
    let http = reqwest::Client::new();
    let tenants: Vec<String> = (0..150).map(|t| format!("reset-{t}")).collect();
    for tenant in &tenants {
        let status = create(&http, &server, tenant, "extra@example.com")
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 201);
    }
    // The client sends the whole request and hangs up at once, without reading the answer (a client
    // timeout of 1 ms could give up before the request was even written on a loaded machine: there
    // would be nothing to complete). A request that arrived whole is carried out.
    {
        use tokio::io::AsyncWriteExt;
        let mut socket = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
        let request = format!(
            "POST /__mock/reset HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\n\r\n",
            server.addr()
        );
        socket.write_all(request.as_bytes()).await.unwrap();
        socket.flush().await.unwrap();
    }
    // The reset goes on; within a few seconds every tenant is back to the demo data.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let mut left = tenants.clone();
    while !left.is_empty() && std::time::Instant::now() < deadline {
        let mut still = Vec::new();
        for tenant in left {
            if usernames(&http, &server, &tenant)
                .await
                .contains("extra@example.com")
            {
                still.push(tenant);
            }
        }
        left = still;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        left.is_empty(),
        "{} tenants were not reset: {:?}",
        left.len(),
        &left[..left.len().min(5)]
    );
}

/// Writes racing "reset all": a write that waited for a tenant the reset took away is applied to the tenant
/// that replaces it, never to the forgotten one, so what the server shows is what the file holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writes_racing_reset_all_leave_memory_and_file_alike() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.sqlite");
    let server = start(&file).await;
    let http = reqwest::Client::new();
    let tenants: Vec<String> = (0..24).map(|t| format!("race-reset-{t}")).collect();
    let mut writers = tokio::task::JoinSet::new();
    for tenant in &tenants {
        for w in 0..6 {
            let (http, url, tenant) = (http.clone(), server.url(), tenant.clone());
            writers.spawn(async move {
                for i in 0..12 {
                    let _ = masstack(http.post(format!("{url}{CREDENTIALS}")), &tenant)
                        .json(&json!({"username": format!("w{w}-{i}@example.com")}))
                        .send()
                        .await;
                }
            });
        }
    }
    for _ in 0..6 {
        tokio::time::sleep(Duration::from_millis(40)).await;
        let reset = http
            .post(format!("{}/__mock/reset", server.url()))
            .send()
            .await
            .unwrap();
        assert!(reset.status().is_success(), "{}", reset.status());
    }
    while writers.join_next().await.is_some() {}
    let mut shown = Vec::new();
    for tenant in &tenants {
        shown.push(usernames(&http, &server, tenant).await);
    }
    server.shutdown().await;
    let server = start(&file).await;
    for (tenant, before) in tenants.iter().zip(&shown) {
        let after = usernames(&http, &server, tenant).await;
        assert_eq!(
            &after, before,
            "{tenant}: the file holds another state than memory showed"
        );
    }
}
