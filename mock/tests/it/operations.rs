//! Each operation's happy path, the lifecycle, 404s, 409 and the company_id filter.

use crate::common;

use common::*;
use pleo_installations_mock::{DEFAULT_COMPANY_ID, MockCredential, MockServer, SeedInstallation};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

fn at(value: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(value.as_str().expect("a date string"), &Rfc3339).expect("RFC 3339")
}

fn assert_installation_shape(body: &Value) {
    for field in [
        "id",
        "applicationId",
        "resource",
        "status",
        "metadata",
        "createdAt",
        "updatedAt",
    ] {
        assert!(body.get(field).is_some(), "{field} missing in {body}");
    }
    Uuid::parse_str(body["id"].as_str().unwrap()).unwrap();
    Uuid::parse_str(body["applicationId"].as_str().unwrap()).unwrap();
    assert!(body["metadata"].is_object());
    let created = at(&body["createdAt"]);
    assert_eq!(created.offset(), time::UtcOffset::UTC);
    assert!(body["createdAt"].as_str().unwrap().ends_with('Z'));
    assert!(at(&body["updatedAt"]) >= created);
}

#[test]
fn create_returns_an_activated_installation() {
    let server = MockServer::start().unwrap();
    let reply = api(
        &server,
        "POST",
        ME,
        Some(
            r#"{"metadata": {"externalConfigurationId": "123456789", "n": 1, "nested": {"a": [true]}}}"#,
        ),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("application/json;charset=UTF-8")
    );
    let body = reply.json();
    assert_installation_shape(&body);
    assert_eq!(body["status"], "ACTIVATED");
    assert_eq!(
        body["resource"],
        format!("urn:pleo:company:{DEFAULT_COMPANY_ID}")
    );
    assert_eq!(
        body["applicationId"],
        MockCredential::default_api_key().application_id.to_string()
    );
    assert_eq!(
        body["metadata"],
        json!({"externalConfigurationId": "123456789", "n": 1, "nested": {"a": [true]}})
    );
    assert!(
        body.get("errorCode").is_none(),
        "no errorCode when none: {body}"
    );
    assert_eq!(body["createdAt"], body["updatedAt"]);
}

#[test]
fn create_with_a_status_and_an_empty_body() {
    let server = MockServer::start().unwrap();
    let reply = api(
        &server,
        "POST",
        ME,
        Some(r#"{"status": "AUTHORIZED", "unknownField": 1}"#),
    );
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["status"], "AUTHORIZED");
    assert_eq!(reply.json()["metadata"], json!({}));

    let other = MockServer::start().unwrap();
    let reply = api(&other, "POST", ME, None);
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["status"], "ACTIVATED");
}

