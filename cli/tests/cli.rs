//! The `pleo-installations` binary end to end, against the emulator.
#![allow(missing_docs)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use pleo_installations::ErrorKind;
use pleo_installations_mock::{Fault, MockServer};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_pleo-installations");

fn run(server: &MockServer, args: &[&str]) -> Output {
    Command::new(BIN)
        .env_remove("PLEO_ACCESS_TOKEN")
        .env_remove("PLEO_LOG")
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

/// Checks that an error printed by the CLI has one kind: its message does not repeat the
/// kind of an error it wraps (`--token-file: internal: ... invalid_argument: ...`).
fn assert_one_kind(error: &Value) {
    let message = error["message"].as_str().unwrap();
    for kind in ErrorKind::ALL {
        assert!(
            !message.contains(&format!("{kind}: ")),
            "a nested kind {kind} in {error}"
        );
    }
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
fn log_level_prints_the_events_to_stderr_without_a_secret() {
    let server = MockServer::start().unwrap();
    server.push_fault(Fault::status(503).with_retry_after("0"));
    let output = run(&server, &["introspect", "--log-level", "debug"]);
    json_out(&output);
    let stderr = String::from_utf8(output.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    assert!(lines[0].starts_with("pleo-installations debug attempt n=1 operation=introspect method=GET path=/v1/introspect status=503 kind=server "), "{stderr}");
    assert_eq!(
        lines[1],
        "pleo-installations info retry n=1 operation=introspect kind=server status=503 delay_ms=0"
    );
    assert!(
        lines[2].starts_with("pleo-installations debug attempt n=2 "),
        "{stderr}"
    );
    assert!(!stderr.contains(&server.api_key()), "{stderr}");

    // PLEO_LOG sets the level; the default prints nothing.
    server.push_fault(Fault::status(503).with_retry_after("0"));
    let mut with_env = Command::new(BIN);
    with_env
        .env_remove("PLEO_ACCESS_TOKEN")
        .env("PLEO_BASE_URL", server.url())
        .env("PLEO_API_KEY", server.api_key())
        .env("PLEO_LOG", "info")
        .arg("introspect");
    let stderr = String::from_utf8(with_env.output().unwrap().stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("pleo-installations info retry n=1 "),
        "{stderr}"
    );
    let quiet = run(&server, &["introspect"]);
    json_out(&quiet);
    assert!(quiet.stderr.is_empty());
    let refused = run(&server, &["introspect", "--log-level", "loud"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--log-level"));
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

#[test]
fn a_bad_token_file_is_an_invalid_argument_with_one_kind() {
    let server = MockServer::start().unwrap();
    let dir = temp_dir("bad-token-file");
    let not_tokens = dir.join("not-tokens.json");
    std::fs::write(&not_tokens, r#"{"access_token": 1}"#).unwrap();
    let not_json = dir.join("not-json.json");
    std::fs::write(&not_json, "access_token=1").unwrap();
    // Private, as the store requires, so that what is wrong is the content.
    use std::os::unix::fs::PermissionsExt;
    for file in [&not_tokens, &not_json] {
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    for token_file in [&not_tokens, &not_json, &dir] {
        let output = oauth_command(&server, token_file)
            .arg("get")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{token_file:?}");
        let error = json_err(&output);
        assert_eq!(error["kind"], "invalid_argument", "{error}");
        let message = error["message"].as_str().unwrap();
        assert!(message.starts_with("--token-file "), "{error}");
        assert!(message.contains(&*token_file.to_string_lossy()), "{error}");
        assert_one_kind(&error);
    }

    // Tokens cannot be stored where --token-file points: refused before the code is spent.
    let nowhere = dir.join("missing-directory").join("tokens.json");
    let redirect_uri = server.oauth_client().redirect_uris[0].clone();
    let output = oauth_command(&server, &nowhere)
        .args(["oauth", "exchange", "--code", "ac_unused"])
        .args(["--code-verifier", &"v".repeat(43)])
        .args(["--redirect-uri", &redirect_uri])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let error = json_err(&output);
    assert_eq!(error["kind"], "invalid_argument", "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .starts_with("--token-file "),
        "{error}"
    );
    assert_one_kind(&error);
    assert_eq!(server.token_requests(), 0, "the code was sent");
    assert!(server.journal().is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A TCP listener on 127.0.0.1 that records the start of what each connection sends and
/// answers `400 {"error": "invalid_grant"}`: a token endpoint, or an HTTP proxy.
struct Listener {
    port: u16,
    received: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Listener {
    fn start() -> Listener {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (received, stop) = (received.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    let Ok((mut stream, _)) = listener.accept() else {
                        std::thread::sleep(Duration::from_millis(5));
                        continue;
                    };
                    stream.set_nonblocking(false).unwrap();
                    stream
                        .set_read_timeout(Some(Duration::from_secs(2)))
                        .unwrap();
                    let mut head = [0; 1024];
                    let n = stream.read(&mut head).unwrap_or(0);
                    received
                        .lock()
                        .unwrap()
                        .push(String::from_utf8_lossy(&head[..n]).into_owned());
                    let body = r#"{"error":"invalid_grant"}"#;
                    let _ = write!(
                        stream,
                        "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\n\
                         content-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                }
            })
        };
        Listener {
            port,
            received,
            stop,
            thread: Some(thread),
        }
    }

    /// Stops listening; what every connection sent.
    fn received(mut self) -> Vec<String> {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.take().unwrap().join().unwrap();
        std::mem::take(&mut *self.received.lock().unwrap())
    }
}

/// `oauth exchange` against the API at `base_url`, through an HTTP proxy on 127.0.0.1 at
/// `proxy` when given (no proxy otherwise).
fn exchange(base_url: &str, proxy: Option<u16>) -> Output {
    let mut command = Command::new(BIN);
    for name in [
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
    ] {
        command.env_remove(name);
    }
    command.env_remove("NO_PROXY").env_remove("no_proxy");
    if let Some(port) = proxy {
        let proxy = format!("http://127.0.0.1:{port}");
        for name in ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"] {
            command.env(name, &proxy);
        }
    }
    command
        .env_remove("PLEO_TOKEN_FILE")
        .args(["--base-url", base_url])
        .args([
            "--oauth-client-id",
            "client",
            "--oauth-client-secret",
            "a-secret",
        ])
        .args(["oauth", "exchange", "--code", "ac_1"])
        .args(["--code-verifier", &"v".repeat(43)])
        .args(["--redirect-uri", "http://127.0.0.1:1/callback"])
        .output()
        .unwrap()
}

#[test]
fn oauth_exchange_sends_secrets_over_plain_http_only_to_loopback() {
    // http:// to a loopback host is allowed: the exchange reaches the listener.
    let endpoint = Listener::start();
    let output = exchange(&format!("http://127.0.0.1:{}", endpoint.port), None);
    let error = json_err(&output);
    assert_ne!(error["kind"], "invalid_argument", "{error}");
    let received = endpoint.received();
    assert_eq!(received.len(), 1, "{received:?}");
    assert!(
        received[0].starts_with("POST /oauth/token "),
        "{received:?}"
    );

    // http:// to any other host is refused before anything is sent: not even to a proxy,
    // which would get the request (and the client secret) without a DNS lookup.
    let proxy = Listener::start();
    for base_url in ["http://example.invalid", "http://example.com/"] {
        let started = Instant::now();
        let output = exchange(base_url, Some(proxy.port));
        assert_eq!(output.status.code(), Some(2), "{base_url}");
        let error = json_err(&output);
        assert_eq!(error["kind"], "invalid_argument", "{error}");
        assert_eq!(error["attempts"], 0, "{error}");
        assert_one_kind(&error);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{base_url}: not refused at once"
        );
    }
    let sent = proxy.received();
    assert!(sent.is_empty(), "sent through the proxy: {sent:?}");
}

#[test]
fn metadata_keeps_integers_past_64_bits() {
    let server = MockServer::start().unwrap();
    let big = "18446744073709551617";
    let created = run(
        &server,
        &["create", "--metadata", &format!(r#"{{"n": {big}}}"#)],
    );
    let text = String::from_utf8_lossy(&created.stdout);
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    assert!(text.contains(&format!(r#""n":{big}"#)), "{text}");
    let got = run(&server, &["get"]);
    let text = String::from_utf8_lossy(&got.stdout);
    assert!(text.contains(&format!(r#""n":{big}"#)), "{text}");
}
