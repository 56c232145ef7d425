//! Journals each vendor API exchange as the client received it. This layer sits outside CORS, so an entry
//! shows the `Access-Control-*` headers actually sent, and preflight requests — which CORS answers without
//! reaching the pipeline — are journaled too, with the operation they ask about: a CORS problem can be
//! read in the journal.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::Request;
use axum::http::{Method, header};
use axum::response::Response;

use crate::contract::RouteMatch;
use crate::journal::{Entry, Headers};
use crate::shared::AppState;

/// A vendor API request being answered.
pub(crate) type Answering = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

/// An entry the pipeline made, riding on its response until the response is final.
#[derive(Clone)]
pub(crate) struct Unrecorded(pub(crate) Box<Entry>);

/// The layer: completes the pipeline's entry with the final headers, or journals a preflight. A tower
/// service rather than `axum::middleware::from_fn`, which boxes and clones the whole inner stack on every
/// request (4% of the simplest GET).
#[derive(Clone)]
pub(crate) struct Journaling<S> {
    pub(crate) app: Arc<AppState>,
    pub(crate) inner: S,
}

/// [`Journaling`] as a layer.
#[derive(Clone)]
pub(crate) struct JournalingLayer(pub(crate) Arc<AppState>);

impl<S> tower::Layer<S> for JournalingLayer {
    type Service = Journaling<S>;

    fn layer(&self, inner: S) -> Journaling<S> {
        Journaling {
            app: self.0.clone(),
            inner,
        }
    }
}

impl<S> tower::Service<Request> for Journaling<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Answering;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let started = Instant::now();
        let preflight = preflight_of(&request, &self.app.secrets);
        let response = self.inner.call(request);
        let app = self.app.clone();
        Box::pin(async move {
            let Ok(response) = response.await;
            Ok(record(&app, response, preflight, started))
        })
    }
}

/// Journals the exchange `response` ends.
fn record(
    app: &AppState,
    mut response: Response,
    preflight: Option<Entry>,
    started: Instant,
) -> Response {
    if let Some(Unrecorded(mut entry)) = response.extensions_mut().remove::<Unrecorded>() {
        entry.response_headers = Headers::of(response.headers(), &app.secrets);
        app.journal.record(*entry);
    } else if let Some(mut entry) = preflight {
        let asked = entry
            .request_headers
            .get(header::ACCESS_CONTROL_REQUEST_METHOD.as_str())
            .and_then(|method| Method::from_bytes(method.as_bytes()).ok());
        if let Some(asked) = asked
            && let RouteMatch::Found(op, _) = app.contract.route(&asked, &entry.path)
        {
            entry.operation = Some(op.id.clone());
        }
        entry.status = response.status().as_u16();
        entry.latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        entry.response_headers = Headers::of(response.headers(), &app.secrets);
        app.journal.record(entry);
    }
    response
}

/// A CORS preflight's entry, begun before CORS answers it.
fn preflight_of(request: &Request, secrets: &crate::journal::Secrets) -> Option<Entry> {
    let headers = request.headers();
    if request.method() != Method::OPTIONS
        || !headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
    {
        return None;
    }
    Some(Entry {
        id: 0,
        at: chrono::Utc::now(),
        tenant: crate::tenant::of_request(headers).unwrap_or_else(|_| "(invalid)".to_owned()),
        method: Method::OPTIONS,
        path: request.uri().path().to_owned(),
        query: Entry::query(request.uri().query(), secrets),
        operation: None,
        status: 0,
        latency_ms: 0.0,
        request_headers: Headers::of(headers, secrets),
        demo_credentials: Vec::new(),
        forced: None,
        upstream: None,
        response_headers: Headers::default(),
        request_body: None,
        response_body: None,
        body_bytes: 0,
    })
}
