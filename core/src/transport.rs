//! Sending one call: building each attempt, classifying its outcome, retrying, deadlines.

use std::error::Error as StdError;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{self, HeaderValue};
use reqwest::{Client as HttpClient, Response};
use uuid::Uuid;

use crate::auth::{self, Credential};
use crate::clock::{Clock, Random};
use crate::config::Settings;
use crate::error::{Error, ErrorKind, Result};
use crate::http::HttpPool;
use crate::oauth::token_endpoint::TokenContext;
use crate::operation::Operation;
use crate::retry::{self, Failure, MAX_RETRY_AFTER, RETRY_AFTER_CEILING};
use crate::runtime;

/// The largest response body the client reads; a larger one is a `decode` error.
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// The largest request body the client sends; a larger one is `invalid_argument`, sent
/// never. As large as the largest response read: the installation it makes comes back.
pub const MAX_REQUEST_BYTES: usize = MAX_RESPONSE_BYTES;

/// How much of an error response's body is read (enough for its message and excerpt).
const ERROR_EXCERPT_BYTES: usize = 64 * 1024;

/// How long past its deadline a call may run before it is cut off whatever it waits for
/// (every wait inside ends by the deadline itself, with a more precise message).
const DEADLINE_GRACE: Duration = Duration::from_millis(25);

const JSON_CONTENT_TYPE: &str = "application/json;charset=UTF-8";

/// One call of an operation: what to send.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) operation: Operation,
    pub(crate) company_id: Option<Uuid>,
    pub(crate) body: Option<Vec<u8>>,
}

/// A successful response.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
    pub(crate) request_id: Option<String>,
    pub(crate) attempts: u32,
}

/// A failed attempt: the error to report and what the retry decision needs.
struct Attempt {
    error: Error,
    failure: Failure,
}

/// The HTTP machinery of a client, shared by all its clones and threads.
pub(crate) struct Transport {
    http: HttpPool,
    pub(crate) settings: Settings,
    pub(crate) clock: Arc<dyn Clock>,
    random: Arc<dyn Random>,
}

impl Transport {
    pub(crate) fn new(
        settings: Settings,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Random>,
    ) -> Result<Transport> {
        let http = HttpPool::new(settings.http.clone())?;
        Ok(Transport {
            http,
            settings,
            clock,
            random,
        })
    }

