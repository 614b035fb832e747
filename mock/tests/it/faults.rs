//! Every kind of fault, the operation filter, `times`, and FIFO order.

use crate::common;

use std::time::{Duration, Instant};

use common::*;
use pleo_installations_mock::{Fault, MALFORMED_BODY, MockServer};
use serde_json::json;

#[test]
fn status_fault_with_retry_after_then_normal_service() {
    let server = MockServer::start().unwrap();
    server.push_fault(Fault::status(503).with_retry_after("2"));
    let reply = api(&server, "GET", INTROSPECT, None);
    let message = reply.expect_error(503, "service_unavailable");
    assert!(message.contains("injected"), "{message}");
    assert_eq!(reply.header("retry-after").as_deref(), Some("2"));
    assert!(reply.header("x-request-id").is_some());
    assert_eq!(server.pending_faults(), 0);
    assert_eq!(api(&server, "GET", INTROSPECT, None).status, 200);
}

#[test]
fn status_fault_with_an_http_date_and_a_custom_body() {
    let server = MockServer::start().unwrap();
    let date = "Wed, 21 Oct 2037 07:28:00 GMT";
    server.push_fault(
        Fault::status(429)
            .with_retry_after(date)
            .with_body(r#"{"error": "x", "message": "slow down"}"#),
    );
    let reply = api(&server, "GET", INTROSPECT, None);
    assert_eq!(reply.status, 429);
    assert_eq!(reply.header("retry-after").as_deref(), Some(date));
    assert_eq!(reply.json(), json!({"error": "x", "message": "slow down"}));
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("application/json;charset=UTF-8")
    );
}

#[test]
fn faults_come_before_authentication() {
    let server = MockServer::start().unwrap();
    server.push_fault(Fault::status(502));
    let reply = send(&server, "GET", ME, None, None).unwrap();
    reply.expect_error(502, "bad_gateway");
    assert!(reply.header("retry-after").is_none());
}

#[test]
fn out_of_range_statuses_are_answered_as_500() {
    let server = MockServer::start().unwrap();
    server.push_fault(Fault::status(42));
    let message = api(&server, "GET", INTROSPECT, None).expect_error(500, "internal_server_error");
    assert!(message.contains("42"), "{message}");
}

#[test]
fn delay_actually_delays_then_answers_normally() {
    let server = MockServer::start().unwrap();
    server.push_fault(Fault::delay(Duration::from_millis(150)));
    let started = Instant::now();
    let reply = api(&server, "GET", INTROSPECT, None);
    let took = started.elapsed();
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(took >= Duration::from_millis(150), "took {took:?}");
    // The next one is fast again.
    let started = Instant::now();
    api(&server, "GET", INTROSPECT, None);
    assert!(started.elapsed() < Duration::from_millis(150));
}

#[test]
fn delays_overlap() {
    let server = MockServer::start().unwrap();
    const N: usize = 16;
    server.push_fault(Fault::delay(Duration::from_millis(200)).times(N as u32));
    let started = Instant::now();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..N)
            .map(|_| scope.spawn(|| api(&server, "GET", INTROSPECT, None).status))
            .collect();
        for handle in handles {
            assert_eq!(handle.join().unwrap(), 200);
        }
    });
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(200), "took {took:?}");
    // Serially this would take 16 × 200 ms.
    assert!(
        took < Duration::from_millis(1500),
        "delays did not overlap: {took:?}"
    );
    assert_eq!(server.pending_faults(), 0);
}

#[test]
fn delay_combines_with_a_status() {
    let server = MockServer::start().unwrap();
    server.push_fault(Fault::status(500).with_delay(Duration::from_millis(100)));
    let started = Instant::now();
    api(&server, "GET", INTROSPECT, None).expect_error(500, "internal_server_error");
    assert!(started.elapsed() >= Duration::from_millis(100));
}

#[test]
fn drop_closes_the_connection_without_a_response() {
    let server = MockServer::start().unwrap();
    server.push_fault(Fault::drop_connection());
    let error = send(
        &server,
        "POST",
        ME,
        Some(&basic(&server.api_key())),
        Some("{}"),
    )
    .expect_err("a dropped connection has no response");
    assert!(error.status().is_none());
    assert!(!error.is_timeout(), "{error:?}");
    // The request was recorded, not handled: nothing was created.
    assert_eq!(server.journal().len(), 1);
    api(&server, "GET", ME, None).expect_error(404, "not_found");
}

