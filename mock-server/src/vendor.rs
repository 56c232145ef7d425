//! A vendor as the mock knows it: what its tag declares in `x-concord-mock` — how a problem fills its
//! error body, how it reports a request that breaks the schemas, the headers on every answer, and the
//! path prefixes whose unknown paths answer in its error body. Vendors are data; nothing here names one.

use std::collections::BTreeMap;

use axum::http::HeaderName;
use serde_json::{Map, Value, json};

use crate::problem::{Problem, Violation};
use crate::template::{Names, Scope, Template};

/// The roots an error template may use besides its own slots.
const ERROR_ROOTS: [&str; 6] = ["status", "message", "code", "details", "fields", "field"];

/// One vendor API (one tag of the document).
#[derive(Debug, Clone)]
pub(crate) struct Vendor {
    /// The tag's name.
    pub(crate) name: String,
    /// The API's id in kebab case (`es-loyalty`): the tag's `x-concord-id`, else its `x-concord-api` (set
    /// per document when several are merged), else the document's title. `--upstream API=URL` names it.
    pub(crate) api: String,
    error: ErrorStyle,
    invalid: InvalidStyle,
    headers: Vec<(HeaderName, Template)>,
    /// Path prefixes (`/v1`) declared for unknown paths, if any.
    pub(crate) prefixes: Vec<String>,
    /// Whether the tag declares `x-concord-mock` (its operations then need rules or examples).
    pub(crate) declared: bool,
    /// Whether it declares its error body; if not, errors take the document's own error schema.
    pub(crate) declares_error: bool,
}

/// How a problem becomes the vendor's error body.
#[derive(Debug, Clone)]
struct ErrorStyle {
    /// Slot values when the problem sets none (`code: DW-INVALID-REQUEST`).
    defaults: Vec<(String, Template)>,
    /// Slot values per status (`400: {title: Bad request}`), before the defaults.
    statuses: BTreeMap<u16, Vec<(String, Template)>>,
    /// The body.
    body: Template,
    /// Fields refreshed on every documented error example (a trace id that is new per answer).
    fresh: Vec<(String, Template)>,
}

/// How schema violations become a problem.
#[derive(Debug, Clone, Default)]
struct InvalidStyle {
    message: Option<Template>,
    code: Option<String>,
    details: Vec<String>,
    /// List every violation as an offending field.
    fields: bool,
    /// The field name of a violation of the whole body (`body`); empty by default.
    body_field: String,
    /// Messages the vendor words per field (first violation with a matching rule wins).
    messages: Vec<FieldMessage>,
}

#[derive(Debug, Clone)]
struct FieldMessage {
    /// The field, `[*]` standing for any index.
    field: String,
    keyword: Option<String>,
    message: String,
}

impl Vendor {
    /// The vendor of operations with no (declared) tag: a plain `{"error": message}` body.
    pub(crate) fn generic(name: &str) -> Vendor {
        Vendor {
            name: name.to_owned(),
            api: String::new(),
            error: ErrorStyle {
                defaults: Vec::new(),
                statuses: BTreeMap::new(),
                body: Template::Literal(Value::Null),
                fresh: Vec::new(),
            },
            invalid: InvalidStyle {
                fields: true,
                ..InvalidStyle::default()
            },
            headers: Vec::new(),
            prefixes: Vec::new(),
            declared: false,
            declares_error: false,
        }
    }

