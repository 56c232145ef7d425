//! Errors in a document's own terms, for vendors that declare no error style: the documented example of an
//! error response (or a value built from its schema) with the problem's message written into the
//! message-like property (`message`, `detail`, `error_description`, …) and the offending field into the
//! field-like one (`field`, `param`, `reference`, …), nested objects and arrays of errors included
//! (`{error: {message, param}}`, `{errors: [{field, message}]}`).

use serde_json::{Map, Value, json};

use concord_spec::schema_walk::{
    CODE_NAMES, FIELD_NAMES, MESSAGE_NAMES, PropertyStep, STATUS_NAMES, find_property,
};

use super::schema::{properties, resolve_in};
use crate::problem::Problem;

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
            message: path(components, schema, &MESSAGE_NAMES, "string"),
            field: path(components, schema, &FIELD_NAMES, "string"),
            code: path(components, schema, &CODE_NAMES, "string"),
            status: path(components, schema, &STATUS_NAMES, "integer"),
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

/// The steps to the first property named like one of `names` (see `find_property`).
fn path(components: &Value, schema: &Value, names: &[&str], json_type: &str) -> Option<Vec<Step>> {
    let found = find_property(components, schema, names, json_type)?;
    Some(
        found
            .into_iter()
            .flat_map(
                |PropertyStep {
                     name, first_item, ..
                 }| {
                    std::iter::once(Step::Key(name)).chain(first_item.then_some(Step::First))
                },
            )
            .collect(),
    )
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

pub(crate) use concord_spec::schema_walk::required;

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
