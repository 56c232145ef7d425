//! The contract, compiled once at start-up: every operation with its parameters, body, responses and
//! declared rules, the security schemes, the vendors (one per tag) and their resources. Compiling is where
//! the document's mistakes are found ([`ContractError`]); nothing here knows any vendor.

mod compile;
mod error_shape;
mod form;
mod infer;
mod merge;
mod projection;
mod router;
mod schema;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::http::Method;
use jsonschema::Validator;
use serde_json::{Value, json};

pub use crate::problem::Violation;
pub(crate) use error_shape::ErrorShape;
pub use router::{PathParams, RouteMatch};

pub use crate::load_error::{ContractError, LoadError, Subject};
use crate::rules::{Program, RefusalDecl, Resource};
use crate::vendor::Vendor;

/// Where a parameter is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// A `{name}` path segment.
    Path,
    /// A query-string parameter.
    Query,
    /// A request header.
    Header,
    /// A cookie (rules read it among the headers: `header.<name>`).
    Cookie,
}

impl Location {
    /// The root its values have in rules (`path`, `query`, `header`).
    pub fn root(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header | Location::Cookie => "header",
        }
    }
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
    /// An integer without a declared format: JSON Schema puts no bound on it, so a whole number beyond
    /// 64 bits is still one (with `int64`, it is out of range).
    pub unbounded: bool,
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
    /// The `example` of the body's schema.
    pub schema_example: Option<Value>,
    /// What an answer keeps of a value (compiled from `schema`).
    projection: Option<projection::Projection>,
    /// How a problem fills this (error) response's body, for vendors that declare no error style.
    pub(crate) error: Option<ErrorShape>,
    /// A value built from the schema, for a success answer the document gives no example of.
    generated: Option<Value>,
    validator: Option<Validator>,
}

/// A request body's media type, as the mock reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyMedia {
    /// `application/json` (and `…+json`).
    Json,
    /// `application/x-www-form-urlencoded`, with `a[b]=c` nesting.
    Form,
    /// `multipart/form-data`: its parts, named like a form's fields.
    Multipart,
}

impl BodyMedia {
    /// The body media a `Content-Type` header names (parameters and case ignored; `+json` types are JSON).
    pub fn of(content_type: &str) -> Option<BodyMedia> {
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        match essence.as_str() {
            "application/json" => Some(BodyMedia::Json),
            "application/x-www-form-urlencoded" => Some(BodyMedia::Form),
            "multipart/form-data" => Some(BodyMedia::Multipart),
            json if json.ends_with("+json") => Some(BodyMedia::Json),
            _ => None,
        }
    }

    /// The media type's name.
    pub fn essence(self) -> &'static str {
        match self {
            BodyMedia::Json => "application/json",
            BodyMedia::Form => "application/x-www-form-urlencoded",
            BodyMedia::Multipart => "multipart/form-data",
        }
    }
}

/// The request body of an operation.
pub struct BodySpec {
    /// Whether a body is required.
    pub required: bool,
    /// The media types documented that the mock reads, in document order (none: bodies pass unchecked).
    pub media: Vec<BodyMedia>,
    validator: Validator,
    schema: Value,
    components: Arc<Value>,
}

/// A security scheme as the mock checks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheme {
    /// `type: apiKey, in: header`: the header's name.
    HeaderKey(String),
    /// `type: apiKey, in: query`: the parameter's name.
    QueryKey(String),
    /// `type: apiKey, in: cookie`: the cookie's name.
    CookieKey(String),
    /// `type: http, scheme: bearer` (and OAuth 2 / OpenID Connect, whose tokens travel as bearer tokens).
    Bearer,
    /// `type: http, scheme: basic`: `user:password`.
    Basic,
}

/// One operation of the contract.
pub struct Operation {
    /// The operationId.
    pub id: String,
    /// Its HTTP method.
    pub method: Method,
    /// The path template (`/v1/customers/{customerId}/access-code`).
    pub path: String,
    segments: Vec<router::Segment>,
    /// Index of its vendor in the contract's vendors (one per tag).
    pub vendor: usize,
    /// Whether the vendor deprecated it.
    pub deprecated: bool,
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
    /// Its declared rules (`x-concord-rules`) or those inferred from its path; without either it answers
    /// its documented success example.
    pub(crate) rules: Option<Program>,
    /// The rules inferred from its path, as they would be declared (for `--explain`).
    pub inferred: Option<Value>,
    /// The error shape of its `default` (or `4XX`) response, else of its first documented error.
    pub(crate) error_default: Option<ErrorShape>,
    /// What rules see as `operation`: the id, method, path and the operation's `x-` extensions.
    pub context: Value,
}

