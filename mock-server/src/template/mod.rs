//! Templates: the value language of the `x-concord-*` declarations. A template is a JSON value whose
//! strings may hold `{expression}` placeholders, compiled once at start-up and evaluated per request
//! against a [`Scope`] (the request's path, query, headers and body, the caller's credential, and the
//! entities the rules have loaded so far).
//!
//! - `"{body.quantity}"` (a placeholder that is the whole string) keeps the value's JSON type;
//!   `"Card {path.cardId} is gone"` interpolates text.
//! - An expression is one or more terms separated by `|`; the first that is present wins:
//!   `{query.limit|10}`. A term is a reference (`account.cards`, `body.physicalCards[*].loyaltyId`,
//!   `account.$id`), a literal (`'text'`, `12`, `true`, `null`), a generator (`$uuid`, `$digits:19`,
//!   `$hex:20`, `$now`, `$now+60s`) or a function of an expression (`lower(...)`, `upper`, `trim`, `len`,
//!   `join`, `first`, `text`).
//! - An object key whose value is absent (or a placeholder that resolved to `null`) is left out; so are
//!   absent items of an array.
//! - Operators are objects with one `$` key: `{$concat: [..]}`, `{$merge: [..]}`, `{$add: [..]}`,
//!   `{$if: predicate, then: .., else: ..}`, `{$switch: .., cases: {..}, default: ..}`,
//!   `{$each: list, item: .., else: ..}` (binding `item` and `$index`), `{$literal: value}` (taken as it
//!   is, braces and `$` keys included).

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

mod predicate;

pub(crate) use predicate::Predicate;

/// Names an expression may reference, so that a typo is a start-up error rather than a silent absence.
#[derive(Debug, Clone, Default)]
pub(crate) struct Names {
    bound: BTreeSet<String>,
    /// Open scopes accept any root (error templates, where the context is the problem).
    open: bool,
}

impl Names {
    /// A scope that knows these roots.
    pub(crate) fn of<I: IntoIterator<Item = S>, S: Into<String>>(roots: I) -> Names {
        Names {
            bound: roots.into_iter().map(Into::into).collect(),
            open: false,
        }
    }

    /// A scope that accepts any root.
    pub(crate) fn open() -> Names {
        Names {
            bound: BTreeSet::new(),
            open: true,
        }
    }

    /// Adds a root.
    pub(crate) fn bind(&mut self, root: impl Into<String>) {
        self.bound.insert(root.into());
    }

    /// This scope with more roots.
    pub(crate) fn with<I: IntoIterator<Item = S>, S: Into<String>>(&self, roots: I) -> Names {
        let mut names = self.clone();
        names.bound.extend(roots.into_iter().map(Into::into));
        names
    }

    fn check(&self, root: &str) -> Result<(), String> {
        if self.open || self.bound.contains(root) {
            Ok(())
        } else {
            Err(format!(
                "unknown name `{root}` (known here: {})",
                self.bound.iter().cloned().collect::<Vec<_>>().join(", ")
            ))
        }
    }
}

/// What expressions read: named roots (`path`, `body`, `account`, …) and the ids of named entities.
pub(crate) trait Scope {
    /// The value bound to `root`.
    fn root(&self, root: &str) -> Option<&Value>;
    /// The id (or ids) of the entity bound to `root`, for `root.$id`.
    fn id(&self, root: &str) -> Option<Value>;
}

impl Scope for Map<String, Value> {
    fn root(&self, root: &str) -> Option<&Value> {
        self.get(root)
    }
    fn id(&self, _root: &str) -> Option<Value> {
        None
    }
}

/// A scope over another, with a few more roots (an item of `$each`, the id being created).
pub(crate) struct Layered<'a> {
    /// Roots that shadow the base's.
    pub(crate) top: &'a Map<String, Value>,
    /// Everything else.
    pub(crate) base: &'a dyn Scope,
}

impl Scope for Layered<'_> {
    fn root(&self, root: &str) -> Option<&Value> {
        self.top.get(root).or_else(|| self.base.root(root))
    }
    fn id(&self, root: &str) -> Option<Value> {
        self.base.id(root)
    }
}

