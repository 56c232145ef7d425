//! The compiled contract against the embedded document: routes, response checks, integer ranges and
//! violations named by field (moved here from the engine's unit tests, which name no vendor).

use axum::http::Method;
use concord_mock::contract::{Contract, RouteMatch};
use serde_json::json;

#[test]
fn the_embedded_document_compiles_every_operation() {
    let index = Contract::embedded();
    assert_eq!(index.operations.len(), 12);
    assert!(index.schemes.contains_key("MagiclineApiKeyAuth"));
}

#[test]
fn routing_prefers_literals_and_reports_allowed_methods() {
    let index = Contract::embedded();
    match index.route(&Method::POST, "/client/users/abc/cards") {
        RouteMatch::Found(op, params) => {
            assert_eq!(op.id, "es_loyalty_add_cards");
            assert_eq!(params, [("correlation_id".to_owned(), "abc".to_owned())]);
        }
        _ => panic!("no route"),
    }
    match index.route(&Method::PATCH, "/v4/orgs/telco/customers/x/credentials/y") {
        RouteMatch::MethodNotAllowed(methods) => assert_eq!(methods, [Method::DELETE]),
        _ => panic!("expected 405"),
    }
    assert!(matches!(
        index.route(&Method::GET, "/nowhere"),
        RouteMatch::NotFound
    ));
    assert!(matches!(
        index.route(&Method::GET, "/v1/customers//access-code"),
        RouteMatch::NotFound
    ));
}

#[test]
fn a_response_that_breaks_its_schema_is_caught() {
    let index = Contract::embedded();
    let op = index.operation("paysafe_assign_bulk_card").unwrap();
    let ok = json!({"cardId": "f16ba382-eb42-481a-b08f-c57bdc9aae24", "customerId": "1", "targetCustomerId": "2"});
    assert!(op.responses[&200].check(Some(&ok)).is_empty());
    let renamed = json!({"cardID": "f16ba382-eb42-481a-b08f-c57bdc9aae24", "customerId": "1", "targetCustomerId": "2"});
    let found = op.responses[&200].check(Some(&renamed));
    assert_eq!(found[0].field, "cardId");
    let not_uuid = json!({"cardId": "card-1", "customerId": "1", "targetCustomerId": "2"});
    assert_eq!(
        op.responses[&200].check(Some(&not_uuid))[0].keyword,
        "format"
    );
    assert!(
        !op.responses[&200].check(None).is_empty(),
        "a missing body is caught"
    );
    let delete = index.operation("masstack_delete_credential").unwrap();
    assert!(
        !delete.responses[&204].check(Some(&json!({}))).is_empty(),
        "a body on a 204 is caught"
    );
}

#[test]
fn integer_formats_are_enforced_as_ranges() {
    let index = Contract::embedded();
    let op = index.operation("paysafe_get_bulk_order").unwrap();
    let offset = op.params.iter().find(|p| p.name == "offset").unwrap();
    assert!(offset.check(&json!(2_147_483_647)).is_empty());
    assert_eq!(offset.check(&json!(2_147_483_648u64))[0].keyword, "maximum");
    let add = index.operation("es_loyalty_add_cards").unwrap();
    assert!(
        !add.body
            .as_ref()
            .unwrap()
            .check(&json!({"quantity": 4_294_967_296u64}))
            .is_empty()
    );
}

#[test]
fn violations_name_the_field_and_keyword() {
    let index = Contract::embedded();
    let op = index.operation("es_loyalty_add_cards").unwrap();
    let found = op
        .body
        .as_ref()
        .unwrap()
        .check(&json!({"physicalCards": [{"cardLabel": "x"}], "quantity": 0}));
    let fields: Vec<(&str, &str)> = found
        .iter()
        .map(|v| (v.field.as_str(), v.keyword.as_str()))
        .collect();
    assert!(
        fields.contains(&("physicalCards[0].loyaltyId", "required")),
        "{found:?}"
    );
    assert!(fields.contains(&("quantity", "minimum")), "{found:?}");
}
