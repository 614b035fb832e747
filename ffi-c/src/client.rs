//! `pleo_client` and one export per operation, each a line over the core's JSON door.

use std::ffi::{CStr, c_char};

use pleo_installations::{Client, ClientBuilder, Operation, VERSION};
use serde_json::json;

use super::boundary::{Failure, boundary, guard};
use super::hooks::pleo_hooks;
use super::status::pleo_status;
use super::strings::{c_str, out_slot, owned, text};

/// A client of the Installations API (opaque). Safe to share between threads: any number
/// of threads may call it at once. Create it with `pleo_client_new`, free it once with
/// `pleo_client_free` after every call on it has returned.
pub struct pleo_client {
    client: Client,
}

/// Creates a client from the JSON configuration (see the README: `base_url` or
/// `environment`, one of `api_key` / `access_token` / `oauth`, timeouts, `max_retries`,
/// `user_agent`, `ca_bundle`, `proxy`; unknown keys are refused). Sends nothing and reads no
/// certificate: the CA store is read once per process, on the first `https` call.
///
/// @param config_json  NUL-terminated UTF-8 JSON object; borrowed for the call only.
/// @param client       receives the new client on success (free it with `pleo_client_free`),
///                     NULL on failure.
/// @param error_json   NULL, or receives NULL on success and the error JSON on failure
///                     (free it with `pleo_string_free`).
/// @return `PLEO_STATUS_OK`; `PLEO_STATUS_INVALID_ARGUMENT` for a bad configuration;
///         `PLEO_STATUS_NULL_ARGUMENT` when `config_json` or `client` is NULL.
///
/// Thread-safe.
///
/// # Safety
/// Each pointer is NULL or valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pleo_client_new(
    config_json: *const c_char,
    client: *mut *mut pleo_client,
    error_json: *mut *mut c_char,
) -> pleo_status {
    // SAFETY: per this export's contract, `config_json` is NULL or NUL-terminated and
    // `client` NULL or writable storage for one pointer, both for the whole call.
    let (config, out) = unsafe { (c_str(config_json), client.as_mut()) };
    boundary("pleo_client_new", error_json, || build(config, None, out))
}

/// Creates a client like `pleo_client_new`, with OAuth hooks: a callback run after every
/// token refresh and, optionally, a token store shared with other processes.
///
/// @param config_json  as for `pleo_client_new`; a `tokens_refreshed` hook or a token store
///                     needs its `oauth` object (they would never be called otherwise).
/// @param hooks        the hooks; copied, so it may be freed after the call (the
///                     `user_data` pointers in it must stay valid while the client lives).
/// @param client       receives the new client on success, NULL on failure.
/// @param error_json   NULL, or receives NULL on success and the error JSON on failure.
/// @return as for `pleo_client_new`; `PLEO_STATUS_INVALID_ARGUMENT` also for a hook or a
///         token store without `oauth`; `PLEO_STATUS_NULL_ARGUMENT` also when `hooks`, or
///         one of a token store's callbacks, is NULL.
///
/// Thread-safe.
///
/// # Safety
/// Each pointer is NULL or valid as described; the callbacks in `hooks` follow the
/// contract documented on `pleo_hooks`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pleo_client_new_with_hooks(
    config_json: *const c_char,
    hooks: *const pleo_hooks,
    client: *mut *mut pleo_client,
    error_json: *mut *mut c_char,
) -> pleo_status {
    // SAFETY: per this export's contract, `config_json` is NULL or NUL-terminated, `hooks`
    // NULL or a valid `pleo_hooks`, and `client` NULL or writable storage for one pointer,
    // all for the whole call.
    let (config, hooks, out) = unsafe { (c_str(config_json), hooks.as_ref(), client.as_mut()) };
    boundary("pleo_client_new_with_hooks", error_json, || {
        build(config, Some(hooks), out)
    })
}

