//! Shared helpers: a stand-in, a client that trusts it, and trigger configs parsed by the core.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use scalecore::scalers::servicebus::{self, ServiceBusConfig};
use scalecore::scalers::TriggerInput;
use scalecore_azure::{ClientOptions, ServiceBus, WorkloadIdentityEnv};
use scalecore_standin_azure::AzureStandin;

pub const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
pub const CLIENT: &str = "4d8f3f0c-5b1e-4f3a-9d55-0a8c1e2b7c11";
pub const SA_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6a2VkYTpzY2FsZWNvcmUifQ.c2lnbmF0dXJl";

/// What a user pointing the client at a stand-in sets: its CA, its endpoint suffix, and
/// loopback resolution of `*.localhost`.
pub fn options(standin: &AzureStandin) -> ClientOptions {
    ClientOptions {
        timeout: Duration::from_secs(2),
        retries: 3,
        retry_delay: Duration::from_millis(10),
        max_retry_delay: Duration::from_secs(5),
        extra_root_certs_pem: vec![standin.ca_pem()],
        allowed_endpoint_suffixes: vec![standin.endpoint_suffix()],
        resolve_localhost_to_loopback: true,
        ..ClientOptions::default()
    }
}

/// A federated token file with `SA_TOKEN`, unique per test.
pub fn token_file(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("scalecore-azure-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("azure-identity-token");
    std::fs::write(&path, format!("{SA_TOKEN}\n")).unwrap();
    path
}

pub fn workload_env(standin: &AzureStandin, test: &str) -> WorkloadIdentityEnv {
    WorkloadIdentityEnv {
        client_id: Some(CLIENT.to_owned()),
        tenant_id: Some(TENANT.to_owned()),
        federated_token_file: Some(token_file(test)),
        authority_host: standin.authority_host(),
    }
}

pub fn client(standin: &AzureStandin) -> ServiceBus {
    ServiceBus::new(options(standin), WorkloadIdentityEnv::default()).unwrap()
}

/// Parses trigger metadata with the core, as `scalecore run` does.
pub fn config(
    metadata: &[(&str, &str)],
    connection: Option<&str>,
    pod_identity: Option<&str>,
) -> ServiceBusConfig {
    parse(
        "azure-servicebus",
        metadata,
        connection,
        pod_identity,
        servicebus::parse,
    )
}

/// A `trigger_type` trigger with `metadata`, its `connection` (if any) from the
/// TriggerAuthentication and `pod_identity`, read by the core's `parse`; panics on an error.
pub fn parse<T, E: std::fmt::Debug>(
    trigger_type: &str,
    metadata: &[(&str, &str)],
    connection: Option<&str>,
    pod_identity: Option<&str>,
    parse: impl FnOnce(&TriggerInput<'_>) -> Result<T, E>,
) -> T {
    let connection: Vec<(&str, &str)> = connection.map(|c| ("connection", c)).into_iter().collect();
    parse_with(trigger_type, metadata, &connection, pod_identity, parse)
}

/// As `parse`, with any TriggerAuthentication parameters (`connection`, `storageConnection`).
pub fn parse_with<T, E: std::fmt::Debug>(
    trigger_type: &str,
    metadata: &[(&str, &str)],
    auth_params: &[(&str, &str)],
    pod_identity: Option<&str>,
    parse: impl FnOnce(&TriggerInput<'_>) -> Result<T, E>,
) -> T {
    let metadata: BTreeMap<String, String> = metadata
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let auth_params: BTreeMap<String, String> = auth_params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let env = BTreeMap::new();
    let input = TriggerInput {
        trigger_type,
        index: 0,
        metadata: &metadata,
        auth_params: &auth_params,
        env: &env,
        pod_identity,
        metric_type: None,
        namespace: "default",
    };
    parse(&input).unwrap_or_else(|e| panic!("{e:?}"))
}

/// A workload identity trigger on `namespace` of the stand-in (cloud Private).
pub fn workload_config(standin: &AzureStandin, namespace: &str, queue: &str) -> ServiceBusConfig {
    let suffix = standin.endpoint_suffix();
    config(
        &[
            ("queueName", queue),
            ("namespace", namespace),
            ("cloud", "Private"),
            ("endpointSuffix", &suffix),
        ],
        None,
        Some("azure-workload"),
    )
}

/// A client that trusts the stand-in and allows only `suffix`.
pub fn client_for(s: &AzureStandin, suffix: String, env: WorkloadIdentityEnv) -> ServiceBus {
    let mut o = options(s);
    o.allowed_endpoint_suffixes = vec![suffix];
    ServiceBus::new(o, env).unwrap()
}

/// No workload identity: the AZURE_AUTHORITY_HOST a client secret is sent to, the stand-in's.
pub fn secret_env(s: &AzureStandin) -> WorkloadIdentityEnv {
    WorkloadIdentityEnv {
        authority_host: s.authority_host(),
        ..Default::default()
    }
}
