//! One request to the configured upstream, and its answer read whole within the size and time bounds.
//! The URL is the configured base plus the request's path and query, checked to stay on that origin;
//! hop-by-hop headers go neither way; redirects come back as they are.

use std::time::{Duration, Instant};

use axum::http::{HeaderMap, Method, header};

use super::{Proxy, Target};

/// The vendor's answer.
#[derive(Debug)]
pub(crate) struct Answered {
    pub(crate) status: u16,
    /// Its headers, hop-by-hop ones dropped.
    pub(crate) headers: HeaderMap,
    pub(crate) body: bytes::Bytes,
    pub(crate) latency: Duration,
}

/// Why there is no answer to pass on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// No connection (refused, unresolvable, TLS): 502.
    Unreachable(String),
    /// No whole answer in time: 504.
    Timeout(Duration),
    /// The connection broke before the answer was whole: 502.
    Broken(String),
    /// The answer is larger than the proxy reads: 502.
    TooLarge(usize),
    /// The request could not be sent (a URL that leaves the upstream, a header the client cannot send): 502.
    Refused(String),
}

impl Failure {
    /// The status the client gets.
    pub(crate) fn status(&self) -> u16 {
        match self {
            Failure::Timeout(_) => 504,
            _ => 502,
        }
    }

    /// What the client is told, naming the upstream.
    pub(crate) fn message(&self, target: &Target) -> String {
        let host = &target.host;
        match self {
            Failure::Unreachable(cause) => {
                format!("The upstream {host} could not be reached: {cause}.")
            }
            Failure::Timeout(limit) => {
                format!("The upstream {host} did not answer within {limit:?}.")
            }
            Failure::Broken(cause) => {
                format!("The upstream {host} broke off its answer: {cause}.")
            }
            Failure::TooLarge(limit) => {
                format!("The upstream {host} answered with more than {limit} bytes.")
            }
            Failure::Refused(cause) => format!("The request was not sent to {host}: {cause}."),
        }
    }
}

/// Headers that belong to one connection (RFC 9110 §7.6.1), and those the proxy sets itself.
const HOP_BY_HOP: [&str; 10] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
];

/// The headers of `headers` that cross the proxy: no hop-by-hop ones (nor those `Connection` names), no
/// length (the body is sent whole) and, on requests, none of the mock's own.
pub(crate) fn crossing(headers: &HeaderMap, request: bool) -> HeaderMap {
    let named: Vec<String> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|n| n.trim().to_ascii_lowercase())
        .collect();
    let mut out = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let n = name.as_str();
        let own = if request {
            // The answer is validated as JSON, so it must come uncompressed.
            n == crate::tenant::TENANT_HEADER || n == "accept-encoding"
        } else {
            // Which browser origins may read an answer is the mock's CORS layer's to say.
            n.starts_with("access-control-")
        };
        if HOP_BY_HOP.contains(&n) || named.iter().any(|c| c == n) || n == "content-length" || own {
            continue;
        }
        out.append(name.clone(), value.clone());
    }
    out
}

/// What to send.
pub(crate) struct Outgoing<'a> {
    pub(crate) method: &'a Method,
    pub(crate) path: &'a str,
    pub(crate) query: Option<&'a str>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: bytes::Bytes,
}

/// The URL a request goes to: the base and the request's path and query, on the base's origin and
/// under its path, or an error.
pub(crate) fn url_of(
    target: &Target,
    path: &str,
    query: Option<&str>,
) -> Result<reqwest::Url, String> {
    if !path.starts_with('/') {
        return Err(format!("the path {path:?} is not absolute"));
    }
    // The configured URL with only its path and query set: scheme, host and port cannot change.
    let mut url = target.parsed.clone();
    let wanted = format!("{}{path}", target.parsed.path().trim_end_matches('/'));
    url.set_path(&wanted);
    url.set_query(query);
    // The URL parser resolves `.` and `..` segments (encoded ones too): a path it changed is not the one
    // that was routed, and could climb out of the base path.
    if url.path() == wanted {
        Ok(url)
    } else {
        Err(format!("the path {path} has dot segments"))
    }
}

/// Sends the request and reads the answer whole.
pub(crate) async fn send(
    proxy: &Proxy,
    target: &Target,
    outgoing: Outgoing<'_>,
) -> Result<Answered, Failure> {
    let started = Instant::now();
    let url = url_of(target, outgoing.path, outgoing.query).map_err(Failure::Refused)?;
    let request = proxy
        .client
        .request(outgoing.method.clone(), url)
        .headers(outgoing.headers)
        .body(outgoing.body);
    let mut response = request.send().await.map_err(|e| classify(&e, proxy))?;
    let status = response.status().as_u16();
    let headers = crossing(response.headers(), false);
    let limit = proxy.body_limit;
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(Failure::TooLarge(limit));
    }
    let mut body = bytes::BytesMut::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| classify(&e, proxy))? {
        if body.len() + chunk.len() > limit {
            return Err(Failure::TooLarge(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Answered {
        status,
        headers,
        body: body.freeze(),
        latency: started.elapsed(),
    })
}

fn classify(error: &reqwest::Error, proxy: &Proxy) -> Failure {
    let cause = chain(error);
    if error.is_timeout() {
        Failure::Timeout(proxy.timeout)
    } else if error.is_connect() {
        Failure::Unreachable(cause)
    } else if error.is_body() || error.is_decode() {
        Failure::Broken(cause)
    } else if error.is_builder() {
        Failure::Refused(cause)
    } else {
        Failure::Broken(cause)
    }
}

/// The error and its causes on one line, without the URL (which would repeat a query's secrets).
fn chain(error: &reqwest::Error) -> String {
    let mut out = Vec::new();
    let mut cause: Option<&dyn std::error::Error> = std::error::Error::source(error);
    while let Some(c) = cause {
        let text = c.to_string();
        if !out.contains(&text) {
            out.push(text);
        }
        cause = c.source();
    }
    if out.is_empty() {
        out.push("the request failed".to_owned());
    }
    out.join(": ")
}
