//! `concord-mock verify-upstream API=URL`: the proxy's check as a command for CI. Each documented example
//! request of the API's safe operations (GET and HEAD; all of them with `unsafe`, for sandboxes) goes
//! through an in-process mock whose only upstream is `URL`, with the demo credentials — replaced by the
//! sandbox ones the environment gives (`CONCORD_MOCK_UPSTREAM_<ID>_<SCHEME>`); the report lists how each
//! answer differs from the contract. Exit status: 0 none does, 1 drift, 2 the upstream did not answer.

use std::sync::Arc;

use axum::body::Body;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::contract::{Contract, Operation};
use crate::problem::Drift;
use crate::state::DemoData;
use crate::template::text_of;
use crate::upstream::{Proxy, Upstream, UpstreamConfig};
use concord_spec::schema_walk::resolve;

/// How the report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One line per finding and a summary.
    Text,
    /// The findings and the drift report as JSON.
    Json,
    /// A JUnit XML test suite: one test case per operation.
    Junit,
}

/// One operation's exchange.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The operationId.
    pub operation: String,
    /// The request sent (`GET /path`).
    pub request: String,
    /// The vendor's status; none without an answer.
    pub status: Option<u16>,
    /// How the exchange differs from the contract.
    pub violations: Vec<Drift>,
    /// Why there was no answer.
    pub error: Option<String>,
}

/// The result.
#[derive(Debug, Clone)]
pub struct Verification {
    /// The API.
    pub api: String,
    /// Each operation asked.
    pub checked: Vec<Checked>,
}

/// What to verify.
#[derive(Debug, Clone)]
pub struct Verify {
    /// The contract.
    pub contract: Arc<Contract>,
    /// The demo data (its credentials pass the mock's auth; configured ones replace them upstream).
    pub demo_data: DemoData,
    /// The upstream, with its credentials.
    pub upstream: Upstream,
    /// Send the operations that change state too.
    pub include_unsafe: bool,
    /// How long each answer may take.
    pub timeout: std::time::Duration,
}

impl Verify {
    /// Sends the example requests and collects the findings.
    pub async fn run(self) -> Result<Verification, String> {
        let (mut state, credentials) =
            crate::self_check::in_process(&self.contract, self.demo_data).await;
        let config = UpstreamConfig {
            upstreams: vec![self.upstream.clone()],
            timeout: self.timeout,
            ..UpstreamConfig::default()
        };
        state.upstream = Proxy::build(&self.contract, &config)?;
        let state = Arc::new(state);
        let app = crate::app::app(state.clone());
        let api = self.upstream.api.clone();
        let mut checked = Vec::new();
        for op in &self.contract.operations {
            let safe = matches!(op.method.as_str(), "GET" | "HEAD");
            if self.contract.vendor_of(op).api != api || !(safe || self.include_unsafe) {
                continue;
            }
            let (path, mut query, body) = example_request(&self.contract, op);
            let (auth_query, mut headers) =
                crate::self_check::with_credentials(&self.contract, op, &credentials);
            query.extend(auth_query);
            headers.push((crate::TENANT_HEADER.into(), "verify-upstream".into()));
            let body = match body {
                Some(value) => {
                    headers.push(("content-type".into(), "application/json".into()));
                    Body::from(value.to_string())
                }
                None => Body::empty(),
            };
            let request =
                crate::self_check::assemble(&op.method, path.clone(), &query, headers, body);
            let response = match app.clone().oneshot(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            let status = response.status().as_u16();
            drop(response);
            let entry = state.journal.query(&crate::journal::Filter {
                limit: Some(1),
                ..crate::journal::Filter::default()
            });
            let note = entry.first().and_then(|e| e.upstream.clone());
            checked.push(match note {
                Some(note) => Checked {
                    operation: op.id.clone(),
                    request: format!("{} {path}", op.method),
                    status: note.status,
                    violations: note.violations,
                    error: note.error,
                },
                // The mock refused the request itself (its demo credential): a finding of the setup.
                None => Checked {
                    operation: op.id.clone(),
                    request: format!("{} {path}", op.method),
                    status: None,
                    violations: Vec::new(),
                    error: Some(format!("the mock answered {status} before forwarding")),
                },
            });
        }
        Ok(Verification { api, checked })
    }
}

impl Verification {
    /// 0: no drift; 1: drift; 2: some request got no answer from the upstream.
    pub fn exit_code(&self) -> u8 {
        if self.checked.iter().any(|c| c.error.is_some()) {
            2
        } else if self.checked.iter().any(|c| !c.violations.is_empty()) {
            1
        } else {
            0
        }
    }

