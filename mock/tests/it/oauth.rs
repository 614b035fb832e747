//! The OAuth endpoints: authorize, code exchange with PKCE, rotation, reuse detection,
//! expiry with the movable clock, revocation, counters, faults and the admin API.

use crate::common;

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Duration;

use base64::Engine as _;
use common::*;
use pleo_installations_mock::{
    DEFAULT_OAUTH_CLIENT_ID, DEFAULT_OAUTH_CLIENT_SECRET, DEFAULT_OAUTH_REDIRECT_URI, Fault,
    MockConfig, MockOAuthClient, MockServer, OAUTH_OPERATION_IDS,
};
use reqwest::blocking::Client;
use serde_json::json;
use sha2::{Digest, Sha256};

/// RFC 7636 appendix B: the verifier (base64url of its 32 octets) and its S256 challenge.
const RFC_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const RFC_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn challenge_of(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A client that does not follow redirects, so that the 302 can be inspected.
fn no_redirects() -> &'static Client {
    static CLIENT: OnceLock<Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
        Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client")
    })
}

fn reply(response: reqwest::blocking::Response) -> Reply {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().expect("body");
    Reply {
        status,
        headers,
        text,
    }
}

fn encode(params: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish()
}

fn authorize(server: &MockServer, params: &[(&str, &str)]) -> Reply {
    let url = format!("{}?{}", server.authorize_url(), encode(params));
    reply(no_redirects().get(url).send().expect("authorize"))
}

/// The standard authorize parameters for the default client and the RFC challenge.
fn authorize_params(state: &str) -> Vec<(&str, &str)> {
    vec![
        ("client_id", DEFAULT_OAUTH_CLIENT_ID),
        ("redirect_uri", DEFAULT_OAUTH_REDIRECT_URI),
        ("response_type", "code"),
        ("scope", "export:read export:write"),
        ("state", state),
        ("code_challenge", RFC_CHALLENGE),
        ("code_challenge_method", "S256"),
    ]
}

/// The query parameters of a 302's `Location`, after checking it goes to `redirect_uri`.
fn redirected(reply: &Reply, redirect_uri: &str) -> HashMap<String, String> {
    assert_eq!(reply.status, 302, "{}", reply.text);
    let location = reply.header("location").expect("Location");
    let (base, query) = location.split_once('?').expect("a query");
    assert_eq!(base, redirect_uri);
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// Runs the authorize step for the default client with the RFC challenge; the code.
fn code(server: &MockServer) -> String {
    let reply = authorize(server, &authorize_params("s"));
    redirected(&reply, DEFAULT_OAUTH_REDIRECT_URI)["code"].clone()
}

fn client_auth() -> String {
    basic_raw(&format!(
        "{DEFAULT_OAUTH_CLIENT_ID}:{DEFAULT_OAUTH_CLIENT_SECRET}"
    ))
}

fn token(server: &MockServer, authorization: Option<&str>, form: &[(&str, &str)]) -> Reply {
    let mut request = no_redirects()
        .post(server.token_url())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encode(form));
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    reply(request.send().expect("token request"))
}

fn exchange(server: &MockServer, code: &str, verifier: &str, redirect_uri: &str) -> Reply {
    token(
        server,
        Some(&client_auth()),
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier),
        ],
    )
}

fn refresh(server: &MockServer, refresh_token: &str) -> Reply {
    token(
        server,
        Some(&client_auth()),
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ],
    )
}

/// Asserts an RFC 6749 §5.2 error; returns the description.
fn oauth_error(reply: &Reply, status: u16, error: &str) -> String {
    assert_eq!(reply.status, status, "{}", reply.text);
    let body = reply.json();
    assert_eq!(body["error"], error, "{body}");
    body["error_description"]
        .as_str()
        .expect("error_description")
        .to_owned()
}

