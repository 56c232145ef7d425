//! SDK ⇄ mock, complete by construction: every (operation, status) pair documented in the contract is
//! driven through the SDK against the embedded mock, and every answer the mock sent is checked against
//! the contract. A pair without a scenario below fails the build.
#![allow(deprecated)] // two Magicline operations are deprecated by the vendor; they are still tested.

use concord_contract_tests::{Harness, demo, documented_pairs};
use concord_sdk::types::*;
use concord_sdk::{Api, Client, ErrorKind, RetryPolicy, VendorError};

const CUSTOMER: &str = "123e4567-e89b-12d3-a456-556642440000";
const CREDENTIAL: &str = "028076fa-c264-42bb-9983-8872a576be28";
const CARD: &str = "f16ba382-eb42-481a-b08f-c57bdc9aae24";
const BULK: &str = "8d2b3a8c-3c54-4a0e-9a53-6bb3f7e0c001";

type Outcome = Result<(), String>;

/// Why a pair did not pass.
#[derive(Debug, PartialEq)]
enum Failure {
    /// No scenario covers the pair: a coverage failure.
    NoScenario,
    /// The scenario ran and something was not as the contract says.
    Failed(String),
}

impl From<String> for Failure {
    fn from(why: String) -> Self {
        Failure::Failed(why)
    }
}

fn medium(kind: MagiclineAccessMediumType, value: &str) -> MagiclineCustomerAccessMedium {
    MagiclineCustomerAccessMedium {
        id: None,
        type_: kind,
        value: value.try_into().unwrap(),
    }
}

fn card_number(value: &str) -> MagiclineCustomerAccessMedium {
    medium(MagiclineAccessMediumType::CardNumber, value)
}

fn update(value: &str) -> MagiclineCustomerAccessMediumUpdate {
    MagiclineCustomerAccessMediumUpdate {
        value: value.try_into().unwrap(),
    }
}

fn order(quantity: u32, items: usize) -> PaysafeBulkCardsRequest {
    PaysafeBulkCardsRequest {
        quantity: quantity.try_into().unwrap(),
        program_name: "PHYSICAL-MC-EEA".into(),
        currency: "EUR".try_into().unwrap(),
        user_agent: "contract-tests".try_into().unwrap(),
        mobile: None,
        delivery_address: None,
        cards: (0..items).map(|_| PaysafeBulkCardItem::default()).collect(),
    }
}

fn assign_to(target: &str) -> PaysafeAssignCardRequest {
    PaysafeAssignCardRequest {
        target_customer_id: target.into(),
    }
}

fn session(correlation: &str) -> EsLoyaltyStartSessionRequest {
    EsLoyaltyStartSessionRequest {
        correlation_id: correlation.try_into().unwrap(),
        channel: EsLoyaltyChannel::App,
        external_agent_session_id: None,
    }
}

fn digital(quantity: u32) -> EsLoyaltyAddCardsRequest {
    EsLoyaltyAddCardsRequest {
        quantity: Some(quantity.try_into().unwrap()),
        ..Default::default()
    }
}

fn physical_card(loyalty_id: i64) -> EsLoyaltyPhysicalCard {
    EsLoyaltyPhysicalCard {
        loyalty_id,
        card_label: None,
        is_default: None,
        extended_data: Default::default(),
    }
}

fn username(name: &str) -> MasstackCredential {
    MasstackCredential {
        username: name.try_into().unwrap(),
    }
}

fn uuid(s: &str) -> uuid::Uuid {
    s.parse().unwrap()
}

fn check(condition: bool, what: &str) -> Outcome {
    if condition {
        Ok(())
    } else {
        Err(what.to_owned())
    }
}

fn ok<T: std::fmt::Debug>(result: concord_sdk::Result<T>) -> Result<T, String> {
    result.map_err(|e| format!("expected success, got {e} ({e:?})"))
}

