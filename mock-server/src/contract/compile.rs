//! Document → [`Contract`]: vendors from tags, resources, security schemes, operations with validators
//! and compiled rules. Every problem is a [`ContractError`] naming where it is.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::http::Method;
use serde_json::{Map, Value, json};

use super::error_shape::{ErrorShape, synthesize};
use super::infer::{Inferred, infer, json_media};
use super::schema::Schemas;
use super::{
    BodyMedia, BodySpec, Contract, ContractError, Location, Operation, Param, ResponseSpec, Scheme,
    Subject, router,
};
use crate::rules::{OperationFacts, Program, REQUEST_ROOTS, RefusalDecl, Resource};
use crate::template::Names;
use crate::vendor::Vendor;

fn error(location: impl Into<String>, message: impl Into<String>) -> ContractError {
    ContractError {
        location: location.into(),
        message: message.into(),
        subject: Subject::Document,
    }
}

fn error_at(subject: Subject, location: &str, message: impl Into<String>) -> ContractError {
    ContractError {
        subject,
        ..error(location, message)
    }
}

pub(super) fn compile(document: Value) -> Result<Contract, ContractError> {
    let schemas = Schemas::new(&document).map_err(|e| error("components", e))?;
    // Vendor 0 answers for operations and paths no tag claims.
    let mut vendors = vec![Vendor::generic("")];
    // A tag that names no API belongs to the document's (its title's) API.
    let title_api = crate::vendor::kebab(document["info"]["title"].as_str().unwrap_or("api"));
    vendors[0].api = title_api.clone();
    let mut resources: BTreeMap<String, Resource> = BTreeMap::new();
    for tag in document["tags"].as_array().into_iter().flatten() {
        let name = tag["name"].as_str().unwrap_or_default();
        let here = format!("tag {name:?}");
        let at_tag = |e: String| error_at(Subject::Tag(name.to_owned()), &here, e);
        let mut vendor = Vendor::compile(tag).map_err(at_tag)?;
        if vendor.api.is_empty() {
            vendor.api = title_api.clone();
        }
        for (kind, declared) in tag
            .pointer("/x-concord-mock/resources")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let resource = Resource::compile(kind, declared).map_err(at_tag)?;
            if resources.insert(kind.clone(), resource).is_some() {
                return Err(at_tag(format!("resource {kind} is declared by two tags")));
            }
        }
        vendors.push(vendor);
    }
    let schemes = security_schemes(&schemas)?;
    let inferred = infer(&document, &schemas, &resources.keys().cloned().collect());
    for (kind, declared) in &inferred.resources {
        let resource = Resource::compile(kind, declared)
            .map_err(|e| error(format!("inferred resource {kind}"), e))?;
        resources.insert(kind.clone(), resource);
    }
    let mut operations = Vec::new();
    let mut scheme_refusals = BTreeMap::new();
    for (path, item) in document["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            if op.get("operationId").is_none() || !op.is_object() {
                continue;
            }
            let compiled = OperationCompiler {
                schemas: &schemas,
                vendors: &vendors,
                resources: &resources,
                inferred: &inferred,
                security: &document["security"],
            }
            .operation(path, method, item, op)?;
            for (scheme, refusal) in compiled.1 {
                scheme_refusals.insert((compiled.0.id.clone(), scheme), refusal);
            }
            operations.push(compiled.0);
        }
    }
    let prefixes = prefixes(&vendors, &operations)?;
    let shapes = error_shapes(&vendors, &operations);
    Ok(Contract {
        document: Arc::new(document),
        operations,
        schemes,
        scheme_refusals,
        vendors,
        resources,
        prefixes,
        demo_data: inferred.demo_data,
        shapes,
    })
}

