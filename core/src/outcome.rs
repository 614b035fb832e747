//! What an attempt's outcome means: a response read (to a bound) into a reply or an error
//! of its kind, a failure to get one classified, a 2xx body decoded. Where every error kind
//! of an HTTP exchange is chosen; `retry.rs` decides what happens next.

use std::error::Error as StdError;
use std::time::{Duration, SystemTime};

use reqwest::Response;
use reqwest::header;

use crate::call::{MAX_RESPONSE_BYTES, Reply};
use crate::error::{Error, ErrorKind, Result, chain};
use crate::models::Response as Model;
use crate::operation::Operation;
use crate::retry::{self, Failure};
use crate::unique_keys;

/// How much of an error response's body is read (enough for its message and excerpt).
const ERROR_EXCERPT_BYTES: usize = 64 * 1024;

/// A failed attempt: the error to report and what the retry decision needs.
pub(crate) struct Attempt {
    pub(crate) error: Error,
    pub(crate) failure: Failure,
}

/// Reads the response body (capped) and turns non-2xx statuses into errors; `wall` is the
/// time a `Retry-After` date is measured from.
pub(crate) async fn read(
    operation: Operation,
    response: Response,
    timeout: Duration,
    cut_short: bool,
    wall: SystemTime,
) -> std::result::Result<Reply, Attempt> {
    let status = response.status();
    let request_id = ["x-request-id", "request-id"]
        .iter()
        .find_map(|name| response.headers().get(*name)?.to_str().ok())
        .map(str::to_owned);
    let retry_after = response
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| retry::parse_retry_after(v, wall));
    let location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if status.is_success() {
        let body = read_capped(response, MAX_RESPONSE_BYTES)
            .await
            .map_err(|failed| {
                let (error, failure) = match failed {
                    BodyError::TooLarge => (
                        Error::new(
                            ErrorKind::Decode,
                            format!(
                                "{}: response body exceeds the {} byte limit",
                                operation.id(),
                                MAX_RESPONSE_BYTES
                            ),
                        ),
                        Failure::Permanent,
                    ),
                    BodyError::Io(e) => (
                        body_error(operation, status.as_u16(), &e, timeout, cut_short),
                        Failure::Ambiguous,
                    ),
                };
                Attempt {
                    error: error
                        .with_status(status.as_u16())
                        .with_request_id(request_id.clone()),
                    failure,
                }
            })?;
        return Ok(Reply {
            status: status.as_u16(),
            body,
            request_id,
            attempts: 0,
        });
    }
    // The status decides an error; its body is only an excerpt, read as far as it goes.
    let body = read_excerpt(response, ERROR_EXCERPT_BYTES).await;
    let code = status.as_u16();
    let (kind, failure, message) = if status.is_client_error() || status.is_server_error() {
        let reason = status.canonical_reason().unwrap_or("");
        let mut message = format!("{} failed with HTTP {code} {reason}", operation.id());
        if let Some(said) = server_message(&body) {
            message.push_str(": ");
            message.push_str(&said);
        }
        (ErrorKind::from_status(code), Failure::Status(code), message)
    } else {
        let message = not_an_answer(operation.id(), code, location.as_deref());
        (ErrorKind::Decode, Failure::Permanent, message)
    };
    Err(Attempt {
        error: Error::new(kind, message)
            .with_status(code)
            .with_request_id(request_id)
            .with_body(&body)
            .with_retry_after(retry_after),
        failure,
    })
}

/// Classifies a failure to get a response at all; `connect_timeout` is the client's.
pub(crate) fn send_failure(
    operation: Operation,
    error: reqwest::Error,
    timeout: Duration,
    cut_short: bool,
    connect_timeout: Duration,
) -> Attempt {
    let detail = chain(&error);
    let id = operation.id();
    let (kind, failure) = classify(&error);
    let message = match (kind, failure) {
        (_, Failure::Permanent) => format!("{id}: TLS certificate rejected: {detail}"),
        (ErrorKind::Timeout, Failure::Unsent) => format!(
            "{id}: could not connect within {} ms",
            connect_timeout.as_millis()
        ),
        (_, Failure::Unsent) => format!("{id}: could not connect: {detail}"),
        (ErrorKind::Timeout, _) => timeout_message(operation, timeout, cut_short),
        _ => format!("{id}: connection failed after sending: {detail}"),
    };
    Attempt {
        error: Error::new(kind, message).with_source(error.without_url()),
        failure,
    }
}

/// The message for a status that is neither success nor error (kind `decode`): a redirect
/// (`location` where it pointed), which is not followed, or no final HTTP answer at all.
pub(crate) fn not_an_answer(who: &str, code: u16, location: Option<&str>) -> String {
    if (300..400).contains(&code) {
        let to = location.map(|l| format!(" to {l}")).unwrap_or_default();
        format!("{who}: unexpected HTTP {code} redirect{to}; redirects are not followed")
    } else {
        format!(
            "{who}: the server answered with status {code}, which is not a final HTTP answer (200-599)"
        )
    }
}

