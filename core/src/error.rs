//! The one error type of the SDK, and its stable kinds.

use std::error::Error as StdError;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

/// How many bytes of a server's error body an [`Error`] keeps.
pub const MAX_ERROR_BODY_BYTES: usize = 4 * 1024;

/// What went wrong, as one of the stable strings shared by every language binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Bad configuration or request, caught before anything was sent.
    InvalidArgument,
    /// HTTP 401.
    Authentication,
    /// HTTP 403.
    PermissionDenied,
    /// HTTP 404.
    NotFound,
    /// HTTP 409.
    Conflict,
    /// HTTP 400, 422 and any other 4xx without a kind of its own.
    BadRequest,
    /// HTTP 429, after retries.
    RateLimited,
    /// HTTP 5xx, after retries.
    Server,
    /// A connect or read timeout, or the overall deadline.
    Timeout,
    /// Could not connect, connection reset, TLS failure.
    Connection,
    /// A response that is not the documented JSON.
    Decode,
    /// The OAuth refresh token was rejected, expired or revoked.
    ReauthenticationRequired,
    /// A bug in the SDK.
    Internal,
    /// The caller cancelled the call (`cancel_all`, a call handle) before it ended.
    Cancelled,
}

impl ErrorKind {
    /// Every kind, in the order of the table in the API contract.
    pub const ALL: [ErrorKind; 14] = [
        ErrorKind::InvalidArgument,
        ErrorKind::Authentication,
        ErrorKind::PermissionDenied,
        ErrorKind::NotFound,
        ErrorKind::Conflict,
        ErrorKind::BadRequest,
        ErrorKind::RateLimited,
        ErrorKind::Server,
        ErrorKind::Timeout,
        ErrorKind::Connection,
        ErrorKind::Decode,
        ErrorKind::ReauthenticationRequired,
        ErrorKind::Internal,
        ErrorKind::Cancelled,
    ];

    /// The stable snake_case name used in error JSON and by every binding.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidArgument => "invalid_argument",
            ErrorKind::Authentication => "authentication",
            ErrorKind::PermissionDenied => "permission_denied",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::BadRequest => "bad_request",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Server => "server",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Connection => "connection",
            ErrorKind::Decode => "decode",
            ErrorKind::ReauthenticationRequired => "reauthentication_required",
            ErrorKind::Internal => "internal",
            ErrorKind::Cancelled => "cancelled",
        }
    }

    /// The kind for an HTTP error status (4xx or 5xx).
    pub fn from_status(status: u16) -> ErrorKind {
        match status {
            401 => ErrorKind::Authentication,
            403 => ErrorKind::PermissionDenied,
            404 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            429 => ErrorKind::RateLimited,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::BadRequest,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An SDK error: its kind, a message naming what was wrong, and what the server said.
///
/// Never contains a credential: messages are written by the SDK, and the server's body is
/// kept only as a truncated excerpt.
#[derive(Clone)]
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Clone)]
struct Inner {
    kind: ErrorKind,
    message: String,
    status: Option<u16>,
    request_id: Option<String>,
    body: Option<String>,
    retryable: bool,
    attempts: u32,
    retry_after: Option<Duration>,
    source: Option<Arc<dyn StdError + Send + Sync>>,
}

