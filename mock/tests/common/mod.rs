//! Shared helpers of the emulator's tests: a plain blocking HTTP client.
#![allow(dead_code, missing_docs)]

use std::sync::OnceLock;
use std::time::Duration;

use base64::Engine as _;
use pleo_installations_mock::MockServer;
use reqwest::blocking::Client;
use serde_json::Value;

/// One HTTP client for the whole test binary.
pub fn http() -> &'static Client {
    static CLIENT: OnceLock<Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
        Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("http client")
    })
}

/// `Basic base64("<key>:")`.
pub fn basic(key: &str) -> String {
    basic_raw(&format!("{key}:"))
}

/// `Basic base64(<text>)`.
pub fn basic_raw(text: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(text)
    )
}

/// `Bearer <token>`.
pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }

    /// Asserts the status and the emulator's error body; returns the message.
    pub fn expect_error(&self, status: u16, error: &str) -> String {
        assert_eq!(self.status, status, "{}", self.text);
        let body = self.json();
        assert_eq!(body["error"], error, "{body}");
        assert_eq!(body["status"], status, "{body}");
        let message = body["message"].as_str().expect("message").to_owned();
        assert!(!message.is_empty());
        message
    }
}

/// Sends a request; `authorization` is the raw header value, if any.
pub fn send(
    server: &MockServer,
    method: &str,
    path: &str,
    authorization: Option<&str>,
    body: Option<&str>,
) -> Result<Reply, reqwest::Error> {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = http().request(method, format!("{}{path}", server.url()));
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json;charset=UTF-8")
            .body(body.to_owned());
    }
    let response = request.send()?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text()?;
    Ok(Reply {
        status,
        headers,
        text,
    })
}

/// Sends a request with the default API key; panics on a transport error.
pub fn api(server: &MockServer, method: &str, path: &str, body: Option<&str>) -> Reply {
    send(server, method, path, Some(&basic(&server.api_key())), body).expect("request")
}

/// Sends an admin request (no credentials).
pub fn admin(server: &MockServer, method: &str, path: &str, body: Option<&str>) -> Reply {
    send(server, method, path, None, body).expect("admin request")
}

pub const ME: &str = "/v1/installations/me";
pub const ACTIVATE: &str = "/v1/installations/me:activate";
pub const COMPLETIONS: &str = "/v1/installations/completions";
pub const INTROSPECT: &str = "/v1/introspect";
