//! Dispatch: one request in, one response out (or a dropped connection).
//!
//! The order is: admin requests go to [`admin`]; an API request has its body read (413
//! past the cap), is recorded in the journal, is routed (404/405), takes the first
//! matching fault (delay, then its action), and then goes to the OAuth endpoints
//! ([`oauth::endpoints`], which authenticate clients themselves) or is authenticated
//! (401) and handled.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::header::{CONTENT_LENGTH, HeaderValue, WWW_AUTHENTICATE};
use hyper::{HeaderMap, Method, Request, StatusCode};
use uuid::Uuid;

use crate::admin;
use crate::credentials::{CredentialKind, MockCredential, Unauthorized};
use crate::emulator::Emulator;
use crate::faults::Effect;
use crate::journal::Received;
use crate::models::{
    CreateRequest, ExternalClientModel, ExternalClientModelDetails, UpdateRequest,
};
use crate::oauth;
use crate::operation::{self, OAuthEndpoint, Operation, Route};
use crate::response::{self, ApiError, HttpResponse, REQUEST_ID};

/// The service's error: tells hyper to close the connection without answering.
#[derive(Debug)]
pub(crate) struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by the emulator")
    }
}

impl std::error::Error for DropConnection {}

/// Beyond the cap, how much of a too-large body is still read (and discarded) so that
/// the client sees the 413 rather than a reset connection.
const DRAIN_LIMIT: usize = 16 * 1024 * 1024;

/// Answers one request; every response carries a fresh `x-request-id`.
pub(crate) async fn handle(
    emulator: Arc<Emulator>,
    peer: SocketAddr,
    request: Request<Incoming>,
) -> Result<HttpResponse, DropConnection> {
    let request_id = response::new_request_id();
    let mut response = respond(&emulator, peer, request, &request_id).await?;
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    Ok(response)
}

async fn respond(
    emulator: &Emulator,
    peer: SocketAddr,
    request: Request<Incoming>,
    request_id: &str,
) -> Result<HttpResponse, DropConnection> {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path();
    let body = read_body(
        body,
        &parts.headers,
        emulator.max_body_bytes(),
        emulator.read_timeout(),
    )
    .await?;
    if admin::is_admin(path) {
        return Ok(match body {
            Some(body) => {
                admin::handle(emulator, &parts.method, path, parts.uri.query(), &body).await
            }
            None => too_large(emulator.max_body_bytes()),
        });
    }

    let route = operation::route(&parts.method, path);
    let operation_id = match route {
        Route::Operation(op) => Some(op.id()),
        Route::OAuth(endpoint) => Some(endpoint.id()),
        _ => None,
    };
    if route == Route::OAuth(OAuthEndpoint::Token) {
        emulator.oauth().count_token_request();
    }
    if emulator.journal_limits().enabled() {
        // Built (headers copied, body decoded and cut) before the lock is taken.
        let entry = emulator.journal_limits().entry(Received {
            method: parts.method.as_str(),
            path: parts
                .uri
                .path_and_query()
                .map_or_else(|| path.to_owned(), |pq| pq.as_str().to_owned()),
            operation: operation_id,
            headers: &parts.headers,
            body: body.as_deref(),
            request_id,
            peer,
        });
        emulator.journal().record(entry);
    }
    let Some(body) = body else {
        return Ok(too_large(emulator.max_body_bytes()));
    };
    let Some(operation_id) = operation_id else {
        return Ok(match route {
            Route::MethodNotAllowed(allow) => method_not_allowed(&parts.method, path, allow),
            _ => not_found(&parts.method, path),
        });
    };

    let fault = emulator.faults().take(operation_id);
    if let Some(fault) = fault {
        if !fault.wait().is_zero() {
            tokio::time::sleep(fault.wait()).await;
        }
        match fault.effect() {
            Effect::Proceed => {}
            Effect::DropConnection => return Err(DropConnection),
            Effect::Respond(response) => return Ok(response),
        }
    }

    let operation = match route {
        Route::Operation(op) => op,
        Route::OAuth(OAuthEndpoint::Authorize) => {
            return Ok(oauth::endpoints::authorize(emulator, parts.uri.query()));
        }
        Route::OAuth(OAuthEndpoint::Token) => {
            return Ok(oauth::endpoints::token(emulator, &parts.headers, &body));
        }
        Route::MethodNotAllowed(allow) => {
            return Ok(method_not_allowed(&parts.method, path, allow));
        }
        Route::NotFound => return Ok(not_found(&parts.method, path)),
    };

    let who = match emulator.authenticate(&parts.headers) {
        Ok(who) => who,
        Err(Unauthorized::Credentials(message)) => return Ok(unauthorized(message)),
        Err(Unauthorized::InvalidToken(message)) => return Ok(invalid_token(message)),
    };
    Ok(api(emulator, operation, &who, parts.uri.query(), &body)
        .unwrap_or_else(ApiError::into_response))
}

