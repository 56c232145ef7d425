//! The light build an integrator embeds (`concord-mock = { …, default-features = false }`): the in-memory
//! mock with its embedded contract serves the vendor APIs and the admin API; what it leaves out (the web
//! page, the state file, Redis) is refused with a message naming the feature. CI runs this file with
//! `--no-default-features`; with the defaults the parts about what is left out are compiled out.

mod common;

use common::{CREDENTIALS, Mock};
use serde_json::json;

#[tokio::test]
async fn the_embedded_mock_serves_the_vendor_rules_and_the_admin_api() {
    let mock = Mock::start().await;
    let username = json!({"username": "light@example.com"});
    assert_eq!(
        mock.post(CREDENTIALS, username.clone()).send().await.status,
        201
    );
    assert_eq!(
        mock.post(CREDENTIALS, username).send().await.status,
        409,
        "the vendor's uniqueness rule"
    );
    let (status, health) = mock.admin("GET", "/__mock/health", None).await;
    assert_eq!(status, 200);
    assert_eq!(health["store"], "memory");
    let (status, _) = mock
        .admin(
            "PUT",
            &format!(
                "/__mock/switches/masstack_list_credentials?tenant={}",
                mock.tenant
            ),
            Some(json!({"status": 503})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(mock.get(CREDENTIALS).send().await.status, 503);
}

#[cfg(not(feature = "web"))]
#[tokio::test]
async fn the_light_build_has_no_web_page() {
    let mock = Mock::start().await;
    let page = mock.http.get(mock.url("/__mock/ui/")).send().await.unwrap();
    assert_eq!(page.status(), 404);
}

#[cfg(not(feature = "sqlite"))]
#[tokio::test]
async fn a_state_file_needs_the_sqlite_feature() {
    use concord_mock::{MockConfig, MockServer};
    let config = MockConfig {
        state_file: Some(std::env::temp_dir().join("concord-light.sqlite")),
        ..MockConfig::default()
    };
    let error = MockServer::start(config).await.unwrap_err().to_string();
    assert!(error.contains("enable its `sqlite` feature"), "{error}");
}

#[cfg(not(feature = "redis"))]
#[tokio::test]
async fn redis_needs_the_redis_feature() {
    use concord_mock::{MockConfig, MockServer};
    let config = MockConfig {
        redis: Some(concord_mock::state::RedisConfig::new(
            "redis://127.0.0.1:1/",
        )),
        ..MockConfig::default()
    };
    let error = MockServer::start(config).await.unwrap_err().to_string();
    assert!(error.contains("enable its `redis` feature"), "{error}");
}
