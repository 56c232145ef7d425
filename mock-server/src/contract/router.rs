//! Finding the operation for a method and a path; literal segments win over parameters.

use axum::http::Method;

use super::{Contract, Operation};

/// One segment of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    /// Matches itself.
    Literal(String),
    /// `{name}`: matches any non-empty segment.
    Param(String),
}

/// Path parameters by name, raw (percent-decoded).
pub type PathParams = Vec<(String, String)>;

/// What a request path matched.
pub enum RouteMatch<'a> {
    /// An operation, with its path parameters (raw, percent-decoded).
    Found(&'a Operation, PathParams),
    /// The path exists, the method does not: the methods it has.
    MethodNotAllowed(Vec<Method>),
    /// No path matches.
    NotFound,
}

/// `/a/{b}/c` → its segments.
pub(crate) fn segments(path: &str) -> Vec<Segment> {
    path.split('/')
        .skip(1)
        .map(
            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => Segment::Param(name.to_owned()),
                None => Segment::Literal(s.to_owned()),
            },
        )
        .collect()
}

impl Contract {
    /// Finds the operation for a method and a (raw, undecoded) request path. Literal segments win over
    /// parameters when several templates match.
    pub fn route(&self, method: &Method, path: &str) -> RouteMatch<'_> {
        let parts: Vec<&str> = path.split('/').skip(1).collect();
        // (literal segments matched, operation); the parameters are decoded for the winner only.
        let mut best: Option<(usize, &Operation)> = None;
        let mut allowed = Vec::new();
        for op in &self.operations {
            let Some(literals) = literals_matched(&op.segments, &parts) else {
                continue;
            };
            if op.method != *method {
                if !allowed.contains(&op.method) {
                    allowed.push(op.method.clone());
                }
                continue;
            }
            if best.is_none_or(|(score, _)| literals > score) {
                best = Some((literals, op));
            }
        }
        match best {
            Some((_, op)) => RouteMatch::Found(op, params(&op.segments, &parts)),
            None if !allowed.is_empty() => RouteMatch::MethodNotAllowed(allowed),
            None => RouteMatch::NotFound,
        }
    }
}

/// How many literal segments of `template` the path's `parts` match, if it matches.
fn literals_matched(template: &[Segment], parts: &[&str]) -> Option<usize> {
    if template.len() != parts.len() {
        return None;
    }
    let mut literals = 0;
    for (segment, part) in template.iter().zip(parts) {
        match segment {
            Segment::Literal(l) if l == part => literals += 1,
            Segment::Literal(_) => return None,
            Segment::Param(_) if part.is_empty() => return None,
            Segment::Param(_) => {}
        }
    }
    Some(literals)
}

/// The path parameters of a matched template, percent-decoded.
fn params(template: &[Segment], parts: &[&str]) -> PathParams {
    template
        .iter()
        .zip(parts)
        .filter_map(|(segment, part)| match segment {
            Segment::Param(name) => Some((
                name.clone(),
                percent_encoding::percent_decode_str(part)
                    .decode_utf8_lossy()
                    .into_owned(),
            )),
            Segment::Literal(_) => None,
        })
        .collect()
}
