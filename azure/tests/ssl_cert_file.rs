//! SSL_CERT_FILE replaces the system roots (its own test binary: it sets a process-wide variable).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::config;
use scalecore_azure::{Auth, ClientOptions, ServiceBus, WorkloadIdentityEnv};
use scalecore_standin_azure::AzureStandin;

#[tokio::test]
async fn ssl_cert_file_is_trusted() {
    let standin = AzureStandin::start().await.unwrap();
    standin.set_queue("ns", "jobs", 3);
    let dir = std::env::temp_dir().join(format!("scalecore-azure-ssl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bundle = dir.join("ca.pem");
    std::fs::write(&bundle, standin.ca_pem()).unwrap();
    std::env::set_var("SSL_CERT_FILE", &bundle);
    let options = ClientOptions {
        retry_delay: Duration::from_millis(10),
        allowed_endpoint_suffixes: vec![standin.endpoint_suffix()],
        resolve_localhost_to_loopback: true,
        ..ClientOptions::default()
    };
    assert!(options.extra_root_certs_pem.is_empty());
    let bus = ServiceBus::new(options, WorkloadIdentityEnv::default()).unwrap();
    let cs = standin.connection_string("ns");
    let cfg = config(&[("queueName", "jobs")], Some(&cs), None);
    let n = bus
        .active_message_count(&cfg, &Auth::connection_string(&cfg), Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(n, 3);
}
