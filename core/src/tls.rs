//! TLS, set up once per process: the roots are read on the first `https` handshake, never
//! for a client that only speaks plain `http` to a loopback emulator.
//!
//! The roots are the system's (`SSL_CERT_FILE` and `SSL_CERT_DIR` honoured); where the system
//! has none (slim container images), the Mozilla roots bundled with the SDK, with a warning.
//! A client's `ca_bundle` adds its own roots to those.

use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::error::{Error, Result};
use crate::per_process::PerProcess;

/// The TLS settings of a client: the process's, or with its own extra roots.
pub(crate) fn client_config(extra_roots: &[CertificateDer<'static>]) -> ClientConfig {
    static SHARED: PerProcess<ClientConfig> = PerProcess::new();
    if extra_roots.is_empty() {
        return ClientConfig::clone(&SHARED.get_or_init(|| config(Vec::new())));
    }
    config(extra_roots.to_vec())
}

/// The certificates of a PEM bundle (`ca_bundle`): its text, or the path of a file holding it.
pub(crate) fn parse_bundle(bundle: &str) -> Result<Vec<CertificateDer<'static>>> {
    let invalid = |why: String| Error::invalid_argument(format!("ca_bundle: {why}"));
    let text = if bundle.trim_start().starts_with("-----BEGIN") {
        bundle.as_bytes().to_vec()
    } else {
        std::fs::read(bundle).map_err(|e| invalid(format!("cannot read {bundle:?}: {e}")))?
    };
    let certs = CertificateDer::pem_slice_iter(&text)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| invalid(format!("not a PEM bundle: {e}")))?;
    if certs.is_empty() {
        return Err(invalid("holds no CERTIFICATE block".to_owned()));
    }
    Ok(certs)
}

fn config(extra_roots: Vec<CertificateDer<'static>>) -> ClientConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(LazyVerifier {
        algorithms: provider.signature_verification_algorithms,
        provider: Arc::clone(&provider),
        extra_roots,
        verifier: PerProcess::new(),
    });
    ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth()
}

/// The system's roots, read once per process; the bundled Mozilla roots where there are none.
fn system_roots() -> Arc<Vec<CertificateDer<'static>>> {
    static ROOTS: PerProcess<Vec<CertificateDer<'static>>> = PerProcess::new();
    ROOTS.get_or_init(|| {
        let found = rustls_native_certs::load_native_certs();
        for error in &found.errors {
            log::warn!("reading the system's CA certificates: {error}");
        }
        if found.certs.is_empty() {
            log::warn!(
                "no CA certificates in the system store (SSL_CERT_FILE, SSL_CERT_DIR, the OS store): using the Mozilla roots bundled with the SDK"
            );
            return webpki_root_certs::TLS_SERVER_ROOT_CERTS.to_vec();
        }
        found.certs
    })
}

/// Verifies server certificates against roots it reads on first use.
#[derive(Debug)]
struct LazyVerifier {
    provider: Arc<CryptoProvider>,
    algorithms: WebPkiSupportedAlgorithms,
    extra_roots: Vec<CertificateDer<'static>>,
    verifier: PerProcess<std::result::Result<Arc<WebPkiServerVerifier>, rustls::Error>>,
}

impl LazyVerifier {
    fn verifier(&self) -> std::result::Result<Arc<WebPkiServerVerifier>, rustls::Error> {
        let built = self.verifier.get_or_init(|| {
            let mut roots = RootCertStore::empty();
            let (_, ignored) = roots
                .add_parsable_certificates(system_roots().iter().chain(&self.extra_roots).cloned());
            if ignored > 0 {
                log::warn!("{ignored} CA certificates could not be parsed and are not trusted");
            }
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&self.provider))
                .build()
                .map_err(|e| rustls::Error::General(format!("no usable CA certificates: {e}")))
        });
        match &*built {
            Ok(verifier) => Ok(Arc::clone(verifier)),
            Err(e) => Err(e.clone()),
        }
    }
}

impl ServerCertVerifier for LazyVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        self.verifier()?.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
