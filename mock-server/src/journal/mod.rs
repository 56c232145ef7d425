//! The request journal: the last requests with their answers, newest last, bounded by count AND bytes so
//! memory stays flat however long the server runs and however large the bodies. Every stored body, long
//! header value and query string is cut to a limit with a visible marker. Secrets are redacted before
//! anything is stored: the credential headers every scheme uses, and the headers and query parameters the
//! contract's `apiKey` schemes name ([`Secrets`]). With Redis, entries are also appended to the journal
//! every replica reads (`shared.rs`).

mod headers;
#[cfg(feature = "redis")]
mod shared;
pub(crate) use headers::Headers;
#[cfg(feature = "redis")]
pub(crate) use shared::SharedJournal;

use std::collections::VecDeque;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Headers whose values are never stored, whatever the contract says.
const SECRET_HEADERS: [&str; 4] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];
/// Where a contract's requests carry credentials, besides [`SECRET_HEADERS`]: the headers and query
/// parameters its `apiKey` schemes name.
#[derive(Debug, Clone, Default)]
pub struct Secrets {
    headers: Vec<String>,
    query: Vec<String>,
}

impl Secrets {
    /// Secrets in these headers and query parameters (names of headers in any case).
    pub fn new(headers: Vec<String>, query: Vec<String>) -> Secrets {
        Secrets {
            headers: headers
                .into_iter()
                .map(|h| h.to_ascii_lowercase())
                .collect(),
            query,
        }
    }

    fn header(&self, name: &str) -> bool {
        SECRET_HEADERS.contains(&name) || self.headers.iter().any(|h| h == name)
    }

    /// A query string with the values of secret parameters replaced by `***` (the string as it is when
    /// it names none).
    pub fn query<'q>(&self, query: &'q str) -> std::borrow::Cow<'q, str> {
        let secret = |key: &str| self.query.iter().any(|q| q == key);
        if !form_urlencoded::parse(query.as_bytes()).any(|(k, _)| secret(&k)) {
            return query.into();
        }
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            out.append_pair(&k, if secret(&k) { "***" } else { &v });
        }
        out.finish().into()
    }
}

/// What the journal notes of a request the proxy forwarded to the vendor.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpstreamNote {
    /// Where it went (credentials in the query redacted).
    pub url: String,
    /// The vendor's status; none when there was no answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// How long the vendor took, in milliseconds.
    pub latency_ms: f64,
    /// How the exchange differs from the contract.
    pub violations: Vec<crate::problem::Drift>,
    /// Why there was no answer to pass on (refused, too slow, broken off, too large).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// How much of a body is kept.
const BODY_LIMIT: usize = 16 * 1024;
/// How much of a header value is kept.
const HEADER_LIMIT: usize = 1024;
/// How much of a query string is kept.
const QUERY_LIMIT: usize = 2 * 1024;
/// The journal's default budget of bytes (bodies, headers, paths).
pub(crate) const DEFAULT_BYTES: usize = 32 * 1024 * 1024;

/// `text` cut to at most `limit` bytes (on a character boundary), with a marker saying how long it was.
pub(crate) fn cut(text: &str, limit: usize) -> String {
    cut_bytes(text.as_bytes(), limit)
}

/// `bytes` as text cut to at most `limit` bytes, with a marker saying how long they were. Only the kept
/// prefix is converted, so a 1 MiB body costs 16 KiB here.
fn cut_bytes(bytes: &[u8], limit: usize) -> String {
    shown(&bytes[..bytes.len().min(limit)], bytes.len())
}

/// The text of `prefix`, the first bytes of `total`; a marker says how long the whole was when cut.
fn shown(prefix: &[u8], total: usize) -> String {
    if prefix.len() == total {
        // Checked first: valid text (nearly all of it) is copied at once, not walked in lossy chunks.
        return match std::str::from_utf8(prefix) {
            Ok(text) => text.to_owned(),
            Err(_) => String::from_utf8_lossy(prefix).into_owned(),
        };
    }
    let kept = match std::str::from_utf8(prefix) {
        Ok(text) => text.into(),
        // A character split by the cut is left out rather than shown as a replacement character.
        Err(e) if e.error_len().is_none() => String::from_utf8_lossy(&prefix[..e.valid_up_to()]),
        Err(_) => String::from_utf8_lossy(prefix),
    };
    format!("{kept}…[cut by the mock: {total} bytes in all]")
}