/// A compiled template.
#[derive(Debug, Clone)]
pub(crate) enum Template {
    /// No placeholders.
    Literal(Value),
    /// `"{expr}"`: the expression's value, with its JSON type.
    Whole(Expr),
    /// Text with placeholders.
    Text(Vec<Piece>),
    /// An object; absent values leave their key out.
    Object(Vec<(String, Template)>),
    /// An array; absent items are skipped.
    Array(Vec<Template>),
    /// A `$` operator.
    Operator(Box<Operator>),
}

/// A part of an interpolated string.
#[derive(Debug, Clone)]
pub(crate) enum Piece {
    /// Literal text.
    Text(String),
    /// A placeholder (absent: empty).
    Expr(Expr),
}

/// The `$` operators.
#[derive(Debug, Clone)]
pub(crate) enum Operator {
    /// Arrays joined in order (absent parts skipped, scalars appended).
    Concat(Vec<Template>),
    /// Objects merged, later keys winning.
    Merge(Vec<Template>),
    /// Numbers added (absent parts count as 0).
    Add(Vec<Template>),
    /// One of two values.
    If {
        /// The condition.
        test: Predicate,
        /// When it holds.
        then: Template,
        /// Otherwise (absent when not given).
        otherwise: Option<Template>,
    },
    /// The case whose key equals the value's text.
    Switch {
        /// The value switched on.
        on: Template,
        /// Cases by text.
        cases: Vec<(String, Template)>,
        /// When no case matches.
        default: Option<Template>,
    },
    /// A template per item of a list, binding `item` and `$index`.
    Each {
        /// The list.
        list: Template,
        /// The template of one item.
        item: Template,
        /// When the list is empty or absent.
        otherwise: Option<Template>,
    },
}

/// `term | term | …`: the first present term.
#[derive(Debug, Clone)]
pub(crate) struct Expr(Vec<Term>);

/// One alternative of an expression.
#[derive(Debug, Clone)]
enum Term {
    Ref(Ref),
    Literal(Value),
    Generate(Generator),
    Call(Function, Box<Expr>),
}

#[derive(Debug, Clone)]
struct Ref {
    root: String,
    path: Vec<Segment>,
    /// As written (`cards.items`), to tell references to the same value apart.
    text: String,
}

/// A scope whose bound values an answer may take instead of copying (the last use of a large list).
pub(crate) trait Owned: Scope {
    /// The value bound to `root`, to take parts of; `None` for values the scope does not own.
    fn bound_mut(&mut self, root: &str) -> Option<&mut Value>;
}

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Key(String),
    Index(usize),
    /// `[*]`: the rest of the path applied to every item.
    Each,
    /// `$id` / `$ids`: the id of the entity bound to the root.
    Id,
}

#[derive(Debug, Clone, Copy)]
enum Generator {
    Uuid,
    Digits(usize),
    Hex(usize),
    /// Now plus this many seconds, RFC 3339 in UTC.
    Now(i64),
}

#[derive(Debug, Clone, Copy)]
enum Function {
    Lower,
    Upper,
    Trim,
    Len,
    Join,
    First,
    Text,
}

impl Template {
    /// Compiles a declared value; `names` are the roots its expressions may use.
    pub(crate) fn compile(value: &Value, names: &Names) -> Result<Template, String> {
        match value {
            Value::String(text) => compile_text(text, names),
            Value::Array(items) => Ok(Template::Array(
                items
                    .iter()
                    .map(|item| Template::compile(item, names))
                    .collect::<Result<_, _>>()?,
            )),
            Value::Object(map) => {
                // `{$literal: VALUE}`: taken as it is (documented examples may hold `{` in text).
                if let Some(literal) = map.get("$literal") {
                    if map.len() > 1 {
                        return Err("$literal takes nothing else".into());
                    }
                    return Ok(Template::Literal(literal.clone()));
                }
                if let Some((key, _)) = map.iter().find(|(k, _)| k.starts_with('$')) {
                    return Operator::compile(key, map, names)
                        .map(|op| Template::Operator(Box::new(op)));
                }
                Ok(Template::Object(
                    map.iter()
                        .map(|(k, v)| Ok((k.clone(), Template::compile(v, names)?)))
                        .collect::<Result<_, String>>()?,
                ))
            }
            other => Ok(Template::Literal(other.clone())),
        }
    }

