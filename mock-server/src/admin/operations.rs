//! `GET /__mock/operations`: every operation with the answers it documents — what a response switch, a
//! `Prefer` header or a fault rule can ask for.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::Shared;

/// The operations in the contract's order.
pub(super) async fn list(State(state): Shared) -> Json<Value> {
    let operations: Vec<Value> = state
        .contract
        .operations
        .iter()
        .map(|op| {
            let mut answers: Vec<Value> = op
                .responses
                .iter()
                .map(|(status, response)| {
                    json!({
                        "status": status,
                        "description": response.description,
                        "examples": response.examples.iter().map(|(name, _)| name).collect::<Vec<_>>(),
                    })
                })
                .collect();
            answers.extend(
                op.omitted
                    .iter()
                    .map(|status| json!({"status": status, "description": "", "examples": []})),
            );
            answers.sort_by_key(|a| a["status"].as_u64());
            json!({
                "id": op.id,
                "method": op.method.as_str(),
                "path": op.path,
                "vendor": state.contract.vendor_of(op).name,
                "deprecated": op.deprecated,
                "answers": answers,
            })
        })
        .collect();
    Json(json!({"operations": operations}))
}
