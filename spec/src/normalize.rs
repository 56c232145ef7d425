//! Joins the vendor sources into the one normalized document (rules: spec/README.md).

use std::collections::{BTreeMap, BTreeSet};

use heck::ToSnakeCase;
use serde_json::{Map, Value, json};

use crate::error::{Result, SpecError};
use crate::source::Source;

/// Component kinds of OpenAPI 3.0, in the order the output lists them.
pub(crate) const COMPONENT_KINDS: [&str; 9] = [
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
];

/// HTTP methods a path item may hold.
pub(crate) const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// First words allowed in an operationId: one verb-object scheme across vendors.
pub const OPERATION_VERBS: [&str; 12] = [
    "add", "assign", "cancel", "create", "delete", "get", "list", "order", "remove", "replace",
    "start", "update",
];

/// Why a documented error response without a body is left out of `responses`.
const OMITTED_REASON: &str = "Documented without a body. progenitor gives an operation one error type, which a \
body-less error cannot share, so the status is kept here instead of under `responses`: SDK users get it as an \
unexpected-status error, and the mock answers it without a body where it applies.";

/// Builds the normalized document from the header (openapi, info, servers) and the sources.
pub fn normalize(header: &Value, sources: &[Source]) -> Result<Value> {
    let mut out = Output::default();
    for source in sources {
        SourceNormalizer::new(source)?.run(&mut out)?;
    }
    let mut doc = header
        .as_object()
        .cloned()
        .ok_or_else(|| SpecError::source("header.yaml", "must be a mapping"))?;
    doc.insert("tags".into(), Value::Array(out.tags));
    doc.insert(
        "paths".into(),
        Value::Object(out.paths.into_iter().collect()),
    );
    let mut components = Map::new();
    for kind in COMPONENT_KINDS {
        if let Some(entries) = out.components.remove(kind) {
            components.insert(kind.into(), Value::Object(entries.into_iter().collect()));
        }
    }
    doc.insert("components".into(), Value::Object(components));
    Ok(Value::Object(doc))
}

/// What all sources contribute, in deterministic order (paths and component names sorted).
#[derive(Default)]
struct Output {
    tags: Vec<Value>,
    paths: BTreeMap<String, Value>,
    /// Path → the file of the source that defined it (to name both sides of a collision).
    path_sources: BTreeMap<String, String>,
    components: BTreeMap<&'static str, BTreeMap<String, Value>>,
    operation_ids: BTreeSet<String>,
}

struct SourceNormalizer<'a> {
    source: &'a Source,
    doc: Value,
    error_ref: String,
    security: Value,
    /// The source's own operationIds → normalized ones (for `links`).
    operation_ids: BTreeMap<String, String>,
}

impl<'a> SourceNormalizer<'a> {
    fn new(source: &'a Source) -> Result<Self> {
        let mut doc = source.doc.clone();
        prefix_refs(&mut doc, &source.meta.prefix, &source.file_name)?;
        let error_ref = format!(
            "#/components/schemas/{}{}",
            source.meta.prefix, source.meta.error_schema
        );
        let operation_ids = doc["paths"]
            .as_object()
            .into_iter()
            .flat_map(|paths| paths.values())
            .flat_map(|item| item.as_object().into_iter().flat_map(|m| m.values()))
            .filter_map(|op| op.get("operationId")?.as_str())
            .map(|raw| {
                (
                    raw.to_owned(),
                    format!("{}_{}", source.meta.id, raw.to_snake_case()),
                )
            })
            .collect();
        let normalizer = SourceNormalizer {
            source,
            security: Value::Null,
            error_ref,
            doc,
            operation_ids,
        };
        if normalizer.resolve(&normalizer.error_ref).is_none() {
            return Err(normalizer.fail(format!(
                "errorSchema {:?} is not in components.schemas",
                source.meta.error_schema
            )));
        }
        let security = normalizer
            .doc
            .get("security")
            .map(|s| normalizer.prefix_security(s))
            .transpose()?
            .unwrap_or(Value::Null);
        Ok(SourceNormalizer {
            security,
            ..normalizer
        })
    }

