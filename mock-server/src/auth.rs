//! Auth per security scheme of the contract. Which credentials are valid is data: `auth.credential`
//! entities (`<scheme>:<value>`) in the demo data, per tenant (a Basic credential's value is
//! `user:password`). A scheme the demo data holds no credential for accepts any well-formed one, as Prism
//! does; a missing or malformed one is refused. A scheme may be configured (`auth.scheme`) to
//! fail with another status than 401 or to match one item of a comma-separated list (MasStack's
//! `x-auth-roles: API_KEY` must be present, else 403).

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::Arc;

use axum::http::HeaderMap;
use serde_json::Value;

use crate::contract::{Contract, Operation, Scheme};
use crate::state::Entity;

use crate::journal::DemoCredential;

const CREDENTIAL: &str = "auth.credential";
const SCHEME: &str = "auth.scheme";

/// The result of checking a request's credentials.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Auth {
    /// Accepted; the credential entity of the first scheme that has one (Magicline's studio and scopes).
    Accepted(Option<Arc<Value>>),
    /// Refused with this status (401 unless the scheme says otherwise) by this scheme.
    Refused {
        /// The status.
        status: u16,
        /// The scheme that failed (its `x-concord-refusal` answers).
        scheme: String,
    },
}

/// What checking a request's credentials reads of the store: each scheme's settings and each credential
/// the request presents, as keys to put in the request's one batched read ([`Plan::keys`]), then concluded
/// with what that read found ([`Plan::conclude`]). A credential that may be a comma-separated list is
/// looked up whole and item by item, since the scheme's settings (read in the same batch) say which it is.
pub(crate) struct Plan<'a> {
    op: &'a Operation,
    schemes: Vec<Planned<'a>>,
    /// Settings are keyed by the scheme's name (borrowed); credentials by `<scheme>:<value>`.
    keys: Vec<(&'static str, Cow<'a, str>)>,
}

/// One scheme of the plan: the credential presented and where its lookups are among the keys.
struct Planned<'a> {
    name: &'a str,
    /// The credential sent, if any (Basic decoded).
    value: Option<String>,
    /// Its items when it is read as a comma-separated list (empty: the items are the whole value).
    items: Vec<String>,
    /// The index of its settings among the keys; its lookups follow from `lookups` on (none for an open
    /// scheme or when nothing was sent): the whole value, then the items.
    settings: usize,
    lookups: usize,
}

impl<'a> Plan<'a> {
    /// The reads `op`'s security requirements need for this request.
    pub(crate) fn new(index: &Contract, op: &'a Operation, sent: &Sent<'_>) -> Plan<'a> {
        let mut names: Vec<&str> = op.security.iter().flatten().map(String::as_str).collect();
        names.sort_unstable();
        names.dedup();
        let mut keys: Vec<(&'static str, Cow<'a, str>)> = Vec::with_capacity(names.len() * 2);
        keys.extend(names.iter().map(|name| (SCHEME, Cow::Borrowed(*name))));
        let schemes = names
            .iter()
            .enumerate()
            .map(|(settings, name)| {
                let value = credential(index, name, sent.headers, sent.query);
                let mut items: Vec<String> = Vec::new();
                let lookups = keys.len();
                if let Some(value) = value.as_deref().filter(|_| !sent.open.contains(*name)) {
                    keys.push((CREDENTIAL, Cow::Owned(format!("{name}:{value}"))));
                    // A list, or a value whose one item is not the value itself (spaces around it).
                    if value.contains(',') || value.trim() != value {
                        items = value.split(',').map(|i| i.trim().to_owned()).collect();
                        keys.extend(
                            items
                                .iter()
                                .map(|item| (CREDENTIAL, Cow::Owned(format!("{name}:{item}")))),
                        );
                    }
                }
                Planned {
                    name,
                    value,
                    items,
                    settings,
                    lookups,
                }
            })
            .collect();
        Plan { op, schemes, keys }
    }

    /// The `(kind, id)` keys to read, in order.
    pub(crate) fn keys(&self) -> impl Iterator<Item = (&str, &str)> {
        self.keys.iter().map(|(kind, id)| (*kind, id.as_ref()))
    }

    /// Checks the requirements with what the read found for [`Plan::keys`] (in their order); one
    /// alternative must hold entirely. The principal's entity is taken out of `found`. The credentials sent
    /// that are demo credentials of the tenant go to `demo` (for the journal).
    pub(crate) fn conclude(
        &self,
        found: &mut [Option<Entity>],
        open: &BTreeSet<String>,
        demo: &mut Vec<DemoCredential>,
    ) -> Auth {
        let outcome: Vec<(&str, Outcome)> = self
            .schemes
            .iter()
            .map(|s| (s.name, s.outcome(found, open, demo)))
            .collect();
        match decide(self.op, &outcome) {
            Decision::Accepted(principal) => Auth::Accepted(
                principal.and_then(|i| found.get_mut(i)?.take().map(|entity| entity.body)),
            ),
            Decision::Refused(status, scheme) => Auth::Refused {
                status,
                scheme: scheme.to_owned(),
            },
        }
    }
}

/// A scheme's outcome: where in what was read its credential's entity is (none for an open scheme), or
/// the status it fails with.
type Outcome = Result<Option<usize>, u16>;