/// A body as the journal holds it: the bytes as they crossed the wire, shared with the request or the
/// answer rather than copied or parsed (a request pays for neither); shown as JSON when they are whole
/// JSON, else as text, cut with a marker past 16 KiB.
#[derive(Debug, Clone)]
pub struct Body {
    kept: bytes::Bytes,
    total: usize,
}

impl Body {
    /// The journal's copy of a body; none for an empty one.
    pub fn of(bytes: &bytes::Bytes) -> Option<Body> {
        if bytes.is_empty() {
            return None;
        }
        let kept = if bytes.len() <= BODY_LIMIT {
            bytes.clone()
        } else {
            // Copied, not sliced: a slice would keep the whole large body alive.
            bytes::Bytes::copy_from_slice(&bytes[..BODY_LIMIT])
        };
        Some(Body {
            kept,
            total: bytes.len(),
        })
    }

    /// As shown: the JSON value of a whole JSON body, else its (cut) text.
    pub fn value(&self) -> Value {
        if self.kept.len() == self.total
            && let Ok(value) = serde_json::from_slice(&self.kept)
        {
            return value;
        }
        Value::String(shown(&self.kept, self.total))
    }
}

impl Serialize for Body {
    /// As [`Body::value`] shows it, but a whole JSON body goes out as the bytes it came in: checked, not
    /// parsed into values and written again (the shared journal serialises every entry).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.kept.len() == self.total
            && let Ok(raw) = serde_json::from_slice::<&serde_json::value::RawValue>(&self.kept)
        {
            return raw.serialize(serializer);
        }
        Value::String(shown(&self.kept, self.total)).serialize(serializer)
    }
}

/// A demo credential a request sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoCredential {
    /// The security scheme, as the document names it.
    pub scheme: String,
    /// The credential's value as the demo data holds it (`user:password` for Basic).
    pub value: String,
}

/// What forced an answer the rules did not choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ForcedBy {
    /// The request's own `Prefer` header.
    Prefer,
    /// The tenant's response switch for the operation.
    Switch,
    /// A fault rule.
    Fault,
}

/// An answer (or delay) the request got because something asked for it, not because of the rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Forced {
    /// What asked for it.
    pub by: ForcedBy,
    /// The status asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The named example asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example: Option<String>,
    /// The delay added, in milliseconds.
    pub delay_ms: u64,
    /// The fault rule's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<u64>,
}

/// What the pipeline learns about a request on its way, for its journal entry.
#[derive(Debug, Clone, Default)]
pub(crate) struct Notes {
    /// The demo credentials it sent.
    pub(crate) demo_credentials: Vec<DemoCredential>,
    /// What forced its answer, if anything did.
    pub(crate) forced: Option<Forced>,
    /// The vendor's part, when the proxy forwarded it.
    pub(crate) upstream: Option<UpstreamNote>,
}

/// One journaled request.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// Increasing id.
    pub id: u64,
    /// When it arrived (RFC 3339, to the millisecond).
    #[serde(serialize_with = "rfc3339_millis")]
    pub at: chrono::DateTime<chrono::Utc>,
    /// The tenant.
    pub tenant: String,
    /// HTTP method.
    #[serde(serialize_with = "method_name")]
    pub method: axum::http::Method,
    /// Path.
    pub path: String,
    /// Query string, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// The operation it matched; none for unknown paths.
    pub operation: Option<String>,
    /// The answer's status.
    pub status: u16,
    /// Time to answer, in milliseconds.
    pub latency_ms: f64,
    /// Request headers (secrets redacted).
    pub request_headers: Headers,
    /// The credentials the request sent that are the tenant's demo credentials, as (scheme, value): they
    /// are public (the dashboard lists them), so a copied curl line can replay exactly what was sent.
    /// Any other credential stays redacted.
    pub demo_credentials: Vec<DemoCredential>,
    /// What forced the answer (a `Prefer` header, the response switch, a fault rule), if anything did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forced: Option<Forced>,
    /// The vendor's part, when the validating proxy forwarded the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upstream: Option<UpstreamNote>,
    /// Response headers, as the client received them (CORS headers included).
    pub response_headers: Headers,
    /// Request body (JSON when it parses, else text; cut).
    pub request_body: Option<Body>,
    /// Response body (likewise).
    pub response_body: Option<Body>,
    /// The bytes of the bodies as sent (each counted up to the cut), for the journal's byte budget.
    #[serde(skip)]
    pub body_bytes: usize,
}

