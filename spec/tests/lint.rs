//! The project's lint passes on the document and catches each rule it enforces when that rule is broken.

use concord_spec::{OPENAPI_YAML, lint, parse};
use serde_json::{Value, json};

/// Lints the document after `edit` changed its parsed form.
fn violations_after(edit: impl FnOnce(&mut Value)) -> Vec<String> {
    let mut doc: Value = serde_yaml_ng::from_str(OPENAPI_YAML).unwrap();
    edit(&mut doc);
    let broken: openapiv3::OpenAPI =
        serde_json::from_value(doc).expect("still an OpenAPI document");
    lint(&broken).iter().map(ToString::to_string).collect()
}

fn assert_caught(expected: &str, edit: impl FnOnce(&mut Value)) {
    let found = violations_after(edit);
    assert!(
        found.iter().any(|v| v.contains(expected)),
        "expected a violation containing {expected:?}, found {found:#?}"
    );
}

fn at<'a>(doc: &'a mut Value, pointer: &str) -> &'a mut Value {
    doc.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("{pointer} not in the document"))
}

const ASSIGN: &str = "/paths/~1customers~1{customerId}~1prepaid~1cards~1{cardId}~1assignments/post";
const CREATE_CREDENTIAL: &str =
    "/paths/~1v4~1orgs~1{org_id}~1customers~1{customer_id}~1credentials/post";

#[test]
fn the_document_is_clean() {
    let found = lint(&parse(OPENAPI_YAML).unwrap());
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn a_schema_without_an_example_is_caught() {
    assert_caught(
        "components/schemas/MagiclineErrorResponse: an example",
        |doc| {
            at(doc, "/components/schemas/MagiclineErrorResponse")
                .as_object_mut()
                .unwrap()
                .remove("example");
        },
    );
}

#[test]
fn an_error_response_with_another_schema_is_caught() {
    assert_caught(
        "409: the body must be $ref #/components/schemas/MasstackErrorResponse",
        |doc| {
            *at(
                doc,
                &format!("{CREATE_CREDENTIAL}/responses/409/content/application~1json/schema"),
            ) = json!({"$ref": "#/components/schemas/MasstackCredential"});
        },
    );
}

#[test]
fn a_path_parameter_without_a_format_is_caught() {
    assert_caught("path parameter cardId must declare a format", |doc| {
        at(doc, &format!("{ASSIGN}/parameters/1/schema"))
            .as_object_mut()
            .unwrap()
            .remove("format");
    });
}

#[test]
fn a_missing_summary_is_caught() {
    assert_caught(
        "POST /customers/{customerId}/prepaid/cards/{cardId}/assignments: a summary",
        |doc| {
            at(doc, ASSIGN).as_object_mut().unwrap().remove("summary");
        },
    );
}

#[test]
fn a_missing_provenance_is_caught() {
    assert_caught("x-source.pageUrl", |doc| {
        at(doc, &format!("{CREATE_CREDENTIAL}/x-source"))
            .as_object_mut()
            .unwrap()
            .remove("pageUrl");
    });
}

#[test]
fn two_success_bodies_are_caught() {
    assert_caught("one success body shared by all 2xx", |doc| {
        at(doc, &format!("{CREATE_CREDENTIAL}/responses")).as_object_mut().unwrap().insert(
            "200".into(),
            json!({"description": "Also OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MasstackCredentials"}}}}),
        );
    });
}

#[test]
fn an_unknown_security_scheme_is_caught() {
    assert_caught("security scheme PaysafeToken is not defined", |doc| {
        *at(doc, &format!("{ASSIGN}/security")) = json!([{"PaysafeToken": []}]);
    });
}

#[test]
fn a_default_response_is_caught() {
    assert_caught("no `default` response", |doc| {
        at(doc, &format!("{ASSIGN}/responses"))
            .as_object_mut()
            .unwrap()
            .insert(
                "default".into(),
                json!({"$ref": "#/components/responses/PaysafeInternalServerError"}),
            );
    });
}

#[test]
fn a_non_verb_object_operation_id_is_caught() {
    assert_caught("an operationId `<api>_<verb>_<object>`", |doc| {
        *at(doc, &format!("{ASSIGN}/operationId")) = json!("assignCard");
    });
}

/// YAML 1.1 parsers (and some OpenAPI tools) read an unquoted `2024-06-13T10:33:00Z` as a timestamp, not
/// the string the vendor sends: every date-like scalar of the document must be quoted.
fn unquoted_dates(yaml: &str) -> Vec<String> {
    yaml.lines()
        .enumerate()
        .filter_map(|(n, line)| {
            let value = match line.rfind(": ") {
                Some(at) => &line[at + 2..],
                None => line.trim_start().strip_prefix("- ")?,
            };
            concord_spec::is_date_like(value).then(|| format!("line {}: {}", n + 1, line.trim()))
        })
        .collect()
}

#[test]
fn date_like_strings_are_quoted() {
    let found = unquoted_dates(OPENAPI_YAML);
    assert!(found.is_empty(), "unquoted date-like strings: {found:#?}");
    let broken = OPENAPI_YAML.replacen("'2024-06-13T10:33:00Z'", "2024-06-13T10:33:00Z", 1);
    assert_eq!(
        unquoted_dates(&broken).len(),
        1,
        "the check finds an unquoted date"
    );
    assert!(concord_spec::is_date_like("2024-05-01"));
    assert!(!concord_spec::is_date_like("'2024-05-01'"));
    assert!(!concord_spec::is_date_like("1234567890"));
}
