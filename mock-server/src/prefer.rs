//! Per-request overrides in Prism's convention: `Prefer: code=429`, `Prefer: example=NAME`,
//! `Prefer: delay=250` (milliseconds), combinable (`Prefer: code=404, delay=100`).

use std::time::Duration;

use crate::answer::Answer;
use crate::contract::Operation;
use crate::problem::Problem;

/// The longest delay a request may ask for.
pub(crate) const MAX_DELAY: Duration = Duration::from_secs(30);

/// What a `Prefer` header asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Prefer {
    /// A documented status to answer with (the header's `code=`, Prism's word for it).
    pub status: Option<u16>,
    /// A documented example (by name) to answer with.
    pub example: Option<String>,
    /// Latency to add before answering.
    pub delay: Option<Duration>,
}

impl Prefer {
    /// Parses the header; unknown preferences are ignored (RFC 7240).
    pub(crate) fn parse(header: Option<&str>) -> Result<Prefer, String> {
        let mut prefer = Prefer::default();
        for part in header.unwrap_or_default().split([',', ';']) {
            let Some((key, value)) = part.split_once('=') else {
                continue;
            };
            let value = value.trim().trim_matches('"');
            match key.trim().to_ascii_lowercase().as_str() {
                "code" => {
                    prefer.status = Some(
                        value
                            .parse()
                            .map_err(|_| format!("Prefer: code={value} is not a status code"))?,
                    )
                }
                "example" => prefer.example = Some(value.to_owned()),
                "delay" => {
                    let ms: u64 = value
                        .parse()
                        .map_err(|_| format!("Prefer: delay={value} is not milliseconds"))?;
                    prefer.delay = Some(Duration::from_millis(ms).min(MAX_DELAY));
                }
                _ => {}
            }
        }
        Ok(prefer)
    }
}

/// The documented answer `prefer` asks for, or the 400 that lists what is documented.
pub(crate) fn documented_answer(op: &Operation, prefer: &Prefer) -> Option<Answer> {
    match chosen(op, prefer) {
        Ok(None) => None,
        Ok(Some(Chosen::Omitted(status))) => {
            Some(Answer::documented(status, None, Problem::default()))
        }
        Ok(Some(Chosen::Documented(status))) => Some(Answer::documented(
            status,
            prefer.example.as_deref(),
            Problem::new(op.responses[&status].description.clone()),
        )),
        Err(what) => Some(undocumented(op, &what)),
    }
}

/// Which documented answer a preference picks.
pub(crate) enum Chosen {
    /// A status with a documented response (and, if asked, one of its named examples).
    Documented(u16),
    /// A status the document lists without a body.
    Omitted(u16),
}

/// `code=…` and/or `example=…` against what `op` documents: the answer, none asked for, or (Err) the
/// preference that names nothing documented.
pub(crate) fn chosen(op: &Operation, prefer: &Prefer) -> Result<Option<Chosen>, String> {
    let status = match (prefer.status, &prefer.example) {
        (Some(code), _) => code,
        (None, Some(name)) => {
            let holder = op
                .responses
                .iter()
                .find(|(_, r)| r.examples.iter().any(|(n, _)| n == name));
            match holder {
                Some((status, _)) => *status,
                None => return Err(format!("example={name}")),
            }
        }
        (None, None) => return Ok(None),
    };
    let Some(response) = op.responses.get(&status) else {
        if op.omitted.contains(&status) && prefer.example.is_none() {
            return Ok(Some(Chosen::Omitted(status)));
        }
        return Err(format!("code={status}"));
    };
    if let Some(name) = &prefer.example
        && !response.examples.iter().any(|(n, _)| n == name)
    {
        return Err(format!("example={name} with code={status}"));
    }
    Ok(Some(Chosen::Documented(status)))
}

/// What `op` documents, for messages: "Documented statuses: …. Documented examples: …."
pub(crate) fn documented_list(op: &Operation) -> String {
    let codes: Vec<String> = op
        .responses
        .keys()
        .chain(&op.omitted)
        .map(u16::to_string)
        .collect();
    let names: Vec<String> = op
        .responses
        .values()
        .flat_map(|r| r.examples.iter().map(|(n, _)| n.clone()))
        .collect();
    format!(
        "Documented statuses: {}. Documented examples: {}.",
        codes.join(", "),
        if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(", ")
        }
    )
}

fn undocumented(op: &Operation, what: &str) -> Answer {
    let problem = Problem::new(format!(
        "Prefer: {what} is not documented for {}. {}",
        op.id,
        documented_list(op)
    ))
    .field("Prefer", what.to_owned());
    Answer::problem(400, problem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_prisms_preferences() {
        let p = Prefer::parse(Some("code=429, example=SLOW_DOWN; delay=250")).unwrap();
        assert_eq!(p.status, Some(429));
        assert_eq!(p.example.as_deref(), Some("SLOW_DOWN"));
        assert_eq!(p.delay, Some(Duration::from_millis(250)));
        assert_eq!(
            Prefer::parse(Some("respond-async")).unwrap(),
            Prefer::default()
        );
        assert!(Prefer::parse(Some("code=abc")).is_err());
        assert_eq!(
            Prefer::parse(Some("delay=99999999")).unwrap().delay,
            Some(MAX_DELAY)
        );
    }
}
