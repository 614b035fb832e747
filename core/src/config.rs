//! How a client is configured: the JSON configuration of every binding and the builder.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use log::{Level, LevelFilter};
use reqwest::header::HeaderValue;
use serde::Deserialize;

use crate::auth::Credential;
use crate::clock::{Clock, MAX_TIMEOUT, Random, SystemClock, ThreadRandom};
use crate::credential_url::credential_url;
use crate::environment::Environment;
use crate::error::{Error, Result};
use crate::events::{Events, LogSink};
use crate::http::{self, HttpSettings};
use crate::oauth::session::OAuthSession;
use crate::oauth::{
    OAuthConfig, OAuthCredentials, OAuthEndpoints, OAuthTokens, TokenStore, TokensRefreshedHook,
};
use crate::settings::Settings;
use crate::tls;

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const DEFAULT_TOTAL_TIMEOUT: Duration = Duration::from_secs(90);
const DEFAULT_MAX_RETRIES: u32 = 2;
/// The largest accepted `max_retries`.
pub const MAX_RETRIES_LIMIT: u32 = 10;

/// A client's configuration, as the JSON object every binding accepts.
///
/// Unknown keys are an error. Exactly one credential must be set.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Config {
    /// Any base URL (`https://`, or `http://` to a loopback host); excludes `environment`.
    pub base_url: Option<String>,
    /// A hosted environment; production when neither this nor `base_url` is set.
    pub environment: Option<Environment>,
    /// An API key, sent as HTTP Basic user name.
    pub api_key: Option<String>,
    /// A static OAuth access token, sent as `Bearer`.
    pub access_token: Option<String>,
    /// OAuth credentials refreshed as they expire: `client_id`, `client_secret`,
    /// `access_token`, `refresh_token`, `expires_at` (RFC 3339) or `expires_in` (seconds),
    /// `token_url`. Set from Rust with [`ClientBuilder::oauth`].
    #[serde(default)]
    pub(crate) oauth: Option<OAuthConfig>,
    /// The limit for one attempt, in milliseconds (default 30 000).
    pub timeout_ms: Option<u64>,
    /// The limit for establishing a connection, in milliseconds (default 5 000).
    pub connect_timeout_ms: Option<u64>,
    /// The limit for a whole call across all attempts and waits, in milliseconds (default 90 000).
    pub total_timeout_ms: Option<u64>,
    /// How many times a failed attempt may be repeated (default 2, at most 10).
    pub max_retries: Option<u32>,
    /// The application's name (and version), appended to the SDK's `User-Agent`.
    pub user_agent: Option<String>,
    /// CA certificates trusted beside the system's, as PEM: the text, or the path of a file.
    pub ca_bundle: Option<String>,
    /// The proxy `https` requests go through (`http://host:port`, user-info allowed); by
    /// default `HTTPS_PROXY` or `ALL_PROXY`. `NO_PROXY` is honoured either way, and plain
    /// `http` requests (loopback only) never use a proxy.
    pub proxy: Option<String>,
}

impl Config {
    /// Parses the JSON configuration; names the offending key or value on failure.
    pub fn from_json(json: &str) -> Result<Config> {
        // serde quotes a string of the wrong type, which may be a secret in the wrong key.
        let invalid = |e: &dyn fmt::Display| {
            Error::invalid_argument(format!(
                "invalid configuration JSON: {}",
                without_quoted_strings(&e.to_string())
            ))
        };
        let value: serde_json::Value = serde_json::from_str(json).map_err(|e| invalid(&e))?;
        serde_path_to_error::deserialize(value).map_err(|e| invalid(&e))
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |set: bool| if set { Some("[REDACTED]") } else { None };
        f.debug_struct("Config")
            .field("base_url", &self.base_url)
            .field("environment", &self.environment)
            .field("api_key", &redacted(self.api_key.is_some()))
            .field("access_token", &redacted(self.access_token.is_some()))
            .field("oauth", &self.oauth)
            .field("timeout_ms", &self.timeout_ms)
            .field("connect_timeout_ms", &self.connect_timeout_ms)
            .field("total_timeout_ms", &self.total_timeout_ms)
            .field("max_retries", &self.max_retries)
            .field("user_agent", &self.user_agent)
            .field("ca_bundle", &self.ca_bundle.as_ref().map(|_| "[SET]"))
            // A proxy URL may carry a password.
            .field("proxy", &redacted(self.proxy.is_some()))
            .finish()
    }
}

