//! ES Loyalty rules: sessions give the correlation id; account status, registration, the digital flag and
//! the card limit each give their documented error; physical cards outside the pool are a partial success.

mod common;

use common::Mock;
use serde_json::json;

fn cards(session: &str) -> String {
    format!("/client/users/{session}/cards")
}

#[tokio::test]
async fn each_demo_session_gives_its_documented_answer() {
    let mock = Mock::start().await;
    let cases = [
        ("demo-active", 200, ""),
        ("demo-closed", 401, "Account status is CLOSED."),
        (
            "demo-deceased",
            400,
            "Account status is set to \"CLOSED\" or \"DECEASED\".",
        ),
        ("demo-unregistered", 400, "Member's account not registered."),
        ("demo-digital-disabled", 400, "Digital cards not enabled."),
        ("demo-card-limit", 400, "Maximum number of cards exceeded."),
        ("no-such-session", 401, "Invalid session."),
    ];
    for (session, status, message) in cases {
        let answer = mock
            .post(&cards(session), json!({"quantity": 1}))
            .send()
            .await;
        assert_eq!(answer.status, status, "{session}");
        if status != 200 {
            assert_eq!(answer.json()["errorMessage"], message, "{session}");
            assert_eq!(answer.json()["statusCode"], status);
        }
        assert!(
            answer
                .header("mck-msgid")
                .is_some_and(|id| id.starts_with("mck-")),
            "{session}"
        );
        assert_eq!(answer.header("mck_correlationid"), Some(session));
        assert_eq!(answer.header("mck-appid"), Some("ES-CS-V1"));
        assert!(answer.header("x-amzn-requestid").is_some());
    }
}

#[tokio::test]
async fn a_started_session_names_the_account_in_card_calls() {
    let mock = Mock::start().await;
    let started = mock
        .post(
            "/client/users/member@example.com/sessions",
            json!({"correlationId": "my-session", "channel": "WEBSITE"}),
        )
        .header("x-identifier-type", "EMAIL")
        .send()
        .await;
    assert_eq!(started.status, 200);
    assert_eq!(started.json()["accountId"], "100200300");
    assert_eq!(started.json()["correlationId"], "my-session");
    let added = mock
        .post(&cards("my-session"), json!({"quantity": 2}))
        .send()
        .await;
    assert_eq!(added.status, 200);
    assert_eq!(added.json()["successList"].as_array().unwrap().len(), 2);
    let by_loyalty_id = mock
        .post(
            "/client/users/6001000000000000/sessions",
            json!({"correlationId": "s2", "channel": "APP"}),
        )
        .header("x-identifier-type", "LOYALTY_ID")
        .send()
        .await;
    assert_eq!(by_loyalty_id.json()["accountId"], "100200300");
    let unknown = mock
        .post(
            "/client/users/nobody/sessions",
            json!({"correlationId": "s3", "channel": "APP"}),
        )
        .send()
        .await;
    assert_eq!(unknown.status, 400);
    let blank_channel = mock
        .post(
            "/client/users/100200300/sessions",
            json!({"correlationId": "s4", "channel": ""}),
        )
        .send()
        .await;
    assert_eq!(blank_channel.status, 400);
    assert_eq!(
        blank_channel.json()["errorMessage"],
        "channel must not be blank."
    );
}

#[tokio::test]
async fn physical_cards_outside_the_pool_are_a_partial_success() {
    let mock = Mock::start().await;
    let answer = mock
        .post(
            &cards("demo-active"),
            json!({"physicalCards": [
                {"loyaltyId": 6001000000000001u64, "isDefault": true},
                {"loyaltyId": 6009999999999999u64},
                {"loyaltyId": 6001000000000099u64}
            ]}),
        )
        .send()
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["successList"], json!([6001000000000001u64]));
    assert_eq!(
        answer.json()["errorList"],
        json!([6009999999999999u64, 6001000000000099u64])
    );
    assert!(
        answer.json()["errorMessage"]
            .as_str()
            .unwrap()
            .contains("6009999999999999")
    );
    // Now linked, the card cannot be added again.
    let again = mock
        .post(
            &cards("demo-active"),
            json!({"physicalCards": [{"loyaltyId": 6001000000000001u64}]}),
        )
        .send()
        .await;
    assert_eq!(again.json()["errorList"], json!([6001000000000001u64]));
}

#[tokio::test]
async fn the_request_rules_of_the_page_hold() {
    let mock = Mock::start().await;
    let cases = [
        (
            json!({"quantity": 0}),
            "At least one card should be requested.",
        ),
        (json!({}), "At least one card should be requested."),
        (
            json!({"physicalCards": []}),
            "At least one card should be requested.",
        ),
        (
            json!({"physicalCards": [{"cardLabel": "no id"}]}),
            "Invalid loyaltyId",
        ),
        (
            json!({"physicalCards": [{"loyaltyId": 6001000000000002u64}], "quantity": 1}),
            "Either digital or physical cards can be added in a request, not both.",
        ),
    ];
    for (body, message) in cases {
        let answer = mock.post(&cards("demo-active"), body.clone()).send().await;
        assert_eq!(answer.status, 400, "{body}");
        assert_eq!(answer.json()["errorMessage"], message, "{body}");
        assert_eq!(answer.json()["errorCode"], "INVALID_REQUEST");
    }
}

#[tokio::test]
async fn the_card_limit_counts_cards_already_on_the_account() {
    let mock = Mock::start().await;
    // demo-active holds 1 card of 5.
    assert_eq!(
        mock.post(&cards("demo-active"), json!({"quantity": 4}))
            .send()
            .await
            .status,
        200
    );
    let over = mock
        .post(&cards("demo-active"), json!({"quantity": 1}))
        .send()
        .await;
    assert_eq!(over.status, 400);
    assert_eq!(
        over.json()["errorMessage"],
        "Maximum number of cards exceeded."
    );
}

#[tokio::test]
async fn a_bad_token_answers_401_api_validation() {
    let mock = Mock::start().await;
    let answer = mock
        .post(&cards("demo-active"), json!({"quantity": 1}))
        .without_auth()
        .send()
        .await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.json()["errorCode"], "API_VALIDATION");
    assert_eq!(
        answer.json()["errorMessage"],
        "Invalid or missing access token."
    );
}
