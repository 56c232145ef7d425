//! Every documented status of every operation can be produced, each with a body valid for it; and a
//! documented example can be asked for by name.

mod common;

use common::Mock;
use concord_mock::contract::Contract;

/// A concrete path for a template, with demo values.
fn concrete(template: &str) -> String {
    template
        .replace(
            "{customerId}",
            if template.starts_with("/v1/") {
                "1001"
            } else {
                "1231122232"
            },
        )
        .replace("{accessMediumId}", "1234567890")
        .replace("{cardId}", common::CARD)
        .replace("{bulkId}", common::BULK)
        .replace("{correlation_id}", "demo-active")
        .replace("{identifier}", "100200300")
        .replace("{org_id}", "telco")
        .replace("{customer_id}", common::MASSTACK_CUSTOMER)
        .replace("{credential_id}", "028076fa-c264-42bb-9983-8872a576be28")
}

/// Every (operation, status) pair of a document: counted from the document itself, not the compiled contract.
fn documented_pairs(document: &serde_json::Value) -> usize {
    document["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter(|op| op.get("operationId").is_some())
        .map(|op| {
            let count = |key: &str| op[key].as_object().map_or(0, |m| m.len());
            count("responses") + count("x-omitted-responses")
        })
        .sum()
}

#[tokio::test]
async fn every_documented_status_of_every_operation_is_answered_with_a_valid_body() {
    // Data-driven over whatever the document holds: no operation, vendor or count is named here.
    let contract = Contract::embedded();
    let report = concord_mock::self_check::every_documented_answer(
        contract.clone(),
        concord_mock::demo_data::embedded(),
    )
    .await;
    assert_eq!(report.pairs, documented_pairs(&contract.document));
    assert!(report.pairs > 0);
    let findings: Vec<String> = report.findings.iter().map(ToString::to_string).collect();
    assert!(findings.is_empty(), "{findings:#?}");
}

#[tokio::test]
async fn a_named_example_is_answered_with_its_status_and_body() {
    let mock = Mock::start().await;
    let answer = mock
        .post(common::ASSIGN, serde_json::json!({}))
        .header("prefer", "example=ALREADY_ASSIGNED_CARD")
        .send()
        .await;
    assert_eq!(answer.status, 400);
    assert_eq!(
        common::code(answer.json()),
        "DW-PREPAID-CARDS-ALREADY-ASSIGNED-CARD"
    );
    let answer = mock
        .get("/v1/customers/1001/access-code")
        .header("prefer", "code=403, example=PERMISSION_DENIED")
        .send()
        .await;
    assert_eq!(answer.status, 403);
    assert_eq!(answer.json()["errorCode"], "errormessage.permission.denied");
    assert!(
        answer.json()["traceId"]
            .as_str()
            .is_some_and(|t| t != "4f1b2c3d4e5f60718296"),
        "a fresh traceId"
    );
}

#[tokio::test]
async fn an_undocumented_preference_answers_400_listing_what_is_documented() {
    let mock = Mock::start().await;
    let answer = mock
        .get("/v1/customers/1001/access-code")
        .header("prefer", "code=418")
        .send()
        .await;
    assert_eq!(answer.status, 400);
    let message = common::message(answer.json());
    assert!(
        message.contains("Documented statuses: 200, 400, 401, 403, 404, 409, 429, 500, 503"),
        "{message}"
    );
    let answer = mock
        .delete(&concrete(
            "/v4/orgs/{org_id}/customers/{customer_id}/credentials/{credential_id}",
        ))
        .header("prefer", "example=NOPE")
        .send()
        .await;
    assert_eq!(answer.status, 400);
    assert!(common::message(answer.json()).contains("example=NOPE"));
}

#[tokio::test]
async fn retry_after_accompanies_the_documented_429_and_503() {
    let mock = Mock::start().await;
    for (path, code) in [
        ("/v1/customers/1001/access-code", 429),
        (common::CREDENTIALS, 503),
    ] {
        let answer = mock
            .get(path)
            .header("prefer", &format!("code={code}"))
            .send()
            .await;
        assert_eq!(answer.status, code);
        assert_eq!(answer.header("retry-after"), Some("1"), "{path}");
    }
}

#[tokio::test]
async fn a_preferred_delay_delays_the_answer() {
    let mock = Mock::start().await;
    let started = std::time::Instant::now();
    let answer = mock
        .get("/v1/customers/1001/access-code")
        .header("prefer", "delay=300")
        .send()
        .await;
    assert_eq!(answer.status, 200);
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));
}