fn security_schemes(schemas: &Schemas) -> Result<BTreeMap<String, Scheme>, ContractError> {
    let mut schemes = BTreeMap::new();
    for (name, scheme) in schemas.components()["securitySchemes"]
        .as_object()
        .into_iter()
        .flatten()
    {
        let compiled = match (
            scheme["type"].as_str(),
            scheme["in"].as_str(),
            scheme["scheme"].as_str(),
        ) {
            (Some("apiKey"), Some(place), _) => {
                let key = scheme["name"].as_str().unwrap_or_default().to_owned();
                match place {
                    "header" => Scheme::HeaderKey(key),
                    "query" => Scheme::QueryKey(key),
                    "cookie" => Scheme::CookieKey(key),
                    other => {
                        return Err(error(
                            format!("security scheme {name}"),
                            format!("an apiKey cannot be sent in {other}"),
                        ));
                    }
                }
            }
            (Some("http"), _, Some(s)) if s.eq_ignore_ascii_case("bearer") => Scheme::Bearer,
            (Some("http"), _, Some(s)) if s.eq_ignore_ascii_case("basic") => Scheme::Basic,
            (Some("oauth2") | Some("openIdConnect"), _, _) => Scheme::Bearer,
            other => {
                return Err(error(
                    format!("security scheme {name}"),
                    format!("unsupported {other:?}"),
                ));
            }
        };
        schemes.insert(name.clone(), compiled);
    }
    Ok(schemes)
}

/// First path segment → vendor. Declared prefixes must not clash; inferred ones that two vendors share
/// are left out (their unknown paths get the generic body rather than the wrong vendor's).
fn prefixes(
    vendors: &[Vendor],
    operations: &[Operation],
) -> Result<BTreeMap<String, usize>, ContractError> {
    let mut declared: BTreeMap<String, usize> = BTreeMap::new();
    for (index, vendor) in vendors.iter().enumerate() {
        for prefix in &vendor.prefixes {
            if let Some(other) = declared.insert(prefix.clone(), index) {
                return Err(error_at(
                    Subject::Tag(vendor.name.clone()),
                    &format!("tag {:?}", vendor.name),
                    format!(
                        "x-concord-mock.prefixes: /{prefix} is also claimed by tag {:?}",
                        vendors[other].name
                    ),
                ));
            }
        }
    }
    let mut inferred: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for op in operations {
        if let Some(first) = op.path.split('/').nth(1).filter(|s| !s.starts_with('{')) {
            inferred
                .entry(first.to_owned())
                .or_default()
                .insert(op.vendor);
        }
    }
    for (prefix, owners) in inferred {
        if owners.len() == 1 && !declared.contains_key(&prefix) {
            declared.insert(prefix, owners.into_iter().next().unwrap_or(0));
        }
    }
    Ok(declared)
}

/// Each vendor that declares no error body answers problems outside its operations (an unknown path) in
/// the error schema its operations use most (the generic vendor: its untagged operations), so a path two
/// vendors share never answers in either's body by accident.
fn error_shapes(vendors: &[Vendor], operations: &[Operation]) -> Vec<Option<ErrorShape>> {
    let most_used = |vendor: usize| {
        let mut counted: Vec<(&ErrorShape, usize)> = Vec::new();
        let shapes = operations
            .iter()
            .filter(|op| op.vendor == vendor)
            .flat_map(|op| op.responses.values().filter_map(|r| r.error.as_ref()));
        for shape in shapes {
            match counted.iter_mut().find(|(s, _)| *s == shape) {
                Some((_, n)) => *n += 1,
                None => counted.push((shape, 1)),
            }
        }
        // The first of the most used (document order breaks ties).
        let best = counted.iter().map(|(_, n)| *n).max()?;
        counted
            .into_iter()
            .find(|(_, n)| *n == best)
            .map(|(s, _)| s.clone())
    };
    vendors
        .iter()
        .enumerate()
        .map(|(index, vendor)| (!vendor.declares_error).then(|| most_used(index)).flatten())
        .collect()
}

struct OperationCompiler<'a> {
    schemas: &'a Schemas,
    vendors: &'a [Vendor],
    resources: &'a BTreeMap<String, Resource>,
    inferred: &'a Inferred,
    /// The document's top-level `security`.
    security: &'a Value,
}

type Compiled = (Operation, Vec<(String, RefusalDecl)>);

