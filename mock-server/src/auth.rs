//! Auth per security scheme of the contract. Which credentials are valid is data: `auth.credential`
//! entities (`<scheme>:<value>`) in the fixtures, per tenant. A scheme may be configured (`auth.scheme`) to
//! fail with another status than 401 or to match one item of a comma-separated list (MasStack's
//! `x-auth-roles: API_KEY` must be present, else 403).

use axum::http::HeaderMap;
use serde_json::Value;

use crate::spec_index::{Operation, Scheme, SpecIndex};
use crate::state::{Store, StoreError};

const CREDENTIAL: &str = "auth.credential";
const SCHEME: &str = "auth.scheme";

/// The result of checking a request's credentials.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Auth {
    /// Accepted; the credential entity of the first scheme that has one (Magicline's studio and scopes).
    Accepted(Option<Value>),
    /// Refused with this status (401 unless the scheme says otherwise).
    Refused(u16),
}

/// Checks `op`'s security requirements; one alternative must hold entirely.
pub(crate) async fn authenticate(
    index: &SpecIndex,
    op: &Operation,
    headers: &HeaderMap,
    store: &Store,
    tenant: &str,
) -> Result<Auth, StoreError> {
    let mut refusal = None;
    for requirement in &op.security {
        let mut principal = None;
        let mut failed = None;
        for scheme_name in requirement {
            match check_scheme(index, scheme_name, headers, store, tenant).await? {
                Ok(found) => principal = principal.or(found),
                Err(status) => {
                    failed = Some(failed.map_or(status, |s: u16| s.min(status)));
                }
            }
        }
        match failed {
            None => return Ok(Auth::Accepted(principal)),
            Some(status) => refusal = Some(refusal.map_or(status, |s: u16| s.min(status))),
        }
    }
    Ok(match refusal {
        Some(status) => Auth::Refused(status),
        None => Auth::Accepted(None),
    })
}

async fn check_scheme(
    index: &SpecIndex,
    name: &str,
    headers: &HeaderMap,
    store: &Store,
    tenant: &str,
) -> Result<Result<Option<Value>, u16>, StoreError> {
    let config = store
        .get(tenant, SCHEME, name)
        .await?
        .map(|e| e.body)
        .unwrap_or_default();
    let failure = config["failureStatus"].as_u64().unwrap_or(401) as u16;
    let presented = match index.schemes.get(name) {
        Some(Scheme::HeaderKey(header)) => headers
            .get(header.as_str())
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        Some(Scheme::Bearer) => headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim().to_owned()),
        None => None,
    };
    let Some(presented) = presented.filter(|p| !p.is_empty()) else {
        return Ok(Err(failure));
    };
    let candidates: Vec<&str> = if config["match"] == "list-contains" {
        presented.split(',').map(str::trim).collect()
    } else {
        vec![presented.as_str()]
    };
    for candidate in candidates {
        if let Some(entity) = store
            .get(tenant, CREDENTIAL, &format!("{name}:{candidate}"))
            .await?
        {
            return Ok(Ok(Some(entity.body)));
        }
    }
    Ok(Err(failure))
}
