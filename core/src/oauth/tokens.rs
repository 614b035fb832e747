//! OAuth credentials as configured, and the tokens a refresh hands back.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde::Deserialize;
use time::OffsetDateTime;

use crate::auth::Secret;
use crate::error::{Error, Result};
use crate::oauth::token_endpoint::MAX_LIFETIME_SECONDS;

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
            (Some(text), None) => {
                let parsed =
                    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                        .map_err(|e| {
                            Error::invalid_argument(format!(
                                "oauth.expires_at {text:?} is not an RFC 3339 date-time: {e}"
                            ))
                        })?;
                Some(SystemTime::from(parsed))
            }
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
