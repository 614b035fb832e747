//! The clients: [`AsyncClient`], whose calls are futures, and [`Client`], which blocks on
//! the same calls. Both share [`Calls`], where each operation is sent once for both.

use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use tokio::sync::{Notify, watch};
use uuid::Uuid;

use crate::call::{Call, Reply};
use crate::clock::{Clock, Random};
use crate::config::ClientBuilder;
use crate::error::{Error, ErrorKind, Result};
use crate::models::{
    CreateInstallation, Installation, InstallationStatus, Introspection, Response,
    UpdateInstallation,
};
use crate::operation::Operation;
use crate::outcome;
use crate::request::{Request, check_wait};
use crate::runtime;
use crate::settings::Settings;
use crate::transport::Transport;

/// The first pause between two polls of [`Client::wait_for_status`], doubled up to the cap.
const FIRST_POLL_INTERVAL: Duration = Duration::from_millis(250);
/// The longest pause between two polls of [`Client::wait_for_status`].
const MAX_POLL_INTERVAL: Duration = Duration::from_secs(2);

/// A client of the Installations API whose calls block the calling thread.
///
/// Cheap to clone; clones share one connection pool. `Send + Sync`: share it between
/// threads rather than building one per thread. Not for use inside async code (it would
/// block the executor; Tokio refuses it): use [`AsyncClient`] there.
#[derive(Clone)]
pub struct Client {
    inner: AsyncClient,
}

/// A client of the Installations API whose calls are futures, runnable on any executor:
/// the I/O runs on the SDK's own small runtime, never on a thread per call. Dropping a
/// call's future cancels it, and its request with it.
///
/// Cheap to clone; clones share one connection pool.
#[derive(Clone)]
pub struct AsyncClient {
    calls: Arc<Calls>,
}

/// What both clients share: the transport, and the signal that cancels every call in flight.
pub(crate) struct Calls {
    pub(crate) transport: Transport,
    cancel: watch::Sender<()>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.calls.describe(f, "Client")
    }
}

impl fmt::Debug for AsyncClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.calls.describe(f, "AsyncClient")
    }
}

impl From<AsyncClient> for Client {
    fn from(inner: AsyncClient) -> Client {
        Client { inner }
    }
}

impl Client {
    /// A builder; see [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The async client sharing this one's connections and settings.
    pub fn as_async(&self) -> &AsyncClient {
        &self.inner
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        self.inner.base_url()
    }

    /// Reads the installation of the credential's client, optionally for one company of
    /// the organisation (`GET /v1/installations/me`).
    pub fn get_installation(&self, company_id: Option<Uuid>) -> Result<Installation> {
        let call = Call::get(company_id);
        self.block(|calls| calls.fetch_value(call))
    }

    /// Creates the installation (`POST /v1/installations/me`); `ACTIVATED` unless a status
    /// is given. Not retried after an ambiguous failure: Pleo has no idempotency key.
    pub fn create_installation(&self, request: &CreateInstallation) -> Result<Installation> {
        let call = Call::create(request)?;
        self.block(|calls| calls.fetch_value(call))
    }

    /// Changes the status and optionally the metadata and error code
    /// (`PUT /v1/installations/me`).
    pub fn update_installation(&self, request: &UpdateInstallation) -> Result<Installation> {
        let call = Call::update(request)?;
        self.block(|calls| calls.fetch_value(call))
    }

    /// Deletes the installation and revokes the client's tokens
    /// (`DELETE /v1/installations/me`).
    pub fn delete_installation(&self) -> Result<()> {
        self.block(|calls| calls.delete())
    }

    /// Activates an `AUTHORIZED` installation (`POST /v1/installations/me:activate`).
    pub fn activate_installation(&self) -> Result<Installation> {
        let call = Call::bare(Operation::ActivateInstallation);
        self.block(|calls| calls.fetch_value(call))
    }

    /// Marks the installation complete (`PUT /v1/installations/completions`).
    #[deprecated(note = "the API deprecates this operation; use `activate_installation`")]
    pub fn complete_installation(&self) -> Result<Installation> {
        let call = Call::bare(Operation::CompleteInstallation);
        self.block(|calls| calls.fetch_value(call))
    }

    /// Tells which credential is in use (`GET /v1/introspect`).
    pub fn introspect(&self) -> Result<Introspection> {
        let call = Call::bare(Operation::Introspect);
        self.block(|calls| calls.fetch_value(call))
    }