    fn fail(&self, message: impl Into<String>) -> SpecError {
        SpecError::source(&self.source.file_name, message)
    }

    /// Looks up a local `#/components/...` reference (already prefixed) in this source.
    fn resolve(&self, reference: &str) -> Option<&Value> {
        let (kind, name) = reference.strip_prefix("#/components/")?.split_once('/')?;
        let unprefixed = name.strip_prefix(&self.source.meta.prefix)?;
        self.doc.get("components")?.get(kind)?.get(unprefixed)
    }

    fn run(self, out: &mut Output) -> Result<()> {
        let meta = &self.source.meta;
        if let Some(components) = self.doc.get("components").and_then(Value::as_object) {
            for (kind, entries) in components {
                if kind.starts_with("x-") {
                    continue;
                }
                let Some(&kind) = COMPONENT_KINDS.iter().find(|k| **k == kind) else {
                    return Err(self.fail(format!("unknown component kind {kind:?}")));
                };
                let target = out.components.entry(kind).or_default();
                for (name, value) in entries.as_object().into_iter().flatten() {
                    let full = format!("{}{name}", meta.prefix);
                    if target.insert(full.clone(), value.clone()).is_some() {
                        return Err(self.fail(format!("component {kind}/{full} exists twice")));
                    }
                }
            }
        }
        let servers = self
            .doc
            .get("servers")
            .filter(|s| s.as_array().is_some_and(|a| !a.is_empty()))
            .ok_or_else(|| self.fail("`servers` must list the vendor's real base URL(s)"))?
            .clone();
        let paths = self
            .doc
            .get("paths")
            .and_then(Value::as_object)
            .ok_or_else(|| self.fail("`paths` is missing"))?;
        for (path, item) in paths {
            let item = item
                .as_object()
                .ok_or_else(|| self.fail(format!("path {path} must be a mapping, not a $ref")))?;
            if let Some(other) = out.path_sources.get(path) {
                return Err(self.fail(format!(
                    "path {path} is already defined by another source ({other}); paths must differ \
                     across APIs because the mock serves them all on one origin"
                )));
            }
            out.path_sources
                .insert(path.clone(), self.source.file_name.clone());
            let mut normalized = Map::new();
            if !item.contains_key("servers") {
                normalized.insert("servers".into(), servers.clone());
            }
            for (key, value) in item {
                let value = if METHODS.contains(&key.as_str()) {
                    self.operation(path, key, value, &mut out.operation_ids)?
                } else {
                    value.clone()
                };
                normalized.insert(key.clone(), value);
            }
            out.paths.insert(path.clone(), Value::Object(normalized));
        }
        let info = self.doc.get("info").cloned().unwrap_or(Value::Null);
        let mut tag = json!({
            "name": meta.tag,
            "description": meta.tag_description,
            "x-vendor": meta.vendor,
            "x-source-api": format!(
                "{} {}",
                info.get("title").and_then(Value::as_str).unwrap_or_default(),
                info.get("version").and_then(Value::as_str).unwrap_or_default()
            ),
            "x-error-schema": self.error_ref,
            // The SDK names the API after it (`Api::EsLoyalty`, `CONCORD_ES_LOYALTY_*`).
            "x-concord-id": meta.id,
        });
        for place in &meta.request_id {
            let components = &self.doc["components"];
            if place.place == crate::source::RequestIdIn::Body
                && crate::schema_walk::find_property(
                    components,
                    &components["schemas"][&meta.error_schema],
                    &[&place.name],
                    "string",
                )
                .is_none()
            {
                return Err(self.fail(format!(
                    "info.x-concord.requestId: the error schema {} has no text property {:?}",
                    meta.error_schema, place.name
                )));
            }
        }
        if !meta.request_id.is_empty() {
            tag["x-concord-request-id"] = serde_json::to_value(&meta.request_id)
                .map_err(|e| self.fail(format!("info.x-concord.requestId: {e}")))?;
        }
        // The mock's declared behaviour of this vendor (spec/README.md, "The mock's vocabulary").
        if let Some(mock) = self.doc.get("x-concord-mock") {
            tag["x-concord-mock"] = mock.clone();
        }
        out.tags.push(tag);
        Ok(())
    }

