//! TLS both ways: a server whose certificate does not verify fails the call at once, never
//! retried; one whose certificate a test CA signed is reached once that CA is trusted,
//! through `ca_bundle` or `SSL_CERT_FILE`; and a process with no CA store at all still
//! builds clients and reaches the loopback emulator over plain `http`.

use crate::common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use pleo_installations::{Client, ErrorKind};
use pleo_installations_mock::MockServer;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

const CERT: &[u8] = include_bytes!("../fixtures/self-signed.crt");
const KEY: &[u8] = include_bytes!("../fixtures/self-signed.key");

/// The shared TLS fixtures (tests/fixtures/tls): a test CA and a server certificate it signed.
fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/tls")
        .join(name)
}

/// Serves TLS with a self-signed certificate; counts the handshakes attempted.
fn self_signed_server() -> (String, Arc<AtomicUsize>) {
    tls_server(CERT, KEY)
}

/// Serves TLS with the certificate the test CA signed.
fn ca_signed_server() -> String {
    let cert = std::fs::read(fixture("server.crt")).unwrap();
    let key = std::fs::read(fixture("server.key")).unwrap();
    tls_server(&cert, &key).0
}

/// Serves TLS with `cert`, answering every request `{}`; counts the handshakes attempted.
fn tls_server(cert: &[u8], key: &[u8]) -> (String, Arc<AtomicUsize>) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from_pem_slice(cert).unwrap()],
            PrivateKeyDer::from_pem_slice(key).unwrap(),
        )
        .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    let handshakes = Arc::new(AtomicUsize::new(0));
    let counter = handshakes.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            counter.fetch_add(1, Ordering::SeqCst);
            let mut tls = rustls::ServerConnection::new(config.clone()).unwrap();
            let mut session = rustls::Stream::new(&mut tls, &mut stream);
            let mut buffer = [0u8; 1024];
            if session.read(&mut buffer).is_ok() {
                let _ = session.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}");
            }
        }
    });
    (url, handshakes)
}

#[test]
fn a_certificate_error_is_a_connection_error_that_is_not_retried() {
    let (url, handshakes) = self_signed_server();
    let client = Client::builder()
        .base_url(url)
        .api_key("k")
        .clock(common::FakeClock::new())
        .build()
        .unwrap();
    let err = client.introspect().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connection, "{err}");
    assert!(err.message().contains("certificate"), "{err}");
    assert!(!err.retryable());
    assert_eq!(err.attempts(), 1);
    assert_eq!(handshakes.load(Ordering::SeqCst), 1);
}

#[test]
fn a_ca_bundle_is_trusted_as_a_path_or_as_pem_text() {
    let url = ca_signed_server();
    let path = fixture("ca.crt");
    let pem = std::fs::read_to_string(&path).unwrap();
    for bundle in [path.to_str().unwrap(), pem.as_str()] {
        let client = Client::builder()
            .base_url(&url)
            .api_key("k")
            .ca_bundle(bundle)
            .build()
            .unwrap();
        client.delete_installation().unwrap();
    }
    // Without it, the same server is refused.
    assert_refused(&url);
}

/// A client of `url` trusting only the process's roots fails the TLS handshake.
fn assert_refused(url: &str) {
    let client = Client::builder()
        .base_url(url)
        .api_key("k")
        .build()
        .unwrap();
    let err = client.delete_installation().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connection, "{err}");
    assert!(err.message().contains("certificate"), "{err}");
}

#[test]
fn a_bad_ca_bundle_is_an_invalid_argument_naming_it() {
    for bundle in [
        "/nonexistent/ca.pem",
        "-----BEGIN CERTIFICATE-----\nnot base64\n",
    ] {
        let err = Client::builder()
            .base_url("https://127.0.0.1:1")
            .api_key("k")
            .ca_bundle(bundle)
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
        assert!(err.message().starts_with("ca_bundle: "), "{err}");
    }
    let err = Client::builder()
        .base_url("https://127.0.0.1:1")
        .api_key("k")
        .ca_bundle(fixture("README.md").to_str().unwrap())
        .build()
        .unwrap_err();
    assert!(err.message().contains("no CERTIFICATE"), "{err}");
}

/// Runs the test `name` again in a child process with `env`, and fails when it fails: the
/// system's roots are read once per process, so a test of them needs a process of its own.
fn in_child(name: &str, env: &[(&str, &str)]) -> bool {
    if std::env::var_os("PLEO_TLS_CHILD").is_some() {
        return false;
    }
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", name, "--nocapture", "--test-threads=1"])
        .env("PLEO_TLS_CHILD", "1")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{name} failed in its child process:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    true
}

#[test]
fn ssl_cert_file_is_trusted() {
    let ca = fixture("ca.crt");
    if in_child(
        "tls::ssl_cert_file_is_trusted",
        &[("SSL_CERT_FILE", ca.to_str().unwrap())],
    ) {
        return;
    }
    let client = Client::builder()
        .base_url(ca_signed_server())
        .api_key("k")
        .build()
        .unwrap();
    client.delete_installation().unwrap();
}

#[test]
fn without_a_ca_store_clients_build_and_reach_loopback_http() {
    let none = [
        ("SSL_CERT_FILE", "/nonexistent/ca.pem"),
        ("SSL_CERT_DIR", "/nonexistent"),
    ];
    if in_child(
        "tls::without_a_ca_store_clients_build_and_reach_loopback_http",
        &none,
    ) {
        return;
    }
    let server = MockServer::start().unwrap();
    let client = Client::builder()
        .base_url(server.url())
        .api_key(server.api_key())
        .build()
        .unwrap();
    let err = client.get_installation(None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    // Over https, the bundled roots stand in: they do not hold the test CA, a ca_bundle does.
    let url = ca_signed_server();
    assert_refused(&url);
    let client = Client::builder()
        .base_url(&url)
        .api_key("k")
        .ca_bundle(fixture("ca.crt").to_str().unwrap())
        .build()
        .unwrap();
    client.delete_installation().unwrap();
}

#[test]
fn the_proxy_option_tunnels_https_and_never_plain_http() {
    let (proxy, seen) = common::recording_proxy();
    let tls = Client::builder()
        .base_url("https://api.pleo.invalid")
        .api_key("secret-api-key")
        .proxy(proxy.url("http"))
        .max_retries(0)
        .build()
        .unwrap();
    tls.introspect().unwrap_err();
    let server = MockServer::start().unwrap();
    let plain = Client::builder()
        .base_url(server.url())
        .api_key(server.api_key())
        .proxy(proxy.url("http"))
        .build()
        .unwrap();
    let err = plain.get_installation(None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    common::assert_one_tunnel(&seen, "secret-api-key");

    let err = Client::builder()
        .base_url("https://api.pleo.invalid")
        .api_key("k")
        .proxy("not a url")
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.message().starts_with("proxy "), "{err}");
}
