//! The pipeline every vendor API request goes through, in the order the data flows:
//! route → body → auth → overrides (`Prefer`, fault rules) → validate → rules → respond (the documented
//! headers and the vendor's headers) → journal and log. Each stage either passes the request on or stops
//! it with an [`Answer`] (a [`Flow`]); the answer, success or not, is rendered in one place. Auth, the
//! response switch, the rules' first loads and (on Redis) their lists before the first write read the
//! store together, in one batched read (one round trip on Redis; a read-only request needs no other): the
//! request is validated before that read and its violations answered after auth and the overrides, in the
//! order above.

use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::answer::{Answer, Flow, settle, stop};
use crate::auth::Auth;
use crate::contract::{Operation, RouteMatch};
use crate::journal::{Entry, Forced, ForcedBy, Headers, Notes};
use crate::prefer::Prefer;
use crate::problem::Problem;
use crate::reply::Reply;
use crate::request_body::BodyError;
use crate::shared::AppState;
use crate::switch::Switch;
use crate::validate::{Invalid, Sent, validate};

/// Handles one vendor API request.
pub(crate) async fn handle(State(app): State<Arc<AppState>>, request: Request) -> Response {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let (tenant, bad_tenant) = match crate::tenant::of_request(&parts.headers) {
        Ok(tenant) => (tenant, None),
        Err(message) => ("(invalid)".to_owned(), Some(message)),
    };
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    let incoming = Incoming {
        method: &parts.method,
        path: &path,
        query: query.as_deref(),
        headers: &parts.headers,
        tenant: &tenant,
    };
    let mut notes = Notes::default();
    let (operation, reply, body) = match bad_tenant {
        Some(message) => (
            None,
            Answer::problem(
                400,
                Problem::new(message.clone()).field(crate::tenant::TENANT_HEADER, message),
            )
            .render(&app.contract, None, &path),
            None,
        ),
        None => answer(&app, &incoming, body, &mut notes).await,
    };
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(
        method = %parts.method, path = %path, status = reply.status.as_u16(),
        operation = operation.as_deref().unwrap_or("-"), tenant = %tenant, latency_ms, "request"
    );
    let response_body = match &reply.passed {
        Some(passed) => Some(passed.clone()).filter(|b| !b.is_empty()),
        None => reply
            .body
            .as_ref()
            .map(|b| bytes::Bytes::from(serde_json::to_vec(b).unwrap_or_default())),
    };
    let status = reply.status.as_u16();
    let journaled_body = response_body.as_ref().and_then(crate::journal::Body::of);
    let body_bytes = Entry::body_bytes(
        body.as_ref().map_or(0, bytes::Bytes::len),
        response_body.as_ref().map_or(0, bytes::Bytes::len),
    );
    // The entry travels with the response to crate::journaling, which journals it with the headers the
    // client receives (CORS included).
    let mut response = into_response(reply, response_body);
    let entry = Entry {
        id: 0,
        at: chrono::Utc::now(),
        tenant,
        method: parts.method.clone(),
        query: Entry::query(query.as_deref(), &app.secrets),
        path,
        operation,
        status,
        latency_ms,
        request_headers: Headers::of(&parts.headers, &app.secrets),
        demo_credentials: notes.demo_credentials,
        forced: notes.forced,
        upstream: notes.upstream,
        response_headers: Headers::default(),
        request_body: body.as_ref().and_then(crate::journal::Body::of),
        response_body: journaled_body,
        body_bytes,
    };
    response
        .extensions_mut()
        .insert(crate::journaling::Unrecorded(Box::new(entry)));
    response
}

/// What the stages read of a request.
struct Incoming<'a> {
    method: &'a Method,
    path: &'a str,
    query: Option<&'a str>,
    headers: &'a HeaderMap,
    tenant: &'a str,
}

/// A request routed to its operation, with its body read: what every stage after routing reads, and what
/// they learn of it for the journal (`notes`).
struct Exchange<'a> {
    incoming: &'a Incoming<'a>,
    op: &'a Operation,
    path_params: &'a [(String, String)],
    body: &'a bytes::Bytes,
    notes: &'a mut Notes,
}

