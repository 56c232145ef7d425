//! The binary: every acknowledged write survives `kill -9` with `--state-file`; a full disk refuses writes
//! cleanly and leaves no half-seeded tenant; it refuses to expose the admin API on the network without a
//! token; secrets never reach its logs.
// Needs the `cli` feature (the default); the light build runs the other tests.
#![cfg(feature = "cli")]

mod common;

use std::process::{Child, Command, Stdio};

use common::process::spawn_listening;

const CREDENTIALS: &str =
    "/v4/orgs/telco/customers/123e4567-e89b-12d3-a456-556642440000/credentials";

/// Starts the binary on a free port and returns it with its URL (read from its "listening on" line).
fn start(state_file: &std::path::Path) -> (Child, String) {
    spawn_listening(
        Command::new(env!("CARGO_BIN_EXE_concord-mock"))
            .args(["--port", "0", "--log", "warn", "--state-file"])
            .arg(state_file),
    )
}

/// The usernames of the demo customer's credentials in `tenant`, in the order listed.
async fn usernames(url: &str, tenant: &str) -> Vec<String> {
    let listed: serde_json::Value = reqwest::Client::new()
        .get(format!("{url}{CREDENTIALS}"))
        .bearer_auth("demo-masstack-token")
        .header("x-auth-roles", "API_KEY")
        .header("x-mock-tenant", tenant)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    listed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["username"].as_str().unwrap().to_owned())
        .collect()
}

/// Starts the binary on `state_file` with the files it writes limited to `kib` KiB (`ulimit -f`, the
/// signal ignored so a write past it fails instead of killing the process): a disk that is full.
fn start_on_a_full_disk(state_file: &std::path::Path, kib: u32) -> (Child, String) {
    // bash: its `ulimit -f` counts KiB (dash's counts 512-byte blocks).
    spawn_listening(
        Command::new("bash")
            .arg("-c")
            .arg(format!(
                "trap '' XFSZ; ulimit -f {kib} && exec {} --port 0 --log error --state-file \"$0\"",
                env!("CARGO_BIN_EXE_concord-mock")
            ))
            .arg(state_file)
            .stderr(Stdio::null()),
    )
}

/// A tenant first used while the disk is full gets the vendor's 503 and is not half-seeded: once there is
/// room again, after a restart, it has its demo data (the demo token still authenticates) and takes writes.
#[tokio::test]
async fn a_full_disk_refuses_writes_and_leaves_no_half_seeded_tenant() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.db");
    let http = reqwest::Client::new();
    let create = |url: &str, username: &str| {
        http.post(format!("{url}{CREDENTIALS}"))
            .bearer_auth("demo-masstack-token")
            .header("x-auth-roles", "API_KEY")
            .header("x-mock-tenant", "first-used-on-a-full-disk")
            .json(&serde_json::json!({"username": username}))
            .send()
    };
    let (mut child, url) = start_on_a_full_disk(&file, 40);
    let refused = create(&url, "while-full@example.com").await.unwrap();
    let status = refused.status();
    let cause = refused
        .headers()
        .get("x-mock-error")
        .map(|v| v.to_str().unwrap_or_default().to_owned())
        .unwrap_or_default();
    let body: serde_json::Value = refused.json().await.unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["errors"][0]["error"]["code"], "MCUS.999.503", "{body}");
    assert!(cause.contains("sqlite"), "X-Mock-Error: {cause}");

    let (mut child, url) = start(&file);
    let created = create(&url, "after-restart@example.com").await.unwrap();
    let names = usernames(&url, "first-used-on-a-full-disk").await;
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(created.status(), 201, "the tenant lost its demo data");
    assert_eq!(
        names,
        ["ana.garcia@masmovil.com", "after-restart@example.com"],
        "the demo credential and the one written after the restart; nothing from the refused write"
    );
}

