//! Fault rules set through the admin API: for matching requests, add a delay and/or answer a status,
//! with a probability and an optional count. Held by the process (`local`), or with `--redis-url` in
//! Redis (`shared`), where every replica sees them and a counted rule fires as often as counted across all
//! replicas together.

mod local;
#[cfg(feature = "redis")]
mod shared;

use std::time::Duration;

use crate::state::StoreError;

use serde::{Deserialize, Serialize};

/// One fault rule.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultRule {
    /// Assigned by the server.
    #[serde(default)]
    pub id: u64,
    /// Only this operationId.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// Only paths containing this text (`*` matches any run of characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Only this tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// The status to answer (the operation's documented body for it); none: only the delay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The delay to add, in milliseconds.
    #[serde(default)]
    pub delay_ms: u64,
    /// Chance that a matching request is affected (0..=1, default 1).
    #[serde(default = "one")]
    pub probability: f64,
    /// How many more requests it affects; none: until removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
}

fn one() -> f64 {
    1.0
}

/// What a matching rule does to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// The rule's id.
    pub rule: u64,
    /// The status to answer, if any.
    pub status: Option<u16>,
    /// The delay to add.
    pub delay: Duration,
}

fn glob_contains(pattern: &str, text: &str) -> bool {
    let mut rest = text;
    for piece in pattern.split('*').filter(|p| !p.is_empty()) {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    true
}

/// The most rules held at once: matching walks them on every request, so their number is bounded.
pub(crate) const MAX_RULES: usize = 1000;

/// Why a rule was not added.
#[derive(Debug, thiserror::Error)]
pub enum AddError {
    /// The rule breaks a bound or names nothing to do.
    #[error("{0}")]
    Invalid(String),
    /// The shared store did not take it.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The fault rules: the process's own, or shared by every replica on one Redis.
pub enum Faults {
    /// Held by this process.
    Local(local::LocalFaults),
    /// In Redis, shared by every replica pointed at it.
    #[cfg(feature = "redis")]
    Shared(Box<shared::SharedFaults>),
}

impl Default for Faults {
    fn default() -> Faults {
        Faults::Local(local::LocalFaults::default())
    }
}

impl std::fmt::Debug for Faults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Faults::Local(_) => "Faults::Local",
            #[cfg(feature = "redis")]
            Faults::Shared(_) => "Faults::Shared",
        })
    }
}

impl Faults {
    /// Rules in Redis, shared by every replica pointed at it.
    #[cfg(feature = "redis")]
    pub async fn shared(config: &crate::state::RedisConfig) -> Result<Faults, StoreError> {
        Ok(Faults::Shared(Box::new(
            shared::SharedFaults::connect(config).await?,
        )))
    }

    /// Adds a rule and returns it with its id.
    pub async fn add(&self, rule: FaultRule) -> Result<FaultRule, AddError> {
        validate(&rule).map_err(AddError::Invalid)?;
        match self {
            Faults::Local(local) => local.add(rule).map_err(AddError::Invalid),
            #[cfg(feature = "redis")]
            Faults::Shared(shared) => shared.add(rule).await,
        }
    }

    /// Every rule, oldest first, with what is left of its count.
    pub async fn list(&self) -> Result<Vec<FaultRule>, StoreError> {
        match self {
            Faults::Local(local) => Ok(local.list()),
            #[cfg(feature = "redis")]
            Faults::Shared(shared) => shared.list().await,
        }
    }

    /// Removes one rule; false when there was none with that id.
    pub async fn remove(&self, id: u64) -> Result<bool, StoreError> {
        match self {
            Faults::Local(local) => Ok(local.remove(id)),
            #[cfg(feature = "redis")]
            Faults::Shared(shared) => shared.remove(id).await,
        }
    }

    /// Removes every rule.
    pub async fn clear(&self) -> Result<(), StoreError> {
        match self {
            Faults::Local(local) => {
                local.clear();
                Ok(())
            }
            #[cfg(feature = "redis")]
            Faults::Shared(shared) => shared.clear().await,
        }
    }

    /// The fault for a request, if a rule matches (and its dice say so); counts it down.
    pub async fn take(&self, operation: &str, path: &str, tenant: &str) -> Option<Fault> {
        match self {
            Faults::Local(local) => local.take(operation, path, tenant),
            #[cfg(feature = "redis")]
            Faults::Shared(shared) => shared.take(operation, path, tenant).await,
        }
    }
}

