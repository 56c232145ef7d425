//! Behaviour inferred from a plain document's REST paths, for operations that declare no `x-concord-rules`:
//! `POST /things` creates, `GET /things/{id}` reads, `GET /things` lists (inside the envelope the response
//! schema defines), `PUT`/`PATCH`/`POST /things/{id}` update and `DELETE /things/{id}` removes; entities
//! under `/stores/{storeId}/members` belong to their store. The inference writes rules in the declared
//! vocabulary (the engine runs them like any other, and `--explain` prints them for a user to refine), and
//! demo data from the documented examples, so the examples work as written.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::error_shape::{required, synthesize};
use super::schema::{Schemas, properties, resolve_in};
use crate::state::DemoData;

/// What the inference found.
#[derive(Default)]
pub(super) struct Inferred {
    /// Resource declarations by kind (as in `x-concord-mock.resources`).
    pub(super) resources: BTreeMap<String, Value>,
    /// Rules by (path, lower-case method).
    pub(super) rules: BTreeMap<(String, String), Value>,
    /// Entities from the documented examples.
    pub(super) demo_data: DemoData,
}

/// Array properties that hold a list's items, best first.
const ITEMS: [&str; 8] = [
    "data", "items", "results", "members", "records", "content", "entries", "values",
];
const TOTAL: [&str; 9] = [
    "total",
    "totalCount",
    "total_count",
    "count",
    "totalItems",
    "total_items",
    "totalResults",
    "totalElements",
    "numberOfRecords",
];
const LIMIT: [&str; 6] = [
    "limit",
    "per_page",
    "perPage",
    "pageSize",
    "page_size",
    "size",
];
const OFFSET: [&str; 3] = ["offset", "skip", "start"];
const HAS_MORE: [&str; 2] = ["has_more", "hasMore"];
const PAGE: [&str; 2] = ["page", "pageNumber"];

/// A collection found in the paths: `/stores/{storeId}/members` with its item path.
struct Collection<'d> {
    kind: String,
    path: &'d str,
    item_path: Option<&'d str>,
    item_param: Option<String>,
    /// The path parameters of the collection's own path (its parents' ids).
    parents: Vec<String>,
    /// The collection whose item path this one's path extends.
    parent: Option<usize>,
    entity: Value,
    /// The object property an entity is wrapped in (`{data: {...}}`), if any.
    wrapper: Option<String>,
    id_field: Option<String>,
}

