//! The validating proxy against real upstreams on loopback: a second mock serving a deliberately drifted
//! copy of the contract (a renamed field, a missing required field, a wrong type, an undocumented status,
//! a new header) and scripted TCP servers for the faults. Each drift is reported at its pointer in the
//! answer's header, the journal, `/__mock/drift` and `verify-upstream`'s exit status; an undrifted upstream
//! reports nothing; faults answer 502/504 in the vendor's body; the target is only ever the configured one;
//! no credential is stored anywhere.
#![cfg(feature = "cli")]

mod common;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use concord_mock::contract::Contract;
use concord_mock::upstream::{Upstream, UpstreamConfig};
use concord_mock::{MockConfig, MockServer};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Mutex;

use common::CREDENTIALS;

const LIST: &str = "masstack_list_credentials";
const CREATE: &str = "masstack_create_credential";

/// The embedded contract with MasStack's credential list drifted: a named example whose first item renames
/// `username`, sends `enabled` as a string, and whose second item lacks `id`; an undocumented 418; a header
/// on every answer the original does not document.
fn drifted_contract() -> Arc<Contract> {
    let mut document = Contract::embedded().document.as_ref().clone();
    let list =
        &mut document["paths"]["/v4/orgs/{org_id}/customers/{customer_id}/credentials"]["get"];
    list["responses"]["200"]["content"]["application/json"]["examples"] = json!({"drifted": {"value": [
        {"id": "028076fa-c264-42bb-9983-8872a576be28", "user_name": "ana.garcia@masmovil.com", "enabled": "yes"},
        {"username": "no.id@example.com"}
    ]}});
    list["responses"]["418"] = json!({"description": "I'm a teapot", "content": {"application/json": {"example": {"teapot": true}}}});
    for tag in document["tags"].as_array_mut().unwrap() {
        if tag["x-concord-id"] == "masstack" {
            tag["x-concord-mock"]["headers"] = json!({"X-RateLimit-Remaining": "99"});
        }
    }
    Arc::new(Contract::compile(document).expect("the drifted copy compiles"))
}

async fn upstream_mock(contract: Option<Arc<Contract>>) -> MockServer {
    MockServer::start(MockConfig {
        contract,
        ..MockConfig::default()
    })
    .await
    .unwrap()
}

fn upstream(url: &str) -> Upstream {
    Upstream {
        api: "masstack".into(),
        url: url.trim_end_matches('/').into(),
        credentials: Vec::new(),
    }
}

async fn proxy(config: UpstreamConfig) -> MockServer {
    MockServer::start(MockConfig {
        upstream: config,
        ..MockConfig::default()
    })
    .await
    .unwrap()
}

fn proxying(url: &str) -> UpstreamConfig {
    UpstreamConfig {
        upstreams: vec![upstream(url)],
        ..UpstreamConfig::default()
    }
}

struct Got {
    status: u16,
    headers: reqwest::header::HeaderMap,
    text: String,
}

impl Got {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
    fn violations(&self) -> Vec<Value> {
        let header = self
            .headers
            .get("x-concord-violations")
            .unwrap_or_else(|| panic!("no X-Concord-Violations on {} {}", self.status, self.text));
        serde_json::from_slice::<Vec<Value>>(header.as_bytes()).unwrap()
    }
    fn usernames(&self) -> Vec<String> {
        let listed = self.json();
        let items = listed
            .as_array()
            .unwrap_or_else(|| panic!("not a list: {}", self.text));
        items
            .iter()
            .map(|c| c["username"].as_str().unwrap().to_owned())
            .collect()
    }
    fn count(&self) -> Option<usize> {
        self.headers
            .get("x-concord-violation-count")
            .map(|v| v.to_str().unwrap().parse().unwrap())
    }
}

async fn call(
    server: &MockServer,
    method: &str,
    path: &str,
    tenant: &str,
    body: Option<Value>,
) -> Got {
    let mut request = reqwest::Client::new()
        .request(method.parse().unwrap(), format!("{}{path}", server.url()))
        .bearer_auth("demo-masstack-token")
        .header("x-auth-roles", "API_KEY")
        .header("x-mock-tenant", tenant);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    Got {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        text: response.text().await.unwrap(),
    }
}