/// The call failed with `status`, typed as `api`'s documented error (or, for a status documented without
/// a body, as an unexpected status).
fn failed<T: std::fmt::Debug>(result: concord_sdk::Result<T>, status: u16, api: Api) -> Outcome {
    let err = match result {
        Ok(value) => return Err(format!("expected {status}, got success {value:?}")),
        Err(err) => err,
    };
    if err.status().map(|s| s.as_u16()) != Some(status) || err.api() != api {
        return Err(format!("expected {api} {status}, got {err} ({err:?})"));
    }
    if err.kind() == ErrorKind::UnexpectedStatus && err.vendor_error().is_none() {
        return Ok(()); // documented without a body (x-omitted-responses)
    }
    let typed = match (api, err.vendor_error()) {
        (Api::Magicline, Some(VendorError::Magicline(e))) => !e.error_message.is_empty(),
        (Api::Paysafe, Some(VendorError::Paysafe(e))) => {
            e.error.as_ref().is_some_and(|d| d.code.is_some())
        }
        (Api::EsLoyalty, Some(VendorError::EsLoyalty(e))) => e.status_code == i32::from(status),
        (Api::Masstack, Some(VendorError::Masstack(e))) => !e.errors.is_empty(),
        _ => false,
    };
    check(
        err.kind() == ErrorKind::Api && typed,
        &format!("not a typed {api} error: {err:?}"),
    )
}

fn with_magicline_key(h: &Harness, key: &str) -> Client {
    h.builder().magicline_api_key(key).build().unwrap()
}

fn with_tokens(h: &Harness, token: &str) -> Client {
    h.builder()
        .paysafe_token(token)
        .es_loyalty_token(token)
        .masstack_token(token)
        .build()
        .unwrap()
}

