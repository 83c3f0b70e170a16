//! A CA made at start and a server certificate it signs for `localhost`,
//! `*.servicebus.localhost` and `127.0.0.1`: clients trust the CA PEM, nothing else changes.

use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

pub struct Tls {
    pub ca_pem: Vec<u8>,
    pub server: Arc<rustls::ServerConfig>,
}

fn io(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

pub fn generate() -> std::io::Result<Tls> {
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(io)?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "scalecore Azure stand-in CA");
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_key = KeyPair::generate().map_err(io)?;
    let ca_cert = ca.self_signed(&ca_key).map_err(io)?;
    let issuer = Issuer::new(ca, ca_key);

    let mut leaf = CertificateParams::new(vec![
        "localhost".to_owned(),
        "*.servicebus.localhost".to_owned(),
        "*.queue.localhost".to_owned(),
        "*.blob.localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "management.localhost".to_owned(),
    ])
    .map_err(io)?;
    leaf.distinguished_name
        .push(DnType::CommonName, "scalecore Azure stand-in");
    let leaf_key = KeyPair::generate().map_err(io)?;
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).map_err(io)?;

    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io)?
        .with_no_client_auth()
        .with_single_cert(vec![leaf_cert.der().clone(), ca_cert.der().clone()], key)
        .map_err(io)?;
    Ok(Tls {
        ca_pem: ca_cert.pem().into_bytes(),
        server: Arc::new(server),
    })
}
