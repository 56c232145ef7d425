//! Same-origin protection of the admin API and the web page. A mock on a developer's laptop is reachable
//! from every web page they open, so — the way Jupyter and webpack-dev-server protect local servers:
//! - a request whose `Host` is not one this server answers for (loopback names, the bound address,
//!   `--allowed-host` additions) is refused, which defeats DNS rebinding;
//! - an admin call from a foreign `Origin` is refused, and the admin API sends no CORS headers;
//! - a state-changing admin call must send JSON (or no body): the `text/plain` and form bodies a page can
//!   send without a preflight are refused.
//!
//! The vendor APIs stay open to any origin: frontends call them from their own dev servers.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::net::{IpAddr, SocketAddr};

/// The hosts this server answers for on its admin API and web page.
#[derive(Debug, Clone, Default)]
pub struct AllowedHosts {
    /// The address the server is bound to (its IP is a valid host when it is not the unspecified one).
    pub bound: Option<SocketAddr>,
    /// Names added with `--allowed-host` (`mock.example.internal`, `*` for any).
    pub extra: Vec<String>,
}

impl AllowedHosts {
    /// Whether a `Host` header names this server.
    pub fn allows(&self, host_header: &str) -> bool {
        let host = host_only(host_header).to_ascii_lowercase();
        if host.is_empty() {
            return false;
        }
        if host == "localhost" || host.ends_with(".localhost") {
            return true;
        }
        if let Ok(ip) = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
        {
            if ip.is_loopback() {
                return true;
            }
            if let Some(bound) = self.bound
                && !bound.ip().is_unspecified()
                && bound.ip() == ip
            {
                return true;
            }
        }
        self.extra.iter().any(|allowed| {
            allowed == "*"
                || allowed.eq_ignore_ascii_case(&host)
                || allowed.eq_ignore_ascii_case(host_header)
        })
    }
}

/// `example.com:4010` → `example.com`; `[::1]:4010` → `[::1]`.
fn host_only(host: &str) -> &str {
    if host.starts_with('[') {
        return host.find(']').map_or(host, |end| &host[..=end]);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    }
}

fn refuse(status: StatusCode, message: String) -> Response {
    (status, axum::Json(json!({"error": message}))).into_response()
}

/// The request's `Host` (HTTP/1.1 header, or the authority of an HTTP/2 request).
fn host_of(request: &Request) -> Option<String> {
    request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| request.uri().authority().map(|a| a.as_str().to_owned()))
}

/// The refusal of a request naming a host this server does not answer for.
fn unknown_host(allowed: &AllowedHosts, host: &str) -> Option<Response> {
    (!allowed.allows(host)).then(|| {
        refuse(
            StatusCode::FORBIDDEN,
            format!(
                "Host {host:?} is not one this mock answers for (loopback names and its own address); \
                 start it with --allowed-host {} to allow it",
                host_only(host)
            ),
        )
    })
}

/// The web page: only for hosts this server answers for.
#[cfg(feature = "web")]
pub(crate) async fn known_host(
    State(allowed): State<AllowedHosts>,
    request: Request,
    next: Next,
) -> Response {
    let host = host_of(&request).unwrap_or_default();
    if let Some(refused) = unknown_host(&allowed, &host) {
        return refused;
    }
    next.run(request).await
}

/// The admin API: a known host, the same origin, JSON for changes.
pub(crate) async fn same_origin(
    State(allowed): State<AllowedHosts>,
    request: Request,
    next: Next,
) -> Response {
    let host = host_of(&request).unwrap_or_default();
    if let Some(refused) = unknown_host(&allowed, &host) {
        return refused;
    }
    if let Some(origin) = request.headers().get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("null");
        let same = origin
            .split_once("://")
            .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(&host));
        if !same {
            return refuse(
                StatusCode::FORBIDDEN,
                format!("the admin API answers pages of this mock only, not {origin}"),
            );
        }
    }
    let changes = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if changes && let Some(found) = foreign_content_type(request.headers()) {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "admin changes take a JSON body (Content-Type: application/json) or none, not {found}"
            ),
        );
    }
    next.run(request).await
}

fn foreign_content_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?;
    let text = value.to_str().unwrap_or("?");
    let essence = text
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    (essence != "application/json" && !essence.ends_with("+json")).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_the_bound_address_and_additions_are_allowed() {
        let hosts = AllowedHosts {
            bound: Some("192.0.2.7:4010".parse().unwrap()),
            extra: vec!["mock.example.internal".into()],
        };
        for ok in [
            "localhost:4010",
            "127.0.0.1:4010",
            "[::1]:4010",
            "app.localhost",
            "192.0.2.7:4010",
            "mock.example.internal:80",
        ] {
            assert!(hosts.allows(ok), "{ok}");
        }
        for refused in [
            "evil.example",
            "evil.example:4010",
            "192.0.2.8:4010",
            "",
            "localhost.evil.example",
        ] {
            assert!(!hosts.allows(refused), "{refused}");
        }
        let any = AllowedHosts {
            bound: None,
            extra: vec!["*".into()],
        };
        assert!(any.allows("evil.example"));
        let unspecified = AllowedHosts {
            bound: Some("0.0.0.0:4010".parse().unwrap()),
            extra: vec![],
        };
        assert!(!unspecified.allows("0.0.0.0:4010"));
    }
}
