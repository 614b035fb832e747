//! Calls to the OAuth token endpoint: one POST, retried while the failure is transient.

use std::time::{Duration, Instant, SystemTime};

use reqwest::Url;
use reqwest::header::{self, HeaderValue};
use reqwest::{Client as HttpClient, Response};

use crate::clock::{Clock, Random};
use crate::credential_url::credential_url;
use crate::error::{self, Error, ErrorKind, Result};
use crate::events::{Events, GiveUp};
use crate::oauth::OAuthTokens;
use crate::outcome::{self, BodyError};
use crate::retry::{self, Failure};
use crate::runtime;
use crate::secret::{self, Secret};
use crate::unique_keys;

/// What a token request needs from the client it runs in.
pub(crate) struct TokenContext<'a> {
    pub(crate) http: &'a HttpClient,
    pub(crate) clock: &'a dyn Clock,
    pub(crate) random: &'a dyn Random,
    pub(crate) max_retries: u32,
    pub(crate) timeout: Duration,
    pub(crate) deadline: Instant,
    /// Where retries and give-ups at the token endpoint are told (as `operation=token`).
    pub(crate) events: &'a Events,
}

/// The largest token endpoint answer read (success or error); a token answer is a few
/// hundred bytes, and a larger one is not read further.
pub(crate) const MAX_TOKEN_RESPONSE_BYTES: usize = 64 * 1024;

/// The fields of a grant that are secrets.
const SECRET_FIELDS: [&str; 3] = ["refresh_token", "code", "code_verifier"];

/// A failed token request: the error, and what it means for the grant presented.
#[derive(Debug)]
pub(crate) struct Failed {
    /// The error to report for the call.
    pub(crate) error: Error,
    /// The request surely did nothing (unsent, 429, 5xx): it may be tried again.
    transient: bool,
    /// The endpoint answered 200, so the grant presented is spent (Pleo rotated the tokens),
    /// but the new tokens could not be taken from the answer: it must never be presented
    /// again.
    pub(crate) spent: bool,
}

impl Failed {
    fn new(error: Error, transient: bool) -> Failed {
        Failed {
            error,
            transient,
            spent: false,
        }
    }

    fn spent(error: Error) -> Failed {
        Failed {
            error,
            transient: false,
            spent: true,
        }
    }
}

/// Exchanges `refresh_token` for new tokens and the attempts it took, blocking the calling
/// thread (a refresh runs under locks, beside token stores and hooks); see [`request`] for
/// failures and retries.
pub(crate) fn refresh(
    context: &TokenContext<'_>,
    client: &ClientAuth<'_>,
    refresh_token: &Secret,
) -> std::result::Result<(OAuthTokens, u32), Failed> {
    let grant = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token.expose()),
    ];
    runtime::block_on(request(context, client, &grant))
        .unwrap_or_else(|e| Err(Failed::new(e, false)))
}

/// Exchanges an authorisation code (with its PKCE verifier) for tokens.
pub(crate) async fn exchange(
    context: &TokenContext<'_>,
    client: &ClientAuth<'_>,
    code: &str,
    code_verifier: &Secret,
    redirect_uri: &str,
) -> Result<OAuthTokens> {
    request(
        context,
        client,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", code_verifier.expose()),
        ],
    )
    .await
    .map(|(tokens, _)| tokens)
    .map_err(|failed| failed.error)
}

/// Who asks the token endpoint, and where it is.
pub(crate) struct ClientAuth<'a> {
    pub(crate) token_url: &'a str,
    pub(crate) client_id: &'a str,
    pub(crate) client_secret: &'a Secret,
}

