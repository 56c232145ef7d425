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

mod expr;
mod names;
mod operator;
mod predicate;
mod scope;
mod value;

use serde_json::{Map, Value};

pub(crate) use self::expr::Expr;
pub(crate) use self::names::Names;
use self::operator::Operator;
pub(crate) use self::predicate::Predicate;
pub(crate) use self::scope::{Layered, Owned, Scope};
pub(crate) use self::value::{as_f64, field, loosely_equal, text_of};

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
            Template::Whole(expr) => expr.eval_moving(scope, shared),
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

#[cfg(test)]
mod tests {
    use serde_json::json;

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