    /// Evaluates; `None` is absent.
    pub(crate) fn eval(&self, scope: &dyn Scope) -> Option<Value> {
        match self {
            Template::Literal(v) => Some(v.clone()),
            Template::Whole(expr) => expr.eval(scope).filter(|v| !v.is_null()),
            Template::Text(pieces) => {
                let mut out = String::new();
                for piece in pieces {
                    match piece {
                        Piece::Text(t) => out.push_str(t),
                        Piece::Expr(e) => {
                            if let Some(v) = e.eval(scope) {
                                out.push_str(&text_of(&v));
                            }
                        }
                    }
                }
                Some(Value::String(out))
            }
            Template::Object(fields) => {
                let mut map = Map::new();
                for (key, template) in fields {
                    if let Some(v) = template.eval(scope) {
                        map.insert(key.clone(), v);
                    }
                }
                Some(Value::Object(map))
            }
            Template::Array(items) => Some(Value::Array(
                items.iter().filter_map(|t| t.eval(scope)).collect(),
            )),
            Template::Operator(op) => op.eval(scope),
        }
    }

    /// Every reference it makes, as written (to find the values referenced more than once).
    pub(crate) fn references(&self, out: &mut Vec<String>) {
        match self {
            Template::Literal(_) => {}
            Template::Whole(e) => e.references(out),
            Template::Text(pieces) => {
                for piece in pieces {
                    if let Piece::Expr(e) = piece {
                        e.references(out);
                    }
                }
            }
            Template::Object(fields) => fields.iter().for_each(|(_, t)| t.references(out)),
            Template::Array(items) => items.iter().for_each(|t| t.references(out)),
            // Operators are evaluated by copying; their references count as shared.
            Template::Operator(_) => out.push("*".into()),
        }
    }

    /// Like [`Template::eval`], but a whole-value reference to something the scope owns is moved out of it
    /// rather than copied, unless it is one of `shared` (referenced more than once). For the answer, the
    /// last use of what the rules read.
    pub(crate) fn eval_moving(&self, scope: &mut dyn Owned, shared: &[String]) -> Option<Value> {
        match self {
            Template::Whole(Expr(terms)) => {
                if let [Term::Ref(r)] = terms.as_slice()
                    && !shared.iter().any(|s| *s == r.text || s == "*")
                    && r.path
                        .iter()
                        .all(|s| matches!(s, Segment::Key(_) | Segment::Index(_)))
                    && let Some(bound) = scope.bound_mut(&r.root)
                {
                    let mut at = bound;
                    for segment in &r.path {
                        at = match segment {
                            Segment::Key(k) => at.get_mut(k)?,
                            Segment::Index(i) => at.get_mut(*i)?,
                            _ => return None,
                        };
                    }
                    return Some(std::mem::take(at)).filter(|v| !v.is_null());
                }
                self.eval(scope)
            }
            Template::Object(fields) => {
                let mut map = Map::new();
                for (key, template) in fields {
                    if let Some(v) = template.eval_moving(scope, shared) {
                        map.insert(key.clone(), v);
                    }
                }
                Some(Value::Object(map))
            }
            _ => self.eval(scope),
        }
    }

    /// Evaluates to text (absent: empty).
    pub(crate) fn text(&self, scope: &dyn Scope) -> String {
        self.eval(scope).map(|v| text_of(&v)).unwrap_or_default()
    }
}

