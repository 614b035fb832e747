//! A stateful emulator of Pleo's Installations API (`https://external.pleo.io`), for
//! running clients and their tests offline.
//!
//! It serves the seven operations of the spec on `127.0.0.1`, keeps installations per
//! client and company with Pleo's lifecycle rules, checks `Authorization` (API key as
//! Basic user name, or Bearer token), records every request in a journal, and injects
//! faults (error statuses with `Retry-After`, delays, dropped connections, malformed
//! bodies) on demand. It also plays Pleo's OAuth 2.0 authorization server
//! (`/oauth/authorize`, `/oauth/token`: authorization code with PKCE S256, rotating refresh
//! tokens) with a clock tests can move. Every [`MockServer`] is independent; starting one takes
//! milliseconds; dropping it stops it.
//!
//! ```
//! use pleo_installations_mock::{Fault, MockServer};
//!
//! let server = MockServer::start().unwrap();
//! println!("emulator at {} with API key {}", server.url(), server.api_key());
//! server.seed_installation(&server.api_key(), None, "AUTHORIZED");
//! server.push_fault(Fault::status(503).with_retry_after("1"));
//! // ... point a client at server.url() ...
//! assert!(server.journal().is_empty());
//! ```
//!
//! The same controls are available as JSON under `/__mock/` (see the README's "Admin HTTP
//! API"): over HTTP, for an emulator running in another process (`pleo-installations mock
//! --port 8080`), and in-process through [`MockServer::admin_json`].

mod admin;
mod config;
mod credentials;
mod emulator;
mod error;
mod faults;
mod journal;
mod models;
mod oauth;
mod operation;
mod response;
mod routes;
mod server;
mod state;

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use uuid::Uuid;

pub use config::{
    DEFAULT_JOURNAL_BODY_BYTES, DEFAULT_JOURNAL_LIMIT, DEFAULT_JOURNAL_MAX_BYTES,
    DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CONNECTIONS, DEFAULT_READ_TIMEOUT, MockConfig,
};
pub use credentials::{
    CredentialKind, DEFAULT_ACCESS_TOKEN, DEFAULT_API_KEY, DEFAULT_COMPANY_ID, DEFAULT_SCOPE,
    MockCredential,
};
pub use error::MockError;
pub use faults::{Fault, MALFORMED_BODY};
pub use journal::{JournalStats, RecordedRequest};
pub use oauth::{
    Consent, DEFAULT_ACCESS_TOKEN_LIFETIME, DEFAULT_OAUTH_CLIENT_ID, DEFAULT_OAUTH_CLIENT_SECRET,
    DEFAULT_OAUTH_REDIRECT_URI, MockOAuthClient,
};
pub use operation::{OAUTH_OPERATION_IDS, OPERATION_IDS};
pub use state::SeedInstallation;

use emulator::Emulator;
use server::Running;

/// A running emulator. Dropping it (or [`shutdown`](MockServer::shutdown)) stops it: the
/// port is closed and every open connection is cut, even one in the middle of a delay.
pub struct MockServer {
    emulator: Arc<Emulator>,
    running: Running,
}

impl MockServer {
    /// Starts an emulator on `127.0.0.1` on a free port with the default credentials
    /// ([`DEFAULT_API_KEY`] and [`DEFAULT_ACCESS_TOKEN`]).
    pub fn start() -> std::io::Result<MockServer> {
        MockServer::start_with(MockConfig::default())
    }

    /// Starts an emulator with this configuration.
    pub fn start_with(config: MockConfig) -> std::io::Result<MockServer> {
        let emulator = Arc::new(Emulator::new(&config));
        let running = Running::start(&config, emulator.clone())?;
        emulator.set_url(format!("http://{}", running.addr()));
        Ok(MockServer { emulator, running })
    }

    /// The base URL, e.g. `http://127.0.0.1:41234` (no trailing slash).
    pub fn url(&self) -> String {
        self.emulator.url().to_owned()
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.running.addr()
    }

    /// The first API key it accepts ([`DEFAULT_API_KEY`] by default; empty if it accepts none).
    pub fn api_key(&self) -> String {
        self.first_secret(CredentialKind::ApiKey)
    }

    /// The first bearer token it accepts ([`DEFAULT_ACCESS_TOKEN`] by default; empty if it
    /// accepts none).
    pub fn access_token(&self) -> String {
        self.first_secret(CredentialKind::Bearer)
    }

    fn first_secret(&self, kind: CredentialKind) -> String {
        self.emulator.first_secret(kind)
    }