    /// Refreshes the OAuth tokens now, persisting them like any refresh (hook, token store).
    /// Fails with `invalid_argument` when the client does not use OAuth.
    pub fn refresh_tokens(&self) -> Result<()> {
        self.block(|calls| calls.transport.refresh_tokens())
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
        check_wait(statuses, timeout)?;
        self.block(|calls| async move { Ok(calls.wait(statuses, timeout).await?.0) })
    }

    /// Ends every call of this client (and its clones) in flight now, from any thread: each
    /// fails at once with kind `cancelled`, its request abandoned. Later calls run as usual.
    pub fn cancel_all(&self) {
        self.inner.cancel_all();
    }

    /// Runs a call on this thread until it ends or the client's calls are cancelled.
    pub(crate) fn block<'a, T, F>(&'a self, call: impl FnOnce(&'a Calls) -> F) -> Result<T>
    where
        F: Future<Output = Result<T>> + 'a,
    {
        let calls = &self.inner.calls;
        let cancelled = calls.cancel.subscribe();
        runtime::block_on(Calls::unless_cancelled(cancelled, call(calls)))?
    }
}

impl AsyncClient {
    pub(crate) fn from_settings(
        settings: Settings,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Random>,
    ) -> Result<AsyncClient> {
        let transport = Transport::new(settings, clock, random)?;
        Ok(AsyncClient {
            calls: Arc::new(Calls {
                transport,
                cancel: watch::Sender::new(()),
            }),
        })
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.calls.transport.settings.base_url
    }

    /// As [`Client::get_installation`].
    pub async fn get_installation(&self, company_id: Option<Uuid>) -> Result<Installation> {
        let call = Call::get(company_id);
        self.spawn(|calls| async move { calls.fetch_value(call).await })
            .await
    }

    /// As [`Client::create_installation`].
    pub async fn create_installation(&self, request: &CreateInstallation) -> Result<Installation> {
        let call = Call::create(request)?;
        self.spawn(|calls| async move { calls.fetch_value(call).await })
            .await
    }

    /// As [`Client::update_installation`].
    pub async fn update_installation(&self, request: &UpdateInstallation) -> Result<Installation> {
        let call = Call::update(request)?;
        self.spawn(|calls| async move { calls.fetch_value(call).await })
            .await
    }

    /// As [`Client::delete_installation`].
    pub async fn delete_installation(&self) -> Result<()> {
        self.spawn(|calls| async move { calls.delete().await })
            .await
    }

    /// As [`Client::activate_installation`].
    pub async fn activate_installation(&self) -> Result<Installation> {
        let call = Call::bare(Operation::ActivateInstallation);
        self.spawn(|calls| async move { calls.fetch_value(call).await })
            .await
    }

    /// As [`Client::complete_installation`].
    #[deprecated(note = "the API deprecates this operation; use `activate_installation`")]
    pub async fn complete_installation(&self) -> Result<Installation> {
        let call = Call::bare(Operation::CompleteInstallation);
        self.spawn(|calls| async move { calls.fetch_value(call).await })
            .await
    }

    /// As [`Client::introspect`].
    pub async fn introspect(&self) -> Result<Introspection> {
        let call = Call::bare(Operation::Introspect);
        self.spawn(|calls| async move { calls.fetch_value(call).await })
            .await
    }

    /// As [`Client::refresh_tokens`].
    pub async fn refresh_tokens(&self) -> Result<()> {
        self.spawn(|calls| async move { calls.transport.refresh_tokens().await })
            .await
    }

    /// As [`Client::wait_for_status`].
    pub async fn wait_for_status(
        &self,
        statuses: &[InstallationStatus],
        timeout: Duration,
    ) -> Result<Installation> {
        check_wait(statuses, timeout)?;
        let statuses = statuses.to_vec();
        self.spawn(|calls| async move { Ok(calls.wait(&statuses, timeout).await?.0) })
            .await
    }

    /// As [`Client::cancel_all`].
    pub fn cancel_all(&self) {
        self.calls.cancel.send_replace(());
    }