fn tokens_of(reply: &Reply) -> (String, String) {
    assert_eq!(reply.status, 200, "{}", reply.text);
    let body = reply.json();
    (
        body["access_token"].as_str().unwrap().to_owned(),
        body["refresh_token"].as_str().unwrap().to_owned(),
    )
}

fn introspect(server: &MockServer, access_token: &str) -> Reply {
    send(server, "GET", INTROSPECT, Some(&bearer(access_token)), None).expect("introspect")
}

/// Asserts the 401 of an expired or revoked token; returns its message.
fn invalid_token(reply: &Reply) -> String {
    let message = reply.expect_error(401, "unauthorized");
    let challenge = reply.header("www-authenticate").expect("WWW-Authenticate");
    assert!(challenge.starts_with("Bearer"), "{challenge}");
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    message
}

#[test]
fn the_rfc_7636_vector_holds() {
    assert_eq!(challenge_of(RFC_VERIFIER), RFC_CHALLENGE);
}

#[test]
fn authorize_redirects_with_a_code_and_the_state() {
    let server = MockServer::start().unwrap();
    let state = "a b&c=d/é";
    let reply = authorize(&server, &authorize_params(state));
    assert!(reply.text.is_empty());
    let params = redirected(&reply, DEFAULT_OAUTH_REDIRECT_URI);
    assert_eq!(params["state"], state);
    assert!(!params["code"].is_empty());
    assert!(!params.contains_key("error"));
    let journal = server.journal();
    assert_eq!(journal.len(), 1);
    assert_eq!(journal[0].operation.as_deref(), Some("oauthAuthorize"));
    assert_eq!(OAUTH_OPERATION_IDS, ["oauthAuthorize", "oauthToken"]);
}

#[test]
fn authorize_answers_an_unknown_client_or_redirect_uri_itself() {
    let server = MockServer::start().unwrap();
    let mut params = authorize_params("s");
    params[0].1 = "nobody";
    let reply = authorize(&server, &params);
    assert!(reply.header("location").is_none());
    oauth_error(&reply, 400, "invalid_client");

    for uri in [
        "http://localhost:8765/callback/",
        "http://localhost:8765/other",
        "",
    ] {
        let mut params = authorize_params("s");
        params[1].1 = uri;
        let reply = authorize(&server, &params);
        assert!(reply.header("location").is_none(), "{uri}");
        oauth_error(&reply, 400, "invalid_request");
    }
    let reply = send(&server, "POST", "/oauth/authorize", None, None).unwrap();
    assert_eq!(reply.status, 405);
    assert_eq!(reply.header("allow").as_deref(), Some("GET"));
}

#[test]
fn authorize_redirects_other_errors_with_the_state() {
    let server = MockServer::start().unwrap();
    let cases: [(&str, Option<&str>, &str); 6] = [
        ("response_type", Some("token"), "unsupported_response_type"),
        ("response_type", None, "invalid_request"),
        ("code_challenge_method", Some("plain"), "invalid_request"),
        ("code_challenge_method", None, "invalid_request"),
        ("code_challenge", None, "invalid_request"),
        ("scope", Some("export:read admin"), "invalid_scope"),
    ];
    for (name, value, error) in cases {
        let mut params: Vec<_> = authorize_params("xyz")
            .into_iter()
            .filter(|(n, _)| *n != name)
            .collect();
        if let Some(value) = value {
            params.push((name, value));
        }
        let reply = authorize(&server, &params);
        let query = redirected(&reply, DEFAULT_OAUTH_REDIRECT_URI);
        assert_eq!(query["error"], error, "{name}={value:?}");
        assert!(!query["error_description"].is_empty());
        assert_eq!(query["state"], "xyz");
        assert!(!query.contains_key("code"));
    }
}

