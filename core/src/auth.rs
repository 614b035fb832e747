//! Credentials and the `Authorization` header they produce; secrets never print.

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use reqwest::header::HeaderValue;

use crate::error::{Error, Result};
use crate::oauth::session::OAuthSession;

/// A secret string (API key, token) whose `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself; keep it out of logs.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

/// How the client authenticates.
#[derive(Clone)]
pub(crate) enum Credential {
    /// A fixed `Authorization` header: an API key or a static access token.
    Static {
        method: &'static str,
        header: HeaderValue,
    },
    /// OAuth tokens, refreshed as they expire.
    OAuth(Arc<OAuthSession>),
}

impl Credential {
    /// HTTP Basic with the key as user name and an empty password.
    pub(crate) fn api_key(key: &str) -> Result<Credential> {
        check_secret("api_key", key)?;
        let encoded = STANDARD.encode(format!("{key}:"));
        Credential::fixed("api_key", &format!("Basic {encoded}"))
    }

    /// A static OAuth access token, sent as `Bearer`.
    pub(crate) fn access_token(token: &str) -> Result<Credential> {
        check_secret("access_token", token)?;
        Credential::fixed("access_token", &format!("Bearer {token}"))
    }

    fn fixed(method: &'static str, value: &str) -> Result<Credential> {
        let mut header = HeaderValue::from_str(value).map_err(|_| {
            Error::invalid_argument(format!(
                "{method} contains characters not allowed in an HTTP header"
            ))
        })?;
        header.set_sensitive(true);
        Ok(Credential::Static { method, header })
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::Static { method, .. } => write!(f, "Credential({method}: [REDACTED])"),
            Credential::OAuth(session) => {
                write!(
                    f,
                    "Credential(oauth client {}: [REDACTED])",
                    session.client_id()
                )
            }
        }
    }
}

fn check_secret(name: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid_argument(format!("{name} is empty")));
    }
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::invalid_argument(format!(
            "{name} must be visible ASCII (no spaces or control characters)"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_key_is_basic_with_an_empty_password() {
        let Credential::Static { header, .. } = Credential::api_key("k3y").unwrap() else {
            panic!("an API key is a static credential");
        };
        assert_eq!(header, "Basic azN5Og==");
        assert!(header.is_sensitive());
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let credential = Credential::access_token("tok-123").unwrap();
        let shown = format!(
            "{credential:?} {:?} {}",
            Secret::new("tok-123"),
            Secret::new("tok-123")
        );
        assert!(!shown.contains("tok-123"), "{shown}");
        assert!(shown.contains("access_token"));
    }

    #[test]
    fn bad_secrets_are_named_but_not_echoed() {
        let err = Credential::api_key("a b").unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidArgument);
        assert!(err.message().contains("api_key") && !err.message().contains("a b"));
        assert!(Credential::access_token("  ").is_err());
        assert!(Credential::access_token("caf\u{e9}").is_err());
    }
}