/// One grant at the token endpoint. A rejected grant or client (400, 401) is
/// `reauthentication_required`; failures that surely did nothing (unsent, 429, 5xx) are
/// retried with backoff, but never a request whose answer was lost: the server may have
/// rotated the tokens (or used the code), and presenting the old grant again would revoke them.
async fn request(
    context: &TokenContext<'_>,
    client: &ClientAuth<'_>,
    pairs: &[(&str, &str)],
) -> std::result::Result<(OAuthTokens, u32), Failed> {
    let ClientAuth {
        token_url,
        client_id,
        client_secret,
    } = *client;
    // Checked here too, so that no path can send the secret anywhere else.
    let token_url = credential_url("token_url", token_url).map_err(|e| Failed::new(e, false))?;
    let form = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .append_pair("client_id", client_id)
        .finish();
    let authorization = secret::basic(client_id, client_secret.expose());
    // What the endpoint may echo back that must stay out of errors: the grant's secrets,
    // the client secret and the Basic credential carrying it.
    let mut secrets: Vec<String> = pairs
        .iter()
        .filter(|(name, _)| SECRET_FIELDS.contains(name))
        .map(|(_, value)| (*value).to_owned())
        .collect();
    secrets.push(client_secret.expose().to_owned());
    secrets.extend(secret::secrets_of(&authorization).into_iter().take(1));
    let mut attempt = 1;
    loop {
        let remaining = context
            .deadline
            .saturating_duration_since(context.clock.now());
        if remaining.is_zero() {
            let error = Error::new(ErrorKind::Timeout, "token request: deadline reached")
                .with_attempts(attempt - 1);
            return Err(Failed::new(error, false));
        }
        let mut failed = match post(context, &token_url, &authorization, &form, remaining).await {
            Ok(tokens) => return Ok((tokens, attempt)),
            Err(failed) => failed,
        };
        failed.error = failed
            .error
            .redacting(secrets.iter().map(String::as_str))
            .with_attempts(attempt)
            .with_retryable(failed.transient);
        let give_up = |reason| {
            context
                .events
                .give_up("token", attempt, &failed.error, reason)
        };
        if !failed.transient {
            return Err(failed);
        }
        if attempt > context.max_retries {
            give_up(GiveUp::MaxRetries);
            return Err(failed);
        }
        let delay = retry::backoff(attempt, context.random);
        if context.clock.now() + delay >= context.deadline {
            give_up(GiveUp::Deadline);
            return Err(failed);
        }
        (context.events).retry(attempt, "token", &failed.error, delay.as_millis());
        context.clock.sleep(delay).await;
        attempt += 1;
    }
}

/// One POST; on failure, the error and what it means for the grant.
async fn post(
    context: &TokenContext<'_>,
    token_url: &Url,
    authorization: &HeaderValue,
    form: &str,
    remaining: Duration,
) -> std::result::Result<OAuthTokens, Failed> {
    let timeout = remaining.min(context.timeout);
    let response = context
        .http
        .post(token_url.clone())
        .timeout(timeout)
        .header(header::AUTHORIZATION, authorization.clone())
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form.to_owned())
        .send()
        .await
        .map_err(|e| {
            let (kind, failure) = outcome::classify(&e);
            let what = if failure == Failure::Unsent {
                "could not reach the token endpoint"
            } else {
                "sent, but no answer came from the token endpoint"
            };
            let message = format!("token request: {what}: {}", error::chain(&e));
            let error = Error::new(kind, message).with_source(e.without_url());
            Failed::new(error, failure == Failure::Unsent)
        })?;
    let status = response.status().as_u16();
    if (200..300).contains(&status) {
        return accept(context, response, timeout, status).await;
    }
    let body = outcome::read_excerpt(response, MAX_TOKEN_RESPONSE_BYTES).await;
    let reason = oauth_error(&body);
    let (kind, transient) = match status {
        400 | 401 => (ErrorKind::ReauthenticationRequired, false),
        429 | 500..=599 => (ErrorKind::from_status(status), true),
        402..=499 => (ErrorKind::from_status(status), false),
        _ => (ErrorKind::Decode, false),
    };
    let message = match (kind, status) {
        (ErrorKind::ReauthenticationRequired, _) => format!(
            "the token endpoint rejected the grant ({reason}); send the user through the OAuth flow again"
        ),
        (ErrorKind::Decode, _) => outcome::not_an_answer("token request", status, None),
        _ => format!("token request failed with HTTP {status} ({reason})"),
    };
    let error = Error::new(kind, message)
        .with_status(status)
        .with_body(&body);
    Err(Failed::new(error, transient))
}

/// Takes the new tokens from a 2xx answer. The grant presented is spent from here on:
/// whatever goes wrong is [`Failed::spent`] (a body that times out is still `timeout`).
async fn accept(
    context: &TokenContext<'_>,
    response: Response,
    timeout: Duration,
    status: u16,
) -> std::result::Result<OAuthTokens, Failed> {
    const AGAIN: &str = "send the user through the OAuth flow again";
    let unusable = |what: String| {
        Failed::spent(
            Error::new(
                ErrorKind::ReauthenticationRequired,
                format!("token request: the token endpoint's answer {what}; {AGAIN}"),
            )
            .with_status(status),
        )
    };
    let body = match outcome::read_capped(response, MAX_TOKEN_RESPONSE_BYTES).await {
        Ok(body) => body,
        Err(BodyError::TooLarge) => {
            return Err(unusable(format!(
                "exceeds the {MAX_TOKEN_RESPONSE_BYTES} byte limit"
            )));
        }
        Err(BodyError::Io(e)) => {
            let (kind, why) = if e.is_timeout() {
                (
                    ErrorKind::Timeout,
                    format!("did not arrive within {} ms", timeout.as_millis()),
                )
            } else {
                (
                    ErrorKind::Connection,
                    format!("broke off: {}", error::chain(&e)),
                )
            };
            let message = format!(
                "token request: the token endpoint answered {status}, but its answer {why}; the refresh token is spent, {AGAIN}"
            );
            return Err(Failed::spent(Error::new(kind, message).with_status(status)));
        }
    };
    let answer = TokenAnswer::parse(&body).map_err(unusable)?;
    let now = context.clock.wall();
    Ok(OAuthTokens {
        access_token: Secret::new(answer.access_token),
        refresh_token: Secret::new(answer.refresh_token),
        expires_at: answer.expires_in.map(|lifetime| now + lifetime),
    })
}