/// What a client is built from: its settings, clock and randomness.
pub(crate) type Parts = (Settings, Arc<dyn Clock>, Arc<dyn Random>);

/// Builds a [`Client`]; every setting is checked by [`ClientBuilder::build`].
#[derive(Clone)]
pub struct ClientBuilder {
    config: Config,
    oauth: Option<OAuthCredentials>,
    on_tokens_refreshed: Option<TokensRefreshedHook>,
    token_store: Option<Arc<dyn TokenStore>>,
    components: Vec<String>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn Random>,
    events: Events,
}

impl Default for ClientBuilder {
    fn default() -> ClientBuilder {
        ClientBuilder::from_config(Config::default())
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("config", &self.config)
            .field("oauth", &self.oauth)
            .field("components", &self.components)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// A builder starting from `config`.
    pub fn from_config(config: Config) -> ClientBuilder {
        ClientBuilder {
            config,
            oauth: None,
            on_tokens_refreshed: None,
            token_store: None,
            components: Vec::new(),
            clock: Arc::new(SystemClock),
            random: Arc::new(ThreadRandom),
            events: Events::default(),
        }
    }

    /// A builder starting from the JSON configuration of the bindings.
    pub fn from_json(json: &str) -> Result<ClientBuilder> {
        Config::from_json(json).map(ClientBuilder::from_config)
    }

    /// Fills what the configuration leaves unset from the environment, as the Python and
    /// Node clients do: with no credential, `PLEO_API_KEY` or else `PLEO_ACCESS_TOKEN`;
    /// with neither `base_url` nor `environment`, `PLEO_BASE_URL`. Empty variables count as
    /// unset.
    pub fn env_fallbacks(self) -> ClientBuilder {
        self.fallbacks(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    fn fallbacks(mut self, var: impl Fn(&str) -> Option<String>) -> ClientBuilder {
        let config = &mut self.config;
        if config.api_key.is_none()
            && config.access_token.is_none()
            && config.oauth.is_none()
            && self.oauth.is_none()
        {
            config.api_key = var("PLEO_API_KEY");
            if config.api_key.is_none() {
                config.access_token = var("PLEO_ACCESS_TOKEN");
            }
        }
        if config.base_url.is_none() && config.environment.is_none() {
            config.base_url = var("PLEO_BASE_URL");
        }
        self
    }

    /// Uses `base_url` instead of a hosted environment.
    pub fn base_url(mut self, base_url: impl Into<String>) -> ClientBuilder {
        self.config.base_url = Some(base_url.into());
        self
    }

    /// Uses a hosted environment.
    pub fn environment(mut self, environment: Environment) -> ClientBuilder {
        self.config.environment = Some(environment);
        self
    }

    /// Authenticates with an API key.
    pub fn api_key(mut self, api_key: impl Into<String>) -> ClientBuilder {
        self.config.api_key = Some(api_key.into());
        self
    }

    /// Authenticates with a static OAuth access token.
    pub fn access_token(mut self, access_token: impl Into<String>) -> ClientBuilder {
        self.config.access_token = Some(access_token.into());
        self
    }

    /// Authenticates with OAuth tokens, refreshed before they expire and after a 401.
    pub fn oauth(mut self, credentials: OAuthCredentials) -> ClientBuilder {
        self.oauth = Some(credentials);
        self
    }

    /// Runs `hook` after each successful refresh, before the new access token is used:
    /// persist both tokens there (Pleo's refresh tokens rotate). See [`TokensRefreshedHook`].
    pub fn on_tokens_refreshed(
        mut self,
        hook: impl Fn(&OAuthTokens) -> std::result::Result<(), Box<dyn std::error::Error + Send + Sync>>
        + Send
        + Sync
        + 'static,
    ) -> ClientBuilder {
        self.on_tokens_refreshed = Some(Arc::new(hook));
        self
    }

    /// Shares the OAuth tokens with other processes through `store`: one of them refreshes,
    /// the others use what it stored. See [`TokenStore`].
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> ClientBuilder {
        self.token_store = Some(store);
        self
    }

    /// Limits one attempt.
    pub fn timeout(mut self, timeout: Duration) -> ClientBuilder {
        self.config.timeout_ms = Some(millis(timeout));
        self
    }

    /// Limits establishing a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> ClientBuilder {
        self.config.connect_timeout_ms = Some(millis(timeout));
        self
    }

    /// Limits a whole call, across all attempts and the waits between them.
    pub fn total_timeout(mut self, timeout: Duration) -> ClientBuilder {
        self.config.total_timeout_ms = Some(millis(timeout));
        self
    }

    /// How many times a failed attempt may be repeated; 0 makes one attempt only.
    pub fn max_retries(mut self, max_retries: u32) -> ClientBuilder {
        self.config.max_retries = Some(max_retries);
        self
    }

    /// The application's name (and version), appended to the SDK's `User-Agent`.
    pub fn user_agent(mut self, application: impl Into<String>) -> ClientBuilder {
        self.config.user_agent = Some(application.into());
        self
    }

    /// Trusts these CA certificates beside the system's: PEM text, or the path of a PEM file.
    pub fn ca_bundle(mut self, pem_or_path: impl Into<String>) -> ClientBuilder {
        self.config.ca_bundle = Some(pem_or_path.into());
        self
    }

    /// Sends `https` requests through this proxy (`NO_PROXY` honoured).
    pub fn proxy(mut self, url: impl Into<String>) -> ClientBuilder {
        self.config.proxy = Some(url.into());
        self
    }

    /// Adds a `name/version` product token after the core's own, for language bindings.
    pub fn sdk_component(mut self, token: impl Into<String>) -> ClientBuilder {
        self.components.push(token.into());
        self
    }

    /// Replaces the clock (for tests: deadlines and backoff without real waiting).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> ClientBuilder {
        self.clock = clock;
        self
    }

    /// Replaces the source of the backoff's random factor.
    pub fn random(mut self, random: Arc<dyn Random>) -> ClientBuilder {
        self.random = random;
        self
    }

    /// Sends this client's events (attempt, retry, give-up, refresh) up to `max_level` to
    /// `sink` as well as to the `log` facade, on whichever thread emits them. The sink must
    /// return quickly: a call waits for it.
    pub fn log_sink(
        mut self,
        max_level: LevelFilter,
        sink: impl Fn(Level, &str) + Send + Sync + 'static,
    ) -> ClientBuilder {
        let sink: LogSink = Arc::new(sink);
        self.events = Events::with_sink(max_level, sink);
        self
    }

    /// The checked settings, with the clock and randomness, that a client is built from.
    pub(crate) fn into_parts(self) -> Result<Parts> {
        Ok((self.settings()?, self.clock, self.random))
    }

    fn settings(&self) -> Result<Settings> {
        let config = &self.config;
        let base_url = base_url(config)?;
        let total_timeout = duration(
            "total_timeout_ms",
            config.total_timeout_ms,
            DEFAULT_TOTAL_TIMEOUT,
        )?;
        Ok(Settings {
            credential: self.credential(&base_url, total_timeout)?,
            base_url,
            timeout: duration("timeout_ms", config.timeout_ms, DEFAULT_TIMEOUT)?,
            total_timeout,
            max_retries: max_retries(config.max_retries)?,
            http: HttpSettings {
                user_agent: self.user_agent_header()?,
                connect_timeout: duration(
                    "connect_timeout_ms",
                    config.connect_timeout_ms,
                    DEFAULT_CONNECT_TIMEOUT,
                )?,
                extra_roots: match &config.ca_bundle {
                    Some(bundle) => tls::parse_bundle(bundle)?,
                    None => Vec::new(),
                },
                proxy: config.proxy.as_deref().map(http::proxy).transpose()?,
            },
            events: self.events.clone(),
        })
    }

    /// The one credential configured; an OAuth session's token URL follows `base_url`,
    /// and its store lock is waited for at most `total_timeout`.
    fn credential(&self, base_url: &str, total_timeout: Duration) -> Result<Credential> {
        let config = &self.config;
        let from_json = match &config.oauth {
            Some(oauth) => Some(oauth.credentials(self.clock.wall())?),
            None => None,
        };
        let oauth = match (from_json, &self.oauth) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid_argument(
                    "oauth is set twice: in the configuration and with ClientBuilder::oauth",
                ));
            }
            (json, built) => json.or_else(|| built.clone()),
        };
        let set = [
            config.api_key.is_some(),
            config.access_token.is_some(),
            oauth.is_some(),
        ];
        match set.iter().filter(|s| **s).count() {
            0 => {
                return Err(Error::invalid_argument(
                    "no credential: set exactly one of api_key, access_token or oauth",
                ));
            }
            1 => {}
            _ => {
                return Err(Error::invalid_argument(
                    "more than one credential: set exactly one of api_key, access_token or oauth",
                ));
            }
        }
        if oauth.is_none() && (self.on_tokens_refreshed.is_some() || self.token_store.is_some()) {
            return Err(Error::invalid_argument(
                "a tokens-refreshed hook and a token store need an OAuth credential: they would never be called",
            ));
        }
        if let Some(key) = &config.api_key {
            return Credential::api_key(key);
        }
        if let Some(token) = &config.access_token {
            return Credential::access_token(token);
        }
        let credentials = oauth.expect("exactly one credential is set");
        let token_url = credentials
            .token_url
            .clone()
            .unwrap_or_else(|| OAuthEndpoints::for_api_url(base_url).token_url);
        let session = OAuthSession::new(
            credentials,
            token_url,
            self.on_tokens_refreshed.clone(),
            self.token_store.clone(),
            self.clock.wall(),
            total_timeout,
        )?;
        Ok(Credential::OAuth(Arc::new(session)))
    }

    fn user_agent_header(&self) -> Result<HeaderValue> {
        let mut tokens = vec![format!("pleo-installations-rust/{}", crate::VERSION)];
        tokens.extend(self.components.iter().cloned());
        if let Some(application) = &self.config.user_agent {
            if application.trim().is_empty() {
                return Err(Error::invalid_argument("user_agent is empty"));
            }
            tokens.push(application.trim().to_owned());
        }
        let value = tokens.join(" ");
        if !value.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            return Err(Error::invalid_argument(
                "user_agent must be printable ASCII (no control characters)",
            ));
        }
        HeaderValue::from_str(&value)
            .map_err(|_| Error::invalid_argument("user_agent is not a valid header value"))
    }
}

