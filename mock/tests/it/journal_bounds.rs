//! The journal under abuse (issue 13 §9): hundreds of 1 MiB requests, unauthenticated, must
//! neither grow the journal past its byte budget nor the process without bound.
//!
//! Alone in its test binary, so that no other test's allocations move the process's
//! resident size while it is measured.

use crate::common;

use std::time::Instant;

use common::{ME, admin, api, http};
use pleo_installations_mock::MockServer;

const MIB: usize = 1024 * 1024;
/// The journal's default byte budget (`DEFAULT_JOURNAL_MAX_BYTES`), written out so that
/// this test also builds against an emulator without one.
const BUDGET: usize = 16 * MIB;
/// The default per-entry body cap (`DEFAULT_JOURNAL_BODY_BYTES`).
const BODY_CAP: usize = 64 * 1024;

/// A 1 MiB JSON body (the emulator's default size limit, so it is accepted and read).
fn large_body() -> &'static [u8] {
    let head = br#"{"status": "ACTIVATED", "metadata": {"x": ""#;
    let tail = br#""}}"#;
    let mut body = head.to_vec();
    body.resize(MIB - tail.len(), b'a');
    body.extend_from_slice(tail);
    assert_eq!(body.len(), MIB);
    Box::leak(body.into_boxed_slice())
}

/// `PUT /v1/installations/me` without credentials; the status.
fn put_unauthenticated(server: &MockServer, body: &'static [u8]) -> u16 {
    http()
        .put(format!("{}{ME}", server.url()))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .expect("PUT")
        .status()
        .as_u16()
}

/// This process's resident set size in KiB (`VmRSS` of `/proc/self/status`), if known.
fn vm_rss_kib() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The bytes of text an entry holds (without any bookkeeping allowance).
fn text_bytes(entry: &pleo_installations_mock::RecordedRequest) -> usize {
    entry.method.len()
        + entry.path.len()
        + entry.operation.as_ref().map_or(0, String::len)
        + entry
            .headers
            .iter()
            .map(|(name, value)| name.len() + value.len())
            .sum::<usize>()
        + entry.body.len()
        + entry.request_id.len()
}

#[test]
fn large_unauthenticated_puts_stay_within_the_journal_budget() {
    let server = MockServer::start().unwrap();
    let body = large_body();

    // Warm up the allocator and the connection pool first.
    for _ in 0..40 {
        assert_eq!(put_unauthenticated(&server, body), 401);
    }
    let before = vm_rss_kib();
    let started = Instant::now();
    for _ in 0..300 {
        assert_eq!(put_unauthenticated(&server, body), 401);
    }
    let elapsed = started.elapsed();
    let after = vm_rss_kib();

    // 300 MiB were sent: the process must not have kept them.
    if let (Some(before), Some(after)) = (before, after) {
        let grown_mib = after.saturating_sub(before) / 1024;
        eprintln!(
            "VmRSS {} MiB -> {} MiB (+{grown_mib} MiB) over 300 x 1 MiB PUTs in {elapsed:.1?}",
            before / 1024,
            after / 1024
        );
        assert!(
            grown_mib < 96,
            "the process grew by {grown_mib} MiB over 300 x 1 MiB unauthenticated PUTs \
             (VmRSS {before} KiB -> {after} KiB)"
        );
    }

    // The journal's text stays within the budget, and still holds many requests: each
    // large body takes at most 64 KiB of it.
    let journal = server.journal();
    let held: usize = journal.iter().map(text_bytes).sum();
    eprintln!("journal: {} entries, {held} bytes of text", journal.len());
    assert!(
        held <= BUDGET,
        "the journal holds {held} bytes of text in {} entries, over the {BUDGET}-byte budget",
        journal.len()
    );
    assert!(
        journal.len() >= 200,
        "only {} entries were kept: a large body must not evict all the others",
        journal.len()
    );
    assert!(
        journal
            .iter()
            .all(|r| r.operation.as_deref() == Some("updateClientInstallation"))
    );

    // The admin API says the same, and marks the cut bodies.
    let stats = admin(&server, "GET", "/__mock/journal/stats", None);
    assert_eq!(stats.status, 200, "{}", stats.text);
    let stats = stats.json();
    assert_eq!(stats["max_bytes"], BUDGET, "{stats}");
    assert_eq!(stats["entries"], journal.len(), "{stats}");
    let accounted = stats["bytes"].as_u64().unwrap();
    assert!(accounted as usize <= BUDGET, "{stats}");
    assert!(accounted as usize >= held, "{stats}");
    let dropped = stats["dropped"].as_u64().unwrap() as usize;
    assert_eq!(dropped + journal.len(), 340, "{stats}");
    assert_eq!(stats["truncated"], 340, "{stats}");

    let entries = admin(&server, "GET", "/__mock/journal", None).json();
    let last = entries.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["body_truncated"], true, "{}", last["headers"]);
    assert_eq!(last["body_size"], MIB);
    let kept = last["body"].as_str().unwrap();
    assert_eq!(kept.len(), BODY_CAP);
    assert!(body.starts_with(kept.as_bytes()));

    // It keeps recording: a small request after all that is kept whole.
    assert_eq!(api(&server, "GET", "/v1/introspect", None).status, 200);
    let newest = server.journal().pop().unwrap();
    assert_eq!(newest.operation.as_deref(), Some("introspect"));
    assert_eq!(newest.body, "");
}
