//! Reading a document's schemas as both the mock and the SDK generator need it: `$ref`s resolved, an object's
//! properties and required names with its `allOf` parts', and the path to the property of an error body that
//! carries its message, code, offending field or status, wherever the vendor put it.

use serde_json::Value;

/// Property names that carry an error's message, best first.
pub const MESSAGE_NAMES: [&str; 10] = [
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
pub const FIELD_NAMES: [&str; 9] = [
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
/// Property names that carry an error code, best first.
pub const CODE_NAMES: [&str; 4] = ["code", "errorCode", "error_code", "type"];
/// Property names that carry the HTTP status.
pub const STATUS_NAMES: [&str; 3] = ["status", "statusCode", "status_code"];

/// `value` with its `$ref`s to `#/components/<kind>/<name>` followed (at most 16).
pub fn resolve<'v>(components: &'v Value, mut value: &'v Value) -> &'v Value {
    for _ in 0..16 {
        let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
            return value;
        };
        let Some((kind, name)) = reference
            .strip_prefix("#/components/")
            .and_then(|r| r.split_once('/'))
        else {
            return value;
        };
        value = &components[kind][name];
    }
    value
}

/// An object schema's declared properties, in order, its `allOf` parts' included (the first declaration of
/// a name wins).
pub fn properties<'v>(components: &'v Value, schema: &'v Value) -> Vec<(String, &'v Value)> {
    let mut found: Vec<(String, &Value)> = Vec::new();
    collect(components, schema, &mut found, 0);
    found
}

fn collect<'v>(
    components: &'v Value,
    schema: &'v Value,
    found: &mut Vec<(String, &'v Value)>,
    depth: usize,
) {
    let schema = resolve(components, schema);
    if depth > 8 {
        return;
    }
    for (name, child) in schema["properties"].as_object().into_iter().flatten() {
        if !found.iter().any(|(n, _)| n == name) {
            found.push((name.clone(), child));
        }
    }
    for part in schema["allOf"].as_array().into_iter().flatten() {
        collect(components, part, found, depth + 1);
    }
}

/// The required property names of an object schema (its `allOf` parts included).
pub fn required<'v>(components: &'v Value, schema: &'v Value) -> Vec<&'v str> {
    required_at(components, schema, 0)
}

fn required_at<'v>(components: &'v Value, schema: &'v Value, depth: usize) -> Vec<&'v str> {
    let schema = resolve(components, schema);
    let mut names: Vec<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if depth < 8 {
        for part in schema["allOf"].as_array().into_iter().flatten() {
            names.extend(required_at(components, part, depth + 1));
        }
    }
    names
}

/// One step from a body to one of its properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyStep {
    /// The property's name.
    pub name: String,
    /// Whether the object requires it.
    pub required: bool,
    /// Whether it is an array whose first item the path goes on into.
    pub first_item: bool,
}

/// The path to the first property named like one of `names` (case-insensitively) whose type is
/// `json_type`: best name first, shallow before deep (two levels down at most), through objects and
/// arrays of objects (`{error: {message}}`, `{errors: [{message}]}`).
pub fn find_property(
    components: &Value,
    schema: &Value,
    names: &[&str],
    json_type: &str,
) -> Option<Vec<PropertyStep>> {
    find_at(components, schema, names, json_type, 0)
}

fn find_at(
    components: &Value,
    schema: &Value,
    names: &[&str],
    json_type: &str,
    depth: usize,
) -> Option<Vec<PropertyStep>> {
    if depth > 2 {
        return None;
    }
    let schema = resolve(components, schema);
    let declared = properties(components, schema);
    let required = required(components, schema);
    let step = |name: &str, first_item| PropertyStep {
        name: name.to_owned(),
        required: required.contains(&name),
        first_item,
    };
    for wanted in names {
        let hit = declared.iter().find(|(name, s)| {
            name.eq_ignore_ascii_case(wanted)
                && resolve(components, s)["type"].as_str().unwrap_or("string") == json_type
        });
        if let Some((name, _)) = hit {
            return Some(vec![step(name, false)]);
        }
    }
    for (name, child) in &declared {
        let child = resolve(components, child);
        let array = child["type"] == "array";
        let inner = if array {
            resolve(components, &child["items"])
        } else {
            child
        };
        if let Some(rest) = find_at(components, inner, names, json_type, depth + 1) {
            return Some(std::iter::once(step(name, array)).chain(rest).collect());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_message_is_found_shallow_before_deep_and_through_arrays_of_errors() {
        let components = json!({"schemas": {
            "Item": {"type": "object", "required": ["message"], "properties": {"message": {"type": "string"}}}
        }});
        let nested = json!({"type": "object", "properties": {
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}
        }});
        let path = find_property(&components, &nested, &MESSAGE_NAMES, "string").unwrap();
        assert_eq!(
            path,
            vec![
                PropertyStep {
                    name: "errors".into(),
                    required: false,
                    first_item: true
                },
                PropertyStep {
                    name: "message".into(),
                    required: true,
                    first_item: false
                },
            ]
        );
        // A better name at the top wins over a nested one; the type must match.
        let flat = json!({"type": "object", "allOf": [{"properties": {"detail": {"type": "string"}}}],
            "properties": {"error": {"type": "object", "properties": {"message": {"type": "string"}}},
                           "status": {"type": "integer"}}});
        let path = find_property(&components, &flat, &MESSAGE_NAMES, "string").unwrap();
        assert_eq!(path[0].name, "detail");
        assert!(find_property(&components, &flat, &["status"], "string").is_none());
        assert_eq!(
            find_property(&components, &flat, &STATUS_NAMES, "integer").unwrap()[0].name,
            "status"
        );
    }
}