#[test]
fn code_exchange_issues_tokens_and_creates_an_activated_installation() {
    let server = MockServer::start().unwrap();
    let client = server.oauth_client();
    assert_eq!(client.client_id, DEFAULT_OAUTH_CLIENT_ID);
    let code = code(&server);
    let reply = exchange(&server, &code, RFC_VERIFIER, DEFAULT_OAUTH_REDIRECT_URI);
    assert_eq!(reply.header("cache-control").as_deref(), Some("no-store"));
    let body = reply.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], "export:read export:write");
    let (access, refresh) = tokens_of(&reply);
    assert_ne!(access, refresh);

    let details = introspect(&server, &access);
    assert_eq!(details.status, 200, "{}", details.text);
    let data = &details.json()["data"];
    assert_eq!(data["authMethod"], "OAUTH2");
    assert_eq!(data["clientId"], DEFAULT_OAUTH_CLIENT_ID);
    assert_eq!(data["scope"], "export:read export:write");
    assert_eq!(data["applicationName"], client.application_name.as_str());
    assert_eq!(
        data["subjectURN"],
        format!("urn:pleo:company:{}", client.company_id)
    );
    let installation = server.installation(&access, None).expect("installation");
    assert_eq!(installation["status"], "ACTIVATED");
    let me = send(&server, "GET", ME, Some(&bearer(&access)), None).unwrap();
    assert_eq!(me.json()["id"], installation["id"]);
    // A different client from the static bearer token's: its own installation.
    assert!(server.installation(&server.access_token(), None).is_none());
}

#[test]
fn code_exchange_refusals() {
    let server = MockServer::start().unwrap();
    let wrong = "a".repeat(43);
    let reply = exchange(&server, &code(&server), &wrong, DEFAULT_OAUTH_REDIRECT_URI);
    assert!(oauth_error(&reply, 400, "invalid_grant").contains("code_verifier"));

    let reply = exchange(&server, &code(&server), "short", DEFAULT_OAUTH_REDIRECT_URI);
    oauth_error(&reply, 400, "invalid_grant");

    let reply = exchange(
        &server,
        &code(&server),
        RFC_VERIFIER,
        "http://localhost:8765/other",
    );
    assert!(oauth_error(&reply, 400, "invalid_grant").contains("redirect_uri"));

    let expiring = code(&server);
    server.advance_clock(Duration::from_secs(61));
    let reply = exchange(&server, &expiring, RFC_VERIFIER, DEFAULT_OAUTH_REDIRECT_URI);
    assert!(oauth_error(&reply, 400, "invalid_grant").contains("expired"));

    // Single use: a second exchange fails and revokes what the first one issued.
    let once = code(&server);
    let (access, _) = tokens_of(&exchange(
        &server,
        &once,
        RFC_VERIFIER,
        DEFAULT_OAUTH_REDIRECT_URI,
    ));
    let reply = exchange(&server, &once, RFC_VERIFIER, DEFAULT_OAUTH_REDIRECT_URI);
    assert!(oauth_error(&reply, 400, "invalid_grant").contains("already been used"));
    invalid_token(&introspect(&server, &access));

    let reply = exchange(
        &server,
        "ac_unknown",
        RFC_VERIFIER,
        DEFAULT_OAUTH_REDIRECT_URI,
    );
    oauth_error(&reply, 400, "invalid_grant");

    let reply = token(
        &server,
        Some(&client_auth()),
        &[("grant_type", "authorization_code")],
    );
    oauth_error(&reply, 400, "invalid_request");
    let reply = token(&server, Some(&client_auth()), &[("grant_type", "password")]);
    oauth_error(&reply, 400, "unsupported_grant_type");
    let reply = token(&server, Some(&client_auth()), &[]);
    oauth_error(&reply, 400, "invalid_request");
}

