//! The journal is bounded in bytes: large bodies (a 400 that repeats a huge value) are kept cut, with a
//! visible marker, and the admin API and its answers stay small.

mod common;

use common::Mock;
use serde_json::Value;

#[tokio::test]
async fn large_bodies_are_journaled_cut_with_a_marker() {
    let mock = Mock::start().await;
    let huge = "x".repeat(900 * 1024);
    for _ in 0..30 {
        // Paysafe's field error repeats the offending value: a ~900 KiB answer.
        let body = format!(r#"{{"quantity": "{huge}", "programName": "P", "currency": "EUR"}}"#);
        let answer = mock
            .post("/customers/1231122232/prepaid/cards/bulk", Value::Null)
            .raw_body(body, Some("application/json"))
            .send()
            .await;
        assert_eq!(answer.status, 400);
        assert!(
            answer.json().to_string().len() > 900 * 1024,
            "the answer itself is whole"
        );
    }
    let listed = mock
        .http
        .get(mock.url(&format!(
            "/__mock/requests?limit=1000&tenant={}",
            mock.tenant
        )))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        listed.len() < 2 * 1024 * 1024,
        "the journal answers {} bytes for 30 requests",
        listed.len()
    );
    let entries: Value = serde_json::from_str(&listed).unwrap();
    let entries = entries["requests"].as_array().unwrap();
    assert_eq!(entries.len(), 30);
    let newest = &entries[0];
    for side in ["requestBody", "responseBody"] {
        let text = newest[side]
            .as_str()
            .unwrap_or_else(|| panic!("{side} is kept as cut text"));
        assert!(
            text.contains("[cut by the mock"),
            "{side}: {}",
            &text[text.len() - 80..]
        );
    }
}
