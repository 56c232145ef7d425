//! Each API's credentials go out in that vendor's headers, and secrets never reach the logs.

mod common;

use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn each_api_sends_its_own_auth_headers() {
    let server = MockServer::start().await;
    let cases = [
        (
            "magicline_get_access_code",
            vec![("x-api-key", "demo-magicline-key")],
        ),
        (
            "paysafe_get_bulk_order",
            vec![("authorization", "Bearer demo-paysafe-token")],
        ),
        (
            "es_loyalty_add_cards",
            vec![("authorization", "Bearer demo-loyalty-token")],
        ),
        (
            "masstack_list_credentials",
            vec![
                ("authorization", "Bearer demo-masstack-token"),
                ("x-auth-roles", "API_KEY"),
            ],
        ),
    ];
    let client = common::client(&server.uri());
    for (operation, headers) in cases {
        server.reset().await;
        // Only a request carrying exactly these headers gets the 418 this test looks for.
        let mut mock = Mock::given(method(if operation.ends_with("add_cards") {
            "POST"
        } else {
            "GET"
        }));
        for (name, value) in &headers {
            mock = mock.and(header(*name, *value));
        }
        mock.respond_with(ResponseTemplate::new(418))
            .expect(1)
            .mount(&server)
            .await;
        let err = common::call(&client, operation).await.unwrap_err();
        assert_eq!(
            err.status().map(|s| s.as_u16()),
            Some(418),
            "{operation}: auth headers missing"
        );
        let requests = server.received_requests().await.unwrap();
        let sent = &requests[0].headers;
        let others = ["x-api-key", "authorization", "x-auth-roles"]
            .into_iter()
            .filter(|h| !headers.iter().any(|(n, _)| n == h));
        for other in others {
            assert!(sent.get(other).is_none(), "{operation} leaked {other}");
        }
    }
}

#[tokio::test]
async fn the_user_agent_and_progenitor_headers_are_sent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(418))
        .mount(&server)
        .await;
    common::call(&common::client(&server.uri()), "magicline_get_access_code")
        .await
        .unwrap_err();
    let request = &server.received_requests().await.unwrap()[0];
    let agent = request.headers.get("user-agent").unwrap().to_str().unwrap();
    assert_eq!(agent, concat!("concord-sdk/", env!("CARGO_PKG_VERSION")));
    assert!(request.headers.get("api-version").is_some());
}

#[tokio::test]
async fn extra_headers_are_sent_per_client_and_per_call() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("x-mock-tenant", "alice"))
        .and(header("prefer", "code=503"))
        .and(header("x-team", "checkout"))
        .respond_with(ResponseTemplate::new(418))
        .expect(1)
        .mount(&server)
        .await;
    let client = concord_sdk::Client::builder()
        .base_url(server.uri())
        .magicline_api_key("k")
        .default_header("x-team", "checkout")
        .build()
        .unwrap();
    let per_call = client
        .with_header("x-mock-tenant", "alice")
        .unwrap()
        .with_header("prefer", "code=503")
        .unwrap();
    let err = common::call(&per_call, "magicline_get_access_code")
        .await
        .unwrap_err();
    assert_eq!(
        err.status().map(|s| s.as_u16()),
        Some(418),
        "the three headers were sent"
    );
    let bad = concord_sdk::Client::builder()
        .default_header("bad header", "x")
        .build();
    assert!(bad.is_err());
}