    /// Sends `call`, retrying per the operation's rules, until success, a final failure, or
    /// the earlier of the configured total timeout and `deadline`.
    pub(crate) async fn execute(&self, call: &Call, deadline: Option<Instant>) -> Result<Reply> {
        let start = self.clock.now();
        let total = start + self.settings.total_timeout;
        let deadline = deadline.map_or(total, |d| d.min(total));
        // Every wait inside ends by the deadline; this holds it whatever a callback does.
        let backstop = tokio::time::Instant::from_std(deadline + DEADLINE_GRACE);
        tokio::time::timeout_at(backstop, self.attempts(call, deadline))
            .await
            .unwrap_or_else(|_| {
                Err(Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "{}: the call's overall deadline passed",
                        call.operation.id()
                    ),
                )
                .with_retryable(true))
            })
    }

    /// The attempts of [`Transport::execute`].
    async fn attempts(&self, call: &Call, deadline: Instant) -> Result<Reply> {
        let max_attempts = self.settings.max_retries + 1;
        let mut attempt = 1;
        let mut replayed = false;
        let mut replay_after = None;
        loop {
            // What time is left, or the error when none is; `why` says what used it up.
            let left = |why: &str| {
                let remaining = deadline.saturating_duration_since(self.clock.now());
                if !remaining.is_zero() {
                    return Ok(remaining);
                }
                let id = call.operation.id();
                Err(Error::new(
                    ErrorKind::Timeout,
                    format!("{id}: {why} before attempt {attempt}"),
                )
                .with_attempts(attempt - 1)
                .with_retryable(true))
            };
            left("deadline reached")?;
            let (authorization, generation) = self
                .authorize(deadline, replay_after.take())
                .await
                .map_err(|e| e.with_attempts(attempt - 1))?;
            // A refresh (and its hook and store) may have taken part of the time left.
            let remaining = left("the token refresh used up the call's deadline")?;
            let cut_short = remaining < self.settings.timeout;
            let timeout = remaining.min(self.settings.timeout);
            let Attempt { error, failure } = match self
                .attempt(call, attempt, timeout, cut_short, authorization)
                .await
            {
                Ok(reply) => return Ok(reply),
                Err(failed) => failed,
            };
            // An OAuth token the server refused: refresh (unless another thread already
            // did) and replay once. A 401 means the request was not processed.
            if let (Failure::Status(401), Some(generation), false) = (failure, generation, replayed)
            {
                replayed = true;
                replay_after = Some(generation);
                attempt += 1;
                continue;
            }
            let retryable = retry::is_retryable(call.operation, failure);
            let error = error.with_attempts(attempt).with_retryable(retryable);
            if !retryable || attempt >= max_attempts {
                return Err(error);
            }
            let delay = match error.retry_after() {
                Some(wait) if wait > MAX_RETRY_AFTER => {
                    let after = if wait >= RETRY_AFTER_CEILING {
                        "a year or more".to_owned()
                    } else {
                        format!("{} s", wait.as_secs())
                    };
                    let message = format!(
                        "{}; the server asks to retry after {after}, beyond the {} s the SDK waits",
                        error.message(),
                        MAX_RETRY_AFTER.as_secs()
                    );
                    return Err(error.with_message(message));
                }
                Some(wait) => wait,
                None => retry::backoff(attempt, self.random.as_ref()),
            };
            if self.clock.now() + delay >= deadline {
                let message = format!(
                    "{}; no time left before the deadline for another attempt",
                    error.message()
                );
                return Err(error.with_message(message));
            }
            log::debug!(
                "{} {}: retrying in {} ms after {}",
                call.operation.method(),
                call.operation.path(),
                delay.as_millis(),
                error.kind()
            );
            self.clock.sleep(delay).await;
            attempt += 1;
        }
    }

    /// The `Authorization` header for the next attempt, and the OAuth token generation it
    /// carries; `failed` names a generation the server just refused.
    async fn authorize(
        &self,
        deadline: Instant,
        failed: Option<u64>,
    ) -> Result<(HeaderValue, Option<u64>)> {
        let session = match &self.settings.credential {
            Credential::Static { header, .. } => return Ok((header.clone(), None)),
            Credential::OAuth(session) => session,
        };
        if failed.is_none()
            && let Some(ready) = session.ready(self.clock.wall())
        {
            return ready.map(|bearer| (bearer.header, Some(bearer.generation)));
        }
        // A refresh, a token store or a hook: blocking work, rare, on this call's thread.
        let http = self.http.get()?;
        let context = self.token_context(&http, deadline);
        let bearer = runtime::blocking(|| match failed {
            Some(generation) => session.after_unauthorized(&context, generation),
            None => session.bearer(&context),
        })?;
        Ok((bearer.header, Some(bearer.generation)))
    }

    /// Refreshes the OAuth tokens now; `invalid_argument` for other credentials.
    pub(crate) async fn refresh_tokens(&self) -> Result<()> {
        let Credential::OAuth(session) = &self.settings.credential else {
            return Err(Error::invalid_argument(
                "the client does not use OAuth: there are no tokens to refresh",
            ));
        };
        let deadline = self.clock.now() + self.settings.total_timeout;
        let http = self.http.get()?;
        let context = self.token_context(&http, deadline);
        runtime::blocking(|| session.refresh_now(&context)).map(drop)
    }

    fn token_context<'a>(&'a self, http: &'a HttpClient, deadline: Instant) -> TokenContext<'a> {
        TokenContext {
            http,
            clock: self.clock.as_ref(),
            random: self.random.as_ref(),
            max_retries: self.settings.max_retries,
            timeout: self.settings.timeout,
            deadline,
        }
    }

    async fn attempt(
        &self,
        call: &Call,
        attempt: u32,
        timeout: Duration,
        cut_short: bool,
        authorization: HeaderValue,
    ) -> std::result::Result<Reply, Attempt> {
        let operation = call.operation;
        let mut url = format!("{}{}", self.settings.base_url, operation.path());
        if let Some(company_id) = call.company_id {
            url.push_str(&format!("?company_id={company_id}"));
        }
        let http = self.http.get().map_err(|error| Attempt {
            error,
            failure: Failure::Permanent,
        })?;
        // A server may echo the credential; the error must not carry it.
        let secrets = auth::secrets_of(&authorization);
        let mut request = http
            .request(operation.method(), url)
            .timeout(timeout)
            .header(header::AUTHORIZATION, authorization);
        if let Some(body) = &call.body {
            request = request
                .header(header::CONTENT_TYPE, JSON_CONTENT_TYPE)
                .body(body.clone());
        }
        let started = Instant::now();
        let outcome = match request.send().await {
            Ok(response) => self.read(operation, response, timeout, cut_short).await,
            Err(e) => Err(self.send_failure(operation, e, timeout, cut_short)),
        }
        .map_err(|failed| Attempt {
            error: failed.error.redacting(secrets.iter().map(String::as_str)),
            ..failed
        });
        let elapsed = started.elapsed().as_millis();
        match &outcome {
            Ok(reply) => log::debug!(
                "{} {} status={} attempt={attempt} elapsed_ms={elapsed} request_id={}",
                operation.method(),
                operation.path(),
                reply.status,
                reply.request_id.as_deref().unwrap_or("-"),
            ),
            Err(failed) => log::debug!(
                "{} {} status={} error={} attempt={attempt} elapsed_ms={elapsed} request_id={}",
                operation.method(),
                operation.path(),
                failed
                    .error
                    .status()
                    .map_or("-".to_owned(), |s| s.to_string()),
                failed.error.kind(),
                failed.error.request_id().unwrap_or("-"),
            ),
        }
        outcome.map(|reply| Reply {
            attempts: attempt,
            ..reply
        })
    }

    /// Reads the response body (capped) and turns non-2xx statuses into errors.
    async fn read(
        &self,
        operation: Operation,
        response: Response,
        timeout: Duration,
        cut_short: bool,
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
            .and_then(|v| retry::parse_retry_after(v, self.clock.wall()));
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

    /// Classifies a failure to get a response at all.
    fn send_failure(
        &self,
        operation: Operation,
        error: reqwest::Error,
        timeout: Duration,
        cut_short: bool,
    ) -> Attempt {
        let detail = chain(&error);
        let id = operation.id();
        let (kind, failure) = classify(&error);
        let message = match (kind, failure) {
            (_, Failure::Permanent) => format!("{id}: TLS certificate rejected: {detail}"),
            (ErrorKind::Timeout, Failure::Unsent) => format!(
                "{id}: could not connect within {} ms",
                self.settings.http.connect_timeout.as_millis()
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