    /// Every credential it accepts.
    pub fn credentials(&self) -> Vec<MockCredential> {
        self.emulator.credentials().all().to_vec()
    }

    /// Accepts one more credential from now on (replacing one of the same kind and secret).
    pub fn add_credential(&self, credential: MockCredential) {
        self.emulator.credentials().add(credential);
    }

    /// Accepts `key` as another API key of the first API-key client (the same client,
    /// company and installations as [`api_key`](MockServer::api_key)).
    pub fn add_api_key(&self, key: &str) {
        self.add_alias(CredentialKind::ApiKey, key);
    }

    /// Accepts `token` as another bearer token of the first bearer client (the same client,
    /// company and installations as [`access_token`](MockServer::access_token)).
    pub fn add_access_token(&self, token: &str) {
        self.add_alias(CredentialKind::Bearer, token);
    }

    fn add_alias(&self, kind: CredentialKind, secret: &str) {
        let mut store = self.emulator.credentials();
        let mut credential = store.first(kind).cloned().unwrap_or_else(|| match kind {
            CredentialKind::ApiKey => MockCredential::default_api_key(),
            CredentialKind::Bearer => MockCredential::default_access_token(),
        });
        credential.secret = secret.to_owned();
        store.add(credential);
    }

    /// Queues a fault; queued faults are used in FIFO order (see [`Fault`]).
    pub fn push_fault(&self, fault: Fault) {
        self.emulator.faults().push(fault);
    }

    /// Forgets every queued fault.
    pub fn clear_faults(&self) {
        self.emulator.faults().clear();
    }

    /// How many faults are still queued (a fault with `times(n)` counts once).
    pub fn pending_faults(&self) -> usize {
        self.emulator.faults().len()
    }

    /// The API requests received so far, oldest first (admin requests are not recorded),
    /// within the journal's bounds ([`MockConfig::journal_limit`],
    /// [`MockConfig::journal_max_bytes`], [`MockConfig::journal_body_bytes`]).
    ///
    /// The lock is held only to take a snapshot; the copy is made after releasing it, so
    /// that the server keeps answering meanwhile.
    pub fn journal(&self) -> Vec<RecordedRequest> {
        let snapshot = self.emulator.journal().snapshot();
        snapshot.to_vec()
    }

    /// How much the journal holds and has dropped or cut (see [`JournalStats`]).
    pub fn journal_stats(&self) -> JournalStats {
        self.emulator.journal().stats()
    }

    /// Forgets the recorded requests.
    pub fn clear_journal(&self) {
        self.emulator.journal().clear();
    }

    /// Forgets every installation, queued fault and recorded request, and every OAuth
    /// code, issued token, counter and clock offset. Credentials and OAuth clients stay.
    pub fn reset(&self) {
        self.emulator.reset();
    }

    /// Puts an installation in place directly, replacing any of the same client and
    /// company, and returns it as the API would (`InstallationResponse` JSON).
    ///
    /// `credential` is the secret (API key or token) of the owning client; `company_id`
    /// defaults to the credential's company; `status` may be any non-empty string,
    /// including one the spec does not list.
    ///
    /// # Panics
    /// If the credential is unknown or the status empty; [`seed`](MockServer::seed) returns
    /// an error instead.
    pub fn seed_installation(
        &self,
        credential: &str,
        company_id: Option<Uuid>,
        status: &str,
    ) -> Value {
        let mut seed = SeedInstallation::new(credential, status);
        seed.company_id = company_id;
        match self.seed(seed) {
            Ok(installation) => installation,
            Err(e) => panic!("seed_installation: {e}"),
        }
    }

    /// Puts an installation in place directly (see [`SeedInstallation`]); returns it as
    /// the API would.
    pub fn seed(&self, seed: SeedInstallation) -> Result<Value, MockError> {
        self.emulator.seed(&seed)
    }

    /// The installation of `credential`'s client in `company_id` (by default the
    /// credential's company), as the API would return it. `credential` may also be a
    /// valid access token issued by `/oauth/token`.
    pub fn installation(&self, credential: &str, company_id: Option<Uuid>) -> Option<Value> {
        let (_, installation) = self.emulator.installation_of(credential, company_id)?;
        Some(installation)
    }

    /// The first OAuth client ([`MockOAuthClient::default_client`] by default).
    ///
    /// # Panics
    /// If the emulator was configured without OAuth clients.
    pub fn oauth_client(&self) -> MockOAuthClient {
        self.emulator
            .oauth()
            .clients()
            .first()
            .cloned()
            .expect("the emulator has no OAuth client (MockConfig::oauth_clients is empty)")
    }

