//! The generated call style: required arguments in order (anything that converts to their type), optional
//! ones as setters, `.await` or `.send()`; an argument that does not convert fails before anything is sent,
//! with an error naming it.

mod common;

use concord_sdk::ErrorKind;
use concord_sdk::types::{EsLoyaltyChannel, EsLoyaltyIdentifierType, EsLoyaltyStartSessionRequest};
use serde_json::Value;
use wiremock::matchers::{header, method, path, path_regex, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The documented example of the schema of an operation's 200 answer.
fn ok_example(path: &str, method: &str) -> Value {
    let doc = common::document();
    let schema = &doc["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
        ["$ref"];
    let name = schema.as_str().unwrap().rsplit('/').next().unwrap();
    let example = doc["components"]["schemas"][name]["example"].clone();
    assert!(example.is_object(), "{name} has no example");
    example
}

#[tokio::test]
async fn optional_setters_reach_the_query_and_text_converts_to_a_uuid() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!(
            "/customers/1231122232/prepaid/cards/bulk/{}",
            common::BULK
        )))
        .and(query_param("limit", "50"))
        .and(query_param("offset", "100"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_example(
            "/customers/{customerId}/prepaid/cards/bulk/{bulkId}",
            "get",
        )))
        .expect(2)
        .mount(&server)
        .await;
    let client = common::client(&server.uri());
    // `.await` on the request…
    let order = client
        .paysafe()
        .get_bulk_order("1231122232", common::BULK)
        .limit(50)
        .offset(100)
        .await
        .unwrap();
    // …and `.send()` are the same call.
    let again = client
        .paysafe()
        .get_bulk_order("1231122232", common::BULK)
        .offset(100)
        .limit(50)
        .send()
        .await
        .unwrap();
    assert_eq!(order, again);
}

#[tokio::test]
async fn an_optional_header_parameter_is_sent_only_when_set() {
    let server = MockServer::start().await;
    let example = ok_example("/client/users/{identifier}/sessions", "post");
    Mock::given(method("POST"))
        .and(header("x-identifier-type", "ACCOUNT_ID"))
        .respond_with(ResponseTemplate::new(200).set_body_json(example))
        .expect(1)
        .mount(&server)
        .await;
    let client = common::client(&server.uri());
    let session = || EsLoyaltyStartSessionRequest {
        correlation_id: "c-1".try_into().unwrap(),
        channel: EsLoyaltyChannel::App,
        external_agent_session_id: None,
    };
    client
        .es_loyalty()
        .start_session("100200300", session())
        .x_identifier_type(EsLoyaltyIdentifierType::AccountId)
        .await
        .unwrap();
    // Without the setter the header is absent: the mock above does not match, wiremock answers 404.
    let err = client
        .es_loyalty()
        .start_session("100200300", session())
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404), "{err}");
}

#[tokio::test]
async fn an_argument_that_does_not_convert_fails_naming_it_and_nothing_is_sent() {
    let server = MockServer::start().await;
    let client = common::client(&server.uri());
    let cases = [
        (
            client
                .paysafe()
                .get_bulk_order("1231122232", common::BULK)
                .limit(0)
                .await,
            "limit",
        ),
        (
            client
                .paysafe()
                .get_bulk_order("1231122232", common::BULK)
                .offset(u64::MAX)
                .await,
            "offset",
        ),
        (
            client
                .paysafe()
                .get_bulk_order("1231122232", "not-a-uuid")
                .await,
            "bulk_id",
        ),
    ];
    for (result, argument) in cases {
        let err = result.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{err}");
        assert_eq!(err.operation_id(), "paysafe_get_bulk_order");
        assert!(
            err.to_string().contains(&format!("`{argument}`")),
            "{argument}: {err}"
        );
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_success_comes_with_its_status_headers_and_request_id() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(ok_example(
                    "/customers/{customerId}/prepaid/cards/bulk/{bulkId}",
                    "get",
                ))
                .insert_header("x-request-id", "req-42")
                .insert_header("deprecation", "true"),
        )
        .mount(&server)
        .await;
    let client = common::client(&server.uri());
    let answer = client
        .paysafe()
        .get_bulk_order("1231122232", common::BULK)
        .send_with_response()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    assert_eq!(answer.request_id(), Some("req-42"));
    assert_eq!(answer.headers()["deprecation"], "true");
    // The typed body is there: through Deref and owned.
    assert_eq!(answer.id.to_string(), common::BULK);
    let body = answer.into_inner();
    assert_eq!(body.id.to_string(), common::BULK);
}

