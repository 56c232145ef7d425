//! Every error example of the contract decodes into the right typed vendor error; undocumented statuses and
//! malformed bodies give clear, distinct errors.

mod common;

use concord_sdk::{Api, ErrorKind, VendorError};
use serde_json::Value;
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn api_of(operation_id: &str) -> Api {
    match operation_id.split('_').next().unwrap() {
        "magicline" => Api::Magicline,
        "paysafe" => Api::Paysafe,
        "es" => Api::EsLoyalty,
        "masstack" => Api::Masstack,
        other => panic!("unknown API prefix {other}"),
    }
}

/// The typed body as JSON again, to compare with the example it was decoded from.
fn vendor_json(vendor: &VendorError) -> Value {
    match vendor {
        VendorError::Magicline(e) => serde_json::to_value(e),
        VendorError::Paysafe(e) => serde_json::to_value(e),
        VendorError::EsLoyalty(e) => serde_json::to_value(e),
        VendorError::Masstack(e) => serde_json::to_value(e),
        _ => unreachable!("a new vendor needs a line here"),
    }
    .unwrap()
}

/// (status, example name, example body) of every error response of an operation.
fn error_examples(doc: &Value, op: &Value) -> Vec<(u16, String, Value)> {
    let mut out = Vec::new();
    for (status, response) in op["responses"].as_object().unwrap() {
        let code: u16 = status.parse().unwrap();
        if code < 400 {
            continue;
        }
        let response = match response.get("$ref").and_then(Value::as_str) {
            Some(r) => &doc["components"]["responses"][r.rsplit('/').next().unwrap()],
            None => response,
        };
        for (name, example) in response["content"]["application/json"]["examples"]
            .as_object()
            .unwrap()
        {
            out.push((code, name.clone(), example["value"].clone()));
        }
    }
    out
}

#[tokio::test]
async fn every_error_example_of_the_contract_decodes_into_the_vendors_typed_error() {
    let doc = common::document();
    let mut checked = 0;
    for (http_method, template, id, op) in common::operations() {
        for (status, name, example) in error_examples(&doc, &op) {
            let server = MockServer::start().await;
            Mock::given(method(http_method.as_str()))
                .and(path_regex(common::path_regex(&template)))
                .respond_with(ResponseTemplate::new(status).set_body_json(&example))
                .mount(&server)
                .await;
            let client = common::client_with(&server.uri(), concord_sdk::RetryPolicy::never());
            let err = common::call(&client, &id)
                .await
                .expect_err(&format!("{id} {status} {name}"));
            let place = format!("{id} {status} {name}");
            assert_eq!(err.kind(), ErrorKind::Api, "{place}: {err:?}");
            assert_eq!(err.api(), api_of(&id), "{place}");
            assert_eq!(err.operation_id(), id, "{place}");
            assert_eq!(err.status().map(|s| s.as_u16()), Some(status), "{place}");
            let vendor = err
                .vendor_error()
                .unwrap_or_else(|| panic!("{place}: no typed body"));
            let expected_variant = match api_of(&id) {
                Api::Magicline => matches!(vendor, VendorError::Magicline(_)),
                Api::Paysafe => matches!(vendor, VendorError::Paysafe(_)),
                Api::EsLoyalty => matches!(vendor, VendorError::EsLoyalty(_)),
                Api::Masstack => matches!(vendor, VendorError::Masstack(_)),
                _ => false,
            };
            assert!(expected_variant, "{place}: {vendor:?}");
            assert_eq!(
                vendor_json(vendor),
                example,
                "{place}: every field survives decoding"
            );
            assert!(vendor.message().is_some(), "{place}");
            checked += 1;
        }
    }
    assert!(checked >= 60, "only {checked} examples checked");
}

