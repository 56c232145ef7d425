//! The SDK's generated layer is checked in; it must equal what progenitor 0.15 (and the call groups over it)
//! make of spec/openapi.yaml now.

use concord_spec::{OPENAPI_YAML, SpecDir, codegen, first_difference};

fn checked_in(file: &str) -> String {
    let path = SpecDir::checked_out()
        .workspace()
        .join("sdk/src")
        .join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn progenitor_generates_the_checked_in_client_stubs_and_calls() {
    let fresh = codegen::generate(OPENAPI_YAML).expect("progenitor accepts the document");
    for (file, code) in [
        ("generated.rs", &fresh.client),
        ("generated_httpmock.rs", &fresh.httpmock),
        ("generated_calls.rs", &fresh.calls),
    ] {
        if let Some(drift) = first_difference(&checked_in(file), code) {
            panic!(
                "sdk/src/{file} is out of date (run `cargo regen`); line {}:\n  checked in: {}\n  fresh:      {}",
                drift.line, drift.checked_in, drift.fresh
            );
        }
    }
}

#[test]
fn a_changed_response_field_changes_the_generated_client() {
    // The freshness check above can fail: a one-field change to the document yields different code.
    let renamed = OPENAPI_YAML.replace("targetCustomerId", "targetCustomerRef");
    assert_ne!(renamed, OPENAPI_YAML);
    let fresh = codegen::generate(&renamed).expect("progenitor accepts the edited document");
    let drift =
        first_difference(&checked_in("generated.rs"), &fresh.client).expect("drift is detected");
    assert!(
        drift.fresh.contains("target_customer_ref") || drift.fresh.contains("targetCustomerRef"),
        "{drift:?}"
    );
}

#[test]
fn every_operation_of_the_document_has_a_generated_method() {
    let doc: serde_json::Value = serde_yaml_ng::from_str(OPENAPI_YAML).unwrap();
    let client = checked_in("generated.rs");
    let mut count = 0;
    for item in doc["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            if let Some(id) = op.get("operationId").and_then(|v| v.as_str()) {
                count += 1;
                assert!(
                    client.contains(&format!("pub fn {id}(")),
                    "no method for {id}"
                );
            }
        }
    }
    assert!(count > 0, "no operation read from the document");
}

#[test]
fn types_named_after_a_property_get_the_apis_prefix_and_the_property_where_unambiguous() {
    let client = checked_in("generated.rs");
    assert!(client.contains("pub struct EsLoyaltyCorrelationId("));
    assert!(!client.contains("EsLoyaltyStartSessionRequestCorrelationId"));
    // Two owners of a `cardLabel` property: both keep their owner in the name rather than share one.
    assert!(client.contains("pub struct EsLoyaltyAddCardsRequestCardLabel("));
    assert!(client.contains("pub struct EsLoyaltyPhysicalCardCardLabel("));
    // A one-word property says too little alone.
    assert!(client.contains("pub struct MagiclineCustomerAccessMediumValue("));
}

/// The document as JSON, for edits a test makes to it.
fn document() -> serde_json::Value {
    serde_yaml_ng::from_str(OPENAPI_YAML).unwrap()
}

#[test]
fn a_deprecated_operation_names_the_replacement_and_message_the_contract_gives() {
    let mut doc = document();
    let op = &mut doc["paths"]["/v1/customers/{customerId}/access-code"]["get"];
    assert_eq!(op["deprecated"], true);
    op["x-speakeasy-deprecation-replacement"] = "magicline_update_access_medium".into();
    op["x-speakeasy-deprecation-message"] = "Codes come with the medium now".into();
    let fresh = codegen::generate(&serde_yaml_ng::to_string(&doc).unwrap()).unwrap();
    assert!(
        fresh.calls.contains(
            "deprecated; use `client.magicline().update_access_medium()` instead: Codes come with the medium now"
        ),
        "{}",
        fresh
            .calls
            .lines()
            .filter(|l| l.contains("deprecated"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn an_operations_own_security_and_an_apis_request_id_places_reach_the_facade() {
    // The checked-in contract: every operation uses its API's requirement, and two APIs name request ids.
    let checked = concord_spec::generate_facade(&document());
    assert!(
        checked.contains(
            "pub(crate) const OPERATION_AUTH: &[(Api, &str, &[crate::auth::Auth])] = &[\n];"
        ),
        "{checked}"
    );
    assert!(checked.contains(r#"Api::EsLoyalty => &["mck-msgid", "x-amzn-requestid"],"#));
    assert!(checked.contains("VendorError::Magicline(e) => magicline_request_id(e),"));
    // An operation that may also be called without credentials, and an API whose id is in a header.
    let mut doc = document();
    doc["paths"]["/customers/{customerId}/prepaid/cards/bulk/{bulkId}"]["get"]["security"] =
        serde_json::json!([{"PaysafeBearerAuth": []}, {}]);
    let tag = doc["tags"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|t| t["name"] == "Paysafe")
        .unwrap();
    tag["x-concord-request-id"] = serde_json::json!([{"in": "header", "name": "X-Trace-Ref"}]);
    let edited = concord_spec::generate_facade(&doc);
    assert!(
        edited.contains(
            r#"(Api::Paysafe, "paysafe_get_bulk_order", &[crate::auth::Auth::Bearer, crate::auth::Auth::None]),"#
        ),
        "{edited}"
    );
    assert!(
        edited.contains(r#"Api::Paysafe => &["x-trace-ref"],"#),
        "{edited}"
    );
}
