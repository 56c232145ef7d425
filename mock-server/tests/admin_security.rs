//! The admin API and the web page are same-origin only: no CORS for foreign origins, foreign `Origin`s and
//! non-JSON changes refused, unknown `Host`s refused (DNS rebinding). The vendor APIs stay open.

mod common;

use common::{CREDENTIALS, Mock};
use concord_mock::MockConfig;
use reqwest::header::{ACCESS_CONTROL_ALLOW_ORIGIN, CONTENT_TYPE, HOST, ORIGIN};

const EVIL: &str = "http://evil.example";

async fn fault_count(mock: &Mock) -> usize {
    let (_, faults) = mock.admin("GET", "/__mock/faults", None).await;
    faults["faults"].as_array().unwrap().len()
}

#[tokio::test]
async fn a_foreign_page_can_neither_read_nor_change_admin_state() {
    let mock = Mock::start().await;
    let http = reqwest::Client::new();
    let read = http
        .get(mock.url("/__mock/state?tenant=default"))
        .header(ORIGIN, EVIL)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 403);
    assert!(read.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    let preflight = http
        .request(reqwest::Method::OPTIONS, mock.url("/__mock/faults"))
        .header(ORIGIN, EVIL)
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert!(
        preflight
            .headers()
            .get(ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none(),
        "no CORS on the admin API"
    );
    // "Simple" requests need no preflight: a text/plain fault rule and a reset.
    let fault = http
        .post(mock.url("/__mock/faults"))
        .header(ORIGIN, EVIL)
        .header(CONTENT_TYPE, "text/plain")
        .body(r#"{"status": 503}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(fault.status(), 403);
    assert_eq!(fault_count(&mock).await, 0);
    let reset = http
        .post(mock.url("/__mock/reset"))
        .header(ORIGIN, EVIL)
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 403);
}

#[tokio::test]
async fn admin_changes_take_json_only() {
    let mock = Mock::start().await;
    let http = reqwest::Client::new();
    let plain = http
        .post(mock.url("/__mock/faults"))
        .header(CONTENT_TYPE, "text/plain")
        .body(r#"{"status": 503}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), 415);
    let form = http
        .post(mock.url("/__mock/reset"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("a=b")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 415);
    assert_eq!(fault_count(&mock).await, 0);
    // The page's own calls (same origin, JSON or no body) and curl (no Origin) work.
    let own = http
        .post(mock.url("/__mock/faults"))
        .header(ORIGIN, mock.url(""))
        .json(&serde_json::json!({"status": 503, "count": 1, "tenant": "nobody"}))
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 201);
    let reset = http
        .post(mock.url("/__mock/reset?tenant=nobody"))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 200);
}

#[tokio::test]
async fn unknown_hosts_are_refused_on_the_admin_api_and_the_page_but_not_the_vendor_apis() {
    let mock = Mock::start().await;
    let http = reqwest::Client::new();
    let mut paths = vec!["/__mock/health"];
    // The web page is part of the default build, not of the light one.
    if cfg!(feature = "web") {
        paths.extend(["/__mock/ui/", "/"]);
    }
    for path in paths {
        let answer = http
            .get(mock.url(path))
            .header(HOST, "evil.example")
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 403, "{path}");
    }
    for host in ["localhost", "127.0.0.1"] {
        let port = mock.server.addr().port();
        let answer = http
            .get(mock.url("/__mock/health"))
            .header(HOST, format!("{host}:{port}"))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200, "{host}");
    }
    // The vendor APIs: any host, any origin (frontends call them from their own dev servers).
    let api = mock
        .get(CREDENTIALS)
        .header("host", "evil.example")
        .header("origin", EVIL)
        .send()
        .await;
    assert_eq!(api.status, 200);
    assert_eq!(api.header("access-control-allow-origin"), Some(EVIL));
}

#[tokio::test]
async fn allowed_hosts_extend_the_list() {
    let mock = Mock::start_with(MockConfig {
        allowed_hosts: vec!["mock.example.internal".into()],
        ..MockConfig::default()
    })
    .await;
    let answer = reqwest::Client::new()
        .get(mock.url("/__mock/health"))
        .header(HOST, "mock.example.internal:4010")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
}