/// Runs the scenario for one documented pair.
async fn exercise(h: &Harness, op: &str, status: u16) -> Result<(), Failure> {
    let c = h.client();
    // For statuses no business rule produces (rate limits, outages): the mock's documented override.
    let forced = c.with_header("prefer", &format!("code={status}")).unwrap(); // shares c's connection pool
    // Clients with other credentials, built only where a scenario needs one.
    let unauthenticated = || with_tokens(h, "wrong-token");
    let wrong_key = || with_magicline_key(h, "wrong-key");
    let readonly = || with_magicline_key(h, demo::MAGICLINE_READONLY);
    let no_roles = || {
        h.builder()
            .credentials(
                Api::Masstack,
                concord_sdk::Credentials::BearerAndHeader {
                    token: demo::MASSTACK_TOKEN.into(),
                    value: "USER".into(),
                },
            )
            .build()
            .unwrap()
    };
    let m = c.magicline();
    let p = c.paysafe();
    let e = c.es_loyalty();
    let s = c.masstack();
    let customer = uuid(CUSTOMER);
    let outcome = match (op, status) {
        // Magicline: add an access medium.
        ("magicline_add_access_medium", 200) => {
            ok(m.add_access_medium(1001, card_number("04A1B2C3D4")).await).and_then(|added| {
                check(
                    added.id.is_some() && added.value.as_str() == "04A1B2C3D4",
                    "id and value",
                )
            })
        }
        ("magicline_add_access_medium", 401) => failed(
            wrong_key()
                .magicline()
                .add_access_medium(1001, card_number("X"))
                .await,
            401,
            Api::Magicline,
        ),
        ("magicline_add_access_medium", 403) => failed(
            readonly()
                .magicline()
                .add_access_medium(1001, card_number("X"))
                .await,
            403,
            Api::Magicline,
        ),
        ("magicline_add_access_medium", 404) => failed(
            m.add_access_medium(4242, card_number("X")).await,
            404,
            Api::Magicline,
        ),
        ("magicline_add_access_medium", 409) => {
            ok(m.add_access_medium(1001, card_number("TWICE")).await)?;
            failed(
                m.add_access_medium(1001, card_number("TWICE")).await,
                409,
                Api::Magicline,
            )
        }
        // 400 too: the SDK's types cannot express an invalid medium (type and a non-empty value are required).
        ("magicline_add_access_medium", 400 | 429 | 500 | 503) => failed(
            forced
                .magicline()
                .add_access_medium(1001, card_number("X"))
                .await,
            status,
            Api::Magicline,
        ),
        // Magicline: update (the demo medium 1234567890 belongs to customer 1001).
        ("magicline_update_access_medium", 200) => ok(m
            .update_access_medium(1001, 1234567890, update("NEW"))
            .await)
        .and_then(|u| {
            check(
                u.value.as_str() == "NEW" && u.id == Some(1234567890),
                "updated medium",
            )
        }),
        ("magicline_update_access_medium", 401) => failed(
            wrong_key()
                .magicline()
                .update_access_medium(1001, 1234567890, update("N"))
                .await,
            401,
            Api::Magicline,
        ),
        ("magicline_update_access_medium", 403) => failed(
            m.update_access_medium(1002, 1234567890, update("N")).await,
            403,
            Api::Magicline,
        ),
        ("magicline_update_access_medium", 404) => failed(
            m.update_access_medium(1001, 77, update("N")).await,
            404,
            Api::Magicline,
        ),
        ("magicline_update_access_medium", 409) => {
            ok(
                m.add_access_medium(1001, medium(MagiclineAccessMediumType::Barcode, "TAKEN"))
                    .await,
            )?;
            failed(
                m.update_access_medium(1001, 1234567890, update("TAKEN"))
                    .await,
                409,
                Api::Magicline,
            )
        }
        ("magicline_update_access_medium", 400 | 429 | 500 | 503) => failed(
            forced
                .magicline()
                .update_access_medium(1001, 1234567890, update("N"))
                .await,
            status,
            Api::Magicline,
        ),
        // Magicline: delete.
        ("magicline_delete_access_medium", 200) => {
            ok(m.delete_access_medium(1001, 1234567890).await)?;
            failed(
                m.delete_access_medium(1001, 1234567890).await,
                404,
                Api::Magicline,
            )
        }
        ("magicline_delete_access_medium", 401) => failed(
            wrong_key()
                .magicline()
                .delete_access_medium(1001, 1234567890)
                .await,
            401,
            Api::Magicline,
        ),
        ("magicline_delete_access_medium", 403) => failed(
            readonly()
                .magicline()
                .delete_access_medium(1001, 1234567890)
                .await,
            403,
            Api::Magicline,
        ),
        ("magicline_delete_access_medium", 404) => {
            failed(m.delete_access_medium(1001, 77).await, 404, Api::Magicline)
        }
        ("magicline_delete_access_medium", 400 | 409 | 429 | 500 | 503) => failed(
            forced
                .magicline()
                .delete_access_medium(1001, 1234567890)
                .await,
            status,
            Api::Magicline,
        ),
        // Magicline: access code.
        ("magicline_get_access_code", 200) => ok(m.get_access_code(1001).await).and_then(|code| {
            check(
                code.format == MagiclineAccessCodeFormat::QrCode && code.content.len() == 19,
                "a QR code",
            )
        }),
        ("magicline_get_access_code", 401) => failed(
            wrong_key().magicline().get_access_code(1001).await,
            401,
            Api::Magicline,
        ),
        ("magicline_get_access_code", 403) => {
            failed(m.get_access_code(1002).await, 403, Api::Magicline)
        }
        ("magicline_get_access_code", 404) => {
            failed(m.get_access_code(4242).await, 404, Api::Magicline)
        }
        ("magicline_get_access_code", 400 | 409 | 429 | 500 | 503) => failed(
            forced.magicline().get_access_code(1001).await,
            status,
            Api::Magicline,
        ),
        // Paysafe: bulk order.
        ("paysafe_order_bulk_cards", 200) => {
            ok(p.order_bulk_cards("1231122232", order(2, 1)).await).and_then(|o| {
                check(
                    o.customer_id == "1231122232" && o.quantity == 2,
                    "the order echoed",
                )
            })
        }
        ("paysafe_order_bulk_cards", 400) => failed(
            p.order_bulk_cards("1231122232", order(51, 0)).await,
            400,
            Api::Paysafe,
        ),
        ("paysafe_order_bulk_cards", 401) => failed(
            unauthenticated()
                .paysafe()
                .order_bulk_cards("1231122232", order(1, 0))
                .await,
            401,
            Api::Paysafe,
        ),
        ("paysafe_order_bulk_cards", 404) => failed(
            p.order_bulk_cards("9999999999", order(1, 0)).await,
            404,
            Api::Paysafe,
        ),
        ("paysafe_order_bulk_cards", 500 | 503) => failed(
            forced
                .paysafe()
                .order_bulk_cards("1231122232", order(1, 0))
                .await,
            status,
            Api::Paysafe,
        ),
        // Paysafe: read a bulk order.
        ("paysafe_get_bulk_order", 200) => {
            let placed = ok(p.order_bulk_cards("1231122232", order(3, 0)).await)?;
            let read = ok(p
                .get_bulk_order("1231122232", placed.id)
                .limit(2)
                .offset(1)
                .await)?;
            check(
                read.quantity == 3
                    && read.cards.len() == 2
                    && read.status == PaysafeBulkOrderStatus::Completed,
                "a page",
            )
        }
        ("paysafe_get_bulk_order", 400) => failed(
            p.get_bulk_order("1231122232", uuid(BULK)).limit(51).await,
            400,
            Api::Paysafe,
        ),
        ("paysafe_get_bulk_order", 401) => failed(
            unauthenticated()
                .paysafe()
                .get_bulk_order("1231122232", uuid(BULK))
                .await,
            401,
            Api::Paysafe,
        ),
        ("paysafe_get_bulk_order", 404) => failed(
            p.get_bulk_order("1233333323", uuid(BULK)).await,
            404,
            Api::Paysafe,
        ),
        ("paysafe_get_bulk_order", 500 | 503) => failed(
            forced
                .paysafe()
                .get_bulk_order("1231122232", uuid(BULK))
                .await,
            status,
            Api::Paysafe,
        ),
        // Paysafe: assign (the page's own example).
        ("paysafe_assign_bulk_card", 200) => ok(p
            .assign_bulk_card("1231122232", uuid(CARD), assign_to("1233333323"))
            .await)
        .and_then(|a| {
            check(
                a.card_id == uuid(CARD) && a.target_customer_id == "1233333323",
                "the assignment",
            )
        }),
        ("paysafe_assign_bulk_card", 400) => {
            ok(
                p.assign_bulk_card("1231122232", uuid(CARD), assign_to("1233333323"))
                    .await,
            )?;
            let again = p
                .assign_bulk_card("1231122232", uuid(CARD), assign_to("1233333323"))
                .await;
            let code = again
                .as_ref()
                .err()
                .and_then(|e| e.vendor_error())
                .and_then(|v| v.code())
                .map(str::to_owned);
            failed(again, 400, Api::Paysafe)?;
            check(
                code.as_deref() == Some("DW-PREPAID-CARDS-ALREADY-ASSIGNED-CARD"),
                "already assigned",
            )
        }
        ("paysafe_assign_bulk_card", 401) => failed(
            unauthenticated()
                .paysafe()
                .assign_bulk_card("1231122232", uuid(CARD), assign_to("1233333323"))
                .await,
            401,
            Api::Paysafe,
        ),
        ("paysafe_assign_bulk_card", 404) => failed(
            p.assign_bulk_card("9999999999", uuid(CARD), assign_to("1233333323"))
                .await,
            404,
            Api::Paysafe,
        ),
        ("paysafe_assign_bulk_card", 500 | 503) => failed(
            forced
                .paysafe()
                .assign_bulk_card("1231122232", uuid(CARD), assign_to("1233333323"))
                .await,
            status,
            Api::Paysafe,
        ),
        // ES Loyalty: sessions.
        ("es_loyalty_start_session", 200) => {
            let started = ok(e
                .start_session("100200300", session("contract-session"))
                .await)?;
            check(started.account_id == "100200300", "the account")?;
            ok(e.add_cards("contract-session", digital(1)).await).map(drop)
        }
        ("es_loyalty_start_session", 400) => failed(
            e.start_session("nobody", session("s")).await,
            400,
            Api::EsLoyalty,
        ),
        ("es_loyalty_start_session", 401) => failed(
            unauthenticated()
                .es_loyalty()
                .start_session("100200300", session("s"))
                .await,
            401,
            Api::EsLoyalty,
        ),
        // ES Loyalty: cards.
        ("es_loyalty_add_cards", 200) => {
            let physical = EsLoyaltyAddCardsRequest {
                physical_cards: vec![
                    physical_card(6001000000000001),
                    physical_card(6009999999999999),
                ],
                ..Default::default()
            };
            let added = ok(e.add_cards("demo-active", physical).await)?;
            check(
                added.success_list == [6001000000000001] && added.error_list == [6009999999999999],
                "partial success",
            )
        }
        ("es_loyalty_add_cards", 400) => failed(
            e.add_cards("demo-digital-disabled", digital(1)).await,
            400,
            Api::EsLoyalty,
        ),
        ("es_loyalty_add_cards", 401) => failed(
            e.add_cards("demo-closed", digital(1)).await,
            401,
            Api::EsLoyalty,
        ),
        // MasStack: create.
        ("masstack_create_credential", 201) => {
            let created = ok(s
                .create_credential("telco", customer, username("username@masmovil.com"))
                .await)?;
            let listed = ok(s.list_credentials("telco", customer).await)?;
            check(
                listed.iter().any(|c| c.id == created.id),
                "listed after creation",
            )
        }
        ("masstack_create_credential", 400) => failed(
            s.create_credential("telco", customer, username("   "))
                .await,
            400,
            Api::Masstack,
        ),
        ("masstack_create_credential", 401) => failed(
            unauthenticated()
                .masstack()
                .create_credential("telco", customer, username("x"))
                .await,
            401,
            Api::Masstack,
        ),
        ("masstack_create_credential", 403) => failed(
            no_roles()
                .masstack()
                .create_credential("telco", customer, username("x"))
                .await,
            403,
            Api::Masstack,
        ),
        ("masstack_create_credential", 404) => failed(
            s.create_credential("nope", customer, username("x")).await,
            404,
            Api::Masstack,
        ),
        ("masstack_create_credential", 409) => failed(
            s.create_credential("telco", customer, username("ana.garcia@masmovil.com"))
                .await,
            409,
            Api::Masstack,
        ),
        ("masstack_create_credential", 500 | 503 | 504) => failed(
            forced
                .masstack()
                .create_credential("telco", customer, username("x"))
                .await,
            status,
            Api::Masstack,
        ),
        // MasStack: list.
        ("masstack_list_credentials", 200) => ok(s.list_credentials("telco", customer).await)
            .and_then(|l| {
                check(
                    l.len() == 1 && l[0].id == uuid(CREDENTIAL),
                    "the demo credential",
                )
            }),
        ("masstack_list_credentials", 401) => failed(
            unauthenticated()
                .masstack()
                .list_credentials("telco", customer)
                .await,
            401,
            Api::Masstack,
        ),
        ("masstack_list_credentials", 403) => failed(
            no_roles()
                .masstack()
                .list_credentials("telco", customer)
                .await,
            403,
            Api::Masstack,
        ),
        ("masstack_list_credentials", 404) => failed(
            s.list_credentials("telco", uuid("00000000-0000-4000-8000-000000000000"))
                .await,
            404,
            Api::Masstack,
        ),
        ("masstack_list_credentials", 400 | 500 | 503 | 504) => failed(
            forced.masstack().list_credentials("telco", customer).await,
            status,
            Api::Masstack,
        ),
        // MasStack: delete (the page's own example).
        ("masstack_delete_credential", 204) => {
            ok(s.delete_credential("telco", customer, uuid(CREDENTIAL))
                .await)?;
            failed(
                s.delete_credential("telco", customer, uuid(CREDENTIAL))
                    .await,
                404,
                Api::Masstack,
            )
        }
        ("masstack_delete_credential", 401) => failed(
            unauthenticated()
                .masstack()
                .delete_credential("telco", customer, uuid(CREDENTIAL))
                .await,
            401,
            Api::Masstack,
        ),
        ("masstack_delete_credential", 403) => failed(
            no_roles()
                .masstack()
                .delete_credential("telco", customer, uuid(CREDENTIAL))
                .await,
            403,
            Api::Masstack,
        ),
        ("masstack_delete_credential", 404) => failed(
            s.delete_credential(
                "telco",
                customer,
                uuid("00000000-0000-4000-8000-000000000000"),
            )
            .await,
            404,
            Api::Masstack,
        ),
        ("masstack_delete_credential", 400 | 405 | 500 | 503 | 504) => failed(
            forced
                .masstack()
                .delete_credential("telco", customer, uuid(CREDENTIAL))
                .await,
            status,
            Api::Masstack,
        ),
        _ => return Err(Failure::NoScenario),
    };
    outcome.map_err(Failure::Failed)
}

