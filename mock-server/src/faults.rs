//! Fault rules set through the admin API: for matching requests, add latency and/or answer a status,
//! with a probability and an optional count.

use std::sync::Mutex;
use std::time::Duration;

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
    /// Latency to add, in milliseconds.
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
    /// The latency to add.
    pub delay: Duration,
}

/// The rules.
#[derive(Debug, Default)]
pub struct Faults {
    rules: Mutex<(u64, Vec<FaultRule>)>,
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

impl Faults {
    /// Adds a rule and returns it with its id.
    pub fn add(&self, mut rule: FaultRule) -> Result<FaultRule, String> {
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
        let mut guard = self.rules.lock().expect("faults lock");
        if guard.1.len() >= MAX_RULES {
            return Err(format!(
                "there are already {MAX_RULES} fault rules; remove some (DELETE /__mock/faults) first"
            ));
        }
        guard.0 += 1;
        rule.id = guard.0;
        guard.1.push(rule.clone());
        Ok(rule)
    }

    /// Every rule.
    pub fn list(&self) -> Vec<FaultRule> {
        self.rules.lock().expect("faults lock").1.clone()
    }

    /// Removes one rule; false when there was none with that id.
    pub fn remove(&self, id: u64) -> bool {
        let mut guard = self.rules.lock().expect("faults lock");
        let before = guard.1.len();
        guard.1.retain(|r| r.id != id);
        guard.1.len() != before
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.rules.lock().expect("faults lock").1.clear();
    }

    /// The fault for a request, if a rule matches (and its dice say so); counts it down.
    pub fn take(&self, operation: &str, path: &str, tenant: &str) -> Option<Fault> {
        let mut guard = self.rules.lock().expect("faults lock");
        let rules = &mut guard.1;
        let index = rules.iter().position(|r| {
            r.operation.as_deref().is_none_or(|o| o == operation)
                && r.path.as_deref().is_none_or(|p| glob_contains(p, path))
                && r.tenant.as_deref().is_none_or(|t| t == tenant)
        })?;
        if fastrand::f64() >= rules[index].probability {
            return None;
        }
        let rule = &mut rules[index];
        let fault = Fault {
            rule: rule.id,
            status: rule.status,
            delay: Duration::from_millis(rule.delay_ms),
        };
        if let Some(count) = rule.count.as_mut() {
            *count = count.saturating_sub(1);
            if *count == 0 {
                rules.remove(index);
            }
        }
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(json: serde_json::Value) -> FaultRule {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn a_counted_rule_expires_and_filters_apply() {
        let faults = Faults::default();
        faults
            .add(rule(
                serde_json::json!({"operation": "op_a", "status": 503, "count": 2}),
            ))
            .unwrap();
        assert!(faults.take("op_b", "/x", "t").is_none());
        assert_eq!(faults.take("op_a", "/x", "t").unwrap().status, Some(503));
        assert!(faults.take("op_a", "/x", "t").is_some());
        assert!(faults.take("op_a", "/x", "t").is_none(), "count exhausted");
        assert!(faults.list().is_empty());
    }

    #[test]
    fn path_patterns_and_validation() {
        let faults = Faults::default();
        faults
            .add(rule(
                serde_json::json!({"path": "/v4/*/credentials", "delayMs": 5}),
            ))
            .unwrap();
        assert!(
            faults
                .take("any", "/v4/orgs/telco/customers/x/credentials", "t")
                .is_some()
        );
        assert!(
            faults
                .take("any", "/v1/customers/1/access-code", "t")
                .is_none()
        );
        assert!(
            faults
                .add(rule(serde_json::json!({"status": 503, "probability": 2.0})))
                .is_err()
        );
        assert!(
            faults
                .add(rule(serde_json::json!({"operation": "x"})))
                .is_err()
        );
        let never = faults
            .add(rule(serde_json::json!({"status": 500, "probability": 0.0})))
            .unwrap();
        assert!(faults.take("op", "/nothing", "t").is_none());
        assert!(faults.remove(never.id));
        assert!(!faults.remove(never.id));
    }

    #[test]
    fn delays_and_the_number_of_rules_are_bounded() {
        let faults = Faults::default();
        let too_slow = faults.add(rule(serde_json::json!({"delayMs": 30_001})));
        assert!(too_slow.unwrap_err().contains("at most 30000"));
        assert!(
            faults
                .add(rule(serde_json::json!({"delayMs": 30_000})))
                .is_ok()
        );
        for _ in 1..MAX_RULES {
            faults
                .add(rule(serde_json::json!({"status": 500, "probability": 0.0})))
                .unwrap();
        }
        let one_more = faults.add(rule(serde_json::json!({"status": 500})));
        assert!(one_more.unwrap_err().contains("already 1000 fault rules"));
        faults.clear();
        assert!(faults.add(rule(serde_json::json!({"status": 500}))).is_ok());
    }
}