/// Frees a client and its connections. NULL is ignored.
///
/// # Safety
/// `client` is NULL or a client from `pleo_client_new` not freed yet; no call on it may be
/// running or start afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pleo_client_free(client: *mut pleo_client) {
    if !client.is_null() {
        // SAFETY: per this export's contract, `client` came from `build`'s `Box::into_raw`
        // and is freed once, with no call running on it.
        guard((), || drop(unsafe { Box::from_raw(client) }));
    }
}

/// Cancels every call of `client` in flight now, from any thread (a connector shutting down
/// need not wait for their timeouts): each returns `PLEO_STATUS_CANCELLED` at once, its
/// request abandoned (the server may still have received it). Calls started afterwards run
/// as usual. Returns at once; NULL is ignored.
///
/// Thread-safe. Free the client only once every cancelled call has returned.
///
/// # Safety
/// `client` is NULL or a client from `pleo_client_new` not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pleo_client_cancel(client: *const pleo_client) {
    // SAFETY: per this export's contract, `client` is NULL or a live client.
    if let Some(client) = unsafe { client.as_ref() } {
        guard((), || client.client.cancel_all());
    }
}

/// Calls any operation by its OpenAPI operationId (or the SDK's `waitForStatus` and
/// `refreshTokens`), JSON in and out.
///
/// @param client        the client; borrowed.
/// @param operation_id  NUL-terminated, e.g. `"getClientInstallation"`; borrowed.
/// @param request_json  the query parameters and body as one JSON object with the API's
///                      field names (`company_id`, `status`, `metadata`, `errorCode`);
///                      `"{}"` when the operation takes nothing; borrowed.
/// @param out_json      receives the result JSON on success (`"null"` for 204), NULL on
///                      failure; free it with `pleo_string_free`.
/// @param error_json    NULL, or receives NULL on success and the error JSON on failure
///                      (`kind`, `message`, `status`, `request_id`, `retryable`, `attempts`,
///                      `body`, `retry_after`); free it with `pleo_string_free`.
/// @return `PLEO_STATUS_OK` or the status of the error's kind; an unknown operation, bad
///         JSON or invalid UTF-8 is `PLEO_STATUS_INVALID_ARGUMENT`; a NULL `client`,
///         `operation_id`, `request_json` or `out_json` is `PLEO_STATUS_NULL_ARGUMENT`.
///
/// Thread-safe: blocks the calling thread until the call, its retries included, ends.
///
/// # Safety
/// Each pointer is NULL or valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pleo_client_call(
    client: *const pleo_client,
    operation_id: *const c_char,
    request_json: *const c_char,
    out_json: *mut *mut c_char,
    error_json: *mut *mut c_char,
) -> pleo_status {
    // SAFETY: per this export's contract, `client` is NULL or a live client,
    // `operation_id` and `request_json` NULL or NUL-terminated, and `out_json` NULL or
    // writable storage for one pointer, all for the whole call.
    let (client, operation_id, request, out) = unsafe {
        (
            client.as_ref(),
            c_str(operation_id),
            c_str(request_json),
            out_json.as_mut(),
        )
    };
    respond("pleo_client_call", error_json, client, out, |client| {
        let operation_id = text(operation_id, "operation_id")?;
        Ok(client.call_json(operation_id, text(request, "request_json")?)?)
    })
}

/// `GET /v1/installations/me`: the installation of the credential's company, or of another.
///
/// @param client        the client; borrowed.
/// @param request_json  `{}`, or `{"company_id": "<uuid>"}`; borrowed.
/// @param out_json      receives the installation JSON on success, NULL on failure; free it with
///                      `pleo_string_free`.
/// @param error_json    NULL, or receives NULL on success and the error JSON on failure;
///                      free it with `pleo_string_free`.
/// @return `PLEO_STATUS_OK` or the status of the error's kind, as for `pleo_client_call`.
///
/// Thread-safe: any number of threads may call one client at once.
///
/// # Safety
/// As for `pleo_client_call`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pleo_get_installation(
    client: *const pleo_client,
    request_json: *const c_char,
    out_json: *mut *mut c_char,
    error_json: *mut *mut c_char,
) -> pleo_status {
    // SAFETY: per this export's contract, `client` is NULL or a live client, `request_json`
    // NULL or NUL-terminated, and `out_json` NULL or writable storage for one pointer, all
    // for the whole call.
    let (client, request, out) =
        unsafe { (client.as_ref(), c_str(request_json), out_json.as_mut()) };
    with_request(
        "pleo_get_installation",
        Operation::GetInstallation,
        error_json,
        client,
        request,
        out,
    )
}

