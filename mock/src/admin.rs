//! The admin API under `/__mock/`: everything a test does to an emulator besides calling
//! the API. One door, two ways in: over HTTP ([`handle`], for an emulator in another
//! process, e.g. `pleo-installations mock`) and in-process ([`MockServer::admin_json`],
//! which the Python and Node `testing` modules use). No authentication; never journaled;
//! never faulted.
//!
//! Reads that can be large (journal, installations, faults) take a snapshot under the
//! lock and are serialised after releasing it ([`Answer::Deferred`]); over HTTP that
//! happens on tokio's blocking pool, so the server's one thread keeps answering while
//! megabytes of JSON are written.
//!
//! [`MockServer::admin_json`]: crate::MockServer::admin_json

use std::time::Duration;

use hyper::{Method, StatusCode};
use serde::Serialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::emulator::Emulator;
use crate::faults::Fault;
use crate::response::{self, ApiError, HttpResponse};
use crate::state::SeedInstallation;

/// The prefix of every admin path; the real API has nothing under it.
pub(crate) const PREFIX: &str = "/__mock";

/// Every admin resource (after [`PREFIX`]) and the methods it takes.
const RESOURCES: &[(&str, &str)] = &[
    ("/health", "GET"),
    ("/info", "GET"),
    ("/faults", "GET, POST, DELETE"),
    ("/journal", "GET, DELETE"),
    ("/journal/stats", "GET"),
    ("/installations", "GET, POST, DELETE"),
    ("/reset", "POST"),
    ("/clock", "POST"),
    ("/expire-access-tokens", "POST"),
    ("/oauth/stats", "GET"),
    ("/oauth/tokens", "POST"),
    ("/oauth/consent", "POST"),
];

/// Whether `path` belongs to the admin API.
pub(crate) fn is_admin(path: &str) -> bool {
    path == PREFIX
        || path
            .strip_prefix(PREFIX)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The JSON of a successful admin answer.
pub(crate) enum Answer {
    /// Serialised already (small answers).
    Ready(Vec<u8>),
    /// A snapshot taken under the lock, to serialise once it is released.
    Deferred(Box<dyn FnOnce() -> Vec<u8> + Send>),
}

impl Answer {
    fn now(value: &impl Serialize) -> Answer {
        Answer::Ready(to_json(value))
    }

    fn later<T: Serialize>(build: impl FnOnce() -> T + Send + 'static) -> Answer {
        Answer::Deferred(Box::new(move || to_json(&build())))
    }

    /// The JSON, serialised on the caller's thread.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        match self {
            Answer::Ready(bytes) => bytes,
            Answer::Deferred(build) => build(),
        }
    }
}

fn to_json(value: &impl Serialize) -> Vec<u8> {
    // Our own types always serialise; fall back to `null` regardless.
    serde_json::to_vec(value).unwrap_or_else(|_| b"null".to_vec())
}

fn done() -> Answer {
    Answer::now(&json!({"status": "ok"}))
}

/// Answers one admin request over HTTP.
pub(crate) async fn handle(
    emulator: &Emulator,
    method: &Method,
    path: &str,
    query: Option<&str>,
    body: &[u8],
) -> HttpResponse {
    match dispatch(emulator, method, path, query, body) {
        Ok(Answer::Ready(json)) => response::raw(StatusCode::OK, response::JSON, json),
        Ok(Answer::Deferred(build)) => match tokio::task::spawn_blocking(build).await {
            Ok(json) => response::raw(StatusCode::OK, response::JSON, json),
            Err(_) => ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "the emulator failed to serialise its answer",
            )
            .into_response(),
        },
        Err(refused) if refused.status == StatusCode::METHOD_NOT_ALLOWED => {
            let allow = allowed(resource_of(path)).unwrap_or_default();
            response::with_allow(refused.into_response(), allow)
        }
        Err(refused) => refused.into_response(),
    }
}

fn resource_of(path: &str) -> &str {
    path.strip_prefix(PREFIX).unwrap_or(path)
}

