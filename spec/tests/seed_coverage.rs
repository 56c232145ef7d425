//! Every status code, error code and error message printed in the five source pages (spec/vendors/*/seeds,
//! copies of shared/seeds) appears in the normalized document: as a response of the operation the page describes, or as
//! a string in it (descriptions and examples).

use std::collections::BTreeSet;

use regex::Regex;
use serde_json::Value;

/// Every seed page of every vendor folder.
fn seed_files() -> Vec<std::path::PathBuf> {
    let vendors = concord_spec::SpecDir::checked_out().vendors();
    std::fs::read_dir(vendors)
        .unwrap()
        .map(|e| e.unwrap().path().join("seeds"))
        .filter(|seeds| seeds.is_dir())
        .flat_map(|seeds| std::fs::read_dir(seeds).unwrap().map(|e| e.unwrap().path()))
        .collect()
}

fn seed(name_prefix: &str) -> String {
    let path = seed_files()
        .into_iter()
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(name_prefix)
        })
        .unwrap_or_else(|| panic!("no seed {name_prefix}*"));
    std::fs::read_to_string(path).unwrap()
}

fn document() -> Value {
    serde_yaml_ng::from_str(concord_spec::OPENAPI_YAML).unwrap()
}

fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            out.push(k.clone());
            strings(v, out);
        }),
        _ => {}
    }
}

fn assert_in_document(what: &str, expected: &BTreeSet<String>) {
    assert!(
        !expected.is_empty(),
        "nothing extracted for {what}: the extraction is broken"
    );
    let mut all = Vec::new();
    strings(&document(), &mut all);
    let missing: Vec<_> = expected
        .iter()
        .filter(|e| !all.iter().any(|s| s.contains(e.as_str())))
        .collect();
    assert!(
        missing.is_empty(),
        "{what}: not in the document: {missing:#?}"
    );
}

/// Statuses of the operations whose x-source.seed is `seed`, including x-omitted-responses.
fn statuses_of(seed: &str) -> BTreeSet<String> {
    let doc = document();
    let mut found = BTreeSet::new();
    for item in doc["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            if op["x-source"]["seed"] == seed {
                for key in ["responses", "x-omitted-responses"] {
                    if let Some(map) = op[key].as_object() {
                        found.extend(map.keys().cloned());
                    }
                }
            }
        }
    }
    found
}

fn assert_statuses(seed_prefix: &str, expected: BTreeSet<String>) {
    let file = seed_files()
        .into_iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .find(|n| n.starts_with(seed_prefix))
        .unwrap();
    assert!(!expected.is_empty(), "no statuses extracted from {file}");
    let documented = statuses_of(&file);
    let missing: Vec<_> = expected.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "{file}: statuses missing from its operations: {missing:?}"
    );
}

/// Magicline pages: each response's message is the line before "Response Body application/json".
fn magicline_messages(text: &str) -> BTreeSet<String> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines
        .windows(2)
        .filter(|w| w[1] == "Response Body application/json" && w[0] != "OK")
        .map(|w| w[0].to_owned())
        .collect()
}

#[test]
fn magicline_pages_messages_are_documented() {
    for prefix in ["000_", "001_"] {
        let messages = magicline_messages(&seed(prefix));
        assert_eq!(
            messages.len(),
            7,
            "seven error messages per Magicline page: {messages:?}"
        );
        assert_in_document("Magicline messages", &messages);
        // The page lists the statuses by position, in this order (VENDORS.md).
        let statuses = ["400", "401", "403", "404", "409", "429", "500"]
            .map(String::from)
            .into();
        assert_statuses(prefix, statuses);
    }
}

#[test]
fn paysafe_page_statuses_codes_messages_and_example_names_are_documented() {
    let text = seed("002_");
    let statuses = Regex::new(r"(?m)^- (\d{3})$").unwrap();
    assert_statuses(
        "002_",
        statuses
            .captures_iter(&text)
            .map(|c| c[1].to_owned())
            .collect(),
    );
    let field = Regex::new(r#""(code|message)": "([^"]+)""#).unwrap();
    let values: BTreeSet<String> = field
        .captures_iter(&text)
        .map(|c| c[2].to_owned())
        .filter(|v| v != "string")
        .collect();
    assert!(values.contains("5279") && values.contains("DW-SERVICE-UNAVAILABLE"));
    assert_in_document("Paysafe codes and messages", &values);
    let details = Regex::new(r#"(?m)^"details": \[\n"([^"]+)""#).unwrap();
    let details: BTreeSet<String> = details
        .captures_iter(&text)
        .map(|c| c[1].to_owned())
        .filter(|v| v != "string")
        .collect();
    assert_in_document("Paysafe details", &details);
    let names = Regex::new(r"(?m)^- ([A-Z][A-Z_]+)$").unwrap();
    let names: BTreeSet<String> = names
        .captures_iter(&text)
        .map(|c| c[1].to_owned())
        .collect();
    assert!(names.contains("ALREADY_ASSIGNED_CARD"), "{names:?}");
    assert_in_document("Paysafe example names", &names);
}

#[test]
fn es_loyalty_page_statuses_codes_messages_and_headers_are_documented() {
    let text = seed("003_");
    let row = Regex::new(r"(?m)^\| (\d{3}) [A-Za-z ]+ \| ([^|]+) \| ([A-Z_]+) \|").unwrap();
    let mut statuses = BTreeSet::new();
    let mut strings = BTreeSet::new();
    for c in row.captures_iter(&text) {
        statuses.insert(c[1].to_owned());
        strings.insert(c[2].trim().to_owned());
        strings.insert(c[3].to_owned());
    }
    assert_eq!(
        strings.len(),
        9,
        "seven messages and two codes: {strings:?}"
    );
    let listed = Regex::new(r"(?m)^- (\d{3})$").unwrap();
    statuses.extend(listed.captures_iter(&text).map(|c| c[1].to_owned()));
    assert_statuses("003_", statuses);
    assert_in_document("ES messages and codes", &strings);
    let headers = Regex::new(r"(MCK[-_][A-Z]+|x-amzn-RequestId)").unwrap();
    let headers: BTreeSet<String> = headers
        .captures_iter(&text)
        .map(|c| c[1].to_owned())
        .collect();
    assert_eq!(headers.len(), 5, "{headers:?}");
    assert_in_document("ES trace headers", &headers);
}

#[test]
fn masstack_page_statuses_and_descriptions_are_documented() {
    let text = seed("004_");
    // Rows: `<code> <HTTP reason phrase> <description> <schema>`.
    let row = Regex::new(
        r"(?m)^(\d{3}) (?:Created|OK|No Content|Bad Request|Unauthorized|Forbidden|Not Found|Method Not Allowed|Conflict|Internal Server Error|Service Unavailable|Gateway Time-out) (.+) (\w+)$",
    )
    .unwrap();
    let mut statuses = BTreeSet::new();
    let mut descriptions = BTreeSet::new();
    for c in row.captures_iter(&text) {
        statuses.insert(c[1].to_owned());
        descriptions.insert(c[2].to_owned());
    }
    assert_eq!(statuses.len(), 12, "{statuses:?}");
    assert_statuses("004_", statuses);
    assert_in_document("MasStack descriptions", &descriptions);
}
