//! Paysafe rules: bulk orders create the assignable cards; a card is assigned once; owner, target and
//! path customer are checked; the vendor's error body.

mod common;

use common::{ASSIGN, BULK, Mock};
use serde_json::{Value, json};

fn order(quantity: u32) -> Value {
    json!({"quantity": quantity, "programName": "PHYSICAL-MC-EEA", "currency": "EUR", "userAgent": "tests",
           "cards": [{"externalId": "ext-1"}]})
}

#[tokio::test]
async fn the_documented_assignment_works_once_then_answers_already_assigned() {
    let mock = Mock::start().await;
    let body = json!({"targetCustomerId": "1233333323"});
    let first = mock.post(ASSIGN, body.clone()).send().await;
    assert_eq!(first.status, 200);
    assert_eq!(
        first.json(),
        &json!({"cardId": common::CARD, "customerId": "1231122232", "targetCustomerId": "1233333323"})
    );
    // Whatever the target, a second assignment is refused.
    for target in ["1233333323", "1231122232"] {
        let again = mock
            .post(ASSIGN, json!({"targetCustomerId": target}))
            .send()
            .await;
        assert_eq!(again.status, 400);
        assert_eq!(
            again.json(),
            &json!({"error": {"code": "DW-PREPAID-CARDS-ALREADY-ASSIGNED-CARD",
                     "message": "The provided cardId is already assigned.",
                     "details": ["The provided cardId is already assigned to a customer."]}})
        );
    }
}

#[tokio::test]
async fn a_bulk_order_creates_cards_that_can_be_read_and_assigned() {
    let mock = Mock::start().await;
    let placed = mock
        .post("/customers/1231122232/prepaid/cards/bulk", order(3))
        .send()
        .await;
    assert_eq!(placed.status, 200);
    let bulk_id = placed.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(placed.json()["customerId"], "1231122232");
    assert_eq!(placed.json()["programName"], "PHYSICAL-MC-EEA");
    let read = mock
        .get(&format!(
            "/customers/1231122232/prepaid/cards/bulk/{bulk_id}?limit=2"
        ))
        .send()
        .await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json()["status"], "COMPLETED");
    assert_eq!(read.json()["quantity"], 3);
    let cards = read.json()["cards"].as_array().unwrap();
    assert_eq!(cards.len(), 2, "limit=2");
    assert_eq!(cards[0]["externalId"], "ext-1");
    let page2 = mock
        .get(&format!(
            "/customers/1231122232/prepaid/cards/bulk/{bulk_id}?limit=2&offset=2"
        ))
        .send()
        .await;
    assert_eq!(page2.json()["cards"].as_array().unwrap().len(), 1);
    let card = cards[1]["cardId"].as_str().unwrap();
    let path = format!("/customers/1231122232/prepaid/cards/{card}/assignments");
    let assigned = mock
        .post(&path, json!({"targetCustomerId": "1233333323"}))
        .send()
        .await;
    assert_eq!(assigned.status, 200);
    let after = mock
        .get(&format!(
            "/customers/1231122232/prepaid/cards/bulk/{bulk_id}?limit=2"
        ))
        .send()
        .await;
    let card_now = &after.json()["cards"][1];
    assert_eq!(card_now["assigned"], true);
    assert_eq!(
        card_now["customerId"], "1233333323",
        "the card now belongs to the target"
    );
}

