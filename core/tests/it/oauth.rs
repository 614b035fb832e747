//! OAuth sessions against the emulator's token endpoint: single flight, rotation,
//! persistence, rejection and proactive refresh.

use crate::common;

use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use common::{FakeClock, oauth_credentials as credentials};
use pleo_installations::oauth::{self, OAuthCredentials, OAuthTokens};
use pleo_installations::{Client, ClientBuilder, ErrorKind, Secret};
use pleo_installations_mock::{Fault, MockServer};

/// Calls `introspect` from `threads` threads at once; the errors of those that failed.
fn introspect_from_threads(client: &Client, threads: usize) -> Vec<pleo_installations::Error> {
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let client = client.clone();
            thread::spawn(move || client.introspect())
        })
        .collect();
    handles
        .into_iter()
        .filter_map(|handle| handle.join().unwrap().err())
        .collect()
}

fn builder(server: &MockServer, credentials: OAuthCredentials) -> ClientBuilder {
    Client::builder().base_url(server.url()).oauth(credentials)
}

#[test]
fn fifty_threads_on_an_expired_token_make_exactly_one_refresh() {
    let server = MockServer::start().unwrap();
    let persisted = Arc::new(Mutex::new(Vec::<OAuthTokens>::new()));
    let sink = persisted.clone();
    let client = builder(&server, credentials(&server))
        .on_tokens_refreshed(move |tokens| {
            sink.lock().unwrap().push(tokens.clone());
            Ok(())
        })
        .build()
        .unwrap();
    client.introspect().unwrap();
    server.expire_access_tokens();
    // A slow token endpoint, so that every thread arrives while the refresh is in flight.
    server.push_fault(Fault::delay(Duration::from_millis(300)).for_operation("oauthToken"));

    let failures = introspect_from_threads(&client, 50);
    assert!(failures.is_empty(), "{failures:?}");
    assert_eq!(server.refresh_count(), 1);
    let persisted = persisted.lock().unwrap();
    assert_eq!(persisted.len(), 1);
    // Every call after the refresh used the persisted token.
    let bearer = format!("Bearer {}", persisted[0].access_token.expose());
    let last = server
        .journal()
        .last()
        .unwrap()
        .header("authorization")
        .unwrap()
        .to_owned();
    assert_eq!(last, bearer);
}

#[test]
fn threads_arriving_while_the_hook_persists_do_not_refresh_again() {
    let server = MockServer::start().unwrap();
    let (entered, hook_entered) = std::sync::mpsc::channel();
    let entered = Mutex::new(entered);
    let client = builder(&server, credentials(&server))
        .on_tokens_refreshed(move |_| {
            entered.lock().unwrap().send(()).unwrap();
            thread::sleep(Duration::from_millis(200));
            Ok(())
        })
        .build()
        .unwrap();
    client.introspect().unwrap();
    server.expire_access_tokens();
    let first = {
        let client = client.clone();
        thread::spawn(move || client.introspect())
    };
    // The others arrive while the first thread's fresh tokens are not yet persisted.
    hook_entered.recv_timeout(Duration::from_secs(10)).unwrap();
    let failures = introspect_from_threads(&client, 8);
    first.join().unwrap().unwrap();
    assert!(failures.is_empty(), "{failures:?}");
    assert_eq!(server.refresh_count(), 1);
}

#[test]
fn a_token_past_its_expiry_is_refreshed_before_the_call() {
    let server = MockServer::start().unwrap();
    let mut credentials = credentials(&server);
    credentials.tokens.expires_at = Some(std::time::SystemTime::now() - Duration::from_secs(1));
    let client = builder(&server, credentials).build().unwrap();
    server.push_fault(Fault::delay(Duration::from_millis(300)).for_operation("oauthToken"));
    let failures = introspect_from_threads(&client, 20);
    assert!(failures.is_empty(), "{failures:?}");
    assert_eq!(server.refresh_count(), 1);
    assert_eq!(server.token_requests(), 1);
    // No request went out with the expired token: no 401 and replay, one call each.
    assert_eq!(common::received(&server, "introspect"), 20);
}

