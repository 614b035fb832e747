//! The pooled HTTP client every call goes through, and its rebuild after `fork()`.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{RwLock, TryLockError};
use std::time::Duration;

use reqwest::Client as HttpClient;
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::redirect::Policy;
use reqwest::{NoProxy, Proxy};
use rustls::pki_types::CertificateDer;

use crate::error::chain;
use crate::error::{Error, ErrorKind, Result};
use crate::tls;

/// What a client's connections are made with.
#[derive(Debug, Clone)]
pub(crate) struct HttpSettings {
    pub(crate) user_agent: HeaderValue,
    pub(crate) connect_timeout: Duration,
    /// Roots trusted beside the system's (`ca_bundle`).
    pub(crate) extra_roots: Vec<CertificateDer<'static>>,
    /// The proxy for `https` requests (`proxy`); else the environment's.
    pub(crate) proxy: Option<Proxy>,
}

/// A new pooled HTTP client: JSON accepted, redirects not followed, TLS as the process's
/// (see [`tls`]): building one reads no certificates.
pub(crate) fn http_client(settings: &HttpSettings) -> Result<HttpClient> {
    let mut headers = HeaderMap::new();
    headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
    let mut builder = HttpClient::builder()
        .tls_backend_preconfigured(tls::client_config(&settings.extra_roots))
        .default_headers(headers)
        .user_agent(settings.user_agent.clone())
        .connect_timeout(settings.connect_timeout)
        .redirect(Policy::none())
        .no_proxy();
    if let Some(proxy) = settings.proxy.clone().or_else(https_proxy) {
        builder = builder.proxy(proxy);
    }
    builder.build().map_err(|e| {
        Error::new(
            ErrorKind::Internal,
            format!("could not build the HTTP client: {}", chain(&e)),
        )
    })
}

/// The proxy of the `proxy` setting: `https` requests go through it (`NO_PROXY` honoured).
pub(crate) fn proxy(url: &str) -> Result<Proxy> {
    Proxy::https(url.trim())
        .map(|proxy| proxy.no_proxy(NoProxy::from_env()))
        .map_err(|_| Error::invalid_argument("proxy is not a proxy URL (http://host:port)"))
}

/// The proxy for `https` requests from the environment (`HTTPS_PROXY`, else `ALL_PROXY`, in
/// either case; `NO_PROXY` honoured). Plain `http` requests, which go to loopback hosts
/// only, never go through a proxy: a proxy would receive their credentials in clear text.
fn https_proxy() -> Option<Proxy> {
    let (name, url) = ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
        .iter()
        .find_map(|name| {
            let value = std::env::var(name).ok()?;
            (!value.trim().is_empty()).then_some((name, value))
        })?;
    match proxy(&url) {
        Ok(proxy) => Some(proxy),
        Err(_) => {
            log::warn!("{name} is not a proxy URL: requests go without a proxy");
            None
        }
    }
}

/// The HTTP client of one SDK client, which stays usable in a child process.
///
/// A child made by `fork()` (Python's multiprocessing does it to every client it inherits)
/// has none of its parent's threads, so the connections of the inherited client, driven by
/// the parent's runtime, would never answer. When the process id changes, the pool builds a
/// new client and leaks the inherited one: its connections belong to the parent.
pub(crate) struct HttpPool {
    settings: HttpSettings,
    pid: AtomicU32,
    client: RwLock<HttpClient>,
}

impl HttpPool {
    /// A pool for this process.
    pub(crate) fn new(settings: HttpSettings) -> Result<HttpPool> {
        let client = http_client(&settings)?;
        Ok(HttpPool {
            settings,
            pid: AtomicU32::new(std::process::id()),
            client: RwLock::new(client),
        })
    }

    /// The client to send with from this process (a cheap handle onto the shared pool).
    pub(crate) fn get(&self) -> Result<HttpClient> {
        let pid = std::process::id();
        if self.pid.load(Ordering::Acquire) == pid {
            return Ok(self
                .client
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .clone());
        }
        // A parent thread may have held the lock at the moment of the fork, and no thread
        // of the child will release it: then use a fresh client without caching it.
        let mut client = match self.client.try_write() {
            Ok(client) => client,
            Err(TryLockError::Poisoned(e)) => e.into_inner(),
            Err(TryLockError::WouldBlock) => return http_client(&self.settings),
        };
        if self.pid.load(Ordering::Acquire) != pid {
            let fresh = http_client(&self.settings)?;
            std::mem::forget(std::mem::replace(&mut *client, fresh));
            self.pid.store(pid, Ordering::Release);
            log::debug!("new process {pid}: the HTTP client was rebuilt");
        }
        Ok(client.clone())
    }
}
