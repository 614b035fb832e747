//! Secrets (API keys, tokens) that never print, and the `Authorization` headers that carry
//! them, marked sensitive.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use reqwest::header::HeaderValue;

use crate::error::{Error, Result};

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

/// Refuses an empty secret, or one that cannot travel in a header, naming it (never quoting it).
pub(crate) fn check_secret(name: &str, value: &str) -> Result<()> {
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
