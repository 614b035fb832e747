//! What the token endpoint answers, and where a credential may be sent: answers in every
//! form real servers use are taken, a spent refresh token is never presented again, every
//! body is read to a bound, and no secret goes to a URL the rule refuses.

use crate::common;

use std::io::Write;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::{RawServer, read_head};
use pleo_installations::oauth::{self, OAuthCredentials, OAuthEndpoints};
use pleo_installations::{Client, ErrorKind, Secret};
use pleo_installations_mock::{Fault, MockServer};
use serde_json::{Value, json};

fn credentials(server: &MockServer, token_url: Option<String>) -> OAuthCredentials {
    OAuthCredentials {
        token_url,
        ..common::oauth_credentials(server)
    }
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.url())
        .oauth(credentials(server, None))
        .timeout(Duration::from_millis(1500))
        .build()
        .unwrap()
}

/// The next token answer is `body` with status 200 (the emulator's own tokens inside it).
fn answer_next(server: &MockServer, body: &Value) {
    server.push_fault(
        Fault::status(200)
            .with_body(body.to_string())
            .for_operation("oauthToken"),
    );
}

#[test]
fn token_answers_in_every_form_real_servers_send_are_taken() {
    let server = MockServer::start().unwrap();
    let app = server.oauth_client();
    let client = client(&server);
    let variants = [
        json!({"expires_in": 3600.0}),
        json!({"expires_in": 3.6e3, "token_type": "bearer"}),
        json!({"expires_in": 3599.5, "token_type": "BEARER"}),
        json!({"expires_in": "3600", "token_type": "Bearer"}),
        json!({"expires_in": null}),
        json!({}),
        json!({"expires_in": -5}),
        json!({"expires_in": "soon", "scope": "export:read", "id_token": "x.y.z", "extra": {"a": [1]}}),
        json!({"expires_in": 1e300, "token_type": null}),
    ];
    for variant in variants {
        let (access, refresh) = server.issue_tokens(&app.client_id);
        let mut body = variant.clone();
        body["access_token"] = json!(access);
        body["refresh_token"] = json!(refresh);
        answer_next(&server, &body);
        client
            .refresh_tokens()
            .unwrap_or_else(|e| panic!("{variant}: {e}"));
        client
            .introspect()
            .unwrap_or_else(|e| panic!("{variant}: {e}"));
        // The new refresh token was kept: the emulator's own endpoint accepts it.
        client
            .refresh_tokens()
            .unwrap_or_else(|e| panic!("after {variant}: {e}"));
    }
}

#[test]
fn an_unusable_200_ends_the_session_without_presenting_the_spent_token_again() {
    let unusable = [
        "not json".to_owned(),
        "[]".to_owned(),
        json!({"refresh_token": "rt-1", "expires_in": 60}).to_string(),
        json!({"access_token": "at-1", "expires_in": 60}).to_string(),
        json!({"access_token": "at-1", "refresh_token": 7}).to_string(),
        json!({"access_token": "at 1", "refresh_token": "rt-1"}).to_string(),
        json!({"access_token": "at-1", "refresh_token": "rt-1", "token_type": "mac"}).to_string(),
        json!({"access_token": "at-1", "refresh_token": "rt-1", "pad": "x".repeat(100_000)})
            .to_string(),
        r#"{"access_token": "at-1", "refresh_token": "rt-1", "refresh_token": "rt-2"}"#.to_owned(),
    ];
    for body in unusable {
        let server = MockServer::start().unwrap();
        let client = client(&server);
        server.push_fault(
            Fault::status(200)
                .with_body(body.clone())
                .for_operation("oauthToken"),
        );
        let shown: String = body.chars().take(60).collect();
        let err = client.refresh_tokens().unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::ReauthenticationRequired,
            "{shown}: {err}"
        );
        assert!(!err.message().contains("rt-1"), "{err}");
        let sent = server.token_requests();
        for _ in 0..2 {
            let again = client.introspect().unwrap_err();
            assert_eq!(again.kind(), ErrorKind::ReauthenticationRequired, "{shown}");
            let again = client.refresh_tokens().unwrap_err();
            assert_eq!(again.kind(), ErrorKind::ReauthenticationRequired, "{shown}");
        }
        assert_eq!(
            server.token_requests(),
            sent,
            "{shown}: the spent token went out again"
        );
    }
}

