//! Each retry rule, with a fake clock so the waits are exact and instant.

use crate::common;

use std::time::Duration;

use common::{fake_time_client, millis, received};
use pleo_installations::{CreateInstallation, ErrorKind, InstallationStatus, UpdateInstallation};
use pleo_installations_mock::{Fault, MockServer};

const IDEMPOTENT: [&str; 6] = [
    "getClientInstallation",
    "updateClientInstallation",
    "deleteClientInstallation",
    "activateMyInstallation",
    "completeInstallationExternalClientOnlyIdempotently",
    "introspect",
];

fn request_for(operation: &str) -> &'static str {
    if operation == "updateClientInstallation" {
        r#"{"status": "ACTIVATED"}"#
    } else {
        "{}"
    }
}

fn with_installation() -> MockServer {
    let server = MockServer::start().unwrap();
    server.seed_installation(&server.api_key(), None, "AUTHORIZED");
    server
}

#[test]
fn idempotent_operations_retry_transient_statuses_with_full_jitter_backoff() {
    for operation in IDEMPOTENT {
        for status in [408, 429, 500, 502, 503, 504] {
            let server = with_installation();
            let (client, clock) = fake_time_client(&server, 2);
            server.push_fault(Fault::status(status).for_operation(operation).times(2));
            client
                .call_json(operation, request_for(operation))
                .unwrap_or_else(|e| panic!("{operation} after {status}: {e}"));
            assert_eq!(received(&server, operation), 3, "{operation} {status}");
            assert_eq!(millis(&clock.sleeps()), [500, 1000], "{operation} {status}");
        }
    }
}

#[test]
fn idempotent_operations_retry_a_dropped_connection() {
    for operation in IDEMPOTENT {
        let server = with_installation();
        let (client, _clock) = fake_time_client(&server, 2);
        server.push_fault(Fault::drop_connection().for_operation(operation));
        client.call_json(operation, request_for(operation)).unwrap();
        assert_eq!(received(&server, operation), 2, "{operation}");
    }
}

#[test]
fn create_retries_only_429_and_503() {
    for status in [429, 503] {
        let server = MockServer::start().unwrap();
        let (client, _clock) = fake_time_client(&server, 2);
        server.push_fault(Fault::status(status));
        client
            .create_installation(&CreateInstallation::default())
            .unwrap();
        assert_eq!(received(&server, "createClientInstallation"), 2, "{status}");
    }
    for status in [408, 500, 502, 504] {
        let server = MockServer::start().unwrap();
        let (client, clock) = fake_time_client(&server, 2);
        server.push_fault(Fault::status(status));
        let err = client
            .create_installation(&CreateInstallation::default())
            .unwrap_err();
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.attempts(), 1);
        assert!(!err.retryable());
        assert_eq!(received(&server, "createClientInstallation"), 1, "{status}");
        assert!(clock.sleeps().is_empty());
    }
}

#[test]
fn create_is_never_sent_twice_after_an_ambiguous_failure() {
    let server = MockServer::start().unwrap();
    let (client, _clock) = fake_time_client(&server, 2);
    server.push_fault(Fault::drop_connection());
    let err = client
        .create_installation(&CreateInstallation::default())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connection, "{err}");
    assert_eq!(err.attempts(), 1);
    assert!(!err.retryable());
    assert_eq!(received(&server, "createClientInstallation"), 1);
}

#[test]
fn client_errors_are_not_retried() {
    for status in [400, 401, 403, 404, 409, 422] {
        let server = with_installation();
        let (client, clock) = fake_time_client(&server, 2);
        server.push_fault(Fault::status(status));
        let err = client.get_installation(None).unwrap_err();
        assert_eq!(err.attempts(), 1, "{status}");
        assert!(!err.retryable());
        assert!(clock.sleeps().is_empty());
    }
}

#[test]
fn retries_give_up_after_max_retries_with_the_last_error() {
    let server = with_installation();
    let (client, clock) = fake_time_client(&server, 2);
    server.push_fault(Fault::status(500).times(5));
    let err = client.get_installation(None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.attempts(), 3);
    assert!(err.retryable());
    assert_eq!(received(&server, "getClientInstallation"), 3);
    assert_eq!(clock.sleeps().len(), 2);
}

#[test]
fn max_retries_zero_is_one_attempt() {
    let server = with_installation();
    let (client, clock) = fake_time_client(&server, 0);
    server.push_fault(Fault::status(503));
    let err = client.get_installation(None).unwrap_err();
    assert_eq!(err.attempts(), 1);
    assert_eq!(received(&server, "getClientInstallation"), 1);
    assert!(clock.sleeps().is_empty());
}

#[test]
fn backoff_doubles_and_caps_at_eight_seconds() {
    let server = with_installation();
    let (client, clock) = fake_time_client(&server, 6);
    server.push_fault(Fault::status(502).times(6));
    client
        .update_installation(&UpdateInstallation::new(InstallationStatus::Activated))
        .unwrap();
    assert_eq!(millis(&clock.sleeps()), [500, 1000, 2000, 4000, 8000, 8000]);
}

