//! JSON Schema plumbing: one registry of the document's components shared by every validator, OpenAPI's
//! integer formats as ranges, violations named by field.

use jsonschema::Validator;
use serde_json::{Value, json};

use crate::problem::Violation;

/// Where the shared components live for the validators.
const COMPONENTS_URI: &str = "urn:concord:openapi";

/// The document's components, registered once for every validator.
pub(crate) struct Schemas {
    components: std::sync::Arc<Value>,
    registry: jsonschema::Registry<'static>,
}

impl Schemas {
    /// Registers the document's components.
    pub(crate) fn new(document: &Value) -> Result<Schemas, String> {
        let components = document.get("components").cloned().unwrap_or(json!({}));
        let mut shared = json!({"$schema": "http://json-schema.org/draft-04/schema#", "components": components.clone()});
        openapi_as_json_schema(&mut shared);
        let registry = jsonschema::Registry::new()
            .add(COMPONENTS_URI, shared)
            .and_then(|r| r.prepare())
            .map_err(|e| format!("components: {e}"))?;
        Ok(Schemas {
            components: std::sync::Arc::new(components),
            registry,
        })
    }

    /// The components (`{schemas, responses, …}`).
    pub(crate) fn components(&self) -> &Value {
        &self.components
    }

    /// The components, shared.
    pub(crate) fn components_arc(&self) -> std::sync::Arc<Value> {
        self.components.clone()
    }

    /// Follows a local `#/components/<kind>/<name>` reference (any depth); other values are returned as
    /// they are.
    pub(crate) fn resolve<'v>(&'v self, value: &'v Value) -> &'v Value {
        resolve_in(&self.components, value)
    }

    /// Like [`Schemas::resolve`], but a reference to a component that does not exist is an error.
    pub(crate) fn resolve_checked<'v>(&'v self, value: &'v Value) -> Result<&'v Value, String> {
        let resolved = self.resolve(value);
        match value.get("$ref").and_then(Value::as_str) {
            Some(reference) if resolved.is_null() => {
                Err(format!("$ref {reference} names nothing in components"))
            }
            _ => Ok(resolved),
        }
    }

    /// A validator for `schema`; its `#/components/...` references resolve in the shared registry.
    pub(crate) fn validator(&self, schema: &Value, what: &str) -> Result<Validator, String> {
        let mut schema = schema.clone();
        openapi_as_json_schema(&mut schema);
        absolute_refs(&mut schema);
        jsonschema::draft4::options()
            .with_registry(&self.registry)
            .should_validate_formats(true)
            .with_format("int32", |s: &str| s.parse::<i32>().is_ok())
            .with_format("uuid", |s: &str| {
                uuid::Uuid::parse_str(s).is_ok() && s.len() == 36
            })
            .build(&schema)
            .map_err(|e| format!("{what}: {e}"))
    }
}

// Shared with the SDK generator (concord-spec), so both read a vendor's schemas alike.
pub(crate) use concord_spec::schema_walk::{properties, resolve as resolve_in};

