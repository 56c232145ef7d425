//! An exchange checked against the contract, both ways: the request (parameters, body, a credential for
//! one security requirement) and the vendor's answer (a documented status, the body valid against that
//! status's schema, its content type, no header the contract does not name). Each finding is a [`Drift`]:
//! where, a JSON pointer, the keyword and a message.

use axum::http::{HeaderMap, header};
use serde_json::Value;

use crate::contract::{Contract, Operation};
pub use crate::problem::Drift;
use crate::problem::Violation;
use crate::validate::{Invalid, Sent, Valid, validate};
use crate::vendor::Vendor;

fn drift(place: &str, pointer: String, keyword: &str, message: impl Into<String>) -> Drift {
    Drift {
        place: place.to_owned(),
        pointer,
        keyword: keyword.to_owned(),
        message: message.into(),
    }
}

/// A dotted field (`lines[0].sku`) as a JSON pointer (`/lines/0/sku`).
pub(crate) fn pointer(field: &str) -> String {
    let mut out = String::new();
    for part in field.split('.').filter(|p| !p.is_empty()) {
        let mut rest = part;
        let name_end = rest.find('[').unwrap_or(rest.len());
        let (name, indexes) = rest.split_at(name_end);
        if !name.is_empty() {
            out.push('/');
            out.push_str(&name.replace('~', "~0").replace('/', "~1"));
        }
        rest = indexes;
        while let Some(open) = rest.find('[') {
            let Some(close) = rest[open..].find(']') else {
                break;
            };
            out.push('/');
            out.push_str(&rest[open + 1..open + close]);
            rest = &rest[open + close + 1..];
        }
    }
    out
}

/// The request, as the contract says it must be.
pub(crate) async fn request(
    contract: &Contract,
    op: &Operation,
    sent: Sent<'_>,
) -> (Vec<Drift>, Option<Valid>) {
    let Sent { headers, query, .. } = sent;
    let mut found = Vec::new();
    let mut typed = None;
    let parts = crate::multipart_body::of_request(op, headers, sent.body).await;
    match validate(op, sent, parts) {
        Ok(valid) => typed = Some(valid),
        Err(Invalid::Violations(violations)) => {
            for v in violations {
                let parameter = op.params.iter().find(|p| p.name == v.field);
                found.push(match parameter {
                    Some(p) => drift(
                        "request.parameter",
                        format!("/{}/{}", p.location.root(), p.name),
                        &v.keyword,
                        v.message,
                    ),
                    None => drift("request.body", pointer(&v.field), &v.keyword, v.message),
                });
            }
        }
        Err(Invalid::UnsupportedMediaType {
            found: sent,
            accepted,
        }) => found.push(drift(
            "request.body",
            String::new(),
            "contentType",
            format!(
                "Content-Type must be {}, found {sent}",
                accepted.join(" or ")
            ),
        )),
    }
    if !op.security.is_empty()
        && !op.security.iter().any(|alternative| {
            alternative
                .iter()
                .all(|s| crate::auth::credential(contract, s, headers, query).is_some())
        })
    {
        let wanted: Vec<String> = op.security.iter().map(|a| a.join(" + ")).collect();
        found.push(drift(
            "request.security",
            String::new(),
            "credential",
            format!("no credential for {}", wanted.join(" or ")),
        ));
    }
    (found, typed)
}

/// Headers every HTTP answer may carry, whatever the contract says.
const TRANSPORT_HEADERS: [&str; 27] = [
    "content-type",
    "content-length",
    "content-encoding",
    "content-language",
    "content-security-policy",
    "date",
    "server",
    "vary",
    "cache-control",
    "expires",
    "pragma",
    "etag",
    "last-modified",
    "age",
    "via",
    "alt-svc",
    "accept-ranges",
    "strict-transport-security",
    "x-content-type-options",
    "x-frame-options",
    "x-xss-protection",
    "referrer-policy",
    "location",
    "allow",
    "retry-after",
    "set-cookie",
    "traceparent",
];

/// The vendor's answer, as the contract documents it for `op`; with its body's JSON value, if any.
pub(crate) fn response(
    op: &Operation,
    vendor: &Vendor,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> (Vec<Drift>, Option<Value>) {
    let mut found = Vec::new();
    let documented = op.responses.get(&status);
    if documented.is_none() && !op.omitted.contains(&status) {
        let statuses: Vec<String> = op.responses.keys().map(u16::to_string).collect();
        found.push(drift(
            "response.status",
            String::new(),
            "status",
            format!(
                "{status} is not documented for {} (documented: {})",
                op.id,
                statuses.join(", ")
            ),
        ));
    }
    undocumented_headers(op, vendor, (status, documented), headers, &mut found);
    let Some(documented) = documented else {
        return (found, serde_json::from_slice(body).ok());
    };
    let whole = !body.iter().all(u8::is_ascii_whitespace);
    let parsed: Option<Value> = if !whole {
        None
    } else {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let json =
            crate::contract::BodyMedia::of(content_type) == Some(crate::contract::BodyMedia::Json);
        if documented.has_body() && !json {
            found.push(drift(
                "response.header",
                "/content-type".into(),
                "contentType",
                format!(
                    "the body is documented as application/json, sent as {:?}",
                    if content_type.is_empty() {
                        "nothing"
                    } else {
                        content_type
                    }
                ),
            ));
            return (found, None);
        }
        match serde_json::from_slice(body) {
            Ok(value) => Some(value),
            Err(e) if documented.has_body() => {
                found.push(drift(
                    "response.body",
                    String::new(),
                    "json",
                    format!("not JSON: {e}"),
                ));
                return (found, None);
            }
            // An undocumented body that is not JSON: reported as a body all the same.
            Err(_) => Some(Value::String(String::from_utf8_lossy(body).into_owned())),
        }
    };
    for Violation {
        field,
        keyword,
        message,
    } in documented.check(parsed.as_ref())
    {
        found.push(drift("response.body", pointer(&field), &keyword, message));
    }
    // A body that is not JSON was checked as text; it has no JSON value.
    let json = parsed.filter(|v| !v.is_string() || body.trim_ascii_start().starts_with(b"\""));
    (found, json)
}

/// A drift for each header the answer carries that neither HTTP, CORS, the vendor nor the documented
/// answer `(status, documented)` names.
fn undocumented_headers(
    op: &Operation,
    vendor: &Vendor,
    (status, documented): (u16, Option<&crate::contract::ResponseSpec>),
    headers: &HeaderMap,
    found: &mut Vec<Drift>,
) {
    for name in headers.keys() {
        let n = name.as_str();
        let named = TRANSPORT_HEADERS.contains(&n)
            || n.starts_with("access-control-")
            || (n == "deprecation" && op.deprecated)
            || vendor.header_names().any(|h| h == name)
            || documented.is_some_and(|r| r.headers.iter().any(|h| h.eq_ignore_ascii_case(n)));
        if !named {
            found.push(drift(
                "response.header",
                format!("/{n}"),
                "undocumented",
                format!("the header {n} is not documented for {} {status}", op.id),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::pointer;

    #[test]
    fn dotted_fields_become_json_pointers() {
        assert_eq!(pointer("lines[0].sku"), "/lines/0/sku");
        assert_eq!(pointer("[2].username"), "/2/username");
        assert_eq!(pointer(""), "");
        assert_eq!(pointer("a/b"), "/a~1b");
    }
}
