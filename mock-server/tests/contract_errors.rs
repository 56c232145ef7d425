//! Mistakes in a document's declarations are start-up errors that say where and what — never a runtime
//! 500 or a silent overwrite. One small document, broken one way per case.

use concord_mock::contract::{Contract, ContractError};
use serde_json::{Value, json};

/// A shop API with one resource and three operations, declared correctly.
fn document() -> Value {
    json!({
        "openapi": "3.0.3",
        "tags": [{
            "name": "Shop",
            "x-concord-mock": {
                "error": {"body": {"message": "{message}", "code": "{code}"}},
                "resources": {"shop.member": {"id": "uuid", "unique": [{"name": "email", "key": "{email}", "conflict": {"example": "TAKEN"}}]}}
            }
        }],
        "paths": {
            "/members": {
                "post": {
                    "operationId": "create_member",
                    "tags": ["Shop"],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "properties": {"email": {"type": "string"}}}}}},
                    "responses": {
                        "201": {"description": "created", "content": {"application/json": {"schema": {"type": "object"}}}},
                        "409": {"description": "taken", "content": {"application/json": {"schema": {"type": "object"}, "examples": {"TAKEN": {"value": {"message": "taken"}}}}}}
                    },
                    "x-concord-rules": [
                        {"create": "member", "kind": "shop.member", "body": {"id": "{$id}", "email": "{body.email}"}},
                        {"respond": 201, "body": "{member}"}
                    ]
                }
            },
            "/members/{id}": {
                "get": {
                    "operationId": "get_member",
                    "tags": ["Shop"],
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "responses": {
                        "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}},
                        "404": {"description": "missing", "content": {"application/json": {"schema": {"type": "object"}, "examples": {"NO_MEMBER": {"value": {"message": "no"}}}}}}
                    },
                    "x-concord-rules": [
                        {"load": "member", "kind": "shop.member", "id": "{path.id}", "missing": {"example": "NO_MEMBER"}},
                        {"respond": 200, "body": "{member}"}
                    ]
                }
            },
            "/status": {
                "get": {
                    "operationId": "get_status",
                    "tags": ["Shop"],
                    "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}, "examples": {"UP": {"value": {"up": true}}}}}}}
                }
            }
        }
    })
}

fn compile_error(document: Value) -> ContractError {
    match Contract::compile(document) {
        Ok(_) => panic!("the mistake was not found"),
        Err(e) => e,
    }
}

fn rules<'a>(doc: &'a mut Value, path: &str, method: &str) -> &'a mut Value {
    &mut doc["paths"][path][method]["x-concord-rules"]
}

#[test]
fn the_correct_document_compiles() {
    let contract = Contract::compile(document()).unwrap();
    assert_eq!(contract.operations.len(), 3);
}

#[test]
fn an_operation_with_no_rules_and_no_example_is_refused() {
    let mut doc = document();
    doc["paths"]["/status"]["get"]["responses"]["200"]["content"]["application/json"]
        .as_object_mut()
        .unwrap()
        .remove("examples");
    let e = compile_error(doc);
    assert!(e.location.starts_with("get_status (GET /status)"), "{e}");
    assert!(
        e.message.contains("no x-concord-rules and no example"),
        "{e}"
    );
}

#[test]
fn a_precondition_naming_an_unknown_example_is_refused() {
    let mut doc = document();
    rules(&mut doc, "/members/{id}", "get")[0]["missing"] = json!({"example": "NO_SUCH_THING"});
    let e = compile_error(doc);
    assert!(e.location.starts_with("get_member"), "{e}");
    assert!(e.message.contains("x-concord-rules[0]"), "{e}");
    assert!(e.message.contains("no example named NO_SUCH_THING"), "{e}");
}

#[test]
fn two_vendors_claiming_one_prefix_are_refused() {
    let mut doc = document();
    doc["tags"][0]["x-concord-mock"]["prefixes"] = json!(["/v1"]);
    doc["tags"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "Other", "x-concord-mock": {"prefixes": ["/v1"]}}));
    let e = compile_error(doc);
    assert!(e.location.contains("Other"), "{e}");
    assert!(
        e.message.contains("/v1 is also claimed by tag \"Shop\""),
        "{e}"
    );
}

