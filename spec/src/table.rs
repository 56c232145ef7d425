//! The Markdown table of operations that spec/README.md carries (a test keeps it equal to the document).

use serde_json::Value;

use crate::normalize::METHODS;

/// One row per operation: method, path, operationId, source, deprecated, statuses.
pub fn operations_table(doc: &Value) -> String {
    let mut out = String::from(
        "| method | path | operationId | source | deprecated | statuses |\n|---|---|---|---|---|---|\n",
    );
    let empty = serde_json::Map::new();
    for (path, item) in doc["paths"].as_object().unwrap_or(&empty) {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let mut statuses: Vec<String> = op["responses"]
                .as_object()
                .unwrap_or(&empty)
                .keys()
                .cloned()
                .collect();
            statuses.extend(
                op["x-omitted-responses"]
                    .as_object()
                    .unwrap_or(&empty)
                    .keys()
                    .map(|s| format!("({s})")),
            );
            out.push_str(&format!(
                "| {} | `{}` | `{}` | {} | {} | {} |\n",
                method.to_uppercase(),
                path,
                op["operationId"].as_str().unwrap_or_default(),
                op["tags"][0].as_str().unwrap_or_default(),
                if op["deprecated"] == true { "yes" } else { "" },
                statuses.join(", "),
            ));
        }
    }
    out
}
