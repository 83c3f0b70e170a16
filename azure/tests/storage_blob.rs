//! The azure-blob reader against the stand-in's Blob service: KEDA's hierarchical and glob
//! counting over every page, each auth mode, faults, and sharing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use scalecore::scalers::azure_blob::{self, AzureBlobConfig};
use scalecore_azure::{IdentityOverrides, ScalerError, ServiceBus};
use scalecore_standin_azure::{AuthKind, AzureStandin};

const ACCOUNT: &str = "contosoblobs";
const AGE: Duration = Duration::from_secs(30);

fn blob_config(
    metadata: &[(&str, &str)],
    connection: Option<&str>,
    pod_identity: Option<&str>,
) -> AzureBlobConfig {
    common::parse(
        "azure-blob",
        metadata,
        connection,
        pod_identity,
        azure_blob::config,
    )
}

fn client(standin: &AzureStandin) -> ServiceBus {
    let mut options = common::options(standin);
    options.allowed_endpoint_suffixes = vec![standin.blob_endpoint_suffix()];
    ServiceBus::new(options, scalecore_azure::WorkloadIdentityEnv::default()).unwrap()
}

fn none() -> IdentityOverrides {
    IdentityOverrides::default()
}

const BLOBS: &[&str] = &[
    "in/a.csv",
    "in/b.csv",
    "in/c.json",
    "in/sub/d.csv",
    "in/sub/e.csv",
    "out/f.csv",
    "top.csv",
];

#[tokio::test]
async fn hierarchical_recursive_and_glob_counts_over_pages() {
    let s = AzureStandin::start().await.unwrap();
    let conn = s.storage_connection_string(ACCOUNT);
    s.set_blobs(ACCOUNT, "work", BLOBS);
    // Two entries a page: every count needs several pages.
    s.set_blob_page_size(2);
    let c = client(&s);
    let count = |meta: &[(&str, &str)]| {
        let mut m = vec![("blobContainerName", "work")];
        m.extend_from_slice(meta);
        blob_config(&m, Some(&conn), None)
    };
    // Under in/ by "/": a.csv, b.csv, c.json (in/sub/ is a virtual directory).
    let hierarchical = count(&[("blobPrefix", "in")]);
    assert_eq!(c.blob_count(&hierarchical, &none(), AGE).await.unwrap(), 3);
    // Recursive: every blob under in/.
    let recursive = count(&[("blobPrefix", "in"), ("recursive", "true")]);
    assert_eq!(c.blob_count(&recursive, &none(), AGE).await.unwrap(), 5);
    // A glob: flat listing of the whole container, whole names matched.
    let glob = count(&[("globPattern", "**.csv")]);
    assert_eq!(c.blob_count(&glob, &none(), AGE).await.unwrap(), 6);
    let first = &s.storage_requests()[0];
    assert_eq!(
        first.path,
        "/work?restype=container&comp=list&prefix=in%2F&delimiter=%2F"
    );
    assert_eq!(first.auth, AuthKind::SharedKey);
    assert!(s
        .storage_requests()
        .iter()
        .any(|r| r.path.contains("&marker=2%212")));
    assert!(s.storage_requests().iter().all(|r| r.status == 200));
}

#[tokio::test]
async fn sas_and_workload_identity() {
    let s = AzureStandin::start().await.unwrap();
    s.set_blobs(ACCOUNT, "work", BLOBS);
    let sas = s.storage_sas_connection_string(ACCOUNT, "rl", "2099-01-01T00:00:00Z");
    let c = client(&s);
    let config = blob_config(&[("blobContainerName", "work")], Some(&sas), None);
    assert_eq!(c.blob_count(&config, &none(), AGE).await.unwrap(), 1);
    assert_eq!(
        s.storage_requests()[0].auth,
        AuthKind::SharedAccessSignature
    );

    s.add_client(common::TENANT, common::CLIENT);
    s.set_federated_token(common::SA_TOKEN);
    s.grant_storage_reader(ACCOUNT, common::CLIENT);
    let mut options = common::options(&s);
    options.allowed_endpoint_suffixes = vec![s.blob_endpoint_suffix()];
    let wi = ServiceBus::new(options, common::workload_env(&s, "blob-wi")).unwrap();
    let config = blob_config(
        &[
            ("blobContainerName", "work"),
            ("blobPrefix", "in"),
            ("accountName", ACCOUNT),
            ("cloud", "Private"),
            ("endpointSuffix", &s.blob_endpoint_suffix()),
        ],
        None,
        Some("azure-workload"),
    );
    assert_eq!(wi.blob_count(&config, &none(), AGE).await.unwrap(), 3);
    assert_eq!(s.storage_requests().last().unwrap().auth, AuthKind::Bearer);
}

#[tokio::test]
async fn a_missing_container_and_sharing() {
    let s = AzureStandin::start().await.unwrap();
    let conn = s.storage_connection_string(ACCOUNT);
    let c = client(&s);
    let config = blob_config(&[("blobContainerName", "gone")], Some(&conn), None);
    let e = c.blob_count(&config, &none(), AGE).await.unwrap_err();
    assert!(matches!(e, ScalerError::NotFound(_)), "{e:?}");
    assert!(
        e.to_string().contains("container gone doesn't exist"),
        "{e}"
    );

    s.set_blobs(ACCOUNT, "work", BLOBS);
    s.clear_requests();
    let config = blob_config(&[("blobContainerName", "work")], Some(&conn), None);
    let overrides = none();
    let polls = (0..10).map(|_| c.blob_count(&config, &overrides, AGE));
    for r in futures::future::join_all(polls).await {
        assert_eq!(r.unwrap(), 1);
    }
    assert_eq!(s.storage_requests().len(), 1);
}