    fn operation(
        &self,
        path: &str,
        method: &str,
        op: &Value,
        operation_ids: &mut BTreeSet<String>,
    ) -> Result<Value> {
        let meta = &self.source.meta;
        let here = format!("{} {path}", method.to_uppercase());
        let op = op
            .as_object()
            .ok_or_else(|| self.fail(format!("{here}: must be a mapping")))?;
        let raw_id = op
            .get("operationId")
            .and_then(Value::as_str)
            .ok_or_else(|| self.fail(format!("{here}: operationId is missing")))?;
        let snake = raw_id.to_snake_case();
        let verb = snake.split('_').next().unwrap_or_default();
        if !OPERATION_VERBS.contains(&verb) || !snake.contains('_') {
            return Err(self.fail(format!(
                "{here}: operationId {raw_id:?} must be verbObject with a verb from {OPERATION_VERBS:?}"
            )));
        }
        let operation_id = format!("{}_{snake}", meta.id);
        if !operation_ids.insert(operation_id.clone()) {
            return Err(self.fail(format!("{here}: operationId {operation_id} is not unique")));
        }
        let x_source = op
            .get("x-source")
            .and_then(Value::as_object)
            .ok_or_else(|| {
                self.fail(format!("{here}: x-source (pageTitle, pageUrl) is missing"))
            })?;
        for key in ["pageTitle", "pageUrl"] {
            if !x_source.contains_key(key) {
                return Err(self.fail(format!("{here}: x-source.{key} is missing")));
            }
        }
        let mut provenance = Map::new();
        provenance.insert("vendor".into(), meta.vendor.clone().into());
        provenance.insert(
            "file".into(),
            format!("spec/vendors/{}", self.source.file_name).into(),
        );
        provenance.extend(x_source.clone());

        let security = match op.get("security") {
            Some(s) => self.prefix_security(s)?,
            None => self.security.clone(),
        };
        if security.as_array().is_none_or(Vec::is_empty) {
            return Err(self.fail(format!("{here}: no security requirement")));
        }
        let (responses, omitted) = self.responses(&here, op.get("responses"))?;

        let mut normalized = Map::new();
        normalized.insert("operationId".into(), operation_id.into());
        normalized.insert("tags".into(), json!([meta.tag]));
        for (key, value) in op {
            match key.as_str() {
                "operationId" | "tags" | "security" | "x-source" => {}
                // The replacement of a deprecated operation, named as the vendor's document names it.
                "x-speakeasy-deprecation-replacement" | "x-replaced-by" => {
                    let raw = value.as_str().unwrap_or_default();
                    let replacement = self.operation_ids.get(raw).ok_or_else(|| {
                        self.fail(format!("{here}: {key} names unknown operationId {raw:?}"))
                    })?;
                    normalized.insert(key.clone(), replacement.clone().into());
                }
                "responses" => {
                    normalized.insert("responses".into(), responses.clone());
                    if !omitted.is_empty() {
                        normalized
                            .insert("x-omitted-responses".into(), Value::Object(omitted.clone()));
                    }
                }
                _ => {
                    normalized.insert(key.clone(), value.clone());
                }
            }
        }
        normalized.insert("security".into(), security);
        normalized.insert("x-source".into(), Value::Object(provenance));
        Ok(Value::Object(normalized))
    }

