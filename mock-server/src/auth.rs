//! Auth per security scheme of the contract. Which credentials are valid is data: `auth.credential`
//! entities (`<scheme>:<value>`) in the fixtures, per tenant (a Basic credential's value is
//! `user:password`). A scheme the demo data holds no credential for accepts any well-formed one, as Prism
//! does; a missing or malformed one is refused. A scheme may be configured (`auth.scheme`) to
//! fail with another status than 401 or to match one item of a comma-separated list (MasStack's
//! `x-auth-roles: API_KEY` must be present, else 403).

use std::collections::{BTreeMap, BTreeSet};

use axum::http::HeaderMap;
use serde_json::Value;

use crate::contract::{Contract, Operation, Scheme};
use crate::state::{Entity, Store, StoreError};

use crate::journal::DemoCredential;

const CREDENTIAL: &str = "auth.credential";
const SCHEME: &str = "auth.scheme";

/// The result of checking a request's credentials.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Auth {
    /// Accepted; the credential entity of the first scheme that has one (Magicline's studio and scopes).
    Accepted(Option<Value>),
    /// Refused with this status (401 unless the scheme says otherwise) by this scheme.
    Refused {
        /// The status.
        status: u16,
        /// The scheme that failed (its `x-concord-refusal` answers).
        scheme: String,
    },
}

/// Checks `op`'s security requirements; one alternative must hold entirely. Reads the schemes' settings,
/// then every credential the request presents, in two batched reads (two round trips on Redis). The
/// credentials sent that are demo credentials of the tenant go to `demo` (for the journal).
pub(crate) async fn authenticate(
    index: &Contract,
    op: &Operation,
    sent: Sent<'_>,
    store: &Store,
    demo: &mut Vec<DemoCredential>,
) -> Result<Auth, StoreError> {
    let names: Vec<&str> = op
        .security
        .iter()
        .flatten()
        .map(String::as_str)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let settings = store
        .get_many(sent.tenant, names.iter().map(|name| (SCHEME, *name)))
        .await?;
    let schemes: Vec<Presented> = names
        .iter()
        .zip(settings)
        .map(|(name, setting)| presented(index, name, setting.map(|e| e.body), &sent))
        .collect();
    let lookups: Vec<(&str, String)> = schemes
        .iter()
        .filter(|s| !sent.open.contains(s.name))
        .flat_map(|s| {
            s.candidates
                .iter()
                .map(|c| (CREDENTIAL, format!("{}:{c}", s.name)))
        })
        .collect();
    let found = store
        .get_many(
            sent.tenant,
            lookups.iter().map(|(kind, id)| (*kind, id.as_str())),
        )
        .await?;
    let outcome = outcomes(&schemes, sent.open, found, demo);
    Ok(decide(op, &outcome))
}

/// Per scheme: the first matching credential's entity, or the status it fails with. `found` holds the
/// lookups of the schemes not open, in order.
fn outcomes<'a>(
    schemes: &[Presented<'a>],
    open: &BTreeSet<String>,
    found: Vec<Option<Entity>>,
    demo: &mut Vec<DemoCredential>,
) -> BTreeMap<&'a str, Result<Option<Value>, u16>> {
    let mut found = found.into_iter();
    schemes
        .iter()
        .map(|s| {
            if open.contains(s.name) {
                let result = if s.candidates.is_empty() {
                    Err(s.failure)
                } else {
                    Ok(None)
                };
                return (s.name, result);
            }
            // Collected, not searched lazily: all of this scheme's lookups must be consumed so the next
            // scheme starts at its own.
            let hits: Vec<Option<Entity>> = found.by_ref().take(s.candidates.len()).collect();
            // A whole credential (not one item of a list) that the demo data holds.
            if let ([value], [Some(_)]) = (s.candidates.as_slice(), hits.as_slice()) {
                demo.push(DemoCredential {
                    scheme: s.name.to_owned(),
                    value: value.clone(),
                });
            }
            let result = hits
                .into_iter()
                .flatten()
                .next()
                .map(|e| Some(e.body))
                .ok_or(s.failure);
            (s.name, result)
        })
        .collect()
}

/// The first requirement every scheme of which holds; else the refusal with the lowest status (a missing
/// token says 401 before a missing role says 403).
fn decide(op: &Operation, outcome: &BTreeMap<&str, Result<Option<Value>, u16>>) -> Auth {
    let mut refusal: Option<(u16, &str)> = None;
    for requirement in &op.security {
        let mut principal = None;
        let mut failed: Option<(u16, &str)> = None;
        for name in requirement {
            match &outcome[name.as_str()] {
                Ok(found) => principal = principal.or_else(|| found.clone()),
                Err(status) => {
                    if failed.is_none_or(|(s, _)| *status < s) {
                        failed = Some((*status, name.as_str()));
                    }
                }
            }
        }
        match failed {
            None => return Auth::Accepted(principal),
            Some((status, scheme)) => {
                if refusal.is_none_or(|(s, _)| status < s) {
                    refusal = Some((status, scheme));
                }
            }
        }
    }
    match refusal {
        Some((status, scheme)) => Auth::Refused {
            status,
            scheme: scheme.to_owned(),
        },
        None => Auth::Accepted(None),
    }
}

/// What a request sends that credentials travel in, and the schemes that accept any credential.
pub(crate) struct Sent<'a> {
    /// Its headers.
    pub(crate) headers: &'a HeaderMap,
    /// Its query string.
    pub(crate) query: Option<&'a str>,
    /// Its tenant: whose credentials count.
    pub(crate) tenant: &'a str,
    /// Schemes the demo data holds no credential for.
    pub(crate) open: &'a BTreeSet<String>,
}

/// The schemes of `contract` that `fixtures` hold no credential for: they accept any well-formed one.
pub(crate) fn open_schemes(
    contract: &Contract,
    fixtures: &crate::state::Fixtures,
) -> BTreeSet<String> {
    let credentials = fixtures.get(CREDENTIAL);
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

/// What a request presents for one scheme.
struct Presented<'a> {
    name: &'a str,
    /// The credential values to look up (several for a `list-contains` scheme); none: nothing presented.
    candidates: Vec<String>,
    /// The status when no candidate is a credential.
    failure: u16,
}

fn presented<'a>(
    index: &Contract,
    name: &'a str,
    setting: Option<Value>,
    sent: &Sent<'_>,
) -> Presented<'a> {
    let setting = setting.unwrap_or_default();
    let failure = setting["failureStatus"].as_u64().unwrap_or(401) as u16;
    let candidates = match credential(index, name, sent.headers, sent.query) {
        None => Vec::new(),
        Some(value) if setting["match"] == "list-contains" => value
            .split(',')
            .map(|item| item.trim().to_owned())
            .collect(),
        Some(value) => vec![value],
    };
    Presented {
        name,
        candidates,
        failure,
    }
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
