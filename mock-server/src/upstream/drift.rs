//! The drift report: per operation and status, the exchanges seen, those with violations, and each distinct
//! violation with its count, when it was first and last seen and one redacted example. Bounded: at most
//! [`MAX_ROWS`] (operation, status) rows and [`MAX_KINDS`] distinct violations per row; past them exchanges
//! are still counted and the report says how many violations it could not keep.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde_json::{Value, json};

use super::Drift;

/// The most (operation, status) rows kept (a vendor inventing statuses cannot grow the report).
pub(crate) const MAX_ROWS: usize = 1024;
/// The most distinct violations kept per row.
pub(crate) const MAX_KINDS: usize = 64;
/// How much of an example value is kept.
const EXAMPLE_LIMIT: usize = 512;

/// Drift seen so far by this process.
#[derive(Debug, Default)]
pub(crate) struct DriftReport {
    rows: Mutex<Rows>,
}

#[derive(Debug, Default)]
struct Rows {
    /// Operation → status → row (looked up by `&str`: a clean exchange allocates nothing).
    by: BTreeMap<String, BTreeMap<u16, Row>>,
    /// Exchanges whose row could not be kept.
    dropped: u64,
    /// Requests that got no answer from the vendor, and the last reason.
    failed: u64,
    last_failure: Option<String>,
}

#[derive(Debug, Default)]
struct Row {
    exchanges: u64,
    drifted: u64,
    violations: BTreeMap<(String, String, String), Seen>,
    /// Violations not kept past [`MAX_KINDS`].
    unkept: u64,
}

#[derive(Debug)]
struct Seen {
    count: u64,
    first: String,
    last: String,
    message: String,
    example: Value,
}

/// One exchange as the report takes it.
pub(crate) struct Exchange<'a> {
    pub(crate) operation: &'a str,
    /// The vendor's status (0: no answer).
    pub(crate) status: u16,
    pub(crate) violations: &'a [Drift],
    /// `GET /path?query`, credentials redacted.
    pub(crate) request: String,
    /// The vendor's body, when it was JSON (for the value at each pointer).
    pub(crate) body: Option<&'a Value>,
    /// The journal's filter that lists such exchanges.
    pub(crate) at: String,
}

impl DriftReport {
    /// Counts one exchange.
    pub(crate) fn add(&self, exchange: Exchange<'_>) {
        let mut rows = self.rows.lock().expect("drift lock");
        let known = rows
            .by
            .get(exchange.operation)
            .is_some_and(|s| s.contains_key(&exchange.status));
        if !known && rows.by.values().map(BTreeMap::len).sum::<usize>() >= MAX_ROWS {
            rows.dropped += 1;
            return;
        }
        if !rows.by.contains_key(exchange.operation) {
            rows.by
                .insert(exchange.operation.to_owned(), BTreeMap::new());
        }
        let Some(statuses) = rows.by.get_mut(exchange.operation) else {
            return;
        };
        let row = statuses.entry(exchange.status).or_default();
        row.exchanges += 1;
        if exchange.violations.is_empty() {
            return;
        }
        row.drifted += 1;
        for v in exchange.violations {
            let key = (v.place.clone(), v.pointer.clone(), v.keyword.clone());
            if let Some(seen) = row.violations.get_mut(&key) {
                seen.count += 1;
                seen.last.clone_from(&exchange.at);
                continue;
            }
            if row.violations.len() >= MAX_KINDS {
                row.unkept += 1;
                continue;
            }
            let value = match (v.place.as_str(), exchange.body) {
                ("response.body", Some(body)) => body.pointer(&v.pointer).map(cut),
                _ => None,
            };
            row.violations.insert(
                key,
                Seen {
                    count: 1,
                    first: exchange.at.clone(),
                    last: exchange.at.clone(),
                    message: v.message.clone(),
                    example: json!({"request": exchange.request, "status": exchange.status, "value": value}),
                },
            );
        }
    }

    /// Counts a request the vendor did not answer.
    pub(crate) fn failed(&self, message: &str) {
        let mut rows = self.rows.lock().expect("drift lock");
        rows.failed += 1;
        rows.last_failure = Some(message.to_owned());
    }

