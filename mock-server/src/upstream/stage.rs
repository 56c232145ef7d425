//! One exchange through the proxy: credentials swapped where a sandbox credential is configured, the request
//! checked, sent, the answer checked, counted in the drift report, recorded where the tenant records, and
//! passed back unchanged with its violations — or, when there is no answer or `--upstream-strict` refuses
//! a drifted one, the vendor's own error body saying why.

use std::time::Instant;

use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use serde_json::{Map, Value, json};

use super::forward::{self, Outgoing};
use super::{Drift, Proxy, Target, check, drift, record};
use crate::answer::{Answer, MOCK_ERROR_HEADER, VIOLATION_COUNT_HEADER, VIOLATIONS_HEADER};
use crate::auth::Placement;
use crate::contract::{Contract, Operation};
use crate::journal::UpstreamNote;
use crate::problem::Problem;
use crate::reply::Reply;
use crate::state::Store;

/// The most bytes of `X-Concord-Violations` (the list is cut to fit; the count header says how many).
const VIOLATIONS_HEADER_LIMIT: usize = 4096;

/// One request for the vendor.
pub(crate) struct Exchange<'a> {
    pub(crate) contract: &'a Contract,
    pub(crate) store: &'a Store,
    pub(crate) op: &'a Operation,
    pub(crate) path_params: &'a [(String, String)],
    pub(crate) method: &'a Method,
    pub(crate) path: &'a str,
    pub(crate) query: Option<&'a str>,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) body: &'a bytes::Bytes,
    pub(crate) tenant: &'a str,
    /// Whether the tenant records vendor answers.
    pub(crate) recording: bool,
    pub(crate) secrets: &'a crate::journal::Secrets,
}

impl Exchange<'_> {
    /// What the request sent, for validation.
    fn sent(&self) -> crate::validate::Sent<'_> {
        crate::validate::Sent {
            path_params: self.path_params,
            query: self.query,
            headers: self.headers,
            body: self.body,
        }
    }
}

/// Whether a configured credential replaces the client's for `op` (the mock then checks the client's as
/// a demo credential first).
pub(crate) fn injects(target: &Target, op: &Operation) -> bool {
    op.security
        .iter()
        .flatten()
        .any(|scheme| target.credentials.iter().any(|(s, _)| s == scheme))
}

/// Forwards the exchange; the answer for the client and what the journal notes.
pub(crate) async fn forward_if_vendor(
    proxy: &Proxy,
    target: &Target,
    x: Exchange<'_>,
) -> (Reply, UpstreamNote) {
    let started = Instant::now();
    let (mut violations, valid) = check::request(x.contract, x.op, x.sent()).await;
    // What a recording must not keep (only a recording needs them).
    let mut secrets = Vec::new();
    if x.recording {
        secrets = presented(x.contract, x.op, x.headers, x.query);
        secrets.extend(target.credentials.iter().map(|(_, v)| v.clone()));
    }
    let (headers, query) = credentials(x.contract, x.op, target, x.headers, x.query);
    let url = format!(
        "{}{}{}",
        target.base,
        x.path,
        query
            .as_deref()
            .map(|q| format!("?{}", x.secrets.query(q)))
            .unwrap_or_default()
    );
    let outgoing = Outgoing {
        method: x.method,
        path: x.path,
        query: query.as_deref(),
        headers,
        body: x.body.clone(),
    };
    let answered = match forward::send(proxy, target, outgoing).await {
        Ok(answered) => answered,
        Err(failure) => {
            let message = failure.message(target);
            tracing::warn!(operation = %x.op.id, upstream = %target.host, %message, "upstream failed");
            proxy.drift.failed(&message);
            let reply = Answer::problem(failure.status(), Problem::new(message.clone()))
                .render(x.contract, Some(x.op), x.path)
                .header(MOCK_ERROR_HEADER, &message);
            let reply = with_violations(reply, &violations);
            let note = UpstreamNote {
                url,
                status: None,
                latency_ms: started.elapsed().as_secs_f64() * 1000.0,
                violations,
                error: Some(message),
            };
            return (reply, note);
        }
    };
    let vendor = x.contract.vendor_of(x.op);
    let (found, parsed) = check::response(
        x.op,
        vendor,
        answered.status,
        &answered.headers,
        &answered.body,
    );
    violations.extend(found);
    count_drift(proxy, &x, (&url, &answered), &violations, parsed.as_ref());
    if x.recording
        && (200..300).contains(&answered.status)
        && let Some(body) = &parsed
    {
        record_answer(&x, valid, (answered.status, body), &secrets).await;
    }
    let note = UpstreamNote {
        url,
        status: Some(answered.status),
        latency_ms: answered.latency.as_secs_f64() * 1000.0,
        violations: violations.clone(),
        error: None,
    };
    if proxy.strict && !violations.is_empty() {
        return (strict_refusal(&x, answered.status, &violations), note);
    }
    (passed_on(answered, &violations), note)
}

