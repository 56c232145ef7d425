//! Every journey runs against an embedded mock and reports what the vendors' documentation says it should,
//! twice in a row against the same mock, each run in a tenant of its own as the binaries do.

use concord_mock::MockServer;
use concord_sdk::Client;

async fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.url())
        .magicline_api_key("demo-magicline-key")
        .paysafe_token("demo-paysafe-token")
        .es_loyalty_token("demo-loyalty-token")
        .masstack_token("demo-masstack-token")
        .build()
        .unwrap()
}

#[tokio::test]
async fn every_journey_runs_against_the_mock_twice_in_a_row() {
    let server = MockServer::start_default().await.unwrap();
    let client = client(&server).await;
    for _ in 1..=2 {
        let run = client
            .with_header("x-mock-tenant", &concord_examples::fresh_tenant())
            .unwrap();
        every_journey(&run).await;
    }
}

async fn every_journey(client: &Client) {
    let client = client.clone();

    let lines = concord_examples::prepaid_cards::run(&client).await.unwrap();
    assert!(
        lines[1].starts_with("order status Completed, 2 cards"),
        "{lines:#?}"
    );
    assert_eq!(
        lines[3],
        "second assignment refused: 400 DW-PREPAID-CARDS-ALREADY-ASSIGNED-CARD"
    );

    let lines = concord_examples::member_access::run(&client).await.unwrap();
    assert!(lines[1].starts_with("QR code "), "{lines:#?}");
    assert!(lines[3].ends_with("deleted"));

    let lines = concord_examples::customer_logins::run(&client)
        .await
        .unwrap();
    assert_eq!(lines[0], "1 login(s) before");
    assert_eq!(lines[2], "duplicate refused: 409");
    assert_eq!(lines[3], "login deleted; 1 login(s) after");

    let lines = concord_examples::loyalty_cards::run(&client).await.unwrap();
    assert_eq!(
        lines[2],
        "physical: added [6001000000000002], refused [6009999999999999]"
    );
    assert_eq!(lines[3], "closed account: 401 Account status is CLOSED.");
}
