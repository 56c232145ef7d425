//! Paysafe Embedded Wallets: bulk card orders and assignments.
//!
//! Rules (shared/VENDORS.md §3): only cards created by Bulk Card Ordering can be assigned; a card is
//! assigned once (400 `DW-PREPAID-CARDS-ALREADY-ASSIGNED-CARD`, whatever the target); the path customer
//! must exist (404 `DW-NO-SUCH-CUSTOMER`) and own the card (404 `DW-ENTITY-NOT-FOUND`); the target must
//! exist (400 `DW-NO-SUCH-CUSTOMER`). The mock completes bulk orders at once (status COMPLETED).

use serde_json::{Value, json};

use crate::call::Call;
use crate::reply::Reply;
use crate::spec_index::Violation;
use crate::state::{Commit, Guard, StoreError, Txn};

use super::Problem;

const CUSTOMER: &str = "paysafe.customer";
const ORDER: &str = "paysafe.bulk_order";
const CARD: &str = "paysafe.card";

pub(super) fn error_body(problem: &Problem) -> Value {
    let mut error = json!({"code": problem.code.clone().unwrap_or_else(|| "DW-INVALID-REQUEST".into()), "message": problem.message});
    if !problem.details.is_empty() {
        error["details"] = json!(problem.details);
    }
    if !problem.fields.is_empty() {
        error["fieldErrors"] = problem
            .fields
            .iter()
            .map(|(field, error)| json!({"field": field, "error": error}))
            .collect();
    }
    json!({"error": error})
}

pub(super) fn invalid(violations: &[Violation]) -> Problem {
    let mut problem = Problem::new("Invalid field value.")
        .code("DW-INVALID-FIELD")
        .detail("The request contains invalid fields.");
    for v in violations {
        problem = problem.field(v.field.clone(), v.message.clone());
    }
    problem
}

pub(super) async fn handle(call: &Call<'_>) -> Result<Reply, StoreError> {
    let customer_id = call.text("customerId");
    if call
        .store
        .get(call.tenant, CUSTOMER, &customer_id)
        .await?
        .is_none()
    {
        return Ok(call.documented(404, "NO_SUCH_CUSTOMER"));
    }
    match call.op.id.as_str() {
        "paysafe_order_bulk_cards" => order(call, &customer_id).await,
        "paysafe_get_bulk_order" => read_order(call, &customer_id).await,
        "paysafe_assign_bulk_card" => assign(call, &customer_id).await,
        other => Ok(call.fail(500, Problem::new(format!("no rules for {other}")))),
    }
}

fn last_four() -> String {
    (0..4)
        .map(|_| char::from(b'0' + fastrand::u8(0..10)))
        .collect()
}

async fn order(call: &Call<'_>, customer_id: &str) -> Result<Reply, StoreError> {
    let request = call.body().clone();
    let quantity = request["quantity"].as_u64().unwrap_or(1) as usize;
    // Per-card details apply to the first `quantity` cards; extra items are ignored.
    let items = request["cards"].as_array().cloned().unwrap_or_default();
    let bulk_id = uuid::Uuid::new_v4().to_string();
    let mut txn = Txn::new().guard(Guard::Exists(CUSTOMER.into(), customer_id.to_owned()));
    let mut card_ids = Vec::new();
    for i in 0..quantity {
        let card_id = uuid::Uuid::new_v4().to_string();
        let mut card = json!({
            "cardId": card_id, "status": "ACTIVE", "customerId": customer_id, "assigned": false,
            "lastFour": last_four(), "bulkId": bulk_id, "owner": customer_id,
        });
        if let Some(external) = items.get(i).and_then(|c| c["externalId"].as_str()) {
            card["externalId"] = json!(external);
        }
        txn = txn.put(CARD, card_id.clone(), card);
        card_ids.push(card_id);
    }
    let mut response = request.clone();
    response["id"] = json!(bulk_id);
    response["customerId"] = json!(customer_id);
    response["quantity"] = json!(quantity);
    let stored = json!({
        "customerId": customer_id, "status": "COMPLETED", "quantity": quantity, "cards": card_ids,
        "deliveryAddress": request.get("deliveryAddress").cloned().unwrap_or(Value::Null),
    });
    let txn = txn.put(ORDER, bulk_id, stored);
    Ok(match call.store.commit(call.tenant, txn).await? {
        Commit::Committed => Reply::json(200, response),
        Commit::Rejected(_) => call.documented(404, "NO_SUCH_CUSTOMER"),
    })
}

async fn read_order(call: &Call<'_>, customer_id: &str) -> Result<Reply, StoreError> {
    let bulk_id = call.text("bulkId");
    let order = call.store.get(call.tenant, ORDER, &bulk_id).await?;
    let Some(order) = order.filter(|o| o.body["customerId"] == json!(customer_id)) else {
        return Ok(call.documented(404, "ENTITY_NOT_FOUND"));
    };
    let limit = call
        .params
        .get("limit")
        .and_then(Value::as_u64)
        .unwrap_or(10) as usize;
    let offset = call
        .params
        .get("offset")
        .and_then(Value::as_u64)
        .unwrap_or(0) as usize;
    let ids: Vec<String> = order.body["cards"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    let mut cards = Vec::new();
    for id in ids.iter().skip(offset).take(limit) {
        if let Some(card) = call.store.get(call.tenant, CARD, id).await? {
            let mut card = card.body;
            if let Some(map) = card.as_object_mut() {
                map.remove("bulkId");
                map.remove("owner");
            }
            cards.push(card);
        }
    }
    let mut details = json!({
        "id": bulk_id,
        "quantity": ids.len(),
        "status": order.body["status"],
        "cards": cards,
        "meta": {"numberOfRecords": ids.len(), "limit": limit, "page": offset / limit.max(1) + 1},
    });
    if order.body["deliveryAddress"].is_object() {
        details["deliveryAddress"] = order.body["deliveryAddress"].clone();
    }
    Ok(Reply::json(200, details))
}

async fn assign(call: &Call<'_>, customer_id: &str) -> Result<Reply, StoreError> {
    let card_id = call.text("cardId");
    let target = call.body()["targetCustomerId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    loop {
        let card = call.store.get(call.tenant, CARD, &card_id).await?;
        // Only bulk-ordered cards of this customer can be assigned.
        let Some(card) =
            card.filter(|c| c.body["owner"] == json!(customer_id) && c.body["bulkId"].is_string())
        else {
            return Ok(call.documented(404, "ENTITY_NOT_FOUND"));
        };
        if card.body["assigned"] == true {
            return Ok(call.documented(400, "ALREADY_ASSIGNED_CARD"));
        }
        if call
            .store
            .get(call.tenant, CUSTOMER, &target)
            .await?
            .is_none()
        {
            return Ok(call.documented(400, "ASSIGN_TO_CUSTOMER_NOT_FOUND"));
        }
        let mut assigned = card.body.clone();
        assigned["assigned"] = json!(true);
        assigned["customerId"] = json!(target);
        let txn = Txn::new()
            .guard(Guard::VersionIs(CARD.into(), card_id.clone(), card.version))
            .put(CARD, card_id.clone(), assigned);
        match call.store.commit(call.tenant, txn).await? {
            Commit::Committed => {
                return Ok(Reply::json(
                    200,
                    json!({"cardId": card_id, "customerId": customer_id, "targetCustomerId": target}),
                ));
            }
            // Someone changed the card since it was read: read again (it is probably assigned now).
            Commit::Rejected(_) => continue,
        }
    }
}
