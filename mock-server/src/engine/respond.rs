//! Runs `respond`: the answer rendered, then every guard and write in one commit.

use serde_json::Value;

use super::{Outcome, Role, Run};
use crate::answer::Answer;
use crate::reply::Reply;
use crate::rules::Respond;
use crate::state::{Commit, Guard, StoreError, Txn};

impl Run<'_> {
    pub(super) async fn finish(mut self, respond: &Respond) -> Result<Outcome, StoreError> {
        let r = self.request;
        // Headers first: the body may move values out of the bindings.
        let headers: Vec<(String, String)> = respond
            .headers
            .iter()
            .map(|(name, template)| (name.clone(), template.text(&self)))
            .collect();
        let body = respond.body.as_ref().map(|t| {
            // Without writes nothing can refuse after this, so the bindings may move into the answer.
            let value = if self.writes.is_empty() {
                t.eval_moving(&mut self, &respond.shared)
            } else {
                t.eval(&self)
            };
            r.contract
                .project(r.op, respond.status, value.unwrap_or(Value::Null))
        });
        let mut reply = match body {
            Some(body) => Reply::json(respond.status, body),
            None => Reply::empty(respond.status),
        };
        for (name, value) in headers {
            if let Ok(name) =
                axum::http::HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes())
                && let Ok(value) = axum::http::HeaderValue::from_str(&value)
            {
                reply.headers.push((name, value));
            }
        }
        if self.writes.is_empty() {
            return Ok(Outcome::Done(Answer::Ready(reply)));
        }
        // Everything read must be as it was read.
        let reads = self.entities.values().filter_map(|bound| {
            let version = bound.version?;
            Some((
                Guard::VersionIs(bound.kind.to_owned(), bound.id.clone(), version),
                Role::Read,
            ))
        });
        let (guards, roles): (Vec<Guard>, Vec<Role>) = reads
            .collect::<Vec<_>>()
            .into_iter()
            .chain(std::mem::take(&mut self.guards))
            .unzip();
        let txn = Txn {
            guards,
            writes: std::mem::take(&mut self.writes),
        };
        Ok(match r.store.commit(r.tenant, txn).await? {
            Commit::Committed => Outcome::Done(Answer::Ready(reply)),
            Commit::Rejected(i) => match roles.get(i) {
                Some(Role::Taken(decl)) => Outcome::Done(self.refusal(decl)),
                _ => Outcome::Raced,
            },
        })
    }
}
