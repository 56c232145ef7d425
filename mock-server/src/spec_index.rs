//! The embedded contract, compiled once at start-up: every operation with its parameters, body and
//! responses, and a JSON Schema validator for each. Nothing here knows any vendor's paths or fields.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::http::Method;
use jsonschema::Validator;
use serde_json::{Value, json};

use crate::vendors::Vendor;

/// Where a parameter is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// A `{name}` path segment.
    Path,
    /// A query-string parameter.
    Query,
    /// A request header.
    Header,
}

/// One declared parameter.
pub struct Param {
    /// As declared (`customerId`, `X-Identifier-Type`).
    pub name: String,
    /// Where it is read from.
    pub location: Location,
    /// Whether it must be present.
    pub required: bool,
    /// JSON type it converts to before validation (`integer`, `number`, `boolean` or `string`).
    pub json_type: String,
    validator: Validator,
}

/// One documented response.
pub struct ResponseSpec {
    /// The response's description (often the vendor's message).
    pub description: String,
    /// Named examples, in document order.
    pub examples: Vec<(String, Value)>,
    /// Declared headers (names as documented).
    pub headers: Vec<String>,
    /// The `example` of the body's schema (every component schema has one).
    pub schema_example: Option<Value>,
    validator: Option<Validator>,
}

/// One operation of the contract.
pub struct Operation {
    /// The normalized operationId.
    pub id: String,
    /// Its HTTP method.
    pub method: Method,
    /// The path template (`/v1/customers/{customerId}/access-code`).
    pub path: String,
    segments: Vec<Segment>,
    /// The vendor API (from the tag).
    pub vendor: Vendor,
    /// Whether the vendor deprecated it.
    pub deprecated: bool,
    /// `x-required-scopes` (Magicline).
    pub required_scopes: Vec<String>,
    /// Alternatives of security requirements, each a list of scheme names that must all hold.
    pub security: Vec<Vec<String>>,
    /// Declared parameters, path-level ones included.
    pub params: Vec<Param>,
    /// The request body's validator, when there is a body.
    pub body: Option<BodySpec>,
    /// Documented responses by status.
    pub responses: BTreeMap<u16, ResponseSpec>,
    /// Statuses documented without a body (`x-omitted-responses`).
    pub omitted: Vec<u16>,
}

/// The request body of an operation.
pub struct BodySpec {
    /// Whether a body is required.
    pub required: bool,
    validator: Validator,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
}

/// A security scheme as the mock checks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheme {
    /// `type: apiKey, in: header`: the header's name.
    HeaderKey(String),
    /// `type: http, scheme: bearer`.
    Bearer,
}

/// One schema violation, with where it is in the instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Dotted path of the offending field (`physicalCards[0].loyaltyId`); empty for the whole value.
    pub field: String,
    /// The JSON Schema keyword that failed (`required`, `maximum`, `enum`, `type`, …).
    pub keyword: String,
    /// A readable message.
    pub message: String,
}

/// The compiled contract.
pub struct SpecIndex {
    /// The document as JSON (served at `/openapi.json`).
    pub document: Arc<Value>,
    /// Every operation.
    pub operations: Vec<Operation>,
    /// Security schemes by name.
    pub schemes: BTreeMap<String, Scheme>,
}

/// Path parameters by name, raw (percent-decoded).
pub type PathParams = Vec<(String, String)>;

/// What a request path matched.
pub enum RouteMatch<'a> {
    /// An operation, with its path parameters (raw, percent-decoded).
    Found(&'a Operation, Vec<(String, String)>),
    /// The path exists, the method does not: the methods it has.
    MethodNotAllowed(Vec<Method>),
    /// No path matches.
    NotFound,
}

impl SpecIndex {
    /// Compiles the embedded document.
    pub fn embedded() -> Arc<SpecIndex> {
        static INDEX: std::sync::OnceLock<Arc<SpecIndex>> = std::sync::OnceLock::new();
        INDEX
            .get_or_init(|| {
                let document: Value = serde_yaml_ng::from_str(concord_spec::OPENAPI_YAML)
                    .expect("the embedded document is valid YAML (checked by the spec's tests)");
                Arc::new(SpecIndex::compile(document).expect("the embedded document compiles"))
            })
            .clone()
    }

