//! What the SDK's behaviour tests share: a client for a wiremock server, and a call to any operation by id.
#![allow(dead_code, deprecated, unreachable_pub)]

use std::time::Duration;

use concord_sdk::types::*;
use concord_sdk::{Client, RetryPolicy};

pub const CARD: &str = "f16ba382-eb42-481a-b08f-c57bdc9aae24";
pub const MASSTACK_CUSTOMER: &str = "123e4567-e89b-12d3-a456-556642440000";
pub const CREDENTIAL: &str = "028076fa-c264-42bb-9983-8872a576be28";
pub const BULK: &str = "8d2b3a8c-3c54-4a0e-9a53-6bb3f7e0c001";

/// Fast retries so the tests do not wait for real backoff.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(10))
        .max_backoff(Duration::from_millis(20))
}

pub fn client(base_url: &str) -> Client {
    client_with(base_url, fast_retries())
}

pub fn client_with(base_url: &str, retry: RetryPolicy) -> Client {
    Client::builder()
        .base_url(base_url)
        .magicline_api_key("demo-magicline-key")
        .paysafe_token("demo-paysafe-token")
        .es_loyalty_token("demo-loyalty-token")
        .masstack_token("demo-masstack-token")
        .retry_policy(retry)
        .build()
        .unwrap()
}

/// The spec's operations: (method, path template, operationId).
pub fn operations() -> Vec<(String, String, String, serde_json::Value)> {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/openapi.yaml"))
            .unwrap();
    let doc: serde_json::Value = serde_yaml_ng::from_str(&text).unwrap();
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if let Some(id) = op.get("operationId").and_then(|v| v.as_str()) {
                ops.push((
                    method.to_uppercase(),
                    path.clone(),
                    id.to_owned(),
                    op.clone(),
                ));
            }
        }
    }
    ops
}

/// The whole document, parsed.
pub fn document() -> serde_json::Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/openapi.yaml"))
            .unwrap();
    serde_yaml_ng::from_str(&text).unwrap()
}

/// Calls the operation `id` with valid demo arguments; the body is discarded.
pub async fn call(client: &Client, id: &str) -> concord_sdk::Result<()> {
    let card: uuid::Uuid = CARD.parse().unwrap();
    let customer: uuid::Uuid = MASSTACK_CUSTOMER.parse().unwrap();
    match id {
        "magicline_add_access_medium" => client
            .magicline()
            .add_access_medium(
                1001,
                MagiclineCustomerAccessMedium {
                    id: None,
                    type_: MagiclineAccessMediumType::CardNumber,
                    value: "04A1".try_into().unwrap(),
                },
            )
            .await
            .map(drop),
        "magicline_update_access_medium" => client
            .magicline()
            .update_access_medium(
                1001,
                7,
                MagiclineCustomerAccessMediumUpdate {
                    value: "X".try_into().unwrap(),
                },
            )
            .await
            .map(drop),
        "magicline_delete_access_medium" => client.magicline().delete_access_medium(1001, 7).await,
        "magicline_get_access_code" => client.magicline().get_access_code(1001).await.map(drop),
        "paysafe_order_bulk_cards" => client
            .paysafe()
            .order_bulk_cards(
                "1231122232",
                PaysafeBulkCardsRequest {
                    quantity: 1.try_into().unwrap(),
                    program_name: "PHYSICAL-MC-EEA".into(),
                    currency: "EUR".try_into().unwrap(),
                    user_agent: "tests".try_into().unwrap(),
                    mobile: None,
                    delivery_address: None,
                    cards: vec![],
                },
            )
            .await
            .map(drop),
        "paysafe_get_bulk_order" => client
            .paysafe()
            .get_bulk_order("1231122232", BULK)
            .limit(10)
            .offset(0)
            .await
            .map(drop),
        "paysafe_assign_bulk_card" => client
            .paysafe()
            .assign_bulk_card(
                "1231122232",
                card,
                PaysafeAssignCardRequest {
                    target_customer_id: "1233333323".into(),
                },
            )
            .await
            .map(drop),
        "es_loyalty_start_session" => client
            .es_loyalty()
            .start_session(
                "100200300",
                EsLoyaltyStartSessionRequest {
                    correlation_id: "c-1".try_into().unwrap(),
                    channel: EsLoyaltyChannel::App,
                    external_agent_session_id: None,
                },
            )
            .x_identifier_type(EsLoyaltyIdentifierType::AccountId)
            .await
            .map(drop),
        "es_loyalty_add_cards" => client
            .es_loyalty()
            .add_cards(
                "demo-active",
                EsLoyaltyAddCardsRequest {
                    quantity: Some(1.try_into().unwrap()),
                    ..Default::default()
                },
            )
            .await
            .map(drop),
        "masstack_create_credential" => client
            .masstack()
            .create_credential(
                "telco",
                customer,
                MasstackCredential {
                    username: "a@b.c".try_into().unwrap(),
                },
            )
            .await
            .map(drop),
        "masstack_list_credentials" => client
            .masstack()
            .list_credentials("telco", customer)
            .await
            .map(drop),
        "masstack_delete_credential" => {
            client
                .masstack()
                .delete_credential("telco", customer, CREDENTIAL)
                .await
        }
        other => panic!("no SDK call for operation {other}: add it to sdk/tests/common/mod.rs"),
    }
}

/// A wiremock path matcher for a spec path template (parameters match one segment).
pub fn path_regex(template: &str) -> String {
    let mut out = String::from("^");
    for segment in template.split('/').skip(1) {
        out.push('/');
        if segment.starts_with('{') {
            out.push_str("[^/]+");
        } else {
            out.push_str(&regex_escape(segment));
        }
    }
    out.push('$');
    out
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                vec![c]
            } else {
                vec!['\\', c]
            }
        })
        .collect()
}
