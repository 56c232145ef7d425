//! Errors in a document's own terms, for vendors that declare no error style: the documented example of an
//! error response (or a value built from its schema) with the problem's message written into the
//! message-like property (`message`, `detail`, `error_description`, …) and the offending field into the
//! field-like one (`field`, `param`, `reference`, …), nested objects and arrays of errors included
//! (`{error: {message, param}}`, `{errors: [{field, message}]}`).

use serde_json::{Map, Value, json};

use super::schema::{properties, resolve_in};
use crate::problem::Problem;

/// Property names that carry the message, best first.
const MESSAGE: [&str; 10] = [
    "message",
    "errorMessage",
    "error_message",
    "detail",
    "error_description",
    "description",
    "msg",
    "reason",
    "title",
    "error",
];
/// Property names that carry the offending field, best first.
const FIELD: [&str; 9] = [
    "field",
    "param",
    "parameter",
    "reference",
    "pointer",
    "property",
    "path",
    "location",
    "source",
];
/// Property names that carry a code.
const CODE: [&str; 4] = ["code", "errorCode", "error_code", "type"];
/// Property names that carry the HTTP status.
const STATUS: [&str; 3] = ["status", "statusCode", "status_code"];

/// One step from an error body to a property.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    /// The first item of an array of errors.
    First,
}

/// How a problem becomes the body of one documented error response.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ErrorShape {
    base: Value,
    message: Option<Vec<Step>>,
    field: Option<Vec<Step>>,
    code: Option<Vec<Step>>,
    status: Option<Vec<Step>>,
}

impl ErrorShape {
    /// The shape of a response with this schema and (first) example; none when the body is not an object
    /// with a place for a message.
    pub(crate) fn compile(
        components: &Value,
        schema: &Value,
        example: Option<&Value>,
    ) -> Option<ErrorShape> {
        let mut shape = ErrorShape {
            base: example.cloned().unwrap_or(Value::Null),
            message: find(components, schema, &MESSAGE, "string", 0),
            field: find(components, schema, &FIELD, "string", 0),
            code: find(components, schema, &CODE, "string", 0),
            status: find(components, schema, &STATUS, "integer", 0),
        };
        shape.message.as_ref()?;
        if !shape.base.is_object() {
            shape.base = synthesize(components, schema, 0);
        }
        Some(shape)
    }

    /// The error body for `status` and `problem`.
    pub(crate) fn render(&self, status: u16, problem: &Problem) -> Value {
        let mut body = self.base.clone();
        if let Some(path) = &self.message {
            put(&mut body, path, json!(problem.message));
        }
        if let (Some(path), Some((field, _))) = (&self.field, problem.fields.first()) {
            put(&mut body, path, json!(field));
        }
        if let (Some(path), Some(code)) = (&self.code, &problem.code) {
            put(&mut body, path, json!(code));
        }
        if let Some(path) = &self.status {
            put(&mut body, path, json!(status));
        }
        body
    }
}

/// The path to the first property named like one of `names` (best name first, shallow before deep).
fn find(
    components: &Value,
    schema: &Value,
    names: &[&str],
    json_type: &str,
    depth: usize,
) -> Option<Vec<Step>> {
    if depth > 2 {
        return None;
    }
    let schema = resolve_in(components, schema);
    let declared = properties(components, schema);
    for name in names {
        let hit = declared.iter().find(|(n, s)| {
            n.eq_ignore_ascii_case(name)
                && resolve_in(components, s)["type"]
                    .as_str()
                    .unwrap_or("string")
                    == json_type
        });
        if let Some((n, _)) = hit {
            return Some(vec![Step::Key(n.clone())]);
        }
    }
    for (name, child) in &declared {
        let child = resolve_in(components, child);
        let (prefix, inner) = match child["type"].as_str() {
            Some("array") => (
                vec![Step::Key(name.clone()), Step::First],
                resolve_in(components, &child["items"]),
            ),
            _ => (vec![Step::Key(name.clone())], child),
        };
        if let Some(rest) = find(components, inner, names, json_type, depth + 1) {
            return Some(prefix.into_iter().chain(rest).collect());
        }
    }
    None
}

