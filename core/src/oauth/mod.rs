//! OAuth 2.0 for Pleo: the code flow's authorisation URL with PKCE (S256), and sessions
//! whose rotating refresh tokens are refreshed by one thread at a time.

mod json;
mod pkce;
mod private_file;
pub(crate) mod session;
mod store;
pub(crate) mod token_endpoint;
mod tokens;

use std::time::Duration;

use reqwest::Url;
use reqwest::header::HeaderValue;

use crate::clock::{Clock, SystemClock, ThreadRandom};
use crate::credential_url::credential_url;
use crate::environment::{Environment, PRODUCTION_URL, STAGING_URL};
use crate::error::{Error, Result};
use crate::events::Events;
use crate::http::{self, HttpSettings};
use crate::runtime;
use crate::secret::Secret;
use token_endpoint::{ClientAuth, TokenContext};

pub use json::{FUNCTIONS, call_json};
pub use pkce::{code_challenge, new_code_verifier, validate_code_verifier};
pub use store::{
    CallbackFailure, CallbackTimeout, FileTokenStore, LockTimeout, StoreError, TokenStore,
    callback_deadline,
};
pub(crate) use tokens::OAuthConfig;
pub use tokens::{OAuthCredentials, OAuthTokens, TokensRefreshedHook};

/// Where Pleo's OAuth endpoints are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthEndpoints {
    /// Where users are sent to consent (`…/oauth/authorize`).
    pub authorize_url: String,
    /// Where codes and refresh tokens are exchanged (`…/oauth/token`).
    pub token_url: String,
}

impl OAuthEndpoints {
    /// The endpoints of a hosted environment.
    pub fn for_environment(environment: Environment) -> OAuthEndpoints {
        let host = match environment {
            Environment::Production => "https://auth.pleo.io",
            Environment::Staging => "https://auth.staging.pleo.io",
        };
        OAuthEndpoints::at(host)
    }

    /// The endpoints that go with an API base URL: Pleo's auth hosts for Pleo's API hosts,
    /// else the same host's `/oauth/...` (an emulator, a proxy).
    pub fn for_api_url(api_url: &str) -> OAuthEndpoints {
        match api_url.trim_end_matches('/') {
            PRODUCTION_URL => OAuthEndpoints::for_environment(Environment::Production),
            STAGING_URL => OAuthEndpoints::for_environment(Environment::Staging),
            other => OAuthEndpoints::at(other),
        }
    }

    /// The endpoints below `base` (e.g. the emulator's URL): `/oauth/authorize`, `/oauth/token`.
    pub fn at(base: &str) -> OAuthEndpoints {
        let base = base.trim_end_matches('/');
        OAuthEndpoints {
            authorize_url: format!("{base}/oauth/authorize"),
            token_url: format!("{base}/oauth/token"),
        }
    }
}

/// Where to send the user, and what to keep until they come back.
#[derive(Debug, Clone)]
pub struct AuthorizationUrl {
    /// The URL to open in the user's browser.
    pub url: String,
    /// The PKCE verifier: keep it server-side for the code exchange.
    pub code_verifier: Secret,
    /// The `state` sent; check that the callback echoes it (CSRF protection).
    pub state: String,
}

/// Builds the authorisation URL of the code flow with PKCE (S256) and a fresh verifier.
///
/// `state` is generated (22 random URL-safe characters) when `None`. Fails with
/// `invalid_argument` for an empty client id, a redirect URI that is not an absolute URL,
/// or a scope containing whitespace.
pub fn authorization_url(
    endpoints: &OAuthEndpoints,
    client_id: &str,
    redirect_uri: &str,
    scopes: &[&str],
    state: Option<&str>,
) -> Result<AuthorizationUrl> {
    check_client(client_id, redirect_uri)?;
    if let Some(scope) = scopes
        .iter()
        .find(|s| s.is_empty() || s.chars().any(char::is_whitespace))
    {
        return Err(Error::invalid_argument(format!(
            "scope {scope:?} is empty or contains whitespace; pass one scope per item"
        )));
    }
    let state = match state {
        Some("") => {
            return Err(Error::invalid_argument("state is empty"));
        }
        Some(state) => state.to_owned(),
        None => pkce::random_token(16)?,
    };
    let code_verifier = new_code_verifier()?;
    let mut url = credential_url("authorize_url", &endpoints.authorize_url)?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("scope", &scopes.join(" "))
        .append_pair("state", &state)
        .append_pair("code_challenge", &code_challenge(code_verifier.expose()))
        .append_pair("code_challenge_method", "S256");
    Ok(AuthorizationUrl {
        url: url.into(),
        code_verifier,
        state,
    })
}