    /// For bindings with an event loop of their own (Node, Python's asyncio): starts
    /// [`AsyncClient::call_json`] on the SDK's runtime and hands its result to `done`, on a
    /// runtime thread. `done` is called exactly once: with the result, with kind `cancelled`
    /// after [`CallHandle::cancel`], or with kind `internal` after a panic.
    pub fn start_json(
        &self,
        operation_id: &str,
        request_json: &str,
        done: impl FnOnce(Result<String>) + Send + 'static,
    ) -> CallHandle {
        let handle = CallHandle(Arc::new(Notify::new()));
        let request = match Request::parse(operation_id, request_json) {
            Ok(request) => request,
            Err(refused) => {
                done(Err(refused));
                return handle;
            }
        };
        let stop = Arc::clone(&handle.0);
        let runtime = match runtime::handle() {
            Ok(runtime) => runtime,
            // No thread could be started: the call ends here, as every call would.
            Err(error) => {
                done(Err(error));
                return handle;
            }
        };
        let operation_id = operation_id.to_owned();
        let calls = Arc::clone(&self.calls);
        let cancelled = calls.cancel.subscribe();
        let call = async move {
            let work = AssertUnwindSafe(calls.run(request))
                .catch_unwind()
                .map(|caught| {
                    caught.unwrap_or_else(|payload| {
                        Err(Error::from_panic(&operation_id, payload.as_ref()))
                    })
                });
            let result = tokio::select! {
                result = Calls::unless_cancelled(cancelled, work) => result,
                () = stop.notified() => Err(Error::cancelled("the call was cancelled")),
            };
            done(result);
        };
        drop(runtime.spawn(call));
        handle
    }

    /// Runs a call on the SDK's runtime, from whatever executor polls the returned future;
    /// dropping that future cancels the call.
    pub(crate) async fn spawn<T, F>(&self, call: impl FnOnce(Arc<Calls>) -> F) -> Result<T>
    where
        T: Send + 'static,
        F: Future<Output = Result<T>> + Send + 'static,
    {
        let cancelled = self.calls.cancel.subscribe();
        let work = call(Arc::clone(&self.calls));
        runtime::spawn(Calls::unless_cancelled(cancelled, work))?.await
    }
}

/// Cancels a call started by [`AsyncClient::start_json`].
#[derive(Debug, Clone)]
pub struct CallHandle(Arc<Notify>);

impl CallHandle {
    /// Cancels the call: it ends at once with kind `cancelled` (unless it already ended),
    /// its request abandoned.
    pub fn cancel(&self) {
        self.0.notify_one();
    }
}

impl Calls {
    fn describe(&self, f: &mut fmt::Formatter<'_>, name: &str) -> fmt::Result {
        let settings = &self.transport.settings;
        f.debug_struct(name)
            .field("base_url", &settings.base_url)
            .field("credential", &settings.credential)
            .field("max_retries", &settings.max_retries)
            .finish_non_exhaustive()
    }

    /// `call`, unless the client's calls are cancelled (after `cancelled` was subscribed) first.
    async fn unless_cancelled<T>(
        mut cancelled: watch::Receiver<()>,
        call: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        tokio::select! {
            result = call => result,
            Ok(()) = cancelled.changed() => {
                Err(Error::cancelled("the client's calls were cancelled (cancel_all)"))
            }
        }
    }

    /// Sends `call` and decodes the answer as `T`.
    async fn fetch_value<T: Response>(&self, call: Call) -> Result<T> {
        Ok(self.fetch::<T>(&call, None).await?.0)
    }

    async fn delete(&self) -> Result<()> {
        let call = Call::bare(Operation::DeleteInstallation);
        self.send(&call, None).await.map(drop)
    }

    /// Polls until the status is one of `statuses` (checked by [`check_wait`]).
    pub(crate) async fn wait(
        &self,
        statuses: &[InstallationStatus],
        timeout: Duration,
    ) -> Result<(Installation, Reply)> {
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
            let poll = self
                .fetch::<Installation>(&Call::get(None), Some(deadline))
                .await;
            let last_seen = match poll {
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
            clock.sleep(interval.min(remaining)).await;
            if clock.now() >= deadline {
                return Err(timed_out(&last_seen, polls));
            }
            interval = (interval * 2).min(MAX_POLL_INTERVAL);
        }
    }

    /// Sends `call` and decodes the response as `T`, keeping the raw reply.
    pub(crate) async fn fetch<T: Response>(
        &self,
        call: &Call,
        deadline: Option<Instant>,
    ) -> Result<(T, Reply)> {
        let reply = self.send(call, deadline).await?;
        outcome::decode(call.operation, reply)
    }

    /// Sends `call` without decoding the body.
    pub(crate) async fn send(&self, call: &Call, deadline: Option<Instant>) -> Result<Reply> {
        self.transport.execute(call, deadline).await
    }
}

impl ClientBuilder {
    /// Checks the configuration and builds the client; fails with `invalid_argument`, or,
    /// when seeding a token store fails, as its other calls do (`internal`, or `timeout`
    /// when its lock is not free in time).
    pub fn build(self) -> Result<Client> {
        self.build_async().map(Client::from)
    }

    /// As [`ClientBuilder::build`], for async code: an [`AsyncClient`].
    pub fn build_async(self) -> Result<AsyncClient> {
        let (settings, clock, random) = self.into_parts()?;
        AsyncClient::from_settings(settings, clock, random)
    }
}