    /// Compiles a document; an error names what could not be compiled.
    pub fn compile(document: Value) -> Result<SpecIndex, String> {
        let components = document.get("components").cloned().unwrap_or(json!({}));
        // The components are registered once and shared by every validator (not copied into each).
        let mut shared = json!({"$schema": "http://json-schema.org/draft-04/schema#", "components": components.clone()});
        integer_formats_as_bounds(&mut shared);
        let registry = jsonschema::Registry::new()
            .add(COMPONENTS_URI, shared)
            .and_then(|r| r.prepare())
            .map_err(|e| format!("components: {e}"))?;
        let compiler = Compiler {
            components: &components,
            registry: &registry,
        };
        let mut schemes = BTreeMap::new();
        for (name, scheme) in components["securitySchemes"]
            .as_object()
            .into_iter()
            .flatten()
        {
            let compiled = match (
                scheme["type"].as_str(),
                scheme["in"].as_str(),
                scheme["scheme"].as_str(),
            ) {
                (Some("apiKey"), Some("header"), _) => {
                    Scheme::HeaderKey(scheme["name"].as_str().unwrap_or_default().to_owned())
                }
                (Some("http"), _, Some(s)) if s.eq_ignore_ascii_case("bearer") => Scheme::Bearer,
                other => return Err(format!("security scheme {name}: unsupported {other:?}")),
            };
            schemes.insert(name.clone(), compiled);
        }
        let mut operations = Vec::new();
        for (path, item) in document["paths"].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                let Ok(method) = method.to_uppercase().parse::<Method>() else {
                    continue;
                };
                if op.get("operationId").is_none() {
                    continue;
                }
                operations.push(compiler.operation(path, method, item, op)?);
            }
        }
        Ok(SpecIndex {
            document: Arc::new(document),
            operations,
            schemes,
        })
    }

    /// Finds the operation for a method and a (raw, undecoded) request path. Literal segments win over
    /// parameters when several templates match.
    pub fn route(&self, method: &Method, path: &str) -> RouteMatch<'_> {
        let parts: Vec<&str> = path.split('/').skip(1).collect();
        // (literal segments matched, operation, path parameters)
        let mut best: Option<(usize, &Operation, PathParams)> = None;
        let mut allowed = Vec::new();
        for op in &self.operations {
            let Some((literals, params)) = match_segments(&op.segments, &parts) else {
                continue;
            };
            if op.method != *method {
                if !allowed.contains(&op.method) {
                    allowed.push(op.method.clone());
                }
                continue;
            }
            if best.as_ref().is_none_or(|(score, _, _)| literals > *score) {
                best = Some((literals, op, params));
            }
        }
        match best {
            Some((_, op, params)) => RouteMatch::Found(op, params),
            None if !allowed.is_empty() => RouteMatch::MethodNotAllowed(allowed),
            None => RouteMatch::NotFound,
        }
    }

    /// The operation with this id.
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.iter().find(|o| o.id == id)
    }
}

fn match_segments(template: &[Segment], parts: &[&str]) -> Option<(usize, Vec<(String, String)>)> {
    if template.len() != parts.len() {
        return None;
    }
    let mut literals = 0;
    let mut params = Vec::new();
    for (segment, part) in template.iter().zip(parts) {
        match segment {
            Segment::Literal(l) if l == part => literals += 1,
            Segment::Literal(_) => return None,
            Segment::Param(_) if part.is_empty() => return None,
            Segment::Param(name) => {
                let decoded = percent_encoding::percent_decode_str(part)
                    .decode_utf8_lossy()
                    .into_owned();
                params.push((name.clone(), decoded));
            }
        }
    }
    Some((literals, params))
}

impl Param {
    /// Validates the converted value.
    pub fn check(&self, value: &Value) -> Vec<Violation> {
        violations(&self.validator, value)
    }
}

impl BodySpec {
    /// Validates a parsed body.
    pub fn check(&self, body: &Value) -> Vec<Violation> {
        violations(&self.validator, body)
    }
}

