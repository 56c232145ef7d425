//! Magicline Open API: access mediums and the dynamic QR access code.
//!
//! Rules (shared/VENDORS.md §1+2): the customer must exist (404) and belong to the key's studio (403
//! `errormessage.permission.denied`); the key must carry the operation's `x-required-scopes` (403); the
//! server assigns medium ids; (`type`, `value`) is unique per tenant (409); only mediums created earlier
//! can be updated or deleted (404); every access-code GET returns a fresh code; 1000 requests per minute
//! per key and endpoint, then 429.

use serde_json::{Value, json};

use crate::call::Call;
use crate::reply::Reply;
use crate::spec_index::Violation;
use crate::state::{Commit, Guard, StoreError, Txn};

use super::Problem;

const CUSTOMER: &str = "magicline.customer";
const MEDIUM: &str = "magicline.medium";
/// `TYPE:value` → the medium holding it; claims the pair's uniqueness.
const MEDIUM_KEY: &str = "magicline.medium_key";
/// Seconds an access code stays valid.
const ACCESS_CODE_TTL: i64 = 60;

pub(super) fn error_body(problem: &Problem) -> Value {
    let mut body = json!({"errorMessage": problem.message, "traceId": trace_id()});
    if let Some(code) = &problem.code {
        body["errorCode"] = json!(code);
    }
    if let Some((field, _)) = problem.fields.first() {
        body["reference"] = json!(field);
    }
    body
}

/// A Datadog-style trace id, fresh per error.
pub(super) fn trace_id() -> String {
    format!("{:016x}{:04x}", fastrand::u64(..), fastrand::u16(..))
}

pub(super) fn invalid(violations: &[Violation]) -> Problem {
    let mut problem = Problem::new("Validation of the request failed.");
    for v in violations {
        problem = problem.field(v.field.clone(), v.message.clone());
    }
    problem
}

fn not_found(call: &Call<'_>) -> Reply {
    call.documented(404, "ENTITY_NOT_FOUND")
}

pub(super) async fn handle(call: &Call<'_>) -> Result<Reply, StoreError> {
    // Scopes are the integration's; the contract names the ones each operation needs.
    let scopes = call
        .principal
        .as_ref()
        .map(|p| p["scopes"].clone())
        .unwrap_or_default();
    let missing = call
        .op
        .required_scopes
        .iter()
        .any(|s| !scopes.as_array().is_some_and(|a| a.contains(&json!(s))));
    if missing {
        return Ok(call.documented(403, "MISSING_SCOPE"));
    }
    let customer_id = call.text("customerId");
    let Some(customer) = call.store.get(call.tenant, CUSTOMER, &customer_id).await? else {
        return Ok(not_found(call));
    };
    let studio = call
        .principal
        .as_ref()
        .map(|p| p["studio"].clone())
        .unwrap_or_default();
    if customer.body["studio"] != studio {
        return Ok(call.documented(403, "PERMISSION_DENIED"));
    }
    match call.op.id.as_str() {
        "magicline_add_access_medium" => add(call, &customer_id).await,
        "magicline_update_access_medium" => update(call, &customer_id).await,
        "magicline_delete_access_medium" => delete(call, &customer_id).await,
        "magicline_get_access_code" => Ok(access_code()),
        other => Ok(call.fail(500, Problem::new(format!("no rules for {other}")))),
    }
}

fn duplicate(call: &Call<'_>) -> Reply {
    call.fail(
        409,
        Problem::new("An access medium with this type and value already exists.")
            .code("errormessage.accessmedium.duplicate"),
    )
}