impl Planned<'_> {
    /// The first matching credential's entity, or the status the scheme fails with.
    fn outcome(
        &self,
        found: &[Option<Entity>],
        open: &BTreeSet<String>,
        demo: &mut Vec<DemoCredential>,
    ) -> Outcome {
        let setting = found
            .get(self.settings)
            .and_then(Option::as_ref)
            .map(|e| &e.body);
        let failure = setting
            .and_then(|s| s["failureStatus"].as_u64())
            .unwrap_or(401) as u16;
        let Some(value) = &self.value else {
            return Err(failure);
        };
        if open.contains(self.name) {
            return Ok(None);
        }
        let listed = setting.is_some_and(|s| s["match"] == "list-contains");
        // The candidates and their lookups: the items of a list, else the whole value.
        let (candidates, first) = if listed && !self.items.is_empty() {
            (&self.items[..], self.lookups + 1)
        } else {
            (std::slice::from_ref(value), self.lookups)
        };
        let hits = found
            .get(first..first + candidates.len())
            .unwrap_or_default();
        // A whole credential (not one item of a list) that the demo data holds.
        if let ([value], [Some(_)]) = (candidates, hits) {
            demo.push(DemoCredential {
                scheme: self.name.to_owned(),
                value: value.clone(),
            });
        }
        hits.iter()
            .position(Option::is_some)
            .map(|i| Some(first + i))
            .ok_or(failure)
    }
}

/// What the requirements decide: accepted with the principal's place among what was read, or refused.
enum Decision<'a> {
    Accepted(Option<usize>),
    Refused(u16, &'a str),
}

/// The first requirement every scheme of which holds; else the refusal with the lowest status (a missing
/// token says 401 before a missing role says 403).
fn decide<'a>(op: &'a Operation, outcome: &[(&str, Outcome)]) -> Decision<'a> {
    let of = |name: &str| {
        outcome
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(Ok(None), |(_, o)| *o)
    };
    let mut refusal: Option<(u16, &str)> = None;
    for requirement in &op.security {
        let mut principal = None;
        let mut failed: Option<(u16, &str)> = None;
        for name in requirement {
            match of(name) {
                Ok(found) => principal = principal.or(found),
                Err(status) => {
                    if failed.is_none_or(|(s, _)| status < s) {
                        failed = Some((status, name.as_str()));
                    }
                }
            }
        }
        match failed {
            None => return Decision::Accepted(principal),
            Some((status, scheme)) => {
                if refusal.is_none_or(|(s, _)| status < s) {
                    refusal = Some((status, scheme));
                }
            }
        }
    }
    match refusal {
        Some((status, scheme)) => Decision::Refused(status, scheme),
        None => Decision::Accepted(None),
    }
}

/// What a request sends that credentials travel in, and the schemes that accept any credential.
pub(crate) struct Sent<'a> {
    /// Its headers.
    pub(crate) headers: &'a HeaderMap,
    /// Its query string.
    pub(crate) query: Option<&'a str>,
    /// Schemes the demo data holds no credential for.
    pub(crate) open: &'a BTreeSet<String>,
}

/// The schemes of `contract` that `demo_data` hold no credential for: they accept any well-formed one.
pub(crate) fn open_schemes(
    contract: &Contract,
    demo_data: &crate::state::DemoData,
) -> BTreeSet<String> {
    let credentials = demo_data.get(CREDENTIAL);
    contract
        .schemes
        .keys()
        .filter(|name| {
            let prefix = format!("{name}:");
            !credentials.is_some_and(|c| c.keys().any(|id| id.starts_with(&prefix)))
        })
        .cloned()
        .collect()
}

/// The credential a request presents for the scheme `name` (a Basic one decoded to `user:password`), if
/// it presents a well-formed, non-empty one.
pub(crate) fn credential(
    contract: &Contract,
    name: &str,
    headers: &HeaderMap,
    query: Option<&str>,
) -> Option<String> {
    let authorization = |wanted: &str| {
        headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case(wanted))
            .map(|(_, value)| value.trim().to_owned())
    };
    let value = match contract.schemes.get(name) {
        Some(Scheme::HeaderKey(header)) => headers
            .get(header.as_str())
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        Some(Scheme::QueryKey(key)) => query.and_then(|q| {
            form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == key.as_str())
                .map(|(_, v)| v.into_owned())
        }),
        Some(Scheme::CookieKey(key)) => cookie(headers, key),
        Some(Scheme::Bearer) => authorization("bearer"),
        // Well-formed: base64 of `user:password`.
        Some(Scheme::Basic) => authorization("basic").and_then(|encoded| {
            use base64::Engine as _;
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .ok()?;
            String::from_utf8(decoded).ok().filter(|d| d.contains(':'))
        }),
        None => None,
    };
    value.filter(|v| !v.is_empty())
}

/// Where a credential goes in a request, as the scheme says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Placement {
    /// A header and its whole value (`Authorization: Bearer …` included).
    Header(String, String),
    /// A query parameter.
    Query(String, String),
    /// A cookie's name and value.
    Cookie(String, String),
}

/// How `value` is sent for a scheme of this kind (a Basic one's `user:password` base64-encoded).
pub(crate) fn placement(scheme: &Scheme, value: &str) -> Placement {
    match scheme {
        Scheme::HeaderKey(name) => Placement::Header(name.clone(), value.to_owned()),
        Scheme::QueryKey(name) => Placement::Query(name.clone(), value.to_owned()),
        Scheme::CookieKey(name) => Placement::Cookie(name.clone(), value.to_owned()),
        Scheme::Bearer => Placement::Header("authorization".into(), format!("Bearer {value}")),
        Scheme::Basic => {
            use base64::Engine as _;
            let encoded = base64::engine::general_purpose::STANDARD.encode(value);
            Placement::Header("authorization".into(), format!("Basic {encoded}"))
        }
    }
}

/// A cookie's value from the `Cookie` headers.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"').to_owned())
}