fn into_response(reply: Reply, body: Option<bytes::Bytes>) -> Response {
    let mut response = match body {
        // Passed on as the vendor sent it, with its own Content-Type.
        Some(bytes) if reply.passed.is_some() => Response::new(Body::from(bytes)),
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

/// Routes, reads the body, runs the stages and decorates the answer; returns the operationId, the answer
/// and the body as read. What the journal should know of the request goes to `notes`.
async fn answer(
    app: &AppState,
    incoming: &Incoming<'_>,
    body: Body,
    notes: &mut Notes,
) -> (Option<String>, Reply, Option<bytes::Bytes>) {
    let routed = app.contract.route(incoming.method, incoming.path);
    // Routed first, so that a body too large, too late or broken is the operation's own answer, in its
    // vendor's body, journaled under it.
    let op = match &routed {
        RouteMatch::Found(op, _) => Some(*op),
        _ => None,
    };
    let body = match read_body(app, body).await {
        ControlFlow::Continue(bytes) => bytes,
        ControlFlow::Break(answer) => {
            let reply = answer.render(&app.contract, op, incoming.path);
            return (op.map(|op| op.id.clone()), reply, None);
        }
    };
    let (op, path_params) = match routed {
        RouteMatch::Found(op, params) => (op, params),
        RouteMatch::MethodNotAllowed(allowed) => {
            let allow: Vec<&str> = allowed.iter().map(Method::as_str).collect();
            let answer = Answer::Ready(Reply::empty(405).header("allow", allow.join(", ")));
            let reply = answer.render(&app.contract, None, incoming.path);
            return (None, reply, Some(body));
        }
        RouteMatch::NotFound => {
            let problem = Problem::new(format!(
                "No operation matches {} {}.",
                incoming.method, incoming.path
            ))
            .code("NOT_FOUND");
            let reply = Answer::problem(404, problem).render(&app.contract, None, incoming.path);
            return (None, reply, Some(body));
        }
    };
    let mut exchange = Exchange {
        incoming,
        op,
        path_params: &path_params,
        body: &body,
        notes,
    };
    let reply = run(app, &mut exchange).await;
    (Some(op.id.clone()), reply, Some(body))
}

/// The request body, whole, within the size and time limits.
async fn read_body(app: &AppState, body: Body) -> Flow<bytes::Bytes> {
    match crate::request_body::read(body, app.body_limit, app.body_timeout).await {
        Ok(bytes) => ControlFlow::Continue(bytes),
        Err(BodyError::TooLarge) => stop(Answer::problem(
            413,
            Problem::new(format!(
                "The request body exceeds {} bytes.",
                app.body_limit
            )),
        )),
        // A body that breaks HTTP's framing (a malformed chunk) is the client's mistake, not a size.
        Err(BodyError::Broken(e)) => stop(Answer::problem(
            400,
            Problem::new(format!("The request body could not be read: {e}.")),
        )),
        Err(BodyError::Late) => stop(Answer::problem(
            408,
            Problem::new(format!(
                "The request body did not arrive within {:?}.",
                app.body_timeout
            )),
        )),
    }
}

/// The stages for a routed request, and the answer decorated with the documented and vendor headers.
async fn run(app: &AppState, x: &mut Exchange<'_>) -> Reply {
    #[cfg(feature = "upstream")]
    if let Some(reply) = proxied(app, x).await {
        // The vendor's answer goes back as it came (with the violations found).
        return reply;
    }
    let answer = settle(stages(app, x).await);
    let (op, path_params, incoming) = (x.op, x.path_params, x.incoming);
    let vendor = app.contract.vendor_of(op);
    let mut reply = documented_headers(op, answer.render(&app.contract, Some(op), incoming.path));
    if vendor.header_names().next().is_some() {
        let raw_path: Map<String, Value> = path_params
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        let mut scope = Map::new();
        scope.insert("path".into(), Value::Object(raw_path));
        for (name, value) in vendor.headers(&scope) {
            if let Ok(value) = HeaderValue::from_str(&value) {
                reply.headers.push((name, value));
            }
        }
    }
    reply
}

/// auth → overrides → validate → rules. The request is validated first, so that the rules' first loads
/// are read in the same batch as the credentials and the switch; a violation is still answered after auth
/// and the overrides.
async fn stages(app: &AppState, x: &mut Exchange<'_>) -> Flow<Answer> {
    let (op, incoming) = (x.op, x.incoming);
    let parts = crate::multipart_body::of_request(op, incoming.headers, x.body).await;
    let sent = Sent {
        path_params: x.path_params,
        query: incoming.query,
        headers: incoming.headers,
        body: x.body,
    };
    let (mut rules, invalid) = match validate(op, sent, parts) {
        Ok(valid) => (rules_for(app, op, incoming.tenant, valid), None),
        Err(invalid) => (None, Some(invalid)),
    };
    let ahead = rules.as_ref().map(crate::engine::Request::read_ahead);
    let first = first_read(app, x, ahead.as_ref()).await?;
    overrides(app, x, first.switch).await?;
    if let Some(invalid) = invalid {
        return stop(refuse_invalid(app, op, invalid));
    }
    let Some(mut request) = rules.take() else {
        // No declared behaviour: the documented success answer.
        let status = op
            .responses
            .keys()
            .find(|s| (200..300).contains(*s))
            .copied()
            .unwrap_or(200);
        return ControlFlow::Continue(Answer::documented(status, None, Problem::new("OK")));
    };
    request.roots.principal = first.principal;
    request.prefetched = first.loaded;
    ControlFlow::Continue(crate::engine::run(request).await)
}

/// What the rules of `op` run on for a valid request (the principal is set once the credentials are
/// checked); none when `op` declares no rules.
fn rules_for<'a>(
    app: &'a AppState,
    op: &'a Operation,
    tenant: &'a str,
    valid: crate::validate::Valid,
) -> Option<crate::engine::Request<'a>> {
    let program = op.rules.as_ref()?;
    let roots = crate::engine::Roots {
        path: Value::Object(valid.path),
        query: Value::Object(valid.query),
        header: Value::Object(valid.header),
        body: valid.body.unwrap_or(Value::Null),
        principal: None,
        tenant: json!(tenant),
    };
    Some(crate::engine::Request {
        contract: &app.contract,
        op,
        program,
        tenant,
        store: &app.store,
        roots,
        prefetched: crate::engine::Prefetched::default(),
    })
}