async fn add(call: &Call<'_>, customer_id: &str) -> Result<Reply, StoreError> {
    // The contract requires `type` (an enum) and a non-empty `value`: validation has checked both.
    let body = call.body();
    let kind = body["type"].as_str().unwrap_or_default();
    let value = body["value"].as_str().unwrap_or_default().to_owned();
    let key = format!("{kind}:{value}");
    // Ids are assigned by the server: random 10-digit numbers, so concurrent adds do not contend for the
    // next one; the `Absent` guard makes a collision retry with another.
    for _ in 0..16 {
        let next: i64 = fastrand::i64(1_000_000_000..10_000_000_000);
        let medium = json!({"id": next, "type": kind, "value": value});
        let txn = Txn::new()
            .guard(Guard::Absent(MEDIUM_KEY.into(), key.clone()))
            .guard(Guard::Absent(MEDIUM.into(), next.to_string()))
            .put(
                MEDIUM,
                next.to_string(),
                json!({"customerId": customer_id, "medium": medium}),
            )
            .put(MEDIUM_KEY, key.clone(), json!({"mediumId": next}));
        match call.store.commit(call.tenant, txn).await? {
            Commit::Committed => return Ok(Reply::json(200, medium)),
            Commit::Rejected(0) => return Ok(duplicate(call)),
            Commit::Rejected(_) => continue,
        }
    }
    Ok(call.documented(409, "CONCURRENT_MODIFICATION"))
}

async fn update(call: &Call<'_>, customer_id: &str) -> Result<Reply, StoreError> {
    let medium_id = call.text("accessMediumId");
    let Some(stored) = call.store.get(call.tenant, MEDIUM, &medium_id).await? else {
        return Ok(not_found(call));
    };
    if stored.body["customerId"] != json!(customer_id) {
        return Ok(not_found(call));
    }
    let old = stored.body["medium"].clone();
    let kind = old["type"].as_str().unwrap_or_default().to_owned();
    let value = call.body()["value"].as_str().unwrap_or_default().to_owned();
    let old_key = format!("{kind}:{}", old["value"].as_str().unwrap_or_default());
    let new_key = format!("{kind}:{value}");
    let mut medium = old.clone();
    medium["value"] = json!(value);
    let mut txn = Txn::new().guard(Guard::VersionIs(
        MEDIUM.into(),
        medium_id.clone(),
        stored.version,
    ));
    if new_key != old_key {
        txn = txn
            .guard(Guard::Absent(MEDIUM_KEY.into(), new_key.clone()))
            .delete(MEDIUM_KEY, old_key)
            .put(MEDIUM_KEY, new_key, json!({"mediumId": medium["id"]}));
    }
    let txn = txn.put(
        MEDIUM,
        medium_id,
        json!({"customerId": customer_id, "medium": medium}),
    );
    Ok(match call.store.commit(call.tenant, txn).await? {
        Commit::Committed => Reply::json(200, medium),
        Commit::Rejected(0) => call.documented(409, "CONCURRENT_MODIFICATION"),
        Commit::Rejected(_) => duplicate(call),
    })
}

async fn delete(call: &Call<'_>, customer_id: &str) -> Result<Reply, StoreError> {
    let medium_id = call.text("accessMediumId");
    let Some(stored) = call.store.get(call.tenant, MEDIUM, &medium_id).await? else {
        return Ok(not_found(call));
    };
    if stored.body["customerId"] != json!(customer_id) {
        return Ok(not_found(call));
    }
    let medium = &stored.body["medium"];
    let key = format!(
        "{}:{}",
        medium["type"].as_str().unwrap_or_default(),
        medium["value"].as_str().unwrap_or_default()
    );
    let txn = Txn::new()
        .guard(Guard::VersionIs(
            MEDIUM.into(),
            medium_id.clone(),
            stored.version,
        ))
        .delete(MEDIUM, medium_id)
        .delete(MEDIUM_KEY, key);
    Ok(match call.store.commit(call.tenant, txn).await? {
        Commit::Committed => Reply::empty(200),
        Commit::Rejected(_) => call.documented(409, "CONCURRENT_MODIFICATION"),
    })
}

/// A fresh code: 19 digits, valid for a minute.
fn access_code() -> Reply {
    let content: String = (0..19)
        .map(|_| char::from(b'0' + fastrand::u8(0..10)))
        .collect();
    let expires = chrono::Utc::now() + chrono::Duration::seconds(ACCESS_CODE_TTL);
    Reply::json(
        200,
        json!({
            "format": "QR_CODE",
            "expiresAt": expires.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "content": content,
        }),
    )
}
