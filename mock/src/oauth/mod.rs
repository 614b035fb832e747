//! OAuth 2.0: `GET /oauth/authorize` (authorization code with PKCE S256, automatic
//! consent) and `POST /oauth/token` (`authorization_code` and rotating `refresh_token`
//! grants), and the access tokens they issue.
//!
//! [`OAuth`] holds everything: the clients, the pending authorization codes, the issued
//! tokens ([`tokens`]), the movable clock and the counters.

mod client;
pub(crate) mod endpoints;
pub(crate) mod pkce;
pub(crate) mod tokens;

use std::collections::HashMap;
use std::time::{Duration, Instant};

pub use client::{
    DEFAULT_OAUTH_CLIENT_ID, DEFAULT_OAUTH_CLIENT_SECRET, DEFAULT_OAUTH_REDIRECT_URI,
    MockOAuthClient,
};

use crate::credentials::MockCredential;
use tokens::{AccessCheck, Issued, Tokens};

/// What the client's callback receives after the user consented (serialised as
/// `{callback, code, state}`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Consent {
    /// The whole callback URL the browser was redirected to.
    pub callback: String,
    /// The authorisation code, for the code exchange.
    pub code: String,
    /// The `state` echoed back, if one was sent.
    pub state: Option<String>,
}

/// How long an authorization code can be exchanged.
pub(crate) const CODE_LIFETIME: Duration = Duration::from_secs(60);

/// The default lifetime of issued access tokens: one hour.
pub const DEFAULT_ACCESS_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// An authorization code waiting to be exchanged.
#[derive(Debug)]
pub(crate) struct Code {
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) challenge: String,
    pub(crate) scope: String,
    pub(crate) expires_at: Instant,
    /// Whether an exchange was attempted (codes are single use, even after a failure).
    pub(crate) used: bool,
    /// The family issued from it, revoked if the code is presented again.
    pub(crate) family: Option<u64>,
}

/// The OAuth state of one emulator.
#[derive(Debug)]
pub(crate) struct OAuth {
    clients: Vec<MockOAuthClient>,
    pub(crate) codes: HashMap<String, Code>,
    pub(crate) tokens: Tokens,
    pub(crate) access_lifetime: Duration,
    offset: Duration,
    token_requests: usize,
    refreshes: usize,
}

impl OAuth {
    pub(crate) fn new(clients: Vec<MockOAuthClient>, access_lifetime: Duration) -> OAuth {
        OAuth {
            clients,
            codes: HashMap::new(),
            tokens: Tokens::default(),
            access_lifetime,
            offset: Duration::ZERO,
            token_requests: 0,
            refreshes: 0,
        }
    }

    /// The emulator's notion of now: the real clock plus the offset tests added.
    pub(crate) fn now(&self) -> Instant {
        Instant::now() + self.offset
    }

    /// Moves the clock forward; returns the whole offset.
    pub(crate) fn advance_clock(&mut self, by: Duration) -> Duration {
        self.offset = self.offset.saturating_add(by);
        self.offset
    }

    pub(crate) fn clients(&self) -> &[MockOAuthClient] {
        &self.clients
    }

    pub(crate) fn client(&self, client_id: &str) -> Option<&MockOAuthClient> {
        self.clients.iter().find(|c| c.client_id == client_id)
    }

    /// Adds a client, replacing one with the same id.
    pub(crate) fn add_client(&mut self, client: MockOAuthClient) {
        self.clients.retain(|c| c.client_id != client.client_id);
        self.clients.push(client);
    }

    /// Starts a new token family for `client_id` with this scope.
    pub(crate) fn issue(&mut self, client_id: &str, scope: &str) -> Issued {
        let now = self.now();
        let lifetime = self.access_lifetime;
        self.tokens.issue(client_id, scope, now, lifetime)
    }

    /// Who an issued access token is: `None` if it was never issued (or its client is
    /// gone), `Some(Err(message))` if it expired or was revoked.
    pub(crate) fn check_access(&self, token: &str) -> Option<Result<MockCredential, String>> {
        match self.tokens.check_access(token, self.now()) {
            AccessCheck::Valid { client_id, scope } => self
                .client(client_id)
                .map(|client| Ok(client.credential(token, scope))),
            AccessCheck::Expired => Some(Err(
                "the access token has expired; refresh it with the refresh_token grant".to_owned(),
            )),
            AccessCheck::Revoked => Some(Err(
                "the access token has been revoked (a refresh rotated it, a refresh token was \
                 reused, or the installation was deleted)"
                    .to_owned(),
            )),
            AccessCheck::Unknown => None,
        }
    }

    /// Makes every current access token expired; returns how many.
    pub(crate) fn expire_access_tokens(&mut self) -> usize {
        let now = self.now();
        self.tokens.expire_access(now)
    }

    pub(crate) fn count_token_request(&mut self) {
        self.token_requests += 1;
    }

    pub(crate) fn count_refresh(&mut self) {
        self.refreshes += 1;
    }

    pub(crate) fn token_requests(&self) -> usize {
        self.token_requests
    }

    pub(crate) fn refreshes(&self) -> usize {
        self.refreshes
    }

    /// Forgets codes, tokens, counters and the clock offset; clients stay.
    pub(crate) fn reset(&mut self) {
        self.codes.clear();
        self.tokens = Tokens::default();
        self.offset = Duration::ZERO;
        self.token_requests = 0;
        self.refreshes = 0;
    }
}
