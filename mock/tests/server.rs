//! The server itself: journal, request ids, independence, shutdown, concurrency.

mod common;

use std::collections::HashSet;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::*;
use pleo_installations_mock::{Fault, MockConfig, MockServer};

#[test]
fn url_and_addr() {
    let server = MockServer::start().unwrap();
    assert!(server.addr().ip().is_loopback());
    assert_ne!(server.addr().port(), 0);
    assert_eq!(
        server.url(),
        format!("http://127.0.0.1:{}", server.addr().port())
    );
    assert!(!server.url().ends_with('/'));
    assert_eq!(server.api_key(), "pleo-mock-api-key");
    assert_eq!(server.access_token(), "pleo-mock-access-token");
}

#[test]
fn starting_is_fast() {
    let started = Instant::now();
    let servers: Vec<_> = (0..10).map(|_| MockServer::start().unwrap()).collect();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(1), "10 starts took {took:?}");
    drop(servers);
}

#[test]
fn journal_records_method_path_headers_and_body_in_order() {
    let server = MockServer::start().unwrap();
    let body = r#"{"metadata": {"a": "b"}}"#;
    api(&server, "POST", ME, Some(body));
    api(&server, "POST", ACTIVATE, None);
    let company = "7b2d0c4e-9a43-4f3e-8f00-3a5a2d1c9e11";
    let reply = api(&server, "GET", &format!("{ME}?company_id={company}"), None);
    send(&server, "GET", "/unknown", None, None).unwrap();

    let journal = server.journal();
    assert_eq!(journal.len(), 4);
    assert_eq!(journal[0].method, "POST");
    assert_eq!(journal[0].path, ME);
    assert_eq!(
        journal[0].operation.as_deref(),
        Some("createClientInstallation")
    );
    assert_eq!(journal[0].body, body);
    assert_eq!(
        journal[0].header("Authorization"),
        Some(basic(&server.api_key()).as_str())
    );
    assert_eq!(
        journal[0].header("content-type"),
        Some("application/json;charset=UTF-8")
    );
    assert!(
        journal[0]
            .headers
            .iter()
            .all(|(name, _)| name == &name.to_lowercase())
    );
    assert_eq!(journal[1].path, ACTIVATE);
    assert_eq!(
        journal[1].operation.as_deref(),
        Some("activateMyInstallation")
    );
    assert_eq!(journal[1].body, "");
    assert_eq!(journal[2].path, format!("{ME}?company_id={company}"));
    assert_eq!(
        journal[2].operation.as_deref(),
        Some("getClientInstallation")
    );
    assert_eq!(journal[2].request_id, reply.header("x-request-id").unwrap());
    assert_eq!(journal[3].operation, None);

    server.clear_journal();
    assert!(server.journal().is_empty());
}

#[test]
fn journal_keeps_the_newest_entries_up_to_its_limit() {
    let server = MockServer::start_with(MockConfig {
        journal_limit: 2,
        ..MockConfig::default()
    })
    .unwrap();
    for path in ["/a", "/b", "/c"] {
        send(&server, "GET", path, None, None).unwrap();
    }
    let paths: Vec<_> = server.journal().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/b", "/c"]);
}

#[test]
fn every_response_has_a_unique_request_id() {
    let server = MockServer::start().unwrap();
    server.push_fault(Fault::status(503));
    let replies = [
        api(&server, "GET", INTROSPECT, None),
        api(&server, "GET", INTROSPECT, None),
        api(&server, "GET", ME, None),
        send(&server, "GET", ME, None, None).unwrap(),
        send(&server, "GET", "/nope", None, None).unwrap(),
        admin(&server, "GET", "/__mock/health", None),
    ];
    let ids: HashSet<_> = replies
        .iter()
        .map(|r| r.header("x-request-id").expect("x-request-id"))
        .collect();
    assert_eq!(ids.len(), replies.len());
}

#[test]
fn two_servers_are_independent() {
    let one = MockServer::start().unwrap();
    let two = MockServer::start().unwrap();
    assert_ne!(one.addr(), two.addr());
    one.push_fault(Fault::status(500));
    assert_eq!(api(&one, "POST", ME, None).status, 500);
    assert_eq!(one.pending_faults(), 0);
    assert_eq!(api(&one, "POST", ME, None).status, 200);

    api(&two, "GET", ME, None).expect_error(404, "not_found");
    assert_eq!(api(&two, "POST", ME, None).status, 200);
    assert_eq!(api(&one, "POST", ME, None).status, 409);
    assert_eq!(one.journal().len(), 3);
    assert_eq!(two.journal().len(), 2);

    one.reset();
    assert!(one.journal().is_empty());
    assert_eq!(api(&two, "GET", ME, None).status, 200);
}

#[test]
fn drop_stops_the_server() {
    let server = MockServer::start().unwrap();
    let addr = server.addr();
    assert!(TcpStream::connect(addr).is_ok());
    drop(server);
    assert!(
        TcpStream::connect(addr).is_err(),
        "still accepting after drop"
    );
}

#[test]
fn shutdown_stops_the_server_even_mid_delay() {
    let server = MockServer::start().unwrap();
    let addr = server.addr();
    server.push_fault(Fault::delay(Duration::from_secs(30)));
    let url = format!("{}{INTROSPECT}", server.url());
    let pending = std::thread::spawn(move || http().get(url).send());
    // Wait until the delayed request has arrived.
    let deadline = Instant::now() + Duration::from_secs(5);
    while server.journal().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(server.journal().len(), 1);
    let started = Instant::now();
    server.shutdown();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "shutdown waited for the delay"
    );
    assert!(TcpStream::connect(addr).is_err());
    assert!(
        pending.join().unwrap().is_err(),
        "the cut request has no response"
    );
}

#[test]
fn many_slow_requests_at_once() {
    let server = MockServer::start().unwrap();
    server.seed_installation(&server.api_key(), None, "ACTIVATED");
    const N: usize = 64;
    server.push_fault(Fault::delay(Duration::from_millis(150)).times(N as u32));
    let started = Instant::now();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..N)
            .map(|_| scope.spawn(|| api(&server, "GET", ME, None).status))
            .collect();
        for handle in handles {
            assert_eq!(handle.join().unwrap(), 200);
        }
    });
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(150), "took {took:?}");
    assert!(took < Duration::from_secs(3), "64 × 150 ms took {took:?}");
    assert_eq!(server.journal().len(), N);
}

#[test]
fn the_handle_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<MockServer>();
    assert_send_sync::<Fault>();
}
