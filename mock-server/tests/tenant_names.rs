//! A tenant name that is blank or too long is a clear 400 — in the vendor's body on the APIs — never
//! silently the `default` tenant; the admin API's `?tenant=` follows the same rules.
// Needs the `redis` feature (the default); the light build runs the other tests.
#![cfg(feature = "redis")]

mod common;

use common::redis_server::{RedisServer, unique_prefix};
use common::{CREDENTIALS, Mock};
use concord_mock::MockConfig;
use concord_mock::state::RedisConfig;

#[tokio::test]
async fn blank_or_overlong_tenant_names_are_refused() {
    let mock = Mock::start().await;
    for bad in ["   ".to_owned(), "t".repeat(129)] {
        let answer = mock.get(CREDENTIALS).tenant(&bad).unchecked().send().await;
        assert_eq!(answer.status, 400, "{bad:?}");
        let message = answer.json()["errors"][0]["error"]["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(message.contains("x-mock-tenant"), "{message}");
        let (status, body) = mock
            .admin(
                "GET",
                &format!("/__mock/state?tenant={}", bad.replace(' ', "%20")),
                None,
            )
            .await;
        assert_eq!(status, 400, "{body}");
    }
    let longest = "t".repeat(128);
    assert_eq!(
        mock.get(CREDENTIALS).tenant(&longest).send().await.status,
        200
    );
    let (status, names) = mock.admin("GET", "/__mock/tenants", None).await;
    assert_eq!(status, 200);
    assert!(
        !names["tenants"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "default"),
        "a refused name did not fall back to the default tenant: {names}"
    );
}

#[tokio::test]
async fn refused_and_read_only_requests_create_no_tenant() {
    reads_create_no_tenant(&Mock::start().await).await;
}

/// On Redis too: an unused tenant reads the demo data from the mock's memory, and nothing is written to
/// Redis until its first write.
#[tokio::test]
async fn on_redis_refused_and_read_only_requests_create_no_tenant() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let mock = Mock::start_with(MockConfig {
        redis: Some(RedisConfig {
            url: redis.url(),
            prefix: unique_prefix("tenant-names"),
            timeout: std::time::Duration::from_secs(2),
        }),
        ..MockConfig::default()
    })
    .await;
    reads_create_no_tenant(&mock).await;
    // Nothing of the read-only tenant reached Redis (the written one did).
    let client = redis::Client::open(redis.url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("*refused-only*")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(keys.is_empty(), "{keys:?}");
}

async fn reads_create_no_tenant(mock: &Mock) {
    let refused = mock
        .get(CREDENTIALS)
        .without_auth()
        .header("authorization", "Bearer wrong")
        .tenant("refused-only")
        .send()
        .await;
    assert_eq!(refused.status, 401);
    let read = mock.get(CREDENTIALS).tenant("read-only").send().await;
    assert_eq!(read.status, 200);
    assert_eq!(
        read.texts("username"),
        ["ana.garcia@masmovil.com"],
        "reads see the demo data"
    );
    let (_, names) = mock.admin("GET", "/__mock/tenants", None).await;
    let names = names["tenants"].as_array().unwrap();
    assert!(
        !names
            .iter()
            .any(|t| t == "refused-only" || t == "read-only"),
        "{names:?}"
    );
    // The first write creates it.
    let created = mock
        .post(
            CREDENTIALS,
            serde_json::json!({"username": "first@example.com"}),
        )
        .tenant("read-only")
        .send()
        .await;
    assert_eq!(created.status, 201);
    let (_, names) = mock.admin("GET", "/__mock/tenants", None).await;
    assert!(
        names["tenants"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "read-only")
    );
}

#[tokio::test]
async fn a_tenant_can_be_deleted() {
    let mock = Mock::start().await;
    let created = mock
        .post(
            CREDENTIALS,
            serde_json::json!({"username": "short-lived@example.com"}),
        )
        .tenant("short-lived")
        .send()
        .await;
    assert_eq!(created.status, 201);
    let (status, _) = mock
        .admin("DELETE", "/__mock/tenants/short-lived", None)
        .await;
    assert_eq!(status, 204);
    let (status, body) = mock
        .admin("DELETE", "/__mock/tenants/short-lived", None)
        .await;
    assert_eq!(status, 404, "{body}");
    let (_, names) = mock.admin("GET", "/__mock/tenants", None).await;
    assert!(
        !names["tenants"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "short-lived")
    );
    let read = mock.get(CREDENTIALS).tenant("short-lived").send().await;
    assert_eq!(
        read.texts("username"),
        ["ana.garcia@masmovil.com"],
        "back to the demo data"
    );
}

#[tokio::test]
async fn the_number_of_tenants_is_bounded() {
    let mock = Mock::start_with(concord_mock::MockConfig {
        max_tenants: 2,
        ..concord_mock::MockConfig::default()
    })
    .await;
    let write = |tenant: &'static str| {
        mock.post(
            CREDENTIALS,
            serde_json::json!({"username": "w@example.com"}),
        )
        .tenant(tenant)
        .send()
    };
    assert_eq!(write("one").await.status, 201);
    assert_eq!(write("two").await.status, 201);
    let third = write("three").await;
    assert_eq!(third.status, 503);
    assert!(
        third
            .header("x-mock-error")
            .unwrap()
            .contains("maximum of 2 tenants"),
        "{:?}",
        third.header("x-mock-error")
    );
    assert_eq!(
        mock.get(CREDENTIALS).tenant("three").send().await.status,
        200,
        "reads still work"
    );
    let (status, _) = mock.admin("DELETE", "/__mock/tenants/one", None).await;
    assert_eq!(status, 204);
    assert_eq!(write("three").await.status, 201);
}
