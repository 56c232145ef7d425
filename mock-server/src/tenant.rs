//! Which tenant a request names: the `X-Mock-Tenant` header on the vendor APIs; `?tenant=` (or the
//! header) on the admin API. One parser for both.

use axum::http::HeaderMap;

/// The header that selects a tenant; requests without it use `default`.
pub const TENANT_HEADER: &str = "x-mock-tenant";
/// The tenant of requests that name none.
pub const DEFAULT_TENANT: &str = "default";
/// The longest tenant name.
pub(crate) const MAX_TENANT_LEN: usize = 128;

/// The tenant named by `query` (`?tenant=`) or else the header; `None` when neither names a usable one.
pub(crate) fn named(query: Option<&str>, headers: &HeaderMap) -> Option<String> {
    query
        .map(str::to_owned)
        .or_else(|| {
            headers
                .get(TENANT_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        })
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty() && t.len() <= MAX_TENANT_LEN)
}

/// The tenant of a vendor API request.
pub(crate) fn of_request(headers: &HeaderMap) -> String {
    named(None, headers).unwrap_or_else(|| DEFAULT_TENANT.to_owned())
}
