//! Why a document (`--spec`) or demo data (`--demo-data`) cannot be used: each refusal names the file
//! and what is wrong with it.

use std::path::Path;

use concord_mock::LoadError;
use concord_mock::contract::Contract;

fn file(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn each_bad_document_names_its_file_and_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.yaml");
    let broken = file(dir.path(), "broken.yaml", "openapi: [3.0.3\n");
    let newer = file(dir.path(), "newer.yaml", "openapi: 3.1.0\n");
    let no_paths = file(
        dir.path(),
        "bad-tag.yaml",
        r#"{"openapi": "3.0.3", "tags": [{"name": "t", "x-concord-mock": 7}], "paths": {}}"#,
    );
    let error = |path: &Path| match Contract::load(path) {
        Ok(_) => panic!("{} loaded", path.display()),
        Err(e) => e.to_string(),
    };

    assert!(error(&missing).starts_with(&format!("cannot read {}: ", missing.display())));
    assert!(error(&broken).starts_with(&format!("{} is not YAML or JSON: ", broken.display())));
    assert_eq!(
        error(&newer),
        format!(
            "{}: the mock reads OpenAPI 3.0.x, found `openapi: 3.1.0`",
            newer.display()
        )
    );
    assert!(error(&no_paths).starts_with(&format!("{}: ", no_paths.display())));
    assert!(matches!(
        Contract::load(&no_paths),
        Err(LoadError::Contract { .. })
    ));
}

#[test]
fn demo_data_of_the_wrong_shape_says_which_kind() {
    let dir = tempfile::tempdir().unwrap();
    let load = |text: &str| {
        let path = file(dir.path(), "demo.json", text);
        concord_mock::demo_data::load(&path)
            .expect_err("refused")
            .to_string()
    };
    let path = dir.path().join("demo.json").display().to_string();
    assert!(load("{").starts_with(&format!("{path}: the demo data is not JSON: ")));
    assert_eq!(
        load("[]"),
        format!("{path}: the demo data must be an object {{kind: {{id: entity}}}}")
    );
    assert_eq!(
        load(r#"{"_comment": 1, "members": [1]}"#),
        format!("{path}: the demo data's members must be an object {{id: entity}}")
    );
    let missing = dir.path().join("none.json");
    assert!(
        concord_mock::demo_data::load(&missing)
            .expect_err("refused")
            .to_string()
            .starts_with(&format!("cannot read {}: ", missing.display()))
    );
}
