//! spec/openapi.yaml must equal a fresh normalization of spec/sources, and the check must be able to fail.

use std::path::Path;

use concord_spec::{OPENAPI_YAML, SpecDir, check_fresh};

#[test]
fn checked_in_document_equals_a_fresh_normalization() {
    let drift = check_fresh(&SpecDir::checked_out(), OPENAPI_YAML).expect("sources normalize");
    assert!(drift.is_none(), "{}", drift.unwrap());
}

/// Copies header.yaml and sources/ into a temporary spec folder.
fn copy_of_spec() -> tempfile::TempDir {
    let here = SpecDir::checked_out();
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(here.header(), tmp.path().join("header.yaml")).unwrap();
    std::fs::create_dir(tmp.path().join("sources")).unwrap();
    for entry in std::fs::read_dir(here.sources()).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(
            &path,
            tmp.path().join("sources").join(path.file_name().unwrap()),
        )
        .unwrap();
    }
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
        &tmp.path().join("sources/paysafe.yaml"),
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
        &tmp.path().join("sources/masstack.yaml"),
        "description: Repository timeout",
        "description: Repository time-out",
    );
    let drift = check_fresh(&SpecDir::at(tmp.path()), OPENAPI_YAML).unwrap();
    assert!(drift.is_some());
}

#[test]
fn normalization_is_deterministic() {
    let dir = SpecDir::checked_out();
    assert_eq!(
        concord_spec::render(&dir).unwrap(),
        concord_spec::render(&dir).unwrap()
    );
}