/// Held as a time, written as RFC 3339 text (formatting it on every request cost an allocation).
fn rfc3339_millis<S: serde::Serializer>(
    at: &chrono::DateTime<chrono::Utc>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&at.format("%Y-%m-%dT%H:%M:%S%.3fZ"))
}

fn method_name<S: serde::Serializer>(
    method: &axum::http::Method,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(method.as_str())
}

impl Entry {
    /// A query string as stored, secrets redacted.
    pub fn query(query: Option<&str>, secrets: &Secrets) -> Option<String> {
        query.map(|q| cut(&secrets.query(q), QUERY_LIMIT))
    }

    /// The bytes two bodies of these lengths take in the journal.
    pub fn body_bytes(request: usize, response: usize) -> usize {
        request.min(BODY_LIMIT + 64) + response.min(BODY_LIMIT + 64)
    }

    /// About how many bytes the entry holds.
    fn weight(&self) -> usize {
        256 + self.tenant.len()
            + self.path.len()
            + self.query.as_ref().map_or(0, String::len)
            + self.operation.as_ref().map_or(0, String::len)
            + self.request_headers.weight()
            + self.response_headers.weight()
            + self.body_bytes * 2
    }
}

/// Which entries to return.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Filter {
    /// Only this operationId.
    pub operation: Option<String>,
    /// Only paths containing this text.
    pub path: Option<String>,
    /// Only this tenant.
    pub tenant: Option<String>,
    /// Only this method.
    pub method: Option<String>,
    /// Only this status.
    pub status: Option<u16>,
    /// Only entries the proxy forwarded whose exchange drifted from the contract (`true`), or did not.
    pub drifted: Option<bool>,
    /// Only entries with an id above this (for polling).
    pub after: Option<u64>,
    /// At most this many, newest first (default 100).
    pub limit: Option<usize>,
}

/// What a [`Filter`] looks at in an entry, held in memory or read back as JSON.
pub(crate) struct Seen<'e> {
    pub(crate) id: u64,
    pub(crate) operation: Option<&'e str>,
    pub(crate) path: &'e str,
    pub(crate) tenant: &'e str,
    pub(crate) method: &'e str,
    pub(crate) status: u16,
    /// Whether the proxy's exchange drifted; none for a request the proxy did not forward.
    pub(crate) drifted: Option<bool>,
}

impl Seen<'_> {
    /// The fields of an entry as its JSON holds them (`id` given apart).
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn of_json(id: u64, entry: &Value) -> Option<Seen<'_>> {
        Some(Seen {
            id,
            operation: entry["operation"].as_str(),
            path: entry["path"].as_str()?,
            tenant: entry["tenant"].as_str()?,
            method: entry["method"].as_str()?,
            status: u16::try_from(entry["status"].as_u64()?).ok()?,
            drifted: entry["upstream"]["violations"]
                .as_array()
                .map(|v| !v.is_empty()),
        })
    }
}

impl Entry {
    fn seen(&self) -> Seen<'_> {
        Seen {
            id: self.id,
            operation: self.operation.as_deref(),
            path: &self.path,
            tenant: &self.tenant,
            method: self.method.as_str(),
            status: self.status,
            drifted: self.upstream.as_ref().map(|u| !u.violations.is_empty()),
        }
    }
}