#[test]
fn bad_client_authentication_is_invalid_client() {
    let server = MockServer::start().unwrap();
    let grant = [("grant_type", "refresh_token"), ("refresh_token", "rt_x")];
    for authorization in [
        Some(basic_raw(&format!("{DEFAULT_OAUTH_CLIENT_ID}:wrong"))),
        Some(basic_raw("nobody:pleo-mock-oauth-secret")),
        Some(basic_raw(DEFAULT_OAUTH_CLIENT_ID)),
        Some(bearer(DEFAULT_OAUTH_CLIENT_SECRET)),
        None,
    ] {
        let reply = token(&server, authorization.as_deref(), &grant);
        oauth_error(&reply, 401, "invalid_client");
        let challenge = reply.header("www-authenticate").expect("WWW-Authenticate");
        assert!(challenge.starts_with("Basic"), "{challenge}");
    }
    // Credentials in the body are accepted too.
    let (_, refresh_token) = server.issue_tokens(DEFAULT_OAUTH_CLIENT_ID);
    let reply = token(
        &server,
        None,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh_token),
            ("client_id", DEFAULT_OAUTH_CLIENT_ID),
            ("client_secret", DEFAULT_OAUTH_CLIENT_SECRET),
        ],
    );
    tokens_of(&reply);
}

#[test]
fn refresh_rotates_and_invalidates_earlier_tokens() {
    let server = MockServer::start().unwrap();
    let (access1, refresh1) = server.issue_tokens(DEFAULT_OAUTH_CLIENT_ID);
    assert_eq!(introspect(&server, &access1).status, 200);
    let (access2, refresh2) = tokens_of(&refresh(&server, &refresh1));
    assert_ne!(access1, access2);
    assert_ne!(refresh1, refresh2);
    assert!(invalid_token(&introspect(&server, &access1)).contains("revoked"));
    assert_eq!(introspect(&server, &access2).status, 200);
    let (access3, _) = tokens_of(&refresh(&server, &refresh2));
    assert!(invalid_token(&introspect(&server, &access2)).contains("revoked"));
    assert_eq!(introspect(&server, &access3).status, 200);
    assert_eq!(server.refresh_count(), 2);
}

#[test]
fn a_reused_refresh_token_revokes_the_whole_family() {
    let server = MockServer::start().unwrap();
    let (_, refresh1) = server.issue_tokens(DEFAULT_OAUTH_CLIENT_ID);
    let (other_access, _) = server.issue_tokens(DEFAULT_OAUTH_CLIENT_ID);
    let (access2, refresh2) = tokens_of(&refresh(&server, &refresh1));
    let reply = refresh(&server, &refresh1);
    assert!(oauth_error(&reply, 400, "invalid_grant").contains("already been used"));
    invalid_token(&introspect(&server, &access2));
    oauth_error(&refresh(&server, &refresh2), 400, "invalid_grant");
    // Another family of the same client is not affected.
    assert_eq!(introspect(&server, &other_access).status, 200);
    assert_eq!(server.refresh_count(), 1);
    // An unknown token is refused without further effect.
    oauth_error(&refresh(&server, "rt_unknown"), 400, "invalid_grant");
}

#[test]
fn an_expired_access_token_gets_401_and_a_refresh_works() {
    let server = MockServer::start().unwrap();
    let (access, refresh_token) = server.issue_tokens(DEFAULT_OAUTH_CLIENT_ID);
    server.advance_clock(Duration::from_secs(3599));
    assert_eq!(introspect(&server, &access).status, 200);
    server.advance_clock(Duration::from_secs(1));
    assert!(invalid_token(&introspect(&server, &access)).contains("expired"));
    let (fresh, refresh2) = tokens_of(&refresh(&server, &refresh_token));
    assert_eq!(introspect(&server, &fresh).status, 200);

    server.expire_access_tokens();
    assert!(invalid_token(&introspect(&server, &fresh)).contains("expired"));
    let (fresh2, _) = tokens_of(&refresh(&server, &refresh2));
    assert_eq!(introspect(&server, &fresh2).status, 200);
}