#[test]
fn second_create_is_a_conflict() {
    let server = MockServer::start().unwrap();
    let first = api(&server, "POST", ME, Some("{}")).json();
    let message =
        api(&server, "POST", ME, Some(r#"{"status": "AUTHORIZED"}"#)).expect_error(409, "conflict");
    assert!(message.contains("already exists"), "{message}");
    // The existing one is untouched.
    assert_eq!(api(&server, "GET", ME, None).json(), first);
}

#[test]
fn get_returns_what_create_made() {
    let server = MockServer::start().unwrap();
    let created = api(&server, "POST", ME, Some(r#"{"metadata": {"k": "v"}}"#)).json();
    let reply = api(&server, "GET", ME, None);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), created);
}

#[test]
fn the_whole_lifecycle() {
    let server = MockServer::start().unwrap();
    api(&server, "GET", ME, None).expect_error(404, "not_found");

    let created = api(
        &server,
        "POST",
        ME,
        Some(r#"{"status": "AUTHORIZED", "metadata": {"a": "1"}}"#),
    )
    .json();
    assert_eq!(created["status"], "AUTHORIZED");

    // PUT without metadata keeps it; the status changes; updatedAt moves, createdAt stays.
    let pending = api(
        &server,
        "PUT",
        ME,
        Some(r#"{"status": "PENDING_INTEGRATION"}"#),
    );
    assert_eq!(pending.status, 200, "{}", pending.text);
    let pending = pending.json();
    assert_eq!(pending["status"], "PENDING_INTEGRATION");
    assert_eq!(pending["metadata"], json!({"a": "1"}));
    assert_eq!(pending["id"], created["id"]);
    assert_eq!(pending["createdAt"], created["createdAt"]);
    assert!(at(&pending["updatedAt"]) > at(&created["updatedAt"]));

    let activated = api(&server, "POST", ACTIVATE, None);
    assert_eq!(activated.status, 200, "{}", activated.text);
    let activated = activated.json();
    assert_eq!(activated["status"], "ACTIVATED");
    assert!(at(&activated["updatedAt"]) > at(&pending["updatedAt"]));

    // Activating again is idempotent and changes nothing.
    let again = api(&server, "POST", ACTIVATE, None).json();
    assert_eq!(again, activated);

    // PUT with metadata replaces it, and errorCode is set, then cleared when absent.
    let inactive = api(
        &server,
        "PUT",
        ME,
        Some(r#"{"status": "INACTIVE", "errorCode": "NOT_ENTITLED", "metadata": {"b": 2}}"#),
    )
    .json();
    assert_eq!(inactive["status"], "INACTIVE");
    assert_eq!(inactive["errorCode"], "NOT_ENTITLED");
    assert_eq!(inactive["metadata"], json!({"b": 2}));
    let message = api(&server, "POST", ACTIVATE, None).expect_error(400, "invalid_transition");
    assert!(message.contains("INACTIVE"), "{message}");
    api(&server, "PUT", COMPLETIONS, None).expect_error(400, "invalid_transition");

    let error = api(&server, "PUT", ME, Some(r#"{"status": "ERROR"}"#)).json();
    assert_eq!(error["status"], "ERROR");
    assert!(
        error.get("errorCode").is_none(),
        "errorCode cleared: {error}"
    );
    let message = api(&server, "POST", ACTIVATE, None).expect_error(400, "invalid_transition");
    assert!(message.contains("ERROR"), "{message}");

    let authorized = api(
        &server,
        "PUT",
        ME,
        Some(r#"{"status": "AUTHORIZED", "errorCode": "AUTH_ERROR"}"#),
    )
    .json();
    assert_eq!(authorized["errorCode"], "AUTH_ERROR");
    // The deprecated completion does what activation does.
    let completed = api(&server, "PUT", COMPLETIONS, None);
    assert_eq!(completed.status, 200, "{}", completed.text);
    assert_eq!(completed.json()["status"], "ACTIVATED");

    let deleted = api(&server, "DELETE", ME, None);
    assert_eq!(deleted.status, 204);
    assert_eq!(deleted.text, "");
    assert!(deleted.header("content-type").is_none());

    api(&server, "GET", ME, None).expect_error(404, "not_found");
    api(&server, "DELETE", ME, None).expect_error(404, "not_found");
    // After delete a new one can be created, with a new id.
    let recreated = api(&server, "POST", ME, None).json();
    assert_ne!(recreated["id"], created["id"]);
}

#[test]
fn operations_without_an_installation_are_404() {
    let server = MockServer::start().unwrap();
    api(&server, "GET", ME, None).expect_error(404, "not_found");
    api(&server, "PUT", ME, Some(r#"{"status": "ACTIVATED"}"#)).expect_error(404, "not_found");
    api(&server, "DELETE", ME, None).expect_error(404, "not_found");
    api(&server, "POST", ACTIVATE, None).expect_error(404, "not_found");
    api(&server, "PUT", COMPLETIONS, None).expect_error(404, "not_found");
}

#[test]
fn activation_from_each_activatable_status() {
    for status in ["AUTHORIZED", "PENDING_INTEGRATION", "ACTIVATED"] {
        let server = MockServer::start().unwrap();
        server.seed_installation(&server.api_key(), None, status);
        let reply = api(&server, "POST", ACTIVATE, None);
        assert_eq!(reply.status, 200, "{status}: {}", reply.text);
        assert_eq!(reply.json()["status"], "ACTIVATED");
    }
}

#[test]
fn activate_accepts_a_percent_encoded_colon() {
    let server = MockServer::start().unwrap();
    server.seed_installation(&server.api_key(), None, "AUTHORIZED");
    let reply = api(&server, "POST", "/v1/installations/me%3Aactivate", None);
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["status"], "ACTIVATED");
    assert_eq!(
        server.journal()[0].operation.as_deref(),
        Some("activateMyInstallation")
    );
}

#[test]
fn introspect_reports_the_credential() {
    let server = MockServer::start().unwrap();
    let reply = api(&server, "GET", INTROSPECT, None);
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("application/json;charset=UTF-8")
    );
    let key = MockCredential::default_api_key();
    assert_eq!(
        reply.json(),
        json!({"data": {
            "authMethod": "API_KEY",
            "clientId": key.client_id,
            "scope": "export:read export:write",
            "subjectURN": format!("urn:pleo:company:{DEFAULT_COMPANY_ID}"),
            "applicationName": "Mock Integration",
        }})
    );

    let reply = send(
        &server,
        "GET",
        INTROSPECT,
        Some(&bearer(&server.access_token())),
        None,
    )
    .unwrap();
    assert_eq!(reply.status, 200);
    let data = &reply.json()["data"];
    assert_eq!(data["authMethod"], "OAUTH2");
    assert_eq!(
        data["clientId"],
        MockCredential::default_access_token().client_id
    );
    assert_ne!(data["clientId"], key.client_id);
}

#[test]
fn the_two_default_credentials_are_separate_clients() {
    let server = MockServer::start().unwrap();
    let token = bearer(&server.access_token());
    api(&server, "POST", ME, None);
    send(&server, "GET", ME, Some(&token), None)
        .unwrap()
        .expect_error(404, "not_found");
    let theirs = send(
        &server,
        "POST",
        ME,
        Some(&token),
        Some(r#"{"status": "AUTHORIZED"}"#),
    )
    .unwrap();
    assert_eq!(theirs.status, 200);
    assert_eq!(
        theirs.json()["applicationId"],
        MockCredential::default_access_token()
            .application_id
            .to_string()
    );
    assert_eq!(api(&server, "GET", ME, None).json()["status"], "ACTIVATED");
    send(&server, "DELETE", ME, Some(&token), None).unwrap();
    assert_eq!(api(&server, "GET", ME, None).status, 200);
}

#[test]
fn company_id_reads_that_companys_installation() {
    let server = MockServer::start().unwrap();
    let other = Uuid::new_v4();
    let seeded = server
        .seed(
            SeedInstallation::new(server.api_key(), "PENDING_INTEGRATION")
                .with_company_id(other)
                .with_metadata(json!({"branch": "north"})),
        )
        .unwrap();
    assert_eq!(seeded["resource"], format!("urn:pleo:company:{other}"));

    let reply = api(&server, "GET", &format!("{ME}?company_id={other}"), None);
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json(), seeded);
    assert_eq!(reply.json()["metadata"], json!({"branch": "north"}));

    // The credential's own company has none yet, and an unknown company is 404.
    api(&server, "GET", ME, None).expect_error(404, "not_found");
    api(
        &server,
        "GET",
        &format!("{ME}?company_id={}", Uuid::new_v4()),
        None,
    )
    .expect_error(404, "not_found");

    // Its own company by id is the same as no filter.
    let own = api(&server, "POST", ME, None).json();
    let by_id = api(
        &server,
        "GET",
        &format!("{ME}?company_id={DEFAULT_COMPANY_ID}"),
        None,
    );
    assert_eq!(by_id.json(), own);

    // Writes act on the credential's own company only.
    api(&server, "DELETE", ME, None);
    assert_eq!(
        api(&server, "GET", &format!("{ME}?company_id={other}"), None).status,
        200
    );
}

#[test]
fn seeded_installations_may_carry_unknown_values() {
    let server = MockServer::start().unwrap();
    let seeded = server
        .seed(SeedInstallation::new(server.api_key(), "SUSPENDED").with_error_code("NEW_CODE"))
        .unwrap();
    let got = api(&server, "GET", ME, None).json();
    assert_eq!(got, seeded);
    assert_eq!(got["status"], "SUSPENDED");
    assert_eq!(got["errorCode"], "NEW_CODE");
    api(&server, "POST", ACTIVATE, None).expect_error(400, "invalid_transition");
    assert_eq!(server.installation(&server.api_key(), None), Some(got));

    assert!(
        server
            .seed(SeedInstallation::new("nobody", "ACTIVATED"))
            .is_err()
    );
    assert!(
        server
            .seed(SeedInstallation::new(server.api_key(), ""))
            .is_err()
    );
    assert!(
        server
            .seed(SeedInstallation::new(server.api_key(), "ACTIVATED").with_metadata(json!([1])))
            .is_err()
    );
}

#[test]
fn unknown_paths_are_404_and_wrong_methods_405() {
    let server = MockServer::start().unwrap();
    for path in [
        "/v1/installations",
        "/v1/installations/me/",
        "/v2/introspect",
        "/",
    ] {
        let message = send(&server, "GET", path, None, None)
            .unwrap()
            .expect_error(404, "not_found");
        assert!(message.contains(path), "{message}");
    }
    for (method, path, allow) in [
        ("PATCH", ME, "GET, POST, PUT, DELETE"),
        ("GET", ACTIVATE, "POST"),
        ("POST", COMPLETIONS, "PUT"),
        ("DELETE", INTROSPECT, "GET"),
    ] {
        // Routing comes before authentication.
        let reply = send(&server, method, path, None, None).unwrap();
        reply.expect_error(405, "method_not_allowed");
        assert_eq!(reply.header("allow").as_deref(), Some(allow));
    }
}

#[test]
fn added_credentials_are_accepted() {
    let server = MockServer::start().unwrap();
    server.add_api_key("another-key");
    api(&server, "POST", ME, None);
    // Same client as the default key: sees the same installation.
    let reply = send(&server, "GET", ME, Some(&basic("another-key")), None).unwrap();
    assert_eq!(reply.status, 200);

    let company = Uuid::new_v4();
    server.add_credential(
        MockCredential::bearer("partner-token")
            .with_company_id(company)
            .with_application(Uuid::new_v4(), "Partner")
            .with_scope("export:read"),
    );
    let reply = send(
        &server,
        "GET",
        INTROSPECT,
        Some(&bearer("partner-token")),
        None,
    )
    .unwrap();
    let data = &reply.json()["data"];
    assert_eq!(data["applicationName"], "Partner");
    assert_eq!(data["scope"], "export:read");
    assert_eq!(data["subjectURN"], format!("urn:pleo:company:{company}"));
    assert_eq!(server.credentials().len(), 4);
}
