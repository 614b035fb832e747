//! The admin HTTP API under /__mock/.

use crate::common;

use std::time::{Duration, Instant};

use common::*;
use pleo_installations_mock::{DEFAULT_COMPANY_ID, MockServer};
use serde_json::{Value, json};
use uuid::Uuid;

#[test]
fn health() {
    let server = MockServer::start().unwrap();
    let reply = admin(&server, "GET", "/__mock/health", None);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), json!({"status": "ok"}));
    assert!(reply.header("x-request-id").is_some());
    assert!(
        server.journal().is_empty(),
        "admin requests are not journaled"
    );
}

#[test]
fn faults_over_http() {
    let server = MockServer::start().unwrap();
    let reply = admin(
        &server,
        "POST",
        "/__mock/faults",
        Some(r#"{"operation": "introspect", "status": 429, "retry_after": "3", "times": 2}"#),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json(), json!({"pending_faults": 1}));
    let listed = admin(&server, "GET", "/__mock/faults", None).json();
    assert_eq!(
        listed,
        json!([{"operation": "introspect", "status": 429, "retry_after": "3", "times": 2}])
    );
    assert_eq!(api(&server, "GET", ME, None).status, 404, "filtered out");
    for _ in 0..2 {
        let reply = api(&server, "GET", INTROSPECT, None);
        assert_eq!(reply.status, 429);
        assert_eq!(reply.header("retry-after").as_deref(), Some("3"));
    }
    assert_eq!(api(&server, "GET", INTROSPECT, None).status, 200);

    // An array queues several; DELETE clears them.
    let reply = admin(
        &server,
        "POST",
        "/__mock/faults",
        Some(r#"[{"drop": true}, {"malformed": true, "body": "oops"}, {"delay_ms": 10}]"#),
    );
    assert_eq!(reply.json(), json!({"pending_faults": 3}));
    assert_eq!(admin(&server, "DELETE", "/__mock/faults", None).status, 200);
    assert_eq!(server.pending_faults(), 0);
}

#[test]
fn admin_delay_drop_and_malformed_faults_work() {
    let server = MockServer::start().unwrap();
    admin(
        &server,
        "POST",
        "/__mock/faults",
        Some(r#"{"delay_ms": 120}"#),
    );
    let started = Instant::now();
    assert_eq!(api(&server, "GET", INTROSPECT, None).status, 200);
    assert!(started.elapsed() >= Duration::from_millis(120));

    admin(&server, "POST", "/__mock/faults", Some(r#"{"drop": true}"#));
    assert!(send(&server, "GET", INTROSPECT, None, None).is_err());

    admin(
        &server,
        "POST",
        "/__mock/faults",
        Some(r#"{"malformed": true}"#),
    );
    let reply = api(&server, "GET", INTROSPECT, None);
    assert_eq!(reply.status, 200);
    assert!(serde_json::from_str::<Value>(&reply.text).is_err());
}

#[test]
fn bad_fault_descriptions_are_400() {
    let server = MockServer::start().unwrap();
    for body in [
        "not json",
        "{}",
        r#"{"status": 503, "drop": true}"#,
        r#"{"status": 42}"#,
        r#"{"status": "503"}"#,
        r#"{"operation": "getInstallation", "status": 500}"#,
        r#"{"status": 500, "times": 0}"#,
        r#"{"drop": true, "retry_after": "1"}"#,
        r#"{"delay_ms": 10, "body": "x"}"#,
        r#"{"status": 500, "colour": "red"}"#,
        r#"[{"status": 500}, {"status": 1}]"#,
    ] {
        let reply = admin(&server, "POST", "/__mock/faults", Some(body));
        assert_eq!(reply.status, 400, "{body}: {}", reply.text);
        let error = reply.json();
        assert!(!error["message"].as_str().unwrap().is_empty());
        assert_eq!(error["status"], 400);
    }
    assert_eq!(server.pending_faults(), 0, "all or nothing");
}

#[test]
fn journal_over_http() {
    let server = MockServer::start().unwrap();
    api(&server, "POST", ME, Some(r#"{"metadata": {"a": "b"}}"#));
    let journal = admin(&server, "GET", "/__mock/journal", None).json();
    let entries = journal.as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["method"], "POST");
    assert_eq!(entries[0]["path"], ME);
    assert_eq!(entries[0]["operation"], "createClientInstallation");
    assert_eq!(entries[0]["body"], r#"{"metadata": {"a": "b"}}"#);
    let headers = entries[0]["headers"].as_array().unwrap();
    assert!(headers.contains(&json!(["authorization", basic(&server.api_key())])));
    assert!(
        entries[0]["request_id"]
            .as_str()
            .unwrap()
            .starts_with("mock-")
    );

    assert_eq!(
        admin(&server, "DELETE", "/__mock/journal", None).status,
        200
    );
    assert_eq!(
        admin(&server, "GET", "/__mock/journal", None).json(),
        json!([])
    );
}

#[test]
fn seed_list_and_reset_over_http() {
    let server = MockServer::start().unwrap();
    let company = Uuid::new_v4();
    let reply = admin(
        &server,
        "POST",
        "/__mock/installations",
        Some(
            &json!({
                "credential": "pleo-mock-api-key",
                "company_id": company,
                "status": "PENDING_INTEGRATION",
                "metadata": {"x": 1},
                "errorCode": "AUTH_ERROR",
            })
            .to_string(),
        ),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    let seeded = reply.json();
    assert_eq!(seeded["status"], "PENDING_INTEGRATION");
    assert_eq!(seeded["errorCode"], "AUTH_ERROR");
    assert_eq!(seeded["resource"], format!("urn:pleo:company:{company}"));
    assert_eq!(
        api(&server, "GET", &format!("{ME}?company_id={company}"), None).json(),
        seeded
    );

    // Seeding for the bearer client, in its own company by default.
    let token_seed = admin(
        &server,
        "POST",
        "/__mock/installations",
        Some(r#"{"credential": "pleo-mock-access-token", "status": "AUTHORIZED"}"#),
    )
    .json();
    assert_eq!(
        token_seed["resource"],
        format!("urn:pleo:company:{DEFAULT_COMPANY_ID}")
    );
    let listed = admin(&server, "GET", "/__mock/installations", None).json();
    assert_eq!(listed.as_array().unwrap().len(), 2);

    admin(
        &server,
        "POST",
        "/__mock/faults",
        Some(r#"{"status": 500}"#),
    );
    let reply = admin(&server, "POST", "/__mock/reset", None);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), json!({"status": "ok"}));
    assert_eq!(server.pending_faults(), 0);
    assert!(server.journal().is_empty());
    assert_eq!(
        admin(&server, "GET", "/__mock/installations", None).json(),
        json!([])
    );
    // Credentials survive a reset.
    assert_eq!(api(&server, "GET", INTROSPECT, None).status, 200);
}

#[test]
fn bad_seeds_are_400() {
    let server = MockServer::start().unwrap();
    for body in [
        "{",
        r#"{"status": "ACTIVATED"}"#,
        r#"{"credential": "nobody", "status": "ACTIVATED"}"#,
        r#"{"credential": "pleo-mock-api-key"}"#,
        r#"{"credential": "pleo-mock-api-key", "status": ""}"#,
        r#"{"credential": "pleo-mock-api-key", "status": "ACTIVATED", "company_id": "nope"}"#,
        r#"{"credential": "pleo-mock-api-key", "status": "ACTIVATED", "metadata": []}"#,
        r#"{"credential": "pleo-mock-api-key", "status": "ACTIVATED", "extra": 1}"#,
    ] {
        let reply = admin(&server, "POST", "/__mock/installations", Some(body));
        assert_eq!(reply.status, 400, "{body}: {}", reply.text);
        assert_eq!(reply.json()["status"], 400);
    }
    assert_eq!(
        admin(&server, "GET", "/__mock/installations", None).json(),
        json!([])
    );
}

#[test]
fn unknown_admin_routes_and_methods() {
    let server = MockServer::start().unwrap();
    admin(&server, "GET", "/__mock/nothing", None).expect_error(404, "not_found");
    admin(&server, "GET", "/__mock", None).expect_error(404, "not_found");
    let reply = admin(&server, "GET", "/__mock/reset", None);
    reply.expect_error(405, "method_not_allowed");
    assert_eq!(reply.header("allow").as_deref(), Some("POST"));
    // A look-alike outside the prefix is an ordinary (unknown) API path.
    send(&server, "GET", "/__mockery", None, None)
        .unwrap()
        .expect_error(404, "not_found");
    assert_eq!(server.journal().len(), 1);
}

#[test]
fn info_names_where_it_is_and_what_it_accepts() {
    let server = MockServer::start().unwrap();
    let info = admin(&server, "GET", "/__mock/info", None).json();
    let client = server.oauth_client();
    assert_eq!(
        info,
        json!({
            "url": server.url(),
            "api_key": server.api_key(),
            "access_token": server.access_token(),
            "authorize_url": server.authorize_url(),
            "token_url": server.token_url(),
            "oauth_clients": [{
                "client_id": client.client_id,
                "client_secret": client.client_secret,
                "redirect_uris": client.redirect_uris,
                "scope": client.scope,
            }],
        })
    );
}

#[test]
fn installations_of_one_credential() {
    let server = MockServer::start().unwrap();
    let other = Uuid::new_v4();
    server.seed_installation(&server.api_key(), None, "AUTHORIZED");
    server.seed_installation(&server.api_key(), Some(other), "ERROR");
    server.seed_installation(&server.access_token(), None, "ACTIVATED");
    let of = |query: &str| {
        admin(
            &server,
            "GET",
            &format!("/__mock/installations{query}"),
            None,
        )
    };

    assert_eq!(of("").json().as_array().map(Vec::len), Some(3));
    let mine = of("?credential=pleo-mock-api-key").json();
    assert_eq!(mine.as_array().map(Vec::len), Some(1), "{mine}");
    assert_eq!(mine[0]["installation"]["status"], "AUTHORIZED");
    assert_eq!(
        Some(&mine[0]["installation"]),
        server.installation(&server.api_key(), None).as_ref()
    );
    let theirs = of(&format!("?credential=pleo-mock-api-key&company_id={other}")).json();
    assert_eq!(theirs[0]["installation"]["status"], "ERROR");
    let bearer = of("?credential=pleo-mock-access-token").json();
    assert_eq!(bearer[0]["installation"]["status"], "ACTIVATED");
    assert_ne!(bearer[0]["client_id"], mine[0]["client_id"]);
    assert_eq!(of("?credential=nobody").json(), json!([]));

    for bad in [
        "?credential=pleo-mock-api-key&company_id=42",
        "?company_id=7c1e5a2b-3d4f-4e6a-9b8c-0d1e2f3a4b5c",
        "?who=me",
    ] {
        of(bad).expect_error(400, "invalid_query");
    }
}

/// The answer of the in-process door, as JSON.
fn door(server: &MockServer, method: &str, path: &str, body: &str) -> Value {
    let answer = server.admin_json(method, path, body);
    serde_json::from_str(&answer.unwrap_or_else(|e| panic!("{method} {path}: {e}"))).unwrap()
}

#[test]
fn the_in_process_door_answers_what_http_answers() {
    let server = MockServer::start().unwrap();
    let queued = door(
        &server,
        "POST",
        "/__mock/faults",
        r#"[{"status": 503}, {"drop": true}]"#,
    );
    assert_eq!(queued, json!({"pending_faults": 2}));
    let seed = r#"{"credential": "pleo-mock-api-key", "status": "AUTHORIZED"}"#;
    let seeded = door(&server, "POST", "/__mock/installations", seed);
    assert_eq!(Some(seeded), server.installation(&server.api_key(), None));
    for path in [
        "/__mock/health",
        "/__mock/info",
        "/__mock/faults",
        "/__mock/installations",
        "/__mock/installations?credential=pleo-mock-api-key",
        "/__mock/journal",
        "/__mock/journal/stats",
        "/__mock/oauth/stats",
    ] {
        let over_http = admin(&server, "GET", path, None);
        assert_eq!(over_http.status, 200, "{path}: {}", over_http.text);
        assert_eq!(door(&server, "GET", path, ""), over_http.json(), "{path}");
    }
    assert_eq!(
        door(&server, "DELETE", "/__mock/faults", ""),
        json!({"status": "ok"})
    );
    assert_eq!(server.pending_faults(), 0);
    assert!(server.journal().is_empty(), "the door is not journaled");

    // Refusals carry the message of the HTTP error body.
    for (method, path, body) in [
        ("POST", "/__mock/faults", r#"{"status": "x"}"#),
        ("GET", "/__mock/nothing", ""),
        ("GET", "/__mock/reset", ""),
        ("POST", "/__mock/clock", "not json"),
        ("GET", "/__mock/installations?who=me", ""),
    ] {
        let over_http = admin(&server, method, path, (!body.is_empty()).then_some(body));
        assert!(over_http.status >= 400, "{method} {path}");
        let refused = server.admin_json(method, path, body).unwrap_err();
        assert_eq!(
            refused.message(),
            over_http.json()["message"],
            "{method} {path}"
        );
    }
    // What HTTP would not even route to the admin API.
    for (method, path, named) in [
        ("GET", "/v1/introspect", "not an admin path"),
        ("GET", "/__mockery", "not an admin path"),
        ("NOT A METHOD", "/__mock/health", "not an HTTP method"),
    ] {
        let refused = server.admin_json(method, path, "").unwrap_err();
        assert!(refused.message().contains(named), "{refused}");
    }
}