/// A token endpoint that answers 200 with `head_and_start`, then stalls or streams forever.
fn stalling_token_endpoint(head_and_start: &'static [u8], endless: bool) -> RawServer {
    RawServer::serve(move |mut stream| {
        read_head(&mut stream);
        std::thread::spawn(move || {
            let _ = stream.write_all(head_and_start);
            let chunk = format!("10000\r\n{}\r\n", "x".repeat(0x10000));
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(20) {
                if endless {
                    if stream.write_all(chunk.as_bytes()).is_err() {
                        return;
                    }
                } else {
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        });
    })
}

fn client_with_token_url(server: &MockServer, token_url: String) -> Client {
    Client::builder()
        .base_url(server.url())
        .oauth(credentials(server, Some(token_url)))
        .timeout(Duration::from_millis(800))
        .build()
        .unwrap()
}

#[test]
fn a_token_answer_that_times_out_while_read_is_a_timeout_then_reauthentication() {
    let server = MockServer::start().unwrap();
    let endpoint = stalling_token_endpoint(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{\"access_token\": \"at",
        false,
    );
    let client = client_with_token_url(&server, format!("{}/oauth/token", endpoint.url("http")));
    let err = client.refresh_tokens().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert_eq!(err.status(), Some(200), "{err}");
    assert!(err.message().contains("spent"), "{err}");
    let connections = endpoint.connections();
    let next = client.introspect().unwrap_err();
    assert_eq!(next.kind(), ErrorKind::ReauthenticationRequired, "{next}");
    assert_eq!(
        endpoint.connections(),
        connections,
        "the spent token went out again"
    );
}

#[test]
fn an_endless_token_answer_success_or_error_is_read_to_a_bound() {
    let server = MockServer::start().unwrap();
    // A rejected grant or an answer past the limit: either way the session must start over.
    let heads: [&'static [u8]; 2] = [
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n",
        b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n",
    ];
    for head in heads {
        let endpoint = stalling_token_endpoint(head, true);
        let client =
            client_with_token_url(&server, format!("{}/oauth/token", endpoint.url("http")));
        let started = Instant::now();
        let err = client.refresh_tokens().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ReauthenticationRequired, "{err}");
        assert!(err.body().map_or(0, str::len) <= 64 * 1024, "{err}");
        assert!(
            err.status() == Some(400) || err.message().contains("byte limit"),
            "{err}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }
}

/// URLs no credential may be sent to; `.invalid` hosts cannot resolve, so a refusal that
/// came after sending would be a connection error, not `invalid_argument`.
const REFUSED: [&str; 8] = [
    "http://auth.pleo.invalid/oauth/token",
    "http://10.0.0.1/oauth/token",
    "ftp://auth.pleo.invalid/oauth/token",
    "https://user:secret@auth.pleo.invalid/oauth/token",
    "https://auth.pleo.invalid/oauth/token?next=http://x",
    "https://auth.pleo.invalid/oauth/token#x",
    "not a url",
    "file:///etc/passwd",
];

#[test]
fn a_client_refuses_a_token_url_the_rule_refuses() {
    let server = MockServer::start().unwrap();
    for url in REFUSED {
        let built = Client::builder()
            .base_url(server.url())
            .oauth(credentials(&server, Some(url.to_owned())))
            .build();
        let err = built.err().unwrap_or_else(|| panic!("{url} accepted"));
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{url}: {err}");
        assert!(err.message().contains("token_url"), "{url}: {err}");
        let config = json!({"base_url": server.url(), "oauth": {
            "client_id": "c", "client_secret": "s", "access_token": "a",
            "refresh_token": "r", "token_url": url}});
        let err = pleo_installations::ClientBuilder::from_json(&config.to_string())
            .and_then(|b| b.build())
            .err()
            .unwrap_or_else(|| panic!("{url} accepted from JSON"));
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{url}: {err}");
    }
    assert_eq!(server.token_requests(), 0);
}

#[test]
fn the_oauth_helpers_refuse_every_url_the_rule_refuses() {
    let verifier = oauth::new_code_verifier().unwrap();
    for url in REFUSED {
        let mut endpoints = OAuthEndpoints::for_environment(Default::default());
        endpoints.token_url = url.to_owned();
        let err = oauth::exchange_code(
            &endpoints,
            "c",
            &Secret::new("s"),
            "code",
            &verifier,
            "https://app.example/cb",
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{url}: {err}");
        let mut endpoints = OAuthEndpoints::for_environment(Default::default());
        endpoints.authorize_url = url.to_owned();
        let err = oauth::authorization_url(&endpoints, "c", "https://app.example/cb", &[], None)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{url}: {err}");
        for field in ["token_url", "base_url", "authorize_url"] {
            let request = json!({"client_id": "c", "client_secret": "s", "code": "x",
                "code_verifier": verifier.expose(), "redirect_uri": "https://app.example/cb",
                field: url});
            let function = if field == "authorize_url" {
                "authorizationUrl"
            } else {
                "exchangeCode"
            };
            let mut request = request;
            if function == "authorizationUrl" {
                let fields = request.as_object_mut().unwrap();
                for key in ["client_secret", "code", "code_verifier"] {
                    fields.remove(key);
                }
            }
            let err = oauth::call_json(function, &request.to_string()).unwrap_err();
            assert_eq!(
                err.kind(),
                ErrorKind::InvalidArgument,
                "{field}={url}: {err}"
            );
            assert!(err.message().contains(field), "{field}={url}: {err}");
        }
    }
}

/// A server that answers `status` with a JSON error body echoing the whole request.
fn echoing_server(status: u16) -> RawServer {
    RawServer::serve(move |mut stream| {
        use std::io::Read;
        let head = String::from_utf8_lossy(&read_head(&mut stream)).into_owned();
        let length = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse::<usize>().ok())?
            })
            .unwrap_or(0);
        let mut body = vec![0; length];
        let _ = stream.read_exact(&mut body);
        let echo = format!("{head}{}", String::from_utf8_lossy(&body));
        let answer = json!({"error": "invalid_grant", "error_description": echo, "message": echo})
            .to_string();
        let _ = stream.write_all(
            format!(
                "HTTP/1.1 {status} Echo\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            )
            .as_bytes(),
        );
    })
}

#[test]
fn secrets_a_server_echoes_stay_out_of_errors() {
    let server = MockServer::start().unwrap();
    for status in [400, 403, 418, 500] {
        let echo = echoing_server(status);
        let mut credentials =
            credentials(&server, Some(format!("{}/oauth/token", echo.url("http"))));
        credentials.client_secret = Secret::new("CLIENT-SECRET-xyz");
        credentials.tokens.refresh_token = Secret::new("REFRESH-SECRET-xyz");
        let basic = STANDARD.encode(format!("{}:CLIENT-SECRET-xyz", credentials.client_id));
        let key64 = STANDARD.encode("API-KEY-SECRET-xyz:");
        let client = Client::builder()
            .base_url(server.url())
            .oauth(credentials)
            .max_retries(0)
            .build()
            .unwrap();
        let err = client.refresh_tokens().unwrap_err();
        let api = Client::builder()
            .base_url(echo.url("http"))
            .access_token("ACCESS-SECRET-xyz")
            .max_retries(0)
            .build()
            .unwrap()
            .introspect()
            .unwrap_err();
        let key = Client::builder()
            .base_url(echo.url("http"))
            .api_key("API-KEY-SECRET-xyz")
            .max_retries(0)
            .build()
            .unwrap()
            .introspect()
            .unwrap_err();
        for error in [&err, &api, &key] {
            let everything = format!("{error} {error:?} {}", error.to_json());
            assert!(everything.contains("[REDACTED]"), "{status}: {everything}");
            for secret in ["SECRET-xyz", basic.as_str(), key64.as_str()] {
                assert!(
                    !everything.contains(secret),
                    "{status}: {secret} in {everything}"
                );
            }
        }
    }
}

#[test]
fn odd_statuses_from_the_token_endpoint_are_named_as_the_api_s_are() {
    let server = MockServer::start().unwrap();
    for (status, said) in [
        (101, "not a final HTTP answer"),
        (307, "redirects are not followed"),
        (600, "not a final HTTP answer"),
    ] {
        let endpoint = RawServer::serve(move |mut stream| {
            read_head(&mut stream);
            let _ = stream.write_all(
                format!("HTTP/1.1 {status} Odd\r\nlocation: https://x.example/\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").as_bytes(),
            );
        });
        let client =
            client_with_token_url(&server, format!("{}/oauth/token", endpoint.url("http")));
        let err = client.refresh_tokens().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{status}: {err}");
        assert!(err.message().contains(said), "{status}: {err}");
    }
}
