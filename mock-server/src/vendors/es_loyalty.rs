//! ES Loyalty: member sessions and loyalty cards.
//!
//! Rules (shared/VENDORS.md §4, seed 003): the correlation id must name an open session (401 "Invalid
//! session."); a CLOSED account answers 401 `API_VALIDATION` "Account status is CLOSED.", a DECEASED one
//! 400 'Account status is set to "CLOSED" or "DECEASED".'; an unregistered account 400 "Member's account not
//! registered."; physical XOR digital; digital cards need the account's feature flag; the account's card
//! limit holds; physical cards outside the pool or already linked go to `errorList` (partial success).

use axum::http::HeaderValue;
use serde_json::{Value, json};

use crate::call::Call;
use crate::reply::Reply;
use crate::spec_index::{Operation, Violation};
use crate::state::{Commit, Guard, StoreError, Txn};

use super::Problem;

const ACCOUNT: &str = "es.account";
const SESSION: &str = "es.session";
/// The client's physical card pool: loyaltyId → `{linkedAccount}`.
const POOL: &str = "es.card_pool";
/// Loyalty ids of digital cards are issued from here up.
const DIGITAL_CARD_BASE: i64 = 7_001_000_000_000_000;

pub(super) fn error_body(status: u16, problem: &Problem) -> Value {
    json!({
        "statusCode": status,
        "errorCode": problem.code.clone().unwrap_or_else(|| "INVALID_REQUEST".into()),
        "errorMessage": problem.message,
    })
}

/// ES words its validation errors per rule (seed 003); other violations name the field.
pub(super) fn invalid(op: &Operation, violations: &[Violation]) -> Problem {
    let message = violations
        .iter()
        .find_map(
            |v| match (op.id.as_str(), v.field.as_str(), v.keyword.as_str()) {
                (_, "quantity", "minimum") => {
                    Some("At least one card should be requested.".to_owned())
                }
                (_, f, _) if f.starts_with("physicalCards[") && f.ends_with(".loyaltyId") => {
                    Some("Invalid loyaltyId".to_owned())
                }
                (_, "channel", _) => Some("channel must not be blank.".to_owned()),
                _ => None,
            },
        )
        .unwrap_or_else(|| {
            let v = &violations[0];
            format!(
                "Invalid request: {}: {}",
                if v.field.is_empty() { "body" } else { &v.field },
                v.message
            )
        });
    Problem::new(message).code("INVALID_REQUEST")
}

/// The gateway headers of every ES answer.
pub(super) fn trace_headers(correlation: Option<&str>, reply: Reply) -> Reply {
    let now = chrono::Utc::now();
    let mut reply = reply
        .header("mck-appid", "ES-CS-V1")
        .header("mck-msgid", format!("mck-{}", uuid::Uuid::new_v4()))
        .header(
            "mck-msgtimestamp",
            now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        )
        .header("x-amzn-requestid", uuid::Uuid::new_v4().to_string());
    let correlation = correlation.unwrap_or("CORRELATION_ID_NOT_PROVIDED_IN_REQUEST");
    if let Ok(value) = HeaderValue::from_str(correlation) {
        // The documented name has an underscore, which `HeaderName::from_static` accepts.
        reply.headers.push((
            axum::http::HeaderName::from_static("mck_correlationid"),
            value,
        ));
    }
    reply
}

pub(super) async fn handle(call: &Call<'_>) -> Result<Reply, StoreError> {
    match call.op.id.as_str() {
        "es_loyalty_start_session" => start_session(call).await,
        "es_loyalty_add_cards" => add_cards(call).await,
        other => Ok(call.fail(500, Problem::new(format!("no rules for {other}")))),
    }
}

async fn start_session(call: &Call<'_>) -> Result<Reply, StoreError> {
    let identifier = call.text("identifier");
    let kind = call
        .params
        .get("X-Identifier-Type")
        .and_then(Value::as_str)
        .unwrap_or("ACCOUNT_ID");
    let accounts = call.store.list(call.tenant, ACCOUNT).await?;
    let found = accounts.iter().find(|(id, account)| match kind {
        "ACCOUNT_ID" => id == &identifier,
        "LOYALTY_ID" => identifier
            .parse::<i64>()
            .is_ok_and(|id| account.body["loyaltyId"] == id),
        "EMAIL" => account.body["email"].as_str() == Some(identifier.as_str()),
        "PHONE_NUMBER" => account.body["phoneNumber"].as_str() == Some(identifier.as_str()),
        _ => {
            account.body["externalIds"]
                .get(kind)
                .and_then(Value::as_str)
                == Some(identifier.as_str())
        }
    });
    let Some((account_id, account)) = found else {
        return Ok(call.fail(
            400,
            Problem::new(format!("No member found for {kind} {identifier}.")),
        ));
    };
    let correlation = call.body()["correlationId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let txn = Txn::new().put(
        SESSION,
        correlation.clone(),
        json!({"accountId": account_id}),
    );
    call.store.commit(call.tenant, txn).await?;
    Ok(Reply::json(
        200,
        json!({
            "accountId": account_id,
            "loyaltyId": account.body["loyaltyId"],
            "correlationId": correlation,
            "accountStatus": account.body["status"],
            "registered": account.body["registered"],
        }),
    ))
}