/// The parts of a schema's `allOf`, `oneOf` and `anyOf`.
pub(super) fn composed(schema: &Value) -> impl Iterator<Item = &Value> {
    ["allOf", "oneOf", "anyOf"]
        .into_iter()
        .filter_map(|key| schema.get(key).and_then(Value::as_array))
        .flatten()
}
/// Integers that the validator cannot judge: a JSON literal beyond the `int64` range is parsed as a float,
/// and one just past a bound rounds onto it (`-9223372036854775809` → `-2^63`), so a range check passes.
/// Where the schema says `integer`/`int64`, a number that is not exactly an `i64` is refused here (a float
/// with a small whole value, `5.0`, is still accepted, as JSON parsers of the vendors' platforms do).
pub(crate) fn inexact_integers(
    components: &Value,
    schema: &Value,
    value: &Value,
    field: &str,
    out: &mut Vec<Violation>,
) {
    let schema = resolve_in(components, schema);
    for part in composed(schema) {
        inexact_integers(components, part, value, field, out);
    }
    match value {
        Value::Number(n) => {
            let integer = schema.get("type").and_then(Value::as_str) == Some("integer");
            let int64 = schema.get("format").and_then(Value::as_str) == Some("int64");
            // Past 2^53 a float no longer holds every integer: it cannot be the literal that was sent.
            let inexact = n.as_i64().is_none()
                && n.as_f64()
                    .is_none_or(|f| f.fract() != 0.0 || f.abs() >= 9_007_199_254_740_992.0);
            if integer && (int64 || n.is_f64()) && inexact {
                out.push(Violation {
                    field: field.to_owned(),
                    keyword: "format".into(),
                    message: format!("{n} is outside the range of a 64-bit integer"),
                });
            }
        }
        Value::Object(map) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            for (key, child) in map {
                let child_schema = properties
                    .and_then(|p| p.get(key))
                    .or_else(|| schema.get("additionalProperties").filter(|a| a.is_object()));
                if let Some(child_schema) = child_schema {
                    let path = if field.is_empty() {
                        key.clone()
                    } else {
                        format!("{field}.{key}")
                    };
                    inexact_integers(components, child_schema, child, &path, out);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    inexact_integers(components, item_schema, item, &format!("{field}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

/// Validates `value`, naming each violation's field and keyword.
pub(crate) fn violations(validator: &Validator, value: &Value) -> Vec<Violation> {
    // The common case, a valid value, without building the error iterator.
    if validator.is_valid(value) {
        return Vec::new();
    }
    validator
        .iter_errors(value)
        .map(|error| {
            let mut field = pointer_to_field(&error.instance_path().to_string());
            // The last segment of the schema path is the keyword that failed (`/properties/quantity/minimum`).
            let keyword = error
                .schema_path()
                .to_string()
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_owned();
            if let jsonschema::error::ValidationErrorKind::Required { property } = error.kind() {
                let name = property.as_str().unwrap_or_default();
                field = if field.is_empty() {
                    name.to_owned()
                } else {
                    format!("{field}.{name}")
                };
            }
            Violation {
                field,
                keyword,
                message: error.to_string(),
            }
        })
        .collect()
}

/// What OpenAPI 3.0 says in a schema that JSON Schema draft 4 reads otherwise or not at all, said the JSON
/// Schema way: the components and every validator's own schema go through this one place.
fn openapi_as_json_schema(schema: &mut Value) {
    integer_formats_as_bounds(schema);
    nullable_as_null(schema);
}

/// JSON Schema checks `format` on strings only; OpenAPI's `int32`/`int64` on integers are ranges, so they
/// become `minimum`/`maximum` (where the schema sets none).
fn integer_formats_as_bounds(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            let bounds = match (
                map.get("type").and_then(Value::as_str),
                map.get("format").and_then(Value::as_str),
            ) {
                (Some("integer"), Some("int32")) => Some((json!(i32::MIN), json!(i32::MAX))),
                (Some("integer"), Some("int64")) => Some((json!(i64::MIN), json!(i64::MAX))),
                _ => None,
            };
            if let Some((min, max)) = bounds {
                map.entry("minimum").or_insert(min);
                map.entry("maximum").or_insert(max);
            }
            map.values_mut().for_each(integer_formats_as_bounds);
        }
        Value::Array(items) => items.iter_mut().for_each(integer_formats_as_bounds),
        _ => {}
    }
}

/// OpenAPI 3.0's `nullable: true` (which JSON Schema draft 4 does not know) as JSON Schema: `null` joins the
/// schema's `type` (and its `enum`), or, where the schema has no single type or composes others, the
/// schema becomes "null, or what it was".
fn nullable_as_null(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            // Values, not schemas: left as they are.
            let values = ["enum", "example", "examples", "default", "const"];
            map.iter_mut()
                .filter(|(k, _)| !values.contains(&k.as_str()) && !k.starts_with("x-"))
                .for_each(|(_, v)| nullable_as_null(v));
            if map.get("nullable") != Some(&Value::Bool(true)) {
                return;
            }
            map.remove("nullable");
            let composed = ["allOf", "oneOf", "anyOf", "$ref", "not"]
                .iter()
                .any(|k| map.contains_key(*k));
            match map.get_mut("type") {
                Some(Value::String(t)) if !composed => {
                    let t = std::mem::take(t);
                    map.insert("type".into(), json!([t, "null"]));
                    if let Some(Value::Array(values)) = map.get_mut("enum")
                        && !values.contains(&Value::Null)
                    {
                        values.push(Value::Null);
                    }
                }
                _ => {
                    let rest = std::mem::take(map);
                    map.insert("anyOf".into(), json!([{"type": "null"}, rest]));
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(nullable_as_null),
        _ => {}
    }
}

/// `/physicalCards/0/loyaltyId` → `physicalCards[0].loyaltyId`.
fn pointer_to_field(pointer: &str) -> String {
    let mut out = String::new();
    for part in pointer.split('/').skip(1) {
        let part = part.replace("~1", "/").replace("~0", "~");
        if part.chars().all(|c| c.is_ascii_digit()) && !part.is_empty() {
            out.push_str(&format!("[{part}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&part);
        }
    }
    out
}

/// `#/components/...` → `urn:concord:openapi#/components/...`, so a validator finds it in the registry.
fn absolute_refs(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref")
                && r.starts_with("#/")
            {
                *r = format!("{COMPONENTS_URI}{r}");
            }
            map.values_mut().for_each(absolute_refs);
        }
        Value::Array(items) => items.iter_mut().for_each(absolute_refs),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid(schema: Value, value: Value) -> bool {
        let document = json!({"components": {"schemas": {
            "Name": {"type": "string", "nullable": true},
            "Plain": {"type": "string"},
        }}});
        let schemas = Schemas::new(&document).unwrap();
        schemas.validator(&schema, "test").unwrap().is_valid(&value)
    }

    #[test]
    fn nullable_allows_null_and_nothing_else() {
        let string = json!({"type": "string", "nullable": true, "minLength": 2});
        assert!(valid(string.clone(), json!(null)));
        assert!(valid(string.clone(), json!("ab")));
        assert!(!valid(string.clone(), json!("a")));
        assert!(!valid(string, json!(3)));
        assert!(!valid(json!({"type": "string"}), json!(null)));
        let choice = json!({"type": "string", "enum": ["a"], "nullable": true});
        assert!(valid(choice.clone(), json!(null)));
        assert!(!valid(choice, json!("b")));
        // Through a component, and around a reference (which draft 4 lets no sibling keyword change).
        assert!(valid(
            json!({"$ref": "#/components/schemas/Name"}),
            json!(null)
        ));
        let around = json!({"allOf": [{"$ref": "#/components/schemas/Plain"}], "nullable": true});
        assert!(valid(around.clone(), json!(null)));
        assert!(valid(around.clone(), json!("x")));
        assert!(!valid(around, json!(1)));
        let object = json!({"type": "object", "properties": {
            "nickname": {"type": "string", "nullable": true},
            "nullable": {"type": "boolean"},
        }});
        assert!(valid(
            object.clone(),
            json!({"nickname": null, "nullable": true})
        ));
        assert!(!valid(object, json!({"nullable": null})));
    }
}
