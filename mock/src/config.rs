//! How an emulator is started.

use std::net::{IpAddr, Ipv4Addr};

use std::time::Duration;

use crate::credentials::MockCredential;
use crate::oauth::{DEFAULT_ACCESS_TOKEN_LIFETIME, MockOAuthClient};

/// The default cap on request bodies: 1 MiB. Larger bodies are answered with 413.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// The default number of requests the journal keeps (the oldest are dropped first).
pub const DEFAULT_JOURNAL_LIMIT: usize = 10_000;

/// The default byte budget of the journal: 16 MiB of bodies, headers and paths (the
/// oldest requests are dropped first).
pub const DEFAULT_JOURNAL_MAX_BYTES: usize = 16 * 1024 * 1024;

/// The default number of bytes of each request body the journal keeps: 64 KiB (a longer
/// body is kept cut, with `body_truncated: true` and its `body_size`).
pub const DEFAULT_JOURNAL_BODY_BYTES: usize = 64 * 1024;

/// The default for [`MockConfig::read_timeout`]: 10 s.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The default for [`MockConfig::max_connections`]: 256.
pub const DEFAULT_MAX_CONNECTIONS: usize = 256;

/// The configuration of a [`MockServer`](crate::MockServer).
///
/// Build it from [`MockConfig::default`] and change what you need:
///
/// ```
/// use pleo_installations_mock::{MockConfig, MockCredential};
/// let config = MockConfig {
///     port: 0,
///     credentials: vec![MockCredential::api_key("my-test-key")],
///     ..MockConfig::default()
/// };
/// # drop(config);
/// ```
#[derive(Clone, Debug)]
pub struct MockConfig {
    /// The address to listen on; `127.0.0.1` by default (loopback only).
    pub host: IpAddr,
    /// The port; `0` (the default) picks a free ephemeral port.
    pub port: u16,
    /// The credentials accepted; by default [`MockCredential::default_api_key`] and
    /// [`MockCredential::default_access_token`].
    pub credentials: Vec<MockCredential>,
    /// How many API requests the journal keeps; the oldest are dropped first; `0` keeps none.
    pub journal_limit: usize,
    /// How many bytes the journal keeps ([`DEFAULT_JOURNAL_MAX_BYTES`], 16 MiB, by
    /// default): the oldest requests are dropped first so that the lengths of their
    /// methods, paths, headers, bodies and request ids, plus 256 bytes per request and 48
    /// per header for bookkeeping, stay within it; `0` keeps none. The newest request is
    /// always kept, its body cut to fit if need be.
    pub journal_max_bytes: usize,
    /// How many bytes of each request body the journal keeps
    /// ([`DEFAULT_JOURNAL_BODY_BYTES`], 64 KiB, by default); a longer body is kept cut (at a
    /// character boundary), with `body_truncated: true` and `body_size` its whole size.
    pub journal_body_bytes: usize,
    /// The largest request body accepted, in bytes; larger ones get 413.
    pub max_body_bytes: usize,
    /// How long a connection may take to send a request's head, and then its body
    /// ([`DEFAULT_READ_TIMEOUT`], 10 s, by default); a slower one is closed, so that idle
    /// or trickling connections cannot tie the emulator up.
    pub read_timeout: Duration,
    /// How many connections are served at once ([`DEFAULT_MAX_CONNECTIONS`], 256); more
    /// wait to be accepted until one closes.
    pub max_connections: usize,
    /// The OAuth clients `/oauth/authorize` and `/oauth/token` accept; by default
    /// [`MockOAuthClient::default_client`].
    pub oauth_clients: Vec<MockOAuthClient>,
    /// The lifetime of the access tokens `/oauth/token` issues; one hour by default
    /// ([`DEFAULT_ACCESS_TOKEN_LIFETIME`]). `expires_in` is its whole seconds.
    pub access_token_lifetime: Duration,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            credentials: vec![
                MockCredential::default_api_key(),
                MockCredential::default_access_token(),
            ],
            journal_limit: DEFAULT_JOURNAL_LIMIT,
            journal_max_bytes: DEFAULT_JOURNAL_MAX_BYTES,
            journal_body_bytes: DEFAULT_JOURNAL_BODY_BYTES,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            read_timeout: DEFAULT_READ_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            oauth_clients: vec![MockOAuthClient::default_client()],
            access_token_lifetime: DEFAULT_ACCESS_TOKEN_LIFETIME,
        }
    }
}
