//! The axum application: the admin API, the web page, the spec, and every vendor API request through
//! [`crate::pipeline`].

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;
use tower_http::cors::{AllowHeaders, AllowMethods, AllowOrigin, CorsLayer};

use crate::shared::AppState;

/// Headers a browser may read from answers (CORS `Access-Control-Expose-Headers`), besides those the
/// vendors declare.
const EXPOSED: [&str; 8] = [
    "retry-after",
    "deprecation",
    "allow",
    "location",
    "content-length",
    crate::answer::MOCK_ERROR_HEADER,
    // The validating proxy's findings.
    crate::answer::VIOLATIONS_HEADER,
    crate::answer::VIOLATION_COUNT_HEADER,
];

/// The whole application; tests can drive it with `tower::ServiceExt::oneshot` without a socket.
pub fn app(state: Arc<AppState>) -> Router {
    let mut exposed: Vec<HeaderName> = EXPOSED.map(HeaderName::from_static).to_vec();
    for vendor in &state.contract.vendors {
        for name in vendor.header_names() {
            if !exposed.contains(name) {
                exposed.push(name.clone());
            }
        }
    }
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_methods(AllowMethods::mirror_request())
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers(exposed)
        .max_age(std::time::Duration::from_secs(600));
    // CORS only on the vendor APIs and the spec: the admin API and the web page are same-origin only
    // (crate::origin).
    let vendor_apis = Router::new()
        .route("/openapi.yaml", get(openapi_yaml))
        .route("/openapi.json", get(openapi_json))
        .fallback(crate::pipeline::handle)
        .layer(cors)
        // Outside CORS: the journal sees the headers the client receives, and the preflights.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::journaling::record,
        ))
        .with_state(state.clone());
    let router = Router::new().nest("/__mock", crate::admin::routes(state.clone()));
    #[cfg(feature = "web")]
    let router = router.merge(crate::ui::routes(state.clone()));
    router.with_state(state).fallback_service(vendor_apis)
}

async fn openapi_yaml(
    axum::extract::State(state): axum::extract::State<Arc<AppState>>,
) -> impl IntoResponse {
    // The embedded document as written; a document given with `--spec`, as parsed.
    let text = if Arc::ptr_eq(&state.contract, &crate::contract::Contract::embedded()) {
        concord_spec::OPENAPI_YAML.to_owned()
    } else {
        serde_yaml_ng::to_string(state.contract.document.as_ref()).unwrap_or_default()
    };
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/yaml"),
        )],
        text,
    )
}

async fn openapi_json(
    axum::extract::State(state): axum::extract::State<Arc<AppState>>,
) -> impl IntoResponse {
    axum::Json(state.contract.document.as_ref().clone())
}
