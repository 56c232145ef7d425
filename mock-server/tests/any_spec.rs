//! `--spec FILE`: the mock serves a document it was not built with — a plain OpenAPI 3.0 document with no
//! extensions — with validation, `Prefer`, the documented answers, its own `/openapi.json`, and a start-up
//! error naming the file when the document is broken.

mod common;

use std::process::{Command, Stdio};
use std::sync::Arc;

use concord_mock::contract::Contract;
use concord_mock::state::Fixtures;
use concord_mock::{MockConfig, MockServer};
use serde_json::{Value, json};

const PLAIN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/plain-petstore.yaml"
);

async fn petstore() -> MockServer {
    let contract = Contract::load(std::path::Path::new(PLAIN)).expect("the document compiles");
    MockServer::start(MockConfig {
        contract: Some(Arc::new(contract)),
        fixtures: Fixtures::new(),
        ..MockConfig::default()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_plain_document_is_served_with_its_documented_answers_and_validation() {
    let server = petstore().await;
    let http = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", server.url());

    let listed = http.get(url("/pets")).send().await.unwrap();
    assert_eq!(listed.status(), 200);
    assert_eq!(
        listed.json::<Value>().await.unwrap(),
        json!([{"id": 1, "name": "Rex"}, {"id": 2, "name": "Tom"}])
    );

    let created = http
        .post(url("/pets"))
        .json(&json!({"name": "Rex"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);

    // Validation in the document's own terms: the missing field and the out-of-range query are named.
    let invalid = http
        .post(url("/pets"))
        .json(&json!({"tag": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(invalid.status(), 400);
    let text = invalid.text().await.unwrap();
    assert!(text.contains("name"), "{text}");
    let invalid = http.get(url("/pets?limit=1000")).send().await.unwrap();
    assert_eq!(invalid.status(), 400);
    let text = invalid.text().await.unwrap();
    assert!(text.contains("limit"), "{text}");
    let invalid = http.get(url("/pets/not-a-number")).send().await.unwrap();
    assert_eq!(invalid.status(), 400);

    // Any documented answer on request.
    let missing = http
        .get(url("/pets/7"))
        .header("prefer", "code=404")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(
        missing.json::<Value>().await.unwrap(),
        json!({"message": "Pet not found"})
    );

    // Paths it does not document, and its own document at /openapi.json.
    assert_eq!(http.get(url("/owners")).send().await.unwrap().status(), 404);
    let document: Value = http
        .get(url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(document["info"]["title"], "Plain Petstore");
    let yaml = http
        .get(url("/openapi.yaml"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(yaml.contains("Plain Petstore"), "{yaml}");
}

#[test]
fn the_binary_serves_spec_and_names_a_broken_document() {
    let (mut child, url) = common::process::spawn_listening(
        Command::new(env!("CARGO_BIN_EXE_concord-mock"))
            .args(["--port", "0", "--log", "warn", "--spec", PLAIN])
            .stderr(Stdio::null()),
    );
    let listed = std::process::Command::new("curl")
        .args(["-s", "--max-time", "5", &format!("{url}/pets")])
        .output();
    let _ = child.kill();
    let _ = child.wait();
    if let Ok(listed) = listed {
        let listed: Value = serde_json::from_slice(&listed.stdout).unwrap();
        assert_eq!(listed[0]["name"], "Rex");
    }

    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.yaml");
    std::fs::write(&broken, "openapi: 3.0.3\ninfo: {title: x\n").unwrap();
    // Bounded: a document the mock accepted by mistake would otherwise be served forever.
    let output = Command::new("timeout")
        .arg("10")
        .arg(env!("CARGO_BIN_EXE_concord-mock"))
        .args(["--port", "0", "--spec"])
        .arg(&broken)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("broken.yaml"), "{stderr}");
}
