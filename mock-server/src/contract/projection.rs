//! What an answer shows of a stored value: the properties its schema declares (all of them where the schema
//! allows additional ones or declares none), recursively, and the items of arrays. Stored entities carry
//! fields the answer must not show (their parent's id, comments in the demo data); the schema decides.
//! Compiled once per documented response, so an answer pays no `$ref` lookups and no hashing of schema
//! property names.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::schema::{composed, resolve_in};

/// A response schema compiled for projection: a graph of nodes (schemas may refer to themselves).
#[derive(Debug)]
pub(crate) struct Projection {
    nodes: Vec<Node>,
}

#[derive(Debug, Default)]
struct Node {
    /// The declared properties by name, sorted (the first declaration of a name wins); `None`: a free-form
    /// object, which keeps everything but comment fields.
    properties: Option<Vec<(String, usize)>>,
    /// Whether undeclared properties are kept (comment fields never are).
    open: bool,
    /// The node of an array's items.
    items: Option<usize>,
}

impl Projection {
    /// Compiles `schema`, its `$ref`s resolved in `components`.
    pub(crate) fn compile(components: &Value, schema: &Value) -> Projection {
        let mut projection = Projection { nodes: Vec::new() };
        projection.node(components, schema, &mut HashMap::new());
        projection
    }

    /// Keeps only what the schema declares, in place: most answers keep most of their fields, so nothing
    /// is rebuilt.
    pub(crate) fn apply(&self, value: &mut Value) {
        self.apply_at(0, value);
    }

    fn apply_at(&self, index: usize, value: &mut Value) {
        let node = &self.nodes[index];
        match value {
            Value::Object(map) => match &node.properties {
                None => map.retain(|key, _| !key.starts_with('_')),
                Some(properties) => map.retain(|key, v| {
                    match properties.binary_search_by(|(name, _)| name.as_str().cmp(key)) {
                        Ok(found) => {
                            self.apply_at(properties[found].1, v);
                            true
                        }
                        Err(_) => node.open && !key.starts_with('_'),
                    }
                }),
            },
            Value::Array(items) => {
                if let Some(item) = node.items {
                    items.iter_mut().for_each(|v| self.apply_at(item, v));
                }
            }
            _ => {}
        }
    }

    /// The node of `schema`, compiled once however often (or recursively) it is referred to.
    fn node(
        &mut self,
        components: &Value,
        schema: &Value,
        compiled: &mut HashMap<*const Value, usize>,
    ) -> usize {
        let schema = resolve_in(components, schema);
        if let Some(&index) = compiled.get(&std::ptr::from_ref(schema)) {
            return index;
        }
        let index = self.nodes.len();
        self.nodes.push(Node::default());
        compiled.insert(std::ptr::from_ref(schema), index);
        let mut declared: Vec<&Map<String, Value>> = Vec::new();
        collect_properties(components, schema, &mut declared);
        let properties = if declared.is_empty() && !has_composition(schema) {
            None
        } else {
            let mut properties: Vec<(String, usize)> = Vec::new();
            for map in declared {
                for (name, property) in map {
                    if !properties.iter().any(|(n, _)| n == name) {
                        let node = self.node(components, property, compiled);
                        properties.push((name.clone(), node));
                    }
                }
            }
            properties.sort_by(|a, b| a.0.cmp(&b.0));
            Some(properties)
        };
        let open = schema
            .get("additionalProperties")
            .is_some_and(|a| a != &Value::Bool(false));
        let items = schema
            .get("items")
            .map(|items| self.node(components, items, compiled));
        self.nodes[index] = Node {
            properties,
            open,
            items,
        };
        index
    }
}

fn has_composition(schema: &Value) -> bool {
    ["allOf", "oneOf", "anyOf"]
        .iter()
        .any(|k| schema.get(k).is_some())
}

/// The property maps of a schema and of its `allOf`/`oneOf`/`anyOf` parts, by reference.
fn collect_properties<'v>(
    components: &'v Value,
    schema: &'v Value,
    into: &mut Vec<&'v Map<String, Value>>,
) {
    let schema = resolve_in(components, schema);
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        into.push(properties);
    }
    for part in composed(schema) {
        collect_properties(components, part, into);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn project(components: &Value, schema: &Value, mut value: Value) -> Value {
        Projection::compile(components, schema).apply(&mut value);
        value
    }

    #[test]
    fn projection_keeps_what_the_schema_declares() {
        let components = json!({"schemas": {
            "Card": {"type": "object", "properties": {"id": {"type": "string"}, "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}}}},
            "Tag": {"type": "object", "properties": {"name": {"type": "string"}}},
            "Open": {"type": "object", "properties": {"a": {}}, "additionalProperties": true}
        }});
        let card = json!({"$ref": "#/components/schemas/Card"});
        let value =
            json!({"id": "1", "owner": "x", "_why": "c", "tags": [{"name": "n", "secret": 1}]});
        assert_eq!(
            project(&components, &card, value),
            json!({"id": "1", "tags": [{"name": "n"}]})
        );
        let open = json!({"$ref": "#/components/schemas/Open"});
        let value = json!({"a": 1, "b": 2, "_c": 3});
        assert_eq!(project(&components, &open, value), json!({"a": 1, "b": 2}));
    }

    #[test]
    fn recursive_and_composed_schemas_compile_once_and_project_every_level() {
        let components = json!({"schemas": {
            "Node": {"type": "object", "properties": {
                "name": {"type": "string"},
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}
            }},
            "Named": {"allOf": [
                {"$ref": "#/components/schemas/Base"},
                {"type": "object", "properties": {"label": {"type": "string"}}}
            ]},
            "Base": {"type": "object", "properties": {"id": {"type": "string"}}}
        }});
        let node = json!({"$ref": "#/components/schemas/Node"});
        let tree = json!({"name": "a", "x": 1, "children": [{"name": "b", "y": 2, "children": [{"name": "c", "z": 3}]}]});
        assert_eq!(
            project(&components, &node, tree),
            json!({"name": "a", "children": [{"name": "b", "children": [{"name": "c"}]}]})
        );
        let named = json!({"$ref": "#/components/schemas/Named"});
        let value = json!({"id": "1", "label": "l", "secret": true, "_why": "c"});
        assert_eq!(
            project(&components, &named, value),
            json!({"id": "1", "label": "l"})
        );
        // A free-form object keeps everything but comment fields.
        let free = json!({"type": "object"});
        assert_eq!(
            project(&components, &free, json!({"a": 1, "_b": 2})),
            json!({"a": 1})
        );
    }
}
