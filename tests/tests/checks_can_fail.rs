//! The contract checks are shown to fail when what they guard breaks.

use concord_contract_tests::{Harness, check_entry};
use concord_mock::contract::Contract;
use concord_sdk::ErrorKind;
use serde_json::json;

#[tokio::test]
async fn an_answer_the_mock_renders_wrongly_is_caught_by_the_journal_check_and_by_the_sdk() {
    let h = Harness::start().await;
    let admin = reqwest::Client::new();
    let state_url = format!("{}/__mock/state?tenant={}", h.server.url(), h.tenant);
    let mut state = h.admin("state").await;
    // A card whose stored status is outside the contract's CardStatus enum: the mock renders it as stored.
    state["state"]["paysafe.card"]["f16ba382-eb42-481a-b08f-c57bdc9aae24"]["status"] =
        json!("MELTED");
    assert_eq!(
        admin
            .put(&state_url)
            .json(&state)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    let err = h
        .client()
        .paysafe()
        .get_bulk_order("1231122232", "8d2b3a8c-3c54-4a0e-9a53-6bb3f7e0c001")
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Decode,
        "the SDK refuses a body outside the contract: {err:?}"
    );
    let violations = h.contract_violations().await;
    assert_eq!(violations.len(), 1, "{violations:#?}");
    assert!(
        violations[0].starts_with("paysafe_get_bulk_order 200: /cards[0].status"),
        "{violations:#?}"
    );
}

#[test]
fn the_journal_check_names_undocumented_statuses_and_unmatched_paths() {
    let index = Contract::embedded();
    let undocumented =
        json!({"operation": "masstack_list_credentials", "status": 418, "responseBody": {}});
    assert_eq!(
        check_entry(&index, &undocumented),
        ["masstack_list_credentials 418: status not documented"]
    );
    let body_on_204 =
        json!({"operation": "masstack_delete_credential", "status": 204, "responseBody": {"x": 1}});
    assert_eq!(check_entry(&index, &body_on_204).len(), 1);
    let unmatched = json!({"operation": null, "method": "GET", "path": "/nowhere", "status": 404});
    assert!(check_entry(&index, &unmatched)[0].contains("matched no operation"));
    let fine =
        json!({"operation": "masstack_delete_credential", "status": 204, "responseBody": null});
    assert!(check_entry(&index, &fine).is_empty());
}
