//! `GET /oauth/authorize` and `POST /oauth/token`.
//!
//! Errors follow RFC 6749: the authorize endpoint redirects with `error` (§4.1.2.1) except
//! for an unknown client or redirect URI, which it answers itself with a 400; the token
//! endpoint answers `{"error", "error_description"}` (§5.2). Token values are never logged
//! and never appear in error descriptions.

use std::collections::HashMap;

use base64::Engine as _;
use hyper::header::{CACHE_CONTROL, HeaderValue, LOCATION, PRAGMA, WWW_AUTHENTICATE};
use hyper::{HeaderMap, StatusCode};
use serde_json::json;
use uuid::Uuid;

use super::tokens::{Issued, RefreshRefused};
use super::{CODE_LIFETIME, Code, MockOAuthClient, pkce};
use crate::emulator::Emulator;
use crate::models::CreateRequest;
use crate::response::{self, HttpResponse};

/// An OAuth error: `error` code, description and HTTP status.
struct OAuthError {
    status: StatusCode,
    error: &'static str,
    description: String,
}

impl OAuthError {
    fn new(error: &'static str, description: impl Into<String>) -> OAuthError {
        let status = if error == "invalid_client" {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::BAD_REQUEST
        };
        OAuthError {
            status,
            error,
            description: description.into(),
        }
    }

    fn into_response(self) -> HttpResponse {
        let body = json!({"error": self.error, "error_description": self.description});
        let mut response = no_store(response::json(self.status, &body));
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"pleo\""),
            );
        }
        response
    }
}

fn no_store(mut response: HttpResponse) -> HttpResponse {
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// Form (or query) parameters; a parameter given twice is an error (RFC 6749 §3.1).
fn parse_params(input: &[u8]) -> Result<HashMap<String, String>, String> {
    let mut params = HashMap::new();
    for (name, value) in form_urlencoded::parse(input) {
        if params
            .insert(name.clone().into_owned(), value.into_owned())
            .is_some()
        {
            return Err(format!("the parameter {name} is given more than once"));
        }
    }
    Ok(params)
}

fn param<'a>(params: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
}

fn required<'a>(params: &'a HashMap<String, String>, name: &str) -> Result<&'a str, OAuthError> {
    param(params, name).ok_or_else(|| {
        OAuthError::new(
            "invalid_request",
            format!("the parameter {name} is missing"),
        )
    })
}

/// `GET /oauth/authorize`: the test user consents at once; answers a 302 to the client's
/// redirect URI with `code` and `state`, or with `error` and `error_description`.
pub(crate) fn authorize(emulator: &Emulator, query: Option<&str>) -> HttpResponse {
    match consent(emulator, query) {
        Ok(location) => {
            let mut response = response::empty(StatusCode::FOUND);
            if let Ok(value) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(LOCATION, value);
            }
            no_store(response)
        }
        Err((error, description)) => OAuthError {
            status: StatusCode::BAD_REQUEST,
            error,
            description,
        }
        .into_response(),
    }
}

