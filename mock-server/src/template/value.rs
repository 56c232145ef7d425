//! The value semantics every declaration shares: numbers read from numeric text, values as text, loose
//! equality across JSON types, and dotted field paths.

use serde_json::Value;

pub(super) enum Number {
    Int(i64),
    Float(f64),
}

pub(super) fn number_of(value: &Value) -> Option<Number> {
    match value {
        Value::Number(n) => n
            .as_i64()
            .map(Number::Int)
            .or_else(|| n.as_f64().map(Number::Float)),
        Value::String(s) => s
            .trim()
            .parse::<i64>()
            .ok()
            .map(Number::Int)
            .or_else(|| s.trim().parse::<f64>().ok().map(Number::Float)),
        _ => None,
    }
}

/// A number as `f64`, reading numeric text too.
pub(crate) fn as_f64(value: &Value) -> Option<f64> {
    number_of(value).map(|n| match n {
        Number::Int(i) => i as f64,
        Number::Float(f) => f,
    })
}

/// A value as text: strings as they are, everything else as JSON.
pub(crate) fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Equality across JSON types where the text is the same (`"1001"` equals `1001`), as path parameters
/// and stored fields meet.
pub(crate) fn loosely_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        // The common case (ids, names) without rendering either side.
        (Value::String(x), Value::String(y)) => x == y,
        (
            Value::String(_) | Value::Number(_) | Value::Bool(_),
            Value::String(_) | Value::Number(_) | Value::Bool(_),
        ) => text_of(a) == text_of(b),
        _ => a == b,
    }
}

/// Reads a dotted field path (`externalIds.CARD`) from a value, in place.
pub(crate) fn field<'v>(value: &'v Value, dotted: &str) -> Option<&'v Value> {
    dotted
        .split('.')
        .try_fold(value, |v, key| v.get(key))
        .filter(|v| !v.is_null())
}