/// The answer to a request the contract does not allow: the violations in the vendor's body, or 415.
fn refuse_invalid(app: &AppState, op: &Operation, invalid: Invalid) -> Answer {
    match invalid {
        Invalid::Violations(violations) => Answer::problem(
            invalid_status(op, &violations),
            app.contract.vendor_of(op).invalid(&violations),
        ),
        Invalid::UnsupportedMediaType { found, accepted } => Answer::problem(
            415,
            Problem::new(format!(
                "Content-Type must be {}, found {found}.",
                accepted.join(" or ")
            )),
        ),
    }
}

/// What the request's first read of the store found.
struct FirstRead {
    /// The principal of the request's credentials.
    principal: Option<std::sync::Arc<Value>>,
    /// The tenant's response switch for the operation.
    switch: Option<Switch>,
    /// What the rules read ahead.
    loaded: crate::engine::Prefetched,
}

/// The request's one read of the store before the rules run (one round trip on Redis): what auth needs,
/// the tenant's response switch for the operation and what the rules read `ahead`. Refused credentials are
/// answered here.
async fn first_read(
    app: &AppState,
    x: &mut Exchange<'_>,
    ahead: Option<&crate::engine::ReadAhead<'_>>,
) -> Flow<FirstRead> {
    let (op, incoming) = (x.op, x.incoming);
    let sent = sent_credentials(app, incoming);
    let plan = crate::auth::Plan::new(&app.contract, op, &sent);
    let (loads, lists) = ahead.map_or((&[][..], &[][..]), |a| (&a.loads[..], &a.lists[..]));
    let keys = plan
        .keys()
        .chain([(crate::switch::KIND, op.id.as_str())])
        .chain(loads.iter().map(|(_, kind, id)| (*kind, id.as_str())));
    let kinds: Vec<&str> = lists.iter().map(|(_, kind)| *kind).collect();
    let read = match app.store.read_many(incoming.tenant, keys, &kinds).await {
        Ok(read) => read,
        Err(e) => return stop(Answer::store_unavailable(&e)),
    };
    let mut found = read.entities;
    let entities = found.split_off(found.len().saturating_sub(loads.len()));
    let loaded = crate::engine::Prefetched {
        loads: loads
            .iter()
            .zip(entities)
            .map(|((i, _, id), e)| (*i, id.clone(), e))
            .collect(),
        lists: lists.iter().map(|(i, _)| *i).zip(read.kinds).collect(),
    };
    let switch = Switch::stored(found.pop().flatten());
    let principal = authenticate(app, x, &plan, &mut found)?;
    ControlFlow::Continue(FirstRead {
        principal,
        switch,
        loaded,
    })
}

