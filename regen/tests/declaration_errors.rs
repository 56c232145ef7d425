//! A mistake in a vendor's declarations is `cargo regen`'s error, at the vendor file's line — not a mock
//! that panics at start-up.

use concord_regen::compile_as_the_mock;
use concord_spec::{SpecDir, render};

const MAGICLINE: &str = "magicline/openapi.yaml";

/// The checked-in sources with one replacement in Magicline's file, normalized as `cargo regen` does.
fn broken(from: &str, to: &str) -> (tempfile::TempDir, SpecDir, serde_json::Value, String) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = SpecDir::checked_out().copy_sources_to(tmp.path()).unwrap();
    let file = dir.vendors().join(MAGICLINE);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(from), "{from} is in {MAGICLINE}");
    let text = text.replacen(from, to, 1);
    std::fs::write(&file, &text).unwrap();
    let document = render(&dir).expect("the normalizer accepts the change");
    let document = serde_yaml_ng::from_str(&document).unwrap();
    (tmp, dir, document, text)
}

/// The 1-based line of the first line matching `pred` at or after the line holding `after`.
fn line_of(text: &str, after: &str, pred: impl Fn(&str) -> bool) -> usize {
    let start = text.lines().position(|l| l.contains(after)).unwrap();
    start + text.lines().skip(start).position(pred).unwrap() + 1
}

#[test]
fn the_checked_in_sources_compile() {
    let dir = SpecDir::checked_out();
    let document = serde_yaml_ng::from_str(&render(&dir).unwrap()).unwrap();
    assert_eq!(compile_as_the_mock(&dir, &document), Ok(()));
}

#[test]
fn an_unknown_name_in_a_rule_is_reported_at_the_operations_rules() {
    let (_tmp, dir, document, text) = broken("body: '{medium}'", "body: '{nosuch}'");
    let message = compile_as_the_mock(&dir, &document).unwrap_err();
    let line = line_of(&text, "operationId: addAccessMedium", |l| {
        l.trim() == "x-concord-rules:"
    });
    assert!(
        message.starts_with(&format!(
            "spec/vendors/{MAGICLINE}:{line} (addAccessMedium): x-concord-rules["
        )),
        "{message}"
    );
    assert!(message.contains("unknown name `nosuch`"), "{message}");
}

#[test]
fn a_mistake_in_a_resource_is_reported_at_the_vendors_mock_block() {
    let (_tmp, dir, document, text) = broken("id: {digits: 10}", "id: {digitz: 10}");
    let message = compile_as_the_mock(&dir, &document).unwrap_err();
    let line = line_of(&text, "x-concord-mock:", |l| l == "x-concord-mock:");
    assert!(
        message.starts_with(&format!(
            "spec/vendors/{MAGICLINE}:{line} (x-concord-mock): "
        )),
        "{message}"
    );
    assert!(message.contains("digitz"), "{message}");
}