/// Exchanges the authorisation code the callback received for tokens (server side only),
/// authenticating the client with HTTP Basic.
///
/// Pass the `code_verifier` of the [`AuthorizationUrl`] that started the flow and the same
/// `redirect_uri`. A rejected code, verifier or client is `reauthentication_required` (the
/// user must go through the flow again); unsent requests, 429 and 5xx are retried. Blocking:
/// do not call it from inside a tokio runtime.
pub fn exchange_code(
    endpoints: &OAuthEndpoints,
    client_id: &str,
    client_secret: &Secret,
    code: &str,
    code_verifier: &Secret,
    redirect_uri: &str,
) -> Result<OAuthTokens> {
    if code.is_empty() {
        return Err(Error::invalid_argument("code is empty"));
    }
    check_client(client_id, redirect_uri)?;
    validate_code_verifier(code_verifier.expose())?;
    let http = http::http_client(&HttpSettings {
        user_agent: HeaderValue::from_static(concat!(
            "pleo-installations-rust/",
            env!("CARGO_PKG_VERSION")
        )),
        connect_timeout: Duration::from_secs(5),
        extra_roots: Vec::new(),
        proxy: None,
    })?;
    let clock = SystemClock;
    let context = TokenContext {
        http: &http,
        clock: &clock,
        random: &ThreadRandom,
        max_retries: 2,
        timeout: Duration::from_secs(30),
        deadline: clock.now() + Duration::from_secs(90),
        events: &Events::default(),
    };
    let client = ClientAuth {
        token_url: &endpoints.token_url,
        client_id,
        client_secret,
    };
    runtime::block_on(token_endpoint::exchange(
        &context,
        &client,
        code,
        code_verifier,
        redirect_uri,
    ))?
}

/// The checks both steps of the code flow make: a client id and an absolute redirect URI.
fn check_client(client_id: &str, redirect_uri: &str) -> Result<()> {
    if client_id.trim().is_empty() {
        return Err(Error::invalid_argument("client_id is empty"));
    }
    Url::parse(redirect_uri).map_err(|e| {
        Error::invalid_argument(format!("redirect_uri {redirect_uri:?} is not a URL: {e}"))
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(url: &str) -> Vec<(String, String)> {
        Url::parse(url)
            .unwrap()
            .query_pairs()
            .into_owned()
            .collect()
    }

    #[test]
    fn the_url_carries_every_parameter_of_the_pkce_code_flow() {
        let endpoints = OAuthEndpoints::for_environment(Environment::Staging);
        let auth = authorization_url(
            &endpoints,
            "client-1",
            "https://app.example/callback?x=1",
            &["export:read", "export:write"],
            Some("s t&a"),
        )
        .unwrap();
        assert!(
            auth.url
                .starts_with("https://auth.staging.pleo.io/oauth/authorize?")
        );
        let pairs = query(&auth.url);
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("response_type"), Some("code"));
        assert_eq!(get("client_id"), Some("client-1"));
        assert_eq!(
            get("redirect_uri"),
            Some("https://app.example/callback?x=1")
        );
        assert_eq!(get("scope"), Some("export:read export:write"));
        assert_eq!(get("state"), Some("s t&a"));
        assert_eq!(get("code_challenge_method"), Some("S256"));
        let challenge = code_challenge(auth.code_verifier.expose());
        assert_eq!(get("code_challenge"), Some(challenge.as_str()));
        assert_eq!(auth.state, "s t&a");
        assert!(!format!("{auth:?}").contains(auth.code_verifier.expose()));
    }

    #[test]
    fn pleo_api_hosts_map_to_pleo_auth_hosts_and_others_to_themselves() {
        let production = OAuthEndpoints::for_api_url("https://external.pleo.io/");
        assert_eq!(production.token_url, "https://auth.pleo.io/oauth/token");
        let staging = OAuthEndpoints::for_api_url(STAGING_URL);
        assert_eq!(
            staging.authorize_url,
            "https://auth.staging.pleo.io/oauth/authorize"
        );
        let local = OAuthEndpoints::for_api_url("http://127.0.0.1:9");
        assert_eq!(local.token_url, "http://127.0.0.1:9/oauth/token");
    }

    #[test]
    fn state_and_verifier_are_fresh_and_random() {
        let endpoints = OAuthEndpoints::at("http://127.0.0.1:9/");
        let a = authorization_url(&endpoints, "c", "http://localhost/cb", &[], None).unwrap();
        let b = authorization_url(&endpoints, "c", "http://localhost/cb", &[], None).unwrap();
        assert!(a.url.starts_with("http://127.0.0.1:9/oauth/authorize?"));
        assert_eq!(a.state.len(), 22);
        assert_ne!(a.state, b.state);
        assert_ne!(a.code_verifier, b.code_verifier);
        validate_code_verifier(a.code_verifier.expose()).unwrap();
    }

    #[test]
    fn bad_arguments_are_named() {
        let endpoints = OAuthEndpoints::for_environment(Environment::Production);
        type Case<'a> = (&'a str, &'a str, &'a [&'a str], Option<&'a str>, &'a str);
        let cases: [Case; 4] = [
            ("", "https://a/cb", &[], None, "client_id"),
            ("c", "not a url", &[], None, "redirect_uri"),
            ("c", "https://a/cb", &["a b"], None, "scope"),
            ("c", "https://a/cb", &[], Some(""), "state"),
        ];
        for (client, redirect, scopes, state, named) in cases {
            let err = authorization_url(&endpoints, client, redirect, scopes, state).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidArgument);
            assert!(err.message().contains(named), "{err}");
        }
    }
}