/// The principal of the credentials `plan` looked up (`found`), or the answer that refuses them.
fn authenticate(
    app: &AppState,
    x: &mut Exchange<'_>,
    plan: &crate::auth::Plan<'_>,
    found: &mut [Option<crate::state::Entity>],
) -> Flow<Option<std::sync::Arc<Value>>> {
    match plan.conclude(found, &app.open_schemes, &mut x.notes.demo_credentials) {
        Auth::Accepted(principal) => ControlFlow::Continue(principal),
        Auth::Refused { status, scheme } => stop(refused(app, x.op, status, scheme)),
    }
}

/// Where the request's credentials travel, for auth.
fn sent_credentials<'a>(app: &'a AppState, incoming: &Incoming<'a>) -> crate::auth::Sent<'a> {
    crate::auth::Sent {
        headers: incoming.headers,
        query: incoming.query,
        open: &app.open_schemes,
    }
}

/// The answer that refuses a scheme's credentials: the operation's declared refusal for the scheme, else
/// its documented 401 or 403.
fn refused(app: &AppState, op: &Operation, status: u16, scheme: String) -> Answer {
    match app.contract.scheme_refusals.get(&(op.id.clone(), scheme)) {
        Some(decl) => crate::engine::refusal(op, decl, &Map::new()),
        None => Answer::documented(
            status,
            None,
            Problem::new(if status == 401 {
                "Unauthorized"
            } else {
                "Forbidden"
            }),
        ),
    }
}

/// The principal of the request's credentials, or the answer that refuses them, in a read of its own.
#[cfg(feature = "upstream")]
async fn authenticated(
    app: &AppState,
    x: &mut Exchange<'_>,
) -> Flow<Option<std::sync::Arc<Value>>> {
    let (op, incoming) = (x.op, x.incoming);
    let plan = crate::auth::Plan::new(&app.contract, op, &sent_credentials(app, incoming));
    match app.store.get_many(incoming.tenant, plan.keys()).await {
        Ok(mut found) => authenticate(app, x, &plan, &mut found),
        Err(e) => stop(Answer::store_unavailable(&e)),
    }
}