#[tokio::test]
async fn acknowledged_writes_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.db");
    let http = reqwest::Client::new();
    let mut acknowledged = Vec::new();
    for round in 0..3 {
        let (mut child, url) = start(&file);
        for i in 0..20 {
            let username = format!("user-{round}-{i}@example.com");
            let response = http
                .post(format!("{url}{CREDENTIALS}"))
                .bearer_auth("demo-masstack-token")
                .header("x-auth-roles", "API_KEY")
                .json(&serde_json::json!({"username": username}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 201);
            acknowledged.push(username);
        }
        child.kill().unwrap(); // SIGKILL: no shutdown path runs
        child.wait().unwrap();
    }
    let (mut child, url) = start(&file);
    let names = usernames(&url, concord_mock::DEFAULT_TENANT).await;
    child.kill().unwrap();
    child.wait().unwrap();
    for username in &acknowledged {
        assert!(
            names.contains(username),
            "{username} was acknowledged and lost"
        );
    }
    assert_eq!(
        names.len(),
        acknowledged.len() + 1,
        "the fixture credential and every acknowledged one"
    );
}

#[test]
fn a_non_loopback_address_without_an_admin_token_is_refused() {
    let output = Command::new(env!("CARGO_BIN_EXE_concord-mock"))
        .args(["--host", "0.0.0.0", "--port", "0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--admin-token"), "{stderr}");
}

#[test]
fn an_empty_admin_token_is_refused() {
    for token in ["", "  "] {
        let output = Command::new(env!("CARGO_BIN_EXE_concord-mock"))
            .args(["--port", "0", "--admin-token", token])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{token:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("--admin-token is empty"), "{stderr}");
    }
}

#[tokio::test]
async fn secrets_never_reach_the_logs() {
    let (mut child, url) = spawn_listening(
        Command::new(env!("CARGO_BIN_EXE_concord-mock"))
            .args([
                "--port",
                "0",
                "--log",
                "trace",
                "--admin-token",
                "admin-s3cret",
            ])
            .stderr(Stdio::piped()),
    );
    let http = reqwest::Client::new();
    http.get(format!("{url}{CREDENTIALS}"))
        .bearer_auth("demo-masstack-token")
        .header("x-auth-roles", "API_KEY")
        .send()
        .await
        .unwrap();
    http.get(format!("{url}/v1/customers/1001/access-code"))
        .header("x-api-key", "demo-magicline-key")
        .send()
        .await
        .unwrap();
    http.get(format!("{url}/__mock/requests"))
        .bearer_auth("admin-s3cret")
        .send()
        .await
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let mut logs = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut logs).unwrap();
    assert!(
        logs.contains("masstack_list_credentials"),
        "a line per request: {logs}"
    );
    for secret in ["demo-masstack-token", "demo-magicline-key", "admin-s3cret"] {
        assert!(!logs.contains(secret), "{secret} in the logs");
    }
}

#[test]
fn version_names_the_contract() {
    let out = Command::new(env!("CARGO_BIN_EXE_concord-mock"))
        .arg("--version")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.trim(),
        format!(
            "concord-mock {} (contract {})",
            env!("CARGO_PKG_VERSION"),
            concord_mock::contract_version()
        )
    );
    assert!(concord_mock::contract_version().starts_with("20"), "{text}");
}

/// `--health-check` (a container's HEALTHCHECK): 0 for a healthy mock, with the admin token it requires;
/// 1 without the token, and 1 where nothing listens.
#[test]
fn the_health_check_asks_the_running_mock() {
    let (mut child, url) =
        spawn_listening(Command::new(env!("CARGO_BIN_EXE_concord-mock")).args([
            "--port",
            "0",
            "--log",
            "warn",
            "--admin-token",
            "hc-token",
        ]));
    let port = url.rsplit(':').next().unwrap().trim_end_matches('/');
    let check = |token: Option<&str>, port: &str| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_concord-mock"));
        command
            .args(["--health-check", "--port", port])
            .env_remove("CONCORD_MOCK_ADMIN_TOKEN")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(token) = token {
            command.args(["--admin-token", token]);
        }
        let out = command.output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (code, said) = check(Some("hc-token"), port);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.starts_with("healthy: HTTP/1.1 200"), "{said}");
    let (code, said) = check(None, port);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("401"), "{said}");
    child.kill().unwrap();
    child.wait().unwrap();
    let (code, said) = check(Some("hc-token"), port);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("cannot connect"), "{said}");
}
