//! `application/x-www-form-urlencoded` (and `multipart/form-data`) request bodies as JSON, the way the vendors that use them nest
//! values (Stripe, Rails): `metadata[plan]=gold` is an object, `tags[]=a&tags[]=b` and `items[0][id]=7` are
//! arrays, a repeated key is a list. Values are text on the wire, so each becomes the type the body's schema
//! declares where it parses as one (otherwise it stays text and validation names the field).

use serde_json::{Map, Value};

use super::schema::{properties, resolve_in};

/// The body as JSON, typed after `schema`.
pub(crate) fn decode(bytes: &[u8], schema: &Value, components: &Value) -> Value {
    let pairs = form_urlencoded::parse(bytes).map(|(k, v)| (k.into_owned(), v.into_owned()));
    from_pairs(pairs, schema, components)
}

/// Name/value pairs (a form's, a multipart body's parts) as JSON, nested by their names and typed after
/// `schema`.
pub(crate) fn from_pairs(
    pairs: impl IntoIterator<Item = (String, String)>,
    schema: &Value,
    components: &Value,
) -> Value {
    let mut root = Value::Object(Map::new());
    for (key, value) in pairs {
        let path = key_path(&key);
        insert(&mut root, &path, Value::String(value), 0);
    }
    coerce(root, schema, components, 0)
}

/// `items[0][id]` → `["items", "0", "id"]`; `tags[]` → `["tags", ""]`.
fn key_path(key: &str) -> Vec<String> {
    let (head, mut rest) = match key.find('[') {
        Some(i) if key.ends_with(']') => (&key[..i], &key[i..]),
        _ => return vec![key.to_owned()],
    };
    let mut path = vec![head.to_owned()];
    while let Some(inner) = rest.strip_prefix('[') {
        let Some(end) = inner.find(']') else { break };
        path.push(inner[..end].to_owned());
        rest = &inner[end + 1..];
    }
    path
}

fn insert(node: &mut Value, path: &[String], value: Value, depth: usize) {
    let Some((key, rest)) = path.split_first() else {
        return;
    };
    // An empty name at the top is a field named ""; below it, `[]` appends.
    if key.is_empty() && depth > 0 {
        // `tags[]`: append.
        if !node.is_array() {
            *node = Value::Array(Vec::new());
        }
        if let Value::Array(items) = node {
            if rest.is_empty() {
                items.push(value);
            } else {
                let mut child = Value::Object(Map::new());
                insert(&mut child, rest, value, depth + 1);
                items.push(child);
            }
        }
        return;
    }
    if !node.is_object() {
        *node = Value::Object(Map::new());
    }
    let Value::Object(map) = node else { return };
    if rest.is_empty() {
        match map.get_mut(key) {
            // A repeated key is a list.
            Some(Value::Array(items)) => items.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
            }
            None => {
                map.insert(key.clone(), value);
            }
        }
    } else {
        let child = map.entry(key.clone()).or_insert(Value::Null);
        insert(child, rest, value, depth + 1);
    }
}

fn coerce(value: Value, schema: &Value, components: &Value, depth: usize) -> Value {
    let schema = resolve_in(components, schema);
    if depth > 16 {
        return value;
    }
    match (schema["type"].as_str(), value) {
        (Some("array"), Value::Object(map))
            if map.keys().all(|k| k.chars().all(|c| c.is_ascii_digit())) =>
        {
            let mut indexed: Vec<(u64, Value)> = map
                .into_iter()
                .map(|(k, v)| (k.parse().unwrap_or(u64::MAX), v))
                .collect();
            indexed.sort_by_key(|(i, _)| *i);
            let items = indexed
                .into_iter()
                .map(|(_, v)| coerce(v, &schema["items"], components, depth + 1))
                .collect();
            Value::Array(items)
        }
        (Some("array"), Value::Array(items)) => Value::Array(
            items
                .into_iter()
                .map(|v| coerce(v, &schema["items"], components, depth + 1))
                .collect(),
        ),
        (Some("array"), scalar @ Value::String(_)) => Value::Array(vec![coerce(
            scalar,
            &schema["items"],
            components,
            depth + 1,
        )]),
        (_, Value::Object(map)) => {
            let declared = properties(components, schema);
            let extra = schema.get("additionalProperties").filter(|a| a.is_object());
            Value::Object(
                map.into_iter()
                    .map(|(k, v)| {
                        let child = declared
                            .iter()
                            .find(|(n, _)| *n == k)
                            .map(|(_, s)| *s)
                            .or(extra);
                        let v = match child {
                            Some(child) => coerce(v, child, components, depth + 1),
                            None => v,
                        };
                        (k, v)
                    })
                    .collect(),
            )
        }
        (Some("integer"), Value::String(s)) => s
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or(Value::String(s)),
        (Some("number"), Value::String(s)) => s
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or(Value::String(s)),
        (Some("boolean"), Value::String(s)) => match s.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(s),
        },
        (_, other) => other,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn nested_keys_become_objects_and_arrays_typed_by_the_schema() {
        let schema = json!({"type": "object", "properties": {
            "amount": {"type": "integer"},
            "live": {"type": "boolean"},
            "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
            "tags": {"type": "array", "items": {"type": "string"}},
            "items": {"type": "array", "items": {"type": "object", "properties": {"qty": {"type": "integer"}}}},
            "codes": {"type": "array", "items": {"type": "integer"}}
        }});
        let body = b"amount=100&live=true&metadata[plan]=gold&tags[]=a&tags[]=b\
            &items[1][qty]=2&items[0][qty]=1&codes=7&codes=8&note=hi%20there";
        assert_eq!(
            decode(body, &schema, &json!({})),
            json!({"amount": 100, "live": true, "metadata": {"plan": "gold"}, "tags": ["a", "b"],
                   "items": [{"qty": 1}, {"qty": 2}], "codes": [7, 8], "note": "hi there"})
        );
        // An empty name is a field like any other.
        assert_eq!(
            decode(b"=x&amount=1", &schema, &json!({})),
            json!({"": "x", "amount": 1})
        );
        // Text that is not of the declared type stays text, for validation to name.
        assert_eq!(
            decode(b"amount=lots", &schema, &json!({})),
            json!({"amount": "lots"})
        );
    }
}
