//! The server keeps answering while a large journal is read (issue 13 §9): reading it
//! (over the admin API or with `MockServer::journal`) must hold neither the journal's lock
//! nor the server's one thread for long.
//!
//! Alone in its test binary, so that no other test competes for the two cores while the
//! latencies are measured.

use crate::common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{ME, basic, http};
use pleo_installations_mock::MockServer;

const MIB: usize = 1024 * 1024;

/// Every API request must be answered within this, though the machine is loaded; before
/// the journal was bounded and read from a snapshot, one took many seconds.
const PROMPT: Duration = Duration::from_secs(2);

fn large_body() -> &'static [u8] {
    let head = br#"{"status": "ACTIVATED", "metadata": {"x": ""#;
    let tail = br#""}}"#;
    let mut body = head.to_vec();
    body.resize(MIB - tail.len(), b'a');
    body.extend_from_slice(tail);
    Box::leak(body.into_boxed_slice())
}

#[test]
fn api_requests_are_answered_promptly_while_a_large_journal_is_read() {
    let server = MockServer::start().unwrap();
    let body = large_body();
    let url = server.url();
    for _ in 0..200 {
        let status = http()
            .put(format!("{url}{ME}"))
            .body(body)
            .send()
            .expect("PUT")
            .status();
        assert_eq!(status, 401);
    }

    // The reader has its own client, with room for a slow answer.
    let reader_client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(300))
        .build()
        .unwrap();
    let stop = AtomicBool::new(false);
    let reads = AtomicUsize::new(0);
    let authorization = basic(&server.api_key());
    let (latencies, failures) = std::thread::scope(|scope| {
        scope.spawn(|| {
            while !stop.load(Ordering::Relaxed) {
                // Over the admin API (the server's thread answers it) ...
                let response = reader_client
                    .get(format!("{url}/__mock/journal"))
                    .send()
                    .and_then(|r| r.error_for_status())
                    .and_then(|r| r.bytes());
                assert!(response.is_ok_and(|b| b.len() > MIB), "journal read failed");
                reads.fetch_add(1, Ordering::Relaxed);
                // ... and through the Rust accessor (it takes the journal's lock).
                assert!(!server.journal().is_empty());
                reads.fetch_add(1, Ordering::Relaxed);
            }
        });

        let mut latencies = Vec::new();
        let mut failures = Vec::new();
        let started = Instant::now();
        // Until the reader has read the journal a few times each way (or a minute has
        // passed), with at least 40 API requests among its reads.
        while latencies.len() + failures.len() < 40
            || (reads.load(Ordering::Relaxed) < 6 && started.elapsed() < Duration::from_secs(60))
        {
            let sent = Instant::now();
            let result = http()
                .get(format!("{url}/v1/introspect"))
                .header("authorization", &authorization)
                .send();
            let took = sent.elapsed();
            match result {
                Ok(response) if response.status() == 200 => latencies.push(took),
                Ok(response) => failures.push(format!("status {}", response.status())),
                Err(e) => failures.push(format!("after {took:?}: {e}")),
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        stop.store(true, Ordering::Relaxed);
        (latencies, failures)
    });

    let reads = reads.load(Ordering::Relaxed);
    let worst = latencies.iter().max().copied().unwrap_or_default();
    let mut sorted = latencies.clone();
    sorted.sort();
    let median = sorted.get(sorted.len() / 2).copied().unwrap_or_default();
    eprintln!(
        "{} API requests during {reads} journal reads: median {median:?}, worst {worst:?}; {} failed",
        latencies.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "API requests failed: {failures:?}");
    assert!(reads >= 2, "the reader read the journal only {reads} times");
    let slow: Vec<_> = latencies.iter().filter(|t| **t > PROMPT).collect();
    assert!(
        slow.is_empty(),
        "{} of {} API requests took over {PROMPT:?} while the journal was read (worst {worst:?})",
        slow.len(),
        latencies.len()
    );
}