#[test]
fn drop_on_a_raw_socket_sends_zero_bytes() {
    use std::io::{Read, Write};
    let server = MockServer::start().unwrap();
    server.push_fault(Fault::drop_connection().with_delay(Duration::from_millis(20)));
    let mut stream = std::net::TcpStream::connect(server.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream
        .write_all(b"GET /v1/introspect HTTP/1.1\r\nhost: x\r\n\r\n")
        .unwrap();
    let mut received = Vec::new();
    let outcome = stream.read_to_end(&mut received);
    assert!(
        received.is_empty(),
        "got {:?}",
        String::from_utf8_lossy(&received)
    );
    // Either an orderly close or a reset; never a timeout.
    if let Err(e) = outcome {
        assert!(
            !matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
            "{e:?}"
        );
    }
}

#[test]
fn malformed_body_is_200_with_json_content_type_and_no_json() {
    let server = MockServer::start().unwrap();
    server.push_fault(Fault::malformed_body());
    let reply = api(&server, "GET", ME, None);
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("application/json;charset=UTF-8")
    );
    assert_eq!(reply.text, MALFORMED_BODY);
    assert!(serde_json::from_str::<serde_json::Value>(&reply.text).is_err());

    server.push_fault(Fault::malformed_body().with_body("<html>proxy error</html>"));
    assert_eq!(
        api(&server, "GET", ME, None).text,
        "<html>proxy error</html>"
    );
}

#[test]
fn operation_filter_skips_other_operations() {
    let server = MockServer::start().unwrap();
    server.seed_installation(&server.api_key(), None, "ACTIVATED");
    server.push_fault(Fault::status(500).for_operation("getClientInstallation"));
    assert_eq!(api(&server, "GET", INTROSPECT, None).status, 200);
    assert_eq!(api(&server, "POST", ACTIVATE, None).status, 200);
    assert_eq!(server.pending_faults(), 1);
    assert_eq!(api(&server, "GET", ME, None).status, 500);
    assert_eq!(api(&server, "GET", ME, None).status, 200);
}

#[test]
fn times_repeats_a_fault() {
    let server = MockServer::start().unwrap();
    server.push_fault(Fault::status(503).times(3));
    for _ in 0..3 {
        assert_eq!(api(&server, "GET", INTROSPECT, None).status, 503);
    }
    assert_eq!(api(&server, "GET", INTROSPECT, None).status, 200);
}

#[test]
fn faults_are_used_in_fifo_order_and_can_be_cleared() {
    let server = MockServer::start().unwrap();
    server.push_fault(Fault::status(500));
    server.push_fault(Fault::status(502));
    server.push_fault(Fault::status(504));
    assert_eq!(api(&server, "GET", INTROSPECT, None).status, 500);
    assert_eq!(api(&server, "GET", INTROSPECT, None).status, 502);
    server.clear_faults();
    assert_eq!(server.pending_faults(), 0);
    assert_eq!(api(&server, "GET", INTROSPECT, None).status, 200);
}

#[test]
fn unrouted_requests_do_not_use_faults() {
    let server = MockServer::start().unwrap();
    server.push_fault(Fault::status(503));
    send(&server, "GET", "/nowhere", None, None)
        .unwrap()
        .expect_error(404, "not_found");
    send(&server, "PATCH", ME, None, None)
        .unwrap()
        .expect_error(405, "method_not_allowed");
    admin(&server, "GET", "/__mock/health", None);
    assert_eq!(server.pending_faults(), 1);
    assert_eq!(
        server.journal().len(),
        2,
        "404 and 405 are journaled, admin is not"
    );
}

#[test]
fn status_200_fault_serves_any_body() {
    let server = MockServer::start().unwrap();
    let body = json!({"status": "SUSPENDED", "region": "eu"}).to_string();
    server.push_fault(Fault::status(200).with_body(&body).times(2));
    assert_eq!(api(&server, "GET", ME, None).text, body);
    assert_eq!(api(&server, "GET", ME, None).text, body);
    api(&server, "GET", ME, None).expect_error(404, "not_found");
}