impl Operator {
    fn compile(key: &str, map: &Map<String, Value>, names: &Names) -> Result<Operator, String> {
        let t = |v: &Value| Template::compile(v, names);
        let list = |v: &Value| -> Result<Vec<Template>, String> {
            v.as_array()
                .ok_or_else(|| format!("{key} takes a list"))?
                .iter()
                .map(t)
                .collect()
        };
        let allowed: &[&str] = match key {
            "$if" => &["$if", "then", "else"],
            "$switch" => &["$switch", "cases", "default"],
            "$each" => &["$each", "item", "else"],
            _ => &[key],
        };
        if let Some(extra) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(format!("{key} does not take `{extra}`"));
        }
        let optional = |name: &str| map.get(name).map(t).transpose();
        Ok(match key {
            "$concat" => Operator::Concat(list(&map[key])?),
            "$merge" => Operator::Merge(list(&map[key])?),
            "$add" => Operator::Add(list(&map[key])?),
            "$if" => Operator::If {
                test: Predicate::compile(&map[key], names)?,
                then: t(map.get("then").ok_or("$if needs `then`")?)?,
                otherwise: optional("else")?,
            },
            "$switch" => Operator::Switch {
                on: t(&map[key])?,
                cases: map
                    .get("cases")
                    .and_then(Value::as_object)
                    .ok_or("$switch needs `cases`")?
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), t(v)?)))
                    .collect::<Result<_, String>>()?,
                default: optional("default")?,
            },
            "$each" => Operator::Each {
                list: t(&map[key])?,
                item: Template::compile(
                    map.get("item").ok_or("$each needs `item`")?,
                    &names.with(["item", "$index"]),
                )?,
                otherwise: optional("else")?,
            },
            other => return Err(format!("unknown operator {other}")),
        })
    }

    fn eval(&self, scope: &dyn Scope) -> Option<Value> {
        match self {
            Operator::Concat(parts) => {
                let mut out = Vec::new();
                for part in parts {
                    match part.eval(scope) {
                        Some(Value::Array(items)) => out.extend(items),
                        Some(Value::Null) | None => {}
                        Some(other) => out.push(other),
                    }
                }
                Some(Value::Array(out))
            }
            Operator::Merge(parts) => {
                let mut out = Map::new();
                for part in parts {
                    if let Some(Value::Object(map)) = part.eval(scope) {
                        out.extend(map);
                    }
                }
                Some(Value::Object(out))
            }
            Operator::Add(parts) => Some(sum(parts, scope)),
            Operator::If {
                test,
                then,
                otherwise,
            } => {
                if test.holds(scope) {
                    then.eval(scope)
                } else {
                    otherwise.as_ref().and_then(|t| t.eval(scope))
                }
            }
            Operator::Switch { on, cases, default } => {
                let key = on.text(scope);
                cases
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, t)| t)
                    .or(default.as_ref())
                    .and_then(|t| t.eval(scope))
            }
            Operator::Each {
                list,
                item,
                otherwise,
            } => match list.eval(scope) {
                Some(Value::Array(items)) if !items.is_empty() => Some(each(items, item, scope)),
                _ => otherwise.as_ref().and_then(|t| t.eval(scope)),
            },
        }
    }
}

/// `$add`: integers stay integers; one float among them makes the sum a float.
fn sum(parts: &[Template], scope: &dyn Scope) -> Value {
    let mut int: i64 = 0;
    let mut float: Option<f64> = None;
    for part in parts {
        match part.eval(scope).as_ref().and_then(number_of) {
            Some(Number::Int(i)) => int = int.saturating_add(i),
            Some(Number::Float(f)) => *float.get_or_insert(0.0) += f,
            None => {}
        }
    }
    match float {
        Some(f) => json!(f + int as f64),
        None => json!(int),
    }
}

/// `$each`: `item` evaluated for every element, with `item` and `$index` in scope.
fn each(items: Vec<Value>, item: &Template, scope: &dyn Scope) -> Value {
    let mut out = Vec::with_capacity(items.len());
    for (index, value) in items.into_iter().enumerate() {
        let mut top = Map::new();
        top.insert("item".into(), value);
        top.insert("$index".into(), json!(index));
        let layered = Layered {
            top: &top,
            base: scope,
        };
        if let Some(v) = item.eval(&layered) {
            out.push(v);
        }
    }
    Value::Array(out)
}

enum Number {
    Int(i64),
    Float(f64),
}

fn number_of(value: &Value) -> Option<Number> {
    match value {
        Value::Number(n) => n
            .as_i64()
            .map(Number::Int)
            .or_else(|| n.as_f64().map(Number::Float)),
        Value::String(s) => s
            .trim()
            .parse::<i64>()
            .ok()
            .map(Number::Int)
            .or_else(|| s.trim().parse::<f64>().ok().map(Number::Float)),
        _ => None,
    }
}

/// A number as `f64`, reading numeric text too.
pub(crate) fn as_f64(value: &Value) -> Option<f64> {
    number_of(value).map(|n| match n {
        Number::Int(i) => i as f64,
        Number::Float(f) => f,
    })
}

