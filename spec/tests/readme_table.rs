//! spec/README.md lists every operation between its markers; `cargo regen` writes the table, and it must
//! equal one rendered from the document.

#[test]
fn readme_operations_table_matches_the_document() {
    let doc: serde_json::Value = serde_yaml_ng::from_str(concord_spec::OPENAPI_YAML).unwrap();
    let readme = std::fs::read_to_string(
        concord_spec::SpecDir::checked_out()
            .root()
            .join("README.md"),
    )
    .unwrap();
    let fresh = concord_spec::readme_with_table(&readme, &doc)
        .expect("spec/README.md has the table's markers");
    assert!(
        fresh == readme,
        "spec/README.md's operations table is stale: run `cargo regen`"
    );
    // The check can fail: a README whose table lacks a row is not fresh.
    let first_row = readme.find("| POST |").unwrap();
    let line_end = first_row + readme[first_row..].find('\n').unwrap() + 1;
    let shortened = format!("{}{}", &readme[..first_row], &readme[line_end..]);
    assert_ne!(
        concord_spec::readme_with_table(&shortened, &doc).unwrap(),
        shortened
    );
}
