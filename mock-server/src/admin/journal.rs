//! The request journal over the admin API: this mock's, or with Redis every replica's.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::Shared;
use super::error::AdminResult;
use crate::journal::Filter;

/// `GET /__mock/requests`: matching entries, newest first; with Redis, every replica's (each naming the
/// replica that served it), else this mock's.
pub(super) async fn list(State(state): Shared, Query(filter): Query<Filter>) -> Response {
    #[cfg(feature = "redis")]
    if let Some(shared) = state.journal.shared() {
        let about = |error: Option<String>| json!({"shared": error.is_none(), "replica": shared.replica(), "dropped": shared.dropped(), "error": error});
        return match shared.query(&filter).await {
            Ok(requests) => Json(json!({"requests": requests, "journal": about(None)})),
            // Redis away: this replica's own entries, saying so.
            Err(e) => Json(json!({
                "requests": state.journal.query(&filter),
                "journal": about(Some(e.chain())),
            })),
        }
        .into_response();
    }
    Json(json!({"requests": state.journal.query(&filter)})).into_response()
}

/// `DELETE /__mock/requests`: forgets every entry (with Redis, every replica's).
pub(super) async fn clear(State(state): Shared) -> AdminResult<StatusCode> {
    state.journal.clear();
    #[cfg(feature = "redis")]
    if let Some(shared) = state.journal.shared() {
        shared.clear().await?;
    }
    Ok(StatusCode::NO_CONTENT)
}
