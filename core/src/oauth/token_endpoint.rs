//! Calls to the OAuth token endpoint: one POST, retried while the failure is transient.

use std::time::{Duration, Instant, SystemTime};

use reqwest::blocking::Client as HttpClient;
use reqwest::header::{self, HeaderValue};
use serde::Deserialize;

use crate::auth::{self, Secret};
use crate::clock::{Clock, Random};
use crate::error::{Error, ErrorKind, Result};
use crate::oauth::OAuthTokens;
use crate::retry::{self, Failure};
use crate::transport;

/// What a token request needs from the client it runs in.
pub(crate) struct TokenContext<'a> {
    pub(crate) http: &'a HttpClient,
    pub(crate) clock: &'a dyn Clock,
    pub(crate) random: &'a dyn Random,
    pub(crate) max_retries: u32,
    pub(crate) timeout: Duration,
    pub(crate) deadline: Instant,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    refresh_token: Option<String>,
    expires_in: Option<u64>,
}

/// Exchanges `refresh_token` for new tokens; see [`request`] for failures and retries.
pub(crate) fn refresh(
    context: &TokenContext<'_>,
    client: &ClientAuth<'_>,
    refresh_token: &Secret,
) -> Result<OAuthTokens> {
    request(
        context,
        client,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose()),
        ],
    )
}

/// Exchanges an authorisation code (with its PKCE verifier) for tokens.
pub(crate) fn exchange(
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
fn request(
    context: &TokenContext<'_>,
    client: &ClientAuth<'_>,
    pairs: &[(&str, &str)],
) -> Result<OAuthTokens> {
    let ClientAuth {
        token_url,
        client_id,
        client_secret,
    } = *client;
    let form = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .append_pair("client_id", client_id)
        .finish();
    let authorization = auth::basic(client_id, client_secret.expose());
    let mut attempt = 1;
    loop {
        let remaining = context
            .deadline
            .saturating_duration_since(context.clock.now());
        if remaining.is_zero() {
            return Err(
                Error::new(ErrorKind::Timeout, "token request: deadline reached")
                    .with_attempts(attempt - 1),
            );
        }
        let (error, transient) = match post(context, token_url, &authorization, &form, remaining) {
            Ok(tokens) => {
                log::info!("token request succeeded after {attempt} attempt(s)");
                return Ok(tokens);
            }
            Err(failed) => failed,
        };
        let error = error.with_attempts(attempt).with_retryable(transient);
        log::warn!("token request attempt {attempt} failed: {}", error.kind());
        if !transient || attempt > context.max_retries {
            return Err(error);
        }
        let delay = retry::backoff(attempt, context.random);
        if context.clock.now() + delay >= context.deadline {
            return Err(error);
        }
        context.clock.sleep(delay);
        attempt += 1;
    }
}

/// One POST; on failure, the error and whether it is safe and useful to try again.
fn post(
    context: &TokenContext<'_>,
    token_url: &str,
    authorization: &HeaderValue,
    form: &str,
    remaining: Duration,
) -> std::result::Result<OAuthTokens, (Error, bool)> {
    let response = context
        .http
        .post(token_url)
        .timeout(remaining.min(context.timeout))
        .header(header::AUTHORIZATION, authorization.clone())
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form.to_owned())
        .send()
        .map_err(|e| {
            let (kind, failure) = transport::classify(&e);
            let message = format!(
                "token request: could not reach the token endpoint: {}",
                transport::chain(&e)
            );
            let error = Error::new(kind, message).with_source(e.without_url());
            (error, failure == Failure::Unsent)
        })?;
    let status = response.status().as_u16();
    let body = response.bytes().map(|b| b.to_vec()).unwrap_or_default();
    if (200..300).contains(&status) {
        let parsed: TokenResponse = serde_json::from_slice(&body).map_err(|e| {
            (
                Error::new(
                    ErrorKind::Decode,
                    format!("token request: the response is not a token response: {e}"),
                )
                .with_status(status),
                false,
            )
        })?;
        let now = context.clock.wall();
        // The server has rotated the grant already: an unusable answer cannot be retried.
        let unusable = |what: &str| {
            (
                Error::new(
                    ErrorKind::ReauthenticationRequired,
                    format!("token request: the token endpoint's answer {what}; send the user through the OAuth flow again"),
                )
                .with_status(status),
                false,
            )
        };
        if !auth::is_token(&parsed.access_token) {
            return Err(unusable("has no usable access_token"));
        }
        let refresh_token = match parsed.refresh_token {
            Some(token) if auth::is_token(&token) => token,
            _ => return Err(unusable("has no usable refresh_token")),
        };
        let lifetime =
            Duration::from_secs(parsed.expires_in.unwrap_or(0).min(MAX_LIFETIME_SECONDS));
        return Ok(OAuthTokens {
            access_token: Secret::new(parsed.access_token),
            refresh_token: Secret::new(refresh_token),
            expires_at: parsed.expires_in.map(|_| now + lifetime),
        });
    }
    let reason = oauth_error(&body);
    let (kind, transient) = match status {
        400 | 401 => (ErrorKind::ReauthenticationRequired, false),
        429 | 500..=599 => (ErrorKind::from_status(status), true),
        _ => (ErrorKind::from_status(status), false),
    };
    let message = match kind {
        ErrorKind::ReauthenticationRequired => format!(
            "the token endpoint rejected the grant ({reason}); send the user through the OAuth flow again"
        ),
        _ => format!("token request failed with HTTP {status} ({reason})"),
    };
    Err((
        Error::new(kind, message)
            .with_status(status)
            .with_body(&body),
        transient,
    ))
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
