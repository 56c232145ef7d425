//! The application: the admin API, the web page and the spec on an axum router, and every other request —
//! the vendor APIs — straight through [`crate::pipeline`], with CORS and the journal around it.

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::future::Either;
use tower::{Layer, Service};
use tower_http::cors::{AllowHeaders, AllowMethods, AllowOrigin, Cors, CorsLayer};

use crate::journaling::{Answering, Journaling, JournalingLayer};

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

/// Paths the mock answers itself, on its router: the admin API and the page under
/// [`crate::admin::PREFIX`], and these (the page's entry and icon, the contract). Every other path is a
/// vendor API's.
const OWN_PATHS: [&str; 4] = ["/", "/favicon.ico", "/openapi.yaml", "/openapi.json"];

/// The whole application; tests can drive it with `tower::ServiceExt::oneshot` without a socket.
///
/// Not one router with the vendor APIs as its fallback: that boxed and cloned the whole vendor stack on
/// every request and matched each vendor path against the admin routes first. The mock's own paths are a
/// prefix and four paths, so they are told apart with a comparison.
#[derive(Clone)]
pub struct App {
    own: Router,
    vendor_apis: Journaling<CorsWhenAsked>,
}

impl<B> Service<axum::http::Request<B>> for App
where
    B: axum::body::HttpBody<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<<Router as Service<Request>>::Future, Answering>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // Both are always ready.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: axum::http::Request<B>) -> Self::Future {
        let request = request.map(Body::new);
        if is_own(request.uri().path()) {
            Either::Left(self.own.call(request))
        } else {
            Either::Right(self.vendor_apis.call(request))
        }
    }
}

/// Whether the mock answers `path` itself rather than a vendor API.
fn is_own(path: &str) -> bool {
    OWN_PATHS.contains(&path)
        || path
            .strip_prefix(crate::admin::PREFIX)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// What CORS's `Vary` says (tower_http's default): an answer differs with these request headers.
const VARY: &str = "origin, access-control-request-method, access-control-request-headers";

/// CORS where it applies. A request with an `Origin` (every cross-origin request a browser makes, every
/// preflight) goes through tower_http's CORS, and so does every `OPTIONS`, which it answers as a preflight
/// whether or not an `Origin` came with it. Any other request is no CORS request: it gets the `Vary` header
/// CORS adds, so that a cache never hands it to a browser, and not the 270 bytes of
/// `Access-Control-Expose-Headers` that only a browser reads, nor CORS's per-request header map.
#[derive(Clone)]
struct CorsWhenAsked(Cors<Pipeline>);

impl Service<Request> for CorsWhenAsked {
    type Response = Response;
    type Error = Infallible;
    type Future = Either<tower_http::cors::ResponseFuture<Answering>, Answering>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        if request.headers().contains_key(header::ORIGIN) || request.method() == Method::OPTIONS {
            Either::Left(self.0.call(request))
        } else {
            Either::Right(self.0.get_ref().answer(request, Some(VARY)))
        }
    }
}

/// The pipeline as a service.
#[derive(Clone)]
struct Pipeline(Arc<AppState>);

impl Pipeline {
    /// The pipeline's answer to `request`, with a `Vary` header when one is given.
    fn answer(&self, request: Request, vary: Option<&'static str>) -> Answering {
        let app = self.0.clone();
        Box::pin(async move {
            let mut response = crate::pipeline::handle(axum::extract::State(app), request).await;
            if let Some(vary) = vary {
                response
                    .headers_mut()
                    .append(header::VARY, HeaderValue::from_static(vary));
            }
            Ok(response)
        })
    }
}

impl Service<Request> for Pipeline {
    type Response = Response;
    type Error = Infallible;
    type Future = Answering;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        self.answer(request, None)
    }
}