/// The compiled contract.
pub struct Contract {
    /// The document as JSON (served at `/openapi.json`).
    pub document: Arc<Value>,
    /// Every operation.
    pub operations: Vec<Operation>,
    /// Security schemes by name.
    pub schemes: BTreeMap<String, Scheme>,
    /// How each scheme's failure answers, where its `x-concord-refusal` declares it (per operation id).
    pub(crate) scheme_refusals: BTreeMap<(String, String), RefusalDecl>,
    /// One per tag (and a generic one for untagged operations).
    pub(crate) vendors: Vec<Vendor>,
    /// Declared resources by kind.
    pub(crate) resources: BTreeMap<String, Resource>,
    /// First path segment → vendor, for errors on paths no operation matches.
    prefixes: BTreeMap<String, usize>,
    /// Demo data from the documented examples of inferred collections.
    demo_data: crate::state::DemoData,
    /// Per vendor that declares no error body: the error schema its operations use most (for problems
    /// on paths no operation matches).
    shapes: Vec<Option<ErrorShape>>,
}

impl std::fmt::Debug for Contract {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Contract")
            .field("operations", &self.operations.len())
            .finish_non_exhaustive()
    }
}

impl Contract {
    /// The embedded document, compiled once.
    ///
    /// # Panics
    ///
    /// When the embedded document does not compile — which `cargo regen` refuses to write, so only a
    /// hand-edited `spec/openapi.yaml` can cause it. The binary asks [`Contract::try_embedded`] instead.
    pub fn embedded() -> Arc<Contract> {
        Contract::try_embedded().unwrap_or_else(|e| panic!("the embedded document compiles: {e}"))
    }

    /// The embedded document, compiled once, or the first mistake in it.
    pub fn try_embedded() -> Result<Arc<Contract>, ContractError> {
        static CONTRACT: std::sync::OnceLock<Result<Arc<Contract>, ContractError>> =
            std::sync::OnceLock::new();
        CONTRACT
            .get_or_init(|| {
                let document: Value = serde_yaml_ng::from_str(concord_spec::OPENAPI_YAML)
                    .expect("the embedded document is valid YAML (checked by the spec's tests)");
                Contract::compile(document).map(Arc::new)
            })
            .clone()
    }

    /// Reads and compiles a document from a file (YAML, of which JSON is a subset).
    pub fn load(path: &std::path::Path) -> Result<Contract, LoadError> {
        Contract::load_all(&[path])
    }

