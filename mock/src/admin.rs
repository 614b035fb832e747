//! The admin HTTP API under `/__mock/`: control an emulator running in another process
//! (e.g. `pleo-installations mock`). No authentication; never journaled; never faulted.
//!
//! Reads that can be large (journal, installations, faults) take a snapshot under the
//! lock and serialise it on tokio's blocking pool ([`json_off_thread`]), so that neither
//! the lock nor the server's one thread is held while megabytes of JSON are written.

use std::time::Duration;

use hyper::{Method, StatusCode};
use serde::Serialize;
use serde_json::{Value, json};

use crate::emulator::Emulator;
use crate::faults::Fault;
use crate::response::{self, ApiError, HttpResponse};
use crate::state::SeedInstallation;

/// The prefix of every admin path; the real API has nothing under it.
pub(crate) const PREFIX: &str = "/__mock";

/// Whether `path` belongs to the admin API.
pub(crate) fn is_admin(path: &str) -> bool {
    path == PREFIX
        || path
            .strip_prefix(PREFIX)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Answers one admin request.
pub(crate) async fn handle(
    emulator: &Emulator,
    method: &Method,
    path: &str,
    body: &[u8],
) -> HttpResponse {
    let resource = path.strip_prefix(PREFIX).unwrap_or(path);
    let allow = match resource {
        "/health" => "GET",
        "/faults" | "/installations" => "GET, POST, DELETE",
        "/journal" => "GET, DELETE",
        "/journal/stats" => "GET",
        "/reset" | "/clock" | "/expire-access-tokens" | "/oauth/tokens" => "POST",
        "/oauth/stats" => "GET",
        _ => {
            return ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!(
                    "no admin route {method} {path}; the admin API has /__mock/health, /__mock/faults, \
                     /__mock/journal, /__mock/journal/stats, /__mock/installations, /__mock/reset, /__mock/clock, \
                     /__mock/expire-access-tokens, /__mock/oauth/stats and /__mock/oauth/tokens"
                ),
            )
            .into_response();
        }
    };
    let result = match (resource, method.clone()) {
        ("/health", Method::GET) => Ok(ok(&json!({"status": "ok"}))),
        ("/faults", Method::GET) => {
            let faults = emulator.faults().snapshot();
            Ok(
                json_off_thread(move || faults.iter().map(Fault::to_json).collect::<Vec<_>>())
                    .await,
            )
        }
        ("/faults", Method::POST) => push_faults(emulator, body),
        ("/faults", Method::DELETE) => {
            emulator.faults().clear();
            Ok(ok(&json!({"status": "ok"})))
        }
        ("/journal", Method::GET) => {
            let snapshot = emulator.journal().snapshot();
            Ok(json_off_thread(move || snapshot).await)
        }
        ("/journal/stats", Method::GET) => Ok(ok(&emulator.journal().stats())),
        ("/journal", Method::DELETE) => {
            emulator.journal().clear();
            Ok(ok(&json!({"status": "ok"})))
        }
        ("/installations", Method::GET) => {
            let installations = emulator.installations().list();
            Ok(json_off_thread(move || {
                installations
                    .into_iter()
                    .map(|(client_id, installation)| {
                        json!({"client_id": client_id, "installation": installation})
                    })
                    .collect::<Vec<_>>()
            })
            .await)
        }
        ("/installations", Method::POST) => seed(emulator, body),
        ("/installations", Method::DELETE) => {
            emulator.installations().clear();
            Ok(ok(&json!({"status": "ok"})))
        }
        ("/reset", Method::POST) => {
            emulator.reset();
            Ok(ok(&json!({"status": "ok"})))
        }
        ("/clock", Method::POST) => advance_clock(emulator, body),
        ("/expire-access-tokens", Method::POST) => {
            let expired = emulator.oauth().expire_access_tokens();
            Ok(ok(&json!({"expired": expired})))
        }
        ("/oauth/stats", Method::GET) => {
            let oauth = emulator.oauth();
            Ok(ok(&json!({
                "token_requests": oauth.token_requests(),
                "refreshes": oauth.refreshes(),
            })))
        }
        ("/oauth/tokens", Method::POST) => issue_tokens(emulator, body),
        _ => return crate::routes::method_not_allowed(method, path, allow),
    };
    result.unwrap_or_else(ApiError::into_response)
}

