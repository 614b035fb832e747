//! The events a client tells its log sink: their words, levels and order, and that no
//! secret is among them.

use crate::common;

use std::sync::{Arc, Mutex};

use common::{FakeClock, FixedRandom, builder, oauth_credentials};
use log::{Level, LevelFilter};
use pleo_installations::{Client, ClientBuilder, ErrorKind};
use pleo_installations_mock::{Fault, MockServer};

type Lines = Arc<Mutex<Vec<(Level, String)>>>;

/// `builder` with instant waits and a sink recording every event up to `max_level`.
fn logged(builder: ClientBuilder, max_level: LevelFilter) -> (Client, Lines) {
    let lines = Lines::default();
    let sink = Arc::clone(&lines);
    let client = builder
        .clock(FakeClock::new())
        .random(Arc::new(FixedRandom(0.5)))
        .log_sink(max_level, move |level, line| {
            sink.lock().unwrap().push((level, line.to_owned()));
        })
        .build()
        .unwrap();
    (client, lines)
}

/// The lines recorded, with the volatile fields (`elapsed_ms`, `request_id`) masked.
fn taken(lines: &Lines) -> Vec<(Level, String)> {
    let masked = |line: &str| {
        line.split(' ')
            .map(|field| match field.split_once('=') {
                Some((key @ ("elapsed_ms" | "request_id"), _)) => format!("{key}=_"),
                _ => field.to_owned(),
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let lines = std::mem::take(&mut *lines.lock().unwrap());
    lines.into_iter().map(|(l, s)| (l, masked(&s))).collect()
}

#[test]
fn attempts_retries_and_the_give_up_are_told_in_order() {
    let server = MockServer::start().unwrap();
    server.seed_installation(&server.api_key(), None, "AUTHORIZED");
    let (client, lines) = logged(builder(&server).max_retries(1), LevelFilter::Debug);
    server.push_fault(Fault::status(503).times(2));

    let error = client.get_installation(None).unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Server);
    let path = "path=/v1/installations/me";
    assert_eq!(
        taken(&lines),
        [
            (
                Level::Debug,
                format!("attempt n=1 operation=getClientInstallation method=GET {path} status=503 kind=server elapsed_ms=_ request_id=_")
            ),
            (
                Level::Info,
                "retry n=1 operation=getClientInstallation kind=server status=503 delay_ms=375".to_owned()
            ),
            (
                Level::Debug,
                format!("attempt n=2 operation=getClientInstallation method=GET {path} status=503 kind=server elapsed_ms=_ request_id=_")
            ),
            (
                Level::Warn,
                "give_up operation=getClientInstallation attempts=2 kind=server status=503 reason=max_retries".to_owned()
            ),
        ]
    );
}

#[test]
fn the_level_bounds_what_reaches_the_sink() {
    let server = MockServer::start().unwrap();
    server.seed_installation(&server.api_key(), None, "AUTHORIZED");
    let (client, lines) = logged(builder(&server).max_retries(1), LevelFilter::Info);
    server.push_fault(Fault::status(503).with_retry_after("40000"));

    client.get_installation(None).unwrap_err();

    assert_eq!(
        taken(&lines),
        [(
            Level::Warn,
            "give_up operation=getClientInstallation attempts=1 kind=server status=503 reason=retry_after".to_owned()
        )]
    );
    let (client, lines) = logged(builder(&server), LevelFilter::Off);
    client.get_installation(None).unwrap();
    assert!(taken(&lines).is_empty());
}

#[test]
fn a_refresh_is_told_and_no_secret_is_ever_written() {
    let server = MockServer::start().unwrap();
    let credentials = oauth_credentials(&server);
    let secrets = [
        credentials.client_secret.expose().to_owned(),
        credentials.tokens.access_token.expose().to_owned(),
        credentials.tokens.refresh_token.expose().to_owned(),
    ];
    let base = Client::builder().base_url(server.url()).oauth(credentials);
    let (client, lines) = logged(base, LevelFilter::Debug);
    server.expire_access_tokens();
    server.push_fault(Fault::status(503).for_operation("oauthToken"));

    client.introspect().unwrap();

    let lines = taken(&lines);
    let events: Vec<&str> = lines.iter().map(|(_, l)| l.as_str()).collect();
    assert_eq!(
        events,
        [
            "attempt n=1 operation=introspect method=GET path=/v1/introspect status=401 kind=authentication elapsed_ms=_ request_id=_",
            "retry n=1 operation=introspect kind=authentication status=401 delay_ms=0",
            "retry n=1 operation=token kind=server status=503 delay_ms=375",
            "refresh outcome=ok attempts=2",
            "attempt n=2 operation=introspect method=GET path=/v1/introspect status=200 elapsed_ms=_ request_id=_",
        ]
    );
    let all = events.join("\n");
    for secret in &secrets {
        assert!(!all.contains(secret.as_str()), "a secret in: {all}");
    }
}

#[test]
fn a_failed_refresh_is_a_warning_with_its_kind() {
    let server = MockServer::start().unwrap();
    let base = Client::builder()
        .base_url(server.url())
        .oauth(oauth_credentials(&server));
    let (client, lines) = logged(base.max_retries(0), LevelFilter::Warn);
    server.expire_access_tokens();
    server.push_fault(Fault::status(400).for_operation("oauthToken"));

    let error = client.introspect().unwrap_err();

    assert_eq!(error.kind(), ErrorKind::ReauthenticationRequired);
    assert_eq!(
        taken(&lines),
        [(
            Level::Warn,
            "refresh outcome=failed attempts=1 kind=reauthentication_required status=400"
                .to_owned()
        )]
    );
}
