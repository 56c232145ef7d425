//! The request journal: the last N requests with their answers, newest last, bounded so memory stays
//! flat however long the server runs. Secrets are redacted before anything is stored.

use std::collections::VecDeque;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Headers whose values are never stored.
const SECRET_HEADERS: [&str; 3] = ["authorization", "x-api-key", "cookie"];
/// How much of a body is kept.
const BODY_LIMIT: usize = 16 * 1024;

/// One journaled request.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// Increasing id.
    pub id: u64,
    /// When it arrived (RFC 3339).
    pub at: String,
    /// The tenant.
    pub tenant: String,
    /// HTTP method.
    pub method: String,
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
    pub request_headers: Vec<(String, String)>,
    /// Response headers.
    pub response_headers: Vec<(String, String)>,
    /// Request body (JSON when it parses, else text; truncated).
    pub request_body: Option<Value>,
    /// Response body.
    pub response_body: Option<Value>,
}

impl Entry {
    /// Headers as stored, secrets redacted (request and response headers alike).
    pub fn headers(headers: &axum::http::HeaderMap) -> Vec<(String, String)> {
        headers
            .iter()
            .map(|(name, value)| {
                let shown = if SECRET_HEADERS.contains(&name.as_str()) {
                    "***".to_owned()
                } else {
                    String::from_utf8_lossy(value.as_bytes()).into_owned()
                };
                (name.as_str().to_owned(), shown)
            })
            .collect()
    }

    /// A body as stored: JSON if it parses, otherwise (truncated) text.
    pub fn body(bytes: &[u8]) -> Option<Value> {
        if bytes.is_empty() {
            return None;
        }
        if bytes.len() <= BODY_LIMIT
            && let Ok(value) = serde_json::from_slice(bytes)
        {
            return Some(value);
        }
        let end = bytes.len().min(BODY_LIMIT);
        Some(Value::String(
            String::from_utf8_lossy(&bytes[..end]).into_owned(),
        ))
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
    /// Only entries with an id above this (for polling).
    pub after: Option<u64>,
    /// At most this many, newest first (default 100).
    pub limit: Option<usize>,
}

/// The journal.
#[derive(Debug)]
pub struct Journal {
    capacity: usize,
    entries: Mutex<(u64, VecDeque<Entry>)>,
}

impl Journal {
    /// A journal keeping the last `capacity` requests.
    pub fn new(capacity: usize) -> Journal {
        Journal {
            capacity: capacity.max(1),
            entries: Mutex::new((0, VecDeque::with_capacity(capacity.min(4096)))),
        }
    }

    /// Records an entry (its id is assigned here).
    pub fn record(&self, mut entry: Entry) {
        let mut guard = self.entries.lock().expect("journal lock");
        guard.0 += 1;
        entry.id = guard.0;
        if guard.1.len() == self.capacity {
            guard.1.pop_front();
        }
        guard.1.push_back(entry);
    }

    /// Matching entries, newest first.
    pub fn query(&self, filter: &Filter) -> Vec<Entry> {
        let guard = self.entries.lock().expect("journal lock");
        guard
            .1
            .iter()
            .rev()
            .filter(|e| {
                filter
                    .operation
                    .as_ref()
                    .is_none_or(|o| e.operation.as_ref() == Some(o))
            })
            .filter(|e| {
                filter
                    .path
                    .as_ref()
                    .is_none_or(|p| e.path.contains(p.as_str()))
            })
            .filter(|e| filter.tenant.as_ref().is_none_or(|t| &e.tenant == t))
            .filter(|e| {
                filter
                    .method
                    .as_ref()
                    .is_none_or(|m| e.method.eq_ignore_ascii_case(m))
            })
            .filter(|e| filter.status.is_none_or(|s| e.status == s))
            .filter(|e| filter.after.is_none_or(|a| e.id > a))
            .take(filter.limit.unwrap_or(100))
            .cloned()
            .collect()
    }

    /// Forgets every entry.
    pub fn clear(&self) {
        self.entries.lock().expect("journal lock").1.clear();
    }

    /// How many entries it holds.
    pub fn len(&self) -> usize {
        self.entries.lock().expect("journal lock").1.len()
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
            id: 0,
            at: String::new(),
            tenant: "t".into(),
            method: "GET".into(),
            path: path.into(),
            query: None,
            operation: None,
            status: 200,
            latency_ms: 0.0,
            request_headers: vec![],
            response_headers: vec![],
            request_body: None,
            response_body: None,
        }
    }

    #[test]
    fn the_journal_is_bounded_and_newest_first() {
        let journal = Journal::new(3);
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
        let stored = format!("{:?}", Entry::headers(&headers));
        assert!(!stored.contains("secret-"), "{stored}");
        assert!(stored.contains("application/json"));
    }
}
