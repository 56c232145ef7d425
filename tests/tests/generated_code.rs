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