fn is_param(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

/// Infers what the document's plain operations do. `declared` lists kinds the document declares itself.
pub(super) fn infer(document: &Value, schemas: &Schemas, declared: &BTreeSet<String>) -> Inferred {
    let paths = document["paths"].as_object();
    let paths: Vec<(&str, &Value)> = paths
        .into_iter()
        .flatten()
        .map(|(p, item)| (p.as_str(), item))
        .collect();
    let mut collections: Vec<Collection<'_>> = paths
        .iter()
        .filter_map(|(path, item)| collection(&paths, (path, item), schemas))
        .filter(|c| !declared.contains(&c.kind))
        .collect();
    for i in 0..collections.len() {
        let path = collections[i].path;
        collections[i].parent = collections.iter().position(|c| {
            c.item_path
                .is_some_and(|item| path.strip_prefix(item).is_some_and(|r| r.starts_with('/')))
        });
    }
    let mut inferred = Inferred::default();
    for c in &collections {
        let writer = Writer {
            schemas,
            collections: &collections,
            c,
        };
        infer_collection(&paths, &writer, &mut inferred);
    }
    inferred
}

/// The collection at `path` (a path not ending in a parameter) with the item path below it, if its
/// entity's schema can be told: what reading one answers, else what creating one answers, else a list's
/// item.
fn collection<'a>(
    paths: &[(&'a str, &'a Value)],
    (path, item): (&'a str, &'a Value),
    schemas: &Schemas,
) -> Option<Collection<'a>> {
    let components = schemas.components();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if is_param(segments.last()?) {
        return None;
    }
    let item_path = paths.iter().find(|(p, _)| {
        p.strip_prefix(path)
            .and_then(|rest| rest.strip_prefix('/'))
            .is_some_and(|rest| is_param(rest) && !rest.contains('/'))
    });
    let kind = segments
        .iter()
        .filter(|s| !is_param(s))
        .copied()
        .collect::<Vec<_>>()
        .join(".");
    let item_param = item_path.map(|(p, _)| {
        p.rsplit('/')
            .next()
            .unwrap_or_default()
            .trim_matches(['{', '}'])
            .to_owned()
    });
    let candidates = [
        item_path
            .and_then(|(_, i)| i.get("get"))
            .and_then(|op| success_schema(schemas, op)),
        item.get("post").and_then(|op| success_schema(schemas, op)),
        item.get("get")
            .and_then(|op| success_schema(schemas, op))
            .and_then(|s| list_items(components, s).map(|(_, items)| items)),
    ];
    let found = candidates.into_iter().flatten().next()?;
    let (wrapper, entity) = unwrap(components, found);
    let id_field = id_field(components, entity, item_param.as_deref());
    Some(Collection {
        kind,
        path,
        item_path: item_path.map(|(p, _)| *p),
        item_param,
        parents: segments
            .iter()
            .filter(|s| is_param(s))
            .map(|s| s.trim_matches(['{', '}']).to_owned())
            .collect(),
        parent: None,
        entity: entity.clone(),
        wrapper,
        id_field,
    })
}

/// The entity's id property: `id`, else the item path's parameter, else the first ending in "id".
fn id_field(components: &Value, entity: &Value, item_param: Option<&str>) -> Option<String> {
    let names: Vec<String> = properties(components, entity)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    std::iter::once("id")
        .chain(item_param)
        .find(|n| names.iter().any(|name| name == n))
        .map(str::to_owned)
        .or_else(|| {
            names
                .iter()
                .find(|n| n.to_ascii_lowercase().ends_with("id"))
                .cloned()
        })
}

/// The rules of the writer's collection's plain operations, its resource and its demo data, into `inferred`.
fn infer_collection(paths: &[(&str, &Value)], writer: &Writer<'_, '_>, inferred: &mut Inferred) {
    let c = writer.c;
    let item = paths.iter().find(|(p, _)| *p == c.path).map(|(_, i)| *i);
    let item_item = c
        .item_path
        .and_then(|ip| paths.iter().find(|(p, _)| *p == ip).map(|(_, i)| *i));
    let mut any = false;
    let mut add = |path: &str, method: &str, rules: Option<Value>| {
        if let Some(rules) = rules {
            inferred
                .rules
                .insert((path.to_owned(), method.into()), rules);
            any = true;
        }
    };
    if let Some(op) = item.and_then(|i| plain(i, "post"))
        && op.get("requestBody").is_some()
    {
        add(c.path, "post", writer.create(op));
    }
    if let Some(op) = item.and_then(|i| plain(i, "get")) {
        add(c.path, "get", writer.list(op));
    }
    if let (Some(item_path), Some(item_item)) = (c.item_path, item_item) {
        for method in ["get", "put", "patch", "post", "delete"] {
            let Some(op) = plain(item_item, method) else {
                continue;
            };
            let rules = match method {
                "get" => writer.read(op),
                "delete" => writer.delete(op),
                "post" if op.get("requestBody").is_none() => None,
                _ => writer.update(op),
            };
            add(item_path, method, rules);
        }
    }
    if !any {
        return;
    }
    inferred.resources.insert(c.kind.clone(), writer.resource());
    if c.parent.is_none() {
        let demo_data = writer.demo_data(item, item_item);
        if !demo_data.is_empty() {
            inferred.demo_data.insert(c.kind.clone(), demo_data);
        }
    }
}