#[tokio::test]
async fn an_answer_whose_body_does_not_decode_keeps_its_status_and_headers() {
    let server = MockServer::start().await;
    // A wrong base-URL path: the server's own 404, with no body at all.
    Mock::given(method("GET"))
        .and(path_regex("^/customers/"))
        .respond_with(ResponseTemplate::new(404).insert_header("x-request-id", "req-7"))
        .mount(&server)
        .await;
    // A 200 whose body is not the documented one.
    Mock::given(method("GET"))
        .and(path_regex("/credentials$"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>proxy</html>"))
        .mount(&server)
        .await;
    let client = common::client(&server.uri());
    let err = client
        .paysafe()
        .get_bulk_order("1231122232", common::BULK)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404), "{err:?}");
    assert_eq!(err.request_id(), Some("req-7"));
    let err = client
        .masstack()
        .list_credentials("telco", common::MASSTACK_CUSTOMER)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200), "{err:?}");
    assert_eq!(err.body(), Some("<html>proxy</html>"));
}

/// A bulk order page with `cards` card ids out of `total`.
fn bulk_page(cards: &[u32], total: u32) -> Value {
    let mut page = ok_example("/customers/{customerId}/prepaid/cards/bulk/{bulkId}", "get");
    let card = page["cards"][0].clone();
    page["quantity"] = total.into();
    page["cards"] = cards
        .iter()
        .map(|n| {
            let mut card = card.clone();
            card["cardId"] = format!("00000000-0000-4000-8000-{n:012}").into();
            card
        })
        .collect();
    page
}

#[tokio::test]
async fn paging_stops_at_the_declared_total_without_asking_for_an_empty_page() {
    let server = MockServer::start().await;
    for (offset, cards) in [("0", [1, 2]), ("2", [3, 4])] {
        Mock::given(method("GET"))
            .and(query_param("offset", offset))
            .and(query_param("limit", "2"))
            .respond_with(ResponseTemplate::new(200).set_body_json(bulk_page(&cards, 4)))
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = common::client(&server.uri());
    let cards = client
        .paysafe()
        .get_bulk_order("1231122232", common::BULK)
        .limit(2)
        .items()
        .collect()
        .await
        .unwrap();
    let ids: Vec<String> = cards.iter().map(|c| c.card_id.to_string()).collect();
    assert_eq!(ids.len(), 4);
    assert!(ids[3].ends_with("000000000004"), "{ids:?}");
    // Exactly the two pages: a third request (offset 4) would have no mock and fail the call.
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn without_a_limit_paging_ends_at_an_empty_page() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(query_param("offset", "0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(bulk_page(&[1, 2, 3], 99)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("offset", "3"))
        .respond_with(ResponseTemplate::new(200).set_body_json(bulk_page(&[], 99)))
        .mount(&server)
        .await;
    let client = common::client(&server.uri());
    let mut pages = client
        .paysafe()
        .get_bulk_order("1231122232", common::BULK)
        .pages();
    assert_eq!(pages.next().await.unwrap().unwrap().cards.len(), 3);
    assert!(pages.next().await.unwrap().is_none());
    assert!(
        pages.next().await.unwrap().is_none(),
        "ended pages stay ended"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_body_built_with_its_builder_names_the_field_whose_value_is_refused() {
    let server = MockServer::start().await;
    let client = common::client(&server.uri());
    let body = EsLoyaltyStartSessionRequest::builder()
        .correlation_id("")
        .channel(EsLoyaltyChannel::App);
    let err = client
        .es_loyalty()
        .start_session("100200300", body)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{err}");
    let text = err.to_string();
    assert!(
        text.contains("`body`")
            && text.contains("correlation_id")
            && text.contains("shorter than 1"),
        "{text}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}
