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

/// A fresh temporary directory for one test's token file.
fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("pleo-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn oauth_command(server: &MockServer, token_file: &std::path::Path) -> Command {
    let app = server.oauth_client();
    let mut command = Command::new(BIN);
    command
        .env_remove("PLEO_API_KEY")
        .env_remove("PLEO_ACCESS_TOKEN")
        .env("PLEO_BASE_URL", server.url())
        .env("PLEO_OAUTH_CLIENT_ID", &app.client_id)
        .env("PLEO_OAUTH_CLIENT_SECRET", &app.client_secret)
        .arg("--token-file")
        .arg(token_file);
    command
}

#[test]
fn oauth_code_flow_into_a_token_file() {
    let server = MockServer::start().unwrap();
    let dir = temp_dir("flow");
    let token_file = dir.join("tokens.json");
    let redirect_uri = server.oauth_client().redirect_uris[0].clone();
    let started = json_out(
        &oauth_command(&server, &token_file)
            .args([
                "oauth",
                "authorize-url",
                "--redirect-uri",
                &redirect_uri,
                "--scope",
                "export:read",
            ])
            .output()
            .unwrap(),
    );
    let code = server
        .consent(started["url"].as_str().unwrap())
        .unwrap()
        .code;
    let stored = json_out(
        &oauth_command(&server, &token_file)
            .args([
                "oauth",
                "exchange",
                "--code",
                &code,
                "--redirect-uri",
                &redirect_uri,
            ])
            .args([
                "--code-verifier",
                started["code_verifier"].as_str().unwrap(),
            ])
            .output()
            .unwrap(),
    );
    assert!(stored["stored"].as_str().unwrap().ends_with("tokens.json"));
    let installation = json_out(
        &oauth_command(&server, &token_file)
            .arg("get")
            .output()
            .unwrap(),
    );
    assert_eq!(installation["status"], "ACTIVATED");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn two_processes_sharing_a_token_file_refresh_once() {
    let server = MockServer::start().unwrap();
    let dir = temp_dir("shared");
    let token_file = dir.join("tokens.json");
    let (access, refresh) = server.issue_tokens(&server.oauth_client().client_id);
    std::fs::write(
        &token_file,
        serde_json::json!({"access_token": access, "refresh_token": refresh}).to_string(),
    )
    .unwrap();
    // Token files must be private to their user (the store refuses others).
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    server.expire_access_tokens();
    // A slow token endpoint: the second process arrives while the first one refreshes.
    server.push_fault(
        pleo_installations_mock::Fault::delay(std::time::Duration::from_millis(500))
            .for_operation("oauthToken"),
    );
    let children: Vec<_> = (0..2)
        .map(|_| {
            oauth_command(&server, &token_file)
                .arg("introspect")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert_eq!(json_out(&output)["data"]["authMethod"], "OAUTH2");
    }
    assert_eq!(server.refresh_count(), 1);
    assert_eq!(server.token_requests(), 1);
    let stored: Value = serde_json::from_slice(&std::fs::read(&token_file).unwrap()).unwrap();
    assert_ne!(
        stored["refresh_token"],
        refresh.as_str(),
        "the rotated token was stored"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
