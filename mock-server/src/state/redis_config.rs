//! How to reach Redis (`--redis-url`); part of every build, so a configuration names Redis even where the
//! `redis` feature is left out (starting then fails, saying so).

use std::time::Duration;

/// How to reach Redis.
#[derive(Debug, Clone)]
pub struct RedisConfig {
    /// `redis://host:port/db` (or `rediss://`); a Redis Cluster as `redis+cluster://host:port,host:port`
    /// (or `rediss+cluster://`, or several comma-separated `redis://` URLs).
    pub url: String,
    /// The first part of every key, so several mocks (or test runs) can share one Redis.
    pub prefix: String,
    /// The longest a call may take, connecting included, before the request answers 503.
    pub timeout: Duration,
}

impl RedisConfig {
    /// A config with the default prefix (`concord`) and timeout (2 s).
    pub fn new(url: impl Into<String>) -> RedisConfig {
        RedisConfig {
            url: url.into(),
            prefix: "concord".to_owned(),
            timeout: Duration::from_secs(2),
        }
    }
}