    /// The report in `format`.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Text => self.text(),
            Format::Json => serde_json::to_string_pretty(&self.json()).unwrap_or_default(),
            Format::Junit => self.junit(),
        }
    }

    fn text(&self) -> String {
        let mut out = String::new();
        for c in &self.checked {
            let status = c.status.map_or("-".to_owned(), |s| s.to_string());
            match (&c.error, c.violations.is_empty()) {
                (Some(error), _) => {
                    out.push_str(&format!("FAIL {} {}: {error}\n", c.operation, c.request))
                }
                (None, true) => {
                    out.push_str(&format!("ok   {} {} → {status}\n", c.operation, c.request))
                }
                (None, false) => {
                    out.push_str(&format!("DRIFT {} {} → {status}\n", c.operation, c.request));
                    for v in &c.violations {
                        out.push_str(&format!(
                            "      {} {} ({}): {}\n",
                            v.place, v.pointer, v.keyword, v.message
                        ));
                    }
                }
            }
        }
        let drifted = self
            .checked
            .iter()
            .filter(|c| !c.violations.is_empty())
            .count();
        let failed = self.checked.iter().filter(|c| c.error.is_some()).count();
        out.push_str(&format!(
            "{}: {} operations checked, {drifted} drifted, {failed} unanswered\n",
            self.api,
            self.checked.len()
        ));
        out
    }

    fn json(&self) -> Value {
        let checked: Vec<Value> = self
            .checked
            .iter()
            .map(|c| {
                json!({"operation": c.operation, "request": c.request, "status": c.status,
                       "violations": c.violations, "error": c.error})
            })
            .collect();
        json!({"api": self.api, "exitCode": self.exit_code(), "operations": checked})
    }

    fn junit(&self) -> String {
        let failures = self
            .checked
            .iter()
            .filter(|c| c.error.is_some() || !c.violations.is_empty())
            .count();
        let mut out = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"verify-upstream {}\" tests=\"{}\" failures=\"{failures}\">\n",
            xml(&self.api),
            self.checked.len()
        );
        for c in &self.checked {
            out.push_str(&format!(
                "  <testcase classname=\"{}\" name=\"{}\">",
                xml(&self.api),
                xml(&c.operation)
            ));
            if let Some(error) = &c.error {
                out.push_str(&format!("<failure message=\"{}\"/>", xml(error)));
            } else if !c.violations.is_empty() {
                let lines: Vec<String> = c
                    .violations
                    .iter()
                    .map(|v| format!("{} {} ({}): {}", v.place, v.pointer, v.keyword, v.message))
                    .collect();
                out.push_str(&format!(
                    "<failure message=\"{} violation(s)\">{}</failure>",
                    c.violations.len(),
                    xml(&lines.join("\n"))
                ));
            }
            out.push_str("</testcase>\n");
        }
        out.push_str("</testsuite>\n");
        out
    }
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The operation's documented example request: the path with its parameters' examples, the query
/// parameters that have one (and the required ones), and the JSON body's example.
fn example_request(contract: &Contract, op: &Operation) -> (String, Vec<String>, Option<Value>) {
    let document = contract.document.as_ref();
    let components = &document["components"];
    let item = &document["paths"][op.path.as_str()];
    let declared = &item[op.method.as_str().to_ascii_lowercase()];
    let parameters = item["parameters"]
        .as_array()
        .into_iter()
        .chain(declared["parameters"].as_array())
        .flatten()
        .map(|p| resolve(components, p));
    let mut path = op.path.clone();
    let mut query = Vec::new();
    for p in parameters {
        let name = p["name"].as_str().unwrap_or_default();
        let required = p["required"].as_bool().unwrap_or(false);
        let value = example_of(components, p);
        match p["in"].as_str() {
            Some("path") => {
                let text = value.map_or_else(|| "1".to_owned(), |v| text_of(&v));
                let encoded = percent_encoding::utf8_percent_encode(&text, SEGMENT);
                path = path.replace(&format!("{{{name}}}"), &encoded.to_string());
            }
            Some("query") => {
                if let Some(v) = value.or_else(|| required.then(|| json!("1"))) {
                    query.push(
                        form_urlencoded::Serializer::new(String::new())
                            .append_pair(name, &text_of(&v))
                            .finish(),
                    );
                }
            }
            _ => {}
        }
    }
    let media = &resolve(components, &declared["requestBody"])["content"]["application/json"];
    let body = media
        .get("example")
        .cloned()
        .or_else(|| first_example(components, &media["examples"]))
        .or_else(|| {
            resolve(components, &media["schema"])
                .get("example")
                .cloned()
        });
    (path, query, body)
}

/// What a path segment keeps encoded: all but RFC 3986's unreserved characters.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn example_of(components: &Value, parameter: &Value) -> Option<Value> {
    let schema = resolve(components, &parameter["schema"]);
    parameter
        .get("example")
        .cloned()
        .or_else(|| first_example(components, &parameter["examples"]))
        .or_else(|| schema.get("example").cloned())
        .or_else(|| schema.get("default").cloned())
        .or_else(|| schema["enum"].get(0).cloned())
}

fn first_example(components: &Value, examples: &Value) -> Option<Value> {
    let (_, first) = examples.as_object()?.iter().next()?;
    resolve(components, first).get("value").cloned()
}
