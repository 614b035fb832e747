//! Every operation against the emulator, typed and through `call_json`, and what goes on the wire.

use crate::common;

use common::builder;
use pleo_installations::{
    AuthMethod, CreateInstallation, ErrorKind, InstallationErrorCode, InstallationStatus, Metadata,
    Operation, UpdateInstallation, Uuid, VERSION,
};
use pleo_installations_mock::MockServer;
use serde_json::{Value, json};

fn metadata(value: Value) -> Metadata {
    value.as_object().cloned().unwrap()
}

#[test]
fn typed_methods_walk_the_whole_lifecycle() {
    let server = MockServer::start().unwrap();
    let client = builder(&server).build().unwrap();

    let created = client
        .create_installation(&CreateInstallation {
            status: Some(InstallationStatus::Authorized),
            metadata: Some(metadata(json!({"n": 1, "s": "x", "o": {"deep": [true]}}))),
        })
        .unwrap();
    assert_eq!(created.status, InstallationStatus::Authorized);
    assert_eq!(created.metadata["o"], json!({"deep": [true]}));
    assert!(created.resource.starts_with("urn:pleo:company:"));

    let fetched = client.get_installation(None).unwrap();
    assert_eq!(fetched.id, created.id);

    let activated = client.activate_installation().unwrap();
    assert_eq!(activated.status, InstallationStatus::Activated);
    assert!(activated.updated_at >= created.updated_at);

    let update = UpdateInstallation::new(InstallationStatus::Inactive)
        .error_code(InstallationErrorCode::NotEntitled)
        .metadata(metadata(json!({"reason": "plan"})));
    let inactive = client.update_installation(&update).unwrap();
    assert_eq!(inactive.status, InstallationStatus::Inactive);
    assert_eq!(
        inactive.error_code,
        Some(InstallationErrorCode::NotEntitled)
    );
    assert_eq!(inactive.metadata, metadata(json!({"reason": "plan"})));

    client
        .update_installation(&UpdateInstallation::new(
            InstallationStatus::PendingIntegration,
        ))
        .unwrap();
    #[allow(deprecated)]
    let completed = client.complete_installation().unwrap();
    assert_eq!(completed.status, InstallationStatus::Activated);

    let introspection = client.introspect().unwrap();
    assert_eq!(introspection.data.auth_method, AuthMethod::ApiKey);
    assert!(!introspection.data.client_id.is_empty());

    client.delete_installation().unwrap();
    let gone = client.get_installation(None).unwrap_err();
    assert_eq!(gone.kind(), ErrorKind::NotFound);
    assert_eq!(gone.status(), Some(404));
}

#[test]
fn call_json_returns_the_servers_json_for_every_operation() {
    let server = MockServer::start().unwrap();
    let client = builder(&server).build().unwrap();

    let created: Value = serde_json::from_str(
        &client
            .call_json("createClientInstallation", r#"{"metadata": {"k": "v"}}"#)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(created["status"], "ACTIVATED");
    assert_eq!(created["metadata"], json!({"k": "v"}));
    for key in ["id", "applicationId", "resource", "createdAt", "updatedAt"] {
        assert!(created.get(key).is_some(), "missing {key} in {created}");
    }

    let read = client.call_json("getClientInstallation", "{}").unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&read).unwrap()["id"],
        created["id"]
    );

    let updated = client
        .call_json(
            "updateClientInstallation",
            r#"{"status": "ERROR", "errorCode": "AUTH_ERROR"}"#,
        )
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&updated).unwrap()["errorCode"],
        "AUTH_ERROR"
    );

    for (op, request) in [
        ("activateMyInstallation", "null"),
        ("completeInstallationExternalClientOnlyIdempotently", ""),
    ] {
        client
            .call_json("updateClientInstallation", r#"{"status": "AUTHORIZED"}"#)
            .unwrap();
        let out: Value = serde_json::from_str(&client.call_json(op, request).unwrap()).unwrap();
        assert_eq!(out["status"], "ACTIVATED", "{op}");
    }

    let who: Value = serde_json::from_str(&client.call_json("introspect", "{}").unwrap()).unwrap();
    assert_eq!(who["data"]["authMethod"], "API_KEY");

    let waited = client
        .call_json(
            "waitForStatus",
            r#"{"statuses": ["ACTIVATED"], "timeout_ms": 1000}"#,
        )
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&waited).unwrap()["status"],
        "ACTIVATED"
    );

    assert_eq!(
        client.call_json("deleteClientInstallation", "{}").unwrap(),
        "null"
    );
}

