//! Predicates: the conditions of `require` steps and `$if`. Each is an object with one key:
//! `equal: [a, b]`, `notEqual: [a, b]`, `present: a`, `absent: a`, `blank: a`, `notBlank: a`,
//! `contains: [list, a]`, `containsAll: [list, list]`, `atMost: [a, b]`, `atMostOne: [a, b, …]`,
//! `all: [p, …]`, `any: [p, …]`, `not: p`. Values are templates; equality reads `"1001"` and `1001` alike.

use serde_json::Value;

use super::{Names, Scope, Template, as_f64, loosely_equal};

/// A compiled condition.
#[derive(Debug, Clone)]
pub(crate) enum Predicate {
    /// Both present and loosely equal.
    Equal(Template, Template),
    /// Not loosely equal (an absent value differs from any present one).
    NotEqual(Template, Template),
    /// Present and not `null`.
    Present(Template),
    /// Absent or `null`.
    Absent(Template),
    /// Absent, `null`, blank text or an empty list or object.
    Blank(Template),
    /// Not blank.
    NotBlank(Template),
    /// The list holds the value.
    Contains(Template, Template),
    /// The first list holds every item of the second.
    ContainsAll(Template, Template),
    /// A number at most another.
    AtMost(Template, Template),
    /// At most one of the values is present (mutually exclusive fields).
    AtMostOne(Vec<Template>),
    /// Every condition holds.
    All(Vec<Predicate>),
    /// Some condition holds.
    Any(Vec<Predicate>),
    /// The condition does not hold.
    Not(Box<Predicate>),
}

impl Predicate {
    /// Compiles `{name: arguments}`.
    pub(crate) fn compile(value: &Value, names: &Names) -> Result<Predicate, String> {
        let map = value
            .as_object()
            .filter(|m| m.len() == 1)
            .ok_or_else(|| format!("a condition is an object with one key, found {value}"))?;
        let (name, args) = map.iter().next().ok_or("an empty condition")?;
        let one = || Template::compile(args, names);
        let pair = || -> Result<(Template, Template), String> {
            match args.as_array().map(Vec::as_slice) {
                Some([a, b]) => Ok((Template::compile(a, names)?, Template::compile(b, names)?)),
                _ => Err(format!("`{name}` takes two values: [a, b]")),
            }
        };
        let many = || -> Result<Vec<Predicate>, String> {
            args.as_array()
                .ok_or_else(|| format!("`{name}` takes a list of conditions"))?
                .iter()
                .map(|p| Predicate::compile(p, names))
                .collect()
        };
        Ok(match name.as_str() {
            "equal" => pair().map(|(a, b)| Predicate::Equal(a, b))?,
            "notEqual" => pair().map(|(a, b)| Predicate::NotEqual(a, b))?,
            "present" => Predicate::Present(one()?),
            "absent" => Predicate::Absent(one()?),
            "blank" => Predicate::Blank(one()?),
            "notBlank" => Predicate::NotBlank(one()?),
            "contains" => pair().map(|(a, b)| Predicate::Contains(a, b))?,
            "containsAll" => pair().map(|(a, b)| Predicate::ContainsAll(a, b))?,
            "atMost" => pair().map(|(a, b)| Predicate::AtMost(a, b))?,
            "atMostOne" => Predicate::AtMostOne(
                args.as_array()
                    .ok_or("`atMostOne` takes a list of values")?
                    .iter()
                    .map(|v| Template::compile(v, names))
                    .collect::<Result<_, _>>()?,
            ),
            "all" => Predicate::All(many()?),
            "any" => Predicate::Any(many()?),
            "not" => Predicate::Not(Box::new(Predicate::compile(args, names)?)),
            other => return Err(format!("unknown condition `{other}`")),
        })
    }