fn allowed(resource: &str) -> Option<&'static str> {
    RESOURCES
        .iter()
        .find(|(known, _)| *known == resource)
        .map(|(_, allow)| *allow)
}

/// Answers one admin request, however it arrived: `path` is the whole admin path
/// (`/__mock/...`), `query` what followed its `?`, `body` the request body (JSON, or
/// empty where none is needed).
pub(crate) fn dispatch(
    emulator: &Emulator,
    method: &Method,
    path: &str,
    query: Option<&str>,
    body: &[u8],
) -> Result<Answer, ApiError> {
    let resource = resource_of(path);
    let Some(allow) = allowed(resource) else {
        let known: Vec<String> = RESOURCES
            .iter()
            .map(|(resource, _)| format!("{PREFIX}{resource}"))
            .collect();
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!(
                "no admin route {method} {path}; the admin API has {}",
                known.join(", ")
            ),
        ));
    };
    match (resource, method.clone()) {
        ("/health", Method::GET) => Ok(done()),
        ("/info", Method::GET) => Ok(Answer::now(&emulator.info())),
        ("/faults", Method::GET) => {
            let faults = emulator.faults().snapshot();
            Ok(Answer::later(move || {
                faults.iter().map(Fault::to_json).collect::<Vec<_>>()
            }))
        }
        ("/faults", Method::POST) => push_faults(emulator, body),
        ("/faults", Method::DELETE) => {
            emulator.faults().clear();
            Ok(done())
        }
        ("/journal", Method::GET) => {
            let snapshot = emulator.journal().snapshot();
            Ok(Answer::later(move || snapshot))
        }
        ("/journal/stats", Method::GET) => Ok(Answer::now(&emulator.journal().stats())),
        ("/journal", Method::DELETE) => {
            emulator.journal().clear();
            Ok(done())
        }
        ("/installations", Method::GET) => installations(emulator, query),
        ("/installations", Method::POST) => seed(emulator, body),
        ("/installations", Method::DELETE) => {
            emulator.installations().clear();
            Ok(done())
        }
        ("/reset", Method::POST) => {
            emulator.reset();
            Ok(done())
        }
        ("/clock", Method::POST) => advance_clock(emulator, body),
        ("/expire-access-tokens", Method::POST) => {
            let expired = emulator.oauth().expire_access_tokens();
            Ok(Answer::now(&json!({"expired": expired})))
        }
        ("/oauth/stats", Method::GET) => {
            let oauth = emulator.oauth();
            Ok(Answer::now(&json!({
                "token_requests": oauth.token_requests(),
                "refreshes": oauth.refreshes(),
            })))
        }
        ("/oauth/tokens", Method::POST) => issue_tokens(emulator, body),
        ("/oauth/consent", Method::POST) => consent(emulator, body),
        _ => Err(ApiError::method_not_allowed(method, path, allow)),
    }
}

fn parse(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(
            "invalid_json",
            format!("the request body is not valid JSON: {e}"),
        )
    })
}

/// The body as a JSON object with only the keys in `known` (an empty body is `{}`).
fn object(
    body: &[u8],
    reason: &'static str,
    known: &[&str],
) -> Result<Map<String, Value>, ApiError> {
    let value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        parse(body)?
    };
    let Value::Object(object) = value else {
        return Err(ApiError::bad_request(
            reason,
            format!("the body must be an object with {}", known.join(", ")),
        ));
    };
    if let Some(key) = object.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(ApiError::bad_request(
            reason,
            format!("unknown key {key:?}; the body takes {}", known.join(", ")),
        ));
    }
    Ok(object)
}

/// `POST /__mock/faults`: one fault object, or an array of them (all or none are queued).
fn push_faults(emulator: &Emulator, body: &[u8]) -> Result<Answer, ApiError> {
    let faults = Fault::list_from_json(&parse(body)?)
        .map_err(|e| ApiError::bad_request("invalid_fault", e.to_string()))?;
    let mut queue = emulator.faults();
    for fault in faults {
        queue.push(fault);
    }
    Ok(Answer::now(&json!({"pending_faults": queue.len()})))
}

