//! `--self-check`: every (operation, status) pair the document documents is asked for (`Prefer: code=…`,
//! with the demo data's credentials), in-process, and each answer is checked: the status, a body exactly
//! where one is documented, and the body valid against its schema. It finds documented examples that break
//! their own schemas and answers the mock cannot produce, for any document, before a client does. Then
//! each resource whose behaviour was inferred from its paths is walked through (`flows.rs`): the answers
//! the mock builds from a request and its state, which no documented example shows.

mod flows;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Request};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use crate::auth::Placement;
use crate::contract::{Contract, Operation, Scheme};
use crate::shared::AppState;
use crate::state::DemoData;

/// What one pair got wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The operationId.
    pub operation: String,
    /// The status asked for.
    pub status: u16,
    /// What is wrong.
    pub problem: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.operation, self.status, self.problem)
    }
}

/// The result: how many pairs were asked for, how many inferred resources were walked through, and what
/// was wrong.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// (operation, status) pairs asked for.
    pub pairs: usize,
    /// Requests sent while walking through inferred resources (create, read, list, update, delete).
    pub flow_requests: usize,
    /// Everything that did not hold.
    pub findings: Vec<Finding>,
}

/// Asks for every documented answer of `contract`, with `demo_data` as the demo data, then walks through
/// each inferred resource.
pub async fn every_documented_answer(contract: Arc<Contract>, demo_data: DemoData) -> Report {
    let (state, credentials) = in_process(&contract, demo_data).await;
    let state = Arc::new(state);
    let app = crate::app::app(state.clone());
    let mut report = Report::default();
    for op in &contract.operations {
        for &status in op.responses.keys().chain(&op.omitted) {
            report.pairs += 1;
            let request = request(&contract, op, status, &credentials);
            let (_, problems) = answer(&app, op, request, |got| got == status).await;
            report
                .findings
                .extend(problems.into_iter().map(|problem| Finding {
                    operation: op.id.clone(),
                    status,
                    problem,
                }));
        }
    }
    flows::walk(&contract, &app, &state, &credentials, &mut report).await;
    report
}

/// Sends `request` in-process and says what is wrong with the answer to `op`: a status `expected` refuses,
/// a body that is not JSON, or one that breaks the schema documented for its status. Returns the status
/// too.
async fn answer(
    app: &crate::app::App,
    op: &Operation,
    request: Request<Body>,
    expected: impl Fn(u16) -> bool,
) -> (u16, Vec<String>) {
    let response = match app.clone().oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let got = response.status().as_u16();
    let json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    let bytes = response
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    if !expected(got) {
        let text = String::from_utf8_lossy(&bytes);
        return (got, vec![format!("answered {got}: {text}")]);
    }
    let body: Option<Value> = if bytes.is_empty() {
        None
    } else if json {
        match serde_json::from_slice(&bytes) {
            Ok(body) => Some(body),
            Err(e) => return (got, vec![format!("not JSON: {e}")]),
        }
    } else {
        return (got, vec!["a body that is not application/json".into()]);
    };
    let violations = match op.responses.get(&got) {
        Some(documented) => documented.check(body.as_ref()),
        None if op.omitted.contains(&got) && body.is_some() => vec![crate::problem::Violation {
            field: String::new(),
            keyword: "body".into(),
            message: "documented without a body, but one was sent".into(),
        }],
        None if op.omitted.contains(&got) => Vec::new(),
        None => {
            return (
                got,
                vec![format!("answered {got}, which is not documented")],
            );
        }
    };
    let problems = violations
        .into_iter()
        .map(|v| {
            let at = if v.field.is_empty() { "body" } else { &v.field };
            format!("{at}: {}", v.message)
        })
        .collect();
    (got, problems)
}

/// An in-memory mock of `contract` over `demo_data` for in-process requests, with the demo data's credentials
/// to send.
pub(crate) async fn in_process(
    contract: &Arc<Contract>,
    demo_data: DemoData,
) -> (AppState, Credentials) {
    let credentials = Credentials::of(&contract.prepare_demo_data(demo_data.clone()));
    let config = crate::MockConfig {
        contract: Some(contract.clone()),
        demo_data,
        journal_capacity: 16,
        journal_bytes: 1 << 20,
        ..crate::MockConfig::default()
    };
    let state = AppState::build(&config)
        .await
        .expect("an in-memory store with no upstream always builds");
    (state, credentials)
}

/// The demo data's credentials by scheme (`auth.credential` ids are `<scheme>:<credential>`).
pub(crate) struct Credentials(Vec<(String, String)>);

impl Credentials {
    pub(crate) fn of(demo_data: &DemoData) -> Credentials {
        let ids = demo_data.get("auth.credential").into_iter().flatten();
        Credentials(
            ids.filter_map(|(id, _)| id.split_once(':'))
                .map(|(scheme, value)| (scheme.to_owned(), value.to_owned()))
                .collect(),
        )
    }

    /// The scheme's first demo credential, else a well-formed one (the scheme then accepts any).
    fn of_scheme(&self, scheme: &str, kind: &Scheme) -> String {
        self.0
            .iter()
            .find(|(s, _)| s == scheme)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| match kind {
                Scheme::Basic => "self:check".to_owned(),
                _ => "self-check".to_owned(),
            })
    }
}

/// The request for one pair: a concrete path (any segment routes; `Prefer` answers before validation),
/// the first security requirement's credentials, and the preference.
fn request(
    contract: &Contract,
    op: &Operation,
    status: u16,
    credentials: &Credentials,
) -> Request<Body> {
    let path: String = op
        .path
        .split('/')
        .map(|s| {
            if s.starts_with('{') {
                "1".to_owned()
            } else {
                s.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    let (query, mut headers) = with_credentials(contract, op, credentials);
    headers.push(("prefer".into(), format!("code={status}")));
    headers.push((crate::TENANT_HEADER.into(), "self-check".into()));
    assemble(&op.method, path, &query, headers, Body::empty())
}

/// The query pairs (encoded) and headers that carry the first security requirement's demo credentials.
pub(crate) fn with_credentials(
    contract: &Contract,
    op: &Operation,
    credentials: &Credentials,
) -> (Vec<String>, Vec<(String, String)>) {
    let mut query: Vec<String> = Vec::new();
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut cookies: Vec<String> = Vec::new();
    for scheme in op.security.first().into_iter().flatten() {
        let Some(kind) = contract.schemes.get(scheme) else {
            continue;
        };
        let value = credentials.of_scheme(scheme, kind);
        match crate::auth::placement(kind, &value) {
            Placement::Header(name, value) => headers.push((name, value)),
            Placement::Query(name, value) => {
                let encoded: String = form_urlencoded::Serializer::new(String::new())
                    .append_pair(&name, &value)
                    .finish();
                query.push(encoded);
            }
            Placement::Cookie(name, value) => cookies.push(format!("{name}={value}")),
        }
    }
    if !cookies.is_empty() {
        headers.push(("cookie".into(), cookies.join("; ")));
    }
    (query, headers)
}

/// An in-process request (headers that are not valid are left out).
pub(crate) fn assemble(
    method: &axum::http::Method,
    path: String,
    query: &[String],
    headers: Vec<(String, String)>,
    body: Body,
) -> Request<Body> {
    let uri = if query.is_empty() {
        path
    } else {
        format!("{path}?{}", query.join("&"))
    };
    let mut request = Request::builder()
        .method(method.clone())
        .uri(uri)
        .body(body)
        .unwrap_or_default();
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            request.headers_mut().append(name, value);
        }
    }
    request
}