/// `POST /v1/installations/me`: creates the installation (`ACTIVATED` unless a status is given).
///
/// @param client        the client; borrowed.
/// @param request_json  `{"status"?, "metadata"?}`, `{}` for the defaults; borrowed.
/// @param out_json      receives the installation JSON on success, NULL on failure; free it with
///                      `pleo_string_free`.
/// @param error_json    NULL, or receives NULL on success and the error JSON on failure;
///                      free it with `pleo_string_free`.
/// @return `PLEO_STATUS_OK` or the status of the error's kind, as for `pleo_client_call`.
///
/// Thread-safe: any number of threads may call one client at once.
///
/// # Safety
/// As for `pleo_client_call`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pleo_create_installation(
    client: *const pleo_client,
    request_json: *const c_char,
    out_json: *mut *mut c_char,
    error_json: *mut *mut c_char,
) -> pleo_status {
    // SAFETY: per this export's contract, `client` is NULL or a live client, `request_json`
    // NULL or NUL-terminated, and `out_json` NULL or writable storage for one pointer, all
    // for the whole call.
    let (client, request, out) =
        unsafe { (client.as_ref(), c_str(request_json), out_json.as_mut()) };
    with_request(
        "pleo_create_installation",
        Operation::CreateInstallation,
        error_json,
        client,
        request,
        out,
    )
}

/// `PUT /v1/installations/me`: updates the installation.
///
/// @param client        the client; borrowed.
/// @param request_json  `{"status", "metadata"?, "errorCode"?}`; borrowed.
/// @param out_json      receives the installation JSON on success, NULL on failure; free it with
///                      `pleo_string_free`.
/// @param error_json    NULL, or receives NULL on success and the error JSON on failure;
///                      free it with `pleo_string_free`.
/// @return `PLEO_STATUS_OK` or the status of the error's kind, as for `pleo_client_call`.
///
/// Thread-safe: any number of threads may call one client at once.
///
/// # Safety
/// As for `pleo_client_call`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pleo_update_installation(
    client: *const pleo_client,
    request_json: *const c_char,
    out_json: *mut *mut c_char,
    error_json: *mut *mut c_char,
) -> pleo_status {
    // SAFETY: per this export's contract, `client` is NULL or a live client, `request_json`
    // NULL or NUL-terminated, and `out_json` NULL or writable storage for one pointer, all
    // for the whole call.
    let (client, request, out) =
        unsafe { (client.as_ref(), c_str(request_json), out_json.as_mut()) };
    with_request(
        "pleo_update_installation",
        Operation::UpdateInstallation,
        error_json,
        client,
        request,
        out,
    )
}

/// `DELETE /v1/installations/me`: deletes the installation (and, with OAuth, revokes the
/// client's tokens).
///
/// @param client        the client; borrowed.
/// @param out_json      receives `"null"` on success, NULL on failure; free it with
///                      `pleo_string_free`.
/// @param error_json    NULL, or receives NULL on success and the error JSON on failure;
///                      free it with `pleo_string_free`.
/// @return `PLEO_STATUS_OK` or the status of the error's kind, as for `pleo_client_call`.
///
/// Thread-safe: any number of threads may call one client at once.
///
/// # Safety
/// As for `pleo_client_call`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pleo_delete_installation(
    client: *const pleo_client,
    out_json: *mut *mut c_char,
    error_json: *mut *mut c_char,
) -> pleo_status {
    // SAFETY: per this export's contract, `client` is NULL or a live client and `out_json`
    // NULL or writable storage for one pointer, both for the whole call.
    let (client, out) = unsafe { (client.as_ref(), out_json.as_mut()) };
    with_request(
        "pleo_delete_installation",
        Operation::DeleteInstallation,
        error_json,
        client,
        Some(c"{}"),
        out,
    )
}

