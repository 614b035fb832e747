//! Sending one call: each attempt (its authorization, its request, its timeout), retries and the deadline; what an outcome means is decided in `outcome.rs`.

use std::sync::{Arc, Mutex as StdMutex, TryLockError};
use std::time::{Duration, Instant};

use reqwest::Client as HttpClient;
use reqwest::header::{self, HeaderValue};
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

use crate::auth::Credential;
use crate::call::{Call, Reply};
use crate::clock::{Clock, Random};
use crate::error::{Error, ErrorKind, Result};
use crate::events::{AttemptEvent, Events, GiveUp};
use crate::http::HttpPool;
use crate::oauth::session::OAuthSession;
use crate::oauth::token_endpoint::TokenContext;
use crate::outcome::{self, Attempt};
use crate::retry::{self, Failure, MAX_RETRY_AFTER, RETRY_AFTER_CEILING};
use crate::runtime;
use crate::secret;
use crate::settings::Settings;

/// How long past its deadline a call may run before it is cut off whatever it waits for
/// (every wait inside ends by the deadline itself, with a more precise message).
const DEADLINE_GRACE: Duration = Duration::from_millis(25);

const JSON_CONTENT_TYPE: &str = "application/json;charset=UTF-8";

/// The HTTP machinery of a client, shared by all its clones and threads.
pub(crate) struct Transport {
    http: HttpPool,
    pub(crate) settings: Settings,
    pub(crate) clock: Arc<dyn Clock>,
    random: Arc<dyn Random>,
    /// Taken (awaited, holding no thread) before OAuth work that blocks: however many calls
    /// find the token due at once, one at a time takes a thread for it, and the others
    /// usually find it refreshed once their turn comes. One per process: a child made by
    /// `fork()` while a parent's call held it gets its own.
    refresh_gate: StdMutex<(u32, Arc<AsyncMutex<()>>)>,
}

impl Transport {
    pub(crate) fn new(
        settings: Settings,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Random>,
    ) -> Result<Transport> {
        let http = HttpPool::new(settings.http.clone())?;
        Ok(Transport {
            http,
            settings,
            clock,
            random,
            refresh_gate: StdMutex::new((std::process::id(), Arc::default())),
        })
    }

