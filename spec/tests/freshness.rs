//! spec/openapi.yaml must equal a fresh normalization of spec/vendors, the mock's demo data a fresh merge of
//! theirs, and the checks must be able to fail.

use std::path::Path;

use concord_spec::{OPENAPI_YAML, SpecDir, check_fresh};

#[test]
fn checked_in_document_equals_a_fresh_normalization() {
    let drift = check_fresh(&SpecDir::checked_out(), OPENAPI_YAML).expect("sources normalize");
    assert!(drift.is_none(), "{}", drift.unwrap());
}

#[test]
fn checked_in_demo_data_equals_a_fresh_merge() {
    let dir = SpecDir::checked_out();
    let fresh = concord_spec::render_demo_data(&dir).unwrap();
    let checked_in = std::fs::read_to_string(dir.demo_data()).unwrap();
    assert!(
        concord_spec::first_difference(&checked_in, &fresh).is_none(),
        "mock-server/fixtures/demo.json is stale: run `cargo regen`"
    );
}

/// Copies header.yaml and the vendor folders into a temporary spec folder.
fn copy_of_spec() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    SpecDir::checked_out().copy_sources_to(tmp.path()).unwrap();
    tmp
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from:?} not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn an_unchanged_copy_of_the_sources_is_fresh() {
    let tmp = copy_of_spec();
    assert_eq!(
        check_fresh(&SpecDir::at(tmp.path()), OPENAPI_YAML).unwrap(),
        None
    );
}

#[test]
fn a_renamed_field_in_a_source_makes_the_freshness_check_fail() {
    let tmp = copy_of_spec();
    edit(
        &tmp.path().join("vendors/paysafe/openapi.yaml"),
        "required: [targetCustomerId]",
        "required: [targetCustomerID]",
    );
    let drift = check_fresh(&SpecDir::at(tmp.path()), OPENAPI_YAML)
        .unwrap()
        .expect("a renamed field must be reported as drift");
    assert!(drift.fresh.contains("targetCustomerID"), "{drift}");
    assert!(drift.checked_in.contains("targetCustomerId"), "{drift}");
}

#[test]
fn a_changed_status_description_makes_the_freshness_check_fail() {
    let tmp = copy_of_spec();
    edit(
        &tmp.path().join("vendors/masstack/openapi.yaml"),
        "description: Repository timeout",
        "description: Repository time-out",
    );
    let drift = check_fresh(&SpecDir::at(tmp.path()), OPENAPI_YAML).unwrap();
    assert!(drift.is_some());
}

#[test]
fn a_changed_demo_entity_makes_the_demo_data_stale_and_a_clash_is_refused() {
    let tmp = copy_of_spec();
    let dir = SpecDir::at(tmp.path());
    let checked_in = std::fs::read_to_string(SpecDir::checked_out().demo_data()).unwrap();
    edit(
        &tmp.path().join("vendors/paysafe/demo.json"),
        "\"status\": \"COMPLETED\"",
        "\"status\": \"PENDING\"",
    );
    let fresh = concord_spec::render_demo_data(&dir).unwrap();
    assert!(concord_spec::first_difference(&checked_in, &fresh).is_some());
    // Two vendors defining the same entity is an error naming the file.
    std::fs::write(
        tmp.path().join("vendors/masstack/demo.json"),
        r#"{"paysafe.card": {"f16ba382-eb42-481a-b08f-c57bdc9aae24": {}}}"#,
    )
    .unwrap();
    let err = concord_spec::render_demo_data(&dir)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("masstack/demo.json") && err.contains("paysafe/demo.json"),
        "{err}"
    );
}

#[test]
fn normalization_is_deterministic() {
    let dir = SpecDir::checked_out();
    assert_eq!(
        concord_spec::render(&dir).unwrap(),
        concord_spec::render(&dir).unwrap()
    );
}