#[test]
fn proactive_refresh_starts_when_less_than_five_minutes_remain() {
    let server = MockServer::start().unwrap();
    let client_info = server.oauth_client();
    let (access, refresh) = server.issue_tokens(&client_info.client_id);
    let clock = FakeClock::new();
    let config = serde_json::json!({
        "base_url": server.url(),
        "oauth": {
            "client_id": client_info.client_id,
            "client_secret": client_info.client_secret,
            "access_token": access,
            "refresh_token": refresh,
            "expires_in": 3600,
        }
    });
    let client = ClientBuilder::from_json(&config.to_string())
        .unwrap()
        .clock(clock.clone())
        .build()
        .unwrap();
    clock.advance(Duration::from_secs(3299)); // 301 s left: not yet
    client.introspect().unwrap();
    assert_eq!(server.refresh_count(), 0);
    clock.advance(Duration::from_secs(2)); // 299 s left
    client.introspect().unwrap();
    assert_eq!(server.refresh_count(), 1);
    client.introspect().unwrap();
    assert_eq!(
        server.refresh_count(),
        1,
        "the new token has a full lifetime"
    );
}

#[test]
fn a_failing_persistence_hook_fails_the_call_and_runs_again_next_time() {
    let server = MockServer::start().unwrap();
    let calls = Arc::new(Mutex::new(0));
    let counter = calls.clone();
    let client = builder(&server, credentials(&server))
        .on_tokens_refreshed(move |_| {
            let mut calls = counter.lock().unwrap();
            *calls += 1;
            if *calls == 1 {
                Err("database is down".into())
            } else {
                Ok(())
            }
        })
        .build()
        .unwrap();
    server.expire_access_tokens();
    let err = client.introspect().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Internal);
    // The hook's own text could hold a token: it is the source, never the message.
    assert!(!err.message().contains("database is down"), "{err}");
    assert!(
        err.message().contains("tokens-refreshed hook failed"),
        "{err}"
    );
    let source = std::error::Error::source(&err).expect("the hook's error is the source");
    assert_eq!(source.to_string(), "database is down");
    assert_eq!(server.refresh_count(), 1);

    client.introspect().unwrap();
    assert_eq!(
        *calls.lock().unwrap(),
        2,
        "the same tokens were handed over again"
    );
    assert_eq!(server.refresh_count(), 1, "no second refresh");
}

#[test]
fn a_reused_refresh_token_requires_reauthentication_and_fails_fast_after() {
    let server = MockServer::start().unwrap();
    let ours = credentials(&server);
    // Another process refreshes with the same refresh token first: ours is now stale.
    let other = builder(&server, ours.clone()).build().unwrap();
    server.expire_access_tokens();
    other.introspect().unwrap();
    assert_eq!(server.refresh_count(), 1);

    let client = builder(&server, ours).build().unwrap();
    let err = client.introspect().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ReauthenticationRequired, "{err}");
    assert!(!err.retryable());
    let requests = server.token_requests();
    let again = client.get_installation(None).unwrap_err();
    assert_eq!(again.kind(), ErrorKind::ReauthenticationRequired);
    assert_eq!(
        server.token_requests(),
        requests,
        "failed fast, nothing sent"
    );
}

#[test]
fn tokens_never_show_in_debug_or_errors() {
    let server = MockServer::start().unwrap();
    let credentials = credentials(&server);
    let secrets = [
        credentials.tokens.access_token.expose().to_owned(),
        credentials.tokens.refresh_token.expose().to_owned(),
        credentials.client_secret.expose().to_owned(),
    ];
    let builder = builder(&server, credentials.clone());
    let client = builder.clone().build().unwrap();
    server.expire_access_tokens();
    server.push_fault(Fault::status(400).for_operation("oauthToken"));
    let err = client.introspect().unwrap_err();
    let shown = format!(
        "{credentials:?} {builder:?} {client:?} {err} {err:?} {}",
        err.to_json()
    );
    for secret in &secrets {
        assert!(!shown.contains(secret.as_str()), "leaked in {shown}");
    }
}