/// A value as text: strings as they are, everything else as JSON.
pub(crate) fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Equality across JSON types where the text is the same (`"1001"` equals `1001`), as path parameters
/// and stored fields meet.
pub(crate) fn loosely_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        // The common case (ids, names) without rendering either side.
        (Value::String(x), Value::String(y)) => x == y,
        (
            Value::String(_) | Value::Number(_) | Value::Bool(_),
            Value::String(_) | Value::Number(_) | Value::Bool(_),
        ) => text_of(a) == text_of(b),
        _ => a == b,
    }
}

fn compile_text(text: &str, names: &Names) -> Result<Template, String> {
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut at = 0;
    while let Some(offset) = text[at..].find(['{', '}']) {
        let brace = at + offset;
        literal.push_str(&text[at..brace]);
        let doubled = text[brace + 1..].starts_with(&text[brace..=brace]);
        if doubled {
            // `{{` and `}}` are a literal brace (URI templates, JSON in text).
            literal.push_str(&text[brace..=brace]);
            at = brace + 2;
        } else if text[brace..].starts_with('}') {
            // A lone `}` is text, as it always was.
            literal.push('}');
            at = brace + 1;
        } else {
            let end = closing_brace(text, brace + 1)
                .ok_or_else(|| format!("unclosed `{{` in {text:?} (a literal brace is `{{{{`)"))?;
            if !literal.is_empty() {
                pieces.push(Piece::Text(std::mem::take(&mut literal)));
            }
            let expr = Expr::parse(&text[brace + 1..end], names)
                .map_err(|e| format!("in {text:?}: {e}"))?;
            pieces.push(Piece::Expr(expr));
            at = end + 1;
        }
    }
    literal.push_str(&text[at..]);
    if !literal.is_empty() {
        pieces.push(Piece::Text(literal));
    }
    Ok(match pieces.as_slice() {
        [] => Template::Literal(Value::String(String::new())),
        [Piece::Text(t)] => Template::Literal(Value::String(t.clone())),
        [Piece::Expr(e)] => Template::Whole(e.clone()),
        _ => Template::Text(pieces),
    })
}

/// The `}` that closes a placeholder opened before `from`; braces inside a quoted literal (`'{none}'`)
/// do not count.
fn closing_brace(text: &str, from: usize) -> Option<usize> {
    let mut quoted = false;
    for (i, c) in text[from..].char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '}' if !quoted => return Some(from + i),
            _ => {}
        }
    }
    None
}

impl Expr {
    fn references(&self, out: &mut Vec<String>) {
        for term in &self.0 {
            match term {
                Term::Ref(r) => out.push(r.text.clone()),
                Term::Call(_, inner) => inner.references(out),
                _ => {}
            }
        }
    }

    /// Parses `term | term …`.
    pub(crate) fn parse(source: &str, names: &Names) -> Result<Expr, String> {
        let mut parser = Parser {
            chars: source.chars().collect(),
            at: 0,
            names,
        };
        let expr = parser.expr()?;
        parser.skip_space();
        if parser.at < parser.chars.len() {
            return Err(format!(
                "unexpected `{}` in `{source}`",
                parser.chars[parser.at..].iter().collect::<String>()
            ));
        }
        Ok(expr)
    }

    /// The first present term's value.
    pub(crate) fn eval(&self, scope: &dyn Scope) -> Option<Value> {
        self.0
            .iter()
            .find_map(|term| term.eval(scope).filter(|v| !v.is_null()))
    }
}

impl Term {
    fn eval(&self, scope: &dyn Scope) -> Option<Value> {
        match self {
            Term::Literal(v) => Some(v.clone()),
            Term::Ref(r) => r.eval(scope),
            Term::Generate(g) => Some(g.generate()),
            Term::Call(f, arg) => f.apply(arg.eval(scope)?),
        }
    }
}

impl Ref {
    fn eval(&self, scope: &dyn Scope) -> Option<Value> {
        if self.path.first() == Some(&Segment::Id) {
            return scope.id(&self.root);
        }
        walk(scope.root(&self.root)?, &self.path)
    }
}

