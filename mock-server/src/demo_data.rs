//! The demo data every tenant starts from: embedded, or replaced with `--demo-data FILE`.

use std::path::Path;

use serde_json::Value;

use crate::load_error::{DemoDataError, LoadError};
use crate::state::DemoData;

/// The embedded demo data (`mock-server/fixtures/demo.json`).
pub const EMBEDDED: &str = include_str!("../fixtures/demo.json");

/// Parses demo data: `{kind: {id: entity}}`; top-level keys starting with `_` are comments.
pub fn parse(text: &str) -> Result<DemoData, DemoDataError> {
    let Value::Object(kinds) = serde_json::from_str(text)? else {
        return Err(DemoDataError::NotKinds);
    };
    let mut demo_data = DemoData::new();
    for (kind, entities) in kinds {
        if kind.starts_with('_') {
            continue;
        }
        let Value::Object(entities) = entities else {
            return Err(DemoDataError::NotEntities(kind));
        };
        demo_data.insert(kind, entities.into_iter().collect());
    }
    Ok(demo_data)
}

/// The embedded demo data.
pub fn embedded() -> DemoData {
    parse(EMBEDDED).expect("the embedded demo data parses (tested)")
}

/// Demo data from a file.
pub fn load(path: &Path) -> Result<DemoData, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse(&text).map_err(|source| LoadError::DemoData {
        path: path.to_owned(),
        source,
    })
}