#[test]
fn a_misspelt_name_in_an_expression_is_refused() {
    let mut doc = document();
    rules(&mut doc, "/members", "post")[0]["body"]["email"] = json!("{bdy.email}");
    let e = compile_error(doc);
    assert!(e.message.contains("unknown name `bdy`"), "{e}");
    let mut doc = document();
    rules(&mut doc, "/members", "post")[0]["body"]["email"] = json!("{body.email");
    assert!(compile_error(doc).message.contains("unclosed"));
}

#[test]
fn an_unknown_step_or_key_is_refused() {
    let mut doc = document();
    rules(&mut doc, "/members/{id}", "get")[0]["missign"] = json!({"example": "NO_MEMBER"});
    let e = compile_error(doc);
    assert!(e.message.contains("`load` does not take `missign`"), "{e}");
    let mut doc = document();
    rules(&mut doc, "/members/{id}", "get")[0] = json!({"fetch": "member"});
    assert!(
        compile_error(doc)
            .message
            .contains("a step starts with one of")
    );
}

#[test]
fn creating_an_undeclared_resource_is_refused() {
    let mut doc = document();
    rules(&mut doc, "/members", "post")[0]["kind"] = json!("shop.visitor");
    let e = compile_error(doc);
    assert!(
        e.message.contains("no resource `shop.visitor` is declared"),
        "{e}"
    );
}

#[test]
fn changing_a_name_no_step_bound_is_refused() {
    let mut doc = document();
    rules(&mut doc, "/members/{id}", "get")
        .as_array_mut()
        .unwrap()
        .insert(1, json!({"update": "visitor", "set": {"a": 1}}));
    let e = compile_error(doc);
    assert!(e.message.contains("`visitor` is not an entity"), "{e}");
}

#[test]
fn answering_an_undocumented_status_or_not_answering_is_refused() {
    let mut doc = document();
    rules(&mut doc, "/members/{id}", "get")[1]["respond"] = json!(202);
    assert!(compile_error(doc).message.contains("does not document 202"));
    let mut doc = document();
    rules(&mut doc, "/members/{id}", "get")
        .as_array_mut()
        .unwrap()
        .pop();
    assert!(
        compile_error(doc)
            .message
            .contains("must end with a `respond` step")
    );
}

#[test]
fn a_resource_declared_by_two_tags_is_refused() {
    let mut doc = document();
    let resources = doc["tags"][0]["x-concord-mock"]["resources"].clone();
    doc["tags"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "Other", "x-concord-mock": {"resources": resources}}));
    let e = compile_error(doc);
    assert!(
        e.message
            .contains("resource shop.member is declared by two tags"),
        "{e}"
    );
}

#[test]
fn a_unique_conflict_naming_an_unknown_example_is_refused() {
    let mut doc = document();
    doc["tags"][0]["x-concord-mock"]["resources"]["shop.member"]["unique"][0]["conflict"] =
        json!({"example": "DUPLICATE"});
    let e = compile_error(doc);
    assert!(e.location.starts_with("create_member"), "{e}");
    assert!(e.message.contains("no example named DUPLICATE"), "{e}");
}

#[test]
fn a_broken_error_style_is_refused() {
    let mut doc = document();
    doc["tags"][0]["x-concord-mock"]["error"]["body"] = json!({"message": "{mesage}"});
    let e = compile_error(doc);
    assert_eq!(e.location, "tag \"Shop\"");
    assert!(e.message.contains("unknown name `mesage`"), "{e}");
}

#[test]
fn a_reference_to_a_response_that_does_not_exist_is_refused() {
    let mut doc = document();
    doc["paths"]["/status"]["get"]["responses"]["503"] =
        json!({"$ref": "#/components/responses/Unavailable"});
    let e = compile_error(doc);
    assert!(e.location.starts_with("get_status"), "{e}");
    assert!(
        e.message
            .contains("#/components/responses/Unavailable names nothing"),
        "{e}"
    );
}

#[test]
fn a_request_body_only_in_media_types_the_mock_cannot_read_is_accepted_unchecked() {
    let mut doc = document();
    doc["paths"]["/members"]["post"]["requestBody"] =
        json!({"content": {"application/xml": {"schema": {"type": "object"}}}});
    let contract = Contract::compile(doc).unwrap();
    assert!(
        contract
            .operation("create_member")
            .unwrap()
            .body
            .as_ref()
            .unwrap()
            .media
            .is_empty()
    );
}
