//! The pipeline every vendor API request goes through:
//! route → auth → `Prefer` overrides and fault rules → validation → the vendor's rules → decoration
//! (vendor headers, `Deprecation`, `Retry-After`) → journal and log.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::Response;
use serde_json::Value;

use crate::app::AppState;
use crate::auth::{Auth, authenticate};
use crate::call::{Call, documented};
use crate::journal::Entry;
use crate::prefer::Prefer;
use crate::reply::Reply;
use crate::spec_index::{Operation, RouteMatch};
use crate::validate::{Invalid, validate};
use crate::vendors::{Problem, Vendor};

/// The header that selects a tenant; requests without it use `default`.
pub const TENANT_HEADER: &str = "x-mock-tenant";
/// The tenant of requests that name none.
pub const DEFAULT_TENANT: &str = "default";

/// The tenant a request names.
pub(crate) fn tenant_of(headers: &HeaderMap) -> String {
    headers
        .get(TENANT_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 128)
        .unwrap_or(DEFAULT_TENANT)
        .to_owned()
}

/// Handles one vendor API request.
pub(crate) async fn handle(State(app): State<Arc<AppState>>, request: Request) -> Response {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let tenant = tenant_of(&parts.headers);
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    let read = axum::body::to_bytes(body, app.body_limit);
    let body = match tokio::time::timeout(app.body_timeout, read).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(_)) => Err((
            413,
            format!("The request body exceeds {} bytes.", app.body_limit),
        )),
        Err(_) => Err((
            408,
            format!(
                "The request body did not arrive within {:?}.",
                app.body_timeout
            ),
        )),
    };
    let (operation, reply) = match &body {
        Ok(bytes) => {
            run(
                &app,
                &parts.method,
                &path,
                query.as_deref(),
                &parts.headers,
                bytes,
                &tenant,
            )
            .await
        }
        Err((status, message)) => {
            let vendor = app.vendor_for_path(&path);
            (
                None,
                error_reply(vendor, *status, &Problem::new(message.clone())),
            )
        }
    };
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(
        method = %parts.method, path = %path, status = reply.status.as_u16(),
        operation = operation.as_deref().unwrap_or("-"), tenant = %tenant, latency_ms, "request"
    );
    let response_body = reply
        .body
        .as_ref()
        .map(|b| serde_json::to_vec(b).unwrap_or_default());
    let status = reply.status.as_u16();
    let journaled_body = reply.body.clone();
    // Journal what is sent: the headers of the built response, content type included.
    let response = into_response(reply, response_body);
    app.journal.record(Entry {
        id: 0,
        at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        tenant,
        method: parts.method.to_string(),
        path,
        query,
        operation,
        status,
        latency_ms,
        request_headers: Entry::headers(&parts.headers),
        response_headers: Entry::headers(response.headers()),
        request_body: body.as_ref().ok().and_then(|b| Entry::body(b)),
        response_body: journaled_body,
    });
    response
}

fn into_response(reply: Reply, body: Option<Vec<u8>>) -> Response {
    let mut response = match body {
        Some(bytes) => {
            let mut r = Response::new(Body::from(bytes));
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            r
        }
        None => Response::new(Body::empty()),
    };
    *response.status_mut() = reply.status;
    for (name, value) in reply.headers {
        response.headers_mut().append(name, value);
    }
    response
}

fn error_reply(vendor: Option<Vendor>, status: u16, problem: &Problem) -> Reply {
    match vendor {
        Some(v) => Reply::json(status, v.error_body(status, problem)),
        None => Reply::json(status, serde_json::json!({"error": problem.message})),
    }
}

/// Routes and answers; returns the operationId, the vendor and the decorated answer.
async fn run(
    app: &AppState,
    method: &Method,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
    tenant: &str,
) -> (Option<String>, Reply) {
    let (op, path_params) = match app.index.route(method, path) {
        RouteMatch::Found(op, params) => (op, params),
        RouteMatch::MethodNotAllowed(allowed) => {
            let allow: Vec<&str> = allowed.iter().map(Method::as_str).collect();
            return (None, Reply::empty(405).header("allow", allow.join(", ")));
        }
        RouteMatch::NotFound => {
            let vendor = app.vendor_for_path(path);
            let problem =
                Problem::new(format!("No operation matches {method} {path}.")).code("NOT_FOUND");
            return (None, error_reply(vendor, 404, &problem));
        }
    };
    let correlation = path_params
        .iter()
        .find(|(n, _)| n == "correlation_id")
        .map(|(_, v)| v.clone());
    let reply = answer(app, op, path, path_params, query, headers, body, tenant).await;
    let reply = decorate(op, reply);
    let reply = op.vendor.decorate(correlation.as_deref(), reply);
    (Some(op.id.clone()), reply)
}

