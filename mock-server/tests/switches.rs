//! The response switch: per tenant and operation, a documented status or named example (and a latency)
//! from the next call on, until switched back; visible in the journal; a request's own `Prefer` wins.

mod common;

use std::time::{Duration, Instant};

use common::{BULK, Mock};
use serde_json::{Value, json};

const OP: &str = "paysafe_get_bulk_order";

fn bulk_path() -> String {
    format!("/customers/1231122232/prepaid/cards/bulk/{BULK}")
}

async fn journal_newest(mock: &Mock) -> Value {
    let (_, journal) = mock
        .admin(
            "GET",
            &format!("/__mock/requests?tenant={}&limit=1", mock.tenant),
            None,
        )
        .await;
    journal["requests"][0].clone()
}

#[tokio::test]
async fn a_switch_forces_a_named_example_until_switched_back_and_the_journal_says_so() {
    let mock = Mock::start().await;
    assert_eq!(mock.get(&bulk_path()).send().await.status, 200);
    let (status, set) = mock
        .admin(
            "PUT",
            &format!("/__mock/switches/{OP}?tenant={}", mock.tenant),
            Some(json!({"example": "ENTITY_NOT_FOUND"})),
        )
        .await;
    assert_eq!(status, 200, "{set}");
    assert_eq!(
        set["switch"],
        json!({"operation": OP, "example": "ENTITY_NOT_FOUND"})
    );

    let forced = mock.get(&bulk_path()).send().await;
    assert_eq!(forced.status, 404);
    assert_eq!(forced.json()["error"]["code"], "DW-ENTITY-NOT-FOUND");
    let entry = journal_newest(&mock).await;
    assert_eq!(
        entry["forced"],
        json!({"by": "switch", "example": "ENTITY_NOT_FOUND", "delayMs": 0}),
        "{entry:#}"
    );
    // It stays until switched back, and only for this tenant.
    assert_eq!(mock.get(&bulk_path()).send().await.status, 404);
    assert_eq!(
        mock.get(&bulk_path())
            .tenant("someone-else")
            .send()
            .await
            .status,
        200
    );
    // A request's own Prefer header is more specific than the switch.
    let preferred = mock
        .get(&bulk_path())
        .header("prefer", "example=NO_SUCH_CUSTOMER")
        .send()
        .await;
    assert_eq!(preferred.json()["error"]["code"], "DW-NO-SUCH-CUSTOMER");
    assert_eq!(journal_newest(&mock).await["forced"]["by"], "prefer");

    let (_, listed) = mock
        .admin(
            "GET",
            &format!("/__mock/switches?tenant={}", mock.tenant),
            None,
        )
        .await;
    assert_eq!(listed["switches"].as_array().unwrap().len(), 1, "{listed}");
    let (status, _) = mock
        .admin(
            "DELETE",
            &format!("/__mock/switches/{OP}?tenant={}", mock.tenant),
            None,
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(mock.get(&bulk_path()).send().await.status, 200);
    assert!(journal_newest(&mock).await.get("forced").is_none());
    let (status, _) = mock
        .admin(
            "DELETE",
            &format!("/__mock/switches/{OP}?tenant={}", mock.tenant),
            None,
        )
        .await;
    assert_eq!(status, 404, "it was already switched back");
}

#[tokio::test]
async fn a_switch_can_add_latency_and_a_status_and_a_reset_ends_it() {
    let mock = Mock::start().await;
    let (status, _) = mock
        .admin(
            "PUT",
            &format!("/__mock/switches/{OP}?tenant={}", mock.tenant),
            Some(json!({"status": 503, "delayMs": 300})),
        )
        .await;
    assert_eq!(status, 200);
    let started = Instant::now();
    let answer = mock.get(&bulk_path()).send().await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(answer.status, 503);
    assert_eq!(
        journal_newest(&mock).await["forced"],
        json!({"by": "switch", "status": 503, "delayMs": 300})
    );
    mock.admin(
        "POST",
        &format!("/__mock/reset?tenant={}", mock.tenant),
        None,
    )
    .await;
    assert_eq!(mock.get(&bulk_path()).send().await.status, 200);
}

#[tokio::test]
async fn a_switch_must_be_documented_and_the_refusal_lists_what_is() {
    let mock = Mock::start().await;
    let put = |body: Value| {
        let mock = &mock;
        async move {
            mock.admin(
                "PUT",
                &format!("/__mock/switches/{OP}?tenant={}", mock.tenant),
                Some(body),
            )
            .await
        }
    };
    let (status, body) = put(json!({"status": 418})).await;
    assert_eq!(status, 400);
    let message = body["error"].as_str().unwrap();
    assert!(
        message.contains("code=418 is not documented for paysafe_get_bulk_order")
            && message.contains("ENTITY_NOT_FOUND"),
        "{message}"
    );
    assert_eq!(put(json!({"example": "NOPE"})).await.0, 400);
    let (status, body) = put(json!({"status": 400, "example": "ENTITY_NOT_FOUND"})).await;
    assert_eq!(status, 400);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .starts_with("example=ENTITY_NOT_FOUND with code=400 is not documented"),
        "{body}"
    );
    assert_eq!(
        put(json!({"status": 404, "example": "ENTITY_NOT_FOUND", "delayMs": 10}))
            .await
            .0,
        200
    );
    mock.admin(
        "DELETE",
        &format!("/__mock/switches?tenant={}", mock.tenant),
        None,
    )
    .await;
    assert_eq!(put(json!({})).await.0, 400);
    assert_eq!(put(json!({"delayMs": 999_999})).await.0, 400);
    assert_eq!(
        put(json!({"stauts": 404})).await.0,
        400,
        "unknown fields are refused"
    );
    let (status, _) = mock
        .admin(
            "PUT",
            "/__mock/switches/no_such_operation",
            Some(json!({"status": 404})),
        )
        .await;
    assert_eq!(status, 404);
    let (_, listed) = mock
        .admin(
            "GET",
            &format!("/__mock/switches?tenant={}", mock.tenant),
            None,
        )
        .await;
    assert_eq!(listed["switches"], json!([]));
}

#[tokio::test]
async fn operations_list_the_answers_a_switch_can_choose() {
    let mock = Mock::start().await;
    let (status, body) = mock.admin("GET", "/__mock/operations", None).await;
    assert_eq!(status, 200);
    let op = body["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == OP)
        .unwrap();
    assert_eq!(op["method"], "GET");
    assert_eq!(op["vendor"], "Paysafe");
    let not_found = op["answers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["status"] == 404)
        .unwrap();
    assert_eq!(
        not_found["examples"],
        json!(["NO_SUCH_CUSTOMER", "ENTITY_NOT_FOUND"])
    );
    // Every answer listed is one the switch accepts.
    for answer in op["answers"].as_array().unwrap() {
        let (status, body) = mock
            .admin(
                "PUT",
                &format!("/__mock/switches/{OP}?tenant={}", mock.tenant),
                Some(json!({"status": answer["status"]})),
            )
            .await;
        assert_eq!(status, 200, "{answer}: {body}");
    }
}
