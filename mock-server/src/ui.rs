//! The web page for frontend developers: the API explorer (vendored Swagger UI) and the live dashboard
//! (journal, state, reset, faults, demo credentials), under `/__mock/ui/`. Every file is embedded in the
//! binary, so a release binary started from an empty folder serves it, and nothing is fetched from
//! anywhere but this origin. The static files need no admin token; the dashboard's calls to the admin API
//! do, when one is configured.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use rust_embed::RustEmbed;
use serde_json::{Value, json};

use crate::shared::AppState;

/// Where the page lives; `GET /` redirects here.
pub const UI_PATH: &str = "/__mock/ui/";

/// Scripts, styles, images and API calls only from this origin; no inline script or style, no frames.
/// `data:` images are allowed because Swagger UI's stylesheet draws its icons with them.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

#[derive(RustEmbed)]
#[folder = "ui/"]
struct Assets;

/// The UI routes (the page is public; its admin calls are not).
pub(crate) fn routes(state: Arc<AppState>) -> Router<Arc<AppState>> {
    Router::new()
        .route("/", get(|| async { Redirect::to(UI_PATH) }))
        .route("/__mock/ui", get(|| async { Redirect::permanent(UI_PATH) }))
        .route("/__mock/ui/", get(index))
        .route("/__mock/ui/openapi.json", get(explorer_spec))
        .route("/__mock/ui/{*file}", get(asset))
        .route("/favicon.ico", get(favicon))
        .layer(axum::middleware::map_response(secured))
        .layer(axum::middleware::from_fn_with_state(
            state.allowed_hosts.clone(),
            crate::origin::known_host,
        ))
}

async fn index(headers: HeaderMap) -> Response {
    serve("index.html", &headers)
}

async fn favicon(headers: HeaderMap) -> Response {
    serve("vendor/swagger-ui/favicon-32x32.png", &headers)
}

async fn asset(Path(file): Path<String>, headers: HeaderMap) -> Response {
    serve(&file, &headers)
}

/// One embedded file, with its content type and an ETag so reloads are cheap (`secured` adds the rest).
fn serve(file: &str, request: &HeaderMap) -> Response {
    let Some(content) = Assets::get(file) else {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("no such file in the mock's web page: {file}"),
        )
            .into_response();
    };
    let etag = format!("\"{}\"", hex(&content.metadata.sha256_hash()[..16]));
    let fresh = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag);
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mime = content.metadata.mimetype();
        let mime = if mime.starts_with("text/") || mime.ends_with("javascript") {
            format!("{mime}; charset=utf-8")
        } else {
            mime.to_owned()
        };
        ([(header::CONTENT_TYPE, mime)], content.data.into_owned()).into_response()
    };
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// Every answer of the page, redirects and 404s included, carries the security headers.
async fn secured(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The contract as the explorer needs it: "try it" must call this mock on the page's own origin, never a
/// vendor host, so every path- and operation-level `servers` list is dropped and the one server is `/`.
pub fn explorer_document(document: &Value) -> Value {
    let mut document = document.clone();
    if let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            item.remove("servers");
            for operation in item.values_mut().filter_map(Value::as_object_mut) {
                operation.remove("servers");
            }
        }
    }
    document["servers"] = json!([{
        "url": "/",
        "description": "This mock server (the page's own origin)"
    }]);
    document
}

async fn explorer_spec(State(state): State<Arc<AppState>>) -> Response {
    // Built per request: each server may serve its own document (`--spec`), and the page asks once.
    let body = serde_json::to_vec(&explorer_document(&state.contract.document)).unwrap_or_default();
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// The embedded files' paths (the tests compare them with the `ui/` folder).
pub fn files() -> Vec<String> {
    Assets::iter().map(|f| f.into_owned()).collect()
}
