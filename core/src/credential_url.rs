//! The one rule for every URL a credential is sent to (the API's base URL, the OAuth token
//! and authorisation endpoints): `https`, or plain `http` only to a loopback host; no user
//! name or password, no query, no fragment.

use url::{Host, Url};

use crate::error::{Error, Result};

/// Parses `raw` (the value of the setting `field`) and checks it against the rule; the
/// error, `invalid_argument`, names the setting and what is wrong, before anything is sent.
pub(crate) fn credential_url(field: &str, raw: &str) -> Result<Url> {
    let refuse = |why: String| Err(Error::invalid_argument(format!("{field} {why}")));
    let url = match Url::parse(raw.trim()) {
        Ok(url) => url,
        // Never quoted with an `@`: what comes before it may be a password.
        Err(e) if raw.contains('@') => return refuse(format!("is not a URL: {e}")),
        Err(e) => return refuse(format!("{raw:?} is not a URL: {e}")),
    };
    if !url.username().is_empty() || url.password().is_some() {
        return refuse("must not contain a user name or password".to_owned());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return refuse("must not contain a query or fragment".to_owned());
    }
    match url.scheme() {
        "https" if url.host().is_some() => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => refuse(format!(
            "{raw:?} uses plain http:// to a host that is not loopback, which would send credentials in clear text; use https://"
        )),
        "https" => refuse(format!("{raw:?} has no host")),
        other => refuse(format!("scheme {other:?} is not supported; use https://")),
    }
}

/// Whether the URL's host is this machine: `localhost`, `127.0.0.0/8` or `::1`.
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_and_http_to_loopback_only() {
        for ok in [
            "https://api.pleo.io",
            "https://auth.pleo.io/oauth/token",
            "http://127.0.0.1:8080/oauth/token",
            "http://127.9.9.9",
            "http://localhost:1",
            "http://LOCALHOST",
            "http://[::1]:2/x",
        ] {
            credential_url("token_url", ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
    }

    #[test]
    fn everything_else_is_refused_naming_the_setting() {
        for bad in [
            "http://auth.pleo.io/oauth/token",
            "http://10.0.0.1",
            "http://[::ffff:127.0.0.1]",
            "http://0.0.0.0",
            "http://localhost.evil.example",
            "http://127.0.0.1.nip.io",
            "ftp://auth.pleo.io",
            "file:///etc/passwd",
            "ws://127.0.0.1",
            "data:text/plain,x",
            "https://user:pw@auth.pleo.io",
            "https://user@auth.pleo.io",
            "https://auth.pleo.io/token?x=1",
            "https://auth.pleo.io/token?",
            "https://auth.pleo.io/token#f",
            "not a url",
            "",
            "//auth.pleo.io",
            "https://",
            "https://user:PASSWORD@[bad",
        ] {
            let error = credential_url("token_url", bad).unwrap_err();
            assert_eq!(error.kind().as_str(), "invalid_argument", "{bad}");
            assert!(error.message().starts_with("token_url "), "{bad}: {error}");
            assert!(!error.message().contains("PASSWORD"), "{bad}: {error}");
        }
    }
}
