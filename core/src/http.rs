//! The pooled HTTP client every call goes through, and its rebuild after `fork()`.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{RwLock, TryLockError};
use std::time::Duration;

use reqwest::blocking::Client as HttpClient;
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::redirect::Policy;
use reqwest::{NoProxy, Proxy};

use crate::error::{Error, ErrorKind, Result};
use crate::transport::chain;

/// A new pooled HTTP client: JSON accepted, redirects not followed.
pub(crate) fn http_client(
    user_agent: HeaderValue,
    connect_timeout: Duration,
) -> Result<HttpClient> {
    // reqwest is built without a bundled crypto provider; ring is ours. An error here
    // means the application already installed one, which serves as well.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut headers = HeaderMap::new();
    headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
    let mut builder = HttpClient::builder()
        .default_headers(headers)
        .user_agent(user_agent)
        .connect_timeout(connect_timeout)
        .redirect(Policy::none())
        .no_proxy();
    if let Some(proxy) = https_proxy() {
        builder = builder.proxy(proxy);
    }
    builder.build().map_err(|e| {
        Error::new(
            ErrorKind::Internal,
            format!("could not build the HTTP client: {}", chain(&e)),
        )
    })
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
    match Proxy::https(url.trim()) {
        Ok(proxy) => Some(proxy.no_proxy(NoProxy::from_env())),
        Err(_) => {
            log::warn!("{name} is not a proxy URL: requests go without a proxy");
            None
        }
    }
}

/// The HTTP client of one SDK client, which stays usable in a child process.
///
/// reqwest's blocking client drives its connections from a background thread, and a
/// child made by `fork()` (Python's multiprocessing does it to every client it inherits)
/// has no such thread. When the process id changes, the pool builds a new client and
/// leaks the inherited one: dropping it would wait forever for the missing thread, and its
/// connections belong to the parent.
pub(crate) struct HttpPool {
    user_agent: HeaderValue,
    connect_timeout: Duration,
    pid: AtomicU32,
    client: RwLock<HttpClient>,
}

impl HttpPool {
    /// A pool for this process.
    pub(crate) fn new(user_agent: HeaderValue, connect_timeout: Duration) -> Result<HttpPool> {
        let client = http_client(user_agent.clone(), connect_timeout)?;
        Ok(HttpPool {
            user_agent,
            connect_timeout,
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
            Err(TryLockError::WouldBlock) => {
                return http_client(self.user_agent.clone(), self.connect_timeout);
            }
        };
        if self.pid.load(Ordering::Acquire) != pid {
            let fresh = http_client(self.user_agent.clone(), self.connect_timeout)?;
            std::mem::forget(std::mem::replace(&mut *client, fresh));
            self.pid.store(pid, Ordering::Release);
            log::debug!("new process {pid}: the HTTP client was rebuilt");
        }
        Ok(client.clone())
    }
}

impl Drop for HttpPool {
    /// In a child that never called: leaks the inherited client instead of waiting for
    /// its driver thread, which the child does not have.
    fn drop(&mut self) {
        if *self.pid.get_mut() != std::process::id() {
            let client = self.client.get_mut().unwrap_or_else(|e| e.into_inner());
            std::mem::forget(client.clone());
        }
    }
}
