//! How the client authenticates: a fixed `Authorization` header, or an OAuth session.

use std::fmt;
use std::sync::Arc;

use reqwest::header::HeaderValue;

use crate::error::Result;
use crate::oauth::session::OAuthSession;
use crate::secret::{basic, bearer, check_secret};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

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