/// The operation of `item` for `method`, when it declares no rules of its own.
fn plain<'v>(item: &'v Value, method: &str) -> Option<&'v Value> {
    item.get(method)
        .filter(|op| op.get("x-concord-rules").is_none() && op.is_object())
}

/// The schema of an operation's first documented success answer with a JSON body.
fn success_schema<'v>(schemas: &'v Schemas, op: &'v Value) -> Option<&'v Value> {
    let (_, response) = success(schemas, op)?;
    json_media(response)?.get("schema")
}

/// An operation's first documented 2xx status and its (resolved) response.
fn success<'v>(schemas: &'v Schemas, op: &'v Value) -> Option<(u16, &'v Value)> {
    op["responses"]
        .as_object()?
        .iter()
        .filter_map(|(s, r)| Some((s.parse::<u16>().ok()?, schemas.resolve(r))))
        .find(|(s, _)| (200..300).contains(s))
}

/// The JSON media type of a response or request body (`application/json`, `…+json`).
pub(super) fn json_media(response: &Value) -> Option<&Value> {
    let content = response["content"].as_object()?;
    content
        .get("application/json")
        .or_else(|| {
            content
                .iter()
                .find(|(k, _)| k.split(';').next().unwrap_or_default().ends_with("+json"))
                .map(|(_, v)| v)
        })
        .or_else(|| content.get("*/*"))
}

/// The first documented example of a media type (its `example`, else its first named example).
fn media_example(schemas: &Schemas, media: &Value) -> Option<Value> {
    media.get("example").cloned().or_else(|| {
        media["examples"]
            .as_object()?
            .values()
            .next()
            .map(|e| schemas.resolve(e)["value"].clone())
    })
}

/// All documented examples of a media type.
fn media_examples(schemas: &Schemas, media: &Value) -> Vec<Value> {
    let mut all: Vec<Value> = media.get("example").cloned().into_iter().collect();
    for e in media["examples"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(_, e)| e)
    {
        all.push(schemas.resolve(e)["value"].clone());
    }
    all
}

/// The array property of a list answer (`None`: the answer is the array) and its items' schema.
fn list_items<'v>(components: &'v Value, schema: &'v Value) -> Option<(Option<String>, &'v Value)> {
    let schema = resolve_in(components, schema);
    if schema["type"] == "array" || schema.get("items").is_some() {
        return Some((None, &schema["items"]));
    }
    let declared = properties(components, schema);
    let arrays: Vec<&(String, &Value)> = declared
        .iter()
        .filter(|(_, s)| resolve_in(components, s)["type"] == "array")
        .collect();
    let chosen = ITEMS
        .iter()
        .find_map(|name| arrays.iter().find(|(n, _)| n == name))
        .or_else(|| arrays.first())?;
    Some((
        Some(chosen.0.clone()),
        &resolve_in(components, chosen.1)["items"],
    ))
}

/// An entity schema and the property it is wrapped in, if the answer wraps it (`{data: {id, …}}`).
fn unwrap<'v>(components: &'v Value, schema: &'v Value) -> (Option<String>, &'v Value) {
    let declared = properties(components, schema);
    let id_like = |s: &Value| {
        properties(components, s)
            .iter()
            .any(|(n, _)| n.to_ascii_lowercase().ends_with("id"))
    };
    if declared.len() <= 3 && !id_like(schema) {
        for (name, child) in &declared {
            let child = resolve_in(components, child);
            if child["type"] != "array" && id_like(child) {
                return (Some(name.clone()), child);
            }
        }
    }
    (None, schema)
}

/// Writes the rules of one collection's operations.
struct Writer<'a, 'd> {
    schemas: &'a Schemas,
    collections: &'a [Collection<'d>],
    c: &'a Collection<'d>,
}

impl Writer<'_, '_> {
    fn components(&self) -> &Value {
        self.schemas.components()
    }

