//! Placeholder expressions: `term | term | …`, where a term is a reference, a literal, a generator or a
//! function of an expression. Parsed once, with every name checked; evaluated against a [`Scope`].

use serde_json::{Value, json};

use super::value::text_of;
use super::{Names, Owned, Scope};

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

impl Expr {
    pub(super) fn references(&self, out: &mut Vec<String>) {
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

    /// Like [`Expr::eval`], but when the expression is one reference (by keys and indexes) to a root the
    /// scope owns, and not one of `shared`, the value is moved out of the scope instead of copied.
    pub(super) fn eval_moving(&self, scope: &mut dyn Owned, shared: &[String]) -> Option<Value> {
        if let [Term::Ref(r)] = self.0.as_slice()
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
