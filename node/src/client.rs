//! The native client: the core's `Client`, built from the JSON configuration.

use std::sync::Arc;

use napi::Env;
use napi::bindgen_prelude::{PromiseRaw, spawn_blocking};
use napi_derive::napi;
use pleo_installations::{Client, ClientBuilder};

use crate::callbacks::{Host, HostArgument, JsTokenStore};
use crate::{off_thread, rejection};

/// A client of the Installations API; `callJson` resolves with the result's JSON or
/// rejects with the error's JSON as message.
#[napi]
pub struct NativeClient {
    inner: Client,
}

/// The builder for a configuration (unset credential and base URL filled from `PLEO_*`
/// environment variables, see [`ClientBuilder::env_fallbacks`]) and the callbacks `host`
/// implements.
fn builder(
    config_json: &str,
    host: Option<HostArgument<'_>>,
    on_tokens_refreshed: bool,
    token_store: bool,
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
    Ok(builder)
}

#[napi]
impl NativeClient {
    /// Builds a client from the configuration JSON. `host(name, json)` answers the core's
    /// callbacks (`tokensRefreshed`, and the `store.*` methods); `onTokensRefreshed` and
    /// `tokenStore` tell which of them it implements. Not with a token store: building
    /// reads the store, which needs the JS thread free (use `create`).
    #[napi(constructor, catch_unwind)]
    pub fn new(
        config_json: String,
        #[napi(
            ts_arg_type = "((name: string, json: string) => Promise<string>) | undefined | null"
        )]
        host: Option<HostArgument<'_>>,
        on_tokens_refreshed: bool,
    ) -> napi::Result<Self> {
        let inner = builder(&config_json, host, on_tokens_refreshed, false)?
            .build()
            .map_err(rejection)?;
        Ok(NativeClient { inner })
    }

    /// Builds a client off the JS thread, as a token store needs (building seeds the store).
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
    ) -> napi::Result<PromiseRaw<'env, NativeClient>> {
        let builder = builder(&config_json, host, on_tokens_refreshed, token_store)?;
        env.spawn_future(async move {
            let inner = spawn_blocking(move || builder.build())
                .await
                .map_err(|e| napi::Error::from_reason(format!("building the client failed: {e}")))?
                .map_err(rejection)?;
            Ok(NativeClient { inner })
        })
    }

    /// Calls an operation (or `waitForStatus` / `refreshTokens`) by id, off the JS thread.
    #[napi(catch_unwind)]
    pub async fn call_json(
        &self,
        operation_id: String,
        request_json: String,
    ) -> napi::Result<String> {
        let client = self.inner.clone();
        off_thread(move || client.call_json(&operation_id, &request_json)).await
    }
}
