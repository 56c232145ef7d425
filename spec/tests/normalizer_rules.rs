//! The normalizer's rules, each shown to hold on the real output and to reject a source that breaks it.

use concord_spec::{SpecDir, SpecError, load_sources, normalize};
use serde_json::Value;

fn header() -> Value {
    serde_yaml_ng::from_str(&std::fs::read_to_string(SpecDir::checked_out().header()).unwrap())
        .unwrap()
}

fn document() -> Value {
    serde_yaml_ng::from_str(concord_spec::OPENAPI_YAML).unwrap()
}

fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                ops.push((method.clone(), path.clone(), op.clone()));
            }
        }
    }
    ops
}

#[test]
fn every_component_is_prefixed_by_its_source_and_every_ref_resolves() {
    let doc = document();
    let prefixes = ["Magicline", "Paysafe", "EsLoyalty", "Masstack"];
    for (kind, entries) in doc["components"].as_object().unwrap() {
        for name in entries.as_object().unwrap().keys() {
            assert!(
                prefixes.iter().any(|p| name.starts_with(p)),
                "{kind}/{name}"
            );
        }
    }
    let text = concord_spec::OPENAPI_YAML;
    let refs = regex::Regex::new(r"\$ref: '#/components/(\w+)/(\w+)'").unwrap();
    let mut count = 0;
    for cap in refs.captures_iter(text) {
        count += 1;
        assert!(
            doc["components"][&cap[1]][&cap[2]].is_object(),
            "dangling {}/{}",
            &cap[1],
            &cap[2]
        );
    }
    assert!(count > 50, "expected many references, found {count}");
}

#[test]
fn every_operation_has_a_tag_a_unique_verb_object_id_servers_and_provenance() {
    let doc = document();
    let ops = operations(&doc);
    assert_eq!(ops.len(), 12, "the spec has twelve operations");
    let mut ids = std::collections::BTreeSet::new();
    for (method, path, op) in &ops {
        let id = op["operationId"].as_str().unwrap();
        assert!(ids.insert(id.to_owned()), "duplicate {id}");
        let api = ["magicline_", "paysafe_", "es_loyalty_", "masstack_"]
            .iter()
            .find(|p| id.starts_with(**p))
            .unwrap_or_else(|| panic!("{id} has no API prefix"));
        let verb = id[api.len()..].split('_').next().unwrap();
        assert!(concord_spec::OPERATION_VERBS.contains(&verb), "{id}");
        assert_eq!(op["tags"].as_array().unwrap().len(), 1, "{method} {path}");
        assert!(op["x-source"]["vendor"].is_string() && op["x-source"]["pageUrl"].is_string());
        let servers = &doc["paths"][path]["servers"];
        assert!(
            servers[0]["url"].as_str().unwrap().starts_with("https://"),
            "{path}"
        );
    }
    assert_eq!(doc["servers"][0]["url"], "http://localhost:4010");
}

#[test]
fn deprecated_flags_of_the_pages_survive() {
    let doc = document();
    let deprecated: Vec<String> = operations(&doc)
        .into_iter()
        .filter(|(_, _, op)| op["deprecated"] == true)
        .map(|(_, _, op)| op["operationId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        deprecated,
        ["magicline_get_access_code", "magicline_add_access_medium"]
    );
}

#[test]
fn a_body_less_error_is_moved_to_x_omitted_responses_with_its_reason() {
    let doc = document();
    let delete = &doc["paths"]["/v4/orgs/{org_id}/customers/{customer_id}/credentials/{credential_id}"]
        ["delete"];
    assert!(delete["responses"].get("405").is_none());
    assert_eq!(
        delete["x-omitted-responses"]["405"]["description"],
        "Method not allowed"
    );
    assert!(
        delete["x-omitted-responses"]["405"]["reason"]
            .as_str()
            .unwrap()
            .contains("progenitor")
    );
}

fn normalize_with(file: &str, from: &str, to: &str) -> Result<Value, SpecError> {
    let mut sources = load_sources(&SpecDir::checked_out().vendors()).unwrap();
    let source = sources.iter_mut().find(|s| s.file_name == file).unwrap();
    let text = serde_yaml_ng::to_string(&source.doc).unwrap();
    assert!(text.contains(from), "{from:?} not in {file}");
    *source = concord_spec::Source::parse(file, &text.replacen(from, to, 1)).unwrap();
    normalize(&header(), &sources)
}

#[test]
fn an_error_response_with_another_schema_is_rejected() {
    let err = normalize_with(
        "paysafe/openapi.yaml",
        "$ref: '#/components/schemas/Error'",
        "$ref: '#/components/schemas/FieldError'",
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("must use the error schema"),
        "{err}"
    );
}

#[test]
fn an_operation_id_outside_the_verb_object_scheme_is_rejected() {
    let err = normalize_with(
        "magicline/openapi.yaml",
        "operationId: getAccessCode",
        "operationId: accessCodeGet",
    )
    .unwrap_err();
    assert!(err.to_string().contains("verbObject"), "{err}");
}

#[test]
fn a_path_defined_by_two_sources_is_rejected() {
    let err = normalize_with(
        "masstack/openapi.yaml",
        "/v4/orgs/{org_id}/customers/{customer_id}/credentials:",
        "/v1/customers/{customerId}/access-code:",
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("already defined by another source (magicline/openapi.yaml)"),
        "{err}"
    );
}

#[test]
fn an_external_reference_is_rejected() {
    let err = normalize_with(
        "magicline/openapi.yaml",
        "$ref: '#/components/schemas/AccessCodeFormat'",
        "$ref: 'other.yaml#/Format'",
    )
    .unwrap_err();
    assert!(err.to_string().contains("only local"), "{err}");
}

/// A comma inside a YAML flow mapping (`{a: x, y}`) silently splits a value into a bogus key with a null
/// value; no key of the document has a space and no value is null, so such a slip cannot hide.
#[test]
fn no_key_has_a_space_and_no_value_is_null() {
    fn walk(value: &Value, at: &str, found: &mut Vec<String>) {
        match value {
            Value::Null => found.push(format!("{at}: null")),
            Value::Object(map) => {
                for (key, child) in map {
                    if key.contains(' ') {
                        found.push(format!("{at}/{key}: key with a space"));
                    }
                    walk(child, &format!("{at}/{key}"), found);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    walk(child, &format!("{at}/{i}"), found);
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    walk(&document(), "", &mut found);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn links_name_normalized_operation_ids_and_unknown_targets_are_rejected() {
    let doc = document();
    let mut links = 0;
    let ids: Vec<String> = operations(&doc)
        .iter()
        .map(|(_, _, op)| op["operationId"].as_str().unwrap().to_owned())
        .collect();
    for (_, _, op) in operations(&doc) {
        for response in op["responses"].as_object().unwrap().values() {
            for link in response["links"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(_, l)| l)
            {
                links += 1;
                let target = link["operationId"].as_str().unwrap();
                assert!(ids.iter().any(|id| id == target), "link to {target}");
            }
        }
    }
    assert_eq!(links, 7);
    let err = normalize_with(
        "paysafe/openapi.yaml",
        "operationId: assignBulkCard\n",
        "operationId: assignCard\n",
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("names unknown operationId"),
        "{err}"
    );
}
