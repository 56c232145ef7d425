//! When to retry a call and how long to wait.

use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// Retry behaviour: how many retries, backoff, and how far to follow `Retry-After`.
///
/// Retried: connection errors, timeouts and the statuses 408, 429, 502, 503 and 504. A `POST` (not
/// idempotent) is retried only where it cannot have been applied: the connection was refused, or the server
/// answered 429 or 503 (all four vendors reject those before processing). Opt in to more with
/// [`RetryPolicy::retry_non_idempotent`].
#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
    retry_non_idempotent: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
            retry_non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn never() -> RetryPolicy {
        RetryPolicy::default().max_retries(0)
    }

    /// Retries after the first attempt (default 2, so at most 3 attempts).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The first backoff (default 500 ms); it doubles per retry, with jitter, up to `max_backoff`.
    pub fn initial_backoff(mut self, delay: Duration) -> Self {
        self.initial_backoff = delay;
        self
    }

    /// The longest backoff (default 8 s).
    pub fn max_backoff(mut self, delay: Duration) -> Self {
        self.max_backoff = delay;
        self
    }

    /// The longest `Retry-After` the SDK waits (default 60 s); a longer one ends the retries and the error
    /// is returned, with the server's value in [`crate::Error::retry_after`].
    pub fn max_retry_after(mut self, delay: Duration) -> Self {
        self.max_retry_after = delay;
        self
    }

    /// Also retry `POST` calls after a timeout, 408, 500-class gateway errors and dropped connections,
    /// where the server may have applied them (only for operations you know to be safe to repeat).
    pub fn retry_non_idempotent(mut self, yes: bool) -> Self {
        self.retry_non_idempotent = yes;
        self
    }

    /// The configured number of retries.
    pub fn retries(&self) -> u32 {
        self.max_retries
    }

    /// What to do after attempt number `attempt` (1-based) ended with `outcome`.
    pub(crate) fn decide(&self, attempt: u32, idempotent: bool, outcome: Outcome<'_>) -> Decision {
        if attempt > self.max_retries {
            return Decision::Stop;
        }
        let may_repeat = idempotent || self.retry_non_idempotent;
        let (retryable, retry_after) = match outcome {
            Outcome::Status(status, headers) => {
                let not_processed = matches!(status.as_u16(), 429 | 503);
                let transient = matches!(status.as_u16(), 408 | 429 | 502 | 503 | 504);
                (
                    transient && (not_processed || may_repeat),
                    parse_retry_after(headers),
                )
            }
            Outcome::ConnectFailed => (true, None),
            Outcome::TransportFailed => (may_repeat, None),
        };
        if !retryable {
            return Decision::Stop;
        }
        match retry_after {
            Some(wait) if wait > self.max_retry_after => Decision::Stop,
            Some(wait) => Decision::RetryAfter(wait),
            None => Decision::RetryAfter(self.backoff(attempt)),
        }
    }

    /// Exponential backoff with "equal jitter": half fixed, half random, so retries spread out.
    fn backoff(&self, attempt: u32) -> Duration {
        let exponential = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
        let capped = exponential.min(self.max_backoff);
        let half = capped / 2;
        half + half.mul_f64(fastrand::f64())
    }
}

/// How an attempt ended, as far as retrying is concerned.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Outcome<'a> {
    /// The server answered.
    Status(StatusCode, &'a HeaderMap),
    /// The connection could not be made: the server saw nothing.
    ConnectFailed,
    /// A timeout or a broken connection after the request may have been sent.
    TransportFailed,
}

/// Retry after the delay, or stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    RetryAfter(Duration),
    Stop,
}

/// `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3); `None` when absent or unreadable.
pub(crate) fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(retry_after: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(v) = retry_after {
            h.insert(RETRY_AFTER, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn retry_after_in_seconds_and_as_a_date() {
        assert_eq!(
            parse_retry_after(&headers(Some("7"))),
            Some(Duration::from_secs(7))
        );
        let in_ten = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(10));
        let parsed = parse_retry_after(&headers(Some(&in_ten))).unwrap();
        assert!(
            parsed > Duration::from_secs(8) && parsed <= Duration::from_secs(10),
            "{parsed:?}"
        );
        assert_eq!(parse_retry_after(&headers(Some("soon"))), None);
        assert_eq!(parse_retry_after(&headers(None)), None);
    }

    #[test]
    fn post_is_retried_only_where_it_cannot_have_been_applied() {
        let policy = RetryPolicy::default();
        let h = headers(None);
        let status = |code| Outcome::Status(StatusCode::from_u16(code).unwrap(), &h);
        for code in [429, 503] {
            assert_ne!(
                policy.decide(1, false, status(code)),
                Decision::Stop,
                "{code}"
            );
        }
        for code in [408, 500, 502, 504] {
            assert_eq!(
                policy.decide(1, false, status(code)),
                Decision::Stop,
                "{code}"
            );
        }
        assert_ne!(
            policy.decide(1, false, Outcome::ConnectFailed),
            Decision::Stop
        );
        assert_eq!(
            policy.decide(1, false, Outcome::TransportFailed),
            Decision::Stop
        );
        let opted_in = RetryPolicy::default().retry_non_idempotent(true);
        assert_ne!(opted_in.decide(1, false, status(502)), Decision::Stop);
        assert_ne!(
            opted_in.decide(1, false, Outcome::TransportFailed),
            Decision::Stop
        );
    }

    #[test]
    fn idempotent_calls_retry_transient_statuses_only_up_to_the_maximum() {
        let policy = RetryPolicy::default();
        let h = headers(None);
        let status = |code| Outcome::Status(StatusCode::from_u16(code).unwrap(), &h);
        for code in [408, 429, 502, 503, 504] {
            assert_ne!(
                policy.decide(1, true, status(code)),
                Decision::Stop,
                "{code}"
            );
        }
        for code in [400, 401, 404, 409, 500] {
            assert_eq!(
                policy.decide(1, true, status(code)),
                Decision::Stop,
                "{code}"
            );
        }
        assert_ne!(policy.decide(2, true, status(503)), Decision::Stop);
        assert_eq!(policy.decide(3, true, status(503)), Decision::Stop);
        assert_eq!(
            RetryPolicy::never().decide(1, true, status(503)),
            Decision::Stop
        );
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let policy = RetryPolicy::default().max_retry_after(Duration::from_secs(5));
        let short = headers(Some("3"));
        let long = headers(Some("30"));
        let s503 = StatusCode::SERVICE_UNAVAILABLE;
        assert_eq!(
            policy.decide(1, true, Outcome::Status(s503, &short)),
            Decision::RetryAfter(Duration::from_secs(3))
        );
        assert_eq!(
            policy.decide(1, true, Outcome::Status(s503, &long)),
            Decision::Stop
        );
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(300));
        for _ in 0..100 {
            let first = policy.backoff(1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let second = policy.backoff(2);
            assert!(second >= Duration::from_millis(100) && second <= Duration::from_millis(200));
            let capped = policy.backoff(10);
            assert!(capped >= Duration::from_millis(150) && capped <= Duration::from_millis(300));
        }
    }
}
