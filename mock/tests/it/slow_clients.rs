//! Clients that trickle, idle or send huge heads cannot tie the emulator up: heads and
//! bodies have a read timeout, heads a size limit, and connections a cap.

use crate::common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::send;
use pleo_installations_mock::{MockConfig, MockServer};

fn server(read_timeout: Duration, max_connections: usize) -> MockServer {
    MockServer::start_with(MockConfig {
        read_timeout,
        max_connections,
        ..MockConfig::default()
    })
    .unwrap()
}

/// Waits until the emulator closes `stream` (a read gives 0 bytes or fails); how long.
fn closed_within(mut stream: TcpStream, limit: Duration) -> Option<Duration> {
    stream.set_read_timeout(Some(limit)).unwrap();
    let started = Instant::now();
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) if started.elapsed() < limit => return Some(started.elapsed()),
            Ok(_) => continue,
            _ => return None,
        }
    }
}

fn open(server: &MockServer, start: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(server.addr()).unwrap();
    stream.write_all(start).unwrap();
    stream
}

#[test]
fn a_head_or_body_that_stops_coming_is_cut_off() {
    let server = server(Duration::from_millis(300), 64);
    let head = open(&server, b"GET /v1/introspect HTTP/1.1\r\nHost: x\r\n");
    assert!(
        closed_within(head, Duration::from_secs(5)).is_some(),
        "an unfinished head is held"
    );
    let body = open(
        &server,
        b"PUT /v1/installations/me HTTP/1.1\r\nHost: x\r\ncontent-length: 100\r\n\r\n{\"st",
    );
    assert!(
        closed_within(body, Duration::from_secs(5)).is_some(),
        "an unfinished body is held"
    );
}

#[test]
fn a_huge_head_is_refused_without_being_kept() {
    let server = server(Duration::from_secs(5), 64);
    let mut stream = open(&server, b"GET /v1/introspect HTTP/1.1\r\nHost: x\r\n");
    let pad = format!("x-pad: {}\r\n", "a".repeat(1000));
    for _ in 0..200 {
        if stream.write_all(pad.as_bytes()).is_err() {
            break;
        }
    }
    assert!(
        closed_within(stream, Duration::from_secs(5)).is_some(),
        "a 200 KB head is read on"
    );
}

#[test]
fn idle_connections_past_the_cap_do_not_shut_others_out_for_long() {
    let server = server(Duration::from_millis(500), 4);
    let idle: Vec<TcpStream> = (0..8)
        .map(|_| open(&server, b"GET /v1/introspect HTTP/1.1\r\n"))
        .collect();
    let started = Instant::now();
    let reply = send(&server, "GET", "/v1/introspect", None, None).unwrap();
    assert_eq!(reply.status, 401);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    drop(idle);
}
