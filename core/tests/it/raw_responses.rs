//! Responses the emulator does not produce, from a bare socket server.

use crate::common;

use common::{FakeClock, RawServer};
use pleo_installations::{Client, CreateInstallation, ErrorKind, MAX_RESPONSE_BYTES};

fn client(url: String) -> Client {
    Client::builder()
        .base_url(url)
        .api_key("k")
        .clock(FakeClock::new())
        .build()
        .unwrap()
}

#[test]
fn the_request_id_header_is_read_under_either_name() {
    let body = r#"{"message": "nope"}"#;
    let response = format!(
        "HTTP/1.1 403 Forbidden\r\nrequest-id: req-42\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let server = RawServer::start(Some(response.into_bytes()));
    let err = client(server.url("http")).introspect().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    assert_eq!(err.request_id(), Some("req-42"));
    assert!(err.message().contains("nope"), "{err}");
}

#[test]
fn a_chunked_body_over_the_cap_is_a_decode_error() {
    let mut response = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n".to_vec();
    let chunk = vec![b'x'; 64 * 1024];
    for _ in 0..(MAX_RESPONSE_BYTES / chunk.len() + 2) {
        response.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        response.extend_from_slice(&chunk);
        response.extend_from_slice(b"\r\n");
    }
    response.extend_from_slice(b"0\r\n\r\n");
    let server = RawServer::start(Some(response));
    let err = client(server.url("http")).introspect().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.message().contains("limit"), "{err}");
    assert_eq!(err.attempts(), 1);
}

#[test]
fn a_server_error_with_a_huge_non_json_body_is_still_a_retried_server_error() {
    let body = "<html>".repeat(400_000);
    let response = format!(
        "HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let server = RawServer::start(Some(response.into_bytes()));
    let err = client(server.url("http")).introspect().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.status(), Some(502));
    assert_eq!(err.attempts(), 3);
    assert!(err.body().unwrap().starts_with("<html>"));
    assert_eq!(server.connections(), 3);
}

#[test]
fn a_connection_closed_during_the_tls_handshake_counts_as_unsent() {
    let server = RawServer::start(None);
    let err = client(server.url("https"))
        .create_installation(&CreateInstallation::default())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connection, "{err}");
    assert!(err.retryable());
    assert_eq!(err.attempts(), 3);
    assert_eq!(server.connections(), 3);
}

#[test]
fn statuses_that_are_no_final_answer_are_not_called_redirects() {
    for status in [101, 600, 999] {
        let response =
            format!("HTTP/1.1 {status} Odd\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        let server = RawServer::start(Some(response.into_bytes()));
        let err = client(server.url("http")).introspect().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{status}: {err}");
        assert!(!err.message().contains("redirect"), "{status}: {err}");
        assert!(
            err.message().contains(&status.to_string()),
            "{status}: {err}"
        );
    }
    let response = "HTTP/1.1 302 Found\r\nlocation: https://elsewhere.example/\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
    let server = RawServer::start(Some(response.as_bytes().to_vec()));
    let err = client(server.url("http")).introspect().unwrap_err();
    assert!(
        err.message().contains("redirects are not followed"),
        "{err}"
    );
}

#[test]
fn a_success_whose_body_times_out_says_the_answer_came_but_not_its_body() {
    let server = RawServer::serve(|mut stream| {
        use std::io::Write;
        common::read_head(&mut stream);
        let _ = stream.write_all(b"HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: 400\r\n\r\n{\"id\"");
        std::thread::sleep(std::time::Duration::from_secs(3));
    });
    let client = Client::builder()
        .base_url(server.url("http"))
        .api_key("k")
        .timeout(std::time::Duration::from_millis(500))
        .build()
        .unwrap();
    let err = client
        .create_installation(&CreateInstallation::default())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert_eq!(err.status(), Some(201));
    assert!(
        err.message()
            .contains("answered HTTP 201, but its body did not arrive within 500 ms"),
        "{err}"
    );
    assert!(!err.message().contains("no response"), "{err}");
}