/// The fields of a token answer the SDK uses, read leniently: servers differ in how they
/// write `expires_in` and `token_type`, and extra fields are ignored.
struct TokenAnswer {
    access_token: String,
    refresh_token: String,
    expires_in: Option<Duration>,
}

impl TokenAnswer {
    /// The answer, or why it cannot be used (for a message; never quoting a token).
    fn parse(body: &[u8]) -> std::result::Result<TokenAnswer, String> {
        let text = std::str::from_utf8(body).map_err(|_| "is not UTF-8".to_owned())?;
        unique_keys::check(text).map_err(|e| format!("is ambiguous: {e}"))?;
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("is not JSON ({e})"))?;
        let Some(fields) = value.as_object() else {
            return Err("is not a JSON object".to_owned());
        };
        let token = |name: &str| match fields.get(name).and_then(|v| v.as_str()) {
            Some(token) if secret::is_token(token) => Ok(token.to_owned()),
            _ => Err(format!("has no usable {name}")),
        };
        let access_token = token("access_token")?;
        let refresh_token = token("refresh_token")?;
        match fields.get("token_type") {
            None | Some(serde_json::Value::Null) => {}
            Some(serde_json::Value::String(kind)) if kind.eq_ignore_ascii_case("bearer") => {}
            Some(other) => {
                let shown: String = other.to_string().chars().take(40).collect();
                return Err(format!(
                    "has token_type {shown}, which the SDK cannot send (it sends Bearer tokens)"
                ));
            }
        }
        Ok(TokenAnswer {
            access_token,
            refresh_token,
            expires_in: fields.get("expires_in").and_then(lifetime),
        })
    }
}

/// `expires_in` as a lifetime: a JSON number (integer or not) or a string of one, cut to
/// [`MAX_LIFETIME_SECONDS`]; anything else (negative, zero, not a number) is unknown, and
/// the token is then refreshed when the API refuses it.
fn lifetime(value: &serde_json::Value) -> Option<Duration> {
    let seconds = match value {
        serde_json::Value::Number(number) => number.as_f64(),
        serde_json::Value::String(text) => text.trim().parse::<f64>().ok(),
        _ => None,
    };
    match seconds {
        Some(seconds) if seconds.is_finite() && seconds >= 1.0 => Some(Duration::from_secs_f64(
            seconds.min(MAX_LIFETIME_SECONDS as f64),
        )),
        _ => {
            log::warn!(
                "the token answer's expires_in is not a usable number of seconds: the expiry is unknown"
            );
            None
        }
    }
}

/// The longest token lifetime taken from a server (ten years); longer ones are cut to it.
pub(crate) const MAX_LIFETIME_SECONDS: u64 = 10 * 365 * 86_400;

/// The `error` (and `error_description`) of an RFC 6749 error body.
fn oauth_error(body: &[u8]) -> String {
    let value: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let text = |key: &str| {
        value
            .get(key)
            .and_then(|v| v.as_str())
            .map(|s| s.chars().take(200).collect::<String>())
    };
    match (text("error"), text("error_description")) {
        (Some(error), Some(description)) => format!("{error}: {description}"),
        (Some(error), None) => error,
        _ => "no OAuth error code".to_owned(),
    }
}

/// When `tokens` should be refreshed ahead of expiry: once less than min(300 s, half the
/// lifetime) remains. `obtained_at` is when the tokens were received (or configured).
pub(crate) fn refresh_due(tokens: &OAuthTokens, obtained_at: SystemTime, now: SystemTime) -> bool {
    let Some(expires_at) = tokens.expires_at else {
        return false;
    };
    let lifetime = expires_at.duration_since(obtained_at).unwrap_or_default();
    let margin = (lifetime / 2).min(Duration::from_secs(300));
    match expires_at.duration_since(now) {
        Ok(remaining) => remaining <= margin,
        Err(_) => true,
    }
}