#[test]
fn the_random_factor_scales_backoff_down_to_half() {
    let server = with_installation();
    let clock = common::FakeClock::new();
    let client = common::builder(&server)
        .clock(clock.clone())
        .random(std::sync::Arc::new(common::FixedRandom(0.0)))
        .build()
        .unwrap();
    server.push_fault(Fault::status(500).times(2));
    client.get_installation(None).unwrap();
    assert_eq!(millis(&clock.sleeps()), [250, 500]);
}

#[test]
fn retry_after_seconds_and_dates_are_honoured_exactly() {
    let server = with_installation();
    let (client, clock) = fake_time_client(&server, 2);
    server.push_fault(Fault::status(429).with_retry_after("7"));
    client.get_installation(None).unwrap();
    assert_eq!(millis(&clock.sleeps()), [7000]);

    // An HTTP date 20 s after the fake clock's wall time.
    let date = clock.wall_after(Duration::from_secs(20));
    server.push_fault(Fault::status(503).with_retry_after(&date));
    client.get_installation(None).unwrap();
    assert_eq!(millis(&clock.sleeps()), [7000, 20000]);
}

#[test]
fn retry_after_beyond_sixty_seconds_gives_up_at_once() {
    let server = with_installation();
    let (client, clock) = fake_time_client(&server, 2);
    server.push_fault(Fault::status(429).with_retry_after("120"));
    let err = client.get_installation(None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(err.to_json()["retry_after"], 120.0);
    assert_eq!(err.attempts(), 1);
    assert!(err.message().contains("120"), "{err}");
    assert!(clock.sleeps().is_empty());
}

#[test]
fn a_retry_after_past_any_number_is_reported_as_the_ceiling_not_a_wrapped_value() {
    let server = with_installation();
    let (client, _clock) = fake_time_client(&server, 2);
    let year = pleo_installations::RETRY_AFTER_CEILING;
    for value in [
        "99999999999999999999999",
        "18446744073709551615",
        "31536001",
        "Fri, 31 Dec 9999 23:59:59 GMT",
    ] {
        server.push_fault(Fault::status(429).with_retry_after(value));
        let err = client.get_installation(None).unwrap_err();
        assert_eq!(err.retry_after(), Some(year), "{value}");
        assert_eq!(
            err.to_json()["retry_after"],
            year.as_secs() as f64,
            "{value}"
        );
        assert!(err.message().contains("a year or more"), "{value}: {err}");
        assert!(!err.message().contains("18446744073709551615"), "{err}");
    }
}

#[test]
fn no_retry_is_started_that_would_end_past_the_deadline() {
    let server = with_installation();
    let clock = common::FakeClock::new();
    let client = common::builder(&server)
        .clock(clock.clone())
        .total_timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    server.push_fault(Fault::status(503).with_retry_after("15"));
    let err = client.get_installation(None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.attempts(), 1);
    assert!(clock.sleeps().is_empty());
}

#[test]
fn retry_after_of_exactly_sixty_seconds_is_still_honoured() {
    let server = with_installation();
    let (client, clock) = fake_time_client(&server, 2);
    server.push_fault(Fault::status(503).with_retry_after("60"));
    client.get_installation(None).unwrap();
    assert_eq!(millis(&clock.sleeps()), [60_000]);
}

#[test]
fn a_retry_after_date_beyond_sixty_seconds_gives_up() {
    let server = with_installation();
    let (client, clock) = fake_time_client(&server, 2);
    let date = clock.wall_after(Duration::from_secs(90));
    server.push_fault(Fault::status(429).with_retry_after(&date));
    let err = client.get_installation(None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(90)));
    assert!(clock.sleeps().is_empty());
}

#[test]
fn an_error_status_with_an_oversized_body_keeps_its_kind_and_is_retried() {
    let server = MockServer::start().unwrap();
    let (client, _clock) = fake_time_client(&server, 2);
    let huge = "x".repeat(pleo_installations::MAX_RESPONSE_BYTES + 10);
    server.push_fault(Fault::status(503).with_body(&huge));
    client
        .create_installation(&CreateInstallation::default())
        .unwrap();
    assert_eq!(received(&server, "createClientInstallation"), 2);
}

#[test]
fn a_panic_inside_the_sdk_is_an_internal_error_from_call_json() {
    struct Broken;
    impl pleo_installations::Clock for Broken {
        fn now(&self) -> std::time::Instant {
            panic!("clock broke")
        }
        fn wall(&self) -> std::time::SystemTime {
            panic!("clock broke")
        }
        fn sleep(&self, _: Duration) -> pleo_installations::Sleep {
            Box::pin(std::future::ready(()))
        }
    }
    let server = with_installation();
    let client = common::builder(&server)
        .clock(std::sync::Arc::new(Broken))
        .build()
        .unwrap();
    let err = client.call_json("getClientInstallation", "{}").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Internal);
    assert!(err.message().contains("clock broke"), "{err}");
}