async fn add_cards(call: &Call<'_>) -> Result<Reply, StoreError> {
    let correlation = call.text("correlation_id");
    let Some(session) = call.store.get(call.tenant, SESSION, &correlation).await? else {
        return Ok(call.documented(401, "INVALID_SESSION"));
    };
    let account_id = session.body["accountId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let request = call.body().clone();
    let physical = request
        .get("physicalCards")
        .and_then(Value::as_array)
        .cloned();
    let quantity = request.get("quantity").and_then(Value::as_i64);
    let invalid = |message: &str| call.fail(400, Problem::new(message).code("INVALID_REQUEST"));
    match (&physical, quantity) {
        (Some(_), Some(_)) => {
            return Ok(invalid(
                "Either digital or physical cards can be added in a request, not both.",
            ));
        }
        (None, None) => return Ok(call.documented(400, "NO_CARD_REQUESTED")),
        (Some(cards), None) if cards.is_empty() => {
            return Ok(call.documented(400, "NO_CARD_REQUESTED"));
        }
        _ => {}
    }
    // Optimistic: the account's version guards the card count, so concurrent adds never pass the limit.
    loop {
        let Some(account) = call.store.get(call.tenant, ACCOUNT, &account_id).await? else {
            return Ok(call.documented(401, "INVALID_SESSION"));
        };
        let a = &account.body;
        match a["status"].as_str() {
            Some("CLOSED") => return Ok(call.documented(401, "ACCOUNT_CLOSED")),
            Some("DECEASED") => return Ok(call.documented(400, "ACCOUNT_CLOSED_OR_DECEASED")),
            _ => {}
        }
        if a["registered"] == false {
            return Ok(call.documented(400, "ACCOUNT_NOT_REGISTERED"));
        }
        let cards: Vec<Value> = a["cards"].as_array().cloned().unwrap_or_default();
        let limit = a["cardLimit"].as_u64().unwrap_or(5) as usize;
        let requested = physical
            .as_ref()
            .map_or(quantity.unwrap_or(0) as usize, Vec::len);
        if quantity.is_some() && a["digitalCardsEnabled"] != true {
            return Ok(call.documented(400, "DIGITAL_CARDS_NOT_ENABLED"));
        }
        if cards.len() + requested > limit {
            return Ok(call.documented(400, "MAXIMUM_CARDS_EXCEEDED"));
        }
        let mut txn = Txn::new().guard(Guard::VersionIs(
            ACCOUNT.into(),
            account_id.clone(),
            account.version,
        ));
        let mut added = Vec::new();
        let mut refused = Vec::new();
        match &physical {
            Some(requested_cards) => {
                for card in requested_cards {
                    let id = card["loyaltyId"].as_i64().unwrap_or_default();
                    let pooled = call.store.get(call.tenant, POOL, &id.to_string()).await?;
                    match pooled {
                        Some(p) if p.body["linkedAccount"].is_null() && !added.contains(&id) => {
                            txn = txn
                                .guard(Guard::VersionIs(POOL.into(), id.to_string(), p.version))
                                .put(POOL, id.to_string(), json!({"linkedAccount": account_id}));
                            added.push(id);
                        }
                        _ => refused.push(id),
                    }
                }
            }
            None => {
                let issued = call.store.list(call.tenant, "es.digital_card").await?.len() as i64;
                for n in 0..requested as i64 {
                    let id = DIGITAL_CARD_BASE + issued + n;
                    txn = txn
                        .guard(Guard::Absent("es.digital_card".into(), id.to_string()))
                        .put(
                            "es.digital_card",
                            id.to_string(),
                            json!({"accountId": account_id}),
                        );
                    added.push(id);
                }
            }
        }
        let mut updated = a.clone();
        let mut all: Vec<Value> = cards;
        all.extend(added.iter().map(|id| json!(id)));
        updated["cards"] = json!(all);
        let wants_default = request["isDefault"] == true
            || physical.iter().flatten().any(|c| c["isDefault"] == true);
        if wants_default && let Some(first) = added.first() {
            updated["defaultCard"] = json!(first);
        }
        let txn = txn.put(ACCOUNT, account_id.clone(), updated);
        match call.store.commit(call.tenant, txn).await? {
            Commit::Committed => {
                let mut body = json!({"successList": added, "errorList": refused});
                if !refused.is_empty() {
                    let list: Vec<String> = refused.iter().map(ToString::to_string).collect();
                    body["errorMessage"] = json!(format!(
                        "Cards not available in the card pool or already linked: {}.",
                        list.join(", ")
                    ));
                }
                return Ok(Reply::json(200, body));
            }
            Commit::Rejected(_) => continue,
        }
    }
}
