//! A live OAuth session: the current tokens, refreshed by one thread at a time.
//!
//! Pleo rotates refresh tokens and invalidates every earlier token on each refresh, so two
//! refreshes in parallel would lock the integration out. Every thread that finds the access
//! token due takes the `refreshing` lock; the first refreshes, the others find a newer
//! generation once they get the lock and use it.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::HeaderValue;

use crate::credential_url::credential_url;
use crate::error::{Error, ErrorKind, Result};
use crate::oauth::store::{self, TokenStore, quoted};
use crate::oauth::token_endpoint::{self, ClientAuth, TokenContext};
use crate::oauth::{OAuthCredentials, OAuthTokens, TokensRefreshedHook};
use crate::secret::{self, Secret};

/// A bearer token ready for a request, and the generation it belongs to.
pub(crate) struct Bearer {
    pub(crate) header: HeaderValue,
    pub(crate) generation: u64,
}

pub(crate) struct OAuthSession {
    client_id: String,
    client_secret: Secret,
    token_url: String,
    hook: Option<TokensRefreshedHook>,
    store: Option<Arc<dyn TokenStore>>,
    state: Mutex<State>,
    refreshing: FlightLock,
}

struct State {
    tokens: OAuthTokens,
    obtained_at: SystemTime,
    generation: u64,
    /// Refreshed tokens the hook (or the store) has not yet accepted.
    unpersisted: bool,
    /// The refresh token the store still holds, while the new tokens are not yet in it.
    store_expects: Option<Secret>,
    /// Set once the token endpoint rejected the refresh token: every call fails fast.
    rejected: Option<Error>,
}

impl OAuthSession {
    /// A session starting from `credentials`. With a store, an empty store is seeded with
    /// them (waiting at most `wait` for its lock); a store that holds tokens wins over them.
    pub(crate) fn new(
        credentials: OAuthCredentials,
        token_url: String,
        hook: Option<TokensRefreshedHook>,
        store: Option<Arc<dyn TokenStore>>,
        now: SystemTime,
        wait: Duration,
    ) -> Result<OAuthSession> {
        if credentials.client_id.trim().is_empty() {
            return Err(Error::invalid_argument("oauth.client_id is empty"));
        }
        bearer_header(&credentials.tokens.access_token)?;
        credential_url("token_url", &token_url)?;
        if let Some(store) = &store {
            let tokens = &credentials.tokens;
            let seeded = store::under_deadline(Instant::now() + wait, || {
                store
                    .lock(wait)
                    .and_then(|_locked| store.compare_and_swap(&tokens.refresh_token, tokens))
            });
            seeded.map_err(Error::from_store)?;
        }
        Ok(OAuthSession {
            client_id: credentials.client_id,
            client_secret: credentials.client_secret,
            token_url,
            hook,
            store,
            state: Mutex::new(State {
                tokens: credentials.tokens,
                obtained_at: now,
                generation: 0,
                unpersisted: false,
                store_expects: None,
                rejected: None,
            }),
            refreshing: FlightLock::new(),
        })
    }

    /// The bearer for the next attempt when it needs no work (not due, persisted), or the
    /// error that ends every call; `None` when a refresh, a store or a hook must run first.
    pub(crate) fn ready(&self, now: SystemTime) -> Option<Result<Bearer>> {
        let state = self.state();
        if let Some(error) = &state.rejected {
            return Some(Err(error.clone()));
        }
        let due = token_endpoint::refresh_due(&state.tokens, state.obtained_at, now);
        (!due && !state.unpersisted).then(|| state.bearer())
    }

    /// The bearer for the next attempt, refreshing first when the token is due.
    pub(crate) fn bearer(&self, context: &TokenContext<'_>) -> Result<Bearer> {
        self.current(context, None)
    }

    /// The bearer to replay with after a 401 to the token of `generation`: refreshed,
    /// unless another thread has already replaced that token.
    pub(crate) fn after_unauthorized(
        &self,
        context: &TokenContext<'_>,
        generation: u64,
    ) -> Result<Bearer> {
        self.current(context, Some(generation))
    }

