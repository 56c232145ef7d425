//! Several documents served as one (`--spec a.yaml --spec b.yaml`): each document becomes its own vendor
//! (its tags, or one named after its title), component names two documents share get the document's
//! prefix (every `$ref` and security requirement follows), and a path two documents define is an error
//! naming both files.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::load_error::LoadError;

/// One document and where it came from.
pub(super) struct Loaded {
    /// The file, for errors.
    pub(super) file: String,
    /// The document.
    pub(super) document: Value,
}

/// The documents as one.
pub(super) fn merge(mut loaded: Vec<Loaded>) -> Result<Value, LoadError> {
    if loaded.len() == 1 {
        return Ok(loaded.remove(0).document);
    }
    let shared = shared_components(&loaded);
    let mut titles = Vec::new();
    let mut merged = json!({"openapi": "3.0.3", "tags": [], "paths": {}, "components": {}});
    let mut owners: BTreeMap<String, String> = BTreeMap::new();
    for l in loaded {
        let title = l.document["info"]["title"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| l.file.clone());
        let prefix = pascal_case(&title);
        let renamed = |kind: &str, name: &str| {
            if shared.contains(&(kind.to_owned(), name.to_owned())) {
                format!("{prefix}{name}")
            } else {
                name.to_owned()
            }
        };
        let mut document = l.document;
        rename_refs(&mut document, &renamed);
        for path in document["paths"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(p, _)| p)
        {
            if let Some(other) = owners.insert(path.clone(), l.file.clone()) {
                return Err(LoadError::SamePath {
                    path: path.clone(),
                    first: other,
                    second: l.file,
                });
            }
        }
        let tags = one_api(&mut document, &title, &renamed);
        if let Some(all) = merged["tags"].as_array_mut() {
            all.extend(tags);
        }
        for (path, item) in document["paths"].as_object().into_iter().flatten() {
            merged["paths"][path] = item.clone();
        }
        for (kind, names) in document["components"].as_object().into_iter().flatten() {
            for (name, value) in names.as_object().into_iter().flatten() {
                merged["components"][kind][renamed(kind, name)] = value.clone();
            }
        }
        titles.push(title);
    }
    merged["info"] = json!({"title": titles.join(" + "), "version": "merged"});
    Ok(merged)
}

/// Component names (per kind) that more than one document defines.
fn shared_components(loaded: &[Loaded]) -> BTreeSet<(String, String)> {
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    for l in loaded {
        for (kind, names) in l.document["components"].as_object().into_iter().flatten() {
            for name in names.as_object().into_iter().flatten().map(|(n, _)| n) {
                *seen.entry((kind.clone(), name.clone())).or_default() += 1;
            }
        }
    }
    seen.into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(k, _)| k)
        .collect()
}

/// `Plain Stores API` → `PlainStoresApi`: the prefix of a document's shared component names.
fn pascal_case(title: &str) -> String {
    title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or(String::new(), |f| {
                f.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// Makes the document one API named `title`: its default security copied into each operation (renamed),
/// an untagged operation tagged with the title, and every tag of it marked as that API. Its tags.
fn one_api(
    document: &mut Value,
    title: &str,
    renamed: &dyn Fn(&str, &str) -> String,
) -> Vec<Value> {
    let default_security = document.get("security").cloned();
    let mut tags: Vec<Value> = document["tags"].as_array().cloned().unwrap_or_default();
    let mut untagged = false;
    for item in document["paths"]
        .as_object_mut()
        .into_iter()
        .flatten()
        .map(|(_, i)| i)
    {
        for (method, op) in item.as_object_mut().into_iter().flatten() {
            if method == "parameters" || !op.is_object() {
                continue;
            }
            if op.get("security").is_none()
                && let Some(security) = &default_security
            {
                op["security"] = security.clone();
            }
            if let Some(requirements) = op.get_mut("security").and_then(Value::as_array_mut) {
                for requirement in requirements {
                    rename_keys(requirement, |name| renamed("securitySchemes", name));
                }
            }
            if op["tags"].as_array().is_none_or(Vec::is_empty) {
                op["tags"] = json!([title]);
                untagged = true;
            }
        }
    }
    if untagged {
        tags.push(json!({"name": title}));
    }
    // Each document is one API (`--upstream <its title in kebab case>=URL`), whatever its tags.
    for tag in &mut tags {
        if tag.get("x-concord-id").is_none() {
            tag["x-concord-api"] = json!(crate::vendor::kebab(title));
        }
    }
    tags
}

/// Rewrites every `#/components/<kind>/<name>` reference through `renamed`.
fn rename_refs(value: &mut Value, renamed: &dyn Fn(&str, &str) -> String) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get_mut("$ref")
                && let Some((kind, name)) = reference
                    .strip_prefix("#/components/")
                    .and_then(|r| r.split_once('/'))
            {
                *reference = format!("#/components/{kind}/{}", renamed(kind, name));
            }
            map.values_mut().for_each(|v| rename_refs(v, renamed));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rename_refs(v, renamed)),
        _ => {}
    }
}

fn rename_keys(value: &mut Value, renamed: impl Fn(&str) -> String) {
    if let Value::Object(map) = value {
        let old = std::mem::take(map);
        *map = old
            .into_iter()
            .map(|(k, v)| (renamed(&k), v))
            .collect::<Map<String, Value>>();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(title: &str, path: &str) -> Value {
        json!({
            "openapi": "3.0.3",
            "info": {"title": title},
            "security": [{"key": []}],
            "paths": {path: {"get": {"operationId": format!("get_{title}"), "responses": {"200": {
                "description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}}}},
            "components": {
                "schemas": {"Thing": {"type": "object"}, "Own": {"type": "string"}},
                "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}}
            }
        })
    }

    #[test]
    fn shared_names_get_the_document_prefix_and_a_shared_path_is_refused() {
        let mut two = doc("two", "/b");
        two["components"]["schemas"]
            .as_object_mut()
            .unwrap()
            .remove("Own");
        let merged = merge(vec![
            Loaded {
                file: "a.yaml".into(),
                document: doc("shop one", "/a"),
            },
            Loaded {
                file: "b.yaml".into(),
                document: two,
            },
        ])
        .unwrap();
        let schemas = merged["components"]["schemas"].as_object().unwrap();
        assert!(schemas.contains_key("ShopOneThing") && schemas.contains_key("TwoThing"));
        assert!(
            schemas.contains_key("Own"),
            "a name only one document has is kept"
        );
        assert_eq!(
            merged["paths"]["/b"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
                ["$ref"],
            "#/components/schemas/TwoThing"
        );
        assert_eq!(
            merged["paths"]["/a"]["get"]["security"],
            json!([{"ShopOnekey": []}])
        );
        assert_eq!(merged["paths"]["/a"]["get"]["tags"], json!(["shop one"]));
        let clash = merge(vec![
            Loaded {
                file: "a.yaml".into(),
                document: doc("one", "/same"),
            },
            Loaded {
                file: "b.yaml".into(),
                document: doc("two", "/same"),
            },
        ])
        .unwrap_err();
        assert_eq!(clash.to_string(), "path /same is in both a.yaml and b.yaml");
    }
}
