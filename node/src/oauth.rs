//! The OAuth helpers (`authorizationUrl`, `exchangeCode`, `codeChallenge`, `newCodeVerifier`).

use napi::bindgen_prelude::spawn_blocking;
use napi_derive::napi;
use pleo_installations::Error;

use crate::rejection;

/// Calls one OAuth helper with its JSON request, off the JS thread (`exchangeCode` goes to
/// the network).
// napi-derive registers exports only outside cfg(test), which clippy's test pass sees as unused.
#[cfg_attr(test, allow(dead_code))]
#[napi(catch_unwind)]
pub async fn oauth_call(name: String, request_json: String) -> napi::Result<String> {
    off_thread(move || pleo_installations::oauth::call_json(&name, &request_json)).await
}

/// Runs blocking `work` (an OAuth code exchange) on napi's blocking pool and turns a core
/// error into a rejection whose message is the error's JSON.
async fn off_thread(
    work: impl FnOnce() -> Result<String, Error> + Send + 'static,
) -> napi::Result<String> {
    spawn_blocking(work)
        .await
        .map_err(|e| napi::Error::from_reason(format!("the SDK's worker thread failed: {e}")))?
        .map_err(rejection)
}