impl FaultRule {
    /// Whether the rule applies to a request for `operation` at `path` in `tenant`.
    fn matches(&self, operation: &str, path: &str, tenant: &str) -> bool {
        self.operation.as_deref().is_none_or(|o| o == operation)
            && self.path.as_deref().is_none_or(|p| glob_contains(p, path))
            && self.tenant.as_deref().is_none_or(|t| t == tenant)
    }

    /// What the rule does to a request it fires on.
    fn fault(&self) -> Fault {
        Fault {
            rule: self.id,
            status: self.status,
            delay: Duration::from_millis(self.delay_ms),
        }
    }
}

/// The bounds every rule keeps, wherever it is held.
fn validate(rule: &FaultRule) -> Result<(), String> {
    let max_delay = crate::prefer::MAX_DELAY.as_millis() as u64;
    if rule.delay_ms > max_delay {
        return Err(format!(
            "delayMs must be at most {max_delay} (the same cap as `Prefer: delay`), found {}",
            rule.delay_ms
        ));
    }
    if !(0.0..=1.0).contains(&rule.probability) {
        return Err("probability must be between 0 and 1".into());
    }
    if rule.status.is_none() && rule.delay_ms == 0 {
        return Err("a rule needs a status, a delayMs, or both".into());
    }
    if let Some(status) = rule.status
        && !(100..=599).contains(&status)
    {
        return Err(format!("status {status} is not an HTTP status"));
    }
    if rule.count == Some(0) {
        return Err("count must be at least 1 (leave it out for a rule that stays)".into());
    }
    Ok(())
}

/// The message when the rules are at their bound.
fn too_many() -> String {
    format!("there are already {MAX_RULES} fault rules; remove some (DELETE /__mock/faults) first")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(json: serde_json::Value) -> FaultRule {
        serde_json::from_value(json).unwrap()
    }

    #[tokio::test]
    async fn a_counted_rule_expires_and_filters_apply() {
        let faults = Faults::default();
        faults
            .add(rule(
                serde_json::json!({"operation": "op_a", "status": 503, "count": 2}),
            ))
            .await
            .unwrap();
        assert!(faults.take("op_b", "/x", "t").await.is_none());
        assert_eq!(
            faults.take("op_a", "/x", "t").await.unwrap().status,
            Some(503)
        );
        assert!(faults.take("op_a", "/x", "t").await.is_some());
        assert!(
            faults.take("op_a", "/x", "t").await.is_none(),
            "count exhausted"
        );
        assert!(faults.list().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn path_patterns_and_validation() {
        let faults = Faults::default();
        faults
            .add(rule(
                serde_json::json!({"path": "/v4/*/credentials", "delayMs": 5}),
            ))
            .await
            .unwrap();
        assert!(
            faults
                .take("any", "/v4/orgs/telco/customers/x/credentials", "t")
                .await
                .is_some()
        );
        assert!(
            faults
                .take("any", "/v1/customers/1/access-code", "t")
                .await
                .is_none()
        );
        assert!(
            faults
                .add(rule(serde_json::json!({"status": 503, "probability": 2.0})))
                .await
                .is_err()
        );
        assert!(
            faults
                .add(rule(serde_json::json!({"operation": "x"})))
                .await
                .is_err()
        );
        let never = faults
            .add(rule(serde_json::json!({"status": 500, "probability": 0.0})))
            .await
            .unwrap();
        assert!(faults.take("op", "/nothing", "t").await.is_none());
        assert!(faults.remove(never.id).await.unwrap());
        assert!(!faults.remove(never.id).await.unwrap());
    }

    #[tokio::test]
    async fn delays_and_the_number_of_rules_are_bounded() {
        let faults = Faults::default();
        let too_slow = faults
            .add(rule(serde_json::json!({"delayMs": 30_001})))
            .await;
        assert!(too_slow.unwrap_err().to_string().contains("at most 30000"));
        assert!(
            faults
                .add(rule(serde_json::json!({"delayMs": 30_000})))
                .await
                .is_ok()
        );
        for _ in 1..MAX_RULES {
            faults
                .add(rule(serde_json::json!({"status": 500, "probability": 0.0})))
                .await
                .unwrap();
        }
        let one_more = faults.add(rule(serde_json::json!({"status": 500}))).await;
        assert!(
            one_more
                .unwrap_err()
                .to_string()
                .contains("already 1000 fault rules")
        );
        faults.clear().await.unwrap();
        assert!(
            faults
                .add(rule(serde_json::json!({"status": 500})))
                .await
                .is_ok()
        );
    }
}
