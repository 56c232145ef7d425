//! Fault rules in Redis (`--redis-url`): every replica pointed at one Redis sees the same rules, and they
//! outlive a replica's restart. Each replica matches requests against its copy of the rules, read again
//! once their version has moved (looked at, at most every [`REFRESH`]), so a rule set through one replica
//! reaches the others within that. A counted rule's uses are claimed in Redis, one script per firing, so
//! `count: 1` fires once across all replicas; probability is drawn before the claim, so a request the dice
//! spare uses nothing up. Keys share one hash tag (`{mock.faults}`), so the scripts run in one cluster slot.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::state::RedisConnection;
use redis::Script;

use super::{AddError, Fault, FaultRule, MAX_RULES, too_many};
use crate::state::{RedisConfig, StoreError};

/// How long a replica goes on with its copy of the rules before it asks whether they changed.
pub(super) const REFRESH: Duration = Duration::from_millis(100);

struct Keys {
    /// id → the rule as JSON (without its id and count).
    rules: String,
    /// id → uses left, for counted rules.
    counts: String,
    /// Moves on every change.
    version: String,
    /// The last id given out.
    last_id: String,
}

struct Scripts {
    add: Script,
    claim: Script,
    remove: Script,
    read: Script,
}

/// This replica's copy of the rules.
struct Copy {
    version: String,
    rules: Arc<Vec<FaultRule>>,
    /// When the version was last looked at; none: read again before the next match.
    checked: Option<Instant>,
}

/// The rules in Redis, with this replica's copy.
pub struct SharedFaults {
    conn: RedisConnection,
    timeout: Duration,
    keys: Keys,
    scripts: Scripts,
    copy: Mutex<Copy>,
    /// One refresh at a time; other requests go on with the copy they have.
    refreshing: tokio::sync::Mutex<()>,
}

impl SharedFaults {
    /// Connects (failing within the timeout if Redis is not there).
    pub(super) async fn connect(config: &RedisConfig) -> Result<SharedFaults, StoreError> {
        let base = format!("{}:{{mock.faults}}", config.prefix);
        Ok(SharedFaults {
            conn: crate::state::redis_connection(config).await?,
            timeout: config.timeout,
            keys: Keys {
                rules: format!("{base}:rules"),
                counts: format!("{base}:counts"),
                version: format!("{base}:version"),
                last_id: format!("{base}:last-id"),
            },
            scripts: Scripts {
                add: Script::new(include_str!("lua/add.lua")),
                claim: Script::new(include_str!("lua/claim.lua")),
                remove: Script::new(include_str!("lua/remove.lua")),
                read: Script::new(include_str!("lua/read.lua")),
            },
            copy: Mutex::new(Copy {
                version: String::new(),
                rules: Arc::default(),
                checked: None,
            }),
            refreshing: tokio::sync::Mutex::new(()),
        })
    }

    /// Bounds every call: a Redis that is down or stalled costs the timeout, never a hang.
    async fn call<T>(
        &self,
        what: &str,
        future: impl Future<Output = redis::RedisResult<T>>,
    ) -> Result<T, StoreError> {
        crate::state::redis_bounded(&format!("fault rules: {what}"), self.timeout, future).await
    }

    /// Runs one of the scripts over the rules' keys.
    async fn script<T: redis::FromRedisValue>(
        &self,
        what: &str,
        script: &Script,
        args: &[String],
    ) -> Result<T, StoreError> {
        let mut invocation = script.prepare_invoke();
        invocation
            .key(&self.keys.rules)
            .key(&self.keys.counts)
            .key(&self.keys.version)
            // Only `add` reads it; every script gets the same keys, all in one slot.
            .key(&self.keys.last_id);
        for arg in args {
            invocation.arg(arg);
        }
        let mut conn = self.conn.clone();
        self.call(what, invocation.invoke_async::<T>(&mut conn))
            .await
    }

    /// This replica reads the rules again before its next match.
    fn stale(&self) {
        self.copy.lock().expect("faults copy").checked = None;
    }

    pub(super) async fn add(&self, mut rule: FaultRule) -> Result<FaultRule, AddError> {
        let count = rule.count.map(|c| c.to_string()).unwrap_or_default();
        let stored = FaultRule {
            id: 0,
            count: None,
            ..rule.clone()
        };
        let json = serde_json::to_string(&stored).unwrap_or_default();
        let id: i64 = self
            .script(
                "add",
                &self.scripts.add,
                &[MAX_RULES.to_string(), json, count],
            )
            .await?;
        self.stale();
        rule.id = u64::try_from(id).map_err(|_| AddError::Invalid(too_many()))?;
        Ok(rule)
    }