#[test]
fn the_access_token_lifetime_is_configurable() {
    let server = MockServer::start_with(MockConfig {
        access_token_lifetime: Duration::from_secs(5),
        ..MockConfig::default()
    })
    .unwrap();
    let code = code(&server);
    let reply = exchange(&server, &code, RFC_VERIFIER, DEFAULT_OAUTH_REDIRECT_URI);
    assert_eq!(reply.json()["expires_in"], 5);
    let (access, _) = tokens_of(&reply);
    server.advance_clock(Duration::from_secs(5));
    invalid_token(&introspect(&server, &access));
}

#[test]
fn delete_with_an_access_token_revokes_every_token_of_the_client() {
    let server = MockServer::start().unwrap();
    let (access, refresh_token) = server.issue_tokens(DEFAULT_OAUTH_CLIENT_ID);
    let (access_b, _) = server.issue_tokens(DEFAULT_OAUTH_CLIENT_ID);
    let reply = send(&server, "DELETE", ME, Some(&bearer(&access)), None).unwrap();
    assert_eq!(reply.status, 204, "{}", reply.text);
    assert!(invalid_token(&introspect(&server, &access)).contains("revoked"));
    invalid_token(&introspect(&server, &access_b));
    oauth_error(&refresh(&server, &refresh_token), 400, "invalid_grant");
    // The static credentials stay valid.
    assert_eq!(introspect(&server, &server.access_token()).status, 200);
}

#[test]
fn counters_count_token_requests_and_successful_refreshes() {
    let server = MockServer::start().unwrap();
    assert_eq!((server.token_requests(), server.refresh_count()), (0, 0));
    let (_, refresh1) = server.issue_tokens(DEFAULT_OAUTH_CLIENT_ID);
    assert_eq!(server.token_requests(), 0);
    let (_, refresh2) = tokens_of(&refresh(&server, &refresh1));
    oauth_error(&refresh(&server, "rt_nope"), 400, "invalid_grant");
    tokens_of(&refresh(&server, &refresh2));
    assert_eq!(server.token_requests(), 3);
    assert_eq!(server.refresh_count(), 2);
    let stats = admin(&server, "GET", "/__mock/oauth/stats", None);
    assert_eq!(stats.json(), json!({"token_requests": 3, "refreshes": 2}));
    server.reset();
    assert_eq!((server.token_requests(), server.refresh_count()), (0, 0));
}

#[test]
fn a_client_that_needs_activation_gets_an_authorized_installation() {
    let app = MockOAuthClient::new("config-app", "config-secret")
        .with_needs_activation(true)
        .with_redirect_uris(["http://127.0.0.1:9/cb?x=1"]);
    let server = MockServer::start_with(MockConfig {
        oauth_clients: vec![MockOAuthClient::default_client(), app.clone()],
        ..MockConfig::default()
    })
    .unwrap();
    let reply = authorize(
        &server,
        &[
            ("client_id", "config-app"),
            ("redirect_uri", "http://127.0.0.1:9/cb?x=1"),
            ("response_type", "code"),
            ("code_challenge", RFC_CHALLENGE),
            ("code_challenge_method", "S256"),
        ],
    );
    let location = reply.header("location").unwrap();
    assert!(
        location.starts_with("http://127.0.0.1:9/cb?x=1&code="),
        "{location}"
    );
    assert!(!location.contains("state="));
    let code = location.split("code=").nth(1).unwrap().to_owned();
    let reply = token(
        &server,
        Some(&basic_raw("config-app:config-secret")),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:9/cb?x=1"),
            ("code_verifier", RFC_VERIFIER),
        ],
    );
    let (access, _) = tokens_of(&reply);
    assert_eq!(reply.json()["scope"], app.scope.as_str());
    let installation = server.installation(&access, None).unwrap();
    assert_eq!(installation["status"], "AUTHORIZED");
    let activated = send(&server, "POST", ACTIVATE, Some(&bearer(&access)), None).unwrap();
    assert_eq!(activated.json()["status"], "ACTIVATED");
    // A later flow keeps the existing installation.
    let (again, _) = server.issue_tokens("config-app");
    assert_eq!(
        server.installation(&again, None).unwrap()["status"],
        "ACTIVATED"
    );
    // The code of one client is not valid for another.
    let other = self::code(&server);
    let reply = token(
        &server,
        Some(&basic_raw("config-app:config-secret")),
        &[
            ("grant_type", "authorization_code"),
            ("code", &other),
            ("redirect_uri", DEFAULT_OAUTH_REDIRECT_URI),
            ("code_verifier", RFC_VERIFIER),
        ],
    );
    oauth_error(&reply, 400, "invalid_grant");
}

