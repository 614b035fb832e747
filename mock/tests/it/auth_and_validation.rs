//! 401 for every way of not being authenticated; 400 for every invalid request; 413.

use crate::common;

use common::*;
use pleo_installations_mock::{MockConfig, MockCredential, MockServer};

#[test]
fn missing_credentials_are_401() {
    let server = MockServer::start().unwrap();
    let reply = send(&server, "GET", ME, None, None).unwrap();
    let message = reply.expect_error(401, "unauthorized");
    assert!(message.contains("Authorization"), "{message}");
    assert!(reply.header("www-authenticate").unwrap().contains("Basic"));
}

#[test]
fn wrong_credentials_are_401_for_every_operation() {
    let server = MockServer::start().unwrap();
    server.seed_installation(&server.api_key(), None, "AUTHORIZED");
    let wrong = [
        basic("not-the-key"),
        basic_raw("pleo-mock-api-key:some-password"),
        basic_raw(":pleo-mock-api-key"),
        "Basic %%%not-base64".to_owned(),
        bearer("not-the-token"),
        bearer(""),
        // Right secret, wrong scheme.
        bearer("pleo-mock-api-key"),
        basic("pleo-mock-access-token"),
        "Token pleo-mock-api-key".to_owned(),
        "pleo-mock-api-key".to_owned(),
    ];
    for authorization in &wrong {
        for (method, path) in [
            ("GET", ME),
            ("POST", ME),
            ("PUT", ME),
            ("DELETE", ME),
            ("POST", ACTIVATE),
            ("PUT", COMPLETIONS),
            ("GET", INTROSPECT),
        ] {
            let reply = send(&server, method, path, Some(authorization), Some("{}")).unwrap();
            reply.expect_error(401, "unauthorized");
        }
    }
    // Nothing changed.
    assert_eq!(api(&server, "GET", ME, None).json()["status"], "AUTHORIZED");
}

#[test]
fn basic_without_a_colon_and_lowercase_schemes_are_accepted() {
    let server = MockServer::start().unwrap();
    for authorization in [
        basic_raw("pleo-mock-api-key"),
        basic("pleo-mock-api-key").replace("Basic", "basic"),
        bearer("pleo-mock-access-token").replace("Bearer", "bearer"),
    ] {
        let reply = send(&server, "GET", INTROSPECT, Some(&authorization), None).unwrap();
        assert_eq!(reply.status, 200, "{authorization}: {}", reply.text);
    }
}

#[test]
fn configured_credentials_replace_the_defaults() {
    let server = MockServer::start_with(MockConfig {
        credentials: vec![MockCredential::api_key("only-this-key")],
        ..MockConfig::default()
    })
    .unwrap();
    assert_eq!(server.api_key(), "only-this-key");
    assert_eq!(server.access_token(), "");
    send(
        &server,
        "GET",
        INTROSPECT,
        Some(&basic("pleo-mock-api-key")),
        None,
    )
    .unwrap()
    .expect_error(401, "unauthorized");
    let reply = send(
        &server,
        "GET",
        INTROSPECT,
        Some(&basic("only-this-key")),
        None,
    )
    .unwrap();
    assert_eq!(reply.status, 200);
}

fn assert_400(
    server: &MockServer,
    method: &str,
    path: &str,
    body: Option<&str>,
    error: &str,
    mentions: &str,
) {
    let message = api(server, method, path, body).expect_error(400, error);
    assert!(
        message.contains(mentions),
        "{body:?}: {message:?} should mention {mentions:?}"
    );
}