#[tokio::test]
async fn every_documented_pair_is_exercised_through_the_sdk_and_every_answer_matches_the_contract()
{
    let pairs = documented_pairs();
    assert_eq!(pairs.len(), 86, "the contract's (operation, status) pairs");
    let (mut missing, mut failures, mut violations) = (Vec::new(), Vec::new(), Vec::new());
    for (op, status) in &pairs {
        let h = Harness::start().await;
        match exercise(&h, op, *status).await {
            Err(Failure::NoScenario) => missing.push(format!("{op} {status}")),
            Err(Failure::Failed(why)) => failures.push(format!("{op} {status}: {why}")),
            Ok(()) => {}
        }
        violations.extend(h.contract_violations().await);
    }
    assert!(
        missing.is_empty(),
        "(operation, status) pairs without a contract test: {missing:#?}"
    );
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(
        violations.is_empty(),
        "answers that break the contract: {violations:#?}"
    );
}

#[tokio::test]
async fn a_documented_pair_without_a_scenario_is_reported() {
    let h = Harness::start().await;
    assert_eq!(
        exercise(&h, "magicline_teleport_member", 200).await,
        Err(Failure::NoScenario)
    );
    assert_eq!(
        exercise(&h, "magicline_get_access_code", 418).await,
        Err(Failure::NoScenario)
    );
}

