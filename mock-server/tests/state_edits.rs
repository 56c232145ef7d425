//! One entity edited or removed over the admin API (as the web page does): through the same guarded
//! commit as the vendor APIs, so unique keys move with the entity and must be free.

mod common;

use common::Mock;
use serde_json::json;

const MEDIA: &str = "/v1/customers/1001/access-mediums";

#[tokio::test]
async fn an_edit_keeps_unique_keys_in_step_and_refuses_a_taken_one() {
    let mock = Mock::start().await;
    let url = |id: &str| format!("/__mock/state/magicline.medium/{id}?tenant={}", mock.tenant);
    let added = mock
        .post(MEDIA, json!({"type": "BARCODE", "value": "SECOND"}))
        .send()
        .await;
    assert_eq!(added.status, 200, "{:?}", added.body);
    let second = added.json()["id"].to_string();

    // Taking the demo medium's value is refused, and nothing changes.
    let taken =
        json!({"id": 1, "type": "BARCODE", "value": "DEMO-BARCODE-1001", "customerId": "1001"});
    let (status, body) = mock.admin("PUT", &url(&second), Some(taken)).await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("BARCODE:DEMO-BARCODE-1001"),
        "{body}"
    );

    // A free value is taken, and the old one is released: the API may add it again.
    let moved = json!({"id": 1, "type": "BARCODE", "value": "EDITED", "customerId": "1001"});
    let (status, body) = mock.admin("PUT", &url(&second), Some(moved.clone())).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["entity"], moved);
    let clash = mock
        .post(MEDIA, json!({"type": "BARCODE", "value": "EDITED"}))
        .send()
        .await;
    assert_eq!(clash.status, 409, "the edited value is held");
    let freed = mock
        .post(MEDIA, json!({"type": "BARCODE", "value": "SECOND"}))
        .send()
        .await;
    assert_eq!(freed.status, 200, "the old value was released");

    // Removing it releases its key too.
    let (status, _) = mock.admin("DELETE", &url(&second), None).await;
    assert_eq!(status, 204);
    let (status, _) = mock.admin("DELETE", &url(&second), None).await;
    assert_eq!(status, 404);
    let again = mock
        .post(MEDIA, json!({"type": "BARCODE", "value": "EDITED"}))
        .send()
        .await;
    assert_eq!(again.status, 200);
}

#[tokio::test]
async fn index_kinds_and_bad_bodies_are_refused() {
    let mock = Mock::start().await;
    let (status, body) = mock
        .admin(
            "PUT",
            "/__mock/state/magicline.medium%23typeValue/BARCODE:X",
            Some(json!({"id": "1"})),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let response = mock
        .http
        .put(mock.url("/__mock/state/magicline.medium/1"))
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let (status, _) = mock
        .admin(
            "PUT",
            "/__mock/state/magicline.medium/1",
            Some(json!([1, 2])),
        )
        .await;
    assert_eq!(status, 400, "a resource with unique keys holds objects");
}