    pub(super) async fn list(&self) -> Result<Vec<FaultRule>, StoreError> {
        let (version, rules) = self.read().await?;
        let rules = Arc::new(rules);
        *self.copy.lock().expect("faults copy") = Copy {
            version,
            rules: rules.clone(),
            checked: Some(Instant::now()),
        };
        Ok(rules.to_vec())
    }

    pub(super) async fn remove(&self, id: u64) -> Result<bool, StoreError> {
        let removed: i64 = self
            .script("remove", &self.scripts.remove, &[id.to_string()])
            .await?;
        self.stale();
        Ok(removed == 1)
    }

    pub(super) async fn clear(&self) -> Result<(), StoreError> {
        let _: i64 = self
            .script("remove", &self.scripts.remove, &["*".to_owned()])
            .await?;
        self.stale();
        Ok(())
    }

    pub(super) async fn take(&self, operation: &str, path: &str, tenant: &str) -> Option<Fault> {
        let rules = self.current().await;
        let rule = rules.iter().find(|r| r.matches(operation, path, tenant))?;
        if fastrand::f64() >= rule.probability {
            return None;
        }
        if rule.count.is_some() {
            let claimed: Result<i64, StoreError> = self
                .script("claim", &self.scripts.claim, &[rule.id.to_string()])
                .await;
            match claimed {
                Ok(left) if left >= 0 => {}
                // Used up through another replica (or removed): this copy is behind.
                Ok(_) => {
                    self.stale();
                    return None;
                }
                Err(e) => {
                    tracing::warn!(rule = rule.id, error = %e.chain(), "a counted fault rule could not be claimed; the request goes on without it");
                    return None;
                }
            }
            self.stale();
        }
        Some(rule.fault())
    }

    /// The rules to match against: this replica's copy, read again when their version has moved.
    async fn current(&self) -> Arc<Vec<FaultRule>> {
        let (rules, version, due) = {
            let copy = self.copy.lock().expect("faults copy");
            let due = copy.checked.is_none_or(|at| at.elapsed() >= REFRESH);
            (copy.rules.clone(), copy.version.clone(), due)
        };
        if !due {
            return rules;
        }
        let Ok(_refreshing) = self.refreshing.try_lock() else {
            return rules;
        };
        let mut conn = self.conn.clone();
        let now: Result<Option<String>, StoreError> = self
            .call(
                "version",
                redis::cmd("GET")
                    .arg(&self.keys.version)
                    .query_async(&mut conn),
            )
            .await;
        let fresh = match now {
            Ok(now) if now.as_deref().unwrap_or("0") == version && !version.is_empty() => {
                Ok((version, rules.to_vec()))
            }
            Ok(_) => self.read().await,
            Err(e) => Err(e),
        };
        let mut copy = self.copy.lock().expect("faults copy");
        copy.checked = Some(Instant::now());
        match fresh {
            Ok((version, fresh)) => {
                copy.version = version;
                copy.rules = Arc::new(fresh);
            }
            // Redis is away: the rules as last read go on, and it is asked again after REFRESH.
            Err(e) => {
                tracing::warn!(error = %e.chain(), "fault rules could not be read from redis")
            }
        }
        copy.rules.clone()
    }

    /// Every rule with what is left of its count, oldest first, and the version they are at.
    async fn read(&self) -> Result<(String, Vec<FaultRule>), StoreError> {
        let (version, rules, counts): (String, Vec<String>, Vec<String>) =
            self.script("read", &self.scripts.read, &[]).await?;
        let counts: std::collections::BTreeMap<&str, u32> = counts
            .chunks(2)
            .filter_map(|pair| Some((pair[0].as_str(), pair.get(1)?.parse().ok()?)))
            .collect();
        let mut read: Vec<FaultRule> = rules
            .chunks(2)
            .filter_map(|pair| {
                let mut rule: FaultRule = serde_json::from_str(pair.get(1)?).ok()?;
                rule.id = pair[0].parse().ok()?;
                rule.count = counts.get(pair[0].as_str()).copied();
                Some(rule)
            })
            .collect();
        read.sort_by_key(|r| r.id);
        Ok((version, read))
    }
}
