//! The `$` operators of templates: `$concat`, `$merge`, `$add`, `$if`, `$switch` and `$each`.

use serde_json::{Map, Value, json};

use super::value::{Number, number_of};
use super::{Layered, Names, Predicate, Scope, Template};

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

impl Operator {
    pub(super) fn compile(
        key: &str,
        map: &Map<String, Value>,
        names: &Names,
    ) -> Result<Operator, String> {
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

    pub(super) fn eval(&self, scope: &dyn Scope) -> Option<Value> {
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