#[test]
fn the_oauth_configuration_is_checked() {
    let cases = [
        (r#"{"oauth": {"client_id": "c"}}"#, "client_secret"),
        (
            r#"{"oauth": {"client_id": "c", "client_secret": "s", "access_token": "a", "refresh_token": "r", "scope": "x"}}"#,
            "scope",
        ),
        (
            r#"{"oauth": {"client_id": "c", "client_secret": "s", "access_token": "a", "refresh_token": "r", "expires_at": "soon"}}"#,
            "expires_at",
        ),
        (
            r#"{"api_key": "k", "oauth": {"client_id": "c", "client_secret": "s", "access_token": "a", "refresh_token": "r"}}"#,
            "more than one",
        ),
    ];
    for (json, named) in cases {
        let err = ClientBuilder::from_json(json)
            .and_then(ClientBuilder::build)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{json}");
        assert!(err.message().contains(named), "{json}: {err}");
    }
}

#[test]
fn the_code_flow_with_pkce_ends_in_a_working_session() {
    let app =
        pleo_installations_mock::MockOAuthClient::default_client().with_needs_activation(true);
    let config = pleo_installations_mock::MockConfig {
        oauth_clients: vec![app.clone()],
        ..Default::default()
    };
    let server = MockServer::start_with(config).unwrap();
    let endpoints = oauth::OAuthEndpoints::at(&server.url());
    let redirect_uri = app.redirect_uris[0].clone();
    let started = oauth::authorization_url(
        &endpoints,
        &app.client_id,
        &redirect_uri,
        &["export:read"],
        None,
    )
    .unwrap();
    let consent = server.consent(&started.url).unwrap();
    assert_eq!(consent.state.as_deref(), Some(started.state.as_str()));
    let code = consent.code;

    let secret = Secret::new(app.client_secret.clone());
    let tokens = oauth::exchange_code(
        &endpoints,
        &app.client_id,
        &secret,
        &code,
        &started.code_verifier,
        &redirect_uri,
    )
    .unwrap();
    assert!(tokens.expires_at.is_some());

    let client = builder(
        &server,
        OAuthCredentials {
            client_id: app.client_id.clone(),
            client_secret: secret.clone(),
            tokens,
            token_url: None,
        },
    )
    .build()
    .unwrap();
    let installation = client.get_installation(None).unwrap();
    assert_eq!(
        installation.status,
        pleo_installations::InstallationStatus::Authorized
    );
    let activated = client.activate_installation().unwrap();
    assert_eq!(
        activated.status,
        pleo_installations::InstallationStatus::Activated
    );
    assert_eq!(
        client.introspect().unwrap().data.auth_method,
        pleo_installations::AuthMethod::OAuth2
    );

    // The code is single use: a second exchange is refused, and (RFC 6749 §4.1.2) it
    // revokes the tokens the code gave, so the session must start over.
    let again = oauth::exchange_code(
        &endpoints,
        &app.client_id,
        &secret,
        &code,
        &started.code_verifier,
        &redirect_uri,
    )
    .unwrap_err();
    assert_eq!(again.kind(), ErrorKind::ReauthenticationRequired);

    let revoked = client.get_installation(None).unwrap_err();
    assert_eq!(
        revoked.kind(),
        ErrorKind::ReauthenticationRequired,
        "{revoked}"
    );
}

#[test]
fn a_wrong_verifier_is_refused() {
    let server = MockServer::start().unwrap();
    let app = server.oauth_client();
    let endpoints = oauth::OAuthEndpoints::at(&server.url());
    let started =
        oauth::authorization_url(&endpoints, &app.client_id, &app.redirect_uris[0], &[], None)
            .unwrap();
    let code = server.consent(&started.url).unwrap().code;
    let wrong = oauth::new_code_verifier().unwrap();
    let err = oauth::exchange_code(
        &endpoints,
        &app.client_id,
        &Secret::new(app.client_secret.clone()),
        &code,
        &wrong,
        &app.redirect_uris[0],
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ReauthenticationRequired);
    assert!(err.message().contains("invalid_grant"), "{err}");
}

#[test]
fn a_401_is_answered_by_one_refresh_and_one_replay_only() {
    let server = MockServer::start().unwrap();
    let client = builder(&server, credentials(&server)).build().unwrap();
    server.push_fault(Fault::status(401).for_operation("introspect").times(2));
    let err = client.introspect().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    assert_eq!(err.attempts(), 2);
    assert_eq!(server.refresh_count(), 1);
    assert_eq!(common::received(&server, "introspect"), 2);
}

#[test]
fn transient_token_endpoint_failures_are_retried_with_backoff() {
    let server = MockServer::start().unwrap();
    let clock = FakeClock::new();
    let client = builder(&server, credentials(&server))
        .clock(clock.clone())
        .random(Arc::new(common::FixedRandom(0.0)))
        .build()
        .unwrap();
    server.expire_access_tokens();
    server.push_fault(Fault::status(503).for_operation("oauthToken").times(2));
    client.introspect().unwrap();
    assert_eq!(server.token_requests(), 3);
    assert_eq!(server.refresh_count(), 1);
    assert_eq!(common::millis(&clock.sleeps()), [250, 500]);
}

#[test]
fn a_lost_refresh_answer_is_not_retried() {
    let server = MockServer::start().unwrap();
    let client = builder(&server, credentials(&server)).build().unwrap();
    server.expire_access_tokens();
    server.push_fault(Fault::drop_connection().for_operation("oauthToken"));
    let err = client.introspect().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connection, "{err}");
    assert_eq!(server.token_requests(), 1);
}

