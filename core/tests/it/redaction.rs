//! Secrets never appear in logs, errors or Debug output.

use std::sync::{Mutex, OnceLock};

use log::{Log, Metadata, Record};
use pleo_installations::{Client, ErrorKind};
use pleo_installations_mock::{Fault, MockServer};

/// Collects every log line of this test binary.
struct Capture(Mutex<Vec<String>>);

impl Log for Capture {
    fn enabled(&self, _: &Metadata) -> bool {
        true
    }
    fn log(&self, record: &Record) {
        let line = format!("{} {} {}", record.level(), record.target(), record.args());
        self.0.lock().unwrap().push(line);
    }
    fn flush(&self) {}
}

fn capture() -> &'static Capture {
    static CAPTURE: OnceLock<&'static Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture: &'static Capture = Box::leak(Box::new(Capture(Mutex::new(Vec::new()))));
        log::set_logger(capture).unwrap();
        log::set_max_level(log::LevelFilter::Trace);
        capture
    })
}

const KEY: &str = "sk-live-DO-NOT-LEAK-1234";

#[test]
fn no_secret_in_logs_errors_or_debug() {
    let logs = capture();
    let server = MockServer::start().unwrap();
    server.add_api_key(KEY);
    let client = Client::builder()
        .base_url(server.url())
        .api_key(KEY)
        .max_retries(1)
        .build()
        .unwrap();
    let _ = client.create_installation(&Default::default()).unwrap();
    server.push_fault(Fault::status(503));
    client.get_installation(None).unwrap();
    server.push_fault(Fault::status(401));
    let err = client.get_installation(None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);

    let wrong = Client::builder()
        .base_url(server.url())
        .access_token("tok-DO-NOT-LEAK-5678")
        .build()
        .unwrap();
    let wrong_err = wrong.introspect().unwrap_err();

    let lines = logs.0.lock().unwrap().clone();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("path=/v1/installations/me") && l.contains("attempt n=2")),
        "one debug line per attempt: {lines:#?}"
    );
    let everything = format!(
        "{lines:?} {err} {err:?} {} {wrong_err} {wrong_err:?} {client:?} {wrong:?}",
        err.to_json()
    );
    for secret in [KEY, "tok-DO-NOT-LEAK-5678"] {
        assert!(
            !everything.contains(secret),
            "{secret} leaked: {everything}"
        );
    }
    // The base64 of the Basic credential must not leak either.
    use base64::Engine as _;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{KEY}:"));
    assert!(!everything.contains(&basic));
}
