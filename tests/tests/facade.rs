//! The SDK's facade agrees with the contract: one `Api` per tag, one group method per operation
//! (`sdk/src/generated_calls.rs`), `#[deprecated]` exactly where the spec says so, and default base URLs
//! taken from the spec's servers.

use std::collections::BTreeMap;

use concord_sdk::Api;
use concord_spec::{OPENAPI_YAML, SpecDir};
use serde_json::Value;

fn document() -> Value {
    serde_yaml_ng::from_str(OPENAPI_YAML).unwrap()
}

/// operationId → whether its facade method carries `#[deprecated]`, read from sdk/src/generated_calls.rs.
fn facade_methods() -> BTreeMap<String, bool> {
    let method = regex::Regex::new(
        r#"(?s)((?:\s*#\[[^\]]*\]\s*)*)pub fn \w+(?:<[^>]*>)?\([^)]*\)[^{]*\{\s*requests::\w+ \{\s*concord_call: Call::new\(\s*self\.client,\s*Api::\w+,\s*"(\w+)",?\s*\)"#,
    )
    .unwrap();
    let path = SpecDir::checked_out()
        .workspace()
        .join("sdk/src/generated_calls.rs");
    let mut found = BTreeMap::new();
    {
        let text = std::fs::read_to_string(path).unwrap();
        for cap in method.captures_iter(&text) {
            let deprecated = cap[1].contains("#[deprecated");
            assert!(
                found.insert(cap[2].to_owned(), deprecated).is_none(),
                "two methods for {}",
                &cap[2]
            );
        }
    }
    found
}

#[test]
fn every_operation_has_one_facade_method_deprecated_exactly_where_the_spec_says() {
    let doc = document();
    let mut expected = BTreeMap::new();
    for item in doc["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                expected.insert(id.to_owned(), op["deprecated"] == true);
            }
        }
    }
    assert!(!expected.is_empty(), "no operation read from the document");
    assert_eq!(facade_methods(), expected);
}

#[test]
fn there_is_one_api_per_tag_of_the_document() {
    let doc = document();
    let tags: Vec<&str> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    let names: Vec<&str> = Api::ALL.iter().map(|api| api.name()).collect();
    assert_eq!(names, tags);
}

#[test]
fn each_apis_servers_are_those_of_its_paths_with_their_variables() {
    let doc = document();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let op = item
            .as_object()
            .unwrap()
            .values()
            .find(|v| v.get("operationId").is_some())
            .unwrap();
        let tag = op["tags"][0].as_str().unwrap();
        let api = Api::ALL
            .into_iter()
            .find(|api| api.name() == tag)
            .unwrap_or_else(|| panic!("no Api for tag {tag}"));
        let documented: Vec<(&str, Vec<&str>)> = item["servers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let mut variables: Vec<&str> = s["variables"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, _)| name.as_str())
                    .collect();
                let url = s["url"].as_str().unwrap();
                variables.sort_by_key(|v| url.find(&format!("{{{v}}}")));
                (url, variables)
            })
            .collect();
        let generated: Vec<(&str, Vec<&str>)> = api
            .servers()
            .iter()
            .map(|s| (s.url(), s.variables().to_vec()))
            .collect();
        assert_eq!(generated, documented, "{path}");
    }
}

#[test]
fn no_api_goes_anywhere_unless_told_and_tenant_hosts_need_their_tenant() {
    let err = concord_sdk::Client::builder().build().unwrap_err();
    assert!(err.to_string().contains("no server is chosen"), "{err}");
    for api in Api::ALL {
        for server in api.servers() {
            let err = concord_sdk::Client::builder()
                .api_server(api, server.name(), &[])
                .build();
            match server.variables() {
                [] => assert_eq!(
                    err.unwrap().base_url(api),
                    Some(server.url()),
                    "{api} {}",
                    server.name()
                ),
                variables => {
                    let err = err.unwrap_err().to_string();
                    assert!(err.contains(variables[0]), "{err}");
                }
            }
        }
    }
}