impl Filter {
    /// Whether an entry passes every condition of the filter.
    pub(crate) fn admits(&self, e: &Seen<'_>) -> bool {
        self.operation
            .as_deref()
            .is_none_or(|o| e.operation == Some(o))
            && self.path.as_deref().is_none_or(|p| e.path.contains(p))
            && self.tenant.as_deref().is_none_or(|t| e.tenant == t)
            && self
                .method
                .as_deref()
                .is_none_or(|m| e.method.eq_ignore_ascii_case(m))
            && self.status.is_none_or(|s| e.status == s)
            && self.drifted.is_none_or(|wanted| e.drifted == Some(wanted))
            && self.after.is_none_or(|a| e.id > a)
    }
}

/// The journal.
#[derive(Debug)]
pub struct Journal {
    capacity: usize,
    budget: usize,
    entries: Mutex<Entries>,
    /// Every replica's journal in Redis, which this one's entries are appended to.
    #[cfg(feature = "redis")]
    shared: Option<shared::SharedJournal>,
}

#[derive(Debug, Default)]
struct Entries {
    last_id: u64,
    bytes: usize,
    held: VecDeque<(usize, Entry)>,
}

impl Journal {
    /// A journal keeping the last `capacity` requests, within `budget` bytes (the newest entry is always kept).
    pub fn new(capacity: usize, budget: usize) -> Journal {
        Journal {
            capacity: capacity.max(1),
            budget,
            entries: Mutex::new(Entries {
                held: VecDeque::with_capacity(capacity.min(4096)),
                ..Entries::default()
            }),
            #[cfg(feature = "redis")]
            shared: None,
        }
    }

    /// This journal with its entries also appended to the journal every replica on one Redis reads.
    #[cfg(feature = "redis")]
    pub(crate) fn with_shared(mut self, shared: shared::SharedJournal) -> Journal {
        self.shared = Some(shared);
        self
    }

    /// The journal of every replica, when there is one.
    #[cfg(feature = "redis")]
    pub(crate) fn shared(&self) -> Option<&shared::SharedJournal> {
        self.shared.as_ref()
    }

    /// Records an entry (its id is assigned here), forgetting the oldest past the count or the bytes.
    pub fn record(&self, mut entry: Entry) {
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.shared {
            shared.append(&entry);
        }
        let weight = entry.weight();
        let mut guard = self.entries.lock().expect("journal lock");
        guard.last_id += 1;
        entry.id = guard.last_id;
        guard.bytes += weight;
        guard.held.push_back((weight, entry));
        while guard.held.len() > 1
            && (guard.held.len() > self.capacity || guard.bytes > self.budget)
        {
            if let Some((gone, _)) = guard.held.pop_front() {
                guard.bytes -= gone;
            }
        }
    }

    /// About how many bytes the entries hold.
    pub fn bytes(&self) -> usize {
        self.entries.lock().expect("journal lock").bytes
    }

    /// Matching entries, newest first.
    pub fn query(&self, filter: &Filter) -> Vec<Entry> {
        let guard = self.entries.lock().expect("journal lock");
        guard
            .held
            .iter()
            .map(|(_, e)| e)
            .rev()
            .filter(|e| filter.admits(&e.seen()))
            .take(filter.limit.unwrap_or(100))
            .cloned()
            .collect()
    }

    /// Forgets every entry.
    pub fn clear(&self) {
        let mut guard = self.entries.lock().expect("journal lock");
        guard.held.clear();
        guard.bytes = 0;
    }

    /// How many entries it holds.
    pub fn len(&self) -> usize {
        self.entries.lock().expect("journal lock").held.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str) -> Entry {
        Entry {
            demo_credentials: Vec::new(),
            forced: None,
            upstream: None,
            id: 0,
            at: chrono::Utc::now(),
            tenant: "t".into(),
            method: axum::http::Method::GET,
            path: path.into(),
            query: None,
            operation: None,
            status: 200,
            latency_ms: 0.0,
            request_headers: Headers::default(),
            response_headers: Headers::default(),
            request_body: None,
            response_body: None,
            body_bytes: 0,
        }
    }

