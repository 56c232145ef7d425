//! The declared behaviour of an operation (`x-concord-rules`) and of a vendor's resources
//! (`x-concord-mock.resources`), compiled at start-up. A program is a list of steps run in order:
//! preconditions (`require`, and the `missing` answer of `load`/`find`) refuse with a documented example or
//! a problem; effects (`create`, `update`, `delete`, `claim`) collect into one guarded commit; `respond`
//! renders the answer. [`crate::engine`] runs them. Every mistake here is a start-up error.

mod resource;
mod step;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

pub(crate) use resource::{IdStrategy, Resource};
pub(crate) use step::{Claim, Create, Find, List, Load, Respond, Step, Update};

use crate::template::{Names, Template};

/// What the compiler must know about the operation a program belongs to.
pub(crate) struct OperationFacts<'a> {
    /// The operationId.
    pub(crate) id: &'a str,
    /// Named examples by status.
    pub(crate) examples: BTreeMap<u16, Vec<String>>,
    /// Documented statuses, with or without a body.
    pub(crate) statuses: BTreeSet<u16>,
    /// Every declared resource.
    pub(crate) resources: &'a BTreeMap<String, Resource>,
}

/// The roots every program starts with.
pub(crate) const REQUEST_ROOTS: [&str; 7] = [
    "path",
    "query",
    "header",
    "body",
    "principal",
    "operation",
    "tenant",
];

/// An operation's compiled steps.
#[derive(Debug, Clone)]
pub(crate) struct Program {
    /// In order.
    pub(crate) steps: Vec<Step>,
}

/// How a failed precondition answers: a documented example, or the vendor's error body for a problem.
#[derive(Debug, Clone)]
pub(crate) struct RefusalDecl {
    /// The status.
    pub(crate) status: u16,
    /// The documented example (exactly that one).
    pub(crate) example: Option<String>,
    /// The message (else the response's description).
    pub(crate) message: Option<Template>,
    /// The vendor's error code.
    pub(crate) code: Option<Template>,
    /// Offending fields and what is wrong with each.
    pub(crate) fields: Vec<(String, Template)>,
    /// Detail lines.
    pub(crate) details: Vec<Template>,
}

impl Program {
    /// Compiles `x-concord-rules`.
    pub(crate) fn compile(declared: &Value, facts: &OperationFacts<'_>) -> Result<Program, String> {
        let declared = declared
            .as_array()
            .ok_or("x-concord-rules must be a list of steps")?;
        // A list inside the list is a group of shared steps (a YAML anchor), run in place.
        let mut steps = Vec::new();
        flatten(declared, &mut steps);
        let mut names = Names::of(REQUEST_ROOTS);
        let mut entities = BTreeMap::new();
        let mut compiled = Vec::new();
        for (i, step) in steps.iter().enumerate() {
            let step = Step::compile(step, facts, &mut names, &mut entities)
                .map_err(|e| format!("x-concord-rules[{i}]: {e}"))?;
            compiled.push(step);
        }
        match compiled.last() {
            Some(Step::Respond(_)) => {}
            _ => return Err("x-concord-rules must end with a `respond` step".into()),
        }
        if let Some(i) = compiled[..compiled.len() - 1]
            .iter()
            .position(|s| matches!(s, Step::Respond(_)))
        {
            return Err(format!(
                "x-concord-rules[{i}]: `respond` must be the last step"
            ));
        }
        Ok(Program { steps: compiled })
    }
}

fn flatten<'v>(items: &'v [Value], into: &mut Vec<&'v Value>) {
    for item in items {
        match item {
            Value::Array(group) => flatten(group, into),
            step => into.push(step),
        }
    }
}

impl RefusalDecl {
    /// Compiles `{example: NAME}` or `{status, message, code, fields, details}`.
    pub(crate) fn compile(
        value: &Value,
        facts: &OperationFacts<'_>,
        names: &Names,
    ) -> Result<RefusalDecl, String> {
        let map = value
            .as_object()
            .ok_or("an answer is {example: NAME} or {status, message, code, fields}")?;
        for key in map.keys() {
            if !["example", "status", "message", "code", "fields", "details"]
                .contains(&key.as_str())
            {
                return Err(format!("an answer does not take `{key}`"));
            }
        }
        let t = |v: &Value| Template::compile(v, names);
        let declared_status = match map.get("status") {
            Some(s) => Some(
                s.as_u64()
                    .and_then(|s| u16::try_from(s).ok())
                    .filter(|s| (100..600).contains(s))
                    .ok_or_else(|| format!("status {s} is not an HTTP status"))?,
            ),
            None => None,
        };
        let example = map.get("example").map(|e| {
            e.as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("example {e} must be a name"))
        });
        let example = example.transpose()?;
        let status = match (&example, declared_status) {
            (Some(name), status) => {
                let holders: Vec<u16> = facts
                    .examples
                    .iter()
                    .filter(|(s, names)| {
                        names.contains(name) && status.is_none_or(|wanted| wanted == **s)
                    })
                    .map(|(s, _)| *s)
                    .collect();
                match holders.as_slice() {
                    [one] => *one,
                    [] => {
                        return Err(format!(
                            "operation {} documents no example named {name}{}",
                            facts.id,
                            status.map(|s| format!(" for {s}")).unwrap_or_default()
                        ));
                    }
                    _ => {
                        return Err(format!(
                            "example {name} is documented for several statuses of {}; add `status`",
                            facts.id
                        ));
                    }
                }
            }
            (None, Some(status)) => status,
            (None, None) => return Err("an answer needs `example` or `status`".into()),
        };
        Ok(RefusalDecl {
            status,
            example,
            message: map.get("message").map(t).transpose()?,
            code: map.get("code").map(t).transpose()?,
            fields: map
                .get("fields")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(k, v)| Ok((k.clone(), t(v)?)))
                .collect::<Result<_, String>>()?,
            details: map
                .get("details")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(t)
                .collect::<Result<_, String>>()?,
        })
    }
}