fn walk(value: &Value, path: &[Segment]) -> Option<Value> {
    let Some((first, rest)) = path.split_first() else {
        return Some(value.clone());
    };
    match first {
        Segment::Key(k) => walk(value.get(k)?, rest),
        Segment::Index(i) => walk(value.get(*i)?, rest),
        Segment::Each => Some(Value::Array(
            value
                .as_array()?
                .iter()
                .filter_map(|item| walk(item, rest))
                .collect(),
        )),
        Segment::Id => None,
    }
}

/// Reads a dotted field path (`externalIds.CARD`) from a value, in place.
pub(crate) fn field<'v>(value: &'v Value, dotted: &str) -> Option<&'v Value> {
    dotted
        .split('.')
        .try_fold(value, |v, key| v.get(key))
        .filter(|v| !v.is_null())
}

impl Generator {
    fn generate(self) -> Value {
        match self {
            Generator::Uuid => Value::String(uuid::Uuid::new_v4().to_string()),
            Generator::Digits(n) => Value::String(
                (0..n)
                    .map(|_| char::from(b'0' + fastrand::u8(0..10)))
                    .collect(),
            ),
            Generator::Hex(n) => Value::String(
                (0..n)
                    .map(|_| char::from_digit(fastrand::u32(0..16), 16).unwrap_or('0'))
                    .collect(),
            ),
            Generator::Now(offset) => Value::String(
                (chrono::Utc::now() + chrono::Duration::seconds(offset))
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            ),
        }
    }
}

impl Function {
    fn apply(self, value: Value) -> Option<Value> {
        Some(match self {
            Function::Lower => Value::String(text_of(&value).to_lowercase()),
            Function::Upper => Value::String(text_of(&value).to_uppercase()),
            Function::Trim => Value::String(text_of(&value).trim().to_owned()),
            Function::Text => Value::String(text_of(&value)),
            Function::Len => match &value {
                Value::Array(items) => json!(items.len()),
                Value::String(s) => json!(s.chars().count()),
                Value::Object(map) => json!(map.len()),
                _ => return None,
            },
            Function::Join => match &value {
                Value::Array(items) => {
                    Value::String(items.iter().map(text_of).collect::<Vec<_>>().join(", "))
                }
                other => Value::String(text_of(other)),
            },
            Function::First => match value {
                Value::Array(items) => items.into_iter().next()?,
                other => other,
            },
        })
    }
}

struct Parser<'n> {
    chars: Vec<char>,
    at: usize,
    names: &'n Names,
}

