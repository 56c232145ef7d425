//! Business rules hold under real parallel load on loopback: they are guards checked inside the store.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{ASSIGN, Mock};
use serde_json::{Value, json};

/// Sends `n` requests at once and returns (status, body) of each.
async fn all_at_once<F, Fut>(n: usize, request: F) -> Vec<(u16, Value)>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = common::Answer> + Send + 'static,
{
    let tasks: Vec<_> = (0..n).map(|i| tokio::spawn(request(i))).collect();
    let mut answers = Vec::new();
    for task in tasks {
        let answer = task.await.unwrap();
        answers.push((answer.status, answer.body.unwrap_or(Value::Null)));
    }
    answers
}

fn statuses(answers: &[(u16, Value)]) -> BTreeMap<u16, usize> {
    let mut counts = BTreeMap::new();
    for (status, _) in answers {
        *counts.entry(*status).or_default() += 1;
    }
    counts
}

fn shared() -> std::sync::Arc<Mock> {
    let runtime = tokio::runtime::Handle::current();
    std::sync::Arc::new(
        std::thread::spawn(move || runtime.block_on(Mock::start()))
            .join()
            .unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_concurrent_assignments_of_one_card_have_exactly_one_winner() {
    let mock = shared();
    let answers = all_at_once(200, |_| {
        let mock = mock.clone();
        async move {
            mock.post(ASSIGN, json!({"targetCustomerId": "1233333323"}))
                .send()
                .await
        }
    })
    .await;
    assert_eq!(statuses(&answers), BTreeMap::from([(200, 1), (400, 199)]));
    for (status, body) in &answers {
        if *status == 400 {
            assert_eq!(common::code(body), "DW-PREPAID-CARDS-ALREADY-ASSIGNED-CARD");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_concurrent_credential_creates_give_a_thousand_distinct_ids() {
    let mock = shared();
    // This demo customer starts without credentials.
    const PATH: &str = "/v4/orgs/telco/customers/9b2f7c1e-4d3a-4e5b-8c6d-7e8f9a0b1c2d/credentials";
    let answers = all_at_once(1000, |i| {
        let mock = mock.clone();
        async move {
            mock.post(PATH, json!({"username": format!("user{i}@example.com")}))
                .send()
                .await
        }
    })
    .await;
    assert_eq!(statuses(&answers), BTreeMap::from([(201, 1000)]));
    let ids: BTreeSet<&str> = answers
        .iter()
        .map(|(_, b)| b["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 1000);
    let listed = mock.get(PATH).send().await;
    let listed_ids: BTreeSet<&str> = listed.texts("id").into_iter().collect();
    assert_eq!(listed_ids, ids, "the list holds exactly the 1,000 created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_duplicate_usernames_have_exactly_one_winner() {
    let mock = shared();
    let answers = all_at_once(100, |_| {
        let mock = mock.clone();
        async move {
            mock.post(common::CREDENTIALS, json!({"username": "race@example.com"}))
                .send()
                .await
        }
    })
    .await;
    assert_eq!(statuses(&answers), BTreeMap::from([(201, 1), (409, 99)]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_card_adds_never_pass_the_accounts_limit() {
    let mock = shared();
    // demo-active holds 1 card; its limit is 5.
    let answers = all_at_once(60, |_| {
        let mock = mock.clone();
        async move {
            mock.post("/client/users/demo-active/cards", json!({"quantity": 1}))
                .send()
                .await
        }
    })
    .await;
    assert_eq!(statuses(&answers), BTreeMap::from([(200, 4), (400, 56)]));
    for (status, body) in &answers {
        if *status == 400 {
            assert_eq!(body["errorMessage"], "Maximum number of cards exceeded.");
        }
    }
    let (_, state) = mock
        .admin(
            "GET",
            &format!("/__mock/state?tenant={}", mock.tenant),
            None,
        )
        .await;
    assert_eq!(
        state["state"]["es.account"]["100200300"]["cards"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_duplicate_access_mediums_have_exactly_one_winner() {
    let mock = shared();
    let answers = all_at_once(100, |_| {
        let mock = mock.clone();
        async move {
            mock.post(
                "/v1/customers/1001/access-mediums",
                json!({"type": "CARD_NUMBER", "value": "RACE-1"}),
            )
            .send()
            .await
        }
    })
    .await;
    assert_eq!(statuses(&answers), BTreeMap::from([(200, 1), (409, 99)]));
    // Distinct values added at once all succeed, each with its own id.
    let answers = all_at_once(50, |i| {
        let mock = mock.clone();
        async move {
            mock.post(
                "/v1/customers/1001/access-mediums",
                json!({"type": "BARCODE", "value": format!("B-{i}")}),
            )
            .send()
            .await
        }
    })
    .await;
    assert_eq!(statuses(&answers), BTreeMap::from([(200, 50)]));
    let ids: BTreeSet<i64> = answers
        .iter()
        .map(|(_, b)| b["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 50);
}