    /// Compiles a tag's `x-concord-mock` (the tag without one gets [`Vendor::generic`]).
    pub(crate) fn compile(tag: &Value) -> Result<Vendor, String> {
        let name = tag["name"].as_str().unwrap_or_default();
        let mut vendor = Vendor::generic(name);
        vendor.api = ["x-concord-id", "x-concord-api"]
            .iter()
            .find_map(|key| tag[*key].as_str())
            .map(kebab)
            .unwrap_or_default();
        let Some(declared) = tag.get("x-concord-mock") else {
            return Ok(vendor);
        };
        let declared = declared
            .as_object()
            .ok_or("x-concord-mock must be an object")?;
        vendor.declared = true;
        vendor.declares_error = declared.contains_key("error");
        for key in declared.keys() {
            if !["error", "invalid", "headers", "prefixes", "resources"].contains(&key.as_str()) {
                return Err(format!("x-concord-mock: unknown key `{key}`"));
            }
        }
        if let Some(error) = declared.get("error") {
            vendor.error =
                ErrorStyle::compile(error).map_err(|e| format!("x-concord-mock.error: {e}"))?;
        }
        if let Some(invalid) = declared.get("invalid") {
            vendor.invalid = InvalidStyle::compile(invalid)
                .map_err(|e| format!("x-concord-mock.invalid: {e}"))?;
        }
        for (header, value) in declared
            .get("headers")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let name = HeaderName::from_bytes(header.to_ascii_lowercase().as_bytes())
                .map_err(|_| format!("x-concord-mock.headers: `{header}` is not a header name"))?;
            let template = Template::compile(value, &Names::of(["path"]))
                .map_err(|e| format!("x-concord-mock.headers.{header}: {e}"))?;
            vendor.headers.push((name, template));
        }
        for prefix in declared
            .get("prefixes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let prefix = prefix
                .as_str()
                .and_then(|p| p.strip_prefix('/'))
                .filter(|p| !p.is_empty() && !p.contains('/'))
                .ok_or_else(|| {
                    format!("x-concord-mock.prefixes: {prefix} must be one segment like \"/v1\"")
                })?;
            vendor.prefixes.push(prefix.to_owned());
        }
        Ok(vendor)
    }

    /// The vendor's error body for `status`.
    pub(crate) fn error_body(&self, status: u16, problem: &Problem) -> Value {
        let mut scope = Slots(Vec::with_capacity(8));
        scope.set("status", json!(status));
        scope.set("message", json!(problem.message));
        if let Some(code) = &problem.code {
            scope.set("code", json!(code));
        }
        if !problem.details.is_empty() {
            scope.set("details", json!(problem.details));
        }
        if let Some((field, _)) = problem.fields.first() {
            scope.set("field", json!(field));
            scope.set(
                "fields",
                problem
                    .fields
                    .iter()
                    .map(|(field, error)| json!({"field": field, "error": error}))
                    .collect(),
            );
        }
        let slots = self
            .error
            .statuses
            .get(&status)
            .into_iter()
            .flatten()
            .chain(&self.error.defaults);
        for (slot, template) in slots {
            if scope.root(slot).is_none()
                && let Some(value) = template.eval(&scope)
            {
                scope.set(slot, value);
            }
        }
        match self.error.body.eval(&scope) {
            Some(Value::Null) | None => json!({"error": problem.message}),
            Some(body) => body,
        }
    }

    /// Refreshes what a documented error example cannot know (a trace id new per answer).
    pub(crate) fn refresh(&self, body: &mut Value) {
        if let Some(map) = body.as_object_mut() {
            let empty = Map::new();
            for (key, template) in &self.error.fresh {
                if let Some(value) = template.eval(&empty) {
                    map.insert(key.clone(), value);
                }
            }
        }
    }

    /// The problem reporting requests that break the contract's schemas.
    pub(crate) fn invalid(&self, violations: &[Violation]) -> Problem {
        let style = &self.invalid;
        let field_of = |v: &Violation| {
            if v.field.is_empty() {
                style.body_field.clone()
            } else {
                v.field.clone()
            }
        };
        let worded = violations.iter().find_map(|v| {
            let general = generalize(&v.field);
            style
                .messages
                .iter()
                .find(|m| m.field == general && m.keyword.as_ref().is_none_or(|k| *k == v.keyword))
                .map(|m| m.message.clone())
        });
        let message = worded.unwrap_or_else(|| {
            let first = violations.first();
            let mut scope = Map::new();
            scope.insert(
                "field".into(),
                json!(first.map(field_of).unwrap_or_default()),
            );
            scope.insert(
                "error".into(),
                json!(first.map(|v| v.message.clone()).unwrap_or_default()),
            );
            match &style.message {
                Some(template) => template.text(&scope),
                None => match first {
                    Some(v) => format!("{}: {}", field_of(v), v.message),
                    None => "The request is invalid.".to_owned(),
                },
            }
        });
        let mut problem = Problem::new(message);
        problem.code = style.code.clone();
        problem.details = style.details.clone();
        if style.fields {
            problem.fields = violations
                .iter()
                .map(|v| (field_of(v), v.message.clone()))
                .collect();
        }
        problem
    }

    /// The headers this vendor puts on every answer of its operations.
    pub(crate) fn headers<'a>(
        &'a self,
        scope: &'a dyn Scope,
    ) -> impl Iterator<Item = (HeaderName, String)> + 'a {
        self.headers.iter().filter_map(move |(name, template)| {
            Some((
                name.clone(),
                template.eval(scope).map(|v| crate::template::text_of(&v))?,
            ))
        })
    }

    /// The names of the headers this vendor adds (for CORS).
    pub(crate) fn header_names(&self) -> impl Iterator<Item = &HeaderName> {
        self.headers.iter().map(|(name, _)| name)
    }
}