#[tokio::test]
async fn the_sdk_retries_through_injected_outages_of_the_mock() {
    let h = Harness::start().await;
    let admin = reqwest::Client::new();
    let rule = serde_json::json!({"operation": "masstack_list_credentials", "status": 503, "count": 2, "tenant": h.tenant});
    let created = admin
        .post(format!("{}/__mock/faults", h.server.url()))
        .json(&rule)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let client = h.client().with_retry_policy(
        RetryPolicy::default()
            .initial_backoff(std::time::Duration::from_millis(10))
            .max_backoff(std::time::Duration::from_millis(20)),
    );
    let listed = client
        .masstack()
        .list_credentials("telco", uuid(CUSTOMER))
        .await
        .expect("the third attempt succeeds");
    assert_eq!(listed.len(), 1);
    assert_eq!(
        h.journaled_statuses().await,
        [200, 503, 503],
        "newest first: two outages, then success"
    );
    assert!(h.contract_violations().await.is_empty());
}

#[tokio::test]
async fn paging_through_a_bulk_order_against_the_mock_yields_every_card_once() {
    let h = Harness::start().await;
    let client = h.client();
    let paysafe = client.paysafe();
    let placed = paysafe
        .order_bulk_cards("1231122232", order(5, 0))
        .await
        .unwrap();
    let request = paysafe.get_bulk_order("1231122232", placed.id).limit(2);
    // Pages of 2, 2 and 1 (the total of 5 ends it: no request for an empty fourth page).
    let mut pages = request.clone().pages();
    let mut sizes = Vec::new();
    while let Some(page) = pages.next().await.unwrap() {
        sizes.push(page.cards.len());
    }
    assert_eq!(sizes, [2, 2, 1]);
    let cards = request.items().collect().await.unwrap();
    let mut ids: Vec<_> = cards.iter().map(|c| c.card_id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5, "{cards:?}");
    // Starting from an offset pages from there.
    let rest = paysafe
        .get_bulk_order("1231122232", placed.id)
        .offset(3)
        .items()
        .collect()
        .await
        .unwrap();
    assert_eq!(rest.len(), 2);
    assert!(h.contract_violations().await.is_empty());
}
