//! spec/README.md lists every operation; the table must equal one rendered from the document.

#[test]
fn readme_operations_table_matches_the_document() {
    let doc: serde_json::Value = serde_yaml_ng::from_str(concord_spec::OPENAPI_YAML).unwrap();
    let table = concord_spec::operations_table(&doc);
    let readme = std::fs::read_to_string(
        concord_spec::SpecDir::checked_out()
            .root()
            .join("README.md"),
    )
    .unwrap();
    assert!(
        readme.contains(&table),
        "spec/README.md's operations table is stale; replace it with:\n{table}"
    );
}
