//! Magicline rules: scopes, studios, server-assigned ids, unique (type, value), update/delete only of
//! existing mediums, fresh access codes, the vendor's error body.

mod common;

use common::Mock;
use serde_json::json;

const MEDIUMS: &str = "/v1/customers/1001/access-mediums";

#[tokio::test]
async fn the_documented_example_adds_a_medium_with_a_server_assigned_id() {
    let mock = Mock::start().await;
    let answer = mock
        .post(
            MEDIUMS,
            json!({"id": 5, "type": "CARD_NUMBER", "value": "04A1B2C3D4"}),
        )
        .send()
        .await;
    assert_eq!(answer.status, 200);
    let id = answer.json()["id"].as_i64().unwrap();
    assert_ne!(id, 5, "a client-sent id is ignored");
    assert_eq!(answer.json()["value"], "04A1B2C3D4");
    assert_eq!(
        answer.header("deprecation"),
        Some("true"),
        "the operation is deprecated"
    );
    let second = mock
        .post(MEDIUMS, json!({"type": "PIN", "value": "1234"}))
        .send()
        .await;
    assert_ne!(second.json()["id"].as_i64().unwrap(), id, "ids are unique");
}

#[tokio::test]
async fn a_type_and_value_pair_is_unique_in_the_tenant() {
    let mock = Mock::start().await;
    let medium = json!({"type": "CARD_NUMBER", "value": "DUP-1"});
    assert_eq!(mock.post(MEDIUMS, medium.clone()).send().await.status, 200);
    let again = mock.post(MEDIUMS, medium.clone()).send().await;
    assert_eq!(again.status, 409);
    assert!(again.json()["traceId"].is_string());
    // The same value under another type is another medium.
    assert_eq!(
        mock.post(MEDIUMS, json!({"type": "BARCODE", "value": "DUP-1"}))
            .send()
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn invalid_mediums_get_400_with_the_offending_field_as_reference() {
    let mock = Mock::start().await;
    let cases = [
        (json!({"type": "FACE", "value": "x"}), "type"),
        (json!({"type": "CARD_NUMBER"}), "value"),
        (json!({"type": "CARD_NUMBER", "value": ""}), "value"),
        (json!({"type": "CARD_NUMBER", "value": 7}), "value"),
        (json!({"value": "x"}), "type"),
    ];
    for (body, field) in cases {
        let answer = mock.post(MEDIUMS, body.clone()).send().await;
        assert_eq!(answer.status, 400, "{body}");
        assert_eq!(
            answer.json()["errorMessage"],
            "Validation of the request failed."
        );
        assert_eq!(answer.json()["reference"], field, "{body}");
    }
}

#[tokio::test]
async fn scopes_studios_and_keys_are_enforced() {
    let mock = Mock::start().await;
    let readonly = mock
        .post(MEDIUMS, json!({"type": "CARD_NUMBER", "value": "RO-1"}))
        .header("x-api-key", "demo-magicline-readonly")
        .send()
        .await;
    assert_eq!(readonly.status, 403);
    assert_eq!(
        readonly.json()["errorMessage"],
        "Authorization failed. The caller has no privilege to the given resource."
    );
    let code = mock
        .get("/v1/customers/1001/access-code")
        .header("x-api-key", "demo-magicline-readonly")
        .send()
        .await;
    assert_eq!(
        code.status, 200,
        "CUSTOMER_READ is enough to read the access code"
    );
    let other_studio = mock.get("/v1/customers/1002/access-code").send().await;
    assert_eq!(other_studio.status, 403);
    assert_eq!(
        other_studio.json()["errorCode"],
        "errormessage.permission.denied"
    );
    for key in [None, Some("wrong-key")] {
        let mut req = mock.get("/v1/customers/1001/access-code").without_auth();
        if let Some(key) = key {
            req = req.header("x-api-key", key);
        }
        let answer = req.send().await;
        assert_eq!(answer.status, 401);
        assert_eq!(
            answer.json()["errorMessage"],
            "Authentication failed. No api-key, wrong api-key or wrong header name."
        );
    }
    let misnamed = mock
        .get("/v1/customers/1001/access-code")
        .without_auth()
        .header("authorization", "demo-magicline-key")
        .send()
        .await;
    assert_eq!(
        misnamed.status, 401,
        "the key in the wrong header is refused"
    );
}

#[tokio::test]
async fn unknown_customers_and_mediums_answer_404() {
    let mock = Mock::start().await;
    let answer = mock.get("/v1/customers/4242/access-code").send().await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.json()["errorMessage"], "Entity does not exists.");
    assert_eq!(
        mock.put(
            "/v1/customers/1001/access-mediums/77",
            json!({"value": "x"})
        )
        .send()
        .await
        .status,
        404
    );
    assert_eq!(
        mock.delete("/v1/customers/1001/access-mediums/77")
            .send()
            .await
            .status,
        404
    );
    assert_eq!(
        mock.post(
            "/v1/customers/4242/access-mediums",
            json!({"type": "PIN", "value": "1"})
        )
        .send()
        .await
        .status,
        404
    );
}

#[tokio::test]
async fn update_and_delete_apply_only_to_the_customers_existing_mediums() {
    let mock = Mock::start().await;
    // The demo medium 1234567890 (the page's example id) belongs to customer 1001.
    let updated = mock
        .put(
            "/v1/customers/1001/access-mediums/1234567890",
            json!({"value": "NEW-VALUE"}),
        )
        .send()
        .await;
    assert_eq!(updated.status, 200);
    assert_eq!(updated.json()["value"], "NEW-VALUE");
    assert_eq!(updated.json()["id"], 1234567890);
    // The old value is free again, the new one is taken.
    assert_eq!(
        mock.post(
            MEDIUMS,
            json!({"type": "BARCODE", "value": "DEMO-BARCODE-1001"})
        )
        .send()
        .await
        .status,
        200
    );
    assert_eq!(
        mock.post(MEDIUMS, json!({"type": "BARCODE", "value": "NEW-VALUE"}))
            .send()
            .await
            .status,
        409
    );
    let deleted = mock
        .delete("/v1/customers/1001/access-mediums/1234567890")
        .send()
        .await;
    assert_eq!(deleted.status, 200);
    assert!(deleted.body.is_none(), "DELETE answers 200 without a body");
    assert_eq!(
        mock.delete("/v1/customers/1001/access-mediums/1234567890")
            .send()
            .await
            .status,
        404
    );
    assert_eq!(
        mock.post(MEDIUMS, json!({"type": "BARCODE", "value": "NEW-VALUE"}))
            .send()
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn every_access_code_is_fresh_and_expires_in_the_future() {
    let mock = Mock::start().await;
    let first = mock.get("/v1/customers/1001/access-code").send().await;
    let second = mock.get("/v1/customers/1001/access-code").send().await;
    assert_eq!(first.json()["format"], "QR_CODE");
    assert_ne!(first.json()["content"], second.json()["content"]);
    let content = first.json()["content"].as_str().unwrap();
    assert!(content.len() == 19 && content.chars().all(|c| c.is_ascii_digit()));
    let expires: chrono::DateTime<chrono::Utc> =
        first.json()["expiresAt"].as_str().unwrap().parse().unwrap();
    assert!(expires > chrono::Utc::now());
}

#[tokio::test]
async fn path_ids_that_are_not_int64_are_refused() {
    let mock = Mock::start().await;
    for id in ["abc", "99999999999999999999", "1.5"] {
        let answer = mock
            .get(&format!("/v1/customers/{id}/access-code"))
            .send()
            .await;
        assert_eq!(answer.status, 400, "{id}");
        assert_eq!(answer.json()["reference"], "customerId");
    }
}