#[test]
fn odd_token_responses_neither_panic_nor_reuse_a_rotated_grant() {
    let server = MockServer::start().unwrap();
    let app = server.oauth_client();
    let client = builder(&server, credentials(&server)).build().unwrap();
    // A lifetime far beyond any date: capped, no overflow.
    let (access, refresh) = server.issue_tokens(&app.client_id);
    let huge = serde_json::json!({
        "access_token": access, "refresh_token": refresh, "expires_in": u64::MAX,
        "token_type": "Bearer",
    });
    server.push_fault(
        Fault::status(200)
            .with_body(huge.to_string())
            .for_operation("oauthToken"),
    );
    client.refresh_tokens().unwrap();
    client.introspect().unwrap();

    // An answer without a refresh token: the grant is spent, so start over.
    server.push_fault(
        Fault::status(200)
            .with_body(r#"{"access_token": "at-x", "expires_in": 60}"#)
            .for_operation("oauthToken"),
    );
    let err = client.refresh_tokens().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ReauthenticationRequired, "{err}");
    let requests = server.token_requests();
    assert_eq!(
        client.introspect().unwrap_err().kind(),
        ErrorKind::ReauthenticationRequired
    );
    assert_eq!(server.token_requests(), requests);
}

#[test]
fn an_empty_token_store_is_seeded_with_the_configured_tokens() {
    use pleo_installations::oauth::{FileTokenStore, TokenStore};
    let server = MockServer::start().unwrap();
    let dir = std::env::temp_dir().join(format!("pleo-seed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = FileTokenStore::new(dir.join("tokens.json"));
    let credentials = credentials(&server);
    builder(&server, credentials.clone())
        .token_store(Arc::new(store.clone()))
        .build()
        .unwrap();
    assert_eq!(store.load().unwrap(), Some(credentials.tokens.clone()));

    // A store whose lock another holder keeps: building gives up at the deadline.
    let held = store.lock(Duration::from_secs(1)).unwrap();
    let err = builder(&server, credentials)
        .token_store(Arc::new(store.clone()))
        .total_timeout(Duration::from_millis(100))
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    drop(held);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_hanging_refresh_does_not_hang_other_calls_past_their_deadline() {
    let server = MockServer::start().unwrap();
    let client = builder(&server, credentials(&server))
        .total_timeout(Duration::from_millis(400))
        .on_tokens_refreshed(|_| {
            thread::sleep(Duration::from_millis(1500));
            Ok(())
        })
        .build()
        .unwrap();
    server.expire_access_tokens();
    let first = {
        let client = client.clone();
        thread::spawn(move || client.introspect())
    };
    thread::sleep(Duration::from_millis(100));
    let started = std::time::Instant::now();
    let err = client.introspect().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(
        started.elapsed() < Duration::from_millis(1200),
        "{:?}",
        started.elapsed()
    );
    // The hook outlived the first call's deadline too: it ends as a timeout, not late.
    let first = first.join().unwrap().unwrap_err();
    assert_eq!(first.kind(), ErrorKind::Timeout, "{first}");
    client.introspect().unwrap();
}

#[test]
fn the_code_flow_and_a_refresh_through_the_json_doors() {
    let server = MockServer::start().unwrap();
    let app = server.oauth_client();
    let call = |function: &str, request: serde_json::Value| -> serde_json::Value {
        serde_json::from_str(&oauth::call_json(function, &request.to_string()).unwrap()).unwrap()
    };
    let started = call(
        "authorizationUrl",
        serde_json::json!({"client_id": app.client_id, "redirect_uri": app.redirect_uris[0],
                           "scopes": ["export:read"], "base_url": server.url()}),
    );
    let consent = server.consent(started["url"].as_str().unwrap()).unwrap();
    assert_eq!(consent.state.as_deref(), started["state"].as_str());
    let tokens = call(
        "exchangeCode",
        serde_json::json!({"client_id": app.client_id, "client_secret": app.client_secret,
                           "code": consent.code, "code_verifier": started["code_verifier"],
                           "redirect_uri": app.redirect_uris[0], "base_url": server.url()}),
    );
    let parsed = OAuthTokens::from_json(&tokens).unwrap();
    assert!(parsed.expires_at.is_some());
    assert_eq!(parsed.to_json(), tokens, "the tokens JSON round-trips");

    let mut config = serde_json::json!({"base_url": server.url(), "oauth": tokens});
    config["oauth"]["client_id"] = app.client_id.clone().into();
    config["oauth"]["client_secret"] = app.client_secret.clone().into();
    let client = ClientBuilder::from_json(&config.to_string())
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(client.call_json("refreshTokens", "{}").unwrap(), "null");
    assert_eq!(server.refresh_count(), 1);
    client.call_json("introspect", "").unwrap();

    let bad = oauth::call_json("exchangeCode", r#"{"client_id": "c"}"#).unwrap_err();
    assert_eq!(bad.kind(), ErrorKind::InvalidArgument);
    assert!(bad.message().contains("client_secret"), "{bad}");
    let no_oauth = common::builder(&server).build().unwrap();
    let refused = no_oauth.call_json("refreshTokens", "{}").unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::InvalidArgument);
}

/// A store whose writes fail with a message quoting the refresh token, as a careless
/// database lookup might.
struct LeakyStore;

impl oauth::TokenStore for LeakyStore {
    fn load(&self) -> Result<Option<OAuthTokens>, oauth::StoreError> {
        Ok(None)
    }

    fn lock(&self, _wait: Duration) -> Result<Box<dyn Send + '_>, oauth::StoreError> {
        Ok(Box::new(()))
    }

    fn compare_and_swap(
        &self,
        expected: &Secret,
        _tokens: &OAuthTokens,
    ) -> Result<bool, oauth::StoreError> {
        Err(format!("no row for refresh token {}", expected.expose()).into())
    }
}

#[test]
fn a_store_error_quoting_a_token_stays_out_of_the_message() {
    let server = MockServer::start().unwrap();
    let start = credentials(&server);
    let refresh = start.tokens.refresh_token.expose().to_owned();
    let err = builder(&server, start)
        .token_store(Arc::new(LeakyStore))
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Internal);
    assert!(!err.message().contains(&refresh), "{err}");
    assert!(!err.to_json().to_string().contains(&refresh));
    let source = std::error::Error::source(&err).expect("the store's error is the source");
    assert!(source.to_string().contains(&refresh));

    // A binding's own description of a failed callback is quoted.
    let described = oauth::CallbackFailure("the lock callback returned 5".to_owned());
    let hooked = builder(&server, credentials(&server))
        .on_tokens_refreshed(move |_| Err(described.clone().into()))
        .build()
        .unwrap();
    server.expire_access_tokens();
    let err = hooked.introspect().unwrap_err();
    assert!(
        err.message().contains("the lock callback returned 5"),
        "{err}"
    );
}

#[test]
fn a_store_write_that_landed_but_reported_failure_is_recognised_next_call() {
    use pleo_installations::oauth::{CallbackTimeout, FileTokenStore, StoreError, TokenStore};
    use std::sync::atomic::{AtomicBool, Ordering};

    /// Writes, then says it timed out, once (a store answering after the deadline).
    struct LateStore {
        inner: FileTokenStore,
        late: AtomicBool,
    }
    impl TokenStore for LateStore {
        fn load(&self) -> Result<Option<OAuthTokens>, StoreError> {
            self.inner.load()
        }
        fn lock(&self, wait: Duration) -> Result<Box<dyn Send + '_>, StoreError> {
            self.inner.lock(wait)
        }
        fn compare_and_swap(
            &self,
            expected: &Secret,
            tokens: &OAuthTokens,
        ) -> Result<bool, StoreError> {
            let swapped = self.inner.compare_and_swap(expected, tokens)?;
            if self.late.swap(false, Ordering::SeqCst) {
                return Err(Box::new(CallbackTimeout(Duration::from_millis(1))));
            }
            Ok(swapped)
        }
    }

    let server = MockServer::start().unwrap();
    let dir = std::env::temp_dir().join(format!("pleo-late-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Arc::new(LateStore {
        inner: FileTokenStore::new(dir.join("tokens.json")),
        late: AtomicBool::new(false),
    });
    let client = builder(&server, credentials(&server))
        .token_store(store.clone())
        .build()
        .unwrap();
    store.late.store(true, Ordering::SeqCst);
    let err = client.refresh_tokens().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    client.introspect().unwrap();
    client.refresh_tokens().unwrap();
    assert_eq!(server.token_requests(), 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_slow_hook_counts_against_the_call_deadline() {
    let server = MockServer::start().unwrap();
    // Known to be expired: the call refreshes (and runs the hook) before its first attempt.
    let mut expired = credentials(&server);
    expired.tokens.expires_at = Some(std::time::SystemTime::now() - Duration::from_secs(1));
    let client = builder(&server, expired)
        .total_timeout(Duration::from_millis(1500))
        .max_retries(0)
        .on_tokens_refreshed(|_| {
            thread::sleep(Duration::from_millis(1000));
            Ok(())
        })
        .build()
        .unwrap();
    server.push_fault(Fault::delay(Duration::from_secs(3)).for_operation("introspect"));
    let started = std::time::Instant::now();
    let err = client.introspect().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    let took = started.elapsed();
    assert!(
        took < Duration::from_millis(2200),
        "{took:?} for a 1500 ms deadline"
    );
}