    /// Refreshes now (unless another thread is already doing it), and returns the bearer.
    pub(crate) fn refresh_now(&self, context: &TokenContext<'_>) -> Result<Bearer> {
        let generation = self.state().generation;
        self.current(context, Some(generation))
    }

    fn current(&self, context: &TokenContext<'_>, failed: Option<u64>) -> Result<Bearer> {
        // `wants_refresh` is false for a thread that only comes to persist tokens another
        // thread refreshed: it must not refresh them again once they are persisted.
        let (seen, wants_refresh) = {
            let state = self.state();
            if let Some(error) = &state.rejected {
                return Err(error.clone());
            }
            let wants_refresh =
                token_endpoint::refresh_due(&state.tokens, state.obtained_at, context.clock.wall())
                    || failed == Some(state.generation);
            if !wants_refresh && !state.unpersisted {
                return state.bearer();
            }
            (state.generation, wants_refresh)
        };
        // Hooks and stores run on this thread, and may wait no longer than the call.
        store::under_deadline(context.deadline, || {
            self.refresh_locked(context, seen, wants_refresh)
        })
    }

    /// Under the refresh lock (and the store's): adopts stored tokens, refreshes when still
    /// needed, then persists.
    fn refresh_locked(
        &self,
        context: &TokenContext<'_>,
        seen: u64,
        wants_refresh: bool,
    ) -> Result<Bearer> {
        let wait = context
            .deadline
            .saturating_duration_since(context.clock.now());
        let _flight = self.refreshing.lock_within(wait)?;
        let _shared = match &self.store {
            Some(store) => Some(store.lock(wait).map_err(Error::from_store)?),
            None => None,
        };
        self.adopt_stored(context)?;
        let (generation, unpersisted, refresh_token, expired) = {
            let state = self.state();
            if let Some(error) = &state.rejected {
                return Err(error.clone());
            }
            // Refreshed (or adopted) tokens are used even when already due; only expired
            // ones are refreshed again, so a short lifetime cannot make every waiter refresh.
            let expired = state
                .tokens
                .expires_at
                .is_some_and(|at| at <= context.clock.wall());
            (
                state.generation,
                state.unpersisted,
                state.tokens.refresh_token.clone(),
                expired,
            )
        };
        if (expired || (wants_refresh && generation == seen)) && !unpersisted {
            let client = ClientAuth {
                token_url: &self.token_url,
                client_id: &self.client_id,
                client_secret: &self.client_secret,
            };
            let refreshed = token_endpoint::refresh(context, &client, &refresh_token);
            match &refreshed {
                Ok((_, attempts)) => context.events.refresh(Ok(*attempts)),
                Err(failed) => context.events.refresh(Err(&failed.error)),
            }
            let mut state = self.state();
            match refreshed {
                Ok((tokens, _)) => {
                    state.tokens = tokens;
                    state.obtained_at = context.clock.wall();
                    state.generation += 1;
                    state.unpersisted = true;
                    state.store_expects = self.store.as_ref().map(|_| refresh_token.clone());
                }
                Err(failed) => {
                    let error = failed.error;
                    if error.kind() == ErrorKind::ReauthenticationRequired {
                        state.rejected = Some(error.clone());
                    } else if failed.spent {
                        // Never present the spent refresh token again.
                        state.rejected = Some(Error::new(
                            ErrorKind::ReauthenticationRequired,
                            format!(
                                "an earlier token refresh spent the refresh token but its answer could not be used ({}); send the user through the OAuth flow again",
                                error.kind()
                            ),
                        ));
                    }
                    return Err(error);
                }
            }
        }
        self.persist()?;
        self.state().bearer()
    }