#[allow(clippy::too_many_arguments)]
async fn answer(
    app: &AppState,
    op: &Operation,
    path: &str,
    path_params: Vec<(String, String)>,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
    tenant: &str,
) -> Reply {
    let store_failed = |e| crate::call::store_unavailable(op, &e);
    let principal = match authenticate(&app.index, op, headers, &app.store, tenant).await {
        Ok(Auth::Accepted(principal)) => principal,
        Ok(Auth::Refused(401)) => {
            return documented(
                op,
                401,
                Some(op.vendor.unauthenticated_example()),
                Problem::new("Unauthorized"),
            );
        }
        Ok(Auth::Refused(status)) => {
            return documented(op, status, None, Problem::new("Forbidden"));
        }
        Err(e) => return store_failed(e),
    };
    let prefer = match Prefer::parse(headers.get("prefer").and_then(|v| v.to_str().ok())) {
        Ok(p) => p,
        Err(message) => return Reply::json(400, op.vendor.error_body(400, &Problem::new(message))),
    };
    if let Some(delay) = prefer.delay {
        tokio::time::sleep(delay).await;
    }
    if prefer.code.is_some() || prefer.example.is_some() {
        return preferred(op, &prefer);
    }
    if let Some(fault) = app.faults.take(&op.id, path, tenant) {
        tokio::time::sleep(fault.delay).await;
        if let Some(status) = fault.status {
            let problem = Problem::new(format!("Fault injected by mock rule {}.", fault.rule));
            return documented(op, status, None, problem);
        }
    }
    let valid = match validate(op, &path_params, query, headers, body) {
        Ok(v) => v,
        Err(Invalid::Violations(violations)) => return op.vendor.invalid_request(op, &violations),
        Err(Invalid::UnsupportedMediaType(found)) => {
            let problem = Problem::new(format!(
                "Content-Type must be application/json, found {found}."
            ));
            return Reply::json(415, op.vendor.error_body(415, &problem));
        }
    };
    let call = Call {
        op,
        tenant,
        params: valid.params,
        body: valid.body,
        principal,
        store: &app.store,
    };
    op.vendor.handle(&call).await
}

/// `Prefer: code=…` and/or `example=…`: a documented answer, or 400 listing what is documented.
fn preferred(op: &Operation, prefer: &Prefer) -> Reply {
    let status = match (prefer.code, &prefer.example) {
        (Some(code), _) => code,
        (None, Some(name)) => {
            match op
                .responses
                .iter()
                .find(|(_, r)| r.examples.iter().any(|(n, _)| n == name))
            {
                Some((status, _)) => *status,
                None => return undocumented(op, &format!("example={name}")),
            }
        }
        (None, None) => unreachable!("checked by the caller"),
    };
    let Some(response) = op.responses.get(&status) else {
        if op.omitted.contains(&status) {
            return Reply::empty(status);
        }
        return undocumented(op, &format!("code={status}"));
    };
    if let Some(name) = &prefer.example
        && !response.examples.iter().any(|(n, _)| n == name)
    {
        return undocumented(op, &format!("example={name} with code={status}"));
    }
    documented(
        op,
        status,
        prefer.example.as_deref(),
        Problem::new(response.description.clone()),
    )
}

fn undocumented(op: &Operation, what: &str) -> Reply {
    let codes: Vec<String> = op
        .responses
        .keys()
        .chain(&op.omitted)
        .map(u16::to_string)
        .collect();
    let names: Vec<String> = op
        .responses
        .values()
        .flat_map(|r| r.examples.iter().map(|(n, _)| n.clone()))
        .collect();
    let problem = Problem::new(format!(
        "Prefer: {what} is not documented for {}. Documented statuses: {}. Documented examples: {}.",
        op.id,
        codes.join(", "),
        names.join(", ")
    ))
    .field("Prefer", what.to_owned());
    Reply::json(400, op.vendor.error_body(400, &problem))
}

/// Headers the contract documents for the answer: `Retry-After` on 429/503, `Deprecation` on deprecated
/// operations.
fn decorate(op: &Operation, mut reply: Reply) -> Reply {
    let status = reply.status.as_u16();
    let documents_retry_after = op.responses.get(&status).is_some_and(|r| {
        r.headers
            .iter()
            .any(|h| h.eq_ignore_ascii_case("retry-after"))
    });
    if documents_retry_after {
        reply = reply.header("retry-after", "1");
    }
    if op.deprecated {
        reply = reply.header("deprecation", "true");
    }
    reply
}

/// The operationIds of the contract, for the admin API.
pub(crate) fn operation_ids(app: &AppState) -> Vec<Value> {
    app.index
        .operations
        .iter()
        .map(|o| Value::String(o.id.clone()))
        .collect()
}
