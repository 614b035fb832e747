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
        Ok(Credential::Static {
            method: "api_key",
            header: basic(key, ""),
        })
    }

    /// A static OAuth access token, sent as `Bearer`.
    pub(crate) fn access_token(token: &str) -> Result<Credential> {
        Ok(Credential::Static {
            method: "access_token",
            header: bearer("access_token", token)?,
        })
    }
}

/// `Basic base64(user:password)`, marked sensitive.
pub(crate) fn basic(user: &str, password: &str) -> HeaderValue {
    let encoded = STANDARD.encode(format!("{user}:{password}"));
    sensitive(format!("Basic {encoded}"))
}

/// `Bearer <token>`, marked sensitive; fails naming `name` when the token cannot be one.
pub(crate) fn bearer(name: &str, token: &str) -> Result<HeaderValue> {
    check_secret(name, token)?;
    Ok(sensitive(format!("Bearer {token}")))
}

/// The secrets an `Authorization` header carries: its credential (the token, or the
/// base64 of Basic) and, for Basic, the user name and password it encodes.
pub(crate) fn secrets_of(authorization: &HeaderValue) -> Vec<String> {
    let Ok(text) = authorization.to_str() else {
        return Vec::new();
    };
    let Some((scheme, credential)) = text.split_once(' ') else {
        return vec![text.to_owned()];
    };
    let mut secrets = vec![credential.to_owned()];
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = STANDARD.decode(credential).unwrap_or_default();
        let pair = String::from_utf8_lossy(&decoded);
        if let Some((user, password)) = pair.split_once(':') {
            secrets.extend([user.to_owned(), password.to_owned()]);
        }
    }
    secrets
}

/// Whether `value` can travel as a credential in a header: non-empty visible ASCII.
pub(crate) fn is_token(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_graphic())
}

/// A header value of visible ASCII (base64 or a checked token), hidden from Debug.
fn sensitive(value: String) -> HeaderValue {
    let mut header = HeaderValue::try_from(value).expect("visible ASCII is a valid header value");
    header.set_sensitive(true);
    header
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
    if !is_token(value) {
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
