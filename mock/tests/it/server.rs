//! The server itself: journal, request ids, independence, shutdown, concurrency.

use crate::common;

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
fn journal_keeps_the_start_of_long_bodies_and_marks_them() {
    let server = MockServer::start_with(MockConfig {
        journal_body_bytes: 16,
        ..MockConfig::default()
    })
    .unwrap();
    let long = r#"{"metadata": {"a": "0123456789"}}"#;
    let short = r#"{"status": "X"}"#;
    api(&server, "POST", ME, Some(long));
    api(&server, "PUT", ME, Some(short));
    api(&server, "GET", ME, None);
    let journal = server.journal();
    assert_eq!(journal[0].body, &long[..16]);
    assert!(journal[0].body_truncated);
    assert_eq!(journal[0].body_size, Some(long.len()));
    assert_eq!(journal[1].body, short);
    assert!(!journal[1].body_truncated);
    assert_eq!(journal[1].body_size, Some(short.len()));
    assert_eq!(journal[2].body, "");
    assert!(!journal[2].body_truncated);
    assert_eq!(journal[2].body_size, Some(0));
    // The same over the admin API.
    let entries = admin(&server, "GET", "/__mock/journal", None).json();
    assert_eq!(entries[0]["body"], &long[..16]);
    assert_eq!(entries[0]["body_truncated"], true);
    assert_eq!(entries[0]["body_size"], long.len());
    assert_eq!(entries[1]["body_truncated"], false);
    let stats = server.journal_stats();
    assert_eq!(stats.truncated, 1);
    assert_eq!(stats.max_body_bytes, 16);
}

#[test]
fn journal_stays_within_its_byte_budget_dropping_the_oldest() {
    let budget = 16 * 1024;
    let server = MockServer::start_with(MockConfig {
        journal_max_bytes: budget,
        ..MockConfig::default()
    })
    .unwrap();
    let body = format!(r#"{{"status": "{}"}}"#, "x".repeat(1000));
    let mut request_ids = Vec::new();
    for _ in 0..50 {
        let reply = api(&server, "PUT", ME, Some(&body));
        request_ids.push(reply.header("x-request-id").unwrap());
        let stats = server.journal_stats();
        assert!(stats.bytes <= budget, "{stats:?}");
    }
    let stats = server.journal_stats();
    let journal = server.journal();
    assert_eq!(stats.entries, journal.len());
    assert!((5..50).contains(&journal.len()), "{stats:?}");
    assert_eq!(stats.dropped as usize + journal.len(), 50, "{stats:?}");
    assert_eq!(stats.max_bytes, budget);
    // The newest ones, in order.
    let kept: Vec<_> = journal.iter().map(|r| r.request_id.clone()).collect();
    assert_eq!(kept, request_ids[50 - journal.len()..]);
    assert!(journal.iter().all(|r| r.body == body && !r.body_truncated));
}

#[test]
fn one_huge_body_does_not_evict_the_small_requests() {
    let server = MockServer::start().unwrap();
    for _ in 0..20 {
        api(&server, "GET", INTROSPECT, None);
    }
    let huge = format!(r#"{{"status": "{}"}}"#, "x".repeat(1024 * 1024 - 20));
    assert!(huge.len() <= pleo_installations_mock::DEFAULT_MAX_BODY_BYTES);
    send(&server, "PUT", ME, None, Some(&huge))
        .unwrap()
        .expect_error(401, "unauthorized");
    let journal = server.journal();
    assert_eq!(journal.len(), 21);
    let last = &journal[20];
    assert!(last.body_truncated);
    assert_eq!(last.body_size, Some(huge.len()));
    assert_eq!(
        last.body.len(),
        pleo_installations_mock::DEFAULT_JOURNAL_BODY_BYTES
    );
    assert!(huge.starts_with(&last.body));
    let stats = server.journal_stats();
    assert_eq!(stats.dropped, 0);
    assert!(stats.bytes < 100 * 1024, "{stats:?}");
}

#[test]
fn journal_stats_in_rust_and_over_http() {
    let server = MockServer::start_with(MockConfig {
        journal_limit: 2,
        ..MockConfig::default()
    })
    .unwrap();
    let empty = server.journal_stats();
    assert_eq!(empty.entries, 0);
    assert_eq!(empty.bytes, 0);
    assert_eq!(empty.max_entries, 2);
    assert_eq!(
        empty.max_bytes,
        pleo_installations_mock::DEFAULT_JOURNAL_MAX_BYTES
    );
    for path in ["/a", "/b", "/c"] {
        send(&server, "GET", path, None, None).unwrap();
    }
    let stats = server.journal_stats();
    assert_eq!(stats.entries, 2);
    assert_eq!(stats.dropped, 1);
    assert!(stats.bytes > 0);
    let over_http = admin(&server, "GET", "/__mock/journal/stats", None).json();
    assert_eq!(
        over_http,
        serde_json::json!({
            "entries": 2,
            "bytes": stats.bytes,
            "max_entries": 2,
            "max_bytes": stats.max_bytes,
            "max_body_bytes": stats.max_body_bytes,
            "dropped": 1,
            "truncated": 0,
        })
    );
    // Clearing (or resetting) starts the counters again.
    server.clear_journal();
    assert_eq!(server.journal_stats(), empty);
    send(&server, "GET", "/d", None, None).unwrap();
    server.reset();
    assert_eq!(server.journal_stats(), empty);
    let reply = admin(&server, "POST", "/__mock/journal/stats", None);
    reply.expect_error(405, "method_not_allowed");
    assert_eq!(reply.header("allow").as_deref(), Some("GET"));
    let reply = admin(&server, "POST", "/__mock/journal", None);
    reply.expect_error(405, "method_not_allowed");
    assert_eq!(reply.header("allow").as_deref(), Some("GET, DELETE"));
}

#[test]
fn a_zero_byte_budget_keeps_no_journal() {
    let server = MockServer::start_with(MockConfig {
        journal_max_bytes: 0,
        ..MockConfig::default()
    })
    .unwrap();
    api(&server, "GET", INTROSPECT, None);
    assert!(server.journal().is_empty());
    assert_eq!(server.journal_stats().bytes, 0);
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
