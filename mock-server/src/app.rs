//! The axum application: the admin API, the spec, and every vendor API request through [`crate::api`].

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;
use tower_http::cors::{AllowHeaders, AllowMethods, AllowOrigin, CorsLayer};

use crate::faults::Faults;
use crate::journal::Journal;
use crate::spec_index::SpecIndex;
use crate::state::Store;
use crate::vendors::Vendor;

/// Headers a browser may read from answers (CORS `Access-Control-Expose-Headers`).
const EXPOSED: [&str; 11] = [
    "mck-appid",
    "mck-msgid",
    "mck-msgtimestamp",
    "mck_correlationid",
    "x-amzn-requestid",
    "retry-after",
    "deprecation",
    "allow",
    "location",
    "content-length",
    crate::call::MOCK_ERROR_HEADER,
];

/// Everything the handlers share.
pub struct AppState {
    /// The compiled contract.
    pub index: Arc<SpecIndex>,
    /// Tenants' state.
    pub store: Store,
    /// Fault rules.
    pub faults: Faults,
    /// The request journal.
    pub journal: Journal,
    /// The largest request body accepted.
    pub body_limit: usize,
    /// How long a client may take to send its body.
    pub body_timeout: std::time::Duration,
    /// The token the admin API requires, if any.
    pub admin_token: Option<String>,
    /// When the server started.
    pub started: Instant,
    /// First path segment → vendor, for errors on paths no operation matches.
    prefixes: BTreeMap<String, Vendor>,
}

impl AppState {
    /// Shared state over a store.
    pub fn new(
        store: Store,
        journal_capacity: usize,
        body_limit: usize,
        admin_token: Option<String>,
    ) -> AppState {
        let index = SpecIndex::embedded();
        let prefixes = index
            .operations
            .iter()
            .filter_map(|op| Some((op.path.split('/').nth(1)?.to_owned(), op.vendor)))
            .collect();
        AppState {
            index,
            store,
            faults: Faults::default(),
            journal: Journal::new(journal_capacity),
            body_limit,
            body_timeout: std::time::Duration::from_secs(10),
            admin_token,
            started: Instant::now(),
            prefixes,
        }
    }

    /// The vendor whose paths start like `path` (its error body answers unknown paths).
    pub fn vendor_for_path(&self, path: &str) -> Option<Vendor> {
        self.prefixes.get(path.split('/').nth(1)?).copied()
    }
}

/// The whole application; tests can drive it with `tower::ServiceExt::oneshot` without a socket.
pub fn app(state: Arc<AppState>) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_methods(AllowMethods::mirror_request())
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers(EXPOSED.map(HeaderName::from_static))
        .max_age(std::time::Duration::from_secs(600));
    Router::new()
        .route("/openapi.yaml", get(openapi_yaml))
        .route("/openapi.json", get(openapi_json))
        .nest("/__mock", crate::admin::routes(state.clone()))
        .merge(crate::ui::routes())
        .fallback(crate::api::handle)
        .with_state(state)
        .layer(cors)
}

async fn openapi_yaml() -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/yaml"),
        )],
        concord_spec::OPENAPI_YAML,
    )
}

async fn openapi_json(
    axum::extract::State(state): axum::extract::State<Arc<AppState>>,
) -> impl IntoResponse {
    axum::Json(state.index.document.as_ref().clone())
}