/// The whole application.
pub fn app(state: Arc<AppState>) -> App {
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
    // (crate::origin). The journal sits outside CORS: it sees the headers the client receives, and the
    // preflights.
    let journaled = JournalingLayer(state.clone());
    let spec = Router::new()
        .route("/openapi.yaml", get(openapi_yaml))
        .route("/openapi.json", get(openapi_json))
        .layer(cors.clone())
        .layer(journaled.clone());
    let vendor_apis = journaled.layer(CorsWhenAsked(cors.layer(Pipeline(state.clone()))));
    let own = Router::new()
        .nest(crate::admin::PREFIX, crate::admin::routes(state.clone()))
        .merge(spec);
    #[cfg(feature = "web")]
    let own = own.merge(crate::ui::routes(state.clone()));
    App {
        own: own.with_state(state),
        vendor_apis,
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use tower::ServiceExt;

    #[test]
    fn the_mocks_own_paths_are_its_prefix_and_four_paths() {
        for own in [
            "/__mock",
            "/__mock/",
            "/__mock/health",
            "/__mock/ui/index.html",
            "/",
            "/favicon.ico",
            "/openapi.yaml",
            "/openapi.json",
        ] {
            assert!(is_own(own), "{own}");
        }
        for vendor in [
            "/__mockery",
            "/v1/customers/1001",
            "/openapi.json/x",
            "//__mock",
        ] {
            assert!(!is_own(vendor), "{vendor}");
        }
    }

    async fn answer(app: &App, path: &str) -> (u16, serde_json::Value) {
        let request = axum::http::Request::get(path)
            .header("host", "127.0.0.1")
            .body(Body::empty())
            .unwrap();
        let Ok(response) = app.clone().oneshot(request).await;
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    /// The app on the embedded contract and its demo data.
    async fn default_app() -> App {
        let state = AppState::build(&crate::MockConfig::default())
            .await
            .unwrap();
        app(Arc::new(state))
    }

    #[tokio::test]
    async fn cors_headers_go_to_requests_with_an_origin_and_vary_to_every_answer() {
        let app = default_app().await;
        let get = |origin: Option<&str>| {
            // A path no operation has: answered by the pipeline (its 404), as every vendor request is.
            let mut request =
                axum::http::Request::get("/no/such/operation").header("host", "127.0.0.1");
            if let Some(origin) = origin {
                request = request.header("origin", origin);
            }
            app.clone().oneshot(request.body(Body::empty()).unwrap())
        };
        let Ok(plain) = get(None).await;
        let Ok(cors) = get(Some("http://localhost:5173")).await;
        assert_eq!(
            (plain.status().as_u16(), cors.status().as_u16()),
            (404, 404)
        );
        // The same Vary either way, and the one tower_http's CORS writes.
        let vary = |r: &Response| {
            r.headers()
                .get_all(header::VARY)
                .iter()
                .cloned()
                .collect::<Vec<_>>()
        };
        assert_eq!(vary(&plain), [HeaderValue::from_static(VARY)]);
        assert_eq!(vary(&cors), vary(&plain));
        assert_eq!(
            cors.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
            "http://localhost:5173"
        );
        assert!(
            cors.headers()
                .contains_key(header::ACCESS_CONTROL_EXPOSE_HEADERS)
        );
        for name in [
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
        ] {
            assert!(
                !plain.headers().contains_key(&name),
                "{name} without an Origin"
            );
        }
        // An OPTIONS without an Origin is answered by CORS as a preflight, as it always was.
        let options = axum::http::Request::options("/no/such/operation")
            .header("host", "127.0.0.1")
            .header("access-control-request-method", "GET")
            .body(Body::empty())
            .unwrap();
        let Ok(options) = app.clone().oneshot(options).await;
        assert_eq!(options.status().as_u16(), 200);
        assert!(
            options
                .headers()
                .contains_key(header::ACCESS_CONTROL_ALLOW_METHODS)
        );
    }

    #[tokio::test]
    async fn an_unknown_admin_path_is_the_admin_apis_404_and_a_lookalike_a_vendors() {
        let app = default_app().await;
        let (status, body) = answer(&app, "/__mock/nope").await;
        assert_eq!(status, 404);
        let error = body["error"].as_str().unwrap();
        assert!(
            error.contains("GET /__mock/nope is no endpoint of the mock's admin API"),
            "{error}"
        );
        let (status, body) = answer(&app, "/__mockery").await;
        assert_eq!(status, 404);
        assert_eq!(body["error"], "No operation matches GET /__mockery.");
    }
}
