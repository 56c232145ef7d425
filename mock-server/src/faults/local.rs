//! Fault rules held by this process.

use std::sync::Mutex;

use super::{Fault, FaultRule, MAX_RULES, too_many};

/// The rules and the last id given out.
#[derive(Debug, Default)]
pub struct LocalFaults {
    rules: Mutex<(u64, Vec<FaultRule>)>,
}

impl LocalFaults {
    pub(super) fn add(&self, mut rule: FaultRule) -> Result<FaultRule, String> {
        let mut guard = self.rules.lock().expect("faults lock");
        if guard.1.len() >= MAX_RULES {
            return Err(too_many());
        }
        guard.0 += 1;
        rule.id = guard.0;
        guard.1.push(rule.clone());
        Ok(rule)
    }

    pub(super) fn list(&self) -> Vec<FaultRule> {
        self.rules.lock().expect("faults lock").1.clone()
    }

    pub(super) fn remove(&self, id: u64) -> bool {
        let mut guard = self.rules.lock().expect("faults lock");
        let before = guard.1.len();
        guard.1.retain(|r| r.id != id);
        guard.1.len() != before
    }

    pub(super) fn clear(&self) {
        self.rules.lock().expect("faults lock").1.clear();
    }

    pub(super) fn take(&self, operation: &str, path: &str, tenant: &str) -> Option<Fault> {
        let mut guard = self.rules.lock().expect("faults lock");
        let rules = &mut guard.1;
        let index = rules
            .iter()
            .position(|r| r.matches(operation, path, tenant))?;
        if fastrand::f64() >= rules[index].probability {
            return None;
        }
        let rule = &mut rules[index];
        let fault = rule.fault();
        if let Some(count) = rule.count.as_mut() {
            *count = count.saturating_sub(1);
            if *count == 0 {
                rules.remove(index);
            }
        }
        Some(fault)
    }
}