    /// Sends `call`, retrying per the operation's rules, until success, a final failure, or
    /// the earlier of the configured total timeout and `deadline`.
    pub(crate) async fn execute(&self, call: &Call, deadline: Option<Instant>) -> Result<Reply> {
        let start = self.clock.now();
        let total = start + self.settings.total_timeout;
        let deadline = deadline.map_or(total, |d| d.min(total));
        // Every wait inside ends by the deadline; this holds it whatever a callback does.
        let backstop = tokio::time::Instant::from_std(deadline + DEADLINE_GRACE);
        tokio::time::timeout_at(backstop, self.attempts(call, deadline))
            .await
            .unwrap_or_else(|_| {
                Err(Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "{}: the call's overall deadline passed",
                        call.operation.id()
                    ),
                )
                .with_retryable(true))
            })
    }

    /// The attempts of [`Transport::execute`].
    async fn attempts(&self, call: &Call, deadline: Instant) -> Result<Reply> {
        let max_attempts = self.settings.max_retries + 1;
        let mut attempt = 1;
        let mut replayed = false;
        let mut replay_after = None;
        loop {
            // What time is left, or the error when none is; `why` says what used it up.
            let left = |why: &str| {
                let remaining = deadline.saturating_duration_since(self.clock.now());
                if !remaining.is_zero() {
                    return Ok(remaining);
                }
                let id = call.operation.id();
                Err(Error::new(
                    ErrorKind::Timeout,
                    format!("{id}: {why} before attempt {attempt}"),
                )
                .with_attempts(attempt - 1)
                .with_retryable(true))
            };
            left("deadline reached")?;
            let (authorization, generation) = self
                .authorize(deadline, replay_after.take())
                .await
                .map_err(|e| e.with_attempts(attempt - 1))?;
            // A refresh (and its hook and store) may have taken part of the time left.
            let remaining = left("the token refresh used up the call's deadline")?;
            let cut_short = remaining < self.settings.timeout;
            let timeout = remaining.min(self.settings.timeout);
            let Attempt { error, failure } = match self
                .attempt(call, attempt, timeout, cut_short, authorization)
                .await
            {
                Ok(reply) => return Ok(reply),
                Err(failed) => failed,
            };
            // An OAuth token the server refused: refresh (unless another thread already
            // did) and replay once. A 401 means the request was not processed.
            if let (Failure::Status(401), Some(generation), false) = (failure, generation, replayed)
            {
                self.settings
                    .events
                    .retry(attempt, call.operation.id(), &error, 0);
                replayed = true;
                replay_after = Some(generation);
                attempt += 1;
                continue;
            }
            let retryable = retry::is_retryable(call.operation, failure);
            let error = error.with_attempts(attempt).with_retryable(retryable);
            let events = &self.settings.events;
            let give_up = |reason| events.give_up(call.operation.id(), attempt, &error, reason);
            if !retryable {
                return Err(error);
            }
            if attempt >= max_attempts {
                give_up(GiveUp::MaxRetries);
                return Err(error);
            }
            let delay = match error.retry_after() {
                Some(wait) if wait > MAX_RETRY_AFTER => {
                    let after = if wait >= RETRY_AFTER_CEILING {
                        "a year or more".to_owned()
                    } else {
                        format!("{} s", wait.as_secs())
                    };
                    give_up(GiveUp::RetryAfter);
                    let message = format!(
                        "{}; the server asks to retry after {after}, beyond the {} s the SDK waits",
                        error.message(),
                        MAX_RETRY_AFTER.as_secs()
                    );
                    return Err(error.with_message(message));
                }
                Some(wait) => wait,
                None => retry::backoff(attempt, self.random.as_ref()),
            };
            if self.clock.now() + delay >= deadline {
                give_up(GiveUp::Deadline);
                let message = format!(
                    "{}; no time left before the deadline for another attempt",
                    error.message()
                );
                return Err(error.with_message(message));
            }
            events.retry(attempt, call.operation.id(), &error, delay.as_millis());
            self.clock.sleep(delay).await;
            attempt += 1;
        }
    }

    /// The `Authorization` header for the next attempt, and the OAuth token generation it
    /// carries; `failed` names a generation the server just refused.
    async fn authorize(
        &self,
        deadline: Instant,
        failed: Option<u64>,
    ) -> Result<(HeaderValue, Option<u64>)> {
        let session = match &self.settings.credential {
            Credential::Static { header, .. } => return Ok((header.clone(), None)),
            Credential::OAuth(session) => session,
        };
        if failed.is_none()
            && let Some(ready) = session.ready(self.clock.wall())
        {
            return ready.map(|bearer| (bearer.header, Some(bearer.generation)));
        }
        // A refresh, a token store or a hook: blocking work, rare, one call at a time.
        let turn = self.refresh_turn(deadline).await?;
        if failed.is_none()
            && let Some(ready) = session.ready(self.clock.wall())
        {
            return ready.map(|bearer| (bearer.header, Some(bearer.generation)));
        }
        let work = self.oauth_work(session, deadline)?;
        let bearer = runtime::blocking(move || {
            let _turn = turn;
            let context = work.context();
            match failed {
                Some(generation) => work.session.after_unauthorized(&context, generation),
                None => work.session.bearer(&context),
            }
        })
        .await??;
        Ok((bearer.header, Some(bearer.generation)))
    }

    /// Refreshes the OAuth tokens now; `invalid_argument` for other credentials.
    pub(crate) async fn refresh_tokens(&self) -> Result<()> {
        let Credential::OAuth(session) = &self.settings.credential else {
            return Err(Error::invalid_argument(
                "the client does not use OAuth: there are no tokens to refresh",
            ));
        };
        let deadline = self.clock.now() + self.settings.total_timeout;
        let turn = self.refresh_turn(deadline).await?;
        let work = self.oauth_work(session, deadline)?;
        runtime::blocking(move || {
            let _turn = turn;
            work.session.refresh_now(&work.context()).map(drop)
        })
        .await?
    }

    /// This call's turn at the blocking OAuth work, waited for until `deadline`.
    async fn refresh_turn(&self, deadline: Instant) -> Result<OwnedMutexGuard<()>> {
        let until = tokio::time::Instant::from_std(deadline);
        tokio::time::timeout_at(until, self.refresh_gate().lock_owned())
            .await
            .map_err(|_| {
                Error::new(
                    ErrorKind::Timeout,
                    "waited for another call's token refresh until the call's deadline",
                )
                .with_retryable(true)
            })
    }

    /// The refresh gate of this process (see `refresh_gate`).
    fn refresh_gate(&self) -> Arc<AsyncMutex<()>> {
        let pid = std::process::id();
        let mut gate = match self.refresh_gate.try_lock() {
            Ok(gate) => gate,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            // Held at the moment of a fork by a thread the child does not have, or (rarely)
            // by another thread of this process for an instant: a gate of its own is safe
            // either way, as the session's own lock still keeps refreshes one at a time.
            Err(TryLockError::WouldBlock) => return Arc::default(),
        };
        if gate.0 != pid {
            *gate = (pid, Arc::default());
        }
        Arc::clone(&gate.1)
    }

    /// What OAuth work needs, owned, to run on another thread until `deadline`.
    fn oauth_work(&self, session: &Arc<OAuthSession>, deadline: Instant) -> Result<OAuthWork> {
        Ok(OAuthWork {
            session: Arc::clone(session),
            http: self.http.get()?,
            clock: Arc::clone(&self.clock),
            random: Arc::clone(&self.random),
            max_retries: self.settings.max_retries,
            timeout: self.settings.timeout,
            deadline,
            events: self.settings.events.clone(),
        })
    }

    async fn attempt(
        &self,
        call: &Call,
        attempt: u32,
        timeout: Duration,
        cut_short: bool,
        authorization: HeaderValue,
    ) -> std::result::Result<Reply, Attempt> {
        let operation = call.operation;
        let mut url = format!("{}{}", self.settings.base_url, operation.path());
        if let Some(company_id) = call.company_id {
            url.push_str(&format!("?company_id={company_id}"));
        }
        let http = self.http.get().map_err(|error| Attempt {
            error,
            failure: Failure::Permanent,
        })?;
        // A server may echo the credential; the error must not carry it.
        let secrets = secret::secrets_of(&authorization);
        let mut request = http
            .request(operation.method(), url)
            .timeout(timeout)
            .header(header::AUTHORIZATION, authorization);
        if let Some(body) = &call.body {
            request = request
                .header(header::CONTENT_TYPE, JSON_CONTENT_TYPE)
                .body(body.clone());
        }
        let started = Instant::now();
        let outcome = match request.send().await {
            Ok(response) => {
                outcome::read(operation, response, timeout, cut_short, self.clock.wall()).await
            }
            Err(e) => Err(outcome::send_failure(
                operation,
                e,
                timeout,
                cut_short,
                self.settings.http.connect_timeout,
            )),
        }
        .map_err(|failed| Attempt {
            error: failed.error.redacting(secrets.iter().map(String::as_str)),
            ..failed
        });
        let (status, error, request_id) = match &outcome {
            Ok(reply) => (Some(reply.status), None, reply.request_id.as_deref()),
            Err(failed) => (
                failed.error.status(),
                Some(&failed.error),
                failed.error.request_id(),
            ),
        };
        self.settings.events.attempt(&AttemptEvent {
            n: attempt,
            operation: operation.id(),
            method: operation.method().as_str(),
            path: operation.path(),
            status,
            error,
            elapsed_ms: started.elapsed().as_millis(),
            request_id,
        });
        outcome.map(|reply| Reply {
            attempts: attempt,
            ..reply
        })
    }
}

/// A client's OAuth session with what its blocking work needs (see [`runtime::blocking`]).
struct OAuthWork {
    session: Arc<OAuthSession>,
    http: HttpClient,
    clock: Arc<dyn Clock>,
    random: Arc<dyn Random>,
    max_retries: u32,
    timeout: Duration,
    deadline: Instant,
    events: Events,
}

impl OAuthWork {
    fn context(&self) -> TokenContext<'_> {
        TokenContext {
            http: &self.http,
            clock: self.clock.as_ref(),
            random: self.random.as_ref(),
            max_retries: self.max_retries,
            timeout: self.timeout,
            deadline: self.deadline,
            events: &self.events,
        }
    }
}