    /// Every OAuth client it accepts.
    pub fn oauth_clients(&self) -> Vec<MockOAuthClient> {
        self.emulator.oauth().clients().to_vec()
    }

    /// Accepts one more OAuth client from now on (replacing one with the same client id).
    pub fn add_oauth_client(&self, client: MockOAuthClient) {
        self.emulator.oauth().add_client(client);
    }

    /// The authorization endpoint, `<url>/oauth/authorize`.
    pub fn authorize_url(&self) -> String {
        format!("{}/oauth/authorize", self.url())
    }

    /// The token endpoint, `<url>/oauth/token`.
    pub fn token_url(&self) -> String {
        format!("{}/oauth/token", self.url())
    }

    /// Plays the user's browser on the consent page: answers what `GET authorize_url` would
    /// (directly, not journaled, no faults) and reads the redirect to the client's callback.
    /// Fails, naming the OAuth `error` and its description, when the page answers without a
    /// redirect or redirects with an `error`.
    pub fn consent(&self, authorize_url: &str) -> Result<Consent, MockError> {
        self.emulator.consent(authorize_url)
    }

    /// Mints a new token family for `client_id` as if its code exchange had just
    /// succeeded (the installation is created as the flow would), skipping the browser
    /// step; returns `(access_token, refresh_token)`.
    ///
    /// # Panics
    /// If no OAuth client has this id; [`try_issue_tokens`](MockServer::try_issue_tokens)
    /// returns an error instead.
    pub fn issue_tokens(&self, client_id: &str) -> (String, String) {
        match self.try_issue_tokens(client_id) {
            Ok(tokens) => tokens,
            Err(e) => panic!("issue_tokens: {e}"),
        }
    }

    /// [`issue_tokens`](MockServer::issue_tokens), failing when no OAuth client has this id.
    pub fn try_issue_tokens(&self, client_id: &str) -> Result<(String, String), MockError> {
        let issued = self.emulator.issue_tokens(Some(client_id))?;
        Ok((issued.access_token, issued.refresh_token))
    }

    /// Moves the emulator's clock forward by `by` (for token and code expiry only), so
    /// tests need no sleeps. Offsets add up; [`reset`](MockServer::reset) clears them.
    pub fn advance_clock(&self, by: Duration) {
        self.emulator.oauth().advance_clock(by);
    }

    /// Makes every access token issued so far expire now (refresh tokens stay valid).
    pub fn expire_access_tokens(&self) {
        self.emulator.oauth().expire_access_tokens();
    }

    /// How many requests `POST /oauth/token` received (whatever their outcome, faulted
    /// ones included).
    pub fn token_requests(&self) -> usize {
        self.emulator.oauth().token_requests()
    }

    /// How many `refresh_token` grants succeeded.
    pub fn refresh_count(&self) -> usize {
        self.emulator.oauth().refreshes()
    }

    /// The admin API (the README's "Admin HTTP API") without HTTP, as the `testing` modules of the
    /// Python and Node SDKs use it: `method` and `path` (`/__mock/...`, a query string
    /// allowed) as one would send them, `body` the request's JSON (`""` for none). Returns
    /// the JSON the HTTP API answers with `200`; where it would answer an error, returns
    /// that error's message. Nothing is journaled and no fault applies.
    ///
    /// ```
    /// # let server = pleo_installations_mock::MockServer::start().unwrap();
    /// server.admin_json("POST", "/__mock/faults", r#"{"status": 503, "times": 2}"#).unwrap();
    /// assert_eq!(server.pending_faults(), 1);
    /// assert!(server.admin_json("POST", "/__mock/faults", r#"{"status": "x"}"#).is_err());
    /// ```
    pub fn admin_json(&self, method: &str, path: &str, body: &str) -> Result<String, MockError> {
        let method = hyper::Method::from_bytes(method.as_bytes())
            .map_err(|_| MockError::new(format!("{method:?} is not an HTTP method")))?;
        let (path, query) = match path.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (path, None),
        };
        if !admin::is_admin(path) {
            return Err(MockError::new(format!(
                "{path:?} is not an admin path: admin paths start with {}/",
                admin::PREFIX
            )));
        }
        let answer = admin::dispatch(&self.emulator, &method, path, query, body.as_bytes())
            .map_err(|refused| MockError::new(refused.message))?;
        String::from_utf8(answer.into_bytes())
            .map_err(|_| MockError::new("the admin answer was not UTF-8"))
    }

    /// Stops the emulator now (as dropping it does).
    pub fn shutdown(mut self) {
        self.running.stop();
    }
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer")
            .field("url", &self.url())
            .finish_non_exhaustive()
    }
}