/// What the consent page does for an authorisation request: the URL of the client's
/// callback it redirects to (with a code, or an `error` the client must see), or the
/// `(error, description)` it shows the user when it cannot redirect at all.
pub(crate) fn consent(
    emulator: &Emulator,
    query: Option<&str>,
) -> Result<String, (&'static str, String)> {
    let params = match parse_params(query.unwrap_or("").as_bytes()) {
        Ok(params) => params,
        Err(message) => return Err(("invalid_request", message)),
    };
    let mut oauth = emulator.oauth();
    let client = match required(&params, "client_id") {
        Ok(id) => match oauth.client(id) {
            Some(client) => client.clone(),
            None => {
                return Err((
                    "invalid_client",
                    format!("no OAuth client with client_id {id:?} is registered"),
                ));
            }
        },
        Err(e) => return Err((e.error, e.description)),
    };
    let redirect_uri = match required(&params, "redirect_uri") {
        Ok(uri) if client.redirect_uris.iter().any(|r| r == uri) => uri.to_owned(),
        Ok(uri) => {
            return Err((
                "invalid_request",
                format!(
                    "the redirect_uri {uri:?} is not registered for this client (registered: {})",
                    client.redirect_uris.join(", ")
                ),
            ));
        }
        Err(e) => return Err((e.error, e.description)),
    };
    let state = param(&params, "state");
    let redirect_error = |error: &str, description: &str| {
        Ok(redirect(
            &redirect_uri,
            &[("error", error), ("error_description", description)],
            state,
        ))
    };
    match param(&params, "response_type") {
        Some("code") => {}
        None => return redirect_error("invalid_request", "the parameter response_type is missing"),
        Some(_) => {
            return redirect_error(
                "unsupported_response_type",
                "only response_type=code is supported",
            );
        }
    }
    let Some(challenge) = param(&params, "code_challenge") else {
        return redirect_error("invalid_request", "code_challenge is required (PKCE)");
    };
    if param(&params, "code_challenge_method") != Some("S256") {
        return redirect_error(
            "invalid_request",
            "code_challenge_method must be S256 (plain is not supported)",
        );
    }
    if !pkce::is_valid_challenge(challenge) {
        return redirect_error(
            "invalid_request",
            "code_challenge must be base64url(sha256(code_verifier)) without padding: 43 characters",
        );
    }
    let allowed: Vec<&str> = client.scope.split_whitespace().collect();
    let requested: Vec<&str> = param(&params, "scope")
        .unwrap_or("")
        .split_whitespace()
        .collect();
    if let Some(unknown) = requested.iter().find(|s| !allowed.contains(s)) {
        return redirect_error(
            "invalid_scope",
            &format!("the scope {unknown} is not available to this client"),
        );
    }
    let scope = if requested.is_empty() {
        client.scope.clone()
    } else {
        requested.join(" ")
    };
    let code = format!("ac_{}", Uuid::new_v4().simple());
    let expires_at = oauth.now() + CODE_LIFETIME;
    oauth.codes.insert(
        code.clone(),
        Code {
            client_id: client.client_id.clone(),
            redirect_uri: redirect_uri.clone(),
            challenge: challenge.to_owned(),
            scope,
            expires_at,
            used: false,
            family: None,
        },
    );
    Ok(redirect(&redirect_uri, &[("code", &code)], state))
}

/// The callback URL `uri` with `params` and the client's `state` added to its query.
fn redirect(uri: &str, params: &[(&str, &str)], state: Option<&str>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.extend_pairs(params);
    if let Some(state) = state {
        query.append_pair("state", state);
    }
    let separator = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{separator}{}", query.finish())
}

/// `POST /oauth/token`: the `authorization_code` and `refresh_token` grants.
pub(crate) fn token(emulator: &Emulator, headers: &HeaderMap, body: &[u8]) -> HttpResponse {
    token_result(emulator, headers, body).unwrap_or_else(OAuthError::into_response)
}

