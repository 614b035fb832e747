//! When a failed attempt is repeated, and how long the client waits before it.

use std::time::{Duration, SystemTime};

use crate::clock::Random;
use crate::operation::Operation;

/// The longest `Retry-After` the client waits for; a longer one ends the call at once.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// The longest backoff between two attempts when the server gave no `Retry-After`.
const MAX_BACKOFF: Duration = Duration::from_secs(8);

/// The first backoff, doubled after each retry.
const INITIAL_BACKOFF: Duration = Duration::from_millis(500);

/// How an attempt failed, as far as the retry decision cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Nothing reached the server: connection refused, DNS, reset during the handshake.
    Unsent,
    /// The request may have been processed: a read timeout or reset after sending.
    Ambiguous,
    /// The server answered with this error status.
    Status(u16),
    /// A failure no retry can fix (a certificate error, an unexpected response).
    Permanent,
}

/// Whether `failure` of `operation` is worth another attempt.
///
/// Every operation retries unsent requests. Idempotent operations also retry ambiguous
/// failures and 408, 429, 500, 502, 503, 504. Create retries only 429 and 503, which say
/// the request was not processed.
pub(crate) fn is_retryable(operation: Operation, failure: Failure) -> bool {
    match failure {
        Failure::Unsent => true,
        Failure::Permanent => false,
        Failure::Ambiguous => operation.is_idempotent(),
        Failure::Status(429 | 503) => true,
        Failure::Status(408 | 500 | 502 | 504) => operation.is_idempotent(),
        Failure::Status(_) => false,
    }
}

/// The wait before retry number `retry` (1 for the first):
/// min(0.5 s · 2^(retry−1), 8 s) × a random factor in [0.5, 1.0].
pub(crate) fn backoff(retry: u32, random: &dyn Random) -> Duration {
    let exponent = retry.saturating_sub(1).min(16);
    let base = INITIAL_BACKOFF
        .saturating_mul(1 << exponent)
        .min(MAX_BACKOFF);
    let unit = random.unit();
    let unit = if unit.is_finite() {
        unit.clamp(0.0, 1.0)
    } else {
        1.0
    };
    base.mul_f64(0.5 + 0.5 * unit)
}

/// The longest `Retry-After` reported (a year); a server asking for longer, or for more
/// seconds than a number holds, is reported as asking for this.
pub const RETRY_AFTER_CEILING: Duration = Duration::from_secs(365 * 86_400);

/// Parses a `Retry-After` value: delay seconds or an HTTP date, relative to `now`; at most
/// [`RETRY_AFTER_CEILING`].
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    let wait = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Too many digits for a u64 is still a (very long) number of seconds.
        value.parse().map_or(Duration::MAX, Duration::from_secs)
    } else {
        let date = httpdate::parse_http_date(value).ok()?;
        date.duration_since(now).unwrap_or(Duration::ZERO)
    };
    Some(wait.min(RETRY_AFTER_CEILING))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(f64);
    impl Random for Fixed {
        fn unit(&self) -> f64 {
            self.0
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_and_jitters_between_half_and_full() {
        let full = Fixed(0.999_999_999);
        let half = Fixed(0.0);
        let seconds: Vec<f64> = (1..=6)
            .map(|n| (backoff(n, &full).as_secs_f64() * 100.0).round() / 100.0)
            .collect();
        assert_eq!(seconds, [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]);
        assert_eq!(backoff(1, &half), Duration::from_millis(250));
        assert_eq!(backoff(5, &half), Duration::from_secs(4));
        assert_eq!(backoff(u32::MAX, &half), Duration::from_secs(4));
        assert_eq!(backoff(1, &Fixed(f64::NAN)), Duration::from_millis(500));
        assert_eq!(backoff(1, &Fixed(7.0)), Duration::from_millis(500));
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(30))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
        assert_eq!(parse_retry_after("1.5", now), None);
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(RETRY_AFTER_CEILING)
        );
    }

    #[test]
    fn create_is_retried_only_when_the_server_surely_did_nothing() {
        let create = Operation::CreateInstallation;
        assert!(is_retryable(create, Failure::Unsent));
        assert!(is_retryable(create, Failure::Status(429)));
        assert!(is_retryable(create, Failure::Status(503)));
        for failure in [
            Failure::Ambiguous,
            Failure::Status(408),
            Failure::Status(500),
            Failure::Status(502),
            Failure::Status(504),
        ] {
            assert!(!is_retryable(create, failure), "{failure:?}");
        }
    }

    #[test]
    fn idempotent_operations_retry_transient_failures_only() {
        for op in Operation::ALL.into_iter().filter(|op| op.is_idempotent()) {
            for status in [408, 429, 500, 502, 503, 504] {
                assert!(is_retryable(op, Failure::Status(status)), "{op:?} {status}");
            }
            assert!(is_retryable(op, Failure::Ambiguous));
            assert!(is_retryable(op, Failure::Unsent));
            for status in [400, 401, 403, 404, 409, 422, 501, 505] {
                assert!(
                    !is_retryable(op, Failure::Status(status)),
                    "{op:?} {status}"
                );
            }
            assert!(!is_retryable(op, Failure::Permanent));
        }
    }
}