impl Error {
    /// An error of `kind` with `message`, no HTTP details and no attempt made.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                status: None,
                request_id: None,
                body: None,
                retryable: false,
                attempts: 0,
                retry_after: None,
                source: None,
            }),
        }
    }

    /// An `invalid_argument` error.
    pub fn invalid_argument(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidArgument, message)
    }

    /// A `cancelled` error.
    pub(crate) fn cancelled(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Cancelled, message)
    }

    /// The `internal` error for a panic caught in `context` (an operation, an export),
    /// with the panic's message when it has one: what every panic boundary reports.
    pub fn from_panic(context: &str, payload: &(dyn std::any::Any + Send)) -> Error {
        let what = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("a panic");
        Error::new(
            ErrorKind::Internal,
            format!("{context}: a bug in the SDK: {what}"),
        )
    }

    pub(crate) fn with_status(mut self, status: u16) -> Error {
        self.inner.status = Some(status);
        self
    }

    pub(crate) fn with_request_id(mut self, request_id: Option<String>) -> Error {
        self.inner.request_id = request_id;
        self
    }

    /// Keeps at most [`MAX_ERROR_BODY_BYTES`] of the body, cut at a character boundary.
    pub(crate) fn with_body(mut self, body: &[u8]) -> Error {
        if body.is_empty() {
            return self;
        }
        let text = String::from_utf8_lossy(body);
        let mut end = text.len().min(MAX_ERROR_BODY_BYTES);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        self.inner.body = Some(text[..end].to_owned());
        self
    }

    pub(crate) fn with_retryable(mut self, retryable: bool) -> Error {
        self.inner.retryable = retryable;
        self
    }

    pub(crate) fn with_attempts(mut self, attempts: u32) -> Error {
        self.inner.attempts = attempts;
        self
    }

    pub(crate) fn with_retry_after(mut self, retry_after: Option<Duration>) -> Error {
        self.inner.retry_after = retry_after;
        self
    }

    pub(crate) fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Error {
        self.inner.source = Some(Arc::new(source));
        self
    }

    pub(crate) fn with_boxed_source(mut self, source: Box<dyn StdError + Send + Sync>) -> Error {
        self.inner.source = Some(Arc::from(source));
        self
    }

    /// This error with every occurrence of each secret (as sent, or form-encoded) in its
    /// message and body replaced by `[REDACTED]`: a server may echo what it received.
    /// Secrets shorter than 6 characters are left alone (they would mangle the text).
    pub(crate) fn redacting<'a>(mut self, secrets: impl IntoIterator<Item = &'a str>) -> Error {
        for secret in secrets.into_iter().filter(|s| s.len() >= 6) {
            let encoded: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
            for form in [secret, encoded.as_str()] {
                if self.inner.message.contains(form) {
                    self.inner.message = self.inner.message.replace(form, "[REDACTED]");
                }
                if let Some(body) = self.inner.body.as_mut().filter(|b| b.contains(form)) {
                    *body = body.replace(form, "[REDACTED]");
                }
            }
        }
        self
    }

    pub(crate) fn with_message(mut self, message: impl Into<String>) -> Error {
        self.inner.message = message.into();
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// A human-readable description naming what was wrong.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The HTTP status of the last response, if one was received.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }

    /// The server's request id (`x-request-id` or `request-id` header), if it sent one.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// The server's response body, truncated to [`MAX_ERROR_BODY_BYTES`].
    pub fn body(&self) -> Option<&str> {
        self.inner.body.as_deref()
    }

    /// Whether the retry policy treats this failure of this operation as transient.
    pub fn retryable(&self) -> bool {
        self.inner.retryable
    }

    /// How many HTTP attempts were made (0 when the error was caught before sending).
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// The server's `Retry-After`, when it asked for a wait.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// The error as the JSON object every binding exposes.
    pub fn to_json(&self) -> Value {
        json!({
            "kind": self.kind().as_str(),
            "message": self.message(),
            "status": self.status(),
            "request_id": self.request_id(),
            "retryable": self.retryable(),
            "attempts": self.attempts(),
            "body": self.body(),
            "retry_after": self.retry_after().map(|d| d.as_secs_f64()),
        })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind(), self.message())?;
        if let Some(status) = self.status() {
            write!(f, " (HTTP {status}")?;
            if let Some(id) = self.request_id() {
                write!(f, ", request id {id}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind())
            .field("message", &self.message())
            .field("status", &self.status())
            .field("request_id", &self.request_id())
            .field("retryable", &self.retryable())
            .field("attempts", &self.attempts())
            .field("retry_after", &self.retry_after())
            .field("body", &self.body())
            .finish()
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|s| s as &(dyn StdError + 'static))
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
/// The error and its sources as one line, without the request URL.
pub(crate) fn chain(error: &(dyn StdError + 'static)) -> String {
    let mut parts = Vec::new();
    let mut current = error.source();
    while let Some(source) = current {
        parts.push(source.to_string());
        current = source.source();
    }
    if parts.is_empty() {
        parts.push(error.to_string());
    }
    parts.join(": ")
}
/// Runs `f`, turning a panic inside it into an error of kind `internal`.
pub(crate) fn catch_panics(name: &str, f: impl FnOnce() -> Result<String>) -> Result<String> {
    panic::catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|payload| Err(Error::from_panic(name, payload.as_ref())))
}