impl Parser<'_> {
    fn skip_space(&mut self) {
        while self.chars.get(self.at).is_some_and(|c| c.is_whitespace()) {
            self.at += 1;
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn expr(&mut self) -> Result<Expr, String> {
        let mut terms = vec![self.term()?];
        loop {
            self.skip_space();
            if self.peek() == Some('|') {
                self.at += 1;
                terms.push(self.term()?);
            } else {
                return Ok(Expr(terms));
            }
        }
    }

    fn word(&mut self) -> String {
        let start = self.at;
        while self
            .peek()
            .is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '$' | '+' | ':' | '.'))
        {
            self.at += 1;
        }
        self.chars[start..self.at].iter().collect()
    }

    fn term(&mut self) -> Result<Term, String> {
        self.skip_space();
        match self.peek() {
            None => Err("an empty expression".into()),
            Some('\'') => {
                self.at += 1;
                let start = self.at;
                while self.peek().is_some_and(|c| c != '\'') {
                    self.at += 1;
                }
                if self.peek() != Some('\'') {
                    return Err("an unclosed quote".into());
                }
                let text: String = self.chars[start..self.at].iter().collect();
                self.at += 1;
                Ok(Term::Literal(Value::String(text)))
            }
            Some(c) if c.is_ascii_digit() || c == '-' => {
                let word = self.word();
                serde_json::from_str::<serde_json::Number>(&word)
                    .map(|n| Term::Literal(Value::Number(n)))
                    .map_err(|_| format!("`{word}` is not a number"))
            }
            Some('[') => {
                self.at += 1;
                self.skip_space();
                if self.peek() != Some(']') {
                    return Err("only the empty list `[]` is a list literal".into());
                }
                self.at += 1;
                Ok(Term::Literal(json!([])))
            }
            Some('$') => {
                let word = self.word();
                if let Some(generator) = generator(&word)? {
                    return Ok(Term::Generate(generator));
                }
                self.reference(word)
            }
            Some(_) => {
                let word = self.word();
                match word.as_str() {
                    "true" => return Ok(Term::Literal(json!(true))),
                    "false" => return Ok(Term::Literal(json!(false))),
                    "null" => return Ok(Term::Literal(Value::Null)),
                    _ => {}
                }
                self.skip_space();
                if self.peek() == Some('(') {
                    let function = match word.as_str() {
                        "lower" => Function::Lower,
                        "upper" => Function::Upper,
                        "trim" => Function::Trim,
                        "len" => Function::Len,
                        "join" => Function::Join,
                        "first" => Function::First,
                        "text" => Function::Text,
                        other => return Err(format!("unknown function `{other}`")),
                    };
                    self.at += 1;
                    let inner = self.expr()?;
                    self.skip_space();
                    if self.peek() != Some(')') {
                        return Err(format!("`{word}(` is not closed"));
                    }
                    self.at += 1;
                    return Ok(Term::Call(function, Box::new(inner)));
                }
                self.reference(word)
            }
        }
    }

    /// `root.key[0].key[*].$id`; the word read so far may hold dots.
    fn reference(&mut self, mut word: String) -> Result<Term, String> {
        // Indexes follow the word: `a.b[*].c[0]`.
        while self.peek() == Some('[') {
            let close = self.chars[self.at..]
                .iter()
                .position(|c| *c == ']')
                .ok_or("an unclosed `[`")?;
            let inside: String = self.chars[self.at..self.at + close + 1].iter().collect();
            word.push_str(&inside);
            self.at += close + 1;
            word.push_str(&self.word());
        }
        let mut segments = Vec::new();
        for (position, part) in word.split('.').enumerate() {
            let (key, indexes) = match part.find('[') {
                Some(i) => (&part[..i], &part[i..]),
                None => (part, ""),
            };
            if key.is_empty() {
                return Err(format!("`{word}` has an empty part"));
            }
            segments.push(match key {
                "$id" | "$ids" if position > 0 => Segment::Id,
                k => Segment::Key(k.to_owned()),
            });
            for index in indexes.split('[').skip(1) {
                let index = index.trim_end_matches(']');
                segments.push(match index {
                    "*" => Segment::Each,
                    n => Segment::Index(n.parse().map_err(|_| format!("`[{n}]` is not an index"))?),
                });
            }
        }
        let Segment::Key(root) = segments.remove(0) else {
            return Err(format!("`{word}` must start with a name"));
        };
        self.names.check(&root)?;
        if segments.iter().skip(1).any(|s| *s == Segment::Id) {
            return Err(format!("`$id` must follow the name directly in `{word}`"));
        }
        Ok(Term::Ref(Ref {
            root,
            path: segments,
            text: word,
        }))
    }
}

