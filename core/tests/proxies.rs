//! Proxies from the environment: `https` requests go through them (a CONNECT tunnel, the
//! credentials inside TLS); plain `http` requests, loopback only, never do. One test in
//! its own binary, since it sets process-wide environment variables.
#![allow(unsafe_code)]

mod common;

use pleo_installations::Client;
use pleo_installations_mock::MockServer;

#[test]
fn plain_http_never_goes_through_a_proxy_and_https_does() {
    let (proxy, seen) = common::recording_proxy();
    let url = proxy.url("http");
    for name in [
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "HTTPS_PROXY",
        "https_proxy",
    ] {
        // SAFETY: this binary's only test; no other thread reads the environment yet.
        unsafe { std::env::set_var(name, &url) };
    }
    let server = MockServer::start().unwrap();
    let plain = Client::builder()
        .base_url(server.url())
        .api_key("pleo-mock-api-key")
        .build()
        .unwrap();
    plain.introspect().unwrap();
    assert_eq!(
        proxy.connections(),
        0,
        "a plain http request went to the proxy"
    );

    let tls = Client::builder()
        .base_url("https://api.pleo.invalid")
        .api_key("secret-api-key")
        .max_retries(0)
        .build()
        .unwrap();
    tls.introspect().unwrap_err();
    common::assert_one_tunnel(&seen, "secret-api-key");
}
