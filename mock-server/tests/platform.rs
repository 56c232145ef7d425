//! What the mock offers around the vendor rules: admin API, tenants, faults, journal, CORS, the spec,
//! framework statuses, and durable state.

mod common;

use std::time::{Duration, Instant};

use common::{ASSIGN, CREDENTIALS, Mock};
use concord_mock::MockConfig;
use serde_json::{Value, json};

#[tokio::test]
async fn tenants_do_not_see_each_others_state_and_reset_is_per_tenant() {
    let mock = Mock::start().await;
    let target = json!({"targetCustomerId": "1233333323"});
    assert_eq!(
        mock.post(ASSIGN, target.clone())
            .tenant("alice")
            .send()
            .await
            .status,
        200
    );
    assert_eq!(
        mock.post(ASSIGN, target.clone())
            .tenant("alice")
            .send()
            .await
            .status,
        400
    );
    assert_eq!(
        mock.post(ASSIGN, target.clone())
            .tenant("bob")
            .send()
            .await
            .status,
        200,
        "bob has his own card"
    );
    let (status, _) = mock.admin("POST", "/__mock/reset?tenant=alice", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        mock.post(ASSIGN, target.clone())
            .tenant("alice")
            .send()
            .await
            .status,
        200,
        "alice is back to the demo_data"
    );
    assert_eq!(
        mock.post(ASSIGN, target.clone())
            .tenant("bob")
            .send()
            .await
            .status,
        400,
        "bob is untouched"
    );
    mock.admin("POST", "/__mock/reset", None).await;
    assert_eq!(
        mock.post(ASSIGN, target).tenant("bob").send().await.status,
        200,
        "a reset without tenant resets all"
    );
}