/// Counts the exchange in the drift report; the request line and the time are kept only for a violation.
fn count_drift(
    proxy: &Proxy,
    x: &Exchange<'_>,
    (url, answered): (&str, &forward::Answered),
    violations: &[Drift],
    parsed: Option<&Value>,
) {
    let drifted = !violations.is_empty();
    proxy.drift.add(drift::Exchange {
        operation: &x.op.id,
        status: answered.status,
        violations,
        request: if drifted {
            format!("{} {url}", x.method)
        } else {
            String::new()
        },
        body: parsed,
        at: if drifted {
            chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        } else {
            String::new()
        },
    });
}

/// Writes the vendor's successful answer `(status, body)` into the tenant's state (a failure is logged:
/// the client still gets the vendor's answer).
async fn record_answer(
    x: &Exchange<'_>,
    valid: Option<crate::validate::Valid>,
    (status, body): (u16, &Value),
    secrets: &[String],
) {
    let roots = roots(valid, x.tenant);
    let txn = record::writes(
        x.contract,
        &record::Answer {
            op: x.op,
            roots: &roots,
            status,
            body,
            secrets,
        },
    );
    if let Err(e) = x.store.commit(x.tenant, txn).await {
        tracing::warn!(error = %e.chain(), operation = %x.op.id, "recording the vendor's answer failed");
    }
}

/// `--upstream-strict`: a 502 in the vendor's error body listing what drifted.
fn strict_refusal(x: &Exchange<'_>, status: u16, violations: &[Drift]) -> Reply {
    let lines: Vec<String> = violations
        .iter()
        .map(|v| format!("{} {}: {}", v.place, v.pointer, v.message))
        .collect();
    // In the message too: some vendors' error bodies have no field for details.
    let listed = crate::journal::cut(&lines.join("; "), 2048);
    let problem = lines.iter().fold(
        Problem::new(format!(
            "The vendor's answer ({status}) does not match the contract: {} violation(s): {listed}.",
            violations.len()
        )),
        |p, line| p.detail(line.clone()),
    );
    let reply = Answer::problem(502, problem).render(x.contract, Some(x.op), x.path);
    with_violations(reply, violations)
}

/// The vendor's answer as it came, with the violations found.
fn passed_on(answered: forward::Answered, violations: &[Drift]) -> Reply {
    let mut reply = Reply::empty(answered.status);
    // Any status a vendor sends is passed on as it is (Reply::empty maps only valid ones).
    reply.status = StatusCode::from_u16(answered.status).unwrap_or(StatusCode::BAD_GATEWAY);
    reply.headers = answered
        .headers
        .iter()
        .map(|(n, v)| (n.clone(), v.clone()))
        .collect();
    reply.passed = Some(answered.body);
    with_violations(reply, violations)
}

