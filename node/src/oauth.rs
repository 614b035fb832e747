//! The OAuth helpers (`authorizationUrl`, `exchangeCode`, `codeChallenge`, `newCodeVerifier`).

use napi_derive::napi;

use crate::off_thread;

/// Calls one OAuth helper with its JSON request, off the JS thread (`exchangeCode` goes to
/// the network).
// napi-derive registers exports only outside cfg(test), which clippy's test pass sees as unused.
#[cfg_attr(test, allow(dead_code))]
#[napi(catch_unwind)]
pub async fn oauth_call(name: String, request_json: String) -> napi::Result<String> {
    off_thread(move || pleo_installations::oauth::call_json(&name, &request_json)).await
}