#[tokio::test]
async fn state_can_be_exported_and_imported() {
    let mock = Mock::start().await;
    mock.post(CREDENTIALS, json!({"username": "export@example.com"}))
        .send()
        .await;
    let (status, exported) = mock
        .admin(
            "GET",
            &format!("/__mock/state?tenant={}", mock.tenant),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let credentials = exported["state"]["masstack.credential"]
        .as_object()
        .unwrap();
    assert_eq!(credentials.len(), 2);
    let (status, _) = mock
        .admin("PUT", "/__mock/state?tenant=copy", Some(exported.clone()))
        .await;
    assert_eq!(status, 200);
    let listed = mock.get(CREDENTIALS).tenant("copy").send().await;
    assert_eq!(
        listed.json().as_array().unwrap().len(),
        2,
        "the copy has the exported credentials"
    );
    let (status, body) = mock
        .admin(
            "PUT",
            "/__mock/state?tenant=copy",
            Some(json!({"kind": "not a map"})),
        )
        .await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn the_journal_records_requests_with_secrets_redacted_and_filters_them() {
    let mock = Mock::start().await;
    mock.get(CREDENTIALS).send().await;
    mock.post(ASSIGN, json!({"targetCustomerId": "1233333323"}))
        .send()
        .await;
    // A credential that is not a demo credential is stored nowhere.
    mock.get(CREDENTIALS)
        .without_auth()
        .header("authorization", "Bearer not-a-demo-secret")
        .header("x-auth-roles", "API_KEY")
        .send()
        .await;
    let (_, all) = mock
        .admin(
            "GET",
            &format!("/__mock/requests?tenant={}", mock.tenant),
            None,
        )
        .await;
    assert!(!all.to_string().contains("not-a-demo-secret"), "{all}");
    let (_, body) = mock
        .admin(
            "GET",
            &format!("/__mock/requests?tenant={}", mock.tenant),
            None,
        )
        .await;
    let entries: Vec<&Value> = body["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["status"] != 401)
        .collect();
    assert_eq!(entries.len(), 2);
    assert_eq!(
        entries[0]["operation"], "paysafe_assign_bulk_card",
        "newest first"
    );
    assert_eq!(entries[0]["requestBody"]["targetCustomerId"], "1233333323");
    assert_eq!(entries[0]["responseBody"]["cardId"], common::CARD);
    assert!(
        entries[0]["responseHeaders"]
            .as_array()
            .unwrap()
            .contains(&json!(["content-type", "application/json"])),
        "the headers sent: {}",
        entries[0]["responseHeaders"]
    );
    // Headers keep no credential; a demo credential (public: the state and the dashboard list it) is named
    // apart, so that a copied curl line replays exactly what was sent.
    assert!(
        !entries[0]["requestHeaders"]
            .to_string()
            .contains("demo-paysafe-token"),
        "secrets are redacted in the headers"
    );
    assert_eq!(
        entries[0]["demoCredentials"],
        json!([{"scheme": "PaysafeBearerAuth", "value": "demo-paysafe-token"}])
    );
    let (_, only) = mock
        .admin(
            "GET",
            &format!(
                "/__mock/requests?tenant={}&operation=masstack_list_credentials",
                mock.tenant
            ),
            None,
        )
        .await;
    assert_eq!(
        only["requests"].as_array().unwrap().len(),
        2,
        "both list calls, the refused one too"
    );
    assert_eq!(mock.admin("DELETE", "/__mock/requests", None).await.0, 204);
    let (_, after) = mock.admin("GET", "/__mock/requests", None).await;
    assert!(after["requests"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_journal_is_bounded() {
    let mock = Mock::start_with(MockConfig {
        journal_capacity: 5,
        ..MockConfig::default()
    })
    .await;
    for _ in 0..12 {
        mock.get(CREDENTIALS).send().await;
    }
    let (_, body) = mock.admin("GET", "/__mock/requests?limit=100", None).await;
    assert_eq!(body["requests"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn fault_rules_inject_status_and_latency_until_removed() {
    let mock = Mock::start().await;
    let (status, rule) = mock
        .admin(
            "POST",
            "/__mock/faults",
            Some(json!({"operation": "masstack_list_credentials", "status": 503, "delayMs": 150})),
        )
        .await;
    assert_eq!(status, 201);
    let started = Instant::now();
    let faulty = mock.get(CREDENTIALS).send().await;
    assert_eq!(faulty.status, 503);
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(faulty.json()["errors"][0]["error"]["code"], "MCUS.999.503");
    assert_eq!(
        mock.get(CREDENTIALS).send().await.status,
        503,
        "until removed"
    );
    let id = rule["id"].as_u64().unwrap();
    assert_eq!(
        mock.admin("DELETE", &format!("/__mock/faults/{id}"), None)
            .await
            .0,
        204
    );
    assert_eq!(mock.get(CREDENTIALS).send().await.status, 200);

    mock.admin(
        "POST",
        "/__mock/faults",
        Some(json!({"path": "/assignments", "status": 500, "count": 1})),
    )
    .await;
    assert_eq!(
        mock.post(ASSIGN, json!({"targetCustomerId": "1233333323"}))
            .send()
            .await
            .status,
        500
    );
    assert_eq!(
        mock.post(ASSIGN, json!({"targetCustomerId": "1233333323"}))
            .send()
            .await
            .status,
        200,
        "count 1"
    );

    mock.admin(
        "POST",
        "/__mock/faults",
        Some(json!({"operation": "masstack_list_credentials", "status": 500, "probability": 0.0})),
    )
    .await;
    assert_eq!(
        mock.get(CREDENTIALS).send().await.status,
        200,
        "probability 0 never fires"
    );
    let (status, _) = mock
        .admin(
            "POST",
            "/__mock/faults",
            Some(json!({"operation": "nope", "status": 500})),
        )
        .await;
    assert_eq!(status, 400);
    let (status, _) = mock
        .admin(
            "POST",
            "/__mock/faults",
            Some(json!({"status": 500, "probability": 3})),
        )
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn browsers_get_cors_preflights_and_exposed_vendor_headers() {
    let mock = Mock::start().await;
    let preflight = mock
        .http
        .request(
            reqwest::Method::OPTIONS,
            mock.url("/client/users/demo-active/cards"),
        )
        .header("origin", "http://localhost:5173")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization,content-type,prefer,x-mock-tenant",
        )
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success());
    let h = preflight.headers();
    assert_eq!(h["access-control-allow-origin"], "http://localhost:5173");
    assert_eq!(
        h["access-control-allow-headers"],
        "authorization,content-type,prefer,x-mock-tenant"
    );
    let answer = mock
        .post("/client/users/demo-active/cards", json!({"quantity": 1}))
        .header("origin", "http://localhost:5173")
        .send()
        .await;
    let exposed = answer.header("access-control-expose-headers").unwrap();
    for header in [
        "mck-msgid",
        "x-amzn-requestid",
        "retry-after",
        "deprecation",
    ] {
        assert!(exposed.contains(header), "{header} not exposed: {exposed}");
    }
    // The journal shows what the browser got: the preflight (with the operation it asked about) and the
    // CORS headers of the answer, so a CORS problem can be read there.
    let (_, journal) = mock
        .admin(
            "GET",
            "/__mock/requests?path=/client/users/demo-active/cards",
            None,
        )
        .await;
    let entries = journal["requests"].as_array().unwrap();
    let header = |entry: &Value, name: &str| {
        entry["responseHeaders"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h[0] == name)
            .map(|h| h[1].as_str().unwrap().to_owned())
    };
    let post = &entries[0];
    assert_eq!(post["method"], "POST");
    assert_eq!(
        header(post, "access-control-allow-origin").as_deref(),
        Some("http://localhost:5173"),
        "{post:#}"
    );
    assert!(header(post, "access-control-expose-headers").is_some());
    let preflight = &entries[1];
    assert_eq!(preflight["method"], "OPTIONS");
    assert_eq!(preflight["operation"], "es_loyalty_add_cards");
    assert_eq!(preflight["status"], 200);
    assert_eq!(
        header(preflight, "access-control-allow-headers").as_deref(),
        Some("authorization,content-type,prefer,x-mock-tenant")
    );
}

#[tokio::test]
async fn the_spec_is_served_as_yaml_and_json() {
    let mock = Mock::start().await;
    let yaml = mock
        .http
        .get(mock.url("/openapi.yaml"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(yaml, concord_spec::OPENAPI_YAML);
    let (status, json) = mock.admin("GET", "/openapi.json", None).await;
    assert_eq!(status, 200);
    assert_eq!(json["openapi"], "3.0.3");
    assert_eq!(json["paths"].as_object().unwrap().len(), 10);
}

#[tokio::test]
async fn framework_statuses_use_the_vendors_body_where_one_is_known() {
    let mock = Mock::start().await;
    let unknown = mock
        .get("/v1/customers/1001/nothing-here")
        .unchecked()
        .send()
        .await;
    assert_eq!(unknown.status, 404);
    assert!(
        unknown.json()["errorMessage"]
            .as_str()
            .unwrap()
            .contains("No operation matches")
    );
    let elsewhere = mock.get("/nowhere").unchecked().send().await;
    assert_eq!(elsewhere.status, 404);
    let text = mock
        .post(CREDENTIALS, json!({}))
        .raw_body("username=x", Some("text/plain"))
        .unchecked()
        .send()
        .await;
    assert_eq!(text.status, 415);
    assert!(
        text.json()["errors"][0]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("application/json")
    );
    let no_type = mock
        .post(CREDENTIALS, json!({}))
        .raw_body("{\"username\":\"x\"}", None)
        .unchecked()
        .send()
        .await;
    assert_eq!(no_type.status, 415);
    let malformed = mock
        .post(CREDENTIALS, json!({}))
        .raw_body("{\"username\":", Some("application/json"))
        .send()
        .await;
    assert_eq!(malformed.status, 400);
    assert!(
        malformed.json()["errors"][0]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not valid JSON")
    );
    let empty = mock
        .post(CREDENTIALS, json!({}))
        .raw_body("", Some("application/json"))
        .send()
        .await;
    assert_eq!(empty.status, 400);
    let huge = "x".repeat(2 * 1024 * 1024);
    let too_large = mock
        .post(CREDENTIALS, json!({}))
        .raw_body(
            format!("{{\"username\":\"{huge}\"}}"),
            Some("application/json"),
        )
        .unchecked()
        .send()
        .await;
    assert_eq!(too_large.status, 413);
    assert_eq!(
        too_large.json()["errors"][0]["error"]["code"],
        "MCUS.999.413"
    );
    let (status, health) = mock.admin("GET", "/__mock/health", None).await;
    assert_eq!(status, 200, "still serving");
    assert_eq!(health["status"], "ok");
}

#[tokio::test]
async fn the_admin_api_can_require_a_token() {
    let mock = Mock::start_with(MockConfig {
        admin_token: Some("s3cret".into()),
        ..MockConfig::default()
    })
    .await;
    assert_eq!(mock.admin("GET", "/__mock/health", None).await.0, 401);
    let ok = mock
        .http
        .get(mock.url("/__mock/health"))
        .bearer_auth("s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(
        mock.get(CREDENTIALS).send().await.status,
        200,
        "vendor APIs are unaffected"
    );
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn with_a_state_file_writes_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.db");
    let config = || MockConfig {
        state_file: Some(file.clone()),
        ..MockConfig::default()
    };
    let mock = Mock::start_with(config()).await;
    let created = mock
        .post(CREDENTIALS, json!({"username": "durable@example.com"}))
        .send()
        .await;
    assert_eq!(created.status, 201);
    assert_eq!(
        mock.post(ASSIGN, json!({"targetCustomerId": "1233333323"}))
            .send()
            .await
            .status,
        200
    );
    let tenant = mock.tenant.clone();
    mock.server.shutdown().await;

    let restarted = Mock::start_with(config()).await;
    let listed = restarted.get(CREDENTIALS).tenant(&tenant).send().await;
    let names = listed.texts("username");
    assert!(names.contains(&"durable@example.com"), "{names:?}");
    let again = restarted
        .post(ASSIGN, json!({"targetCustomerId": "1233333323"}))
        .tenant(&tenant)
        .send()
        .await;
    assert_eq!(again.status, 400, "the assignment survived");
}
