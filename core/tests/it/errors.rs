//! Every error kind the SDK can produce today, with the fields it carries.

use crate::common;

use std::net::TcpListener;

use common::{builder, fake_time_client};
use pleo_installations::{
    Client, CreateInstallation, ErrorKind, InstallationStatus, MAX_ERROR_BODY_BYTES,
    MAX_RESPONSE_BYTES, UpdateInstallation,
};
use pleo_installations_mock::{Fault, MockServer};
use serde_json::Value;

#[test]
fn invalid_arguments_are_caught_before_sending_and_name_the_problem() {
    let server = MockServer::start().unwrap();
    let client = builder(&server).build().unwrap();
    let cases = [
        (
            "getClientInstallation",
            r#"{"company_id": "not-a-uuid"}"#,
            "company_id",
        ),
        (
            "getClientInstallation",
            r#"{"companyId": "x"}"#,
            "companyId",
        ),
        ("createClientInstallation", r#"{"status": "DONE"}"#, "DONE"),
        (
            "createClientInstallation",
            r#"{"metadata": [1]}"#,
            "createClientInstallation",
        ),
        (
            "createClientInstallation",
            "{not json",
            "createClientInstallation",
        ),
        ("createClientInstallation", "[]", "createClientInstallation"),
        ("updateClientInstallation", r#"{"metadata": {}}"#, "status"),
        (
            "updateClientInstallation",
            r#"{"status": "ERROR", "errorCode": "BOOM"}"#,
            "BOOM",
        ),
        ("deleteClientInstallation", r#"{"force": true}"#, "force"),
        ("introspect", "42", "introspect"),
        ("listInstallations", "{}", "listInstallations"),
        ("waitForStatus", r#"{"statuses": []}"#, "statuses"),
        ("waitForStatus", r#"{"statuses": ["ACTIVE"]}"#, "ACTIVE"),
    ];
    for (op, request, named) in cases {
        let err = client
            .call_json(op, request)
            .expect_err(&format!("{op} {request}"));
        assert_eq!(
            err.kind(),
            ErrorKind::InvalidArgument,
            "{op} {request}: {err}"
        );
        assert!(err.message().contains(named), "{op} {request}: {err}");
        assert_eq!(err.attempts(), 0);
        assert_eq!(err.status(), None);
    }
    let typed = client
        .update_installation(&UpdateInstallation::new(InstallationStatus::Unknown(
            "X".into(),
        )))
        .unwrap_err();
    assert_eq!(typed.kind(), ErrorKind::InvalidArgument);
    assert!(server.journal().is_empty(), "nothing may be sent");
}

#[test]
fn http_statuses_map_to_their_kinds_with_request_id_and_body() {
    let server = MockServer::start().unwrap();
    let (client, _clock) = fake_time_client(&server, 0);
    let cases = [
        (400, ErrorKind::BadRequest),
        (403, ErrorKind::PermissionDenied),
        (404, ErrorKind::NotFound),
        (409, ErrorKind::Conflict),
        (418, ErrorKind::BadRequest),
        (422, ErrorKind::BadRequest),
        (429, ErrorKind::RateLimited),
        (500, ErrorKind::Server),
        (503, ErrorKind::Server),
    ];
    for (status, kind) in cases {
        server.push_fault(
            Fault::status(status).with_body(r#"{"error": "x", "message": "told you so"}"#),
        );
        let err = client.introspect().unwrap_err();
        assert_eq!(err.kind(), kind, "{status}");
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.attempts(), 1);
        assert!(
            err.request_id().is_some_and(|id| !id.is_empty()),
            "{status}"
        );
        assert!(err.message().contains("told you so"), "{err}");
        assert_eq!(
            serde_json::from_str::<Value>(err.body().unwrap()).unwrap()["message"],
            "told you so"
        );
        let json = err.to_json();
        assert_eq!(json["kind"], kind.as_str());
        assert_eq!(json["status"], status);
        assert_eq!(json["request_id"], err.request_id().unwrap());
    }
}

#[test]
fn the_emulators_own_errors_surface_as_kinds() {
    let server = MockServer::start().unwrap();
    let client = builder(&server).build().unwrap();
    assert_eq!(
        client.activate_installation().unwrap_err().kind(),
        ErrorKind::NotFound
    );
    client
        .create_installation(&CreateInstallation::default())
        .unwrap();
    let again = client
        .create_installation(&CreateInstallation::default())
        .unwrap_err();
    assert_eq!(again.kind(), ErrorKind::Conflict);
    assert!(!again.retryable());

    let stranger = Client::builder()
        .base_url(server.url())
        .api_key("wrong-key")
        .build()
        .unwrap();
    let denied = stranger.get_installation(None).unwrap_err();
    assert_eq!(denied.kind(), ErrorKind::Authentication);
    assert_eq!(denied.status(), Some(401));
}

#[test]
fn a_refused_connection_is_a_connection_error_after_retries() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let clock = common::FakeClock::new();
    let client = Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .api_key("k")
        .clock(clock.clone())
        .build()
        .unwrap();
    // Nothing was sent, so even create is retried.
    let err = client
        .create_installation(&CreateInstallation::default())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connection, "{err}");
    assert_eq!(err.attempts(), 3);
    assert!(err.retryable());
    assert_eq!(err.status(), None);
    assert_eq!(clock.sleeps().len(), 2);
}

#[test]
fn malformed_and_oversized_bodies_are_decode_errors() {
    let server = MockServer::start().unwrap();
    let client = builder(&server).build().unwrap();
    server.push_fault(Fault::malformed_body());
    let err = client.introspect().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.status(), Some(200));
    assert!(err.body().is_some());

    // Valid JSON of the wrong shape is not the documented JSON either.
    server.push_fault(Fault::status(200).with_body(r#"{"id": 1}"#));
    assert_eq!(
        client.get_installation(None).unwrap_err().kind(),
        ErrorKind::Decode
    );

    let huge = format!("\"{}\"", "x".repeat(MAX_RESPONSE_BYTES + 10));
    server.push_fault(Fault::status(200).with_body(&huge));
    let err = client.introspect().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.message().contains("limit"), "{err}");
}

#[test]
fn error_bodies_are_truncated() {
    let server = MockServer::start().unwrap();
    let client = builder(&server).max_retries(0).build().unwrap();
    let long = "é".repeat(MAX_ERROR_BODY_BYTES);
    server.push_fault(Fault::status(400).with_body(&long));
    let err = client.introspect().unwrap_err();
    let body = err.body().unwrap();
    assert!(body.len() <= MAX_ERROR_BODY_BYTES && body.len() > MAX_ERROR_BODY_BYTES - 4);
    assert!(body.chars().all(|c| c == 'é'));
}

#[test]
fn a_redirect_is_not_followed() {
    let server = MockServer::start().unwrap();
    let client = builder(&server).build().unwrap();
    server.push_fault(Fault::status(302));
    let err = client.introspect().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.status(), Some(302));
    assert!(err.message().contains("redirect"), "{err}");
    assert_eq!(err.attempts(), 1);
}