    /// Reads several documents and compiles them as one: each is its own vendor, component names they
    /// share get the document's title as a prefix, and a path two of them define is an error.
    pub fn load_all(paths: &[&std::path::Path]) -> Result<Contract, LoadError> {
        let mut loaded = Vec::new();
        for path in paths {
            let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
                path: path.to_path_buf(),
                source,
            })?;
            let document: Value =
                serde_yaml_ng::from_str(&text).map_err(|e| LoadError::Syntax {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                })?;
            let version = document["openapi"].as_str().unwrap_or_default();
            if !version.starts_with("3.0.") {
                return Err(LoadError::Version {
                    path: path.to_path_buf(),
                    found: version.to_owned(),
                });
            }
            loaded.push(merge::Loaded {
                file: path.display().to_string(),
                document,
            });
        }
        let files: Vec<String> = loaded.iter().map(|l| l.file.clone()).collect();
        let document = merge::merge(loaded)?;
        Contract::compile(document).map_err(|source| LoadError::Contract {
            files: files.join(" + "),
            source,
        })
    }

    /// Compiles a document; the error names the first mistake and where it is.
    pub fn compile(document: Value) -> Result<Contract, ContractError> {
        compile::compile(document)
    }

    /// Demo data from the document: the entities its documented examples show, for the collections whose
    /// behaviour was inferred (empty for a document that declares its rules).
    pub fn demo_data(&self) -> crate::state::DemoData {
        self.demo_data.clone()
    }

    /// What the mock inferred, as YAML: per operation the rules it runs (`x-concord-rules` to paste into
    /// the document and refine), and the demo data taken from the documented examples.
    pub fn explain(&self) -> String {
        let mut rules = serde_json::Map::new();
        for op in &self.operations {
            let entry = match &op.inferred {
                Some(inferred) => json!({"x-concord-rules": inferred}),
                None if op.rules.is_some() => json!("declared in the document"),
                None => json!("answers its documented examples (no REST pattern recognised)"),
            };
            rules.insert(format!("{} {} ({})", op.method, op.path, op.id), entry);
        }
        let demo_data: serde_json::Map<String, Value> = self
            .demo_data
            .iter()
            .map(|(kind, entities)| {
                let entities = entities
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                (kind.clone(), Value::Object(entities))
            })
            .collect();
        let explained = json!({"operations": rules, "demo data": demo_data});
        serde_yaml_ng::to_string(&explained).unwrap_or_default()
    }

    /// Where this contract's requests carry credentials (the headers and query parameters of its `apiKey`
    /// schemes), for the journal's redaction.
    pub(crate) fn secrets(&self) -> crate::journal::Secrets {
        let mut headers = Vec::new();
        let mut query = Vec::new();
        for scheme in self.schemes.values() {
            match scheme {
                Scheme::HeaderKey(name) => headers.push(name.clone()),
                Scheme::QueryKey(name) => query.push(name.clone()),
                Scheme::CookieKey(_) | Scheme::Bearer | Scheme::Basic => {}
            }
        }
        crate::journal::Secrets::new(headers, query)
    }

    /// The operation with this id.
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.iter().find(|o| o.id == id)
    }

    /// The vendor of an operation.
    pub(crate) fn vendor_of(&self, op: &Operation) -> &Vendor {
        &self.vendors[op.vendor]
    }

    /// Who answers a problem: the operation's vendor, else the vendor whose paths start like `path`
    /// (the generic one where no vendor, or more than one, claims the first segment); with the error
    /// schema that vendor's operations use most, for a vendor that declares no error body.
    pub(crate) fn answering(
        &self,
        op: Option<&Operation>,
        path: &str,
    ) -> (&Vendor, Option<&ErrorShape>) {
        let index = match op {
            Some(op) => op.vendor,
            None => path
                .split('/')
                .nth(1)
                .and_then(|first| self.prefixes.get(first))
                .copied()
                .unwrap_or(0),
        };
        (
            &self.vendors[index],
            self.shapes.get(index).and_then(Option::as_ref),
        )
    }

    /// Projects an answer onto the schema documented for `status`: only the properties it declares are
    /// kept (stored entities carry their parent's id and comment fields the answer must not show).
    pub(crate) fn project(&self, op: &Operation, status: u16, mut body: Value) -> Value {
        if let Some(projection) = op
            .responses
            .get(&status)
            .and_then(|r| r.projection.as_ref())
        {
            projection.apply(&mut body);
        }
        body
    }

    /// The demo data as the engine needs it: comment fields (`_why`) dropped, unique-key indexes added.
    pub(crate) fn prepare_demo_data(
        &self,
        mut demo_data: crate::state::DemoData,
    ) -> crate::state::DemoData {
        for entities in demo_data.values_mut() {
            for body in entities.values_mut() {
                if let Some(map) = body.as_object_mut() {
                    map.retain(|k, _| !k.starts_with('_'));
                }
            }
        }
        for resource in self.resources.values() {
            resource.index_demo_data(&mut demo_data);
        }
        demo_data
    }
}

impl Operation {
    /// How a problem answering `status` looks in the document's own error schema: that response's, else
    /// the `default` one's, else the operation's first documented error's.
    pub(crate) fn error_shape(&self, status: u16) -> Option<&ErrorShape> {
        self.responses
            .get(&status)
            .and_then(|r| r.error.as_ref())
            .or(self.error_default.as_ref())
    }
}

impl Param {
    /// Validates the converted value.
    pub fn check(&self, value: &Value) -> Vec<Violation> {
        schema::violations(&self.validator, value)
    }
}

impl BodySpec {
    /// A form body as JSON, typed after the body's schema.
    pub(crate) fn decode_form(&self, bytes: &[u8]) -> Value {
        form::decode(bytes, &self.schema, &self.components)
    }

