//! Why an admin call was refused: one variant per status, every one answered as `{"error": message}`, so
//! handlers say what went wrong with `?` and none builds a refusal by hand.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::state::StoreError;

/// A refused admin call.
#[derive(Debug, thiserror::Error)]
pub(super) enum AdminError {
    /// 400: the call itself is wrong (its body, its tenant, what it asks for).
    #[error("{0}")]
    BadRequest(String),
    /// 401: an admin token is configured and was not presented.
    #[error("the admin API needs `Authorization: Bearer <admin token>`")]
    Unauthorized,
    /// 404: what the path names does not exist.
    #[error("{0}")]
    NotFound(String),
    /// 409: the call conflicts with the state (a unique key held, a change made meanwhile, no upstream).
    #[error("{0}")]
    Conflict(String),
    /// 503: the store (or shared journal, or shared fault rules) did not answer.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AdminError {
    /// The status this refusal is answered with.
    pub(super) fn status(&self) -> StatusCode {
        match self {
            AdminError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AdminError::Unauthorized => StatusCode::UNAUTHORIZED,
            AdminError::NotFound(_) => StatusCode::NOT_FOUND,
            AdminError::Conflict(_) => StatusCode::CONFLICT,
            AdminError::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let message = match &self {
            // The whole chain: "Redis is unreachable: connection refused", not just its first line.
            AdminError::Store(e) => e.chain(),
            other => other.to_string(),
        };
        (self.status(), Json(json!({"error": message}))).into_response()
    }
}

/// An admin call's answer, or why it was refused.
pub(super) type AdminResult<T = Response> = Result<T, AdminError>;

/// The body as a `T`, or a 400 that starts with `shape` (what the body should look like) and ends with
/// serde's reason.
pub(super) fn body<T: DeserializeOwned>(bytes: &[u8], shape: &str) -> AdminResult<T> {
    serde_json::from_slice(bytes).map_err(|e| AdminError::BadRequest(format!("{shape}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn answer(error: AdminError) -> (StatusCode, serde_json::Value) {
        let response = error.into_response();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn each_refusal_is_its_status_with_the_message_as_error() {
        let cases = [
            (AdminError::BadRequest("bad".into()), 400, "bad"),
            (
                AdminError::Unauthorized,
                401,
                "the admin API needs `Authorization: Bearer <admin token>`",
            ),
            (AdminError::NotFound("none".into()), 404, "none"),
            (AdminError::Conflict("held".into()), 409, "held"),
        ];
        for (error, status, message) in cases {
            assert_eq!(
                answer(error).await,
                (
                    StatusCode::from_u16(status).unwrap(),
                    json!({"error": message})
                )
            );
        }
    }

    #[tokio::test]
    async fn a_store_failure_is_a_503_naming_its_cause() {
        let cause = std::io::Error::other("connection refused");
        let (status, body) = answer(StoreError::caused("Redis is unreachable", cause).into()).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            body,
            json!({"error": "state store: Redis is unreachable: connection refused"})
        );
    }

    #[test]
    fn a_body_of_the_wrong_shape_is_a_400_saying_the_shape() {
        let refused = body::<u16>(b"\"x\"", "a number").unwrap_err();
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        assert!(
            refused.to_string().starts_with("a number: invalid type"),
            "{refused}"
        );
    }
}