    /// Forgets everything.
    pub(crate) fn clear(&self) {
        *self.rows.lock().expect("drift lock") = Rows::default();
    }

    /// The report: rows with violations first (most drifted first), then the clean ones.
    pub(crate) fn snapshot(&self) -> Value {
        let rows = self.rows.lock().expect("drift lock");
        let mut listed: Vec<((&String, &u16), &Row)> = rows
            .by
            .iter()
            .flat_map(|(op, statuses)| statuses.iter().map(move |(s, row)| ((op, s), row)))
            .collect();
        listed.sort_by(|(ka, a), (kb, b)| {
            (b.drifted > 0)
                .cmp(&(a.drifted > 0))
                .then(b.drifted.cmp(&a.drifted))
                .then(ka.cmp(kb))
        });
        let operations: Vec<Value> = listed
            .into_iter()
            .map(|((operation, status), row)| {
                let violations: Vec<Value> = row
                    .violations
                    .iter()
                    .map(|((place, pointer, keyword), seen)| {
                        json!({
                            "where": place, "pointer": pointer, "keyword": keyword,
                            "message": seen.message, "count": seen.count,
                            "firstSeen": seen.first, "lastSeen": seen.last, "example": seen.example,
                        })
                    })
                    .collect();
                json!({
                    "operation": operation, "status": status,
                    "exchanges": row.exchanges, "drifted": row.drifted,
                    "violations": violations, "unkept": row.unkept,
                    "journal": format!("/__mock/requests?operation={operation}&status={status}&drifted=true"),
                })
            })
            .collect();
        let drifted = operations.iter().filter(|r| r["drifted"] != 0).count();
        json!({
            "drifted": drifted, "operations": operations, "unkeptExchanges": rows.dropped,
            "unanswered": rows.failed, "lastFailure": rows.last_failure,
        })
    }
}

fn cut(value: &Value) -> Value {
    let text = value.to_string();
    if text.len() <= EXAMPLE_LIMIT {
        value.clone()
    } else {
        Value::String(crate::journal::cut(&text, EXAMPLE_LIMIT))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn violation(pointer: &str) -> Drift {
        Drift {
            place: "response.body".into(),
            pointer: pointer.into(),
            keyword: "required".into(),
            message: "missing".into(),
        }
    }

    #[test]
    fn violations_are_counted_per_operation_status_and_pointer_within_bounds() {
        let report = DriftReport::default();
        let body = json!({"a": 1});
        for at in ["t1", "t2"] {
            report.add(Exchange {
                operation: "op",
                status: 200,
                violations: &[violation("/a")],
                request: "GET /x".into(),
                body: Some(&body),
                at: at.into(),
            });
        }
        report.add(Exchange {
            operation: "op",
            status: 404,
            violations: &[],
            request: "GET /y".into(),
            body: None,
            at: "t3".into(),
        });
        let snap = report.snapshot();
        assert_eq!(snap["drifted"], 1);
        let first = &snap["operations"][0];
        assert_eq!(
            (first["status"].as_u64(), first["exchanges"].as_u64()),
            (Some(200), Some(2))
        );
        let v = &first["violations"][0];
        assert_eq!(
            (
                v["count"].as_u64(),
                v["firstSeen"].as_str(),
                v["lastSeen"].as_str()
            ),
            (Some(2), Some("t1"), Some("t2"))
        );
        assert_eq!(v["example"]["value"], 1);
        assert_eq!(snap["operations"][1]["drifted"], 0);
        for n in 0..(MAX_KINDS + 5) {
            report.add(Exchange {
                operation: "op",
                status: 200,
                violations: &[violation(&format!("/n{n}"))],
                request: "GET /x".into(),
                body: None,
                at: "t".into(),
            });
        }
        let snap = report.snapshot();
        assert_eq!(
            snap["operations"][0]["violations"]
                .as_array()
                .unwrap()
                .len(),
            MAX_KINDS
        );
        assert_eq!(snap["operations"][0]["unkept"], 6);
    }
}
