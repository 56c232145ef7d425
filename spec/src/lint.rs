//! The project's own rules for the normalized document, checked on its openapiv3 parse.

use std::collections::BTreeSet;

use openapiv3::{OpenAPI, Operation, Parameter, ReferenceOr, Response, Schema, SchemaKind, Type};

/// One broken rule: where, and which rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// `METHOD /path`, `components/schemas/Name`, ...
    pub place: String,
    /// What the rule asks for.
    pub rule: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.place, self.rule)
    }
}

/// Parses YAML text into the openapiv3 model progenitor uses.
pub fn parse(text: &str) -> Result<OpenAPI, serde_yaml_ng::Error> {
    serde_yaml_ng::from_str(text)
}

/// Checks every rule; an empty list means the document is clean.
pub fn lint(doc: &OpenAPI) -> Vec<Violation> {
    let mut linter = Linter {
        doc,
        found: Vec::new(),
    };
    linter.operations();
    linter.component_schemas();
    linter.found
}

struct Linter<'a> {
    doc: &'a OpenAPI,
    found: Vec<Violation>,
}

impl Linter<'_> {
    fn report(&mut self, place: &str, rule: impl Into<String>) {
        self.found.push(Violation {
            place: place.to_owned(),
            rule: rule.into(),
        });
    }

    fn operations(&mut self) {
        let tags: Vec<_> = self.doc.tags.iter().collect();
        let schemes: BTreeSet<&String> = self
            .doc
            .components
            .iter()
            .flat_map(|c| c.security_schemes.keys())
            .collect();
        let mut seen_ids = BTreeSet::new();
        for (path, method, op, item_parameters) in self.doc.paths.iter().flat_map(|(path, item)| {
            let item = item
                .as_item()
                .expect("progenitor rejects $ref path items; so does the normalizer");
            item.iter()
                .map(move |(method, op)| (path, method, op, &item.parameters))
        }) {
            let place = format!("{} {path}", method.to_uppercase());
            self.operation_fields(&place, op, &mut seen_ids);
            let tag = op
                .tags
                .first()
                .and_then(|t| tags.iter().find(|d| &d.name == t));
            match tag {
                Some(tag) if op.tags.len() == 1 => {
                    match tag
                        .extensions
                        .get("x-error-schema")
                        .and_then(|v| v.as_str())
                    {
                        Some(error_ref) => self.responses(&place, op, error_ref),
                        None => {
                            self.report(&place, format!("tag {} has no x-error-schema", tag.name))
                        }
                    }
                }
                _ => self.report(&place, "exactly one tag, declared in the top-level tags"),
            }
            match &op.security {
                Some(reqs) if !reqs.is_empty() => {
                    for name in reqs.iter().flat_map(|r| r.keys()) {
                        if !schemes.contains(name) {
                            self.report(&place, format!("security scheme {name} is not defined"));
                        }
                    }
                }
                _ => self.report(&place, "a security requirement on the operation"),
            }
            for parameter in item_parameters.iter().chain(&op.parameters) {
                self.parameter(&place, parameter);
            }
            if let Some(ReferenceOr::Item(body)) = &op.request_body
                && body.content.len() != 1
            {
                self.report(
                    &place,
                    "a request body with exactly one media type (progenitor)",
                );
            }
        }
    }

    fn operation_fields(&mut self, place: &str, op: &Operation, seen_ids: &mut BTreeSet<String>) {
        match &op.operation_id {
            Some(id) if is_verb_object_id(id) => {
                if !seen_ids.insert(id.clone()) {
                    self.report(place, format!("operationId {id} is not unique"));
                }
            }
            other => self.report(
                place,
                format!("an operationId `<api>_<verb>_<object>`, found {other:?}"),
            ),
        }
        if op.summary.as_deref().is_none_or(str::is_empty) {
            self.report(place, "a summary");
        }
        if op.description.as_deref().is_none_or(str::is_empty) {
            self.report(place, "a description");
        }
        let source = op.extensions.get("x-source");
        for key in ["vendor", "pageTitle", "pageUrl"] {
            if source
                .and_then(|s| s.get(key))
                .and_then(|v| v.as_str())
                .is_none()
            {
                self.report(place, format!("x-source.{key}"));
            }
        }
    }

    fn responses(&mut self, place: &str, op: &Operation, error_ref: &str) {
        let mut success_bodies = BTreeSet::new();
        for (status, response) in &op.responses.responses {
            let code = status.to_string();
            let Some(response) = self.response(response) else {
                self.report(place, format!("{code}: unresolved response reference"));
                continue;
            };
            let body_refs: BTreeSet<Option<String>> = if response.content.is_empty() {
                [None].into()
            } else {
                response
                    .content
                    .values()
                    .map(|m| match &m.schema {
                        Some(ReferenceOr::Reference { reference }) => Some(reference.clone()),
                        _ => Some("<inline>".to_owned()),
                    })
                    .collect()
            };
            if code.starts_with('2') {
                success_bodies.extend(body_refs);
            } else if (code.starts_with('4') || code.starts_with('5'))
                && body_refs != [Some(error_ref.to_owned())].into()
            {
                self.report(place, format!("{code}: the body must be $ref {error_ref}"));
            }
        }
        if op.responses.default.is_some() {
            self.report(place, "no `default` response (progenitor: one error type)");
        }
        if success_bodies.len() != 1 {
            self.report(
                place,
                format!("one success body shared by all 2xx (or none), found {success_bodies:?}"),
            );
        } else if success_bodies.contains(&Some("<inline>".to_owned())) {
            self.report(place, "the success body must $ref a named schema");
        }
    }

    fn response<'r>(&'r self, response: &'r ReferenceOr<Response>) -> Option<&'r Response> {
        match response {
            ReferenceOr::Item(r) => Some(r),
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/responses/")?;
                self.doc.components.as_ref()?.responses.get(name)?.as_item()
            }
        }
    }

    fn parameter(&mut self, place: &str, parameter: &ReferenceOr<Parameter>) {
        let parameter = match parameter {
            ReferenceOr::Item(p) => Some(p),
            ReferenceOr::Reference { reference } => reference
                .strip_prefix("#/components/parameters/")
                .and_then(|name| {
                    self.doc
                        .components
                        .as_ref()?
                        .parameters
                        .get(name)?
                        .as_item()
                }),
        };
        let Some(parameter) = parameter else {
            self.report(place, "unresolved parameter reference");
            return;
        };
        match parameter {
            Parameter::Path { parameter_data, .. } => {
                let format = match &parameter_data.format {
                    openapiv3::ParameterSchemaOrContent::Schema(ReferenceOr::Item(schema)) => {
                        schema_format(schema)
                    }
                    _ => None,
                };
                if format.is_none() {
                    self.report(
                        place,
                        format!(
                            "path parameter {} must declare a format",
                            parameter_data.name
                        ),
                    );
                }
            }
            Parameter::Cookie { parameter_data, .. } => self.report(
                place,
                format!(
                    "cookie parameter {} (progenitor cannot generate it)",
                    parameter_data.name
                ),
            ),
            _ => {}
        }
    }

    fn component_schemas(&mut self) {
        let Some(components) = &self.doc.components else {
            return;
        };
        for (name, schema) in &components.schemas {
            let place = format!("components/schemas/{name}");
            match schema {
                ReferenceOr::Item(schema) if schema.schema_data.example.is_none() => {
                    self.report(&place, "an example");
                }
                ReferenceOr::Item(schema) if schema.schema_data.description.is_none() => {
                    self.report(&place, "a description");
                }
                ReferenceOr::Item(_) => {}
                ReferenceOr::Reference { .. } => self.report(&place, "a schema, not an alias $ref"),
            }
        }
    }
}

/// `<api>_<verb>_<object>`: lower snake case, at least three words.
fn is_verb_object_id(id: &str) -> bool {
    let words: Vec<&str> = id.split('_').collect();
    words.len() >= 3
        && words.iter().all(|w| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

fn schema_format(schema: &Schema) -> Option<String> {
    let format = match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => format!("{:?}", s.format),
        SchemaKind::Type(Type::Integer(i)) => format!("{:?}", i.format),
        SchemaKind::Type(Type::Number(n)) => format!("{:?}", n.format),
        _ => return None,
    };
    // openapiv3 renders an absent format as `Empty`.
    (format != "Empty").then_some(format)
}
