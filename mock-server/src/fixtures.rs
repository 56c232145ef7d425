//! The demo data every tenant starts from: embedded, or replaced with `--demo-data FILE`.

use std::path::Path;

use serde_json::Value;

use crate::state::Fixtures;

/// The embedded demo data (`mock-server/fixtures/demo.json`).
pub const DEMO: &str = include_str!("../fixtures/demo.json");

/// Parses demo data: `{kind: {id: entity}}`; top-level keys starting with `_` are comments.
pub fn parse(text: &str) -> Result<Fixtures, String> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| format!("the demo data is not JSON: {e}"))?;
    let Value::Object(kinds) = value else {
        return Err("the demo data must be an object {kind: {id: entity}}".into());
    };
    let mut fixtures = Fixtures::new();
    for (kind, entities) in kinds {
        if kind.starts_with('_') {
            continue;
        }
        let Value::Object(entities) = entities else {
            return Err(format!(
                "the demo data's {kind} must be an object {{id: entity}}"
            ));
        };
        fixtures.insert(kind, entities.into_iter().collect());
    }
    Ok(fixtures)
}

/// The embedded demo data.
pub fn demo() -> Fixtures {
    parse(DEMO).expect("the embedded demo data parses (tested)")
}

/// Fixtures from a file.
pub fn load(path: &Path) -> Result<Fixtures, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}