    fn resource(&self) -> Value {
        let id_schema = self.c.id_field.as_ref().and_then(|f| {
            properties(self.components(), &self.c.entity)
                .into_iter()
                .find(|(n, _)| n == f)
                .map(|(_, s)| resolve_in(self.components(), s).clone())
        });
        match id_schema.as_ref().and_then(|s| s["type"].as_str()) {
            Some("integer") | Some("number") => json!({"id": {"sequence": 1}}),
            _ if self.id_prefix().is_some() => json!({"id": "request"}),
            _ => json!({"id": "uuid"}),
        }
    }

    /// A text id's prefix in the documented example (`ic_1Mv…` → `ic_`), kept on generated ids.
    fn id_prefix(&self) -> Option<String> {
        let field = self.c.id_field.as_ref()?;
        let schema = properties(self.components(), &self.c.entity)
            .into_iter()
            .find(|(n, _)| n == field)
            .map(|(_, s)| resolve_in(self.components(), s))?;
        if schema["format"] == "uuid" {
            return None;
        }
        let example = schema
            .get("example")
            .or_else(|| resolve_in(self.components(), &self.c.entity)["example"].get(field))?
            .as_str()?;
        let (prefix, rest) = example.split_once('_')?;
        (!prefix.is_empty() && prefix.len() <= 8 && rest.len() >= 8).then(|| format!("{prefix}_"))
    }