    /// Checks that every error response uses the source's error schema, and moves body-less ones aside.
    fn responses(
        &self,
        here: &str,
        responses: Option<&Value>,
    ) -> Result<(Value, Map<String, Value>)> {
        let responses = responses
            .and_then(Value::as_object)
            .ok_or_else(|| self.fail(format!("{here}: responses are missing")))?;
        let mut kept = Map::new();
        let mut omitted = Map::new();
        for (status, response) in responses {
            let is_error =
                status.starts_with('4') || status.starts_with('5') || status == "default";
            if !is_error {
                kept.insert(status.clone(), self.rewrite_links(here, status, response)?);
                continue;
            }
            let resolved = match response.get("$ref").and_then(Value::as_str) {
                Some(r) => self
                    .resolve(r)
                    .ok_or_else(|| self.fail(format!("{here}: {status}: unresolved {r}")))?,
                None => response,
            };
            let content = resolved.get("content").and_then(Value::as_object);
            match content {
                None => {
                    omitted.insert(
                        status.clone(),
                        json!({
                            "description": resolved.get("description").cloned().unwrap_or_default(),
                            "reason": OMITTED_REASON,
                        }),
                    );
                }
                Some(content) => {
                    for (media, body) in content {
                        let schema_ref = body.pointer("/schema/$ref").and_then(Value::as_str);
                        if schema_ref != Some(self.error_ref.as_str()) {
                            return Err(self.fail(format!(
                                "{here}: {status} {media} must use the error schema {}, found {schema_ref:?}",
                                self.error_ref
                            )));
                        }
                    }
                    kept.insert(status.clone(), response.clone());
                }
            }
        }
        Ok((Value::Object(kept), omitted))
    }

    /// Points each link's `operationId` at the normalized id of the source's operation it names.
    fn rewrite_links(&self, here: &str, status: &str, response: &Value) -> Result<Value> {
        let mut response = response.clone();
        if let Some(links) = response.get_mut("links").and_then(Value::as_object_mut) {
            for (name, link) in links.iter_mut() {
                let raw = link["operationId"].as_str().unwrap_or_default().to_owned();
                let normalized = self.operation_ids.get(&raw).ok_or_else(|| {
                    self.fail(format!(
                        "{here}: {status} link {name} names unknown operationId {raw:?}"
                    ))
                })?;
                link["operationId"] = Value::String(normalized.clone());
            }
        }
        Ok(response)
    }

    fn prefix_security(&self, security: &Value) -> Result<Value> {
        let requirements = security
            .as_array()
            .ok_or_else(|| self.fail("`security` must be a list"))?;
        let schemes = self.doc.pointer("/components/securitySchemes");
        requirements
            .iter()
            .map(|requirement| {
                let requirement = requirement
                    .as_object()
                    .ok_or_else(|| self.fail("a security requirement must be a mapping"))?;
                requirement
                    .iter()
                    .map(|(name, scopes)| {
                        if schemes.and_then(|s| s.get(name)).is_none() {
                            return Err(
                                self.fail(format!("security scheme {name:?} is not defined"))
                            );
                        }
                        Ok((format!("{}{name}", self.source.meta.prefix), scopes.clone()))
                    })
                    .collect::<Result<Map<_, _>>>()
                    .map(Value::Object)
            })
            .collect::<Result<Vec<_>>>()
            .map(Value::Array)
    }
}

/// Prefixes every `#/components/<kind>/<Name>` reference; anything else is an error.
fn prefix_refs(value: &mut Value, prefix: &str, file: &str) -> Result<()> {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get_mut("$ref") {
                let Some((kind, name)) = reference
                    .strip_prefix("#/components/")
                    .and_then(|r| r.split_once('/'))
                else {
                    return Err(SpecError::source(
                        file,
                        format!(
                            "only local #/components/ references are allowed, found {reference:?}"
                        ),
                    ));
                };
                *reference = format!("#/components/{kind}/{prefix}{name}");
            }
            map.values_mut()
                .try_for_each(|v| prefix_refs(v, prefix, file))
        }
        Value::Array(items) => items
            .iter_mut()
            .try_for_each(|v| prefix_refs(v, prefix, file)),
        _ => Ok(()),
    }
}