/// `text` in kebab case (`ES Loyalty` and `es_loyalty` → `es-loyalty`): how an API is named on the
/// command line and, upper-cased with `_`, in environment variables.
pub(crate) fn kebab(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

/// The values an error template reads: a handful, so a list beats a hashed map.
struct Slots<'a>(Vec<(&'a str, Value)>);

impl<'a> Slots<'a> {
    fn set(&mut self, name: &'a str, value: Value) {
        self.0.push((name, value));
    }
}

impl Scope for Slots<'_> {
    fn root(&self, root: &str) -> Option<&Value> {
        self.0.iter().find(|(n, _)| *n == root).map(|(_, v)| v)
    }
    fn id(&self, _root: &str) -> Option<Value> {
        None
    }
}

/// `cards[3].id` → `cards[*].id`.
fn generalize(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut in_index = false;
    for c in field.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push_str("[*]");
            }
            ']' => in_index = false,
            _ if in_index => {}
            _ => out.push(c),
        }
    }
    out
}

fn slots(value: Option<&Value>, what: &str) -> Result<Vec<(String, Template)>, String> {
    let names = Names::of(ERROR_ROOTS);
    value
        .map(|v| {
            v.as_object()
                .ok_or_else(|| format!("{what} must be an object"))?
                .iter()
                .map(|(k, v)| Ok((k.clone(), Template::compile(v, &names)?)))
                .collect()
        })
        .unwrap_or(Ok(Vec::new()))
}

impl ErrorStyle {
    fn compile(value: &Value) -> Result<ErrorStyle, String> {
        let defaults = slots(value.get("defaults"), "defaults")?;
        let mut statuses = BTreeMap::new();
        let mut slot_names: Vec<String> = defaults.iter().map(|(k, _)| k.clone()).collect();
        for (status, declared) in value
            .get("statuses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let status: u16 = status
                .parse()
                .map_err(|_| format!("statuses: {status} is not a status"))?;
            let declared = slots(Some(declared), &format!("statuses.{status}"))?;
            slot_names.extend(declared.iter().map(|(k, _)| k.clone()));
            statuses.insert(status, declared);
        }
        let names = Names::of(ERROR_ROOTS).with(slot_names);
        let body = Template::compile(value.get("body").ok_or("`body` is missing")?, &names)
            .map_err(|e| format!("body: {e}"))?;
        let fresh = value
            .get("fresh")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, v)| {
                Ok((
                    k.clone(),
                    Template::compile(v, &Names::of(Vec::<String>::new()))?,
                ))
            })
            .collect::<Result<_, String>>()
            .map_err(|e| format!("fresh: {e}"))?;
        Ok(ErrorStyle {
            defaults,
            statuses,
            body,
            fresh,
        })
    }
}

impl InvalidStyle {
    fn compile(value: &Value) -> Result<InvalidStyle, String> {
        let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
        let messages = value
            .get("messages")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|m| {
                Ok(FieldMessage {
                    field: m["field"]
                        .as_str()
                        .ok_or("messages[].field is missing")?
                        .to_owned(),
                    keyword: m["keyword"].as_str().map(str::to_owned),
                    message: m["message"]
                        .as_str()
                        .ok_or("messages[].message is missing")?
                        .to_owned(),
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(InvalidStyle {
            message: value
                .get("message")
                .map(|m| Template::compile(m, &Names::of(["field", "error"])))
                .transpose()?,
            code: text("code"),
            details: value
                .get("details")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|d| d.as_str().map(str::to_owned))
                .collect(),
            fields: value.get("fields") == Some(&Value::Bool(true)),
            body_field: text("bodyField").unwrap_or_default(),
            messages,
        })
    }
}