#[test]
fn requests_go_on_the_wire_as_the_api_expects() {
    let server = MockServer::start().unwrap();
    let client = builder(&server).user_agent("erp-sync/3.1").build().unwrap();
    client
        .create_installation(&CreateInstallation {
            status: None,
            metadata: Some(metadata(json!({"a": "b"}))),
        })
        .unwrap();
    client.activate_installation().unwrap();
    let company = Uuid::parse_str("7b2d0c4e-9a43-4f3e-8f00-3a5a2d1c9e11").unwrap();
    let _ = client.get_installation(Some(company));

    let journal = server.journal();
    assert_eq!(journal.len(), 3);
    let header = |i: usize, name: &str| {
        journal[i]
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    // API key as Basic user name with an empty password.
    let expected_auth = format!("Basic {}", base64_of(&format!("{}:", server.api_key())));
    assert_eq!(
        header(0, "authorization").as_deref(),
        Some(expected_auth.as_str())
    );
    assert_eq!(journal[0].method, "POST");
    assert_eq!(journal[0].path, "/v1/installations/me");
    assert_eq!(
        header(0, "content-type").as_deref(),
        Some("application/json;charset=UTF-8")
    );
    assert_eq!(header(0, "accept").as_deref(), Some("application/json"));
    assert_eq!(
        header(0, "user-agent"),
        Some(format!("pleo-installations-rust/{VERSION} erp-sync/3.1"))
    );
    assert_eq!(
        serde_json::from_str::<Value>(&journal[0].body).unwrap(),
        json!({"metadata": {"a": "b"}})
    );
    // The colon of :activate is sent literally, and bodiless calls carry no content type.
    assert_eq!(journal[1].path, "/v1/installations/me:activate");
    assert_eq!(header(1, "content-type"), None);
    assert_eq!(
        journal[2].path,
        format!("/v1/installations/me?company_id={company}")
    );
}

#[test]
fn bearer_tokens_are_sent_as_bearer() {
    let server = MockServer::start().unwrap();
    let client = pleo_installations::Client::builder()
        .base_url(server.url())
        .access_token(server.access_token())
        .build()
        .unwrap();
    let who = client.introspect().unwrap();
    assert_eq!(who.data.auth_method, AuthMethod::OAuth2);
    let auth = server.journal()[0]
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        .map(|(_, v)| v.clone());
    assert_eq!(auth, Some(format!("Bearer {}", server.access_token())));
}

#[test]
fn unknown_statuses_and_fields_pass_through() {
    let server = MockServer::start().unwrap();
    let client = builder(&server).build().unwrap();
    let installation = client
        .create_installation(&CreateInstallation::default())
        .unwrap();
    let odd = json!({
        "id": installation.id, "applicationId": installation.application_id,
        "resource": "urn:pleo:company:x", "status": "SUSPENDED", "errorCode": "NEW_CODE",
        "metadata": {}, "createdAt": "2021-01-01T00:00:00Z", "updatedAt": "2021-01-01T00:00:00+02:00",
        "region": "eu"
    });
    let body = odd.to_string();
    server.push_fault(
        pleo_installations_mock::Fault::status(200)
            .with_body(&body)
            .times(2),
    );
    let typed = client.get_installation(None).unwrap();
    assert_eq!(
        typed.status,
        InstallationStatus::Unknown("SUSPENDED".into())
    );
    assert_eq!(
        typed.error_code,
        Some(InstallationErrorCode::Unknown("NEW_CODE".into()))
    );
    assert_eq!(typed.extra["region"], "eu");
    assert_eq!(
        client.call_json("getClientInstallation", "{}").unwrap(),
        body
    );
}

#[test]
fn operations_are_named_by_their_openapi_ids() {
    for op in Operation::ALL {
        assert_eq!(Operation::from_id(op.id()), Some(op));
    }
    assert_eq!(Operation::from_id("getInstallation"), None);
    assert!(!Operation::CreateInstallation.is_idempotent());
}

fn base64_of(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[test]
fn numbers_in_metadata_keep_every_digit_end_to_end() {
    let server = MockServer::start().unwrap();
    let client = builder(&server).build().unwrap();
    let digits = [
        "18446744073709551617",
        "-18446744073709551617",
        "340282366920938463463374607431768211457",
        "0.1000000000000000055511151231257827",
        "12345678901234567890.5",
        "1e+400",
    ];
    let fields: Vec<String> = digits
        .iter()
        .enumerate()
        .map(|(i, d)| format!("\"n{i}\": {d}"))
        .collect();
    let request = format!("{{\"metadata\": {{{}}}}}", fields.join(", "));
    let created = client
        .call_json("createClientInstallation", &request)
        .unwrap();
    let fetched = client.call_json("getClientInstallation", "{}").unwrap();
    let typed = client.get_installation(None).unwrap();
    for (i, d) in digits.iter().enumerate() {
        assert!(created.contains(d), "{d} in {created}");
        assert!(fetched.contains(d), "{d} in {fetched}");
        assert_eq!(typed.metadata[&format!("n{i}")].to_string(), *d);
    }
}

#[test]
fn a_request_body_too_large_to_send_fails_at_once_and_sends_nothing() {
    let server = MockServer::start().unwrap();
    let client = builder(&server).build().unwrap();
    let big = "x".repeat(pleo_installations::MAX_REQUEST_BYTES);
    let update = UpdateInstallation::new(InstallationStatus::Activated)
        .metadata(metadata(json!({ "blob": big })));
    let err = client.update_installation(&update).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
    assert!(err.message().contains("bytes"), "{err}");
    assert_eq!(err.attempts(), 0);
    let request = json!({"status": "ACTIVATED", "metadata": {"blob": big}}).to_string();
    let err = client
        .call_json("createClientInstallation", &request)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
    assert!(server.journal().is_empty(), "nothing is sent");
}

#[test]
fn a_request_naming_a_key_twice_is_refused_not_half_sent() {
    let server = MockServer::start().unwrap();
    let client = builder(&server).build().unwrap();
    for request in [
        r#"{"metadata": {"plan": "gold", "plan": "free"}}"#,
        r#"{"status": "ACTIVATED", "status": "ERROR"}"#,
        r#"{"metadata": {"o": {"k": 1, "k": 2}}}"#,
    ] {
        let err = client
            .call_json("createClientInstallation", request)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{request}: {err}");
        assert!(err.message().contains("twice"), "{request}: {err}");
    }
    assert!(server.journal().is_empty(), "nothing is sent");
}

#[test]
fn call_json_sends_numbers_as_written() {
    let server = MockServer::start().unwrap();
    let client = builder(&server).build().unwrap();
    client
        .create_installation(&CreateInstallation::default())
        .unwrap();
    let zeros = format!("1{}", "0".repeat(300));
    for number in [
        "-0",
        zeros.as_str(),
        "1.50",
        "-1e-400",
        "0.000000000000000000001",
    ] {
        let request = format!(r#"{{"status": "ACTIVATED", "metadata": {{"n": {number}}}}}"#);
        client
            .call_json("updateClientInstallation", &request)
            .unwrap();
        let journal = server.journal();
        let sent = &journal.last().unwrap().body;
        assert!(
            sent.contains(&format!(r#""n":{number}}}"#)),
            "{number} was sent as {sent}"
        );
    }
}

#[test]
fn serde_json_s_number_mark_is_refused_in_requests_and_answers() {
    let server = MockServer::start().unwrap();
    let client = builder(&server).build().unwrap();
    let marked = r#"{"metadata": {"x": {"$serde_json::private::Number": "12345"}}}"#;
    let err = client
        .call_json("createClientInstallation", marked)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
    assert!(server.journal().is_empty());

    // An answer whose typed view would differ from its JSON is not the documented JSON.
    let body = |metadata: &str| {
        format!(
            r#"{{"id": "5d0c3e8a-7b2f-4a1e-9c6d-8e7f6a5b4c3d", "applicationId": "3a9d4c2e-8b1f-4d7a-a6e5-0c1b2d3e4f50", "resource": "urn:pleo:company:x", "status": "ACTIVATED", "metadata": {metadata}, "createdAt": "2026-01-02T03:04:05Z", "updatedAt": "2026-01-02T03:04:05Z"}}"#
        )
    };
    for metadata in [
        r#"{"k": {"$serde_json::private::Number": "5"}}"#,
        r#"{"k": 1, "k": 2}"#,
    ] {
        server.push_fault(
            pleo_installations_mock::Fault::status(200)
                .with_body(body(metadata))
                .for_operation("getClientInstallation"),
        );
        let err = client.get_installation(None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{metadata}: {err}");
    }
}
