//! The request journal over the admin API.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::Shared;
use crate::journal::Filter;

/// `GET /__mock/requests`: matching entries, newest first.
pub(super) async fn list(State(state): Shared, Query(filter): Query<Filter>) -> Json<Value> {
    Json(json!({"requests": state.journal.query(&filter)}))
}

/// `DELETE /__mock/requests`: forgets every entry.
pub(super) async fn clear(State(state): Shared) -> StatusCode {
    state.journal.clear();
    StatusCode::NO_CONTENT
}
