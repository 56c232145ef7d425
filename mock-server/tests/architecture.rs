//! The engine is generic and its modules form no cycle: checked on the source itself, so that anyone can
//! run it (`cargo test -p concord-mock --test architecture`).
//!
//! - No vendor knowledge in `mock-server/src` outside comments: no tag (vendor) name, operationId, state
//!   kind, documented example name or vendor error code of the embedded contract and demo data.
//! - Nor in the SDK's hand-written files (`sdk/src` but `generated*.rs`, before their unit tests): no tag
//!   name, credential or request-id header, or vendor error-body field.
//! - The graph of `crate::<module>` references between top-level modules has no cycle.
//! - No `unsafe` in the workspace but the one allocator call of the mock's binary.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The code of a file without comments (line comments and doc comments; `//` inside a string such as
/// `http://` is kept).
fn code(text: &str) -> String {
    text.lines()
        .map(|line| {
            let trimmed = line.trim_start();
            if trimmed.starts_with("//") {
                return String::new();
            }
            // A trailing comment starts with `// ` after code.
            match line.find(" // ") {
                Some(at) => line[..at].to_owned(),
                None => line.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Words that only a vendor module would write.
fn vendor_words() -> BTreeSet<String> {
    let document: Value = serde_yaml_ng::from_str(concord_spec::OPENAPI_YAML).unwrap();
    let mut words = BTreeSet::new();
    for tag in document["tags"].as_array().unwrap() {
        let name = tag["name"].as_str().unwrap();
        words.insert(name.to_lowercase());
        for part in name.split(' ').filter(|p| p.len() >= 4) {
            words.insert(part.to_lowercase());
        }
    }
    fn collect(value: &Value, words: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    match key.as_str() {
                        "operationId" => {
                            words.insert(child.as_str().unwrap().to_lowercase());
                        }
                        "examples" => {
                            for name in child.as_object().into_iter().flatten().map(|(k, _)| k) {
                                if name.contains('_') {
                                    words.insert(name.to_lowercase());
                                }
                            }
                        }
                        "code" | "errorCode" => {
                            if let Some(code) = child.as_str().filter(|c| c.len() >= 6) {
                                words.insert(code.to_lowercase());
                            }
                        }
                        _ => {}
                    }
                    collect(child, words);
                }
            }
            Value::Array(items) => items.iter().for_each(|i| collect(i, words)),
            _ => {}
        }
    }
    collect(&document, &mut words);
    // HTTP's own reason phrases (`NOT_FOUND`, `BAD_REQUEST`) are no vendor's.
    for status in 100..600 {
        if let Some(reason) = reqwest::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
        {
            words.remove(&reason.to_lowercase().replace([' ', '-'], "_"));
        }
    }
    let demo: Value = serde_json::from_str(concord_mock::demo_data::EMBEDDED).unwrap();
    for kind in demo.as_object().unwrap().keys() {
        if !kind.starts_with('_') && !kind.starts_with("auth.") {
            words.insert(kind.to_lowercase());
        }
    }
    // The kinds' vendor prefixes (`magicline.`) too.
    let prefixes: Vec<String> = words
        .iter()
        .filter_map(|w| w.split_once('.').map(|(p, _)| p.to_owned()))
        .filter(|p| p.len() >= 2)
        .collect();
    words.extend(prefixes.into_iter().map(|p| format!("\"{p}.")));
    words
}

#[test]
fn the_engine_names_no_vendor() {
    let words = vendor_words();
    assert!(
        words.contains("magicline_add_access_medium") && words.len() > 40,
        "the word list is built from the contract: {words:?}"
    );
    let mut files = Vec::new();
    sources(&src(), &mut files);
    let mut found = Vec::new();
    for file in &files {
        let code = code(&std::fs::read_to_string(file).unwrap()).to_lowercase();
        for (n, line) in code.lines().enumerate() {
            for word in &words {
                if line.contains(word.as_str()) {
                    found.push(format!(
                        "{}:{}: `{word}` in {}",
                        file.strip_prefix(src()).unwrap().display(),
                        n + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "vendor knowledge in the engine:\n{}",
        found.join("\n")
    );
}

/// Words that only vendor knowledge would put in the SDK's hand-written code: the tags' names and the
/// header names the security schemes and `x-concord-request-id` name (in any case), and the vendors'
/// camel-case error-body fields as written and as Rust fields (in their case: `statusCode` is a field,
/// `StatusCode` a type of `http`).
fn sdk_vendor_words() -> (BTreeSet<String>, BTreeSet<String>) {
    let document: Value = serde_yaml_ng::from_str(concord_spec::OPENAPI_YAML).unwrap();
    let (mut any_case, mut fields) = (BTreeSet::new(), BTreeSet::new());
    let schemas = &document["components"]["schemas"];
    for tag in document["tags"].as_array().unwrap() {
        let name = tag["name"].as_str().unwrap();
        any_case.insert(name.to_lowercase());
        any_case.extend(
            name.split(' ')
                .filter(|p| p.len() >= 4)
                .map(str::to_lowercase),
        );
        for place in tag["x-concord-request-id"].as_array().into_iter().flatten() {
            any_case.insert(place["name"].as_str().unwrap().to_lowercase());
        }
        let error = tag["x-error-schema"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap();
        let mut pending = vec![&schemas[error]];
        while let Some(schema) = pending.pop() {
            if let Some(target) = schema["$ref"].as_str() {
                pending.push(&schemas[target.rsplit('/').next().unwrap()]);
            }
            pending.extend(schema.get("items"));
            for (field, child) in schema["properties"].as_object().into_iter().flatten() {
                if field.chars().any(|c| c.is_ascii_uppercase()) {
                    fields.insert(field.clone());
                    fields.insert(snake(field));
                }
                pending.push(child);
            }
        }
    }
    for scheme in document["components"]["securitySchemes"]
        .as_object()
        .unwrap()
        .values()
    {
        if scheme["in"] == "header" {
            any_case.insert(scheme["name"].as_str().unwrap().to_lowercase());
        }
    }
    (any_case, fields)
}

/// `traceId` → `trace_id`, as typify names the field.
fn snake(camel: &str) -> String {
    let mut out = String::new();
    for c in camel.chars() {
        if c.is_ascii_uppercase() && !out.is_empty() {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// The SDK's hand-written files: everything in `sdk/src` but the generated layer.
fn sdk_hand_written() -> Vec<PathBuf> {
    let sdk = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sdk/src");
    let mut files = Vec::new();
    sources(&sdk, &mut files);
    files.retain(|f| {
        !f.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("generated")
    });
    files
}

/// A file's code before its unit tests (`#[cfg(test)]` at the end), which may call the vendors by name.
fn before_tests(text: &str) -> &str {
    text.find("#[cfg(test)]").map_or(text, |at| &text[..at])
}

#[test]
fn the_sdks_hand_written_code_names_no_vendor() {
    let (any_case, fields) = sdk_vendor_words();
    for expected in ["magicline", "x-auth-roles", "mck-msgid"] {
        assert!(any_case.contains(expected), "{expected}: {any_case:?}");
    }
    for expected in ["traceId", "trace_id", "statusCode"] {
        assert!(fields.contains(expected), "{expected}: {fields:?}");
    }
    let files = sdk_hand_written();
    assert!(files.len() >= 10, "{files:?}");
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let code = code(before_tests(&text));
        for (n, line) in code.lines().enumerate() {
            let lower = line.to_lowercase();
            let hits = any_case
                .iter()
                .filter(|w| lower.contains(w.as_str()))
                .chain(fields.iter().filter(|w| line.contains(w.as_str())));
            for word in hits {
                found.push(format!(
                    "{}:{}: `{word}` in {}",
                    file.file_name().unwrap().to_string_lossy(),
                    n + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "vendor knowledge in the SDK's hand-written code:\n{}",
        found.join("\n")
    );
}

/// Top-level module → the top-level modules it references.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    sources(&src(), &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(src()).unwrap();
        let first = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_owned();
        if module == "lib" || module == "main" {
            continue;
        }
        let code = code(&std::fs::read_to_string(&file).unwrap());
        let edges = graph.entry(module.clone()).or_default();
        for (at, _) in code.match_indices("crate::") {
            let rest = &code[at + "crate::".len()..];
            let mut targets = Vec::new();
            if let Some(group) = rest.strip_prefix('{') {
                // `crate::{a, b::c}`
                let group = &group[..group.find('}').unwrap_or(group.len())];
                targets.extend(
                    group
                        .split(',')
                        .map(|p| p.trim().split("::").next().unwrap_or("").to_owned()),
                );
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                targets.push(name);
            }
            for target in targets {
                if !target.is_empty() && target != module {
                    edges.insert(target);
                }
            }
        }
    }
    graph
}

fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|p| p == node) {
            let mut found = path[start..].to_vec();
            found.push(node.to_owned());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_module_graph_has_no_cycle() {
    let graph = module_graph();
    assert!(
        graph["pipeline"].contains("engine") && graph["engine"].contains("rules"),
        "the graph is read from the source: {graph:?}"
    );
    if let Some(found) = cycle(&graph) {
        panic!("import cycle: {}", found.join(" → "));
    }
}

#[test]
fn the_cycle_check_finds_a_cycle() {
    let mut graph = module_graph();
    graph.get_mut("rules").unwrap().insert("engine".into());
    let found = cycle(&graph).expect("rules → engine → rules is a cycle");
    assert!(found.contains(&"engine".to_owned()) && found.contains(&"rules".to_owned()));
}

/// Every `.rs` file of the workspace's member crates (their sources, tests, examples, benches and build
/// scripts; not `target/` or `node_modules/`), the members read from the workspace's Cargo.toml.
fn workspace_sources() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let members = manifest
        .lines()
        .find_map(|line| line.strip_prefix("members = "))
        .expect("the workspace's members line");
    let mut files = Vec::new();
    for member in members
        .trim_matches(['[', ']'])
        .split(',')
        .map(|m| m.trim().trim_matches('"'))
        .filter(|m| !m.is_empty())
    {
        sources(&root.join(member), &mut files);
    }
    files.retain(|f| {
        !f.components()
            .any(|c| c.as_os_str() == "node_modules" || c.as_os_str() == "target")
    });
    files
}

/// The workspace denies `unsafe_code`; the only place allowed to lift it is the binary's call that hands
/// start-up's freed memory back to the system. A new `allow` is a decision to review, not a side effect.
#[test]
fn unsafe_code_is_allowed_in_one_place_only() {
    let lifted = ["allow(unsafe_code)", "expect(unsafe_code)"];
    let mut found: Vec<String> = Vec::new();
    // This file names what it looks for.
    let this =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(file!().trim_start_matches("mock-server/"));
    for file in workspace_sources().into_iter().filter(|f| *f != this) {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in code(&text).lines().enumerate() {
            if lifted.iter().any(|l| line.contains(l)) {
                found.push(format!("{}:{}", file.display(), n + 1));
            }
        }
    }
    assert_eq!(found.len(), 1, "places that allow unsafe code: {found:#?}");
    assert!(
        found[0].contains("mock-server/src/main.rs"),
        "the one allowance moved: {found:?}"
    );
}
