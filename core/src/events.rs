//! The SDK's events: one line per attempt, retry, give-up and token refresh, worded the
//! same in every language (`<event> key=value ...`), never carrying a secret.
//!
//! Each goes to the `log` facade (target [`LOG_TARGET`]) and, when a client was built with
//! [`ClientBuilder::log_sink`](crate::ClientBuilder::log_sink), to that client's sink too.

use std::fmt;
use std::sync::Arc;

use log::{Level, LevelFilter};

use crate::error::Error;

/// The `log` target of every event (Python's logger `pleo_installations.events`).
pub const LOG_TARGET: &str = "pleo_installations::events";

/// A client's own receiver of events: their level and their line.
pub type LogSink = Arc<dyn Fn(Level, &str) + Send + Sync>;

/// Where a client's events go: the `log` facade, and its sink when it has one.
#[derive(Clone, Default)]
pub(crate) struct Events {
    sink: Option<(LevelFilter, LogSink)>,
}

impl fmt::Debug for Events {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = self.sink.as_ref().map(|(level, _)| *level);
        f.debug_struct("Events").field("sink", &level).finish()
    }
}

impl Events {
    /// Events to the facade and to `sink`, up to `max_level`.
    pub(crate) fn with_sink(max_level: LevelFilter, sink: LogSink) -> Events {
        Events {
            sink: Some((max_level, sink)),
        }
    }

    /// One attempt's end: `status` and `kind` from its error, or the reply's status.
    pub(crate) fn attempt(&self, attempt: &AttemptEvent<'_>) {
        let AttemptEvent {
            n,
            operation,
            method,
            path,
            status,
            error,
            elapsed_ms,
            request_id,
        } = *attempt;
        let kind = error.map_or(String::new(), |e| format!("kind={} ", e.kind()));
        self.emit(
            Level::Debug,
            format_args!(
                "attempt n={n} operation={operation} method={method} path={path} status={} {kind}elapsed_ms={elapsed_ms} request_id={}",
                or_dash(status),
                request_id.map_or("-".into(), sanitized),
            ),
        );
    }

    /// Attempt `n` of `operation` failed with `error` and is tried again after `delay_ms`.
    pub(crate) fn retry(&self, n: u32, operation: &str, error: &Error, delay_ms: u128) {
        self.emit(
            Level::Info,
            format_args!(
                "retry n={n} operation={operation} kind={} status={} delay_ms={delay_ms}",
                error.kind(),
                or_dash(error.status()),
            ),
        );
    }

    /// `operation` failed with a retryable `error` after `attempts`, and is not tried again.
    pub(crate) fn give_up(&self, operation: &str, attempts: u32, error: &Error, reason: GiveUp) {
        self.emit(
            Level::Warn,
            format_args!(
                "give_up operation={operation} attempts={attempts} kind={} status={} reason={}",
                error.kind(),
                or_dash(error.status()),
                reason.as_str(),
            ),
        );
    }

    /// A token refresh's end: `Ok(attempts)` or its error.
    pub(crate) fn refresh(&self, outcome: std::result::Result<u32, &Error>) {
        match outcome {
            Ok(attempts) => self.emit(
                Level::Info,
                format_args!("refresh outcome=ok attempts={attempts}"),
            ),
            Err(error) => self.emit(
                Level::Warn,
                format_args!(
                    "refresh outcome=failed attempts={} kind={} status={}",
                    error.attempts(),
                    error.kind(),
                    or_dash(error.status()),
                ),
            ),
        }
    }

    /// Tokens another process refreshed were taken from the token store.
    pub(crate) fn adopted(&self) {
        self.emit(Level::Info, format_args!("refresh outcome=adopted"));
    }

    fn emit(&self, level: Level, line: fmt::Arguments<'_>) {
        let to_sink = self.sink.as_ref().filter(|(max, _)| level <= *max);
        if to_sink.is_none() && !log::log_enabled!(target: LOG_TARGET, level) {
            return;
        }
        let line = line.to_string();
        log::log!(target: LOG_TARGET, level, "{line}");
        if let Some((_, sink)) = to_sink {
            sink(level, &line);
        }
    }
}

/// What an attempt line says.
#[derive(Clone, Copy)]
pub(crate) struct AttemptEvent<'a> {
    pub(crate) n: u32,
    pub(crate) operation: &'a str,
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    pub(crate) status: Option<u16>,
    pub(crate) error: Option<&'a Error>,
    pub(crate) elapsed_ms: u128,
    pub(crate) request_id: Option<&'a str>,
}

/// Why a retryable failure was not tried again.
#[derive(Clone, Copy)]
pub(crate) enum GiveUp {
    /// The attempts allowed are used up.
    MaxRetries,
    /// The server asked to wait longer than the SDK does.
    RetryAfter,
    /// No time is left before the call's deadline.
    Deadline,
}

impl GiveUp {
    fn as_str(self) -> &'static str {
        match self {
            GiveUp::MaxRetries => "max_retries",
            GiveUp::RetryAfter => "retry_after",
            GiveUp::Deadline => "deadline",
        }
    }
}

fn or_dash(status: Option<u16>) -> String {
    status.map_or("-".to_owned(), |s| s.to_string())
}

/// A request id as the server sent it, when it is a plain token of at most 64 characters
/// (letters, digits, `-_.:/`); otherwise `?`, so that no server can forge a line or a field.
fn sanitized(id: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_.:/".contains(c);
    if !id.is_empty() && id.len() <= 64 && id.chars().all(plain) {
        id.to_owned()
    } else {
        "?".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_that_could_forge_a_line_are_replaced() {
        assert_eq!(sanitized("req-1_a.b:c/d"), "req-1_a.b:c/d");
        assert_eq!(sanitized("a b"), "?");
        assert_eq!(sanitized("a\nretry n=1"), "?");
        assert_eq!(sanitized(&"x".repeat(65)), "?");
        assert_eq!(sanitized(""), "?");
    }
}