    #[test]
    fn the_journal_is_bounded_and_newest_first() {
        let journal = Journal::new(3, DEFAULT_BYTES);
        for i in 0..10 {
            journal.record(entry(&format!("/p{i}")));
        }
        assert_eq!(journal.len(), 3);
        let paths: Vec<String> = journal
            .query(&Filter::default())
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(paths, ["/p9", "/p8", "/p7"]);
        let after = journal.query(&Filter {
            after: Some(9),
            ..Filter::default()
        });
        assert_eq!(after.len(), 1);
    }

    #[test]
    fn secrets_are_redacted() {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert("authorization", "Bearer secret-token".parse().unwrap());
        headers.insert("x-api-key", "secret-key".parse().unwrap());
        headers.insert("accept", "application/json".parse().unwrap());
        headers.insert("x-store-key", "secret-store-key".parse().unwrap());
        let secrets = Secrets::new(
            vec!["X-Store-Key".into(), "x-api-key".into()],
            vec!["api_key".into()],
        );
        let stored = format!("{:?}", Headers::of(&headers, &secrets));
        assert!(!stored.contains("secret-"), "{stored}");
        assert!(stored.contains("application/json"));
        let query = Entry::query(Some("a=1&api_key=secret-q&b=x%20y"), &secrets).unwrap();
        assert_eq!(query, "a=1&api_key=***&b=x+y");
        assert_eq!(Entry::query(Some("a=1"), &secrets).unwrap(), "a=1");
    }

    #[test]
    fn the_journal_is_bounded_in_bytes_and_cuts_what_it_stores() {
        let journal = Journal::new(1000, 256 * 1024);
        let big = "x".repeat(1024 * 1024);
        let sent = serde_json::to_vec(&serde_json::json!({"message": big})).unwrap();
        for _ in 0..100 {
            let mut e = entry("/p");
            e.request_body = Body::of(&bytes::Bytes::from(big.clone()));
            e.response_body = Body::of(&bytes::Bytes::from(sent.clone()));
            e.query = Entry::query(Some(&big), &Secrets::default());
            e.body_bytes = Entry::body_bytes(big.len(), sent.len());
            journal.record(e);
        }
        assert!(journal.bytes() <= 256 * 1024, "{} bytes", journal.bytes());
        assert!(journal.len() >= 3, "{} entries", journal.len());
        let newest = &journal.query(&Filter {
            limit: Some(1),
            ..Filter::default()
        })[0];
        let body = newest.response_body.as_ref().unwrap().value();
        let body = body.as_str().unwrap();
        assert!(
            body.len() < 17 * 1024
                && body.ends_with(&format!("[cut by the mock: {} bytes in all]", sent.len())),
            "{}",
            &body[body.len() - 60..]
        );
        assert!(
            newest
                .request_body
                .as_ref()
                .unwrap()
                .value()
                .as_str()
                .unwrap()
                .ends_with("[cut by the mock: 1048576 bytes in all]")
        );
        // A whole JSON body is shown as its value; a body that is not JSON, as its text.
        let json = Body::of(&bytes::Bytes::from_static(b"{\"a\": [1, 2]}")).unwrap();
        assert_eq!(json.value(), serde_json::json!({"a": [1, 2]}));
        let text = Body::of(&bytes::Bytes::from_static(b"a=1&b=2")).unwrap();
        assert_eq!(text.value(), serde_json::json!("a=1&b=2"));
        assert!(Body::of(&bytes::Bytes::new()).is_none());
        // Serialised, a body reads back as the value shown, whether its bytes go out as they came or not.
        for sent in [
            &b"{\"a\": [1, 2]}"[..],
            b" \n{\"b\":{\"c\":null}}\n ",
            b"42",
            b"a=1&b=2",
            b"{\"a\": 1} trailing",
            b"\xff\xfe",
        ] {
            let body = Body::of(&bytes::Bytes::copy_from_slice(sent)).unwrap();
            let written = serde_json::to_string(&body).unwrap();
            let read: Value = serde_json::from_str(&written).unwrap();
            assert_eq!(read, body.value(), "{}", String::from_utf8_lossy(sent));
        }
        assert!(newest.query.as_ref().unwrap().len() < 3 * 1024);
        assert_eq!(cut("héllo", 2), "h…[cut by the mock: 6 bytes in all]");
    }
}
