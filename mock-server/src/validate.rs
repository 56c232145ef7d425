//! Request validation against the contract: parameters converted to their declared types and checked,
//! the content type, and the JSON body checked against its schema.

use axum::http::HeaderMap;
use serde_json::{Map, Value};

use crate::contract::{BodyMedia, Location, Operation, Violation};

/// Why a request was refused before any business rule ran.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Invalid {
    /// Schema violations (400).
    Violations(Vec<Violation>),
    /// A body of a media type the operation does not take (415).
    UnsupportedMediaType {
        /// The `Content-Type` sent (`missing` without one).
        found: String,
        /// What the operation takes.
        accepted: Vec<&'static str>,
    },
}

/// A request's parameters and body, valid against the contract.
#[derive(Debug, Clone, Default)]
pub(crate) struct Valid {
    /// Path, query and header parameters by declared name, converted (`customerId` → a JSON integer).
    pub path: Map<String, Value>,
    /// Query parameters.
    pub query: Map<String, Value>,
    /// Header parameters.
    pub header: Map<String, Value>,
    /// The body.
    pub body: Option<Value>,
}

fn violation(field: &str, keyword: &str, message: impl Into<String>) -> Violation {
    Violation {
        field: field.to_owned(),
        keyword: keyword.to_owned(),
        message: message.into(),
    }
}

/// Converts a raw parameter to the JSON type its schema declares.
fn convert(raw: &str, json_type: &str, unbounded: bool) -> Result<Value, String> {
    match json_type {
        "integer" => match raw.parse::<i64>() {
            Ok(i) => Ok(Value::from(i)),
            // JSON Schema's integers have no size: a longer one is a whole number still (a declared
            // `int64` format refuses it as out of range).
            Err(_) if unbounded && is_whole_number(raw) => raw
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .ok_or_else(|| format!("{raw:?} is not an integer")),
            Err(_) if is_whole_number(raw) => Err(format!("{raw:?} is out of the int64 range")),
            Err(_) => Err(format!("{raw:?} is not an integer")),
        },
        "number" => raw
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| format!("{raw:?} is not a number")),
        "boolean" => match raw {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(format!("{raw:?} is not true or false")),
        },
        _ => Ok(Value::String(raw.to_owned())),
    }
}

fn is_whole_number(raw: &str) -> bool {
    let digits = raw.strip_prefix('-').unwrap_or(raw);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// What a request sent that the contract describes, borrowed from it as received.
#[derive(Clone, Copy)]
pub(crate) struct Sent<'a> {
    /// The path parameters, by the names routing gave them.
    pub(crate) path_params: &'a [(String, String)],
    /// The query string.
    pub(crate) query: Option<&'a str>,
    /// The headers.
    pub(crate) headers: &'a HeaderMap,
    /// The body as read.
    pub(crate) body: &'a [u8],
}

/// Validates everything the contract says about a request. `parts`: a multipart body's parts, as read.
pub(crate) fn validate(
    op: &Operation,
    sent: Sent<'_>,
    parts: Option<Result<Vec<(String, String)>, String>>,
) -> Result<Valid, Invalid> {
    let mut valid = Valid::default();
    let mut violations = parameters(op, &sent, &mut valid);
    if let Some(spec) = &op.body {
        let has_body = !sent.body.iter().all(u8::is_ascii_whitespace);
        if has_body && spec.media.is_empty() {
            // Documented only in media types the mock does not read (XML, files): taken as sent.
        } else if has_body {
            match body(spec, &sent, parts)? {
                Ok(parsed) => {
                    violations.extend(spec.check(&parsed));
                    valid.body = Some(parsed);
                }
                Err(message) => violations.push(violation("", "json", message)),
            }
        } else if spec.required {
            violations.push(violation("", "required", "a request body is required"));
        }
    }
    if violations.is_empty() {
        Ok(valid)
    } else {
        Err(Invalid::Violations(violations))
    }
}

/// The parameters converted into `valid`; the violations found.
fn parameters(op: &Operation, sent: &Sent<'_>, valid: &mut Valid) -> Vec<Violation> {
    let query: Vec<(String, String)> = sent
        .query
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let mut violations = Vec::new();
    for param in &op.params {
        let raw = match param.location {
            Location::Path => sent
                .path_params
                .iter()
                .find(|(n, _)| n == &param.name)
                .map(|(_, v)| v.clone()),
            Location::Query => query
                .iter()
                .find(|(n, _)| n == &param.name)
                .map(|(_, v)| v.clone()),
            Location::Header => sent
                .headers
                .get(param.name.as_str())
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
            Location::Cookie => crate::auth::cookie(sent.headers, &param.name),
        };
        let Some(raw) = raw else {
            if param.required {
                violations.push(violation(
                    &param.name,
                    "required",
                    format!("{} is required", param.name),
                ));
            }
            continue;
        };
        match convert(&raw, &param.json_type, param.unbounded) {
            Ok(value) => {
                for mut v in param.check(&value) {
                    v.field = param.name.clone();
                    violations.push(v);
                }
                let into = match param.location {
                    Location::Path => &mut valid.path,
                    Location::Query => &mut valid.query,
                    Location::Header | Location::Cookie => &mut valid.header,
                };
                into.insert(param.name.clone(), value);
            }
            Err(message) => violations.push(violation(&param.name, "type", message)),
        }
    }
    violations
}

/// A non-empty body parsed as its media type says (`Ok(Err(..))`: it does not parse), or refused for a
/// media type the operation does not take.
fn body(
    spec: &crate::contract::BodySpec,
    sent: &Sent<'_>,
    parts: Option<Result<Vec<(String, String)>, String>>,
) -> Result<Result<Value, String>, Invalid> {
    let content_type = sent
        .headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let media = BodyMedia::of(content_type);
    let Some(media) = media.filter(|m| spec.media.contains(m)) else {
        return Err(Invalid::UnsupportedMediaType {
            found: if content_type.is_empty() {
                "missing".into()
            } else {
                content_type.to_owned()
            },
            accepted: spec.media.iter().map(|m| m.essence()).collect(),
        });
    };
    Ok(match media {
        BodyMedia::Json => serde_json::from_slice::<Value>(sent.body)
            .map_err(|e| format!("the body is not valid JSON: {e}")),
        BodyMedia::Form => Ok(spec.decode_form(sent.body)),
        BodyMedia::Multipart => match parts {
            Some(Ok(parts)) => Ok(spec.decode_parts(parts)),
            Some(Err(message)) => Err(message),
            None => Err("the multipart body was not read".to_owned()),
        },
    })
}