/// `GET /__mock/installations[?credential=<secret>[&company_id=<uuid>]]`: every
/// installation, or only the one of the credential's client in that company (by default
/// the credential's own), as `[{"client_id", "installation"}]`.
fn installations(emulator: &Emulator, query: Option<&str>) -> Result<Answer, ApiError> {
    let invalid = |message: String| ApiError::bad_request("invalid_query", message);
    let (mut credential, mut company_id) = (None, None);
    for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        match key.as_ref() {
            "credential" => credential = Some(value.into_owned()),
            "company_id" => {
                company_id = Some(Uuid::parse_str(&value).map_err(|_| {
                    invalid(format!("company_id {value:?} is not a hyphenated UUID"))
                })?);
            }
            other => {
                return Err(invalid(format!(
                    "unknown query parameter {other:?}; it takes credential and company_id"
                )));
            }
        }
    }
    let Some(credential) = credential else {
        if company_id.is_some() {
            return Err(invalid("company_id needs a credential".to_owned()));
        }
        let installations = emulator.installations().list();
        return Ok(Answer::later(move || {
            installations
                .into_iter()
                .map(|(client_id, installation)| {
                    json!({"client_id": client_id, "installation": installation})
                })
                .collect::<Vec<_>>()
        }));
    };
    let found = emulator.installation_of(&credential, company_id).map(
        |(client_id, installation)| json!({"client_id": client_id, "installation": installation}),
    );
    Ok(Answer::now(&found.into_iter().collect::<Vec<_>>()))
}

/// `POST /__mock/installations`: puts an installation in place; answers it.
fn seed(emulator: &Emulator, body: &[u8]) -> Result<Answer, ApiError> {
    let seed = SeedInstallation::from_json(&parse(body)?)
        .map_err(|e| ApiError::bad_request("invalid_installation", e.to_string()))?;
    let installation = emulator
        .seed(&seed)
        .map_err(|e| ApiError::bad_request("invalid_installation", e.to_string()))?;
    Ok(Answer::now(&installation))
}

/// `POST /__mock/clock` `{"advance_ms": n}`: moves the clock of token and code expiry.
fn advance_clock(emulator: &Emulator, body: &[u8]) -> Result<Answer, ApiError> {
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
    Ok(Answer::now(
        &json!({"offset_ms": u64::try_from(offset.as_millis()).unwrap_or(u64::MAX)}),
    ))
}

/// `POST /__mock/oauth/tokens` `{"client_id"?: str}`: a new token family, as after a
/// code exchange (empty body: the first client).
fn issue_tokens(emulator: &Emulator, body: &[u8]) -> Result<Answer, ApiError> {
    let invalid = |message: String| ApiError::bad_request("invalid_client", message);
    let object = object(body, "invalid_client", &["client_id"])?;
    let client_id = match object.get("client_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) => Some(id.as_str()),
        Some(_) => return Err(invalid("\"client_id\" must be a string".to_owned())),
    };
    let issued = emulator
        .issue_tokens(client_id)
        .map_err(|e| invalid(e.to_string()))?;
    Ok(Answer::now(&json!({
        "access_token": issued.access_token,
        "refresh_token": issued.refresh_token,
        "expires_in": issued.expires_in,
        "token_type": "Bearer",
        "scope": issued.scope,
    })))
}

/// `POST /__mock/oauth/consent` `{"authorize_url": str}`: plays the user's browser on the
/// consent page; answers `{"callback", "code", "state"}`.
fn consent(emulator: &Emulator, body: &[u8]) -> Result<Answer, ApiError> {
    let invalid = |message: String| ApiError::bad_request("invalid_consent", message);
    let object = object(body, "invalid_consent", &["authorize_url"])?;
    let Some(Value::String(url)) = object.get("authorize_url") else {
        return Err(invalid("\"authorize_url\" must be a string".to_owned()));
    };
    let consent = emulator.consent(url).map_err(|e| invalid(e.to_string()))?;
    Ok(Answer::now(&consent))
}
