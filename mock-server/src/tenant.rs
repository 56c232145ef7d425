//! Which tenant a request names: the `X-Mock-Tenant` header on the vendor APIs; `?tenant=` (or the
//! header) on the admin API. One parser for both.

use axum::http::HeaderMap;

/// The header that selects a tenant; requests without it use `default`.
pub const TENANT_HEADER: &str = "x-mock-tenant";
/// The tenant of requests that name none.
pub const DEFAULT_TENANT: &str = "default";
/// The longest tenant name.
pub(crate) const MAX_TENANT_LEN: usize = 128;

/// The tenant named by `query` (`?tenant=`) or else the header; `Ok(None)` when neither names one. A name
/// that is blank, longer than [`MAX_TENANT_LEN`] bytes or not text is an error saying so — never silently
/// another tenant.
pub(crate) fn named(query: Option<&str>, headers: &HeaderMap) -> Result<Option<String>, String> {
    let raw = match (query, headers.get(TENANT_HEADER)) {
        (Some(q), _) => q.to_owned(),
        (None, Some(value)) => value
            .to_str()
            .map_err(|_| format!("{TENANT_HEADER} must be visible ASCII text"))?
            .to_owned(),
        (None, None) => return Ok(None),
    };
    let name = raw.trim();
    if name.is_empty() {
        return Err(format!(
            "the tenant name ({TENANT_HEADER} or ?tenant=) is blank"
        ));
    }
    if name.len() > MAX_TENANT_LEN {
        return Err(format!(
            "the tenant name ({TENANT_HEADER} or ?tenant=) is {} bytes long; at most {MAX_TENANT_LEN}",
            name.len()
        ));
    }
    Ok(Some(name.to_owned()))
}

/// The tenant of a vendor API request (`default` when it names none).
pub(crate) fn of_request(headers: &HeaderMap) -> Result<String, String> {
    Ok(named(None, headers)?.unwrap_or_else(|| DEFAULT_TENANT.to_owned()))
}