/// `POST /v1/installations/me:activate`: activates the installation.
///
/// @param client        the client; borrowed.
/// @param out_json      receives the installation JSON on success, NULL on failure; free it with
///                      `pleo_string_free`.
/// @param error_json    NULL, or receives NULL on success and the error JSON on failure;
///                      free it with `pleo_string_free`.
/// @return `PLEO_STATUS_OK` or the status of the error's kind, as for `pleo_client_call`.
///
/// Thread-safe: any number of threads may call one client at once.
///
/// # Safety
/// As for `pleo_client_call`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pleo_activate_installation(
    client: *const pleo_client,
    out_json: *mut *mut c_char,
    error_json: *mut *mut c_char,
) -> pleo_status {
    // SAFETY: per this export's contract, `client` is NULL or a live client and `out_json`
    // NULL or writable storage for one pointer, both for the whole call.
    let (client, out) = unsafe { (client.as_ref(), out_json.as_mut()) };
    with_request(
        "pleo_activate_installation",
        Operation::ActivateInstallation,
        error_json,
        client,
        Some(c"{}"),
        out,
    )
}

/// `PUT /v1/installations/completions`: completes the installation. Deprecated by the API:
/// use `pleo_activate_installation`.
///
/// @param client        the client; borrowed.
/// @param out_json      receives the installation JSON on success, NULL on failure; free it with
///                      `pleo_string_free`.
/// @param error_json    NULL, or receives NULL on success and the error JSON on failure;
///                      free it with `pleo_string_free`.
/// @return `PLEO_STATUS_OK` or the status of the error's kind, as for `pleo_client_call`.
///
/// Thread-safe: any number of threads may call one client at once.
///
/// # Safety
/// As for `pleo_client_call`.
#[deprecated(note = "deprecated by the API: use pleo_activate_installation")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pleo_complete_installation(
    client: *const pleo_client,
    out_json: *mut *mut c_char,
    error_json: *mut *mut c_char,
) -> pleo_status {
    // SAFETY: per this export's contract, `client` is NULL or a live client and `out_json`
    // NULL or writable storage for one pointer, both for the whole call.
    let (client, out) = unsafe { (client.as_ref(), out_json.as_mut()) };
    with_request(
        "pleo_complete_installation",
        Operation::CompleteInstallation,
        error_json,
        client,
        Some(c"{}"),
        out,
    )
}

/// `GET /v1/introspect`: which credential is in use.
///
/// @param client        the client; borrowed.
/// @param out_json      receives the introspection JSON on success, NULL on failure; free it with
///                      `pleo_string_free`.
/// @param error_json    NULL, or receives NULL on success and the error JSON on failure;
///                      free it with `pleo_string_free`.
/// @return `PLEO_STATUS_OK` or the status of the error's kind, as for `pleo_client_call`.
///
/// Thread-safe: any number of threads may call one client at once.
///
/// # Safety
/// As for `pleo_client_call`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pleo_introspect(
    client: *const pleo_client,
    out_json: *mut *mut c_char,
    error_json: *mut *mut c_char,
) -> pleo_status {
    // SAFETY: per this export's contract, `client` is NULL or a live client and `out_json`
    // NULL or writable storage for one pointer, both for the whole call.
    let (client, out) = unsafe { (client.as_ref(), out_json.as_mut()) };
    with_request(
        "pleo_introspect",
        Operation::Introspect,
        error_json,
        client,
        Some(c"{}"),
        out,
    )
}

