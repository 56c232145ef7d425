//! `cargo regen [--check]`: normalizes spec/vendors/*/openapi.yaml into spec/openapi.yaml, merges their
//! demo.json into the mock's demo data, then generates the SDK's progenitor layer from the document. With
//! `--check`, writes nothing and fails when a checked-in file is stale.
//!
//! Before anything is written, the mock compiles the document: a mistake in a vendor's declarations
//! (`x-concord-rules`, `x-concord-mock`, …) stops here, at the vendor file's line, with exit status 2,
//! instead of reaching a mock that could not start.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use concord_spec::{
    SpecDir, codegen, first_difference, lint, parse, readme_with_table, render, render_demo_data,
};

fn main() -> ExitCode {
    let check = std::env::args().skip(1).any(|a| a == "--check");
    match run(check) {
        Ok(stale) if stale.is_empty() => ExitCode::SUCCESS,
        Ok(stale) => {
            for message in stale {
                eprintln!("{message}");
            }
            ExitCode::FAILURE
        }
        Err(Failure::Declaration(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Other(message)) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Why nothing was written.
enum Failure {
    /// The mock cannot compile the document: a mistake in a vendor's declarations.
    Declaration(String),
    /// Anything else (a source the normalizer refuses, a lint, a file that cannot be written).
    Other(String),
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure::Other(message)
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Self {
        Failure::Other(message.to_owned())
    }
}

/// Returns the stale files (only with `check`).
fn run(check: bool) -> Result<Vec<String>, Failure> {
    let dir = SpecDir::checked_out();
    let document = render(&dir).map_err(|e| e.to_string())?;
    let parsed =
        parse(&document).map_err(|e| format!("normalized document does not parse: {e}"))?;
    let violations = lint(&parsed);
    if !violations.is_empty() {
        let list: Vec<String> = violations.iter().map(ToString::to_string).collect();
        return Err(format!("lint:\n  {}", list.join("\n  ")).into());
    }
    let demo = render_demo_data(&dir).map_err(|e| e.to_string())?;
    let readme_path = dir.root().join("README.md");
    let readme = std::fs::read_to_string(&readme_path)
        .map_err(|e| format!("{}: {e}", readme_path.display()))?;
    let document_value: serde_json::Value =
        serde_yaml_ng::from_str(&document).map_err(|e| e.to_string())?;
    concord_regen::compile_as_the_mock(&dir, &document_value).map_err(Failure::Declaration)?;
    let readme = readme_with_table(&readme, &document_value)
        .ok_or("spec/README.md lost the markers of its operations table")?;
    let sdk = codegen::generate(&document).map_err(|e| e.to_string())?;
    let sdk_src = dir.workspace().join("sdk").join("src");
    let facade = concord_spec::generate_facade(&document_value);
    let outputs: [(PathBuf, &str); 7] = [
        (dir.document(), &document),
        (dir.demo_data(), &demo),
        (readme_path.clone(), &readme),
        (sdk_src.join("generated.rs"), &sdk.client),
        (sdk_src.join("generated_httpmock.rs"), &sdk.httpmock),
        (sdk_src.join("generated_calls.rs"), &sdk.calls),
        (sdk_src.join("generated_facade.rs"), &facade),
    ];
    let mut stale = Vec::new();
    for (path, fresh) in outputs {
        if check {
            let current = std::fs::read_to_string(&path).unwrap_or_default();
            if let Some(drift) = first_difference(&current, fresh) {
                stale.push(format!(
                    "{} is out of date (run `cargo regen`); first difference at line {}:\n  checked in: {}\n  fresh:      {}",
                    relative(&path, &dir.workspace()),
                    drift.line,
                    drift.checked_in,
                    drift.fresh
                ));
            }
        } else {
            std::fs::write(&path, fresh).map_err(|e| format!("{}: {e}", path.display()))?;
            println!("wrote {}", relative(&path, &dir.workspace()));
        }
    }
    Ok(stale)
}

fn relative(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}
