//! The async client (its calls are futures, on any executor, many at once, cancelled by
//! dropping them), calls started for a binding's event loop, and `cancel_all`.

use crate::common;

use std::io::Read;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use pleo_installations::{
    AsyncClient, CreateInstallation, ErrorKind, InstallationStatus, UpdateInstallation,
};
use pleo_installations_mock::{Fault, MockServer};

use common::RawServer;

/// An executor that is not the SDK's: a single-threaded Tokio runtime of the test's own.
fn executor() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn async_client(server: &MockServer) -> AsyncClient {
    common::builder(server).build_async().unwrap()
}

/// A server that reads each request and never answers; it reports on the channel when the
/// client closes the connection.
fn silent_server() -> (RawServer, mpsc::Receiver<()>) {
    let (closed, closes) = mpsc::channel();
    let server = RawServer::serve(move |mut stream| {
        let closed = closed.clone();
        std::thread::spawn(move || {
            common::read_head(&mut stream);
            let mut rest = [0u8; 64];
            while stream.read(&mut rest).is_ok_and(|n| n > 0) {}
            let _ = closed.send(());
        });
    });
    (server, closes)
}

#[test]
fn the_lifecycle_runs_through_the_async_client() {
    let server = MockServer::start().unwrap();
    let client = async_client(&server);
    executor().block_on(async {
        let created = client
            .create_installation(&CreateInstallation {
                status: Some(InstallationStatus::Authorized),
                ..CreateInstallation::default()
            })
            .await
            .unwrap();
        assert_eq!(created.status, InstallationStatus::Authorized);
        let activated = client.activate_installation().await.unwrap();
        assert_eq!(activated.status, InstallationStatus::Activated);
        let update = UpdateInstallation::new(InstallationStatus::PendingIntegration);
        client.update_installation(&update).await.unwrap();
        let read = client.get_installation(None).await.unwrap();
        assert_eq!(read.status, InstallationStatus::PendingIntegration);
        let json = client
            .call_json("getClientInstallation", "{}")
            .await
            .unwrap();
        assert!(json.contains("PENDING_INTEGRATION"), "{json}");
        client.delete_installation().await.unwrap();
        let err = client.get_installation(None).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
    });
}

#[test]
fn two_hundred_calls_run_at_once() {
    let server = MockServer::start().unwrap();
    server.seed_installation(&server.api_key(), None, "ACTIVATED");
    server.push_fault(Fault::delay(Duration::from_millis(500)).times(200));
    let client = async_client(&server);
    let started = Instant::now();
    let results = executor().block_on(async {
        let calls = (0..200).map(|_| client.get_installation(None));
        futures_util::future::join_all(calls).await
    });
    assert!(results.iter().all(Result::is_ok));
    // One after another they would take 100 s; at once, about the one delay.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn dropping_a_call_abandons_its_request() {
    let (server, closes) = silent_server();
    let client = pleo_installations::Client::builder()
        .base_url(server.url("http"))
        .api_key("k")
        .build_async()
        .unwrap();
    let outcome = executor().block_on(async {
        tokio::time::timeout(Duration::from_millis(200), client.introspect()).await
    });
    assert!(outcome.is_err(), "the call ended on its own: {outcome:?}");
    closes
        .recv_timeout(Duration::from_secs(10))
        .expect("the dropped call's connection stayed open");
}

#[test]
fn cancel_all_ends_blocking_calls_in_flight_from_another_thread() {
    let (server, closes) = silent_server();
    let client = pleo_installations::Client::builder()
        .base_url(server.url("http"))
        .api_key("k")
        .build()
        .unwrap();
    let canceller = client.clone();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        canceller.cancel_all();
    });
    let err = client.introspect().unwrap_err();
    stopper.join().unwrap();
    assert_eq!(err.kind(), ErrorKind::Cancelled, "{err}");
    assert!(!err.retryable());
    assert!(err.to_json()["kind"] == "cancelled", "{}", err.to_json());
    closes
        .recv_timeout(Duration::from_secs(10))
        .expect("the cancelled call's connection stayed open");
}