/// The rules' request roots, for recording (parent fields, ids).
fn roots(valid: Option<crate::validate::Valid>, tenant: &str) -> Map<String, Value> {
    let valid = valid.unwrap_or_default();
    let mut roots = Map::new();
    roots.insert("path".into(), Value::Object(valid.path));
    roots.insert("query".into(), Value::Object(valid.query));
    roots.insert("header".into(), Value::Object(valid.header));
    roots.insert("body".into(), valid.body.unwrap_or(Value::Null));
    roots.insert("tenant".into(), json!(tenant));
    roots
}

/// `X-Concord-Violations` (a JSON array, ASCII, cut to fit) and `X-Concord-Violation-Count`.
fn with_violations(mut reply: Reply, violations: &[Drift]) -> Reply {
    let mut shown = violations.len();
    let text = loop {
        let text = ascii_json(&violations[..shown]);
        if text.len() <= VIOLATIONS_HEADER_LIMIT || shown == 0 {
            break text;
        }
        shown -= 1;
    };
    if let Ok(value) = HeaderValue::from_str(&text) {
        reply
            .headers
            .push((HeaderName::from_static(VIOLATIONS_HEADER), value));
    }
    reply.headers.push((
        HeaderName::from_static(VIOLATION_COUNT_HEADER),
        HeaderValue::from(violations.len()),
    ));
    reply
}

/// JSON with every character beyond ASCII escaped, so it is a valid header value.
fn ascii_json(violations: &[Drift]) -> String {
    let text = serde_json::to_string(violations).unwrap_or_else(|_| "[]".into());
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() && !c.is_ascii_control() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

/// The credential values the client sent for `op`'s schemes (to redact them from recordings).
fn presented(
    contract: &Contract,
    op: &Operation,
    headers: &HeaderMap,
    query: Option<&str>,
) -> Vec<String> {
    op.security
        .iter()
        .flatten()
        .filter_map(|scheme| crate::auth::credential(contract, scheme, headers, query))
        .filter(|v| v.len() >= 4)
        .collect()
}

/// The headers and query to send: hop-by-hop headers dropped and, for every scheme a sandbox credential
/// is configured for, the client's credential replaced by it.
fn credentials(
    contract: &Contract,
    op: &Operation,
    target: &Target,
    headers: &HeaderMap,
    query: Option<&str>,
) -> (HeaderMap, Option<String>) {
    let mut headers = forward::crossing(headers, true);
    let mut query_pairs: Option<Vec<(String, String)>> = None;
    let configured = target
        .credentials
        .iter()
        .filter(|(scheme, _)| op.security.iter().flatten().any(|s| s == scheme));
    for (scheme, value) in configured {
        let Some(kind) = contract.schemes.get(scheme) else {
            continue;
        };
        match crate::auth::placement(kind, value) {
            Placement::Header(name, value) => {
                let name = HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes());
                if let (Ok(name), Ok(value)) = (name, HeaderValue::from_str(&value)) {
                    headers.insert(name, sensitive(value));
                }
            }
            Placement::Query(name, value) => {
                let pairs = query_pairs.get_or_insert_with(|| {
                    query
                        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
                        .unwrap_or_default()
                });
                pairs.retain(|(k, _)| *k != name);
                pairs.push((name, value));
            }
            Placement::Cookie(name, value) => {
                if let Ok(value) = HeaderValue::from_str(&format!("{name}={value}")) {
                    headers.insert(header::COOKIE, sensitive(value));
                }
            }
        }
    }
    let query = match query_pairs {
        Some(pairs) => {
            let mut out = form_urlencoded::Serializer::new(String::new());
            for (k, v) in &pairs {
                out.append_pair(k, v);
            }
            Some(out.finish())
        }
        None => query.map(str::to_owned),
    };
    (headers, query)
}

fn sensitive(mut value: HeaderValue) -> HeaderValue {
    value.set_sensitive(true);
    value
}
