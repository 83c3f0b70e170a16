//! The HTTPS client: rustls with the ring provider, system roots (which honour SSL_CERT_FILE
//! and SSL_CERT_DIR) plus extra PEM roots, and, when asked for, a resolver that keeps
//! `*.localhost` on loopback.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;

use crate::error::ScalerError;
use crate::ClientOptions;

/// RFC 6761 §6.3: `localhost` and every name under `.localhost` are loopback, without asking
/// DNS (browsers do the same). Every other name goes to the system resolver. Used only with
/// `ClientOptions::resolve_localhost_to_loopback`, for stand-ins on this machine.
#[derive(Clone, Copy, Debug, Default)]
pub struct LoopbackAwareResolver;

/// Whether RFC 6761 reserves `host` for loopback.
pub fn is_localhost_name(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost")
}

impl Resolve for LoopbackAwareResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        if is_localhost_name(&host) {
            let addrs: Addrs =
                Box::new(std::iter::once(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))));
            return Box::pin(futures::future::ready(Ok(addrs)));
        }
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let addrs: Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

fn setup(what: &str, e: impl std::fmt::Display) -> ScalerError {
    ScalerError::Setup(format!("{what}: {e}"))
}

/// The rustls configuration: ring only (never aws-lc-rs), system roots plus `extra`.
pub fn tls_config(extra_root_certs_pem: &[Vec<u8>]) -> Result<rustls::ClientConfig, ScalerError> {
    let mut roots = rustls::RootCertStore::empty();
    // A broken system certificate among many must not stop the client; each is tried.
    let native = rustls_native_certs::load_native_certs();
    for cert in native.certs {
        let _ = roots.add(cert);
    }
    for pem in extra_root_certs_pem {
        let mut added = 0usize;
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| setup("extra root certificate", e))?;
            roots
                .add(cert)
                .map_err(|e| setup("extra root certificate", e))?;
            added += 1;
        }
        if added == 0 {
            return Err(setup(
                "extra root certificate",
                "no PEM CERTIFICATE block found",
            ));
        }
    }
    if roots.is_empty() {
        return Err(setup(
            "TLS roots",
            "no trusted certificate found (install ca-certificates, set SSL_CERT_FILE, or pass extra roots)",
        ));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| setup("TLS", e))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

pub fn build_client(options: &ClientOptions) -> Result<reqwest::Client, ScalerError> {
    let tls = tls_config(&options.extra_root_certs_pem)?;
    let mut builder = reqwest::Client::builder().tls_backend_preconfigured(tls);
    if options.resolve_localhost_to_loopback {
        builder = builder.dns_resolver(LoopbackAwareResolver);
    }
    builder
        .timeout(options.timeout)
        .connect_timeout(options.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("scalecore/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| setup("HTTP client", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localhost_names() {
        assert!(is_localhost_name("localhost"));
        assert!(is_localhost_name("orders.servicebus.localhost"));
        assert!(is_localhost_name("ORDERS.Servicebus.LOCALHOST."));
        assert!(!is_localhost_name("localhost.example.com"));
        assert!(!is_localhost_name("notlocalhost"));
        assert!(!is_localhost_name("orders.servicebus.windows.net"));
    }
}