/// The vendor's answer through the validating proxy, when the operation's API has an upstream and the
/// tenant did not switch the operation to the mock. A configured sandbox credential is sent only for a
/// request whose own (demo) credential the mock accepts.
#[cfg(feature = "upstream")]
async fn proxied(app: &AppState, x: &mut Exchange<'_>) -> Option<Reply> {
    let (op, incoming) = (x.op, x.incoming);
    let proxy = app.upstream.as_ref()?;
    let target = proxy.target(op.vendor)?;
    let by_default = proxy.records_by_default();
    let render = |answer: Answer| answer.render(&app.contract, Some(op), incoming.path);
    let settings =
        match crate::upstream::mode::read(&app.store, incoming.tenant, &op.id, by_default).await {
            Ok(settings) => settings,
            Err(e) => return Some(render(Answer::store_unavailable(&e))),
        };
    if settings.mode == crate::upstream::mode::Mode::Mock {
        return None;
    }
    if crate::upstream::injects(target, op)
        && let ControlFlow::Break(refused) = authenticated(app, x).await
    {
        return Some(render(refused));
    }
    let exchange = crate::upstream::Exchange {
        contract: &app.contract,
        store: &app.store,
        op,
        path_params: x.path_params,
        method: incoming.method,
        path: incoming.path,
        query: incoming.query,
        headers: incoming.headers,
        body: x.body,
        tenant: incoming.tenant,
        recording: settings.recording,
        secrets: &app.secrets,
    };
    let (reply, note) = crate::upstream::forward_if_vendor(proxy, target, exchange).await;
    x.notes.upstream = Some(note);
    Some(reply)
}

/// 400, unless the operation documents none: then a path parameter of the wrong type names no resource (its
/// documented 404) and anything else is unprocessable (its documented 422), so a plain document's client
/// meets only statuses it was told about.
fn invalid_status(op: &Operation, violations: &[crate::contract::Violation]) -> u16 {
    let documented = |status: u16| op.responses.contains_key(&status);
    if documented(400) {
        return 400;
    }
    let in_path = |field: &str| {
        op.params
            .iter()
            .any(|p| p.location == crate::contract::Location::Path && p.name == field)
    };
    if documented(404) && violations.iter().all(|v| in_path(&v.field)) {
        404
    } else if documented(422) {
        422
    } else {
        400
    }
}

/// What may ask for another answer than the rules give: the request's `Prefer` header (Prism's convention), else
/// the tenant's response switch for the operation, else a fault rule. Each may add latency, answer a
/// documented status or example instead of the rules, or both; `forced` notes which did.
async fn overrides(app: &AppState, x: &mut Exchange<'_>, switch: Option<Switch>) -> Flow {
    let (op, incoming, forced) = (x.op, x.incoming, &mut x.notes.forced);
    let header = incoming.headers.get("prefer").and_then(|v| v.to_str().ok());
    let mut prefer = match Prefer::parse(header) {
        Ok(prefer) => prefer,
        Err(message) => return stop(Answer::problem(400, Problem::new(message))),
    };
    let mut by = ForcedBy::Prefer;
    // A request that says what it prefers is answered so; the switch covers the others.
    if prefer == Prefer::default()
        && let Some(switch) = switch
    {
        prefer = switch.prefer();
        by = ForcedBy::Switch;
    }
    if prefer != Prefer::default() {
        *forced = Some(Forced {
            by,
            status: prefer.status,
            example: prefer.example.clone(),
            delay_ms: prefer.delay.map_or(0, |d| d.as_millis() as u64),
            rule: None,
        });
    }
    if let Some(delay) = prefer.delay {
        tokio::time::sleep(delay).await;
    }
    if let Some(answer) = crate::prefer::documented_answer(op, &prefer) {
        return stop(answer);
    }
    if let Some(fault) = app
        .faults
        .take(&op.id, incoming.path, incoming.tenant)
        .await
    {
        *forced = Some(Forced {
            by: ForcedBy::Fault,
            status: fault.status,
            example: None,
            delay_ms: fault.delay.as_millis() as u64,
            rule: Some(fault.rule),
        });
        tokio::time::sleep(fault.delay).await;
        if let Some(status) = fault.status {
            let problem = Problem::new(format!("Fault injected by mock rule {}.", fault.rule));
            return stop(Answer::documented(status, None, problem));
        }
    }
    ControlFlow::Continue(())
}

/// Headers the contract documents for the answer: `Retry-After` on 429/503, `Deprecation` on deprecated
/// operations.
fn documented_headers(op: &Operation, mut reply: Reply) -> Reply {
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
