//! Responses the emulator does not produce, from a bare socket server.

mod common;

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