    /// A multipart body's parts as JSON, typed after the body's schema.
    pub(crate) fn decode_parts(&self, parts: Vec<(String, String)>) -> Value {
        form::from_pairs(parts, &self.schema, &self.components)
    }

    /// A body built from the schema, every top-level property set (its example, default or first allowed
    /// value, else a value of its type), for `--self-check`'s walk through inferred resources.
    pub(crate) fn sample(&self) -> Value {
        let mut sample = error_shape::synthesize(&self.components, &self.schema, 0);
        if let Value::Object(object) = &mut sample {
            for (name, child) in schema::properties(&self.components, &self.schema) {
                object
                    .entry(name)
                    .or_insert_with(|| error_shape::synthesize(&self.components, child, 1));
            }
        }
        sample
    }

    /// Validates a parsed body.
    pub fn check(&self, body: &Value) -> Vec<Violation> {
        let mut found = schema::violations(&self.validator, body);
        schema::inexact_integers(&self.components, &self.schema, body, "", &mut found);
        found
    }
}

impl ResponseSpec {
    /// Validates a response body against the documented schema; a response documented without a body must
    /// have none.
    pub fn check(&self, body: Option<&Value>) -> Vec<Violation> {
        let violation = |message: &str| Violation {
            field: String::new(),
            keyword: "body".into(),
            message: message.into(),
        };
        match (&self.validator, body) {
            (Some(v), Some(body)) => schema::violations(v, body),
            (None, None) => Vec::new(),
            (Some(_), None) => vec![violation("a body is documented but none was sent")],
            (None, Some(_)) => vec![violation("no body is documented but one was sent")],
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

    /// What a forced answer (`Prefer`, a fault) sends: [`ResponseSpec::example`], else, for a success
    /// answer documented without any example, a value built from its schema.
    pub(crate) fn forced(&self, name: Option<&str>) -> Option<Value> {
        self.example(name).or_else(|| self.generated.clone())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_embedded_document_compiles_every_operation() {
        let contract = Contract::embedded();
        let documented = contract.document["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|item| item.as_object().unwrap().values())
            .filter(|op| op.get("operationId").is_some())
            .count();
        assert_eq!(contract.operations.len(), documented);
        assert!(contract.operations.iter().all(|op| op.rules.is_some()));
    }

    #[test]
    fn routing_prefers_literals_and_reports_allowed_methods() {
        let document = json!({
            "openapi": "3.0.3",
            "paths": {
                "/things/{id}": {"get": {"operationId": "get_thing", "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}], "responses": {"200": {"description": "ok"}}}},
                "/things/special": {"get": {"operationId": "get_special", "responses": {"200": {"description": "ok"}}}}
            }
        });
        let contract = Contract::compile(document).unwrap();
        match contract.route(&Method::GET, "/things/special") {
            RouteMatch::Found(op, _) => assert_eq!(op.id, "get_special"),
            _ => panic!("no route"),
        }
        match contract.route(&Method::GET, "/things/a%20b") {
            RouteMatch::Found(op, params) => {
                assert_eq!(op.id, "get_thing");
                assert_eq!(params, [("id".to_owned(), "a b".to_owned())]);
            }
            _ => panic!("no route"),
        }
        match contract.route(&Method::DELETE, "/things/x") {
            RouteMatch::MethodNotAllowed(methods) => assert_eq!(methods, [Method::GET]),
            _ => panic!("expected 405"),
        }
        assert!(matches!(
            contract.route(&Method::GET, "/nowhere"),
            RouteMatch::NotFound
        ));
        assert!(matches!(
            contract.route(&Method::GET, "/things/"),
            RouteMatch::NotFound
        ));
    }

    #[test]
    fn integer_formats_are_enforced_as_ranges() {
        let document = json!({
            "openapi": "3.0.3",
            "paths": {"/n": {"get": {"operationId": "get_n", "parameters": [
                {"name": "small", "in": "query", "schema": {"type": "integer", "format": "int32"}}
            ], "responses": {"204": {"description": "ok"}}}}}
        });
        let contract = Contract::compile(document).unwrap();
        let small = &contract.operations[0].params[0];
        assert!(small.check(&json!(2_147_483_647)).is_empty());
        assert_eq!(small.check(&json!(2_147_483_648u64))[0].keyword, "maximum");
    }
}