#[tokio::test]
async fn unknown_customers_cards_and_targets_get_their_documented_errors() {
    let mock = Mock::start().await;
    let target = json!({"targetCustomerId": "1233333323"});
    let unknown_path_customer = mock
        .post(
            &format!(
                "/customers/9999999999/prepaid/cards/{}/assignments",
                common::CARD
            ),
            target.clone(),
        )
        .send()
        .await;
    assert_eq!(unknown_path_customer.status, 404);
    assert_eq!(
        common::code(unknown_path_customer.json()),
        "DW-NO-SUCH-CUSTOMER"
    );
    let unknown_target = mock
        .post(ASSIGN, json!({"targetCustomerId": "0000000000"}))
        .send()
        .await;
    assert_eq!(unknown_target.status, 400);
    assert_eq!(common::code(unknown_target.json()), "DW-NO-SUCH-CUSTOMER");
    assert_eq!(
        common::message(unknown_target.json()),
        "Customer was not found."
    );
    // A card that was not bulk-ordered, and a card of another customer, cannot be assigned.
    for (customer, card) in [
        ("1231122232", "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
        ("1233333323", common::CARD),
        ("1231122232", "00000000-0000-4000-8000-000000000000"),
    ] {
        let answer = mock
            .post(
                &format!("/customers/{customer}/prepaid/cards/{card}/assignments"),
                target.clone(),
            )
            .send()
            .await;
        assert_eq!(answer.status, 404, "{customer} {card}");
        assert_eq!(common::code(answer.json()), "DW-ENTITY-NOT-FOUND");
    }
    let unknown_order = mock
        .get("/customers/1231122232/prepaid/cards/bulk/00000000-0000-4000-8000-000000000000")
        .send()
        .await;
    assert_eq!(unknown_order.status, 404);
    assert_eq!(
        mock.post("/customers/9999999999/prepaid/cards/bulk", order(1))
            .send()
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn invalid_requests_name_the_fields_in_field_errors() {
    let mock = Mock::start().await;
    for (body, field) in [
        (order(0), "quantity"),
        (order(51), "quantity"),
        (
            json!({"quantity": 1, "programName": "P", "currency": "EURO", "userAgent": "t"}),
            "currency",
        ),
        (
            json!({"quantity": 1, "programName": "P", "currency": "EUR"}),
            "userAgent",
        ),
        (
            json!({"quantity": 1, "programName": "P", "currency": "EUR", "userAgent": "t", "mobile": "12"}),
            "mobile",
        ),
    ] {
        let answer = mock
            .post("/customers/1231122232/prepaid/cards/bulk", body.clone())
            .send()
            .await;
        assert_eq!(answer.status, 400, "{body}");
        assert_eq!(
            answer.json()["error"]["fieldErrors"][0]["field"],
            field,
            "{body}"
        );
    }
    let missing_target = mock.post(ASSIGN, json!({})).send().await;
    assert_eq!(missing_target.status, 400);
    assert_eq!(
        missing_target.json()["error"]["fieldErrors"][0]["field"],
        "targetCustomerId"
    );
    let bad_card = mock
        .post(
            "/customers/1231122232/prepaid/cards/not-a-uuid/assignments",
            json!({"targetCustomerId": "1"}),
        )
        .send()
        .await;
    assert_eq!(bad_card.status, 400);
    let bad_limit = mock
        .get(&format!(
            "/customers/1231122232/prepaid/cards/bulk/{}?limit=51",
            common::BULK
        ))
        .send()
        .await;
    assert_eq!(bad_limit.status, 400);
}

#[tokio::test]
async fn a_missing_or_unknown_token_answers_the_documented_401() {
    let mock = Mock::start().await;
    for token in [None, Some("Bearer nope"), Some("Basic ZGVtbzpkZW1v")] {
        let mut req = mock
            .post(ASSIGN, json!({"targetCustomerId": "1233333323"}))
            .without_auth();
        if let Some(token) = token {
            req = req.header("authorization", token);
        }
        let answer = req.send().await;
        assert_eq!(answer.status, 401);
        assert_eq!(common::code(answer.json()), "5279");
        assert_eq!(common::message(answer.json()), "Invalid credentials");
    }
}

#[tokio::test]
async fn comments_in_the_demo_data_never_reach_an_answer() {
    let mock = Mock::start().await;
    // The demo order's second card carries a `_why` comment in the demo data.
    let order = mock
        .get(&format!("/customers/1231122232/prepaid/cards/bulk/{BULK}"))
        .send()
        .await;
    assert_eq!(order.status, 200);
    let text = order.json().to_string();
    assert!(!text.contains("_why"), "{text}");
    for card in order.json()["cards"].as_array().unwrap() {
        assert!(
            card.get("owner").is_none() && card.get("bulkId").is_none(),
            "{card}"
        );
    }
}
