//! `pleo_oauth_call`: the OAuth code flow's helpers (authorization URL, code exchange, PKCE).

use std::ffi::c_char;

use pleo_installations::oauth;

use super::boundary::boundary;
use super::status::pleo_status;
use super::strings::{c_str, out_slot, owned, text};

/// Calls an OAuth helper by name, JSON in and out:
/// - `"authorizationUrl"`: `{client_id, redirect_uri, scopes?, state?}` → `{url,
///   code_verifier, state}`: send the user to `url`, keep `code_verifier` and `state`;
/// - `"exchangeCode"`: `{client_id, client_secret, code, code_verifier, redirect_uri}` →
///   `{access_token, refresh_token, expires_at}` (sends a request; blocks);
/// - `"codeChallenge"`: `{code_verifier}` → `{code_challenge}`;
/// - `"newCodeVerifier"`: `{}` → `{code_verifier}`.
///
/// The first two also take where the endpoints are: `environment` (`"production"`, the
/// default, or `"staging"`), `base_url` (an API URL, such as the emulator's), or
/// `authorize_url` / `token_url`.
///
/// @param function      NUL-terminated name, as above; borrowed.
/// @param request_json  NUL-terminated JSON object; borrowed.
/// @param out_json      receives the result JSON on success, NULL on failure; free it
///                      with `pleo_string_free`. It may hold secrets.
/// @param error_json    NULL, or receives NULL on success and the error JSON on failure.
/// @return `PLEO_STATUS_OK` or the status of the error's kind (an unknown function is
///         `PLEO_STATUS_INVALID_ARGUMENT`).
///
/// Thread-safe.
///
/// # Safety
/// Each pointer is NULL or valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pleo_oauth_call(
    function: *const c_char,
    request_json: *const c_char,
    out_json: *mut *mut c_char,
    error_json: *mut *mut c_char,
) -> pleo_status {
    // SAFETY: per this export's contract, `function` and `request_json` are NULL or
    // NUL-terminated, and `out_json` NULL or writable storage for one pointer, all for the
    // whole call.
    let (function, request, out) =
        unsafe { (c_str(function), c_str(request_json), out_json.as_mut()) };
    boundary("pleo_oauth_call", error_json, || {
        let out = out_slot(out, "out_json")?;
        let (function, request) = (text(function, "function")?, text(request, "request_json")?);
        *out = owned(oauth::call_json(function, request)?);
        Ok(())
    })
}