#[test]
fn invalid_create_bodies_are_400() {
    let server = MockServer::start().unwrap();
    assert_400(
        &server,
        "POST",
        ME,
        Some("{not json"),
        "invalid_json",
        "JSON",
    );
    assert_400(
        &server,
        "POST",
        ME,
        Some("[1, 2]"),
        "invalid_body",
        "object",
    );
    assert_400(
        &server,
        "POST",
        ME,
        Some("\"text\""),
        "invalid_body",
        "object",
    );
    assert_400(
        &server,
        "POST",
        ME,
        Some(r#"{"status": 1}"#),
        "invalid_field",
        "status",
    );
    assert_400(
        &server,
        "POST",
        ME,
        Some(r#"{"status": "DONE"}"#),
        "invalid_status",
        "DONE",
    );
    assert_400(
        &server,
        "POST",
        ME,
        Some(r#"{"status": "activated"}"#),
        "invalid_status",
        "activated",
    );
    assert_400(
        &server,
        "POST",
        ME,
        Some(r#"{"metadata": "x"}"#),
        "invalid_field",
        "metadata",
    );
    assert_400(
        &server,
        "POST",
        ME,
        Some(r#"{"metadata": [1]}"#),
        "invalid_field",
        "metadata",
    );
    // None of them created anything.
    api(&server, "GET", ME, None).expect_error(404, "not_found");
}

#[test]
fn invalid_update_bodies_are_400() {
    let server = MockServer::start().unwrap();
    server.seed_installation(&server.api_key(), None, "ACTIVATED");
    assert_400(&server, "PUT", ME, None, "missing_body", "status");
    assert_400(&server, "PUT", ME, Some("{}"), "missing_field", "status");
    assert_400(
        &server,
        "PUT",
        ME,
        Some(r#"{"metadata": {}}"#),
        "missing_field",
        "status",
    );
    assert_400(
        &server,
        "PUT",
        ME,
        Some(r#"{"status": null}"#),
        "missing_field",
        "status",
    );
    assert_400(
        &server,
        "PUT",
        ME,
        Some(r#"{"status": ["ACTIVATED"]}"#),
        "invalid_field",
        "status",
    );
    assert_400(
        &server,
        "PUT",
        ME,
        Some(r#"{"status": "NOPE"}"#),
        "invalid_status",
        "NOPE",
    );
    assert_400(
        &server,
        "PUT",
        ME,
        Some(r#"{"status": "INACTIVE", "errorCode": "BROKEN"}"#),
        "invalid_error_code",
        "BROKEN",
    );
    assert_400(
        &server,
        "PUT",
        ME,
        Some(r#"{"status": "INACTIVE", "errorCode": 3}"#),
        "invalid_field",
        "errorCode",
    );
    assert_400(
        &server,
        "PUT",
        ME,
        Some(r#"{"status": "INACTIVE", "metadata": 3}"#),
        "invalid_field",
        "metadata",
    );
    assert_400(&server, "PUT", ME, Some("nope"), "invalid_json", "JSON");
    assert_400(&server, "PUT", ME, Some("1"), "invalid_body", "object");
    assert_eq!(api(&server, "GET", ME, None).json()["status"], "ACTIVATED");
}

#[test]
fn invalid_company_ids_are_400() {
    let server = MockServer::start().unwrap();
    server.seed_installation(&server.api_key(), None, "ACTIVATED");
    for query in [
        "company_id=nope",
        "company_id=",
        "company_id=123",
        "company_id=7b2d0c4e9a434f3e8f003a5a2d1c9e11",
        "company_id=7b2d0c4e-9a43-4f3e-8f00-3a5a2d1c9e11&company_id=7b2d0c4e-9a43-4f3e-8f00-3a5a2d1c9e11",
    ] {
        let message =
            api(&server, "GET", &format!("{ME}?{query}"), None).expect_error(400, "invalid_query");
        assert!(message.contains("company_id"), "{message}");
    }
    // Other query parameters are ignored.
    assert_eq!(
        api(&server, "GET", &format!("{ME}?page=2"), None).status,
        200
    );
}

#[test]
fn authentication_comes_before_validation() {
    let server = MockServer::start().unwrap();
    send(&server, "PUT", ME, None, Some("{not json"))
        .unwrap()
        .expect_error(401, "unauthorized");
    send(&server, "GET", &format!("{ME}?company_id=nope"), None, None)
        .unwrap()
        .expect_error(401, "unauthorized");
}

#[test]
fn bodies_over_the_cap_are_413() {
    let server = MockServer::start_with(MockConfig {
        max_body_bytes: 1024,
        ..MockConfig::default()
    })
    .unwrap();
    let big = format!(r#"{{"metadata": {{"x": "{}"}}}}"#, "a".repeat(2048));
    api(&server, "POST", ME, Some(&big)).expect_error(413, "payload_too_large");
    api(&server, "GET", ME, None).expect_error(404, "not_found");
    let journal = server.journal();
    assert_eq!(journal[0].method, "POST");
    assert_eq!(journal[0].body, "", "too-large bodies are not kept");
    assert!(journal[0].body_truncated);
    assert_eq!(journal[0].body_size, None);
    // Just under the cap is fine.
    let fits = format!(r#"{{"metadata": {{"x": "{}"}}}}"#, "a".repeat(900));
    assert_eq!(api(&server, "POST", ME, Some(&fits)).status, 200);
}

#[test]
fn the_default_cap_is_one_mebibyte() {
    let server = MockServer::start().unwrap();
    let big = format!(r#"{{"metadata": {{"x": "{}"}}}}"#, "a".repeat(1024 * 1024));
    api(&server, "POST", ME, Some(&big)).expect_error(413, "payload_too_large");
}
