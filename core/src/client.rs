//! The client: one typed method per operation, and waiting for a status.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use uuid::Uuid;

use crate::clock::{Clock, Random};
use crate::config::{ClientBuilder, MAX_TIMEOUT, Settings};
use crate::error::{Error, ErrorKind, Result};
use crate::models::{
    CreateInstallation, Installation, InstallationStatus, Introspection, Response,
    UpdateInstallation,
};
use crate::operation::Operation;
use crate::transport::{Call, MAX_REQUEST_BYTES, Reply, Transport};
use crate::unique_keys;

/// The first pause between two polls of [`Client::wait_for_status`], doubled up to the cap.
const FIRST_POLL_INTERVAL: Duration = Duration::from_millis(250);
/// The longest pause between two polls of [`Client::wait_for_status`].
const MAX_POLL_INTERVAL: Duration = Duration::from_secs(2);

/// A client of the Installations API.
///
/// Cheap to clone; clones share one connection pool. `Send + Sync`: share it between
/// threads rather than building one per thread.
#[derive(Clone)]
pub struct Client {
    transport: Arc<Transport>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let settings = &self.transport.settings;
        f.debug_struct("Client")
            .field("base_url", &settings.base_url)
            .field("credential", &settings.credential)
            .field("max_retries", &settings.max_retries)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder; see [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    pub(crate) fn from_settings(
        settings: Settings,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Random>,
    ) -> Result<Client> {
        let transport = Transport::new(settings, clock, random)?;
        Ok(Client {
            transport: Arc::new(transport),
        })
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.transport.settings.base_url
    }

    /// Reads the installation of the credential's client, optionally for one company of
    /// the organisation (`GET /v1/installations/me`).
    pub fn get_installation(&self, company_id: Option<Uuid>) -> Result<Installation> {
        self.fetch(&Call::get(company_id), None)
            .map(|(value, _)| value)
    }

    /// Creates the installation (`POST /v1/installations/me`); `ACTIVATED` unless a status
    /// is given. Not retried after an ambiguous failure: Pleo has no idempotency key.
    pub fn create_installation(&self, request: &CreateInstallation) -> Result<Installation> {
        self.fetch(&Call::create(request)?, None)
            .map(|(value, _)| value)
    }

    /// Changes the status and optionally the metadata and error code
    /// (`PUT /v1/installations/me`).
    pub fn update_installation(&self, request: &UpdateInstallation) -> Result<Installation> {
        self.fetch(&Call::update(request)?, None)
            .map(|(value, _)| value)
    }

    /// Deletes the installation and revokes the client's tokens
    /// (`DELETE /v1/installations/me`).
    pub fn delete_installation(&self) -> Result<()> {
        self.send(&Call::bare(Operation::DeleteInstallation), None)
            .map(drop)
    }

    /// Activates an `AUTHORIZED` installation (`POST /v1/installations/me:activate`).
    pub fn activate_installation(&self) -> Result<Installation> {
        self.fetch(&Call::bare(Operation::ActivateInstallation), None)
            .map(|(value, _)| value)
    }

    /// Marks the installation complete (`PUT /v1/installations/completions`).
    #[deprecated(note = "the API deprecates this operation; use `activate_installation`")]
    pub fn complete_installation(&self) -> Result<Installation> {
        self.fetch(&Call::bare(Operation::CompleteInstallation), None)
            .map(|(value, _)| value)
    }

    /// Tells which credential is in use (`GET /v1/introspect`).
    pub fn introspect(&self) -> Result<Introspection> {
        self.fetch(&Call::bare(Operation::Introspect), None)
            .map(|(value, _)| value)
    }

    /// Refreshes the OAuth tokens now, persisting them like any refresh (hook, token store).
    /// Fails with `invalid_argument` when the client does not use OAuth.
    pub fn refresh_tokens(&self) -> Result<()> {
        self.transport.refresh_tokens()
    }

    /// Polls the installation until its status is one of `statuses`, and returns it.
    ///
    /// Polls every 250 ms at first, backing off to every 2 s. An installation that does not
    /// exist yet is waited for too (an OAuth flow may still be finishing), and so is a poll
    /// that failed transiently after its own retries. Fails with kind `timeout` once
    /// `timeout` has passed; with `invalid_argument` for an empty list, a status the API
    /// does not know or a timeout of 0 or above a day; and with any other error a poll
    /// returns (authentication, permission, …).
    pub fn wait_for_status(
        &self,
        statuses: &[InstallationStatus],
        timeout: Duration,
    ) -> Result<Installation> {
        self.wait(statuses, timeout).map(|(value, _)| value)
    }

    pub(crate) fn wait(
        &self,
        statuses: &[InstallationStatus],
        timeout: Duration,
    ) -> Result<(Installation, Reply)> {
        if statuses.is_empty() {
            return Err(Error::invalid_argument("statuses is empty"));
        }
        for status in statuses {
            status.require_known("status")?;
        }
        if timeout.is_zero() || timeout > MAX_TIMEOUT {
            return Err(Error::invalid_argument(format!(
                "the wait's timeout must be between 1 and {} milliseconds, got {}",
                MAX_TIMEOUT.as_millis(),
                timeout.as_millis()
            )));
        }
        let clock = &self.transport.clock;
        let deadline = clock.now() + timeout;
        let mut interval = FIRST_POLL_INTERVAL;
        let mut polls = 0;
        let timed_out = |last_seen: &str, polls: u32| {
            let wanted: Vec<&str> = statuses.iter().map(InstallationStatus::as_str).collect();
            Error::new(
                ErrorKind::Timeout,
                format!(
                    "waited {} ms for status {}; still {last_seen} after {polls} polls",
                    timeout.as_millis(),
                    wanted.join(" or ")
                ),
            )
        };
        loop {
            let last_seen = match self.fetch::<Installation>(&Call::get(None), Some(deadline)) {
                Ok((installation, reply)) if statuses.contains(&installation.status) => {
                    return Ok((installation, reply));
                }
                Ok((installation, _)) => installation.status.to_string(),
                Err(e) if e.kind() == ErrorKind::NotFound => "no installation".to_owned(),
                // A poll that failed transiently (after its own retries) is waited out too.
                Err(e) if e.retryable() => format!("failing ({})", e.kind()),
                Err(e) => return Err(e),
            };
            polls += 1;
            let remaining = deadline.saturating_duration_since(clock.now());
            clock.sleep(interval.min(remaining));
            if clock.now() >= deadline {
                return Err(timed_out(&last_seen, polls));
            }
            interval = (interval * 2).min(MAX_POLL_INTERVAL);
        }
    }

    /// Sends `call` and decodes the response as `T`, keeping the raw reply.
    pub(crate) fn fetch<T: Response>(
        &self,
        call: &Call,
        deadline: Option<Instant>,
    ) -> Result<(T, Reply)> {
        let reply = self.send(call, deadline)?;
        // An answer the typed view could not give as written (a key twice) is refused.
        let faithful = std::str::from_utf8(&reply.body)
            .map_err(|e| e.to_string())
            .and_then(unique_keys::check);
        let decoded = faithful
            .and_then(|()| serde_json::from_slice::<T>(&reply.body).map_err(|e| e.to_string()));
        match decoded {
            Ok(mut value) => {
                // It decoded as JSON, so it is UTF-8.
                value.keep_raw(String::from_utf8_lossy(&reply.body).into());
                Ok((value, reply))
            }
            Err(e) => Err(Error::new(
                ErrorKind::Decode,
                format!(
                    "{}: HTTP {} response is not the documented JSON: {e}",
                    call.operation.id(),
                    reply.status
                ),
            )
            .with_status(reply.status)
            .with_request_id(reply.request_id)
            .with_attempts(reply.attempts)
            .with_body(&reply.body)),
        }
    }

    /// Sends `call` without decoding the body.
    pub(crate) fn send(&self, call: &Call, deadline: Option<Instant>) -> Result<Reply> {
        self.transport.execute(call, deadline)
    }
}

impl Call {
    pub(crate) fn bare(operation: Operation) -> Call {
        Call {
            operation,
            company_id: None,
            body: None,
        }
    }

    pub(crate) fn get(company_id: Option<Uuid>) -> Call {
        Call {
            company_id,
            ..Call::bare(Operation::GetInstallation)
        }
    }

    pub(crate) fn create(request: &CreateInstallation) -> Result<Call> {
        request.validate()?;
        Call::with_body(Operation::CreateInstallation, request)
    }

    pub(crate) fn update(request: &UpdateInstallation) -> Result<Call> {
        request.validate()?;
        Call::with_body(Operation::UpdateInstallation, request)
    }

    /// A call with a JSON body of at most [`MAX_REQUEST_BYTES`].
    fn with_body(operation: Operation, body: &impl serde::Serialize) -> Result<Call> {
        let body = serde_json::to_vec(body).expect("request models serialize to JSON");
        if body.len() > MAX_REQUEST_BYTES {
            return Err(Error::invalid_argument(format!(
                "{}: the request body is {} bytes, more than the {MAX_REQUEST_BYTES} the SDK sends (an installation that large could not be read back)",
                operation.id(),
                body.len()
            )));
        }
        Ok(Call {
            body: Some(body),
            ..Call::bare(operation)
        })
    }
}
