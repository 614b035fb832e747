//! The `pleo-installations` binary end to end, against the emulator.
#![allow(missing_docs)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

use pleo_installations_mock::MockServer;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_pleo-installations");

fn run(server: &MockServer, args: &[&str]) -> Output {
    Command::new(BIN)
        .env_remove("PLEO_ACCESS_TOKEN")
        .env("PLEO_BASE_URL", server.url())
        .env("PLEO_API_KEY", server.api_key())
        .args(args)
        .output()
        .unwrap()
}

fn json_out(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn json_err(output: &Output) -> Value {
    assert!(!output.status.success());
    serde_json::from_slice(&output.stderr)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)))
}

#[test]
fn every_command_against_the_emulator() {
    let server = MockServer::start().unwrap();
    let created = json_out(&run(
        &server,
        &[
            "create",
            "--status",
            "AUTHORIZED",
            "--metadata",
            r#"{"a": 1}"#,
        ],
    ));
    assert_eq!(created["status"], "AUTHORIZED");
    assert_eq!(created["metadata"]["a"], 1);
    assert_eq!(json_out(&run(&server, &["get"]))["id"], created["id"]);
    assert_eq!(
        json_out(&run(&server, &["activate"]))["status"],
        "ACTIVATED"
    );
    let updated = json_out(&run(
        &server,
        &[
            "update",
            "--status",
            "INACTIVE",
            "--error-code",
            "NOT_ENTITLED",
        ],
    ));
    assert_eq!(updated["errorCode"], "NOT_ENTITLED");
    run(&server, &["update", "--status", "AUTHORIZED"]);
    assert_eq!(
        json_out(&run(&server, &["complete"]))["status"],
        "ACTIVATED"
    );
    let waited = json_out(&run(
        &server,
        &[
            "wait",
            "--status",
            "ERROR,ACTIVATED",
            "--timeout-ms",
            "2000",
        ],
    ));
    assert_eq!(waited["status"], "ACTIVATED");
    assert_eq!(
        json_out(&run(&server, &["introspect"]))["data"]["authMethod"],
        "API_KEY"
    );
    assert_eq!(json_out(&run(&server, &["delete"])), Value::Null);

    let missing = run(&server, &["get"]);
    assert_eq!(missing.status.code(), Some(1));
    let error = json_err(&missing);
    assert_eq!(error["kind"], "not_found");
    assert_eq!(error["status"], 404);
}

#[test]
fn bad_arguments_exit_2_with_an_error_naming_them() {
    let server = MockServer::start().unwrap();
    let bad_uuid = run(&server, &["get", "--company-id", "nope"]);
    assert_eq!(bad_uuid.status.code(), Some(2));
    let error = json_err(&bad_uuid);
    assert_eq!(error["kind"], "invalid_argument");
    assert!(error["message"].as_str().unwrap().contains("company_id"));

    let bad_metadata = json_err(&run(&server, &["create", "--metadata", "[1]"]));
    assert!(
        bad_metadata["message"]
            .as_str()
            .unwrap()
            .contains("--metadata")
    );

    let usage = run(&server, &["update"]);
    assert_eq!(usage.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&usage.stderr).contains("--status"));
    assert!(server.journal().is_empty());
}

#[test]
fn flags_override_the_environment_and_secrets_stay_hidden() {
    let server = MockServer::start().unwrap();
    let denied = Command::new(BIN)
        .env("PLEO_API_KEY", "a-secret-that-must-not-print")
        .args(["--base-url", &server.url(), "introspect"])
        .output()
        .unwrap();
    let error = json_err(&denied);
    assert_eq!(error["kind"], "authentication");
    assert!(!String::from_utf8_lossy(&denied.stderr).contains("a-secret-that-must-not-print"));

    let token = Command::new(BIN)
        .env_remove("PLEO_API_KEY")
        .args([
            "--base-url",
            &server.url(),
            "--access-token",
            &server.access_token(),
            "introspect",
        ])
        .output()
        .unwrap();
    assert_eq!(json_out(&token)["data"]["authMethod"], "OAUTH2");

    let help = Command::new(BIN)
        .env("PLEO_API_KEY", "a-secret-that-must-not-print")
        .arg("--help")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&help.stdout).contains("a-secret-that-must-not-print"));
}

#[test]
fn mock_serves_until_stopped() {
    let mut child = Command::new(BIN)
        .args(["mock", "--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let ready: Value = serde_json::from_str(&line).unwrap();
    let url = ready["url"].as_str().unwrap().to_owned();
    assert_eq!(ready["oauth"]["token_url"], format!("{url}/oauth/token"));
    assert!(ready["oauth"]["client_id"].is_string());
    let output = Command::new(BIN)
        .env_remove("PLEO_API_KEY")
        .args([
            "--base-url",
            &url,
            "--api-key",
            ready["api_key"].as_str().unwrap(),
            "create",
        ])
        .output()
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(json_out(&output)["status"], "ACTIVATED");
}

#[test]
fn demo_walks_the_lifecycle() {
    let output = Command::new(BIN).arg("demo").output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for expected in [
        "PENDING_INTEGRATION",
        "second worker",
        "\"authMethod\": \"API_KEY\"",
        "received 2 GET requests",
        "\"kind\":\"not_found\"",
        "status: AUTHORIZED",
        "after 1 refresh at the token endpoint, 1 persisted",
        "Done",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}
