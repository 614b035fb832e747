//! JavaScript callbacks the core calls from its worker threads: the `onTokensRefreshed`
//! hook and a token store written in JavaScript.
//!
//! Both go through one JavaScript function, `host(name, json) -> Promise<string>`, called
//! through a thread-safe function; the worker thread waits for the Promise to settle (the
//! JS thread is never blocked, so it can run the callback meanwhile).

use std::sync::Arc;
use std::time::Duration;

use napi::Status;
use napi::bindgen_prelude::{FnArgs, Function, Promise};
use napi::threadsafe_function::ThreadsafeFunction;
use pleo_installations::Secret;
use pleo_installations::oauth::{LockTimeout, OAuthTokens, StoreError, TokenStore};
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

    /// Calls `host(name, argument)` and waits for its Promise; a rejection becomes a
    /// [`CallbackFailed`] carrying the mark of the JavaScript error.
    fn call(&self, name: &str, argument: String) -> Result<String, StoreError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            format!("{name}: a JavaScript callback called outside the SDK's worker threads")
        })?;
        runtime
            .block_on(async {
                self.function
                    .call_async((name.to_owned(), argument).into())
                    .await?
                    .await
            })
            .map_err(|e| Box::new(CallbackFailed(e.reason)) as StoreError)
    }

    /// Hands refreshed tokens to the `onTokensRefreshed` callback.
    pub(crate) fn tokens_refreshed(&self, tokens: &OAuthTokens) -> Result<(), StoreError> {
        self.call("tokensRefreshed", tokens.to_json().to_string())
            .map(drop)
    }
}

/// A [`TokenStore`] implemented in JavaScript (`load`, `lock`, `compareAndSwap`).
pub(crate) struct JsTokenStore {
    host: Arc<Host>,
}

impl JsTokenStore {
    pub(crate) fn new(host: Arc<Host>) -> JsTokenStore {
        JsTokenStore { host }
    }
}

/// A lock held in the JavaScript store, released (by its id) when dropped.
struct StoreLock {
    host: Arc<Host>,
    id: String,
}

impl Drop for StoreLock {
    fn drop(&mut self) {
        // A failed release cannot be reported from here; the JS layer logs nothing either,
        // the store's own lock expiry (if it has one) is the remedy.
        let _ = self.host.call("store.unlock", std::mem::take(&mut self.id));
    }
}

impl TokenStore for JsTokenStore {
    fn load(&self) -> Result<Option<OAuthTokens>, StoreError> {
        let answer: Value =
            serde_json::from_str(&self.host.call("store.load", "null".to_owned())?)?;
        if answer.is_null() {
            return Ok(None);
        }
        Ok(Some(OAuthTokens::from_json(&answer)?))
    }

    fn lock(&self, wait: Duration) -> Result<Box<dyn Send + '_>, StoreError> {
        let wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
        let id = self.host.call("store.lock", wait_ms.to_string())?;
        if id == "null" {
            return Err(Box::new(LockTimeout(wait)));
        }
        Ok(Box::new(StoreLock {
            host: Arc::clone(&self.host),
            id,
        }))
    }

    fn compare_and_swap(
        &self,
        expected: &Secret,
        tokens: &OAuthTokens,
    ) -> Result<bool, StoreError> {
        let request = json!({ "expected": expected.expose(), "tokens": tokens.to_json() });
        let answer = self
            .host
            .call("store.compareAndSwap", request.to_string())?;
        Ok(serde_json::from_str::<bool>(&answer)?)
    }
}
