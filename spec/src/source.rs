//! One vendor API's source document, as transcribed from its documentation pages.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use crate::error::{Result, SpecError};

/// What the normalizer needs to know about a source, read from its `info.x-concord`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SourceMeta {
    /// Snake-case id; prefixes every operationId (`magicline_add_access_medium`).
    pub id: String,
    /// Pascal-case prefix of every component name (`MagiclineErrorResponse`).
    pub prefix: String,
    /// The one tag all of the source's operations get.
    pub tag: String,
    /// The vendor, as recorded in every operation's `x-source`.
    pub vendor: String,
    /// The source's one error schema (unprefixed); every error response must use it.
    pub error_schema: String,
    /// Description of the tag.
    pub tag_description: String,
}

/// A parsed source document.
#[derive(Debug, Clone)]
pub struct Source {
    /// The file name, e.g. `magicline.yaml`.
    pub file_name: String,
    /// Its `info.x-concord` block.
    pub meta: SourceMeta,
    /// The whole document (YAML anchors already expanded).
    pub doc: Value,
}

impl Source {
    /// Parses a source from its text; `file_name` is used in error messages.
    pub fn parse(file_name: &str, text: &str) -> Result<Source> {
        let doc: Value = serde_yaml_ng::from_str(text).map_err(|source| SpecError::Yaml {
            path: PathBuf::from(file_name),
            source,
        })?;
        let version = doc.get("openapi").and_then(Value::as_str).unwrap_or("");
        if !version.starts_with("3.0.") {
            return Err(SpecError::source(
                file_name,
                format!("`openapi` must be 3.0.x (progenitor reads no other), found {version:?}"),
            ));
        }
        let meta_value = doc.pointer("/info/x-concord").cloned().ok_or_else(|| {
            SpecError::source(
                file_name,
                "`info.x-concord` is missing (id, prefix, tag, ...)",
            )
        })?;
        let meta: SourceMeta = serde_json::from_value(meta_value)
            .map_err(|e| SpecError::source(file_name, format!("`info.x-concord`: {e}")))?;
        Ok(Source {
            file_name: file_name.to_owned(),
            meta,
            doc,
        })
    }
}

/// Reads every `*.yaml` in `dir`, in file-name order (so the output never depends on the file system).
pub fn load_sources(dir: &Path) -> Result<Vec<Source>> {
    let io = |source| SpecError::Io {
        path: dir.to_owned(),
        source,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io)?;
    files.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
    files.sort();
    files
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).map_err(|source| SpecError::Io {
                path: path.clone(),
                source,
            })?;
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            Source::parse(&name, &text)
        })
        .collect()
}