/// Polls the installation (250 ms doubling to 2 s) until its status is one of `statuses`,
/// waiting also for an installation that does not exist yet.
///
/// @param client        the client; borrowed.
/// @param statuses      `count` NUL-terminated status names, e.g. `"ACTIVATED"`; borrowed;
///                      NULL while `count` > 0, or a NULL element, is
///                      `PLEO_STATUS_NULL_ARGUMENT`; not read when `count` is 0.
/// @param count         how many; 0 is `PLEO_STATUS_INVALID_ARGUMENT` ("statuses is empty").
/// @param timeout_ms    how long to wait at most (then `PLEO_STATUS_TIMEOUT`).
/// @param out_json      receives the installation JSON on success, NULL on failure; free it with
///                      `pleo_string_free`.
/// @param error_json    NULL, or receives NULL on success and the error JSON on failure;
///                      free it with `pleo_string_free`.
/// @return `PLEO_STATUS_OK` or the status of the error's kind, as for `pleo_client_call`.
///
/// Thread-safe: any number of threads may call one client at once.
///
/// # Safety
/// As for `pleo_client_call`; `statuses` is NULL or points to `count` pointers (any
/// pointer when `count` is 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pleo_wait_for_status(
    client: *const pleo_client,
    statuses: *const *const c_char,
    count: usize,
    timeout_ms: u64,
    out_json: *mut *mut c_char,
    error_json: *mut *mut c_char,
) -> pleo_status {
    // With none to read, an empty list reaches the core, which names the mistake.
    let names: Vec<Option<&CStr>> = if statuses.is_null() {
        Vec::new()
    } else {
        (0..count)
            // SAFETY: per this export's contract, `statuses` points to `count` pointers, each
            // NULL or NUL-terminated for the whole call.
            .map(|i| unsafe { c_str(*statuses.add(i)) })
            .collect()
    };
    // SAFETY: per this export's contract, `client` is NULL or a live client and `out_json`
    // NULL or writable storage for one pointer, both for the whole call.
    let (client, out) = unsafe { (client.as_ref(), out_json.as_mut()) };
    respond("pleo_wait_for_status", error_json, client, out, |client| {
        if statuses.is_null() && count > 0 {
            return Err(Failure::Null("statuses".into()));
        }
        let names = names
            .iter()
            .enumerate()
            .map(|(i, name)| text(*name, &format!("statuses[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        let request = json!({ "statuses": names, "timeout_ms": timeout_ms });
        Ok(client.call_json(pleo_installations::WAIT_FOR_STATUS, &request.to_string())?)
    })
}

/// Builds the client of `pleo_client_new` (`hooks` None) or `pleo_client_new_with_hooks`
/// (`hooks` the hooks it was given, None when NULL) into `out`, which is set to NULL first.
fn build(
    config_json: Option<&CStr>,
    hooks: Option<Option<&pleo_hooks>>,
    out: Option<&mut *mut pleo_client>,
) -> Result<(), Failure> {
    let out = out_slot(out, "client")?;
    let config = text(config_json, "config_json")?;
    let mut builder =
        ClientBuilder::from_json(config)?.sdk_component(format!("pleo-installations-c/{VERSION}"));
    if let Some(hooks) = hooks {
        let hooks = hooks.ok_or_else(|| Failure::Null("hooks".into()))?;
        // SAFETY: the callbacks and token store of `hooks` follow the contract documented on
        // `pleo_hooks`, which `pleo_client_new_with_hooks` requires of its caller.
        builder = unsafe { hooks.install(builder) }?;
    }
    let client = builder.build()?;
    *out = Box::into_raw(Box::new(pleo_client { client }));
    Ok(())
}

/// Runs `call` on `client` for the export `name`, handing its result to `out`.
fn respond(
    name: &str,
    error_json: *mut *mut c_char,
    client: Option<&pleo_client>,
    out: Option<&mut *mut c_char>,
    call: impl FnOnce(&Client) -> Result<String, Failure>,
) -> pleo_status {
    boundary(name, error_json, || {
        let out = out_slot(out, "out_json")?;
        let client = client.ok_or_else(|| Failure::Null("client".into()))?;
        *out = owned(call(&client.client)?);
        Ok(())
    })
}

/// An operation with its request JSON (`request`, None when NULL was passed).
fn with_request(
    name: &str,
    operation: Operation,
    error_json: *mut *mut c_char,
    client: Option<&pleo_client>,
    request: Option<&CStr>,
    out: Option<&mut *mut c_char>,
) -> pleo_status {
    respond(name, error_json, client, out, |client| {
        let request = text(request, "request_json")?;
        Ok(client.call_json(operation.id(), request)?)
    })
}
