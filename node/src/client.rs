//! The native client: the core's `Client`, built from the JSON configuration.

use std::sync::{Arc, Mutex, PoisonError};

use napi::Env;
use napi::bindgen_prelude::{Object, PromiseRaw, spawn_blocking};
use napi_derive::napi;
use pleo_installations::{AsyncClient, CallHandle, ClientBuilder};

use crate::callbacks::{Host, HostArgument, JsTokenStore};
use crate::logs::{DeliverArgument, deliver_events};
use crate::rejection;

/// A client of the Installations API; `callJson` resolves with the result's JSON or
/// rejects with the error's JSON as message.
#[napi]
pub struct NativeClient {
    inner: AsyncClient,
}

/// What cancels one call: made before the call, so that an `AbortSignal` can be wired to
/// it, and handed to `callJson`.
#[napi]
#[derive(Default)]
pub struct NativeCall {
    state: Mutex<CallState>,
}

#[derive(Default)]
enum CallState {
    /// Not started, not cancelled.
    #[default]
    Idle,
    /// Started: its handle.
    Started(CallHandle),
    /// Cancelled (before or after it started).
    Cancelled,
}

#[napi]
impl NativeCall {
    /// A handle for one call.
    #[napi(constructor, catch_unwind)]
    pub fn new() -> Self {
        NativeCall::default()
    }

    /// Cancels the call: it rejects with kind `cancelled` at once, its request abandoned.
    #[napi(catch_unwind)]
    pub fn cancel(&self) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let CallState::Started(handle) = std::mem::replace(&mut *state, CallState::Cancelled) {
            handle.cancel();
        }
    }

    /// Records the started call's handle; a call cancelled before it started is cancelled now.
    fn started(&self, handle: CallHandle) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        match *state {
            CallState::Cancelled => handle.cancel(),
            _ => *state = CallState::Started(handle),
        }
    }
}

/// The builder for a configuration (unset credential and base URL filled from `PLEO_*`
/// environment variables, see [`ClientBuilder::env_fallbacks`]), the callbacks `host`
/// implements, and where its events go: `deliver` up to `log_level`, when both are given.
fn builder(
    config_json: &str,
    host: Option<HostArgument<'_>>,
    on_tokens_refreshed: bool,
    token_store: bool,
    logs: (Option<String>, Option<DeliverArgument<'_>>),
) -> napi::Result<ClientBuilder> {
    let mut builder = ClientBuilder::from_json(config_json)
        .map_err(rejection)?
        .env_fallbacks()
        .sdk_component(concat!(
            "pleo-installations-node/",
            env!("CARGO_PKG_VERSION")
        ));
    if let Some(host) = host {
        let host = Arc::new(Host::new(&host)?);
        if on_tokens_refreshed {
            let hook_host = Arc::clone(&host);
            builder = builder.on_tokens_refreshed(move |tokens| hook_host.tokens_refreshed(tokens));
        }
        if token_store {
            builder = builder.token_store(Arc::new(JsTokenStore::new(host)));
        }
    }
    if let (Some(level), Some(deliver)) = logs {
        builder = deliver_events(builder, &level, &deliver)?;
    }
    Ok(builder)
}

#[napi]
impl NativeClient {
    /// Builds a client from the configuration JSON. `host(name, json)` answers the core's
    /// callbacks (`tokensRefreshed`, and the `store.*` methods); `onTokensRefreshed` and
    /// `tokenStore` tell which of them it implements. Not with a token store: building
    /// reads the store, which needs the JS thread free (use `create`). With `logLevel`
    /// (`debug`, `info`, `warn` or `error`), `deliver(level, line)` receives the events up
    /// to that level on the JS thread; it must not throw.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        config_json: String,
        #[napi(
            ts_arg_type = "((name: string, json: string) => Promise<string>) | undefined | null"
        )]
        host: Option<HostArgument<'_>>,
        on_tokens_refreshed: bool,
        log_level: Option<String>,
        #[napi(ts_arg_type = "((level: string, line: string) => void) | undefined | null")]
        deliver: Option<DeliverArgument<'_>>,
    ) -> napi::Result<Self> {
        let logs = (log_level, deliver);
        let inner = builder(&config_json, host, on_tokens_refreshed, false, logs)?
            .build_async()
            .map_err(rejection)?;
        Ok(NativeClient { inner })
    }

    /// Builds a client off the JS thread, as a token store needs (building seeds the store);
    /// the arguments as the constructor's.
    #[napi(catch_unwind, ts_return_type = "Promise<NativeClient>")]
    pub fn create<'env>(
        env: &'env Env,
        config_json: String,
        #[napi(
            ts_arg_type = "((name: string, json: string) => Promise<string>) | undefined | null"
        )]
        host: Option<HostArgument<'_>>,
        on_tokens_refreshed: bool,
        token_store: bool,
        log_level: Option<String>,
        #[napi(ts_arg_type = "((level: string, line: string) => void) | undefined | null")]
        deliver: Option<DeliverArgument<'_>>,
    ) -> napi::Result<PromiseRaw<'env, NativeClient>> {
        let logs = (log_level, deliver);
        let builder = builder(&config_json, host, on_tokens_refreshed, token_store, logs)?;
        env.spawn_future(async move {
            let inner = spawn_blocking(move || builder.build_async())
                .await
                .map_err(|e| napi::Error::from_reason(format!("building the client failed: {e}")))?
                .map_err(rejection)?;
            Ok(NativeClient { inner })
        })
    }

    /// Calls an operation (or `waitForStatus` / `refreshTokens`) by id on the SDK's runtime
    /// (no thread of its own, the JS thread never blocked); `call` cancels it.
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn call_json<'env>(
        &self,
        env: &'env Env,
        operation_id: String,
        request_json: String,
        call: Option<&NativeCall>,
    ) -> napi::Result<Object<'env>> {
        let (deferred, promise) = env.create_deferred()?;
        let handle =
            self.inner
                .start_json(&operation_id, &request_json, move |result| match result {
                    Ok(json) => deferred.resolve(move |_| Ok(json)),
                    Err(error) => deferred.reject(rejection(error)),
                });
        if let Some(call) = call {
            call.started(handle);
        }
        Ok(promise)
    }
}
