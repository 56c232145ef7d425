//! Where a part of the normalized document came from: the vendor file and the line in it, so that a
//! mistake the mock's compiler finds in the document is reported where the platform engineer wrote it.

use std::path::PathBuf;

use heck::ToSnakeCase;
use serde_json::Value;

use crate::source::Source;

/// A line of a vendor's source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcePlace {
    /// The file, relative to the workspace (`spec/vendors/magicline/openapi.yaml`).
    pub file: PathBuf,
    /// 1-based; 0 when only the file is known.
    pub line: usize,
    /// What is there, as the source names it (`addAccessMedium`, `x-concord-mock`).
    pub name: String,
}

impl std::fmt::Display for SourcePlace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            0 => write!(f, "{} ({})", self.file.display(), self.name),
            line => write!(f, "{}:{line} ({})", self.file.display(), self.name),
        }
    }
}

/// The source of a normalized operation; `rules` asks for its `x-concord-rules` line rather than the
/// operation's own.
pub fn operation_place(
    sources: &[Source],
    vendors: &std::path::Path,
    operation_id: &str,
    rules: bool,
) -> Option<SourcePlace> {
    sources.iter().find_map(|source| {
        let (path, method, raw) = source_operation(source, operation_id)?;
        let text = std::fs::read_to_string(vendors.join(&source.file_name)).ok()?;
        let lines: Vec<&str> = text.lines().collect();
        let path_line = lines.iter().position(|l| is_key(l, &path))?;
        let method_line = (path_line + 1..lines.len()).find(|&i| is_key(lines[i], &method));
        let rules_line = method_line.and_then(|m| {
            let depth = indent(lines[m]);
            (m + 1..lines.len())
                .take_while(|&i| lines[i].trim().is_empty() || indent(lines[i]) > depth)
                .find(|&i| is_key(lines[i], "x-concord-rules"))
        });
        let line = if rules {
            rules_line.or(method_line)
        } else {
            method_line
        };
        Some(SourcePlace {
            file: PathBuf::from("spec/vendors").join(&source.file_name),
            line: line.unwrap_or(path_line) + 1,
            name: raw,
        })
    })
}

/// The source whose tag this is, at its `x-concord-mock` block.
pub fn tag_place(sources: &[Source], vendors: &std::path::Path, tag: &str) -> Option<SourcePlace> {
    let source = sources.iter().find(|s| s.meta.tag == tag)?;
    let text = std::fs::read_to_string(vendors.join(&source.file_name)).unwrap_or_default();
    let line = text.lines().position(|l| l.trim_end() == "x-concord-mock:");
    Some(SourcePlace {
        file: PathBuf::from("spec/vendors").join(&source.file_name),
        line: line.map_or(0, |l| l + 1),
        name: "x-concord-mock".into(),
    })
}

/// The path, method and source operationId of a normalized operationId (`magicline_add_access_medium`).
fn source_operation(source: &Source, operation_id: &str) -> Option<(String, String, String)> {
    let paths = source.doc.get("paths")?.as_object()?;
    paths.iter().find_map(|(path, item)| {
        item.as_object()?.iter().find_map(|(method, op)| {
            let raw = op.get("operationId").and_then(Value::as_str)?;
            (format!("{}_{}", source.meta.id, raw.to_snake_case()) == operation_id)
                .then(|| (path.clone(), method.clone(), raw.to_owned()))
        })
    })
}

/// Whether a YAML line is the mapping key `key` (bare or quoted).
fn is_key(line: &str, key: &str) -> bool {
    let trimmed = line.trim();
    [
        format!("{key}:"),
        format!("'{key}':"),
        format!("\"{key}\":"),
    ]
    .iter()
    .any(|k| trimmed == k || trimmed.starts_with(&format!("{k} ")))
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_recognised_bare_quoted_and_with_a_flow_value() {
        assert!(is_key("  /v1/cards:", "/v1/cards"));
        assert!(is_key("  '/v1/cards':", "/v1/cards"));
        assert!(is_key(
            "      x-concord-rules: [{respond: 200}]",
            "x-concord-rules"
        ));
        assert!(!is_key("      x-concord-rules-extra:", "x-concord-rules"));
        assert!(!is_key("  /v1/cards/{id}:", "/v1/cards"));
    }
}