#[test]
fn calls_after_cancel_all_run_as_usual() {
    let server = MockServer::start().unwrap();
    let client = common::builder(&server).build().unwrap();
    client.cancel_all();
    let err = client.get_installation(None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
}

#[test]
fn a_started_call_reports_once_and_its_handle_cancels_it() {
    let server = MockServer::start().unwrap();
    let client = async_client(&server);
    let (done, results) = mpsc::channel();
    let answered = done.clone();
    client.start_json("getClientInstallation", "{}", move |result| {
        answered.send(result).unwrap();
    });
    let err = results
        .recv_timeout(Duration::from_secs(10))
        .unwrap()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");

    let (silent, closes) = silent_server();
    let client = pleo_installations::Client::builder()
        .base_url(silent.url("http"))
        .api_key("k")
        .build_async()
        .unwrap();
    let handle = client.start_json("introspect", "{}", move |result| {
        done.send(result).unwrap();
    });
    std::thread::sleep(Duration::from_millis(200));
    handle.cancel();
    let err = results
        .recv_timeout(Duration::from_secs(10))
        .unwrap()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Cancelled, "{err}");
    closes
        .recv_timeout(Duration::from_secs(10))
        .expect("the cancelled call's connection stayed open");
    assert!(results.recv_timeout(Duration::from_millis(200)).is_err());
}

#[test]
fn bad_requests_fail_before_anything_is_sent() {
    let server = MockServer::start().unwrap();
    let client = async_client(&server);
    let err = executor()
        .block_on(client.call_json("nope", "{}"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
    assert!(server.journal().is_empty());
}

#[test]
fn a_hundred_calls_finding_the_token_due_share_one_refresh_and_one_thread() {
    let server = MockServer::start().unwrap();
    let mut credentials = common::oauth_credentials(&server);
    credentials.tokens.expires_at = Some(std::time::SystemTime::now());
    let client = pleo_installations::Client::builder()
        .base_url(server.url())
        .oauth(credentials)
        .total_timeout(Duration::from_secs(20))
        .build_async()
        .unwrap();
    server.push_fault(Fault::delay(Duration::from_millis(300)).for_operation("oauthToken"));
    // More calls than the runtime has threads for blocking work (32): were each to take
    // one to wait for the refresh, the refresh itself would find none left.
    let results = executor().block_on(async {
        let calls = (0..100).map(|_| client.introspect());
        futures_util::future::join_all(calls).await
    });
    let failed: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(
        failed.is_empty(),
        "{} failed, e.g. {}",
        failed.len(),
        failed[0]
    );
    assert_eq!(server.refresh_count(), 1);
}

#[test]
fn a_call_cancelled_during_a_hung_token_refresh_ends_at_once_and_the_refresh_finishes() {
    let server = MockServer::start().unwrap();
    let mut credentials = common::oauth_credentials(&server);
    credentials.tokens.expires_at = Some(std::time::SystemTime::now());
    let client = pleo_installations::Client::builder()
        .base_url(server.url())
        .oauth(credentials)
        .total_timeout(Duration::from_secs(20))
        .build_async()
        .unwrap();
    server.push_fault(Fault::delay(Duration::from_millis(2500)).for_operation("oauthToken"));
    let (done, result) = mpsc::channel();
    let handle = client.start_json("introspect", "{}", move |outcome| {
        let _ = done.send(outcome);
    });
    // The call is inside the refresh, waiting for the token endpoint.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(server.token_requests(), 1);
    let cancelled_at = Instant::now();
    handle.cancel();
    let outcome = result
        .recv_timeout(Duration::from_secs(10))
        .expect("the call never reported");
    assert!(
        cancelled_at.elapsed() < Duration::from_secs(1),
        "the cancel waited {:?} for the refresh",
        cancelled_at.elapsed()
    );
    assert_eq!(outcome.unwrap_err().kind(), ErrorKind::Cancelled);
    // The refresh goes on to its end and keeps the rotated tokens: the next call uses them.
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.refresh_count() == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(server.refresh_count(), 1);
    executor().block_on(client.introspect()).unwrap();
    assert_eq!(server.token_requests(), 1, "no second refresh");
}