fn generator(word: &str) -> Result<Option<Generator>, String> {
    let (name, arg) = match word.split_once(':') {
        Some((n, a)) => (n, Some(a)),
        None => (word, None),
    };
    let length = |arg: Option<&str>| -> Result<usize, String> {
        arg.and_then(|a| a.parse().ok())
            .filter(|n| (1..=64).contains(n))
            .ok_or_else(|| format!("`{word}` needs a length from 1 to 64 (`{name}:10`)"))
    };
    Ok(Some(match name {
        "$uuid" => Generator::Uuid,
        "$digits" => Generator::Digits(length(arg)?),
        "$hex" => Generator::Hex(length(arg)?),
        "$now" => Generator::Now(0),
        n if n.starts_with("$now+") || n.starts_with("$now-") => {
            let sign = if n.as_bytes()[4] == b'-' { -1 } else { 1 };
            let amount = &n[5..];
            let (number, unit) = amount.split_at(amount.len().saturating_sub(1));
            let number: i64 = number
                .parse()
                .map_err(|_| format!("`{word}`: write an offset like `$now+60s`"))?;
            let seconds = match unit {
                "s" => number,
                "m" => number * 60,
                "h" => number * 3600,
                "d" => number * 86_400,
                _ => return Err(format!("`{word}`: the unit is s, m, h or d")),
            };
            Generator::Now(sign * seconds)
        }
        _ => return Ok(None),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(template: Value, scope: Value) -> Option<Value> {
        let Value::Object(map) = scope else { panic!() };
        Template::compile(&template, &Names::open())
            .unwrap()
            .eval(&map)
    }

    #[test]
    fn whole_placeholders_keep_types_and_absent_keys_are_left_out() {
        let scope =
            json!({"body": {"quantity": 3, "cards": [{"id": 1}, {"id": 2}]}, "path": {"id": "7"}});
        assert_eq!(
            eval(
                json!({"q": "{body.quantity}", "n": "{body.none}", "ids": "{body.cards[*].id}"}),
                scope.clone()
            ),
            Some(json!({"q": 3, "ids": [1, 2]}))
        );
        assert_eq!(
            eval(json!("card {path.id} of {body.quantity|0}"), scope.clone()),
            Some(json!("card 7 of 3"))
        );
        assert_eq!(
            eval(json!("{body.limit|10}"), scope.clone()),
            Some(json!(10))
        );
        assert_eq!(
            eval(json!("{len(body.cards)}"), scope.clone()),
            Some(json!(2))
        );
        assert_eq!(eval(json!("{lower('AbC')}"), scope), Some(json!("abc")));
    }

    #[test]
    fn doubled_braces_are_literal_and_quoted_literals_may_hold_braces() {
        let scope = json!({"path": {"repo": "concord", "n": 7}});
        assert_eq!(
            eval(
                json!("https://api.example/repos/{path.repo}/labels{{/name}}"),
                scope.clone()
            ),
            Some(json!("https://api.example/repos/concord/labels{/name}"))
        );
        assert_eq!(
            eval(json!("{{{path.n}}}"), scope.clone()),
            Some(json!("{7}"))
        );
        assert_eq!(eval(json!("{{}}"), scope.clone()), Some(json!("{}")));
        assert_eq!(
            eval(json!("{path.none|'{none}'}"), scope.clone()),
            Some(json!("{none}"))
        );
        assert_eq!(
            eval(json!("a {path.none|'} b {'} c"), scope),
            Some(json!("a } b { c"))
        );
    }

    #[test]
    fn operators_combine_values() {
        let scope = json!({"a": [1], "b": [2, 3], "flag": true});
        assert_eq!(
            eval(
                json!({"$concat": ["{a}", "{b}", "{missing}"]}),
                scope.clone()
            ),
            Some(json!([1, 2, 3]))
        );
        assert_eq!(
            eval(json!({"$add": ["{len(a)}", "{len(b)}"]}), scope.clone()),
            Some(json!(3))
        );
        assert_eq!(
            eval(
                json!({"$if": {"equal": ["{flag}", true]}, "then": "yes"}),
                scope.clone()
            ),
            Some(json!("yes"))
        );
        assert_eq!(
            eval(
                json!({"$each": "{b}", "item": {"n": "{item}", "i": "{$index}"}}),
                scope
            ),
            Some(json!([{"n": 2, "i": 0}, {"n": 3, "i": 1}]))
        );
    }

    #[test]
    fn mistakes_are_reported_at_compile_time() {
        let names = Names::of(["path", "body"]);
        assert!(
            Template::compile(&json!("{custmer.studio}"), &names)
                .unwrap_err()
                .contains("custmer")
        );
        assert!(Template::compile(&json!("{path.id"), &names).is_err());
        assert!(Template::compile(&json!("{nope(path.id)}"), &names).is_err());
        assert!(Template::compile(&json!({"$bogus": 1}), &names).is_err());
        assert!(
            Template::compile(&json!("{path.id|'}"), &names)
                .unwrap_err()
                .contains("unclosed")
        );
        assert!(Template::compile(&json!("{$digits}"), &names).is_err());
    }

    #[test]
    fn generators_are_fresh() {
        let scope = json!({});
        let a = eval(json!("{$digits:19}"), scope.clone()).unwrap();
        let b = eval(json!("{$digits:19}"), scope.clone()).unwrap();
        assert_eq!(a.as_str().unwrap().len(), 19);
        assert_ne!(a, b);
        let later = eval(json!("{$now+60s}"), scope).unwrap();
        let at: chrono::DateTime<chrono::Utc> = later.as_str().unwrap().parse().unwrap();
        assert!(at > chrono::Utc::now());
    }
}