async fn admin(server: &MockServer, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut request =
        reqwest::Client::new().request(method.parse().unwrap(), format!("{}{path}", server.url()));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Sets the vendor's response switch for the credential list.
async fn switch_list(vendor: &MockServer, switch: Value) {
    let (status, body) = admin(
        vendor,
        "PUT",
        &format!("/__mock/switches/{LIST}"),
        Some(switch),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

/// Sends an operation to the mock or the vendor for a tenant.
async fn set_mode(mock: &MockServer, tenant: &str, operation: &str, mode: &str) {
    let path = format!("/__mock/upstream/{operation}?tenant={tenant}");
    let (status, body) = admin(mock, "PUT", &path, Some(json!({ "mode": mode }))).await;
    assert_eq!(status, 200, "{body}");
}

fn pointers(violations: &[Value]) -> Vec<(String, String, String)> {
    let mut found: Vec<(String, String, String)> = violations
        .iter()
        .map(|v| {
            (
                v["where"].as_str().unwrap().to_owned(),
                v["pointer"].as_str().unwrap().to_owned(),
                v["keyword"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    found.sort();
    found
}

fn expected_drift() -> Vec<(String, String, String)> {
    let mut expected: Vec<(String, String, String)> = [
        ("response.body", "/0/username", "required"),
        ("response.body", "/0/enabled", "type"),
        ("response.body", "/1/id", "required"),
        ("response.header", "/x-ratelimit-remaining", "undocumented"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    expected.sort();
    expected
}

#[tokio::test]
async fn each_drift_is_reported_at_its_pointer_in_the_header_the_journal_and_the_drift_report() {
    let vendor = upstream_mock(Some(drifted_contract())).await;
    switch_list(&vendor, json!({"example": "drifted"})).await;
    let mock = proxy(proxying(&vendor.url())).await;

    let got = call(&mock, "GET", CREDENTIALS, "drift", None).await;
    assert_eq!(got.status, 200, "{}", got.text);
    // The vendor's answer goes back unchanged.
    assert_eq!(got.json()[0]["user_name"], "ana.garcia@masmovil.com");
    assert_eq!(got.headers["x-ratelimit-remaining"], "99");
    assert_eq!(
        pointers(&got.violations()),
        expected_drift(),
        "{:?}",
        got.violations()
    );
    assert_eq!(got.count(), Some(4));

    // An undocumented status.
    switch_list(&vendor, json!({"status": 418})).await;
    let teapot = call(&mock, "GET", CREDENTIALS, "drift", None).await;
    assert_eq!(teapot.status, 418);
    let found = pointers(&teapot.violations());
    assert!(
        found.contains(&("response.status".into(), "".into(), "status".into())),
        "{found:?}"
    );

    // The journal holds the upstream URL, status, latency and violations; `drifted=true` finds them.
    let (_, journal) = admin(
        &mock,
        "GET",
        &format!("/__mock/requests?operation={LIST}&drifted=true"),
        None,
    )
    .await;
    let entries = journal["requests"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{journal:#}");
    let first = &entries[1]["upstream"];
    assert_eq!(first["url"], format!("{}{CREDENTIALS}", vendor.url()));
    assert_eq!(first["status"], 200);
    assert!(first["latencyMs"].as_f64().unwrap() > 0.0);
    assert_eq!(
        pointers(first["violations"].as_array().unwrap()),
        expected_drift()
    );

    // The drift report: per operation and status, counted, with first/last seen and an example.
    call(&mock, "GET", CREDENTIALS, "drift", None).await;
    let (_, report) = admin(&mock, "GET", "/__mock/drift", None).await;
    let rows = report["operations"].as_array().unwrap();
    let teapots = rows.iter().find(|r| r["status"] == 418).unwrap();
    assert_eq!(
        (teapots["exchanges"].as_u64(), teapots["drifted"].as_u64()),
        (Some(2), Some(2))
    );
    switch_list(&vendor, json!({"example": "drifted"})).await;
    call(&mock, "GET", CREDENTIALS, "drift", None).await;
    let (_, report) = admin(&mock, "GET", "/__mock/drift", None).await;
    let ok = report["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["status"] == 200)
        .unwrap()
        .clone();
    assert_eq!(
        (ok["exchanges"].as_u64(), ok["drifted"].as_u64()),
        (Some(2), Some(2))
    );
    let enabled = ok["violations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["pointer"] == "/0/enabled")
        .unwrap();
    assert_eq!(enabled["count"], 2);
    assert_eq!(enabled["example"]["value"], "yes");
    assert!(enabled["firstSeen"].as_str().unwrap() <= enabled["lastSeen"].as_str().unwrap());
    assert_eq!(report["drifted"], 2);
}

#[tokio::test]
async fn an_undrifted_upstream_reports_nothing_and_strict_mode_refuses_drift() {
    let vendor = upstream_mock(None).await;
    let mock = proxy(proxying(&vendor.url())).await;
    let listed = call(&mock, "GET", CREDENTIALS, "clean", None).await;
    assert_eq!(
        (listed.status, listed.count()),
        (200, Some(0)),
        "{:?} {}",
        listed.violations(),
        listed.text
    );
    let created = call(
        &mock,
        "POST",
        CREDENTIALS,
        "clean",
        Some(json!({"username": "new.one@example.com", "password": "Secret123!"})),
    )
    .await;
    assert_eq!(
        (created.status, created.count()),
        (201, Some(0)),
        "{:?}",
        created.violations()
    );
    let missing = call(
        &mock,
        "GET",
        "/v4/orgs/nope/customers/123e4567-e89b-12d3-a456-556642440000/credentials",
        "clean",
        None,
    )
    .await;
    assert_eq!(
        (missing.status, missing.count()),
        (404, Some(0)),
        "{:?}",
        missing.violations()
    );
    let (_, report) = admin(&mock, "GET", "/__mock/drift", None).await;
    assert_eq!(report["drifted"], 0, "{report:#}");
    assert_eq!(report["operations"].as_array().unwrap().len(), 3);

    // Strict: a drifted exchange is a 502 in MasStack's error body listing the violations.
    let drifted = upstream_mock(Some(drifted_contract())).await;
    switch_list(&drifted, json!({"example": "drifted"})).await;
    let strict = proxy(UpstreamConfig {
        strict: true,
        ..proxying(&drifted.url())
    })
    .await;
    let refused = call(&strict, "GET", CREDENTIALS, "strict", None).await;
    assert_eq!(refused.status, 502, "{}", refused.text);
    let error = &refused.json()["errors"][0]["error"];
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("4 violation(s)"),
        "{error}"
    );
    assert!(refused.text.contains("/0/enabled"), "{}", refused.text);
    assert_eq!(refused.count(), Some(4));
}

#[tokio::test]
async fn one_tenant_mixes_vendor_and_mock_answers_and_a_recorded_entity_is_served_by_the_mock() {
    let vendor = upstream_mock(None).await;
    let mock = proxy(proxying(&vendor.url())).await;
    let tenant = "hybrid";
    // Only the vendor knows this credential.
    let made = reqwest::Client::new()
        .post(format!("{}{CREDENTIALS}", vendor.url()))
        .bearer_auth("demo-masstack-token")
        .header("x-auth-roles", "API_KEY")
        .json(&json!({"username": "vendor.only@example.com", "password": "Secret123!"}))
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), 201);

    set_mode(&mock, tenant, CREATE, "mock").await;
    let (_, modes) = admin(
        &mock,
        "GET",
        &format!("/__mock/upstream?tenant={tenant}"),
        None,
    )
    .await;
    let mode = |op: &str| {
        modes["operations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["operation"] == op)
            .unwrap()["mode"]
            .clone()
    };
    assert_eq!((mode(LIST), mode(CREATE)), (json!("vendor"), json!("mock")));

    // The create is the mock's (no proxy headers; the vendor never sees it), the list the vendor's.
    let created = call(
        &mock,
        "POST",
        CREDENTIALS,
        tenant,
        Some(json!({"username": "mock.only@example.com", "password": "Secret123!"})),
    )
    .await;
    assert_eq!(
        (created.status, created.count()),
        (201, None),
        "{}",
        created.text
    );
    let (status, _) = admin(
        &mock,
        "POST",
        &format!("/__mock/recording?tenant={tenant}"),
        Some(json!({"action": "start"})),
    )
    .await;
    assert_eq!(status, 200);
    let listed = call(&mock, "GET", CREDENTIALS, tenant, None).await;
    assert_eq!(listed.count(), Some(0));
    let names = listed.usernames();
    assert!(
        names.contains(&"vendor.only@example.com".to_owned())
            && !names.contains(&"mock.only@example.com".to_owned()),
        "{names:?}"
    );

    // Switched back to the mock, the list serves what the vendor returned, beside the mock's own.
    set_mode(&mock, tenant, LIST, "mock").await;
    let mocked = call(&mock, "GET", CREDENTIALS, tenant, None).await;
    assert_eq!(mocked.count(), None);
    let names = mocked.usernames();
    assert!(
        names.contains(&"vendor.only@example.com".to_owned())
            && names.contains(&"mock.only@example.com".to_owned()),
        "{names:?}"
    );

    // The export, in the vendor folder's formats.
    let (_, export) = admin(
        &mock,
        "GET",
        &format!("/__mock/recording?tenant={tenant}"),
        None,
    )
    .await;
    let demo = export["demo"]["masstack.credential"].as_object().unwrap();
    let recorded = demo
        .values()
        .find(|c| c["username"] == "vendor.only@example.com")
        .unwrap();
    assert_eq!(
        (recorded["org"].as_str(), recorded["customerId"].as_str()),
        (Some("telco"), Some(common::MASSTACK_CUSTOMER))
    );
    assert!(
        export["examples"][LIST]["200"]["recorded"]["value"].is_array(),
        "{export:#}"
    );
    // An operation of an API without an upstream cannot be sent to a vendor.
    let (status, body) = admin(
        &mock,
        "PUT",
        "/__mock/upstream/paysafe_get_bulk_order",
        Some(json!({"mode": "vendor"})),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("--upstream paysafe=URL"),
        "{body}"
    );
}

/// How a scripted upstream answers each connection.
#[derive(Clone)]
enum Script {
    /// Reads the request and never answers.
    Silent,
    /// Promises 1000 bytes, sends 10 and closes.
    CutShort,
    /// A 200 with this many bytes of JSON.
    Big(usize),
    /// A 302 to this location.
    Redirect(String),
    /// A 200 with `[]`.
    Empty,
}

struct Scripted {
    url: String,
    connections: Arc<AtomicUsize>,
    heads: Arc<Mutex<Vec<String>>>,
}

async fn scripted(script: Script) -> Scripted {
    scripted_on("127.0.0.1", script).await
}

async fn scripted_on(ip: &str, script: Script) -> Scripted {
    let listener = tokio::net::TcpListener::bind((ip, 0)).await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let heads = Arc::new(Mutex::new(Vec::new()));
    let (count, seen) = (connections.clone(), heads.clone());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            let (script, seen) = (script.clone(), seen.clone());
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                seen.lock()
                    .await
                    .push(String::from_utf8_lossy(&head).into_owned());
                let answer: Vec<u8> = match script {
                    Script::Silent => {
                        tokio::time::sleep(Duration::from_secs(60)).await;
                        return;
                    }
                    Script::CutShort => b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n[{\"id\":\"1".to_vec(),
                    Script::Big(n) => {
                        let body = format!("[\"{}\"]", "x".repeat(n - 4));
                        format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}", body.len()).into_bytes()
                    }
                    Script::Redirect(to) => format!("HTTP/1.1 302 Found\r\nlocation: {to}\r\ncontent-length: 0\r\n\r\n").into_bytes(),
                    Script::Empty => b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n[]".to_vec(),
                };
                let _ = socket.write_all(&answer).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    Scripted {
        url,
        connections,
        heads,
    }
}

fn masstack_message(got: &Got) -> String {
    got.json()["errors"][0]["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn faults_of_the_upstream_are_502_or_504_in_the_vendors_body_and_the_mock_keeps_serving() {
    // Refused: a port nothing listens on.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed_url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let mock = proxy(proxying(&closed_url)).await;
    let refused = call(&mock, "GET", CREDENTIALS, "faults", None).await;
    assert_eq!(refused.status, 502, "{}", refused.text);
    let message = masstack_message(&refused);
    assert!(
        message.contains(closed_url.trim_start_matches("http://"))
            && message.contains("could not be reached"),
        "{message}"
    );

    // Slow past the timeout: a 504 on time, not a hang.
    let silent = scripted(Script::Silent).await;
    let mock = proxy(UpstreamConfig {
        timeout: Duration::from_millis(800),
        ..proxying(&silent.url)
    })
    .await;
    let started = Instant::now();
    let slow = call(&mock, "GET", CREDENTIALS, "faults", None).await;
    assert_eq!(slow.status, 504, "{}", slow.text);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(
        masstack_message(&slow).contains("did not answer within 800ms"),
        "{}",
        slow.text
    );

    // Closing mid-body.
    let short = scripted(Script::CutShort).await;
    let mock = proxy(proxying(&short.url)).await;
    let cut = call(&mock, "GET", CREDENTIALS, "faults", None).await;
    assert_eq!(cut.status, 502, "{}", cut.text);
    assert!(
        masstack_message(&cut).contains("broke off its answer"),
        "{}",
        cut.text
    );

    // A 10 MiB answer passes whole under the default bound, and is refused under a smaller one.
    let big = scripted(Script::Big(10 * 1024 * 1024)).await;
    let mock = proxy(proxying(&big.url)).await;
    let whole = call(&mock, "GET", CREDENTIALS, "faults", None).await;
    assert_eq!((whole.status, whole.text.len()), (200, 10 * 1024 * 1024));
    let bounded = proxy(UpstreamConfig {
        body_limit: 1024 * 1024,
        ..proxying(&big.url)
    })
    .await;
    let too_large = call(&bounded, "GET", CREDENTIALS, "faults", None).await;
    assert_eq!(too_large.status, 502);
    assert!(
        masstack_message(&too_large).contains("more than 1048576 bytes"),
        "{}",
        too_large.text
    );

    // A redirect to another host comes back as it is; the other host is never contacted.
    let elsewhere = scripted_on("127.0.0.2", Script::Empty).await;
    let redirecting = scripted(Script::Redirect(format!("{}/stolen", elsewhere.url))).await;
    let mock = proxy(proxying(&redirecting.url)).await;
    let no_follow = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let moved = no_follow
        .get(format!("{}{CREDENTIALS}", mock.url()))
        .bearer_auth("demo-masstack-token")
        .header("x-auth-roles", "API_KEY")
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 302);
    assert_eq!(
        moved.headers()["location"],
        format!("{}/stolen", elsewhere.url).as_str()
    );
    assert_eq!(elsewhere.connections.load(Ordering::SeqCst), 0);

    // Every one of them still serves its other APIs and its admin API.
    let (status, _) = admin(&mock, "GET", "/__mock/health", None).await;
    assert_eq!(status, 200);
    let (_, report) = admin(&mock, "GET", "/__mock/drift", None).await;
    assert_eq!(
        report["operations"][0]["violations"][0]["where"], "response.status",
        "{report:#}"
    );
}

#[tokio::test]
async fn a_request_cannot_choose_where_the_mock_connects() {
    let configured = scripted(Script::Empty).await;
    let target = scripted_on("127.0.0.3", Script::Empty).await;
    let mock = proxy(proxying(&configured.url)).await;
    let addr = mock.addr();
    let attempts = [
        // An absolute URI naming another host.
        format!(
            "GET {}{CREDENTIALS} HTTP/1.1\r\nhost: {addr}\r\n",
            target.url
        ),
        // A Host header naming it.
        format!(
            "GET {CREDENTIALS} HTTP/1.1\r\nhost: {}\r\n",
            target.url.trim_start_matches("http://")
        ),
        // Forwarding headers and a path that climbs out.
        format!(
            "GET /v4/orgs/telco/customers/%2e%2e/credentials HTTP/1.1\r\nhost: {addr}\r\nx-forwarded-host: {0}\r\nforwarded: host={0}\r\n",
            target.url.trim_start_matches("http://")
        ),
    ];
    for (n, head) in attempts.iter().enumerate() {
        let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
        let request = format!(
            "{head}authorization: Bearer demo-masstack-token\r\nx-auth-roles: API_KEY\r\nx-mock-tenant: ssrf\r\nkeep-alive: timeout=5\r\nconnection: close\r\n\r\n"
        );
        socket.write_all(request.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        tokio::time::timeout(Duration::from_secs(10), socket.read_to_end(&mut answer))
            .await
            .unwrap()
            .unwrap();
        // The first two go to the configured upstream; a path the URL parser would rewrite is not sent.
        let expected: &[u8] = if n < 2 {
            b"HTTP/1.1 200"
        } else {
            b"HTTP/1.1 502"
        };
        assert!(
            answer.starts_with(expected),
            "{}",
            String::from_utf8_lossy(&answer)
        );
    }
    assert_eq!(
        target.connections.load(Ordering::SeqCst),
        0,
        "the request reached the host it named"
    );
    let heads = configured.heads.lock().await;
    assert_eq!(heads.len(), 2, "{heads:?}");
    // What reaches the configured upstream names it, not the client's choice.
    for head in heads.iter() {
        let host = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("host:"))
            .unwrap();
        assert_eq!(
            host[5..].trim(),
            configured.url.trim_start_matches("http://"),
            "{head}"
        );
        assert!(head.starts_with("GET /v4/orgs/telco/customers/"), "{head}");
        // Hop-by-hop headers and the mock's own stay on the client's side.
        let lower = head.to_ascii_lowercase();
        for dropped in ["connection: close", "keep-alive:", "x-mock-tenant:"] {
            assert!(!lower.contains(dropped), "{dropped} was forwarded: {head}");
        }
    }
}

/// The binary with an upstream and a sandbox credential from the environment; its logs on disk.
#[tokio::test]
async fn no_credential_reaches_the_journal_the_drift_report_the_recording_or_the_logs() {
    let recorder = scripted(Script::Empty).await;
    let secret = "real-sandbox-token-7f3a9c";
    let logs = tempfile::NamedTempFile::new().unwrap();
    let (mut child, url) = common::process::spawn_listening(
        Command::new(env!("CARGO_BIN_EXE_concord-mock"))
            .args(["--port", "0", "--log", "debug", "--record", "--upstream"])
            .arg(format!("masstack={}", recorder.url))
            .env("CONCORD_MOCK_UPSTREAM_MASSTACK_BEARER_AUTH", secret)
            .stderr(Stdio::from(logs.reopen().unwrap())),
    );
    let client = reqwest::Client::new();
    let send = |token: &'static str| {
        client
            .get(format!("{url}{CREDENTIALS}"))
            .bearer_auth(token)
            .header("x-auth-roles", "API_KEY")
            .send()
    };
    // A demo credential passes the mock's auth and is replaced by the sandbox one.
    let ok = send("demo-masstack-token").await.unwrap();
    assert_eq!(ok.status(), 200);
    // A wrong one is refused by the mock; nothing is forwarded.
    let refused = send("not-a-demo-token").await.unwrap();
    assert_eq!(refused.status(), 401);
    {
        let heads = recorder.heads.lock().await;
        assert_eq!(heads.len(), 1, "{heads:?}");
        assert!(
            heads[0].contains(&format!("Bearer {secret}")),
            "{}",
            heads[0]
        );
        assert!(!heads[0].contains("demo-masstack-token"), "{}", heads[0]);
    }
    let mut stored = String::new();
    for path in ["/__mock/requests", "/__mock/drift", "/__mock/recording"] {
        stored.push_str(
            &client
                .get(format!("{url}{path}"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
        );
    }
    assert!(stored.contains("masstack_list_credentials"), "{stored}");
    let _ = child.kill();
    let _ = child.wait();
    let logged = std::fs::read_to_string(logs.path()).unwrap();
    assert!(logged.contains("request"), "{logged}");
    for (what, text) in [("the admin API", &stored), ("the logs", &logged)] {
        assert!(
            !text.contains(secret),
            "{what} holds the sandbox credential"
        );
        assert!(
            !text.contains("not-a-demo-token"),
            "{what} holds the client's credential"
        );
    }
}

#[tokio::test]
async fn verify_upstream_exits_0_on_no_drift_1_on_drift_2_when_unreachable() {
    let run = |url: String, format: &'static str| {
        tokio::task::spawn_blocking(move || {
            Command::new(env!("CARGO_BIN_EXE_concord-mock"))
                .args([
                    "verify-upstream",
                    &format!("masstack={url}"),
                    "--format",
                    format,
                    "--upstream-timeout",
                    "5",
                ])
                .output()
                .unwrap()
        })
    };
    let clean = upstream_mock(None).await;
    let out = run(clean.url(), "text").await.unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("ok   masstack_list_credentials") && text.contains("0 drifted"),
        "{text}"
    );

    let drifted = upstream_mock(Some(drifted_contract())).await;
    switch_list(&drifted, json!({"example": "drifted"})).await;
    let out = run(drifted.url(), "json").await.unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = report["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["operation"] == LIST)
        .unwrap();
    assert_eq!(
        pointers(list["violations"].as_array().unwrap()),
        expected_drift()
    );
    let junit = run(drifted.url(), "junit").await.unwrap();
    let xml = String::from_utf8_lossy(&junit.stdout);
    assert!(
        xml.contains("<testsuite name=\"verify-upstream masstack\"")
            && xml.contains("failures=\"1\""),
        "{xml}"
    );

    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed_url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let out = run(closed_url, "text").await.unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // A bad upstream is a start-up error naming it.
    let bad = Command::new(env!("CARGO_BIN_EXE_concord-mock"))
        .args(["--port", "0", "--upstream", "stripe=http://127.0.0.1:1"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no API is called \"stripe\""));
}
