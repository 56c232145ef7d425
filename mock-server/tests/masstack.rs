//! MasStack rules: credentials created with an id, listed, deleted (then 404); unique usernames; the
//! 82-character limit; roles; unknown org and customer.

mod common;

use common::{CREDENTIALS, Mock};
use serde_json::json;

#[tokio::test]
async fn the_documented_curl_examples_work_as_written() {
    let mock = Mock::start().await;
    let created = mock
        .post(CREDENTIALS, json!({"username": "username@masmovil.com"}))
        .send()
        .await;
    assert_eq!(created.status, 201);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let listed = mock.get(CREDENTIALS).send().await;
    assert_eq!(listed.status, 200);
    let usernames = listed.texts("username");
    assert!(usernames.contains(&"username@masmovil.com"));
    let deleted = mock
        .delete(&format!(
            "{CREDENTIALS}/028076fa-c264-42bb-9983-8872a576be28"
        ))
        .send()
        .await;
    assert_eq!(deleted.status, 204);
    assert!(deleted.body.is_none());
    let gone = mock
        .delete(&format!(
            "{CREDENTIALS}/028076fa-c264-42bb-9983-8872a576be28"
        ))
        .send()
        .await;
    assert_eq!(gone.status, 404);
    let listed = mock.get(CREDENTIALS).send().await;
    let ids = listed.texts("id");
    assert_eq!(ids, [id.as_str()]);
}

#[tokio::test]
async fn usernames_are_unique_in_the_org_and_at_most_82_characters() {
    let mock = Mock::start().await;
    let duplicate = mock
        .post(CREDENTIALS, json!({"username": "ana.garcia@masmovil.com"}))
        .send()
        .await;
    assert_eq!(duplicate.status, 409);
    assert_eq!(
        duplicate.json()["errors"][0]["error"]["code"],
        "MCUS.999.409"
    );
    let other_customer =
        "/v4/orgs/telco/customers/9b2f7c1e-4d3a-4e5b-8c6d-7e8f9a0b1c2d/credentials";
    assert_eq!(
        mock.post(
            other_customer,
            json!({"username": "ANA.GARCIA@masmovil.com"})
        )
        .send()
        .await
        .status,
        409
    );
    let longest = "a".repeat(82);
    assert_eq!(
        mock.post(CREDENTIALS, json!({"username": longest}))
            .send()
            .await
            .status,
        201
    );
    let too_long = mock
        .post(CREDENTIALS, json!({"username": "a".repeat(83)}))
        .send()
        .await;
    assert_eq!(too_long.status, 400);
    assert_eq!(
        too_long.json()["errors"][0]["error"]["code"],
        "MCUS.999.998"
    );
    assert!(
        too_long.json()["errors"][0]["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("username")
    );
    for body in [
        json!({}),
        json!({"username": ""}),
        json!({"username": "   "}),
        json!({"username": 7}),
    ] {
        assert_eq!(
            mock.post(CREDENTIALS, body.clone()).send().await.status,
            400,
            "{body}"
        );
    }
}

#[tokio::test]
async fn another_customers_credential_cannot_be_deleted() {
    let mock = Mock::start().await;
    let other = "/v4/orgs/telco/customers/9b2f7c1e-4d3a-4e5b-8c6d-7e8f9a0b1c2d/credentials";
    let answer = mock
        .delete(&format!("{other}/028076fa-c264-42bb-9983-8872a576be28"))
        .send()
        .await;
    assert_eq!(answer.status, 404);
    assert_eq!(
        mock.get(CREDENTIALS)
            .send()
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1,
        "still there"
    );
}

#[tokio::test]
async fn unknown_orgs_customers_and_malformed_ids() {
    let mock = Mock::start().await;
    assert_eq!(
        mock.get("/v4/orgs/nope/customers/123e4567-e89b-12d3-a456-556642440000/credentials")
            .send()
            .await
            .status,
        404
    );
    assert_eq!(
        mock.get("/v4/orgs/telco/customers/00000000-0000-4000-8000-000000000000/credentials")
            .send()
            .await
            .status,
        404
    );
    let bad = mock
        .get("/v4/orgs/telco/customers/not-a-uuid/credentials")
        .send()
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        mock.delete(&format!("{CREDENTIALS}/not-a-uuid"))
            .send()
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn the_bearer_token_and_the_api_key_role_are_both_required() {
    let mock = Mock::start().await;
    let no_token = mock
        .get(CREDENTIALS)
        .without_auth()
        .header("x-auth-roles", "API_KEY")
        .send()
        .await;
    assert_eq!(no_token.status, 401);
    let no_role = mock
        .get(CREDENTIALS)
        .without_auth()
        .header("authorization", "Bearer demo-masstack-token")
        .send()
        .await;
    assert_eq!(no_role.status, 403);
    let other_roles = mock
        .get(CREDENTIALS)
        .without_auth()
        .header("authorization", "Bearer demo-masstack-token")
        .header("x-auth-roles", "USER")
        .send()
        .await;
    assert_eq!(other_roles.status, 403);
    let several = mock
        .get(CREDENTIALS)
        .without_auth()
        .header("authorization", "Bearer demo-masstack-token")
        .header("x-auth-roles", "USER, API_KEY")
        .send()
        .await;
    assert_eq!(several.status, 200);
    let neither = mock.get(CREDENTIALS).without_auth().send().await;
    assert_eq!(neither.status, 401, "401 wins over 403");
}

#[tokio::test]
async fn other_methods_on_a_credential_answer_405_without_a_body() {
    let mock = Mock::start().await;
    for method in ["GET", "PUT", "PATCH", "POST"] {
        let answer = mock
            .req(
                method,
                &format!("{CREDENTIALS}/028076fa-c264-42bb-9983-8872a576be28"),
            )
            .unchecked()
            .send()
            .await;
        assert_eq!(answer.status, 405, "{method}");
        assert_eq!(answer.header("allow"), Some("DELETE"));
        assert!(answer.body.is_none());
    }
}

#[tokio::test]
async fn protocol_errors_carry_their_own_title() {
    let mock = Mock::start().await;
    let too_large = mock
        .post(CREDENTIALS, json!({}))
        .raw_body(vec![b'x'; 2 * 1024 * 1024], Some("application/json"))
        .unchecked()
        .send()
        .await;
    assert_eq!(too_large.status, 413);
    let error = &too_large.json()["errors"][0]["error"];
    assert_eq!(error["title"], "Payload Too Large", "{error}");
    assert_eq!(error["code"], "MCUS.999.413");
    let wrong_type = mock
        .post(CREDENTIALS, json!({}))
        .raw_body("username=ana", Some("application/x-www-form-urlencoded"))
        .unchecked()
        .send()
        .await;
    assert_eq!(wrong_type.status, 415);
    assert_eq!(
        wrong_type.json()["errors"][0]["error"]["title"],
        "Unsupported Media Type"
    );
}
