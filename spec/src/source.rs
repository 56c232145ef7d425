//! One vendor API's folder: its source document, as transcribed from its documentation pages, and its demo
//! data.

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
    /// Where the API's answers carry the id to quote to its support, best first (the tag's
    /// `x-concord-request-id`; the SDK's `Error::request_id` reads it).
    #[serde(default)]
    pub request_id: Vec<RequestIdPlace>,
}

/// Where a request id is: a response header, or a (string) field of the API's error body.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RequestIdPlace {
    /// `header` or `body`.
    #[serde(rename = "in")]
    pub place: RequestIdIn,
    /// The header's name, or the error body's property.
    pub name: String,
}

/// Where a [`RequestIdPlace`] is.
#[derive(Debug, Clone, Copy, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RequestIdIn {
    /// A response header.
    Header,
    /// A property of the error body, found as the SDK finds an error's code and message.
    Body,
}

/// A parsed source document.
#[derive(Debug, Clone)]
pub struct Source {
    /// The file, relative to `spec/vendors/`, e.g. `magicline/openapi.yaml`.
    pub file_name: String,
    /// The vendor's demo data (`demo.json` next to the source), if it has any.
    pub demo: Option<Value>,
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
            demo: None,
            meta,
            doc,
        })
    }
}

/// Reads every vendor folder of `dir` (`<vendor>/openapi.yaml` and its optional `demo.json`), in folder-name
/// order (so the output never depends on the file system).
pub fn load_sources(dir: &Path) -> Result<Vec<Source>> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| SpecError::Io { path, source }
    };
    let mut folders: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io(dir))?;
    folders.retain(|p| p.is_dir());
    folders.sort();
    folders
        .iter()
        .map(|folder| {
            let name = folder.file_name().unwrap_or_default().to_string_lossy();
            let path = folder.join("openapi.yaml");
            if !path.is_file() {
                return Err(SpecError::source(
                    &name,
                    "a vendor folder needs openapi.yaml (its source document)",
                ));
            }
            let text = std::fs::read_to_string(&path).map_err(io(&path))?;
            let mut source = Source::parse(&format!("{name}/openapi.yaml"), &text)?;
            let demo = folder.join("demo.json");
            if demo.is_file() {
                let text = std::fs::read_to_string(&demo).map_err(io(&demo))?;
                let value = serde_json::from_str(&text).map_err(|e| {
                    SpecError::source(&format!("{name}/demo.json"), format!("not JSON: {e}"))
                })?;
                source.demo = Some(value);
            }
            Ok(source)
        })
        .collect()
}