    /// Whether the condition holds in `scope`.
    pub(crate) fn holds(&self, scope: &dyn Scope) -> bool {
        let present = |t: &Template| t.eval(scope).filter(|v| !v.is_null());
        match self {
            Predicate::Equal(a, b) => match (present(a), present(b)) {
                (Some(a), Some(b)) => loosely_equal(&a, &b),
                _ => false,
            },
            Predicate::NotEqual(a, b) => match (present(a), present(b)) {
                (Some(a), Some(b)) => !loosely_equal(&a, &b),
                (None, None) => false,
                _ => true,
            },
            Predicate::Present(t) => present(t).is_some(),
            Predicate::Absent(t) => present(t).is_none(),
            Predicate::Blank(t) => is_blank(present(t)),
            Predicate::NotBlank(t) => !is_blank(present(t)),
            Predicate::Contains(list, item) => match (present(list), present(item)) {
                (Some(Value::Array(items)), Some(item)) => {
                    items.iter().any(|i| loosely_equal(i, &item))
                }
                _ => false,
            },
            Predicate::ContainsAll(list, wanted) => {
                let held = match present(list) {
                    Some(Value::Array(items)) => items,
                    _ => Vec::new(),
                };
                match present(wanted) {
                    Some(Value::Array(wanted)) => wanted
                        .iter()
                        .all(|w| held.iter().any(|h| loosely_equal(h, w))),
                    Some(one) => held.iter().any(|h| loosely_equal(h, &one)),
                    None => true,
                }
            }
            Predicate::AtMost(a, b) => match (
                present(a).as_ref().and_then(as_f64),
                present(b).as_ref().and_then(as_f64),
            ) {
                (Some(a), Some(b)) => a <= b,
                _ => false,
            },
            Predicate::AtMostOne(values) => {
                values.iter().filter(|t| present(t).is_some()).count() <= 1
            }
            Predicate::All(all) => all.iter().all(|p| p.holds(scope)),
            Predicate::Any(any) => any.iter().any(|p| p.holds(scope)),
            Predicate::Not(p) => !p.holds(scope),
        }
    }
}

fn is_blank(value: Option<Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(Value::Array(items)) => items.is_empty(),
        Some(Value::Object(map)) => map.is_empty(),
        Some(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, json};

    use super::*;

    fn holds(condition: Value, scope: Value) -> bool {
        let Value::Object(map): Value = scope else {
            panic!()
        };
        let map: Map<String, Value> = map;
        Predicate::compile(&condition, &Names::open())
            .unwrap()
            .holds(&map)
    }

    #[test]
    fn conditions_read_values_loosely() {
        let scope = json!({"a": {"studio": "s1", "id": 1001, "scopes": ["R", "W"]}, "b": {"studio": "s1", "id": "1001"}});
        assert!(holds(
            json!({"equal": ["{a.studio}", "{b.studio}"]}),
            scope.clone()
        ));
        assert!(holds(json!({"equal": ["{a.id}", "{b.id}"]}), scope.clone()));
        assert!(!holds(
            json!({"equal": ["{a.none}", "{b.none}"]}),
            scope.clone()
        ));
        assert!(holds(
            json!({"notEqual": ["{a.none}", "CLOSED"]}),
            scope.clone()
        ));
        assert!(holds(
            json!({"containsAll": ["{a.scopes}", ["W"]]}),
            scope.clone()
        ));
        assert!(!holds(
            json!({"containsAll": ["{a.scopes}", ["X"]]}),
            scope.clone()
        ));
        assert!(holds(
            json!({"atMostOne": ["{a.studio}", "{a.none}"]}),
            scope.clone()
        ));
        assert!(!holds(
            json!({"atMostOne": ["{a.studio}", "{b.studio}"]}),
            scope.clone()
        ));
        assert!(holds(json!({"blank": "{a.none}"}), scope.clone()));
        assert!(holds(
            json!({"atMost": [{"$add": ["{len(a.scopes)}", 3]}, 5]}),
            scope.clone()
        ));
        assert!(!holds(
            json!({"atMost": [{"$add": ["{len(a.scopes)}", 4]}, 5]}),
            scope
        ));
    }
}