impl ResponseSpec {
    /// Validates a response body against the documented schema; a response documented without a body must
    /// have none.
    pub fn check(&self, body: Option<&Value>) -> Vec<Violation> {
        match (&self.validator, body) {
            (Some(v), Some(body)) => violations(v, body),
            (None, None) => Vec::new(),
            (Some(_), None) => vec![Violation {
                field: String::new(),
                keyword: "body".into(),
                message: "a body is documented but none was sent".into(),
            }],
            (None, Some(_)) => vec![Violation {
                field: String::new(),
                keyword: "body".into(),
                message: "no body is documented but one was sent".into(),
            }],
        }
    }

    /// Whether the response documents a body.
    pub fn has_body(&self) -> bool {
        self.validator.is_some()
    }

    /// The example named `name`, else the first named example, else the schema's example.
    pub fn example(&self, name: Option<&str>) -> Option<Value> {
        name.and_then(|n| self.examples.iter().find(|(e, _)| e == n))
            .or_else(|| self.examples.first())
            .map(|(_, v)| v.clone())
            .or_else(|| self.schema_example.clone())
    }
}

fn violations(validator: &Validator, value: &Value) -> Vec<Violation> {
    validator
        .iter_errors(value)
        .map(|error| {
            let mut field = pointer_to_field(&error.instance_path().to_string());
            let keyword = keyword_of(&error);
            if let jsonschema::error::ValidationErrorKind::Required { property } = error.kind() {
                let name = property.as_str().unwrap_or_default();
                field = if field.is_empty() {
                    name.to_owned()
                } else {
                    format!("{field}.{name}")
                };
            }
            Violation {
                field,
                keyword,
                message: error.to_string(),
            }
        })
        .collect()
}

fn keyword_of(error: &jsonschema::ValidationError<'_>) -> String {
    // The last segment of the schema path is the keyword that failed (`/properties/quantity/minimum`).
    let path = error.schema_path().to_string();
    path.rsplit('/').next().unwrap_or_default().to_owned()
}

/// JSON Schema checks `format` on strings only; OpenAPI's `int32`/`int64` on integers are ranges, so they
/// become `minimum`/`maximum` (where the schema sets none).
fn integer_formats_as_bounds(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            let bounds = match (
                map.get("type").and_then(Value::as_str),
                map.get("format").and_then(Value::as_str),
            ) {
                (Some("integer"), Some("int32")) => Some((json!(i32::MIN), json!(i32::MAX))),
                (Some("integer"), Some("int64")) => Some((json!(i64::MIN), json!(i64::MAX))),
                _ => None,
            };
            if let Some((min, max)) = bounds {
                map.entry("minimum").or_insert(min);
                map.entry("maximum").or_insert(max);
            }
            map.values_mut().for_each(integer_formats_as_bounds);
        }
        Value::Array(items) => items.iter_mut().for_each(integer_formats_as_bounds),
        _ => {}
    }
}

/// `/physicalCards/0/loyaltyId` → `physicalCards[0].loyaltyId`.
fn pointer_to_field(pointer: &str) -> String {
    let mut out = String::new();
    for part in pointer.split('/').skip(1) {
        let part = part.replace("~1", "/").replace("~0", "~");
        if part.chars().all(|c| c.is_ascii_digit()) && !part.is_empty() {
            out.push_str(&format!("[{part}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&part);
        }
    }
    out
}

/// Where the shared components live for the validators.
const COMPONENTS_URI: &str = "urn:concord:openapi";

struct Compiler<'a> {
    components: &'a Value,
    registry: &'a jsonschema::Registry<'a>,
}

/// `#/components/...` → `urn:concord:openapi#/components/...`, so a validator finds it in the registry.
fn absolute_refs(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref")
                && r.starts_with("#/")
            {
                *r = format!("{COMPONENTS_URI}{r}");
            }
            map.values_mut().for_each(absolute_refs);
        }
        Value::Array(items) => items.iter_mut().for_each(absolute_refs),
        _ => {}
    }
}

