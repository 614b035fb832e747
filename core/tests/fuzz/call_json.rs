//! `Client::call_json` with any operation id and request text, against the emulator: every
//! call ends in a result JSON or the error JSON with a known kind (never `internal`), and a
//! request refused as `invalid_argument` never reaches the network.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use pleo_installations::{Client, Clock, ErrorKind};
use pleo_installations_mock::MockServer;
use proptest::prelude::*;
use serde_json::Value;

use crate::strategies::{call, check_error_json};

/// A clock whose every sleep returns at once and moves time an hour on, so that a valid
/// `waitForStatus` ends after at most 24 polls (its timeout is at most a day) without
/// waiting for real.
struct LeapingClock {
    start: Instant,
    offset: Mutex<Duration>,
}

impl Clock for LeapingClock {
    fn now(&self) -> Instant {
        self.start + *self.offset.lock().unwrap()
    }

    fn wall(&self) -> SystemTime {
        SystemTime::now() + *self.offset.lock().unwrap()
    }

    fn sleep(&self, _: Duration) -> pleo_installations::Sleep {
        *self.offset.lock().unwrap() += Duration::from_secs(3600);
        Box::pin(std::future::ready(()))
    }
}

/// The reason (`error`) of an emulator's error body.
fn reason(body: Option<&str>) -> Option<String> {
    let body: Value = serde_json::from_str(body?).ok()?;
    body["error"].as_str().map(str::to_owned)
}

#[test]
fn every_call_ends_in_a_result_or_a_known_error_and_bad_input_is_never_sent() {
    let server = MockServer::start().unwrap();
    let clock = LeapingClock {
        start: Instant::now(),
        offset: Mutex::new(Duration::ZERO),
    };
    let client = Client::builder()
        .base_url(server.url())
        .api_key(server.api_key())
        .clock(std::sync::Arc::new(clock))
        .build()
        .unwrap();
    proptest!(|((operation, request) in call())| {
        server.clear_journal();
        let outcome = client.call_json(&operation, &request);
        let sent = server.journal().len();
        match outcome {
            Ok(result) => {
                prop_assert!(serde_json::from_str::<Value>(&result).is_ok(), "{}", result);
                prop_assert!(sent > 0);
            }
            Err(error) => {
                let (kind, attempts) = check_error_json(&error.to_json().to_string())?;
                if kind == ErrorKind::InvalidArgument {
                    prop_assert_eq!(sent, 0, "refused, yet sent: {}", error);
                    prop_assert_eq!(attempts, 0);
                }
                // What the client lets through, the API accepts: of the emulator's 400s
                // only a lifecycle rule (its state, not the request) may refuse it.
                if kind == ErrorKind::BadRequest {
                    let reason = reason(error.body());
                    prop_assert_eq!(
                        reason.as_deref(),
                        Some("invalid_transition"),
                        "{}",
                        error
                    );
                }
            }
        }
    });
}