#[tokio::test]
async fn paysafe_page_examples_carry_code_message_and_details() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "error": {
                "code": "DW-PREPAID-CARDS-ALREADY-ASSIGNED-CARD",
                "message": "The provided cardId is already assigned.",
                "details": ["The provided cardId is already assigned to a customer."]
            }
        })))
        .mount(&server)
        .await;
    let err = common::call(&common::client(&server.uri()), "paysafe_assign_bulk_card")
        .await
        .unwrap_err();
    let Some(VendorError::Paysafe(body)) = err.vendor_error() else {
        panic!("{err:?}")
    };
    let details = body.error.as_ref().unwrap();
    assert_eq!(
        details.code.as_deref(),
        Some("DW-PREPAID-CARDS-ALREADY-ASSIGNED-CARD")
    );
    assert_eq!(
        details.details,
        ["The provided cardId is already assigned to a customer."]
    );
    assert_eq!(
        err.to_string(),
        "Paysafe paysafe_assign_bulk_card: 400 Bad Request DW-PREPAID-CARDS-ALREADY-ASSIGNED-CARD: The provided cardId is already assigned."
    );
}

#[tokio::test]
async fn the_trace_id_of_magicline_and_the_message_id_of_es_loyalty_are_the_request_id() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(serde_json::json!({
            "errorMessage": "Entity does not exists.", "traceId": "4f1b2c3d4e5f60718297"
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("MCK-MSGID", "mck-920b9070-8b11-47d5-a26a-641a81e84737")
                .insert_header("x-amzn-RequestId", "30ba166d-da0e-4d92-b570-054040ec06c2")
                .set_body_json(serde_json::json!({
                    "statusCode": 400, "errorCode": "INVALID_REQUEST", "errorMessage": "Digital cards not enabled."
                })),
        )
        .mount(&server)
        .await;
    let client = common::client(&server.uri());
    let magicline = common::call(&client, "magicline_get_access_code")
        .await
        .unwrap_err();
    assert_eq!(magicline.request_id(), Some("4f1b2c3d4e5f60718297"));
    assert!(
        magicline
            .to_string()
            .ends_with("(request id 4f1b2c3d4e5f60718297)"),
        "{magicline}"
    );
    let es = common::call(&client, "es_loyalty_add_cards")
        .await
        .unwrap_err();
    assert_eq!(
        es.request_id(),
        Some("mck-920b9070-8b11-47d5-a26a-641a81e84737")
    );
    assert_eq!(
        es.vendor_error().and_then(VendorError::code),
        Some("INVALID_REQUEST")
    );
}

#[tokio::test]
async fn an_undocumented_status_is_an_unexpected_status_error_with_the_body() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(418).set_body_string("I'm a teapot"))
        .mount(&server)
        .await;
    let err = common::call(&common::client(&server.uri()), "masstack_delete_credential")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedStatus);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(418));
    assert_eq!(err.body(), Some("I'm a teapot"));
    assert!(err.vendor_error().is_none());
    assert!(
        err.to_string().contains("does not document status 418"),
        "{err}"
    );
}

#[tokio::test]
async fn a_documented_status_with_a_malformed_body_is_a_decode_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string("{\"format\": \"BARCODE\", \"content\": \"1\"}"),
        )
        .mount(&server)
        .await;
    let err = common::call(&common::client(&server.uri()), "magicline_get_access_code")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode, "{err:?}");
    assert!(err.body().unwrap().contains("BARCODE"));
    assert!(std::error::Error::source(&err).is_some());
}

#[tokio::test]
async fn an_api_with_no_server_chosen_or_no_credentials_fails_before_sending_naming_the_fix() {
    let server = MockServer::start().await;
    // Only Paysafe has a server, and no credentials.
    let client = concord_sdk::Client::builder()
        .api_base_url(Api::Paysafe, server.uri())
        .build()
        .unwrap();
    assert_eq!(client.base_url(Api::EsLoyalty), None);
    let err = common::call(&client, "es_loyalty_add_cards")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(
        err.to_string()
            .contains("no server is chosen for ES Loyalty"),
        "{err}"
    );
    let err = common::call(&client, "paysafe_get_bulk_order")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    let text = err.to_string();
    assert!(
        text.contains("no credentials for Paysafe")
            && text.contains("paysafe_token")
            && text.contains("CONCORD_PAYSAFE_TOKEN"),
        "{text}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[test]
fn the_error_type_can_cross_threads() {
    fn assert_send_sync_static<T: Send + Sync + 'static>() {}
    assert_send_sync_static::<concord_sdk::Error>();
    assert_send_sync_static::<concord_sdk::Client>();
}