#[test]
fn faults_can_target_the_token_endpoint() {
    let server = MockServer::start().unwrap();
    let (_, refresh_token) = server.issue_tokens(DEFAULT_OAUTH_CLIENT_ID);
    server.push_fault(
        Fault::status(503)
            .with_retry_after("1")
            .for_operation("oauthToken"),
    );
    assert_eq!(api(&server, "GET", INTROSPECT, None).status, 200);
    let reply = refresh(&server, &refresh_token);
    assert_eq!(reply.status, 503);
    assert_eq!(reply.header("retry-after").as_deref(), Some("1"));
    assert_eq!(server.pending_faults(), 0);
    // The faulted request did not consume the refresh token.
    tokens_of(&refresh(&server, &refresh_token));
    assert_eq!(server.token_requests(), 2);
    assert_eq!(server.refresh_count(), 1);
    let operations: Vec<_> = server
        .journal()
        .into_iter()
        .map(|r| r.operation.unwrap_or_default())
        .collect();
    assert_eq!(operations, ["introspect", "oauthToken", "oauthToken"]);

    let queued = admin(
        &server,
        "POST",
        "/__mock/faults",
        Some(
            r#"[{"operation": "oauthToken", "drop": true}, {"operation": "oauthAuthorize", "status": 500}]"#,
        ),
    );
    assert_eq!(queued.status, 200, "{}", queued.text);
    assert!(no_redirects().post(server.token_url()).send().is_err());
    let reply = authorize(&server, &authorize_params("s"));
    assert_eq!(reply.status, 500);
    assert!(reply.header("location").is_none());
    assert_eq!(server.pending_faults(), 0);
}

