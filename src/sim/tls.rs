//! The simulator's TLS: its certificate, and client certificates required and checked against
//! the configured CA (rustls `WebPkiClientVerifier`), with the aws-lc-rs provider.

use std::sync::Arc;

use rustls::RootCertStore;
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;

use super::config::TlsMaterial;
use super::error::SimError;

/// The rustls server configuration: mutual TLS, HTTP/1.1.
pub(crate) fn server_config(tls: &TlsMaterial) -> Result<Arc<ServerConfig>, SimError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let certs = certificates(&tls.server_cert_pem, "server_cert")?;
    let key = PrivateKeyDer::from_pem_slice(tls.server_key_pem.as_bytes())
        .map_err(|e| SimError::Tls(format!("server_key: {e}")))?;
    let mut roots = RootCertStore::empty();
    for ca in certificates(&tls.client_ca_pem, "client_ca")? {
        roots
            .add(ca)
            .map_err(|e| SimError::Tls(format!("client_ca: {e}")))?;
    }
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| SimError::Tls(format!("client_ca: {e}")))?;
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| SimError::Tls(e.to_string()))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(certs, key)
        .map_err(|e| SimError::Tls(format!("server_cert/server_key: {e}")))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn certificates(pem: &str, field: &str) -> Result<Vec<CertificateDer<'static>>, SimError> {
    let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| SimError::Tls(format!("{field}: {e}")))?;
    if certs.is_empty() {
        return Err(SimError::Tls(format!("{field}: no certificate in the PEM")));
    }
    Ok(certs)
}
