//! JavaScript callbacks the core calls from its worker threads: the `onTokensRefreshed`
//! hook and a token store written in JavaScript.
//!
//! Both go through one JavaScript function, `host(name, json) -> Promise<string>`, called
//! through a thread-safe function; the worker thread waits for the Promise to settle (the
//! JS thread is never blocked, so it can run the callback meanwhile), no longer than the
//! deadline of the call the core runs the callback in.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use napi::Status;
use napi::bindgen_prelude::{FnArgs, Function, Promise};
use napi::threadsafe_function::ThreadsafeFunction;
use pleo_installations::Secret;
use pleo_installations::oauth::{
    CallbackTimeout, LockTimeout, OAuthTokens, StoreError, TokenStore, callback_deadline,
};
use serde_json::{Value, json};

/// `host(name, json)`: async on the JS side (so it never throws synchronously), and weak,
/// so that a client alone does not keep the process alive.
type HostFunction = ThreadsafeFunction<
    FnArgs<(String, String)>,
    Promise<String>,
    FnArgs<(String, String)>,
    Status,
    false,
    true,
>;

/// A JavaScript callback's failure. Its text is only the mark the JS layer gave the
/// JavaScript error (never the error's own text, which may hold a secret); the rejection
/// of the failed call carries the mark, and the JS layer attaches that error as `cause`.
#[derive(Debug)]
pub(crate) struct CallbackFailed(String);

impl std::fmt::Display for CallbackFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CallbackFailed {}

/// How every rejection of `host` begins: the JS layer rejects only with the mark of the
/// JavaScript error (see `CallbackFailures` in lib/errors.js).
const JS_FAILURE_MARK: &str = "[js-callback-error ";

/// How long a callback is waited for when the core sets no deadline (it sets one around
/// every hook and store call; this is a backstop): a lock release, and every other callback
/// beyond its own wait.
const WITHOUT_DEADLINE: Duration = Duration::from_secs(1);

/// The JavaScript function as the constructor receives it.
pub(crate) type HostArgument<'a> = Function<'a, FnArgs<(String, String)>, Promise<String>>;

/// The JavaScript side of a client's callbacks.
pub(crate) struct Host {
    function: HostFunction,
}

impl Host {
    /// Wraps `host` so that any thread can call it.
    pub(crate) fn new(
        host: &Function<FnArgs<(String, String)>, Promise<String>>,
    ) -> napi::Result<Host> {
        let function = host
            .build_threadsafe_function()
            .callee_handled::<false>()
            .weak::<true>()
            .build()?;
        Ok(Host { function })
    }

    /// Calls `host(name, argument)` and waits for its Promise until the call's deadline
    /// (else `without_deadline`): a rejection becomes a [`CallbackFailed`] carrying the mark
    /// of the JavaScript error, a Promise still pending (or collected unsettled) a
    /// [`CallbackTimeout`]. The callback
    /// is queued before any waiting, so it runs even when no time is left (a lock is still
    /// released); a Promise that settles later is ignored.
    fn call(
        &self,
        name: &str,
        argument: String,
        without_deadline: Duration,
    ) -> Result<String, StoreError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            format!("{name}: a JavaScript callback called outside the SDK's worker threads")
        })?;
        let started = Instant::now();
        let deadline = callback_deadline().or_else(|| started.checked_add(without_deadline));
        let reply = async {
            let settled = async {
                self.function
                    .call_async((name.to_owned(), argument).into())
                    .await?
                    .await
            };
            match settled.await {
                // Unmarked, the failure is napi's: the call could not be delivered, or the
                // Promise was garbage-collected unsettled. Either way it never settles, and
                // ends as one that is still pending: at the deadline.
                Err(e) if !e.reason.starts_with(JS_FAILURE_MARK) => std::future::pending().await,
                settled => settled,
            }
        };
        let settled = match deadline {
            // `timeout_at` polls `reply` (which queues the call) before it looks at the clock.
            Some(deadline) => runtime
                .block_on(tokio::time::timeout_at(deadline.into(), reply))
                .map_err(|_| {
                    let waited = deadline.saturating_duration_since(started);
                    Box::new(CallbackTimeout(waited)) as StoreError
                })?,
            // Only a lock wait too long to add to the clock: waited for as asked.
            None => runtime.block_on(reply),
        };
        settled.map_err(|e| Box::new(CallbackFailed(e.reason)) as StoreError)
    }

    /// Hands refreshed tokens to the `onTokensRefreshed` callback.
    pub(crate) fn tokens_refreshed(&self, tokens: &OAuthTokens) -> Result<(), StoreError> {
        self.call(
            "tokensRefreshed",
            tokens.to_json().to_string(),
            WITHOUT_DEADLINE,
        )
        .map(drop)
    }
}

/// A [`TokenStore`] implemented in JavaScript (`load`, `lock`, `compareAndSwap`).
pub(crate) struct JsTokenStore {
    host: Arc<Host>,
    /// The id of the next lock asked for.
    next_lock: AtomicU64,
}

impl JsTokenStore {
    pub(crate) fn new(host: Arc<Host>) -> JsTokenStore {
        JsTokenStore {
            host,
            next_lock: AtomicU64::new(1),
        }
    }
}

/// A lock asked of the JavaScript store, released (by its id) when dropped: once the lock is
/// taken, or, when `lock()` was given up on, as soon as it is (a no-op when it never is).
struct StoreLock {
    host: Arc<Host>,
    id: String,
}

impl Drop for StoreLock {
    fn drop(&mut self) {
        // Waited for until the call's deadline (else WITHOUT_DEADLINE), and queued even
        // when it has passed. A failed or late release cannot be reported from here; the JS
        // layer logs nothing either, the store's own lock expiry (if it has one) is the remedy.
        let id = std::mem::take(&mut self.id);
        let _ = self.host.call("store.unlock", id, WITHOUT_DEADLINE);
    }
}

impl TokenStore for JsTokenStore {
    fn load(&self) -> Result<Option<OAuthTokens>, StoreError> {
        let answer = self
            .host
            .call("store.load", "null".to_owned(), WITHOUT_DEADLINE)?;
        let answer: Value = serde_json::from_str(&answer)?;
        if answer.is_null() {
            return Ok(None);
        }
        Ok(Some(OAuthTokens::from_json(&answer)?))
    }

    fn lock(&self, wait: Duration) -> Result<Box<dyn Send + '_>, StoreError> {
        let wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
        // Every path out of here drops or returns `lock`: a lock the store takes after the
        // wait for it timed out is released, not held until the store's own expiry.
        let lock = StoreLock {
            host: Arc::clone(&self.host),
            id: self.next_lock.fetch_add(1, Ordering::Relaxed).to_string(),
        };
        let request = json!({ "id": lock.id, "wait_ms": wait_ms });
        let answer = self.host.call(
            "store.lock",
            request.to_string(),
            wait.saturating_add(WITHOUT_DEADLINE),
        )?;
        if answer == "null" {
            return Err(Box::new(LockTimeout(wait)));
        }
        Ok(Box::new(lock))
    }

    fn compare_and_swap(
        &self,
        expected: &Secret,
        tokens: &OAuthTokens,
    ) -> Result<bool, StoreError> {
        let request = json!({ "expected": expected.expose(), "tokens": tokens.to_json() });
        let answer = self.host.call(
            "store.compareAndSwap",
            request.to_string(),
            WITHOUT_DEADLINE,
        )?;
        Ok(serde_json::from_str::<bool>(&answer)?)
    }
}
