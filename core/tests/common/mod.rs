//! Shared helpers of the core's integration tests.
#![allow(dead_code, missing_docs)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use pleo_installations::oauth::{OAuthCredentials, OAuthTokens};
use pleo_installations::{Client, ClientBuilder, Clock, Random, Secret, Sleep};
use pleo_installations_mock::MockServer;

/// A clock whose sleeps return at once, advance its time and are recorded.
pub struct FakeClock {
    start: Instant,
    offset: Mutex<Duration>,
    pub sleeps: Mutex<Vec<Duration>>,
}

impl FakeClock {
    pub fn new() -> Arc<FakeClock> {
        Arc::new(FakeClock {
            start: Instant::now(),
            offset: Mutex::new(Duration::ZERO),
            sleeps: Mutex::new(Vec::new()),
        })
    }

    /// The HTTP date `after` past this clock's wall time.
    pub fn wall_after(&self, after: Duration) -> String {
        httpdate::fmt_http_date(self.wall() + after)
    }

    /// Moves the time on, as a sleep would, without recording a sleep.
    pub fn advance(&self, duration: Duration) {
        *self.offset.lock().unwrap() += duration;
    }

    pub fn sleeps(&self) -> Vec<Duration> {
        self.sleeps.lock().unwrap().clone()
    }
}

impl Clock for FakeClock {
    fn now(&self) -> Instant {
        self.start + *self.offset.lock().unwrap()
    }

    fn wall(&self) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000) + *self.offset.lock().unwrap()
    }

    fn sleep(&self, duration: Duration) -> Sleep {
        *self.offset.lock().unwrap() += duration;
        self.sleeps.lock().unwrap().push(duration);
        Box::pin(std::future::ready(()))
    }
}

/// A "random" source that always answers the same number.
pub struct FixedRandom(pub f64);

impl Random for FixedRandom {
    fn unit(&self) -> f64 {
        self.0
    }
}

/// A builder aimed at `server` with its default API key.
pub fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .base_url(server.url())
        .api_key(server.api_key())
}

/// A client of `server` whose waits are instant and recorded by the returned clock;
/// the random factor is 1.0 (the full backoff).
pub fn fake_time_client(server: &MockServer, max_retries: u32) -> (Client, Arc<FakeClock>) {
    let clock = FakeClock::new();
    let client = builder(server)
        .max_retries(max_retries)
        .clock(clock.clone())
        .random(Arc::new(FixedRandom(0.999_999_999)))
        .build()
        .unwrap();
    (client, clock)
}

/// Rounds durations to milliseconds, for exact comparisons.
pub fn millis(durations: &[Duration]) -> Vec<u128> {
    durations
        .iter()
        .map(|d| (d.as_secs_f64() * 1000.0).round() as u128)
        .collect()
}

/// The number of requests for `operation` in the emulator's journal.
pub fn received(server: &MockServer, operation: &str) -> usize {
    server
        .journal()
        .iter()
        .filter(|r| r.operation.as_deref() == Some(operation))
        .count()
}

/// A bare HTTP/1.1 server on 127.0.0.1 that answers every connection with fixed bytes,
/// for responses the emulator cannot produce. Its thread lives as long as the test binary.
pub struct RawServer {
    pub addr: std::net::SocketAddr,
    pub connections: Arc<std::sync::atomic::AtomicUsize>,
}

impl RawServer {
    /// Answers each request with `response` (`None`: closes the connection at once).
    pub fn start(response: Option<Vec<u8>>) -> RawServer {
        use std::io::Write;
        RawServer::serve(move |mut stream| {
            let Some(response) = &response else { return };
            read_head(&mut stream);
            let _ = stream.write_all(response);
        })
    }

    /// Hands each connection to `answer`, one at a time, on the server's thread.
    pub fn serve(answer: impl Fn(std::net::TcpStream) + Send + 'static) -> RawServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = connections.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                answer(stream);
            }
        });
        RawServer { addr, connections }
    }

    pub fn url(&self, scheme: &str) -> String {
        format!("{scheme}://{}", self.addr)
    }

    pub fn connections(&self) -> usize {
        self.connections.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// What a proxy saw: the first bytes of each connection made to it.
pub type Seen = Arc<Mutex<Vec<String>>>;

/// A proxy that records the first bytes of each connection and answers nothing.
pub fn recording_proxy() -> (RawServer, Seen) {
    let seen = Seen::default();
    let log = seen.clone();
    let proxy = RawServer::serve(move |mut stream| {
        use std::io::Read;
        let mut buffer = [0u8; 4096];
        let n = stream.read(&mut buffer).unwrap_or(0);
        log.lock()
            .unwrap()
            .push(String::from_utf8_lossy(&buffer[..n]).into_owned());
    });
    (proxy, seen)
}

/// The proxy saw exactly one connection, a CONNECT tunnel to the API host that does not
/// carry `secret` (it travels inside TLS).
pub fn assert_one_tunnel(seen: &Seen, secret: &str) {
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(
        seen[0].starts_with("CONNECT api.pleo.invalid:443"),
        "{seen:?}"
    );
    assert!(!seen[0].contains(secret), "{seen:?}");
}

/// Reads a request's head (up to the blank line) from `stream`; the body is not read.
pub fn read_head(stream: &mut std::net::TcpStream) -> Vec<u8> {
    use std::io::Read;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
        head.push(byte[0]);
    }
    head
}

/// OAuth credentials of the emulator's client with fresh tokens it minted, expiry unknown
/// to the client, the token URL the default.
pub fn oauth_credentials(server: &MockServer) -> OAuthCredentials {
    let app = server.oauth_client();
    let (access, refresh) = server.issue_tokens(&app.client_id);
    OAuthCredentials {
        client_id: app.client_id.clone(),
        client_secret: Secret::new(app.client_secret.clone()),
        tokens: OAuthTokens {
            access_token: Secret::new(access),
            refresh_token: Secret::new(refresh),
            expires_at: None,
        },
        token_url: None,
    }
}