    /// Takes the tokens another process stored, when they differ from ours.
    fn adopt_stored(&self, context: &TokenContext<'_>) -> Result<()> {
        let Some(store) = &self.store else {
            return Ok(());
        };
        let Some(stored) = store.load().map_err(Error::from_store)? else {
            return Ok(());
        };
        let mut state = self.state();
        // A write reported as failed (a store that answered after the deadline) may have
        // landed: then the store holds our tokens and expects nothing more.
        if state.store_expects.is_some() && stored.refresh_token == state.tokens.refresh_token {
            state.store_expects = None;
            return Ok(());
        }
        // Tokens already in the store but not yet accepted by the hook are superseded too
        // when another process has stored newer ones since.
        let superseded = !state.unpersisted || state.store_expects.is_none();
        if superseded && stored.refresh_token != state.tokens.refresh_token {
            state.unpersisted = false;
            state.tokens = stored;
            state.obtained_at = context.clock.wall();
            state.generation += 1;
            drop(state);
            context.events.adopted();
        }
        Ok(())
    }

    /// Hands unpersisted tokens to the store, then to the hook; until both accept them
    /// they stay unpersisted and are handed over again on the next call.
    fn persist(&self) -> Result<()> {
        let (tokens, store_expects) = {
            let state = self.state();
            if !state.unpersisted {
                return Ok(());
            }
            (state.tokens.clone(), state.store_expects.clone())
        };
        if let (Some(store), Some(expected)) = (&self.store, store_expects) {
            if !store
                .compare_and_swap(&expected, &tokens)
                .map_err(Error::from_store)?
            {
                return Err(Error::new(
                    ErrorKind::Internal,
                    "the token store changed while this process held its lock",
                ));
            }
            self.state().store_expects = None;
        }
        if let Some(hook) = &self.hook {
            hook(&tokens).map_err(|e| {
                let what = quoted(e.as_ref())
                    .unwrap_or_else(|| "its error is this error's source".to_owned());
                let kind = if store::is_timeout(e.as_ref()) {
                    ErrorKind::Timeout
                } else {
                    ErrorKind::Internal
                };
                Error::new(
                    kind,
                    format!(
                        "the tokens-refreshed hook failed ({what}); the refreshed tokens are kept in memory and handed to it again on the next call"
                    ),
                )
                .with_boxed_source(e)
            })?;
        }
        self.state().unpersisted = false;
        Ok(())
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The client id, for Debug output.
    pub(crate) fn client_id(&self) -> &str {
        &self.client_id
    }
}

impl State {
    fn bearer(&self) -> Result<Bearer> {
        Ok(Bearer {
            header: bearer_header(&self.tokens.access_token)?,
            generation: self.generation,
        })
    }
}

/// The single-flight lock of refreshes, safe across `fork()`: its holder is recorded as a
/// process id, and a child made while a thread of its parent held it (that thread does not
/// exist in the child) finds it free instead of waiting for the call's deadline.
struct FlightLock {
    /// 0 when free, else the holding process's id.
    holder: AtomicU32,
}

/// A held [`FlightLock`], released when dropped.
struct Flight<'a>(&'a FlightLock);

impl FlightLock {
    fn new() -> FlightLock {
        FlightLock {
            holder: AtomicU32::new(0),
        }
    }

    /// Takes the lock, waiting at most `wait` (a refresh or hook that hangs must not hang
    /// every other call forever).
    fn lock_within(&self, wait: Duration) -> Result<Flight<'_>> {
        let me = std::process::id();
        let started = Instant::now();
        loop {
            let holder = self.holder.load(Ordering::Acquire);
            // Free (0), or held by a thread of the process this one was forked from.
            if holder != me
                && self
                    .holder
                    .compare_exchange(holder, me, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
            {
                return Ok(Flight(self));
            }
            if started.elapsed() >= wait {
                return Err(Error::new(
                    ErrorKind::Timeout,
                    "waited for another thread's token refresh until the call's deadline",
                ));
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

impl Drop for Flight<'_> {
    fn drop(&mut self) {
        self.0.holder.store(0, Ordering::Release);
    }
}

fn bearer_header(token: &Secret) -> Result<HeaderValue> {
    secret::bearer("oauth access token", token.expose())
}