fn token_result(
    emulator: &Emulator,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<HttpResponse, OAuthError> {
    let params = parse_params(body).map_err(|m| OAuthError::new("invalid_request", m))?;
    let client = authenticate_client(emulator, headers, &params)?;
    let issued = match required(&params, "grant_type")? {
        "authorization_code" => exchange_code(emulator, &client, &params)?,
        "refresh_token" => refresh(emulator, &client, &params)?,
        other => {
            return Err(OAuthError::new(
                "unsupported_grant_type",
                format!(
                    "the grant_type {other:?} is not supported; use authorization_code or refresh_token"
                ),
            ));
        }
    };
    let body = json!({
        "access_token": issued.access_token,
        "refresh_token": issued.refresh_token,
        "expires_in": issued.expires_in,
        "token_type": "Bearer",
        "scope": issued.scope,
    });
    Ok(no_store(response::json(StatusCode::OK, &body)))
}

/// The client: `Authorization: Basic base64(client_id:client_secret)`, or `client_id`
/// and `client_secret` in the body.
fn authenticate_client(
    emulator: &Emulator,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> Result<MockOAuthClient, OAuthError> {
    let refused = |message: &str| OAuthError::new("invalid_client", message);
    let (id, secret) = match headers.get(hyper::header::AUTHORIZATION) {
        Some(value) => {
            let value = value
                .to_str()
                .map_err(|_| refused("the Authorization header is not ASCII"))?
                .trim();
            let (scheme, encoded) = value.split_once(' ').unwrap_or((value, ""));
            if !scheme.eq_ignore_ascii_case("basic") {
                return Err(refused(
                    "authenticate the client with Basic base64(client_id:client_secret)",
                ));
            }
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .ok_or_else(|| refused("the Basic credential is not valid base64 of UTF-8"))?;
            let (id, secret) = decoded
                .split_once(':')
                .ok_or_else(|| refused("the Basic credential must be client_id:client_secret"))?;
            if param(params, "client_id").is_some_and(|body_id| body_id != id) {
                return Err(refused(
                    "the client_id in the body differs from the one in the Authorization header",
                ));
            }
            (id.to_owned(), secret.to_owned())
        }
        None => match (param(params, "client_id"), param(params, "client_secret")) {
            (Some(id), Some(secret)) => (id.to_owned(), secret.to_owned()),
            _ => {
                return Err(refused(
                    "client authentication is required: Authorization: Basic \
                     base64(client_id:client_secret)",
                ));
            }
        },
    };
    match emulator.oauth().client(&id) {
        Some(client) if client.client_secret == secret => Ok(client.clone()),
        Some(_) => Err(refused("the client secret is wrong")),
        None => Err(refused("unknown client_id")),
    }
}

fn invalid_grant(description: impl Into<String>) -> OAuthError {
    OAuthError::new("invalid_grant", description)
}

/// The `authorization_code` grant.
fn exchange_code(
    emulator: &Emulator,
    client: &MockOAuthClient,
    params: &HashMap<String, String>,
) -> Result<Issued, OAuthError> {
    let code = required(params, "code")?;
    let redirect_uri = required(params, "redirect_uri")?;
    let verifier = required(params, "code_verifier")?;
    let issued = {
        let mut guard = emulator.oauth();
        let oauth = &mut *guard;
        let now = oauth.now();
        let entry = oauth
            .codes
            .get_mut(code)
            .filter(|entry| entry.client_id == client.client_id)
            .ok_or_else(|| invalid_grant("the authorization code is not valid for this client"))?;
        if entry.used {
            if let Some(family) = entry.family {
                oauth.tokens.revoke_family(family);
            }
            return Err(invalid_grant(
                "the authorization code has already been used; the tokens issued from it are revoked",
            ));
        }
        entry.used = true;
        if now >= entry.expires_at {
            return Err(invalid_grant("the authorization code has expired"));
        }
        if entry.redirect_uri != redirect_uri {
            return Err(invalid_grant(
                "redirect_uri differs from the one of the authorization request",
            ));
        }
        if !pkce::is_valid_verifier(verifier) {
            return Err(invalid_grant(
                "code_verifier must be 43-128 characters of [A-Za-z0-9-._~]",
            ));
        }
        if !pkce::verify(verifier, &entry.challenge) {
            return Err(invalid_grant(
                "code_verifier does not match the code_challenge (S256)",
            ));
        }
        let scope = entry.scope.clone();
        let issued = oauth.issue(&client.client_id, &scope);
        if let Some(entry) = oauth.codes.get_mut(code) {
            entry.family = Some(issued.family);
        }
        issued
    };
    complete_flow(emulator, client, &issued);
    Ok(issued)
}

/// The `refresh_token` grant: rotation, and revocation of the family on reuse.
fn refresh(
    emulator: &Emulator,
    client: &MockOAuthClient,
    params: &HashMap<String, String>,
) -> Result<Issued, OAuthError> {
    let token = required(params, "refresh_token")?;
    let mut oauth = emulator.oauth();
    let now = oauth.now();
    let lifetime = oauth.access_lifetime;
    match oauth
        .tokens
        .refresh(token, &client.client_id, now, lifetime)
    {
        Ok(issued) => {
            oauth.count_refresh();
            Ok(issued)
        }
        Err(RefreshRefused::Unknown) => Err(invalid_grant("the refresh token is not valid")),
        Err(RefreshRefused::OtherClient) => Err(invalid_grant(
            "the refresh token was issued to another client",
        )),
        Err(RefreshRefused::Revoked) => Err(invalid_grant(
            "the refresh token has been revoked; start the authorization flow again",
        )),
        Err(RefreshRefused::Reused) => Err(invalid_grant(
            "the refresh token has already been used (tokens rotate on every refresh); every \
             token of its family is now revoked; start the authorization flow again",
        )),
    }
}

/// What finishing the flow does besides issuing tokens: the client's installation is
/// created, `ACTIVATED` or `AUTHORIZED` when it needs activation (an existing one stays).
pub(crate) fn complete_flow(emulator: &Emulator, client: &MockOAuthClient, issued: &Issued) {
    let who = client.credential(&issued.access_token, &issued.scope);
    let status = if client.needs_activation {
        "AUTHORIZED"
    } else {
        "ACTIVATED"
    };
    // An existing installation is kept: the conflict is the expected outcome then.
    let _ = emulator.installations().create(
        &who,
        CreateRequest {
            status: Some(status.to_owned()),
            metadata: None,
        },
    );
}