    /// `/stores/{storeId}/members/{memberId}` → `/stores/{path.storeId}/members/{path.memberId}`.
    fn shown(path: &str) -> String {
        path.split('/')
            .map(|s| {
                if is_param(s) {
                    format!("{{path.{}}}", s.trim_matches(['{', '}']))
                } else {
                    s.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The entity's parent fields: `_storeId` always (scoping), `storeId` too where the schema has it.
    fn scope_fields(&self) -> Map<String, Value> {
        let declared: Vec<String> = properties(self.components(), &self.c.entity)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        let mut fields = Map::new();
        for p in &self.c.parents {
            fields.insert(format!("_{p}"), json!(format!("{{path.{p}}}")));
            if declared.contains(p) {
                fields.insert(p.clone(), json!(format!("{{path.{p}}}")));
            }
        }
        fields
    }

    fn where_parent(&self) -> Map<String, Value> {
        self.c
            .parents
            .iter()
            .map(|p| (format!("_{p}"), json!(format!("{{path.{p}}}"))))
            .collect()
    }

    /// Loads the parent (`/stores/{storeId}`) first, so a missing one answers 404.
    fn parent_steps(&self) -> Vec<Value> {
        let Some(parent) = self.c.parent.map(|i| &self.collections[i]) else {
            return Vec::new();
        };
        let (Some(item_path), Some(param)) = (parent.item_path, &parent.item_param) else {
            return Vec::new();
        };
        let mut step = json!({
            "load": "parent",
            "kind": parent.kind,
            "id": format!("{{path.{param}}}"),
            "missing": {"status": 404, "message": format!("{} does not exist.", Self::shown(item_path))},
        });
        let scope: Map<String, Value> = parent
            .parents
            .iter()
            .map(|p| (format!("_{p}"), json!(format!("{{path.{p}}}"))))
            .collect();
        if !scope.is_empty() {
            step["where"] = Value::Object(scope);
        }
        vec![step]
    }

    fn load_step(&self) -> Option<Value> {
        let param = self.c.item_param.as_ref()?;
        let mut step = json!({
            "load": "entity",
            "kind": self.c.kind,
            "id": format!("{{path.{param}}}"),
            "missing": {"status": 404, "message": format!("{} does not exist.", Self::shown(self.c.item_path?))},
        });
        let scope = self.where_parent();
        if !scope.is_empty() {
            step["where"] = Value::Object(scope);
        }
        Some(step)
    }

    /// The answer to an operation that shows the entity: `respond` with the success status, the entity
    /// (wrapped as documented) when the answer has a body. Whatever the answer's schema requires and the
    /// entity or the wrapper's example lacks is filled in ([`filled`]), so the answer is valid.
    fn respond_entity(&self, op: &Value) -> Option<Value> {
        let (status, response) = success(self.schemas, op)?;
        let mut respond = json!({"respond": status});
        if let Some(media) = json_media(response).filter(|m| m.get("schema").is_some()) {
            let components = self.components();
            let schema = &media["schema"];
            let (wrapper, inner) = unwrap(components, schema);
            let entity = filled(components, inner, None, json!("{entity}"));
            respond["body"] = match wrapper {
                Some(key) => {
                    let example = media_example(self.schemas, media);
                    let mut base = literals(requirements(components, schema, example.as_ref()));
                    if let Some(Value::Object(map)) = example {
                        for (name, value) in map {
                            base.insert(name, json!({"$literal": value}));
                        }
                    }
                    base.insert(key, entity);
                    Value::Object(base)
                }
                None => entity,
            };
        }
        if resolve_in(self.components(), response)["headers"]
            .as_object()
            .is_some_and(|h| h.keys().any(|k| k.eq_ignore_ascii_case("location")))
            && let (Some(item_path), Some(_)) = (self.c.item_path, &self.c.item_param)
        {
            let location = Self::shown(item_path);
            let location = match location.rfind('{') {
                Some(i) => format!("{}{{entity.$id}}", &location[..i]),
                None => location,
            };
            respond["headers"] = json!({"Location": location});
        }
        Some(respond)
    }

    fn create(&self, op: &Value) -> Option<Value> {
        let (_, response) = success(self.schemas, op)?;
        let components = self.components();
        // Required fields the request may leave out, from the documented answer's example or the schema.
        let example = json_media(response).and_then(|m| media_example(self.schemas, m));
        let example = match (&self.c.wrapper, example) {
            (Some(key), Some(e)) => e.get(key).cloned(),
            (None, e) => e,
            _ => None,
        };
        // What the request must send anyway needs no default.
        let request = self.schemas.resolve(&op["requestBody"]);
        let sent = request["content"]
            .as_object()
            .and_then(|c| c.values().find_map(|m| m.get("schema")))
            .map(|s| required(components, s))
            .unwrap_or_default();
        let mut defaults = Map::new();
        for (name, schema) in properties(components, &self.c.entity) {
            if Some(&name) == self.c.id_field.as_ref()
                || sent.contains(&name.as_str())
                || !required(components, &self.c.entity).contains(&name.as_str())
            {
                continue;
            }
            let resolved = resolve_in(components, schema);
            let value = if resolved["format"] == "date-time"
                && ["creat", "updat", "modif"]
                    .iter()
                    .any(|w| name.to_ascii_lowercase().contains(w))
            {
                json!("{$now}")
            } else {
                let documented = example.as_ref().and_then(|e| e.get(&name));
                json!({"$literal": requirement(components, schema, documented)})
            };
            defaults.insert(name, value);
        }
        let mut own = self.scope_fields();
        if let Some(field) = &self.c.id_field {
            own.insert(field.clone(), json!("{$id}"));
        }
        let mut create = json!({
            "create": "entity",
            "kind": self.c.kind,
            "body": {"$merge": [defaults, "{body}", own]},
        });
        if let Some(prefix) = self.id_prefix() {
            create["id"] = json!(format!("{prefix}{{$hex:24}}"));
        }
        let mut steps = self.parent_steps();
        steps.push(create);
        steps.push(self.respond_entity(op)?);
        Some(Value::Array(steps))
    }

    fn read(&self, op: &Value) -> Option<Value> {
        let mut steps = self.parent_steps();
        steps.push(self.load_step()?);
        steps.push(self.respond_entity(op)?);
        Some(Value::Array(steps))
    }

    fn update(&self, op: &Value) -> Option<Value> {
        let body = self.schemas.resolve(&op["requestBody"]);
        let schema = body["content"]
            .as_object()?
            .values()
            .find_map(|m| m.get("schema"))?;
        let mut set = Map::new();
        for (name, _) in properties(self.components(), schema) {
            let protected =
                Some(&name) == self.c.id_field.as_ref() || self.c.parents.contains(&name);
            if !protected {
                set.insert(name.clone(), json!(format!("{{body.{name}}}")));
            }
        }
        if set.is_empty() {
            return None;
        }
        let mut steps = self.parent_steps();
        steps.push(self.load_step()?);
        steps.push(json!({"update": "entity", "set": set}));
        steps.push(self.respond_entity(op)?);
        Some(Value::Array(steps))
    }

    fn delete(&self, op: &Value) -> Option<Value> {
        let mut steps = self.parent_steps();
        steps.push(self.load_step()?);
        steps.push(json!({"delete": "entity"}));
        steps.push(self.respond_entity(op)?);
        Some(Value::Array(steps))
    }

    fn list(&self, op: &Value) -> Option<Value> {
        let (status, response) = success(self.schemas, op)?;
        let media = json_media(response)?;
        let components = self.components();
        let schema = media.get("schema")?;
        let (items_key, _) = list_items(components, schema)?;
        let query: Vec<String> = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| self.schemas.resolve(p))
            .filter(|p| p["in"] == "query")
            .filter_map(|p| p["name"].as_str().map(str::to_owned))
            .collect();
        let mut list = json!({"list": "page", "kind": self.c.kind});
        let scope = self.where_parent();
        if !scope.is_empty() {
            list["where"] = Value::Object(scope);
        }
        // Oldest first: by the creation time where the entity has one (random text ids have no order).
        let created = properties(components, &self.c.entity)
            .into_iter()
            .find(|(name, schema)| {
                name.to_ascii_lowercase().contains("creat")
                    && resolve_in(components, schema)["format"] == "date-time"
            })
            .map(|(name, _)| name);
        let sort: Vec<&String> = created.iter().chain(&self.c.id_field).collect();
        if !sort.is_empty() {
            list["sort"] = json!(sort);
        }
        if let Some(limit) = LIMIT.iter().find(|n| query.iter().any(|q| q == *n)) {
            list["limit"] = json!(format!("{{query.{limit}}}"));
        }
        if let Some(offset) = OFFSET.iter().find(|n| query.iter().any(|q| q == *n)) {
            list["offset"] = json!(format!("{{query.{offset}}}"));
        }
        let body = match items_key {
            None => json!("{page.items}"),
            Some(key) => {
                let example = media_example(self.schemas, media);
                envelope(components, schema, example.as_ref(), &key, 0)
            }
        };
        let mut steps = self.parent_steps();
        steps.push(list);
        steps.push(json!({"respond": status, "body": body}));
        Some(Value::Array(steps))
    }

    /// Entities from the documented examples of the list and read answers.
    fn demo_data(&self, list: Option<&Value>, item: Option<&Value>) -> BTreeMap<String, Value> {
        let mut demo_data = BTreeMap::new();
        let Some(field) = &self.c.id_field else {
            return demo_data;
        };
        let components = self.components();
        let mut entities: Vec<Value> = Vec::new();
        if let Some((_, response)) = list
            .and_then(|l| l.get("get"))
            .and_then(|op| success(self.schemas, op))
            && let Some(media) = json_media(response)
            && let Some((key, _)) = media.get("schema").and_then(|s| list_items(components, s))
        {
            for example in media_examples(self.schemas, media) {
                let items = match &key {
                    Some(key) => example.get(key).cloned(),
                    None => Some(example),
                };
                entities.extend(
                    items
                        .and_then(|i| i.as_array().cloned())
                        .unwrap_or_default(),
                );
            }
        }
        if let Some((_, response)) = item
            .and_then(|i| i.get("get"))
            .and_then(|op| success(self.schemas, op))
            && let Some(media) = json_media(response)
        {
            for example in media_examples(self.schemas, media) {
                let entity = match &self.c.wrapper {
                    Some(key) => example.get(key).cloned(),
                    None => Some(example),
                };
                entities.extend(entity);
            }
        }
        for entity in entities {
            if let Some(id) = entity
                .get(field)
                .filter(|id| id.is_string() || id.is_number())
            {
                demo_data
                    .entry(crate::template::text_of(id))
                    .or_insert(entity);
            }
        }
        demo_data
    }
}

/// A list answer's body: the items where the schema keeps them, the counts where it has them, the rest
/// from the documented example, and what the schema requires beyond that filled in ([`requirement`]).
fn envelope(
    components: &Value,
    schema: &Value,
    example: Option<&Value>,
    items_key: &str,
    depth: usize,
) -> Value {
    let mut body = Map::new();
    let mut literal = Map::new();
    let required = required(components, schema);
    for (name, child) in properties(components, schema) {
        let declared = child;
        let child = resolve_in(components, child);
        let named = |list: &[&str]| list.iter().any(|n| *n == name);
        let value = if name == items_key && depth == 0 {
            json!("{page.items}")
        } else if named(&TOTAL) && child["type"] == "integer" {
            json!("{page.total}")
        } else if named(&LIMIT) && child["type"] == "integer" {
            json!("{page.limit}")
        } else if named(&OFFSET) && child["type"] == "integer" {
            json!("{page.offset}")
        } else if named(&PAGE) && child["type"] == "integer" {
            json!("{page.page}")
        } else if named(&HAS_MORE) {
            json!({"$if": {"not": {"atMost": ["{page.total}", {"$add": ["{page.offset}", "{len(page.items)}"]}]}},
                   "then": true, "else": false})
        } else if child["type"] == "object" && depth == 0 {
            envelope(
                components,
                child,
                example.and_then(|e| e.get(&name)),
                items_key,
                1,
            )
        } else {
            let documented = example.and_then(|e| e.get(&name));
            if required.contains(&name.as_str()) {
                literal.insert(name.clone(), requirement(components, declared, documented));
            } else if let Some(value) = documented {
                literal.insert(name.clone(), value.clone());
            }
            continue;
        };
        body.insert(name, value);
    }
    body.extend(literals(literal));
    Value::Object(body)
}

/// The value a required property gets when neither the request nor the state gives one: its only
/// allowed value (a single-value enum), the documented example's, the schema's `default`, its `example`,
/// then a value of its type.
fn requirement(components: &Value, schema: &Value, documented: Option<&Value>) -> Value {
    let resolved = resolve_in(components, schema);
    if let Some([only]) = resolved["enum"].as_array().map(Vec::as_slice) {
        return only.clone();
    }
    documented
        .or_else(|| resolved.get("default"))
        .or_else(|| resolved.get("example"))
        .cloned()
        .unwrap_or_else(|| synthesize(components, schema, 0))
}

/// A value for each property `schema` requires ([`requirement`]), the documented example's where it has one.
fn requirements(
    components: &Value,
    schema: &Value,
    documented: Option<&Value>,
) -> Map<String, Value> {
    let required = required(components, schema);
    properties(components, schema)
        .into_iter()
        .filter(|(name, _)| required.contains(&name.as_str()))
        .map(|(name, child)| {
            let value = requirement(components, child, documented.and_then(|d| d.get(&name)));
            (name, value)
        })
        .collect()
}

/// `value` (a template) with what `schema` requires merged under it, so that whatever `value` lacks is
/// filled in and whatever it has wins; `value` alone when the schema requires nothing.
fn filled(components: &Value, schema: &Value, documented: Option<&Value>, value: Value) -> Value {
    let fills = requirements(components, schema, documented);
    if fills.is_empty() {
        return value;
    }
    json!({"$merge": [Value::Object(literals(fills)), value]})
}

/// Values taken as they are (a string with braces is no template).
fn literals(map: Map<String, Value>) -> Map<String, Value> {
    map.into_iter()
        .map(|(k, v)| (k, json!({"$literal": v})))
        .collect()
}