impl OperationCompiler<'_> {
    /// The JSON type a parameter's schema declares (following a `$ref`).
    fn json_type(&self, schema: &Value) -> String {
        self.schemas.resolve(schema)["type"]
            .as_str()
            .unwrap_or("string")
            .to_owned()
    }

    fn operation(
        &self,
        path: &str,
        method: Method,
        item: &Value,
        op: &Value,
    ) -> Result<Compiled, ContractError> {
        let id = op["operationId"].as_str().unwrap_or_default().to_owned();
        let here = format!("{id} ({method} {path})");
        let fail = |message: String| error_at(Subject::Operation(id.clone()), &here, message);
        let tag = op["tags"][0].as_str().unwrap_or_default();
        let vendor = self
            .vendors
            .iter()
            .position(|v| !v.name.is_empty() && v.name == tag)
            .unwrap_or(0);
        let mut params = Vec::new();
        let declared = item["parameters"].as_array().into_iter().flatten();
        for raw in declared.chain(op["parameters"].as_array().into_iter().flatten()) {
            let p = self.schemas.resolve_checked(raw).map_err(&fail)?;
            let location = match p["in"].as_str() {
                Some("path") => Location::Path,
                Some("query") => Location::Query,
                Some("header") => Location::Header,
                Some("cookie") => Location::Cookie,
                other => return Err(fail(format!("parameter location {other:?}"))),
            };
            let name = p["name"].as_str().unwrap_or_default().to_owned();
            params.push(Param {
                validator: self
                    .schemas
                    .validator(&p["schema"], &format!("parameter {name}"))
                    .map_err(fail)?,
                json_type: self.json_type(&p["schema"]),
                unbounded: self.schemas.resolve(&p["schema"]).get("format").is_none(),
                required: p["required"] == true,
                location,
                name,
            });
        }
        let body = match op.get("requestBody") {
            Some(body) => {
                let body = self.schemas.resolve_checked(body).map_err(&fail)?;
                let json = json_media(body);
                let form = body["content"]
                    .get("application/x-www-form-urlencoded")
                    .or_else(|| body["content"].get("multipart/form-data"));
                let mut media = Vec::new();
                for (name, _) in body["content"].as_object().into_iter().flatten() {
                    let essence = name.split(';').next().unwrap_or_default().trim();
                    let kind = match essence {
                        "application/x-www-form-urlencoded" => BodyMedia::Form,
                        "multipart/form-data" => BodyMedia::Multipart,
                        e if e == "application/json" || e.ends_with("+json") || e == "*/*" => {
                            BodyMedia::Json
                        }
                        _ => continue,
                    };
                    if !media.contains(&kind) {
                        media.push(kind);
                    }
                }
                // Only media types the mock cannot read (XML, files): such bodies pass unchecked.
                let schema = &json.or(form).map_or(&Value::Null, |m| &m["schema"]);
                // A body documented without a schema takes anything.
                let anything = json!({});
                let schema = if schema.is_null() { &anything } else { schema };
                Some(BodySpec {
                    required: body["required"] == true,
                    media,
                    validator: self.schemas.validator(schema, "body").map_err(fail)?,
                    schema: schema.clone(),
                    components: self.schemas.components_arc(),
                })
            }
            None => None,
        };
        let mut responses = BTreeMap::new();
        let mut error_default = None;
        for (status, response) in op["responses"].as_object().into_iter().flatten() {
            let Ok(code) = status.parse::<u16>() else {
                // `default` and ranges (`4XX`) document no status of their own: their schema is how
                // errors look.
                let range = status.len() == 3 && status.ends_with("XX");
                if status != "default" && !range {
                    return Err(fail(format!("status {status:?}")));
                }
                if error_default.is_none() || status == "default" || status == "4XX" {
                    error_default = self.response(500, response).map_err(&fail)?.error;
                }
                continue;
            };
            responses.insert(code, self.response(code, response).map_err(&fail)?);
        }
        let error_default = error_default.or_else(|| {
            responses
                .iter()
                .find(|(s, r)| **s >= 400 && r.error.is_some())
                .and_then(|(_, r)| r.error.clone())
        });
        let omitted: Vec<u16> = op["x-omitted-responses"]
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(s, _)| s.parse().ok())
            .collect();
        // The operation's own requirement, else the document's.
        let security: Vec<Vec<String>> = op
            .get("security")
            .unwrap_or(self.security)
            .as_array()
            .into_iter()
            .flatten()
            .map(|req| {
                req.as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, _)| k.clone())
                    .collect()
            })
            .collect();
        let facts = OperationFacts {
            id: &id,
            examples: responses
                .iter()
                .map(|(s, r): (&u16, &ResponseSpec)| {
                    (*s, r.examples.iter().map(|(n, _)| n.clone()).collect())
                })
                .collect(),
            statuses: responses.keys().chain(&omitted).copied().collect(),
            resources: self.resources,
        };
        let inferred = self
            .inferred
            .rules
            .get(&(path.to_owned(), method.as_str().to_ascii_lowercase()));
        let rules = match (op.get("x-concord-rules"), inferred) {
            (Some(declared), _) => Some(Program::compile(declared, &facts).map_err(&fail)?),
            (None, Some(inferred)) => match Program::compile(inferred, &facts) {
                Ok(program) => Some(program),
                Err(e) => {
                    tracing::warn!(operation = %id, error = %e, "inferred rules do not compile; answering documented examples");
                    None
                }
            },
            (None, None) => None,
        };
        if rules.is_none()
            && let Some((status, response)) =
                responses.iter_mut().find(|(s, _)| (200..300).contains(*s))
            && response.has_body()
            && response.example(None).is_none()
        {
            if self.vendors[vendor].declared {
                return Err(fail(format!(
                    "no x-concord-rules and no example for its {status} answer: declare rules or \
                     document an example"
                )));
            }
            // A plain document: a value built from the schema, as Prism does.
            response.schema_example = response.generated.take();
        }
        let mut refusals = Vec::new();
        for scheme in security.iter().flatten().collect::<BTreeSet<_>>() {
            let declared =
                self.schemas.components()["securitySchemes"][scheme].get("x-concord-refusal");
            if let Some(declared) = declared {
                let refusal = RefusalDecl::compile(declared, &facts, &Names::of(REQUEST_ROOTS))
                    .map_err(|e| {
                        fail(format!("security scheme {scheme}: x-concord-refusal: {e}"))
                    })?;
                refusals.push((scheme.clone(), refusal));
            }
        }
        let mut context = Map::new();
        context.insert("id".into(), json!(id));
        context.insert("method".into(), json!(method.as_str()));
        context.insert("path".into(), json!(path));
        for (key, value) in op.as_object().into_iter().flatten() {
            if key.starts_with("x-") && key != "x-concord-rules" && key != "x-source" {
                context.insert(key.clone(), value.clone());
            }
        }
        let operation = Operation {
            segments: router::segments(path),
            method,
            path: path.to_owned(),
            vendor,
            deprecated: op["deprecated"] == true,
            security,
            params,
            body,
            responses,
            omitted,
            inferred: inferred.filter(|_| rules.is_some()).cloned(),
            rules,
            error_default,
            context: Value::Object(context),
            id,
        };
        Ok((operation, refusals))
    }

    fn response(&self, status: u16, response: &Value) -> Result<ResponseSpec, String> {
        let response = self.schemas.resolve_checked(response)?;
        let media = json_media(response).unwrap_or(&Value::Null);
        let schema = media.get("schema").cloned();
        let schema_example = schema
            .as_ref()
            .and_then(|s| self.schemas.resolve(s).get("example").cloned());
        let validator = match &schema {
            Some(schema) => Some(
                self.schemas
                    .validator(schema, &format!("response {status}"))?,
            ),
            None => None,
        };
        let mut examples: Vec<(String, Value)> = media["examples"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(name, ex)| (name.clone(), self.schemas.resolve(ex)["value"].clone()))
            .collect();
        // OpenAPI's single, unnamed `example` of the media type (plain documents use it most).
        if let Some(example) = media.get("example").filter(|_| examples.is_empty()) {
            examples.push(("example".to_owned(), example.clone()));
        }
        let components = self.schemas.components();
        let error = match &schema {
            Some(schema) if status >= 400 => {
                ErrorShape::compile(components, schema, examples.first().map(|(_, v)| v))
            }
            _ => None,
        };
        let generated = schema
            .as_ref()
            .filter(|_| status < 400)
            .map(|s| synthesize(components, s, 0));
        Ok(ResponseSpec {
            error,
            generated,
            description: response["description"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            headers: response["headers"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, _)| k.clone())
                .collect(),
            examples,
            schema_example,
            projection: schema
                .as_ref()
                .map(|s| super::projection::Projection::compile(self.schemas.components(), s)),
            validator,
        })
    }
}