/// `text` with each `string "…"` of a serde message replaced by `a string`.
fn without_quoted_strings(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("string \"") {
        out.push_str(&rest[..start]);
        out.push_str("a string");
        let quoted = &rest[start + "string \"".len()..];
        let mut escaped = false;
        let end = quoted
            .char_indices()
            .find(|&(_, c)| {
                let closes = c == '"' && !escaped;
                escaped = c == '\\' && !escaped;
                closes
            })
            .map_or(quoted.len(), |(i, _)| i + 1);
        rest = &quoted[end..];
    }
    out.push_str(rest);
    out
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

fn duration(name: &str, millis: Option<u64>, default: Duration) -> Result<Duration> {
    let Some(millis) = millis else {
        return Ok(default);
    };
    let value = Duration::from_millis(millis);
    if millis == 0 || value > MAX_TIMEOUT {
        return Err(Error::invalid_argument(format!(
            "{name} must be between 1 and {} milliseconds, got {millis}",
            MAX_TIMEOUT.as_millis()
        )));
    }
    Ok(value)
}

fn max_retries(value: Option<u32>) -> Result<u32> {
    match value {
        None => Ok(DEFAULT_MAX_RETRIES),
        Some(n) if n <= MAX_RETRIES_LIMIT => Ok(n),
        Some(n) => Err(Error::invalid_argument(format!(
            "max_retries must be at most {MAX_RETRIES_LIMIT}, got {n}"
        ))),
    }
}

/// The base URL without a trailing slash, checked by [`credential_url`].
fn base_url(config: &Config) -> Result<String> {
    let raw = match (&config.base_url, config.environment) {
        (Some(_), Some(_)) => {
            return Err(Error::invalid_argument(
                "set either base_url or environment, not both",
            ));
        }
        (Some(url), None) => url.as_str(),
        (None, environment) => return Ok(environment.unwrap_or_default().base_url().to_owned()),
    };
    let url = credential_url("base_url", raw)?;
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::environment::{PRODUCTION_URL, STAGING_URL};

    fn builder(json: &str) -> Result<Settings> {
        ClientBuilder::from_json(json)?.settings()
    }

    /// The configuration after the fallbacks, with these variables set.
    fn with_vars(json: &str, vars: &[(&str, &str)]) -> Config {
        let builder = ClientBuilder::from_json(json).unwrap();
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        builder
            .fallbacks(|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
            .config
    }

    #[test]
    fn the_environment_fills_only_what_is_unset() {
        let all = [
            ("PLEO_API_KEY", "env-key"),
            ("PLEO_ACCESS_TOKEN", "env-token"),
            ("PLEO_BASE_URL", "http://127.0.0.1:1"),
        ];
        let filled = with_vars("{}", &all);
        assert_eq!(filled.api_key.as_deref(), Some("env-key"));
        assert_eq!(filled.access_token, None, "the API key wins over the token");
        assert_eq!(filled.base_url.as_deref(), Some("http://127.0.0.1:1"));

        let token = with_vars("{}", &all[1..]);
        assert_eq!(token.access_token.as_deref(), Some("env-token"));

        let explicit = with_vars(
            r#"{"access_token": "t", "environment": "production"}"#,
            &all,
        );
        assert_eq!(explicit.api_key, None);
        assert_eq!(explicit.access_token.as_deref(), Some("t"));
        assert_eq!(explicit.base_url, None, "an explicit environment is kept");
    }

    #[test]
    fn hooks_without_oauth_are_refused() {
        let err = ClientBuilder::from_json(r#"{"api_key": "k"}"#)
            .unwrap()
            .on_tokens_refreshed(|_| Ok(()))
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidArgument);
        assert!(err.message().contains("need an OAuth credential"), "{err}");
    }

    #[test]
    fn defaults_are_production_with_bounded_timeouts() {
        let settings = builder(r#"{"api_key": "k"}"#).unwrap();
        assert_eq!(settings.base_url, PRODUCTION_URL);
        assert_eq!(settings.timeout, Duration::from_secs(30));
        assert_eq!(settings.http.connect_timeout, Duration::from_secs(5));
        assert_eq!(settings.total_timeout, Duration::from_secs(90));
        assert_eq!(settings.max_retries, 2);
        let ua = settings.http.user_agent.to_str().unwrap();
        assert_eq!(ua, format!("pleo-installations-rust/{}", crate::VERSION));
    }

    #[test]
    fn staging_and_custom_urls() {
        let staging = builder(r#"{"api_key": "k", "environment": "staging"}"#).unwrap();
        assert_eq!(staging.base_url, STAGING_URL);
        let local = builder(r#"{"api_key": "k", "base_url": "http://127.0.0.1:8080/"}"#).unwrap();
        assert_eq!(local.base_url, "http://127.0.0.1:8080");
        for ok in [
            "http://localhost:1",
            "http://[::1]:2",
            "https://proxy.example/pleo/",
        ] {
            let json = format!(r#"{{"api_key": "k", "base_url": "{ok}"}}"#);
            assert!(builder(&json).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_plain_http_to_remote_hosts_and_odd_urls() {
        for bad in [
            "http://external.pleo.io",
            "http://10.0.0.1",
            "ftp://127.0.0.1",
            "https://user:pw@host",
            "https://host/?q=1",
            "not a url",
        ] {
            let json = format!(r#"{{"api_key": "k", "base_url": "{bad}"}}"#);
            let err = builder(&json).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidArgument, "{bad}");
            assert!(err.message().contains("base_url"), "{bad}: {err}");
        }
    }

    #[test]
    fn rejects_unknown_keys_and_bad_values_naming_them() {
        let cases = [
            (r#"{"api_key": "k", "apikey": "x"}"#, "apikey"),
            (r#"{"api_key": "k", "environment": "prod"}"#, "prod"),
            (r#"{"api_key": "k", "timeout_ms": 0}"#, "timeout_ms"),
            (
                r#"{"api_key": "k", "total_timeout_ms": 999999999999}"#,
                "total_timeout_ms",
            ),
            (r#"{"api_key": "k", "max_retries": 11}"#, "max_retries"),
            (
                r#"{"api_key": "k", "max_retries": -1}"#,
                "max_retries: invalid",
            ),
            (
                r#"{"api_key": "k", "timeout_ms": "5"}"#,
                "timeout_ms: invalid type",
            ),
            (
                r#"{"oauth": {"client_id": "c", "client_secret": 1}}"#,
                "oauth.client_secret",
            ),
            (r#"{"api_key": "k", "user_agent": "a\nb"}"#, "user_agent"),
            (r#"{}"#, "no credential"),
            (r#"{"api_key": "k", "access_token": "t"}"#, "more than one"),
            (
                r#"{"api_key": "k", "environment": "staging", "base_url": "https://x"}"#,
                "either",
            ),
            ("[1]", "configuration"),
            (
                r#"{"api_key": "k", "timeout_ms": "SECRET-xyz \" more"}"#,
                "timeout_ms: invalid type: a string, expected",
            ),
            ("{", "configuration"),
        ];
        for (json, named) in cases {
            let err = builder(json).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidArgument, "{json}");
            assert!(err.message().contains(named), "{json}: {err}");
            assert!(!err.message().contains("SECRET"), "{json}: {err}");
        }
    }

    #[test]
    fn user_agent_appends_components_then_the_application() {
        let settings =
            ClientBuilder::from_json(r#"{"api_key": "k", "user_agent": "erp-sync/2.1"}"#)
                .unwrap()
                .sdk_component("pleo-installations-python/0.1.0")
                .settings()
                .unwrap();
        assert_eq!(
            settings.http.user_agent.to_str().unwrap(),
            format!(
                "pleo-installations-rust/{} pleo-installations-python/0.1.0 erp-sync/2.1",
                crate::VERSION
            )
        );
    }

    #[test]
    fn debug_redacts_credentials() {
        let config = Config::from_json(r#"{"api_key": "sekret-key"}"#).unwrap();
        let builder = ClientBuilder::from_config(config.clone());
        let shown = format!("{config:?} {builder:?} {:?}", builder.settings().unwrap());
        assert!(!shown.contains("sekret"), "{shown}");
    }
}