fn ok(value: &impl Serialize) -> HttpResponse {
    response::json(StatusCode::OK, value)
}

/// A `200` with the JSON of what `build` returns, built and serialised on tokio's
/// blocking pool while the server's thread goes on serving other connections.
async fn json_off_thread<T, F>(build: F) -> HttpResponse
where
    T: Serialize,
    F: FnOnce() -> T + Send + 'static,
{
    tokio::task::spawn_blocking(move || ok(&build()))
        .await
        .unwrap_or_else(|_| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "the emulator failed to serialise its answer",
            )
            .into_response()
        })
}

fn parse(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(
            "invalid_json",
            format!("the request body is not valid JSON: {e}"),
        )
    })
}

/// `POST /__mock/faults`: one fault object, or an array of them (all or none are queued).
fn push_faults(emulator: &Emulator, body: &[u8]) -> Result<HttpResponse, ApiError> {
    let faults = Fault::list_from_json(&parse(body)?)
        .map_err(|e| ApiError::bad_request("invalid_fault", e.to_string()))?;
    let mut queue = emulator.faults();
    for fault in faults {
        queue.push(fault);
    }
    Ok(ok(&json!({"pending_faults": queue.len()})))
}

/// `POST /__mock/installations`: puts an installation in place; answers it.
fn seed(emulator: &Emulator, body: &[u8]) -> Result<HttpResponse, ApiError> {
    let seed = SeedInstallation::from_json(&parse(body)?)
        .map_err(|e| ApiError::bad_request("invalid_installation", e.to_string()))?;
    let installation = emulator
        .seed(&seed)
        .map_err(|e| ApiError::bad_request("invalid_installation", e.to_string()))?;
    Ok(ok(&installation))
}

/// `POST /__mock/clock` `{"advance_ms": n}`: moves the clock of token and code expiry.
fn advance_clock(emulator: &Emulator, body: &[u8]) -> Result<HttpResponse, ApiError> {
    let value = parse(body)?;
    let advance = value
        .as_object()
        .filter(|o| o.len() == 1)
        .and_then(|o| o.get("advance_ms"))
        .and_then(Value::as_u64)
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalid_clock",
                "the body must be {\"advance_ms\": <non-negative integer>}",
            )
        })?;
    let offset = emulator
        .oauth()
        .advance_clock(Duration::from_millis(advance));
    Ok(ok(
        &json!({"offset_ms": u64::try_from(offset.as_millis()).unwrap_or(u64::MAX)}),
    ))
}

/// `POST /__mock/oauth/tokens` `{"client_id"?: str}`: a new token family, as after a
/// code exchange (empty body: the first client).
fn issue_tokens(emulator: &Emulator, body: &[u8]) -> Result<HttpResponse, ApiError> {
    let value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        parse(body)?
    };
    let invalid = |message: String| ApiError::bad_request("invalid_client", message);
    let object = value
        .as_object()
        .ok_or_else(|| invalid("the body must be an object {\"client_id\"?: str}".to_owned()))?;
    if let Some(key) = object.keys().find(|k| *k != "client_id") {
        return Err(invalid(format!("unknown key {key:?}")));
    }
    let client_id = match object.get("client_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) => Some(id.as_str()),
        Some(_) => return Err(invalid("\"client_id\" must be a string".to_owned())),
    };
    let issued = emulator
        .issue_tokens(client_id)
        .map_err(|e| invalid(e.to_string()))?;
    Ok(ok(&json!({
        "access_token": issued.access_token,
        "refresh_token": issued.refresh_token,
        "expires_in": issued.expires_in,
        "token_type": "Bearer",
        "scope": issued.scope,
    })))
}
