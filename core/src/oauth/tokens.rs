//! OAuth credentials as configured, and the tokens a refresh hands back.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::{Error, Result};
use crate::models::parse_timestamp;
use crate::oauth::token_endpoint::MAX_LIFETIME_SECONDS;
use crate::secret::Secret;

/// The tokens of an OAuth session, as the persistence hook receives them.
#[derive(Clone, PartialEq, Eq)]
pub struct OAuthTokens {
    /// The access token, sent as `Bearer`.
    pub access_token: Secret,
    /// The refresh token; Pleo rotates it on every refresh, so persist the new one.
    pub refresh_token: Secret,
    /// When the access token expires, if known.
    pub expires_at: Option<SystemTime>,
}

/// [`OAuthTokens`] as JSON, the form in which bindings hand them to hooks and stores.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokensJson {
    access_token: String,
    refresh_token: String,
    expires_at: Option<String>,
}

impl OAuthTokens {
    /// The tokens as JSON: `{"access_token", "refresh_token", "expires_at"}`, the expiry
    /// as an RFC 3339 date-time in UTC, or `null` when unknown. Carries the secrets.
    pub fn to_json(&self) -> Value {
        let expires_at = self
            .expires_at
            .and_then(|at| OffsetDateTime::from(at).format(&Rfc3339).ok());
        json!({
            "access_token": self.access_token.expose(),
            "refresh_token": self.refresh_token.expose(),
            "expires_at": expires_at,
        })
    }

    /// Tokens from the text of [`to_json`](OAuthTokens::to_json)'s JSON, as a binding's
    /// store hands it back; `invalid_argument` when it is not JSON or not such tokens.
    pub fn from_json_str(text: &str) -> Result<OAuthTokens> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| Error::invalid_argument(format!("invalid OAuth tokens JSON: {e}")))?;
        OAuthTokens::from_json(&value)
    }

    /// Tokens from the JSON of [`to_json`](OAuthTokens::to_json); `invalid_argument` naming
    /// the field when one is missing, unknown or malformed.
    pub fn from_json(value: &Value) -> Result<OAuthTokens> {
        // Never quote a value that is not an object: double-encoded JSON would put the
        // tokens themselves into the message.
        if !value.is_object() {
            return Err(Error::invalid_argument(
                "invalid OAuth tokens JSON: expected an object with access_token and refresh_token",
            ));
        }
        let tokens = TokensJson::deserialize(value)
            .map_err(|e| Error::invalid_argument(format!("invalid OAuth tokens JSON: {e}")))?;
        Ok(OAuthTokens {
            access_token: Secret::new(tokens.access_token),
            refresh_token: Secret::new(tokens.refresh_token),
            expires_at: tokens
                .expires_at
                .map(|text| parse_time(&text, "expires_at"))
                .transpose()?,
        })
    }
}

/// An RFC 3339 date-time; `invalid_argument` naming `field` otherwise.
fn parse_time(text: &str, field: &str) -> Result<SystemTime> {
    parse_timestamp(text, field).map(SystemTime::from)
}

impl fmt::Debug for OAuthTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthTokens")
            .field("access_token", &self.access_token)
            .field("refresh_token", &self.refresh_token)
            .field("expires_at", &self.expires_at.map(OffsetDateTime::from))
            .finish()
    }
}

/// Called after every successful refresh, before the new access token is used: write both
/// tokens where the next start of your program will find them. An error fails the call
/// that triggered the refresh; the tokens stay in memory and the hook runs again on the
/// next call. It runs while the refresh lock is held: do not call the client from it.
pub type TokensRefreshedHook = Arc<
    dyn Fn(&OAuthTokens) -> std::result::Result<(), Box<dyn std::error::Error + Send + Sync>>
        + Send
        + Sync,
>;

/// An OAuth client's credentials and its current tokens.
#[derive(Clone)]
pub struct OAuthCredentials {
    /// The OAuth client id.
    pub client_id: String,
    /// The OAuth client secret.
    pub client_secret: Secret,
    /// The current tokens.
    pub tokens: OAuthTokens,
    /// The token endpoint; defaults to the environment's (or `<base_url>/oauth/token`).
    pub token_url: Option<String>,
}

impl fmt::Debug for OAuthCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("tokens", &self.tokens)
            .field("token_url", &self.token_url)
            .finish()
    }
}

/// The `oauth` object of the JSON configuration.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OAuthConfig {
    client_id: String,
    client_secret: String,
    access_token: String,
    refresh_token: String,
    expires_at: Option<String>,
    expires_in: Option<u64>,
    token_url: Option<String>,
}

impl OAuthConfig {
    /// The credentials, with `expires_in` counted from `now`.
    pub(crate) fn credentials(&self, now: SystemTime) -> Result<OAuthCredentials> {
        let expires_at = match (&self.expires_at, self.expires_in) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid_argument(
                    "oauth: set either expires_at or expires_in, not both",
                ));
            }
            (Some(text), None) => Some(parse_time(text, "oauth.expires_at")?),
            (None, Some(seconds)) => {
                Some(now + Duration::from_secs(seconds.min(MAX_LIFETIME_SECONDS)))
            }
            (None, None) => None,
        };
        Ok(OAuthCredentials {
            client_id: self.client_id.clone(),
            client_secret: Secret::new(self.client_secret.clone()),
            tokens: OAuthTokens {
                access_token: Secret::new(self.access_token.clone()),
                refresh_token: Secret::new(self.refresh_token.clone()),
                expires_at,
            },
            token_url: self.token_url.clone(),
        })
    }
}

impl fmt::Debug for OAuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthConfig")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[REDACTED]")
            .field("access_token", &"[REDACTED]")
            .field("refresh_token", &"[REDACTED]")
            .field("expires_at", &self.expires_at)
            .field("expires_in", &self.expires_in)
            .field("token_url", &self.token_url)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_json_round_trips_and_names_bad_fields() {
        let tokens = OAuthTokens {
            access_token: Secret::new("a"),
            refresh_token: Secret::new("r"),
            expires_at: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)),
        };
        let value = tokens.to_json();
        assert_eq!(
            value,
            json!({"access_token": "a", "refresh_token": "r", "expires_at": "2027-01-15T08:00:00Z"})
        );
        assert_eq!(OAuthTokens::from_json(&value).unwrap(), tokens);
        let unknown = OAuthTokens::from_json(
            &json!({"access_token": "a", "refresh_token": "r", "expires_at": null}),
        )
        .unwrap();
        assert_eq!(unknown.expires_at, None);
        let bad = OAuthTokens::from_json(
            &json!({"access_token": "a", "refresh_token": "r", "expires_at": "soon"}),
        )
        .unwrap_err();
        assert!(bad.message().contains("expires_at"), "{bad}");
        let encoded =
            json!({"access_token": "at-secret", "refresh_token": "rt-secret"}).to_string();
        let twice = OAuthTokens::from_json(&Value::String(encoded)).unwrap_err();
        assert!(!twice.message().contains("secret"), "{twice}");
        let text = OAuthTokens::from_json_str(&value.to_string()).unwrap();
        assert_eq!(text, tokens);
        let not_json = OAuthTokens::from_json_str("{").unwrap_err();
        assert!(
            not_json.message().contains("invalid OAuth tokens JSON"),
            "{not_json}"
        );
        let missing = OAuthTokens::from_json(&json!({"access_token": "a"})).unwrap_err();
        assert!(missing.message().contains("refresh_token"), "{missing}");
    }
}
