//! Everything one emulator remembers: credentials, installations, faults and journal.
//! Shared between the server thread and the [`MockServer`](crate::MockServer) handle.

use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use serde_json::{Value, json};
use uuid::Uuid;

use crate::config::MockConfig;
use crate::credentials::{self, CredentialKind, CredentialStore, MockCredential, Unauthorized};
use crate::error::MockError;
use crate::faults::FaultQueue;
use crate::journal::{Journal, JournalLimits};
use crate::oauth::tokens::Issued;
use crate::oauth::{Consent, OAuth, endpoints};
use crate::state::{Installations, SeedInstallation};

/// The state of one emulator. Each part has its own lock, held only briefly and never
/// across an `.await`.
#[derive(Debug)]
pub(crate) struct Emulator {
    credentials: Mutex<CredentialStore>,
    installations: Mutex<Installations>,
    faults: Mutex<FaultQueue>,
    journal: Mutex<Journal>,
    oauth: Mutex<OAuth>,
    max_body_bytes: usize,
    read_timeout: Duration,
    journal_limits: JournalLimits,
    /// The base URL, known once the listener is bound.
    url: OnceLock<String>,
}

/// Locks `mutex`, recovering the data if a panic ever poisoned it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Emulator {
    pub(crate) fn new(config: &MockConfig) -> Emulator {
        let journal_limits = JournalLimits {
            max_entries: config.journal_limit,
            max_bytes: config.journal_max_bytes,
            max_body_bytes: config.journal_body_bytes,
        };
        Emulator {
            credentials: Mutex::new(CredentialStore::new(config.credentials.clone())),
            installations: Mutex::new(Installations::default()),
            faults: Mutex::new(FaultQueue::default()),
            journal: Mutex::new(Journal::new(journal_limits)),
            oauth: Mutex::new(OAuth::new(
                config.oauth_clients.clone(),
                config.access_token_lifetime,
            )),
            max_body_bytes: config.max_body_bytes,
            read_timeout: config.read_timeout,
            journal_limits,
            url: OnceLock::new(),
        }
    }

    /// Records the base URL once the listener is bound (later calls change nothing).
    pub(crate) fn set_url(&self, url: String) {
        let _ = self.url.set(url);
    }

    /// The base URL (empty before the listener is bound).
    pub(crate) fn url(&self) -> &str {
        self.url.get().map_or("", String::as_str)
    }

    /// The first configured secret of `kind` (empty if there is none).
    pub(crate) fn first_secret(&self, kind: CredentialKind) -> String {
        self.credentials()
            .first(kind)
            .map(|c| c.secret.clone())
            .unwrap_or_default()
    }

    /// Where it is and what it accepts (`GET /__mock/info`): the URL and endpoints, the
    /// first API key and bearer token, and the OAuth clients. All of it is fake.
    pub(crate) fn info(&self) -> Value {
        let url = self.url();
        let oauth_clients: Vec<Value> = self
            .oauth()
            .clients()
            .iter()
            .map(|client| {
                json!({
                    "client_id": client.client_id,
                    "client_secret": client.client_secret,
                    "redirect_uris": client.redirect_uris,
                    "scope": client.scope,
                })
            })
            .collect();
        json!({
            "url": url,
            "api_key": self.first_secret(CredentialKind::ApiKey),
            "access_token": self.first_secret(CredentialKind::Bearer),
            "authorize_url": format!("{url}/oauth/authorize"),
            "token_url": format!("{url}/oauth/token"),
            "oauth_clients": oauth_clients,
        })
    }

    pub(crate) fn credentials(&self) -> MutexGuard<'_, CredentialStore> {
        lock(&self.credentials)
    }

    pub(crate) fn installations(&self) -> MutexGuard<'_, Installations> {
        lock(&self.installations)
    }

    pub(crate) fn faults(&self) -> MutexGuard<'_, FaultQueue> {
        lock(&self.faults)
    }

    /// The journal. Hold it only to record an entry built beforehand
    /// ([`JournalLimits::entry`]) or to take a snapshot; copy or serialise after releasing it.
    pub(crate) fn journal(&self) -> MutexGuard<'_, Journal> {
        lock(&self.journal)
    }

    /// The journal's caps (no lock needed: they never change).
    pub(crate) fn journal_limits(&self) -> &JournalLimits {
        &self.journal_limits
    }

    /// The OAuth state. Lock order: `credentials` may be held while taking this lock,
    /// never the reverse, and no other lock is taken while holding it.
    pub(crate) fn oauth(&self) -> MutexGuard<'_, OAuth> {
        lock(&self.oauth)
    }

    /// Who a request is: a configured credential, or an access token issued by
    /// `/oauth/token` (still valid), or why it is refused.
    pub(crate) fn authenticate(
        &self,
        headers: &hyper::HeaderMap,
    ) -> Result<MockCredential, Unauthorized> {
        let store = self.credentials();
        credentials::authenticate(headers, &store, &|token| self.oauth().check_access(token))
    }

    /// The credential with this secret: a configured one of either kind, or a valid
    /// access token issued by `/oauth/token`.
    pub(crate) fn who(&self, secret: &str) -> Option<MockCredential> {
        let configured = self.credentials().find_secret(secret).cloned();
        configured.or_else(|| self.oauth().check_access(secret)?.ok())
    }

    /// The installation of `credential`'s client in `company_id` (by default the
    /// credential's company) with that client's id, or `None`.
    pub(crate) fn installation_of(
        &self,
        credential: &str,
        company_id: Option<Uuid>,
    ) -> Option<(String, Value)> {
        let who = self.who(credential)?;
        let installation = self
            .installations()
            .find(&who.client_id, company_id.unwrap_or(who.company_id))?;
        Some((who.client_id, serde_json::to_value(installation).ok()?))
    }

    /// Plays the user's browser on the consent page of `authorize_url`: answers what the
    /// page would (directly, not journaled, no faults) and reads the redirect to the
    /// client's callback. Fails, naming the OAuth `error` and its description, when the
    /// page answers without a redirect or redirects with an `error`.
    pub(crate) fn consent(&self, authorize_url: &str) -> Result<Consent, MockError> {
        let query = authorize_url.split_once('?').map(|(_, query)| query);
        let callback = endpoints::consent(self, query).map_err(|(error, description)| {
            MockError::new(format!(
                "the consent page refused without a redirect: {error}: {description}"
            ))
        })?;
        let query = callback.split_once('?').map_or("", |(_, query)| query);
        let params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let param = |key: &str| {
            params
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        if let Some(error) = param("error") {
            let description = param("error_description").unwrap_or_default();
            return Err(MockError::new(format!(
                "consent refused: {error}: {description}"
            )));
        }
        let code = param("code")
            .ok_or_else(|| MockError::new(format!("no code in the callback {callback}")))?;
        Ok(Consent {
            state: param("state"),
            code,
            callback,
        })
    }

    /// Starts a new token family for `client_id` as a code exchange would (the
    /// installation included), skipping the browser step.
    pub(crate) fn issue_tokens(&self, client_id: Option<&str>) -> Result<Issued, MockError> {
        let (client, issued) = {
            let mut oauth = self.oauth();
            let client = match client_id {
                Some(id) => oauth.client(id),
                None => oauth.clients().first(),
            }
            .cloned()
            .ok_or_else(|| match client_id {
                Some(id) => MockError::new(format!("no OAuth client with client_id {id:?}")),
                None => MockError::new("the emulator has no OAuth client"),
            })?;
            let issued = oauth.issue(&client.client_id, &client.scope);
            (client, issued)
        };
        endpoints::complete_flow(self, &client, &issued);
        Ok(issued)
    }

    pub(crate) fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }

    /// How long a request's body may take to arrive.
    pub(crate) fn read_timeout(&self) -> Duration {
        self.read_timeout
    }

    /// Forgets every installation, fault, recorded request, and OAuth code, token, counter
    /// and clock offset; credentials and OAuth clients stay.
    pub(crate) fn reset(&self) {
        self.installations().clear();
        self.faults().clear();
        self.journal().clear();
        self.oauth().reset();
    }

    /// Puts an installation in place and returns it as the API would.
    pub(crate) fn seed(&self, seed: &SeedInstallation) -> Result<Value, MockError> {
        let valid = seed.validate()?;
        let who = self.who(&seed.credential).ok_or_else(|| {
            MockError::new(
                "the credential of a seeded installation is not one this emulator accepts",
            )
        })?;
        let installation = self.installations().seed(&who, &valid);
        serde_json::to_value(installation).map_err(|e| MockError::new(e.to_string()))
    }
}