impl Compiler<'_> {
    /// Resolves a local `$ref` one level (parameters, responses, headers).
    fn resolve<'v>(&'v self, value: &'v Value) -> &'v Value {
        match value.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let mut parts = reference.trim_start_matches("#/components/").splitn(2, '/');
                let (kind, name) = (
                    parts.next().unwrap_or_default(),
                    parts.next().unwrap_or_default(),
                );
                &self.components[kind][name]
            }
            None => value,
        }
    }

    /// A validator for `schema`; its `#/components/...` references resolve in the shared registry.
    fn validator(&self, schema: &Value, what: &str) -> Result<Validator, String> {
        let mut schema = schema.clone();
        integer_formats_as_bounds(&mut schema);
        absolute_refs(&mut schema);
        jsonschema::draft4::options()
            .with_registry(self.registry)
            .should_validate_formats(true)
            .with_format("int32", |s: &str| s.parse::<i32>().is_ok())
            .with_format("uuid", |s: &str| {
                uuid::Uuid::parse_str(s).is_ok() && s.len() == 36
            })
            .build(&schema)
            .map_err(|e| format!("{what}: {e}"))
    }

    /// The JSON type a parameter's schema declares (following a `$ref`).
    fn json_type(&self, schema: &Value) -> String {
        let schema = match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => &self.components["schemas"][r.rsplit('/').next().unwrap_or_default()],
            None => schema,
        };
        schema["type"].as_str().unwrap_or("string").to_owned()
    }

    fn operation(
        &self,
        path: &str,
        method: Method,
        item: &Value,
        op: &Value,
    ) -> Result<Operation, String> {
        let id = op["operationId"].as_str().unwrap_or_default().to_owned();
        let here = format!("{id} ({method} {path})");
        let tag = op["tags"][0].as_str().unwrap_or_default();
        let vendor = Vendor::from_tag(tag).ok_or_else(|| format!("{here}: unknown tag {tag:?}"))?;
        let mut params = Vec::new();
        let declared = item["parameters"].as_array().into_iter().flatten();
        for raw in declared.chain(op["parameters"].as_array().into_iter().flatten()) {
            let p = self.resolve(raw);
            let location = match p["in"].as_str() {
                Some("path") => Location::Path,
                Some("query") => Location::Query,
                Some("header") => Location::Header,
                other => return Err(format!("{here}: parameter location {other:?}")),
            };
            let name = p["name"].as_str().unwrap_or_default().to_owned();
            params.push(Param {
                validator: self.validator(&p["schema"], &format!("{here} parameter {name}"))?,
                json_type: self.json_type(&p["schema"]),
                required: p["required"] == true,
                location,
                name,
            });
        }
        let body = match op.get("requestBody") {
            Some(body) => {
                let body = self.resolve(body);
                let schema = &body["content"]["application/json"]["schema"];
                Some(BodySpec {
                    required: body["required"] == true,
                    validator: self.validator(schema, &format!("{here} body"))?,
                })
            }
            None => None,
        };
        let mut responses = BTreeMap::new();
        for (status, response) in op["responses"].as_object().into_iter().flatten() {
            let status: u16 = status
                .parse()
                .map_err(|_| format!("{here}: status {status:?}"))?;
            let response = self.resolve(response);
            let media = &response["content"]["application/json"];
            let schema_example = media.get("schema").and_then(|schema| {
                let resolved = match schema.get("$ref").and_then(Value::as_str) {
                    Some(r) => {
                        &self.components["schemas"][r.rsplit('/').next().unwrap_or_default()]
                    }
                    None => schema,
                };
                resolved.get("example").cloned()
            });
            let validator = match media.get("schema") {
                Some(schema) => Some(self.validator(schema, &format!("{here} response {status}"))?),
                None => None,
            };
            let examples = media["examples"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(name, ex)| (name.clone(), self.resolve(ex)["value"].clone()))
                .collect();
            responses.insert(
                status,
                ResponseSpec {
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
                    validator,
                },
            );
        }
        let omitted = op["x-omitted-responses"]
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(s, _)| s.parse().ok())
            .collect();
        let security = op["security"]
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
        let segments = path
            .split('/')
            .skip(1)
            .map(
                |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => Segment::Param(name.to_owned()),
                    None => Segment::Literal(s.to_owned()),
                },
            )
            .collect();
        Ok(Operation {
            id,
            method,
            path: path.to_owned(),
            segments,
            vendor,
            deprecated: op["deprecated"] == true,
            required_scopes: op["x-required-scopes"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect(),
            security,
            params,
            body,
            responses,
            omitted,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_document_compiles_every_operation() {
        let index = SpecIndex::embedded();
        assert_eq!(index.operations.len(), 12);
        assert!(index.schemes.contains_key("MagiclineApiKeyAuth"));
    }

    #[test]
    fn routing_prefers_literals_and_reports_allowed_methods() {
        let index = SpecIndex::embedded();
        match index.route(&Method::POST, "/client/users/abc/cards") {
            RouteMatch::Found(op, params) => {
                assert_eq!(op.id, "es_loyalty_add_cards");
                assert_eq!(params, [("correlation_id".to_owned(), "abc".to_owned())]);
            }
            _ => panic!("no route"),
        }
        match index.route(&Method::PATCH, "/v4/orgs/telco/customers/x/credentials/y") {
            RouteMatch::MethodNotAllowed(methods) => assert_eq!(methods, [Method::DELETE]),
            _ => panic!("expected 405"),
        }
        assert!(matches!(
            index.route(&Method::GET, "/nowhere"),
            RouteMatch::NotFound
        ));
        assert!(matches!(
            index.route(&Method::GET, "/v1/customers//access-code"),
            RouteMatch::NotFound
        ));
    }

    #[test]
    fn a_response_that_breaks_its_schema_is_caught() {
        let index = SpecIndex::embedded();
        let op = index.operation("paysafe_assign_bulk_card").unwrap();
        let ok = json!({"cardId": "f16ba382-eb42-481a-b08f-c57bdc9aae24", "customerId": "1", "targetCustomerId": "2"});
        assert!(op.responses[&200].check(Some(&ok)).is_empty());
        let renamed = json!({"cardID": "f16ba382-eb42-481a-b08f-c57bdc9aae24", "customerId": "1", "targetCustomerId": "2"});
        let found = op.responses[&200].check(Some(&renamed));
        assert_eq!(found[0].field, "cardId");
        let not_uuid = json!({"cardId": "card-1", "customerId": "1", "targetCustomerId": "2"});
        assert_eq!(
            op.responses[&200].check(Some(&not_uuid))[0].keyword,
            "format"
        );
        assert!(
            !op.responses[&200].check(None).is_empty(),
            "a missing body is caught"
        );
        let delete = index.operation("masstack_delete_credential").unwrap();
        assert!(
            !delete.responses[&204].check(Some(&json!({}))).is_empty(),
            "a body on a 204 is caught"
        );
    }

    #[test]
    fn integer_formats_are_enforced_as_ranges() {
        let index = SpecIndex::embedded();
        let op = index.operation("paysafe_get_bulk_order").unwrap();
        let offset = op.params.iter().find(|p| p.name == "offset").unwrap();
        assert!(offset.check(&json!(2_147_483_647)).is_empty());
        assert_eq!(offset.check(&json!(2_147_483_648u64))[0].keyword, "maximum");
        let add = index.operation("es_loyalty_add_cards").unwrap();
        assert!(
            !add.body
                .as_ref()
                .unwrap()
                .check(&json!({"quantity": 4_294_967_296u64}))
                .is_empty()
        );
    }

    #[test]
    fn violations_name_the_field_and_keyword() {
        let index = SpecIndex::embedded();
        let op = index.operation("es_loyalty_add_cards").unwrap();
        let found = op
            .body
            .as_ref()
            .unwrap()
            .check(&json!({"physicalCards": [{"cardLabel": "x"}], "quantity": 0}));
        let fields: Vec<(&str, &str)> = found
            .iter()
            .map(|v| (v.field.as_str(), v.keyword.as_str()))
            .collect();
        assert!(
            fields.contains(&("physicalCards[0].loyaltyId", "required")),
            "{found:?}"
        );
        assert!(fields.contains(&("quantity", "minimum")), "{found:?}");
    }
}
