//! `respond: STATUS`, `body`, `headers`: the answer, the last step. Run by `engine/respond.rs`.

use super::{Declared, Step, fields};
use crate::template::{Names, Template};

/// `respond`.
#[derive(Debug, Clone)]
pub(crate) struct Respond {
    /// The status.
    pub(crate) status: u16,
    /// The body, projected onto the response's schema.
    pub(crate) body: Option<Template>,
    /// Extra headers.
    pub(crate) headers: Vec<(String, Template)>,
    /// References the body makes more than once (those are copied, the others moved into the answer).
    pub(crate) shared: Vec<String>,
}

impl Declared<'_, '_> {
    pub(super) fn respond(&self, names: &mut Names) -> Result<Step, String> {
        let status = self.map["respond"]
            .as_u64()
            .and_then(|s| u16::try_from(s).ok())
            .ok_or("respond takes a status")?;
        if !self.facts.statuses.contains(&status) {
            return Err(format!(
                "respond {status}: the operation {} does not document {status}",
                self.facts.id
            ));
        }
        let body = self.optional("body", names)?;
        let headers = fields(self.map.get("headers"), names)?;
        let mut references = Vec::new();
        if let Some(body) = &body {
            body.references(&mut references);
        }
        for (_, header) in &headers {
            header.references(&mut references);
        }
        let shared = references
            .iter()
            .filter(|r| *r == "*" || references.iter().filter(|o| o == r).count() > 1)
            .cloned()
            .collect();
        Ok(Step::Respond(Respond {
            status,
            body,
            headers,
            shared,
        }))
    }
}
