//! What `cargo regen` checks beyond the normalizer: that the mock compiles the document it is about to
//! write, with a mistake reported at the vendor file's line.

use concord_mock::contract::Subject;
use concord_spec::{SpecDir, operation_place, tag_place};

/// Compiles the document as the mock will; a mistake names the vendor file and line it came from
/// (`spec/vendors/magicline/openapi.yaml:90 (addAccessMedium): x-concord-rules[4]: …`).
pub fn compile_as_the_mock(dir: &SpecDir, document: &serde_json::Value) -> Result<(), String> {
    let Err(e) = concord_mock::contract::Contract::compile(document.clone()) else {
        return Ok(());
    };
    let sources = concord_spec::load_sources(&dir.vendors()).map_err(|e| e.to_string())?;
    let place = match &e.subject {
        Subject::Operation(id) => {
            let rules = e.message.starts_with("x-concord-rules");
            operation_place(&sources, &dir.vendors(), id, rules)
        }
        Subject::Tag(tag) => tag_place(&sources, &dir.vendors(), tag),
        Subject::Document => None,
    };
    Err(match place {
        Some(place) => format!("{place}: {}", e.message),
        None => format!("spec/openapi.yaml: {e}"),
    })
}