#[test]
fn admin_controls_the_clock_tokens_and_stats() {
    let server = MockServer::start().unwrap();
    let issued = admin(&server, "POST", "/__mock/oauth/tokens", Some("{}"));
    assert_eq!(issued.status, 200, "{}", issued.text);
    let body = issued.json();
    assert_eq!(body["token_type"], "Bearer");
    let access = body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(introspect(&server, &access).status, 200);
    let explicit = admin(
        &server,
        "POST",
        "/__mock/oauth/tokens",
        Some(&json!({"client_id": DEFAULT_OAUTH_CLIENT_ID}).to_string()),
    );
    assert_eq!(explicit.status, 200);
    admin(
        &server,
        "POST",
        "/__mock/oauth/tokens",
        Some(r#"{"client_id": "nobody"}"#),
    )
    .expect_error(400, "invalid_client");

    let expired = admin(&server, "POST", "/__mock/expire-access-tokens", None);
    assert_eq!(expired.json(), json!({"expired": 2}));
    assert!(invalid_token(&introspect(&server, &access)).contains("expired"));

    let (fresh, _) = server.issue_tokens(DEFAULT_OAUTH_CLIENT_ID);
    let moved = admin(
        &server,
        "POST",
        "/__mock/clock",
        Some(r#"{"advance_ms": 3600000}"#),
    );
    assert_eq!(moved.json(), json!({"offset_ms": 3_600_000}));
    invalid_token(&introspect(&server, &fresh));
    admin(
        &server,
        "POST",
        "/__mock/clock",
        Some(r#"{"advance_ms": -1}"#),
    )
    .expect_error(400, "invalid_clock");

    let stats = admin(&server, "GET", "/__mock/oauth/stats", None);
    assert_eq!(stats.json(), json!({"token_requests": 0, "refreshes": 0}));
    assert_eq!(admin(&server, "GET", "/__mock/clock", None).status, 405);
    // Admin requests are not journaled.
    assert!(
        server
            .journal()
            .iter()
            .all(|r| !r.path.starts_with("/__mock"))
    );
}

#[test]
fn consent_answers_like_the_consent_page_without_http() {
    let server = MockServer::start().unwrap();
    let url = format!(
        "{}?{}",
        server.authorize_url(),
        encode(&authorize_params("st-1"))
    );
    let consent = server.consent(&url).unwrap();
    assert!(consent.callback.starts_with(DEFAULT_OAUTH_REDIRECT_URI));
    assert_eq!(consent.state.as_deref(), Some("st-1"));
    assert!(server.journal().is_empty(), "not an HTTP request");
    // The code is a real one: it exchanges for tokens.
    let exchanged = token(
        &server,
        Some(&client_auth()),
        &[
            ("grant_type", "authorization_code"),
            ("code", &consent.code),
            ("redirect_uri", DEFAULT_OAUTH_REDIRECT_URI),
            ("code_verifier", RFC_VERIFIER),
        ],
    );
    assert_eq!(exchanged.status, 200, "{}", exchanged.text);

    let mut unknown = authorize_params("st-2");
    unknown[0] = ("client_id", "nobody");
    let url = format!("{}?{}", server.authorize_url(), encode(&unknown));
    let refused = server.consent(&url).unwrap_err();
    assert!(
        refused.message().contains("without a redirect")
            && refused.message().contains("invalid_client")
            && refused.message().contains("nobody"),
        "{refused}"
    );
    let mut plain = authorize_params("st-3");
    plain[6] = ("code_challenge_method", "plain");
    let url = format!("{}?{}", server.authorize_url(), encode(&plain));
    assert!(
        server
            .consent(&url)
            .unwrap_err()
            .message()
            .contains("invalid_request")
    );
}

#[test]
fn consent_through_the_admin_api_gives_a_code_that_exchanges() {
    let server = MockServer::start().unwrap();
    let url = format!(
        "{}?{}",
        server.authorize_url(),
        encode(&authorize_params("st-9"))
    );
    let body = json!({ "authorize_url": url }).to_string();
    let reply = admin(&server, "POST", "/__mock/oauth/consent", Some(&body));
    assert_eq!(reply.status, 200, "{}", reply.text);
    let consent = reply.json();
    assert_eq!(consent["state"], "st-9");
    let code = consent["code"].as_str().expect("a code");
    assert!(
        consent["callback"]
            .as_str()
            .unwrap()
            .starts_with(DEFAULT_OAUTH_REDIRECT_URI)
    );
    let exchanged = token(
        &server,
        Some(&client_auth()),
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", DEFAULT_OAUTH_REDIRECT_URI),
            ("code_verifier", RFC_VERIFIER),
        ],
    );
    assert_eq!(exchanged.status, 200, "{}", exchanged.text);

    let mut unknown = authorize_params("st-10");
    unknown[0] = ("client_id", "nobody");
    let url = format!("{}?{}", server.authorize_url(), encode(&unknown));
    let body = json!({ "authorize_url": url }).to_string();
    let refused = admin(&server, "POST", "/__mock/oauth/consent", Some(&body));
    refused.expect_error(400, "invalid_consent");
    assert!(refused.text.contains("nobody"), "{}", refused.text);
    for bad in [r#"{}"#, r#"{"authorize_url": 1}"#, r#"{"url": "x"}"#, "[]"] {
        admin(&server, "POST", "/__mock/oauth/consent", Some(bad))
            .expect_error(400, "invalid_consent");
    }
}