/// How a request that got no response failed: its kind, and whether it was sent at all.
pub(crate) fn classify(error: &reqwest::Error) -> (ErrorKind, Failure) {
    if is_certificate_error(error) {
        (ErrorKind::Connection, Failure::Permanent)
    } else if error.is_connect() && error.is_timeout() {
        (ErrorKind::Timeout, Failure::Unsent)
    } else if error.is_connect() {
        (ErrorKind::Connection, Failure::Unsent)
    } else if error.is_timeout() {
        (ErrorKind::Timeout, Failure::Ambiguous)
    } else {
        (ErrorKind::Connection, Failure::Ambiguous)
    }
}

/// Why a body could not be read.
pub(crate) enum BodyError {
    /// It is longer than the limit (declared or as read).
    TooLarge,
    /// The connection failed or timed out while it was being read.
    Io(reqwest::Error),
}

/// A response body of at most `max` bytes: refused at once when its declared length is
/// larger, and never read further than one chunk past `max` bytes.
pub(crate) async fn read_capped(
    mut response: Response,
    max: usize,
) -> std::result::Result<Vec<u8>, BodyError> {
    if response
        .content_length()
        .is_some_and(|length| length > max as u64)
    {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Io)? {
        if body.len() + chunk.len() > max {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The first `max` bytes of an error response's body; a body that breaks off or runs long
/// is cut.
pub(crate) async fn read_excerpt(mut response: Response, max: usize) -> Vec<u8> {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = max - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() == max {
            break;
        }
    }
    body
}

/// The error for a 2xx answer whose body broke off or did not arrive in time.
fn body_error(
    operation: Operation,
    status: u16,
    error: &reqwest::Error,
    timeout: Duration,
    cut_short: bool,
) -> Error {
    let id = operation.id();
    if error.is_timeout() {
        let limit = timeout.as_millis();
        let why = if cut_short {
            format!("before the call's overall deadline ({limit} ms left for this attempt)")
        } else {
            format!("within {limit} ms")
        };
        Error::new(
            ErrorKind::Timeout,
            format!("{id}: the server answered HTTP {status}, but its body did not arrive {why}"),
        )
    } else {
        Error::new(
            ErrorKind::Connection,
            format!(
                "{id}: the server answered HTTP {status}, but the connection failed while its body was read: {}",
                chain(error)
            ),
        )
    }
}

fn timeout_message(operation: Operation, timeout: Duration, cut_short: bool) -> String {
    let limit = timeout.as_millis();
    if cut_short {
        format!(
            "{}: the call's overall deadline passed ({limit} ms left for this attempt)",
            operation.id()
        )
    } else {
        format!("{}: no response within {limit} ms", operation.id())
    }
}

/// The `message` (or `error_description`, `error`) field of a JSON error body, shortened.
fn server_message(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let text = ["message", "error_description", "error"]
        .iter()
        .find_map(|key| value.get(*key)?.as_str())?;
    Some(text.chars().take(300).collect())
}

/// Whether a rustls certificate error is anywhere in the chain, including inside the
/// `io::Error`s that wrap one another (their `source()` skips the wrapped error).
fn is_certificate_error(error: &(dyn StdError + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(e) = current {
        let mut inner = Some(e);
        while let Some(candidate) = inner {
            if matches!(
                candidate.downcast_ref::<rustls::Error>(),
                Some(
                    rustls::Error::InvalidCertificate(_)
                        | rustls::Error::InvalidCertRevocationList(_)
                        | rustls::Error::NoCertificatesPresented
                )
            ) {
                return true;
            }
            inner = candidate
                .downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .map(|wrapped| wrapped as &(dyn StdError + 'static));
        }
        current = e.source();
    }
    false
}

/// A 2xx reply decoded as `T`, keeping the raw reply; a body that is not the documented
/// JSON (or holds a key twice, which the typed view could not give as written) is `decode`.
pub(crate) fn decode<T: Model>(operation: Operation, reply: Reply) -> Result<(T, Reply)> {
    // An answer the typed view could not give as written (a key twice) is refused.
    let faithful = std::str::from_utf8(&reply.body)
        .map_err(|e| e.to_string())
        .and_then(unique_keys::check);
    let decoded =
        faithful.and_then(|()| serde_json::from_slice::<T>(&reply.body).map_err(|e| e.to_string()));
    match decoded {
        Ok(mut value) => {
            // It decoded as JSON, so it is UTF-8.
            value.keep_raw(String::from_utf8_lossy(&reply.body).into());
            Ok((value, reply))
        }
        Err(e) => Err(Error::new(
            ErrorKind::Decode,
            format!(
                "{}: HTTP {} response is not the documented JSON: {e}",
                operation.id(),
                reply.status
            ),
        )
        .with_status(reply.status)
        .with_request_id(reply.request_id)
        .with_attempts(reply.attempts)
        .with_body(&reply.body)),
    }
}
