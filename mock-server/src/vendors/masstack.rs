//! MasStack Customers v4: customer credentials.
//!
//! Rules (shared/VENDORS.md §5): `x-auth-roles` must include API_KEY (403); the org and the customer must
//! exist (404); usernames are unique within the org (409) and at most 82 characters (400, from the
//! contract); deleting an unknown credential, or another customer's, answers 404.

use serde_json::{Value, json};

use crate::call::Call;
use crate::reply::Reply;
use crate::spec_index::Violation;
use crate::state::{Commit, Guard, StoreError, Txn};

use super::Problem;

const ORG: &str = "masstack.org";
const CUSTOMER: &str = "masstack.customer";
const CREDENTIAL: &str = "masstack.credential";
/// `org/username` → the credential holding it; claims the username within the org.
const USERNAME: &str = "masstack.username";

fn title(status: u16) -> &'static str {
    match status {
        400 => "Bad request",
        401 => "Unauthorized",
        403 => "Forbidden resource",
        404 => "Resource not found",
        409 => "Conflict",
        503 => "Service unavailable",
        504 => "Gateway Time-out",
        _ => "Internal server error",
    }
}

pub(super) fn error_body(status: u16, problem: &Problem) -> Value {
    let code = problem.code.clone().unwrap_or_else(|| {
        if status == 400 {
            "MCUS.999.998".to_owned()
        } else {
            format!("MCUS.999.{status}")
        }
    });
    let error = |message: &str| json!({"error": {"code": code, "title": title(status), "ref": "http://", "message": message}});
    let errors: Vec<Value> = if problem.fields.is_empty() {
        vec![error(&problem.message)]
    } else {
        problem
            .fields
            .iter()
            .map(|(field, e)| error(&format!("{field}: {e}")))
            .collect()
    };
    json!({"errors": errors})
}

pub(super) fn invalid(violations: &[Violation]) -> Problem {
    let mut problem = Problem::new("Bad request");
    for v in violations {
        problem = problem.field(
            if v.field.is_empty() {
                "body".into()
            } else {
                v.field.clone()
            },
            v.message.clone(),
        );
    }
    problem
}

pub(super) async fn handle(call: &Call<'_>) -> Result<Reply, StoreError> {
    let org = call.text("org_id");
    let customer = call.text("customer_id");
    let not_found = |what: &str| {
        call.fail(
            404,
            Problem::new(format!("{what} not found")).code("MCUS.999.404"),
        )
    };
    let customer_key = format!("{org}/{customer}");
    let found = call
        .store
        .get_many(
            call.tenant,
            [(ORG, org.as_str()), (CUSTOMER, customer_key.as_str())],
        )
        .await?;
    if found[0].is_none() {
        return Ok(not_found("Organization"));
    }
    if found[1].is_none() {
        return Ok(not_found("Customer"));
    }
    match call.op.id.as_str() {
        "masstack_create_credential" => create(call, &org, &customer).await,
        "masstack_list_credentials" => list(call, &org, &customer).await,
        "masstack_delete_credential" => delete(call, &org, &customer).await,
        other => Ok(call.fail(500, Problem::new(format!("no rules for {other}")))),
    }
}

async fn create(call: &Call<'_>, org: &str, customer: &str) -> Result<Reply, StoreError> {
    let username = call.body()["username"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if username.trim().is_empty() {
        return Ok(call.fail(
            400,
            Problem::new("Bad request").field("username", "must not be blank"),
        ));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let credential = json!({
        "id": id, "org": org, "customerId": customer, "username": username, "enabled": true,
        "created_at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    });
    let key = format!("{org}/{}", username.to_lowercase());
    let txn = Txn::new()
        .guard(Guard::Absent(USERNAME.into(), key.clone()))
        .put(USERNAME, key, json!({"credentialId": id}))
        .put(CREDENTIAL, id.clone(), credential);
    Ok(match call.store.commit(call.tenant, txn).await? {
        Commit::Committed => Reply::json(201, json!({"id": id})),
        Commit::Rejected(_) => call.documented(409, "CONFLICT"),
    })
}

fn public(credential: &Value) -> Value {
    json!({
        "id": credential["id"], "username": credential["username"],
        "enabled": credential["enabled"], "created_at": credential["created_at"],
    })
}

async fn list(call: &Call<'_>, org: &str, customer: &str) -> Result<Reply, StoreError> {
    let mut items: Vec<Value> = call
        .store
        .list(call.tenant, CREDENTIAL)
        .await?
        .into_iter()
        .filter(|(_, c)| c.body["org"] == json!(org) && c.body["customerId"] == json!(customer))
        .map(|(_, c)| c.body)
        .collect();
    items.sort_by(|a, b| {
        a["created_at"]
            .as_str()
            .cmp(&b["created_at"].as_str())
            .then(a["id"].as_str().cmp(&b["id"].as_str()))
    });
    Ok(Reply::json(
        200,
        Value::Array(items.iter().map(public).collect()),
    ))
}

async fn delete(call: &Call<'_>, org: &str, customer: &str) -> Result<Reply, StoreError> {
    let id = call.text("credential_id");
    let stored = call.store.get(call.tenant, CREDENTIAL, &id).await?;
    let Some(stored) =
        stored.filter(|c| c.body["org"] == json!(org) && c.body["customerId"] == json!(customer))
    else {
        return Ok(call.fail(
            404,
            Problem::new("Credential not found").code("MCUS.999.404"),
        ));
    };
    let key = format!(
        "{org}/{}",
        stored.body["username"]
            .as_str()
            .unwrap_or_default()
            .to_lowercase()
    );
    let txn = Txn::new()
        .guard(Guard::VersionIs(
            CREDENTIAL.into(),
            id.clone(),
            stored.version,
        ))
        .delete(CREDENTIAL, id)
        .delete(USERNAME, key);
    Ok(match call.store.commit(call.tenant, txn).await? {
        Commit::Committed => Reply::empty(204),
        Commit::Rejected(_) => call.fail(
            404,
            Problem::new("Credential not found").code("MCUS.999.404"),
        ),
    })
}