/// Runs one authenticated operation.
fn api(
    emulator: &Emulator,
    operation: Operation,
    who: &MockCredential,
    query: Option<&str>,
    body: &[u8],
) -> Result<HttpResponse, ApiError> {
    let ok = |installation| response::json(StatusCode::OK, &installation);
    match operation {
        Operation::GetClientInstallation => {
            let company_id = company_id(query)?;
            emulator.installations().get(who, company_id).map(ok)
        }
        Operation::CreateClientInstallation => {
            let request = CreateRequest::parse(body)?;
            emulator.installations().create(who, request).map(ok)
        }
        Operation::UpdateClientInstallation => {
            let request = UpdateRequest::parse(body)?;
            emulator.installations().update(who, request).map(ok)
        }
        Operation::DeleteClientInstallation => {
            // Pleo also revokes the client's OAuth tokens here: with a bearer token, every
            // token `/oauth/token` issued to this client is revoked; the emulator's static
            // credentials stay valid.
            emulator.installations().delete(who)?;
            if who.kind == CredentialKind::Bearer {
                emulator.oauth().tokens.revoke_client(&who.client_id);
            }
            Ok(response::empty(StatusCode::NO_CONTENT))
        }
        Operation::ActivateMyInstallation | Operation::CompleteInstallation => {
            emulator.installations().activate(who).map(ok)
        }
        Operation::Introspect => Ok(response::json(
            StatusCode::OK,
            &ExternalClientModelDetails {
                data: ExternalClientModel {
                    auth_method: who.kind.auth_method(),
                    client_id: who.client_id.clone(),
                    scope: who.scope.clone(),
                    subject_urn: who.subject_urn(),
                    application_name: who.application_name.clone(),
                },
            },
        )),
    }
}

/// The `company_id` query parameter: absent, or one hyphenated UUID.
fn company_id(query: Option<&str>) -> Result<Option<Uuid>, ApiError> {
    let mut values = query.unwrap_or("").split('&').filter_map(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(name) == "company_id").then(|| percent_decode(value))
    });
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(ApiError::bad_request(
            "invalid_query",
            "the query parameter company_id is given more than once",
        ));
    }
    match Uuid::try_parse(&value) {
        Ok(uuid) if value.len() == 36 => Ok(Some(uuid)),
        _ => Err(ApiError::bad_request(
            "invalid_query",
            format!("the query parameter company_id is {value:?}, not a UUID"),
        )),
    }
}

/// Decodes `%XX` escapes and `+` (form encoding); invalid escapes are kept as they are.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .filter(|hex| hex.iter().all(u8::is_ascii_hexdigit))
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (escaped, bytes[i]) {
            (Some(byte), _) => {
                out.push(byte);
                i += 3;
            }
            (None, b'+') => {
                out.push(b' ');
                i += 1;
            }
            (None, other) => {
                out.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Reads the whole body: `Some(bytes)`, or `None` when it is larger than `limit` (what
/// follows the cap is read and discarded, up to [`DRAIN_LIMIT`], so that the client gets
/// the 413). A failed read, or a body still arriving after `timeout`, drops the connection.
async fn read_body(
    mut body: Incoming,
    headers: &HeaderMap,
    limit: usize,
    timeout: Duration,
) -> Result<Option<Bytes>, DropConnection> {
    let deadline = tokio::time::Instant::now() + timeout;
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > (limit + DRAIN_LIMIT) as u64) {
        return Ok(None);
    }
    let mut collected = BytesMut::new();
    let mut seen = 0usize;
    while let Some(frame) = tokio::time::timeout_at(deadline, body.frame())
        .await
        .map_err(|_| DropConnection)?
    {
        let frame = frame.map_err(|_| DropConnection)?;
        if let Ok(data) = frame.into_data() {
            seen = seen.saturating_add(data.len());
            if seen <= limit {
                collected.extend_from_slice(&data);
            } else if seen > limit + DRAIN_LIMIT {
                return Ok(None);
            }
        }
    }
    Ok((seen <= limit).then(|| collected.freeze()))
}

fn too_large(limit: usize) -> HttpResponse {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("the request body is larger than {limit} bytes"),
    )
    .into_response()
}

fn not_found(method: &Method, path: &str) -> HttpResponse {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no route for {method} {path}"),
    )
    .into_response()
}

pub(crate) fn method_not_allowed(method: &Method, path: &str, allow: &'static str) -> HttpResponse {
    response::with_allow(
        ApiError::method_not_allowed(method, path, allow).into_response(),
        allow,
    )
}

fn unauthorized(message: String) -> HttpResponse {
    let mut response =
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message).into_response();
    response.headers_mut().insert(
        WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"pleo\", Bearer realm=\"pleo\""),
    );
    response
}

/// A 401 for an issued access token that expired or was revoked (RFC 6750 §3.1).
fn invalid_token(message: String) -> HttpResponse {
    let mut response =
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message).into_response();
    response.headers_mut().insert(
        WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"pleo\", error=\"invalid_token\""),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_company_id() {
        let id = "7b2d0c4e-9a43-4f3e-8f00-3a5a2d1c9e11";
        assert_eq!(company_id(None), Ok(None));
        assert_eq!(company_id(Some("other=1")), Ok(None));
        assert_eq!(
            company_id(Some(&format!("x=1&company_id={id}"))),
            Ok(Some(Uuid::parse_str(id).unwrap()))
        );
        for bad in [
            "company_id=nope",
            "company_id=",
            "company_id=7b2d0c4e9a434f3e8f003a5a2d1c9e11",
        ] {
            assert!(company_id(Some(bad)).is_err(), "{bad}");
        }
        assert!(company_id(Some(&format!("company_id={id}&company_id={id}"))).is_err());
    }

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(percent_decode("a%20b+c"), "a b c");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4%+1"), "%zz%4%+1".replace('+', " "));
        assert_eq!(percent_decode("company%5Fid"), "company_id");
    }
}
