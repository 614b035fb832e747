//! A server whose certificate does not verify: the call fails at once, never retried.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use pleo_installations::{Client, ErrorKind};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

const CERT: &[u8] = include_bytes!("fixtures/self-signed.crt");
const KEY: &[u8] = include_bytes!("fixtures/self-signed.key");

/// Serves TLS with a self-signed certificate; counts the handshakes attempted.
fn self_signed_server() -> (String, Arc<AtomicUsize>) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from_pem_slice(CERT).unwrap()],
            PrivateKeyDer::from_pem_slice(KEY).unwrap(),
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
