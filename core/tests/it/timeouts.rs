//! Per-attempt timeouts, the overall deadline and waiting for a status, on the real clock.
//!
//! The bounds asserted are generous ceilings that prove "does not hang", not speed goals.

use crate::common;

use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use common::{builder, received};
use pleo_installations::{CreateInstallation, ErrorKind, InstallationStatus, UpdateInstallation};
use pleo_installations_mock::{Fault, MockServer};

#[test]
fn a_slow_attempt_times_out_and_an_idempotent_call_retries_it() {
    let server = MockServer::start().unwrap();
    server.seed_installation(&server.api_key(), None, "ACTIVATED");
    let client = builder(&server)
        .timeout(Duration::from_millis(200))
        .max_retries(1)
        .build()
        .unwrap();
    server.push_fault(Fault::delay(Duration::from_secs(3)));
    let started = Instant::now();
    client.get_installation(None).unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(received(&server, "getClientInstallation"), 2);
}

#[test]
fn a_slow_create_times_out_without_a_retry() {
    let server = MockServer::start().unwrap();
    let client = builder(&server)
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    server.push_fault(Fault::delay(Duration::from_secs(3)));
    let err = client
        .create_installation(&CreateInstallation::default())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert_eq!(err.attempts(), 1);
    assert!(!err.retryable());
    assert!(err.message().contains("200 ms"), "{err}");
    assert_eq!(received(&server, "createClientInstallation"), 1);
}

#[test]
fn the_overall_deadline_bounds_all_attempts() {
    let server = MockServer::start().unwrap();
    server.seed_installation(&server.api_key(), None, "ACTIVATED");
    // Attempt 1 times out at 400 ms, the backoff is 250 ms, attempt 2 gets what is left.
    let client = builder(&server)
        .timeout(Duration::from_millis(400))
        .total_timeout(Duration::from_millis(800))
        .max_retries(10)
        .random(std::sync::Arc::new(common::FixedRandom(0.0)))
        .build()
        .unwrap();
    server.push_fault(Fault::delay(Duration::from_secs(3)).times(10));
    let started = Instant::now();
    let err = client.get_installation(None).unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(elapsed >= Duration::from_millis(400), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(2500), "{elapsed:?}");
    // A slow machine may leave no room for attempt 2; either way the deadline is named.
    assert!(err.attempts() == 1 || err.attempts() == 2);
    assert!(err.message().contains("deadline"), "{err}");
}

#[test]
fn a_connect_timeout_is_a_timeout_of_an_unsent_request() {
    // A listener that never accepts: once its accept queue is full, the kernel drops
    // further SYNs and connecting hangs until the client's connect timeout.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let mut queued = Vec::new();
    while queued.len() < 4096 {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(100)) {
            Ok(stream) => queued.push(stream),
            Err(_) => break,
        }
    }
    assert!(queued.len() < 4096, "the accept queue never filled");
    let clock = common::FakeClock::new();
    let client = pleo_installations::Client::builder()
        .base_url(format!("http://{addr}"))
        .api_key("k")
        .connect_timeout(Duration::from_millis(100))
        .clock(clock.clone())
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .create_installation(&CreateInstallation::default())
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(err.message().contains("connect"), "{err}");
    // Nothing was sent, so even create was retried.
    assert_eq!(err.attempts(), 3);
    assert!(err.retryable());
    drop(listener);
}

#[test]
fn wait_for_status_returns_once_another_worker_changes_it() {
    let server = MockServer::start().unwrap();
    server.seed_installation(&server.api_key(), None, "PENDING_INTEGRATION");
    let client = builder(&server).build().unwrap();
    let worker = {
        let client = client.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            client
                .update_installation(&UpdateInstallation::new(InstallationStatus::Activated))
                .unwrap();
        })
    };
    let done = client
        .wait_for_status(
            &[InstallationStatus::Activated, InstallationStatus::Error],
            Duration::from_secs(10),
        )
        .unwrap();
    worker.join().unwrap();
    assert_eq!(done.status, InstallationStatus::Activated);
    assert!(received(&server, "getClientInstallation") >= 2);
}

#[test]
fn wait_for_status_times_out_naming_the_last_status() {
    let server = MockServer::start().unwrap();
    server.seed_installation(&server.api_key(), None, "AUTHORIZED");
    let clock = common::FakeClock::new();
    let client = builder(&server).clock(clock.clone()).build().unwrap();
    let err = client
        .wait_for_status(&[InstallationStatus::Activated], Duration::from_secs(5))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.message().contains("AUTHORIZED"), "{err}");
    // 250 ms doubling to a 2 s cap, the last pause cut to the time left.
    assert_eq!(
        common::millis(&clock.sleeps()),
        [250, 500, 1000, 2000, 1250]
    );
}

#[test]
fn wait_for_status_waits_for_an_installation_that_does_not_exist_yet() {
    let server = MockServer::start().unwrap();
    let clock = common::FakeClock::new();
    let client = builder(&server).clock(clock.clone()).build().unwrap();
    let err = client
        .wait_for_status(&[InstallationStatus::Activated], Duration::from_secs(1))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.message().contains("no installation"), "{err}");
}

#[test]
fn wait_for_status_waits_out_transient_poll_failures() {
    let server = MockServer::start().unwrap();
    server.seed_installation(&server.api_key(), None, "AUTHORIZED");
    let clock = common::FakeClock::new();
    let client = builder(&server)
        .clock(clock.clone())
        .max_retries(0)
        .build()
        .unwrap();
    server.push_fault(
        Fault::status(503)
            .for_operation("getClientInstallation")
            .times(3),
    );
    server.push_fault(Fault::status(200).with_body(activated_body(&server)));
    let done = client
        .wait_for_status(&[InstallationStatus::Activated], Duration::from_secs(30))
        .unwrap();
    assert_eq!(done.status, InstallationStatus::Activated);
    assert_eq!(received(&server, "getClientInstallation"), 4);

    server.push_fault(Fault::status(503).times(100));
    let err = client
        .wait_for_status(
            &[InstallationStatus::Activated, InstallationStatus::Error],
            Duration::from_secs(3),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.message().contains("failing (server)"), "{err}");
}

#[test]
fn wait_for_status_fails_fast_on_a_permanent_error() {
    let server = MockServer::start().unwrap();
    let client = builder(&server).build().unwrap();
    server.push_fault(Fault::status(403));
    let err = client
        .wait_for_status(&[InstallationStatus::Activated], Duration::from_secs(30))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
}

#[test]
fn wait_for_status_refuses_timeouts_of_zero_or_beyond_a_day() {
    let server = MockServer::start().unwrap();
    let client = builder(&server).build().unwrap();
    for timeout_ms in ["0", "86400001", "18446744073709551615"] {
        let request = format!(r#"{{"statuses": ["ACTIVATED"], "timeout_ms": {timeout_ms}}}"#);
        let err = client.call_json("waitForStatus", &request).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{timeout_ms}");
        assert!(err.message().contains("timeout"), "{err}");
    }
    let err = client
        .wait_for_status(&[InstallationStatus::Activated], Duration::MAX)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(server.journal().is_empty());
}

/// The seeded installation of `server`'s API key, as JSON in status ACTIVATED.
fn activated_body(server: &MockServer) -> String {
    let mut installation = server.installation(&server.api_key(), None).unwrap();
    installation["status"] = "ACTIVATED".into();
    installation.to_string()
}