/// A value of the schema: its example, else its default, else the first enum value, else a plain value of its type (objects
/// with their required properties and those that document an example).
pub(crate) fn synthesize(components: &Value, schema: &Value, depth: usize) -> Value {
    let schema = resolve_in(components, schema);
    if let Some(example) = schema.get("example") {
        return example.clone();
    }
    if let Some(default) = schema.get("default") {
        return default.clone();
    }
    if let Some(first) = schema["enum"].get(0) {
        return first.clone();
    }
    if depth > 6 {
        return Value::Null;
    }
    match schema["type"].as_str() {
        Some("integer") | Some("number") => json!(schema["minimum"].as_i64().unwrap_or(0)),
        Some("boolean") => json!(false),
        Some("array") => json!([]),
        Some("string") => json!(match schema["format"].as_str() {
            Some("date-time") => "1970-01-01T00:00:00Z".to_owned(),
            Some("date") => "1970-01-01".to_owned(),
            Some("uuid") => "00000000-0000-4000-8000-000000000000".to_owned(),
            Some("email") => "user@example.com".to_owned(),
            Some("uri") => "https://example.com".to_owned(),
            _ => "x".repeat(schema["minLength"].as_u64().unwrap_or(0) as usize),
        }),
        _ => {
            let required: Vec<&str> = required(components, schema);
            let mut object = Map::new();
            for (name, child) in properties(components, schema) {
                if required.contains(&name.as_str())
                    || resolve_in(components, child).get("example").is_some()
                {
                    object.insert(name, synthesize(components, child, depth + 1));
                }
            }
            Value::Object(object)
        }
    }
}

/// The required property names of an object schema (its `allOf` parts included).
pub(crate) fn required<'v>(components: &'v Value, schema: &'v Value) -> Vec<&'v str> {
    let schema = resolve_in(components, schema);
    let mut names: Vec<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for part in schema["allOf"].as_array().into_iter().flatten() {
        names.extend(required(components, part));
    }
    names
}

/// Writes `value` at `path`, creating what is missing.
fn put(body: &mut Value, path: &[Step], value: Value) {
    let Some((step, rest)) = path.split_first() else {
        *body = value;
        return;
    };
    let slot = match step {
        Step::Key(key) => {
            if !body.is_object() {
                *body = json!({});
            }
            body.as_object_mut()
                .map(|m| m.entry(key.clone()).or_insert(Value::Null))
        }
        Step::First => {
            if !body.is_array() {
                *body = json!([]);
            }
            body.as_array_mut().map(|items| {
                if items.is_empty() {
                    items.push(json!({}));
                }
                &mut items[0]
            })
        }
    };
    if let Some(slot) = slot {
        put(slot, rest, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_message_and_field_are_found_and_filled() {
        let schema = json!({"type": "object", "properties": {"error": {"type": "object", "properties": {
            "type": {"type": "string"}, "message": {"type": "string"}, "param": {"type": "string"}}}}});
        let shape = ErrorShape::compile(&json!({}), &schema, None).unwrap();
        let problem = Problem::new("amount: is required")
            .field("amount", "is required")
            .code("bad_request");
        assert_eq!(
            shape.render(400, &problem),
            json!({"error": {"message": "amount: is required", "param": "amount", "type": "bad_request"}})
        );
    }

    #[test]
    fn the_documented_example_is_the_base_and_arrays_of_errors_get_one_item() {
        let schema = json!({"type": "object", "properties": {"status": {"type": "integer"}, "errors": {
            "type": "array", "items": {"type": "object", "properties": {"field": {"type": "string"}, "detail": {"type": "string"}}}}}});
        let example =
            json!({"status": 422, "errors": [{"field": "name", "detail": "taken"}], "kind": "x"});
        let shape = ErrorShape::compile(&json!({}), &schema, Some(&example)).unwrap();
        let body = shape.render(400, &Problem::new("bad").field("age", "too low"));
        assert_eq!(
            body,
            json!({"status": 400, "errors": [{"field": "age", "detail": "bad"}], "kind": "x"})
        );
        assert!(ErrorShape::compile(&json!({}), &json!({"type": "array"}), None).is_none());
    }
}
