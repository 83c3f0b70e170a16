//! The azure-eventhub reader against the stand-in's Event Hubs runtime API and Blob service:
//! KEDA's lag for each checkpoint strategy, missing checkpoints, auth modes, faults, the
//! allowed suffixes and sharing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use scalecore::scalers::azure_eventhub::{self, AzureEventHubConfig};
use scalecore_azure::{IdentityOverrides, ScalerError, ServiceBus};
use scalecore_standin_azure::{AuthKind, AzureStandin, Fault};

const NS: &str = "telemetry-ns";
const HUB: &str = "telemetry";
const ACCOUNT: &str = "checkpoints";
const AGE: Duration = Duration::from_secs(30);

/// An azure-eventhub trigger read by the core, as `scalecore run` does: `connection` and
/// `storageConnection` from the TriggerAuthentication.
fn config(
    metadata: &[(&str, &str)],
    connection: Option<&str>,
    storage: Option<&str>,
    pod_identity: Option<&str>,
) -> AzureEventHubConfig {
    let mut auth = Vec::new();
    auth.extend(connection.map(|c| ("connection", c)));
    auth.extend(storage.map(|s| ("storageConnection", s)));
    common::parse_with(
        "azure-eventhub",
        metadata,
        &auth,
        pod_identity,
        azure_eventhub::config,
    )
}

fn client(s: &AzureStandin) -> ServiceBus {
    let mut options = common::options(s);
    options.allowed_endpoint_suffixes = vec![s.endpoint_suffix(), s.blob_endpoint_suffix()];
    ServiceBus::new(options, scalecore_azure::WorkloadIdentityEnv::default()).unwrap()
}

fn none() -> IdentityOverrides {
    IdentityOverrides::default()
}

/// The fully qualified namespace KEDA names Functions and blobMetadata checkpoints by.
fn fqdn(s: &AzureStandin) -> String {
    s.host(NS)
}

/// Four partitions: 0 holds 0..=99, 1 holds 0..=9, 2 is empty, 3 holds 50..=59 (older
/// events expired).
fn hub(s: &AzureStandin) {
    s.set_event_hub(NS, HUB, 4);
    s.set_partition(NS, HUB, 0, 0, 99);
    s.set_partition(NS, HUB, 1, 0, 9);
    s.set_partition(NS, HUB, 3, 50, 59);
}

/// Each strategy's blob and body for a partition at `sequence`, as the SDKs that use it
/// write them (KEDA's test bodies; blobMetadata keeps the number in metadata).
fn write_checkpoint(s: &AzureStandin, strategy: &str, group: &str, partition: u32, seq: i64) {
    let ns = fqdn(s);
    let (container, blob, body, meta): (&str, String, String, Vec<(&str, String)>) = match strategy
    {
        "azureFunction" => (
            "azure-webjobs-eventhub",
            format!("{ns}/{HUB}/{group}/{partition}"),
            format!(
                r#"{{"SequenceNumber":{seq},"PartitionId":"{partition}","Owner":"","Token":"","Epoch":0}}"#
            ),
            vec![],
        ),
        "blobMetadata" => (
            "cp",
            format!("{ns}/{HUB}/{}/checkpoint/{partition}", group.to_lowercase()),
            String::new(),
            vec![
                ("sequencenumber", seq.to_string()),
                ("offset", "0".to_owned()),
            ],
        ),
        "goSdk" => (
            "cp",
            partition.to_string(),
            format!(
                r#"{{"partitionID":"{partition}","epoch":0,"owner":"","checkpoint":{{"sequenceNumber":{seq},"enqueueTime":""}},"state":"","token":""}}"#
            ),
            vec![],
        ),
        "dapr" => (
            "cp",
            format!("dapr-{HUB}-{group}-{partition}"),
            format!(
                r#"{{"partitionID":"{partition}","epoch":0,"owner":"","checkpoint":{{"sequenceNumber":{seq},"enqueueTime":""}},"state":"","token":""}}"#
            ),
            vec![],
        ),
        _ => (
            "cp",
            format!("{group}/{partition}"),
            format!(
                r#"{{"sequence_number":{seq},"partition_id":"{partition}","Owner":"","Token":"","Epoch":0}}"#
            ),
            vec![],
        ),
    };
    let meta: Vec<(&str, &str)> = meta.iter().map(|(k, v)| (*k, v.as_str())).collect();
    s.set_blob(ACCOUNT, container, &blob, &body, &meta);
}

/// Partition 0 checkpointed at 89 (10 behind), 1 at 9 (caught up), 3 with no checkpoint
/// (all 10 it holds): 20 unprocessed events, whichever way the checkpoints are kept.
#[tokio::test]
async fn every_checkpoint_strategy_gives_kedas_lag() {
    let s = AzureStandin::start().await.unwrap();
    hub(&s);
    let c = client(&s);
    let conn = s.event_hub_connection_string(NS, HUB);
    let storage = s.storage_connection_string(ACCOUNT);
    for strategy in ["azureFunction", "blobMetadata", "goSdk", "dapr", "default"] {
        let group = format!("$G-{strategy}");
        write_checkpoint(&s, strategy, &group, 0, 89);
        write_checkpoint(&s, strategy, &group, 1, 9);
        let mut meta = vec![
            ("consumerGroup", group.as_str()),
            ("unprocessedEventThreshold", "64"),
        ];
        if strategy != "azureFunction" {
            meta.push(("blobContainer", "cp"));
            meta.push(("checkpointStrategy", strategy));
        }
        let cfg = config(&meta, Some(&conn), Some(&storage), None);
        s.clear_requests();
        let lag = c.event_hub_lag(&cfg, &none(), AGE).await.unwrap();
        assert_eq!(lag.value, 20, "{strategy}");
        let hub_reads: Vec<_> = s.service_bus_requests();
        // The hub, then each partition of the group.
        assert_eq!(hub_reads.len(), 5, "{strategy}: {hub_reads:?}");
        assert!(hub_reads[0]
            .path
            .starts_with(&format!("/{HUB}?api-version=")));
        assert!(hub_reads[1].path.starts_with(&format!(
            "/{HUB}/consumergroups/$G-{strategy}/partitions/0?"
        )));
        assert!(hub_reads
            .iter()
            .all(|r| r.auth == AuthKind::SharedAccessSignature && r.status == 200));
        // The empty partition's checkpoint is not read; 3's is missing (404 BlobNotFound).
        let blob_reads = s.storage_requests();
        assert_eq!(blob_reads.len(), 3, "{strategy}: {blob_reads:?}");
        assert_eq!(
            blob_reads.iter().map(|r| r.status).collect::<Vec<_>>(),
            [200, 200, 404]
        );
        assert!(blob_reads.iter().all(|r| r.auth == AuthKind::SharedKey));
    }
}

#[tokio::test]
async fn missing_container_wrap_around_and_the_partition_cap() {
    let s = AzureStandin::start().await.unwrap();
    hub(&s);
    let c = client(&s);
    let conn = s.event_hub_connection_string(NS, HUB);
    let storage = s.storage_connection_string(ACCOUNT);
    // No container at all: every partition counts what it holds (100 + 10 + 10).
    let cfg = config(
        &[("unprocessedEventThreshold", "1000")],
        Some(&conn),
        Some(&storage),
        None,
    );
    assert_eq!(
        c.event_hub_lag(&cfg, &none(), AGE).await.unwrap().value,
        120
    );
    // Capped at threshold × partitions (10 × 4) to not scale past one replica a partition.
    let capped = config(
        &[("unprocessedEventThreshold", "10")],
        Some(&conn),
        Some(&storage),
        None,
    );
    assert_eq!(
        c.event_hub_lag(&capped, &none(), AGE).await.unwrap().value,
        40
    );
    // KEDA's activity is on the whole lag (120), not the capped metric (40): with
    // activationUnprocessedEventThreshold between them the trigger is active; above, not.
    for (activation, active) in [("100", true), ("120", false)] {
        let cfg = config(
            &[
                ("unprocessedEventThreshold", "10"),
                ("activationUnprocessedEventThreshold", activation),
            ],
            Some(&conn),
            Some(&storage),
            None,
        );
        let lag = c.event_hub_lag(&cfg, &none(), AGE).await.unwrap();
        assert_eq!(
            (lag.value, lag.active),
            (40, active),
            "activation {activation}"
        );
    }
    // A checkpoint ahead of a stale partition read counts the way round, as KEDA: within
    // stalePartitionInfoThreshold of the wrap it is stale (0).
    let s2 = AzureStandin::start().await.unwrap();
    s2.set_event_hub(NS, HUB, 1);
    s2.set_partition(NS, HUB, 0, 0, 10);
    let conn2 = s2.event_hub_connection_string(NS, HUB);
    let storage2 = s2.storage_connection_string(ACCOUNT);
    let c2 = client(&s2);
    s2.set_blob(
        ACCOUNT,
        "azure-webjobs-eventhub",
        &format!("{}/{HUB}/$Default/0", s2.host(NS)),
        r#"{"SequenceNumber":15}"#,
        &[],
    );
    let cfg = config(
        &[("unprocessedEventThreshold", "1")],
        Some(&conn2),
        Some(&storage2),
        None,
    );
    assert_eq!(
        c2.event_hub_lag(&cfg, &none(), Duration::ZERO)
            .await
            .unwrap()
            .value,
        0
    );
    let cfg = config(
        &[
            ("unprocessedEventThreshold", "1"),
            ("stalePartitionInfoThreshold", "0"),
        ],
        Some(&conn2),
        Some(&storage2),
        None,
    );
    // (MaxInt64 - 15) + 10, capped at one partition × threshold 1.
    assert_eq!(
        c2.event_hub_lag(&cfg, &none(), Duration::ZERO)
            .await
            .unwrap()
            .value,
        1
    );
    // A checkpoint blob that is not a checkpoint is an error, not a guess.
    s2.set_blob(
        ACCOUNT,
        "azure-webjobs-eventhub",
        &format!("{}/{HUB}/$Default/0", s2.host(NS)),
        "not json",
        &[],
    );
    let e = c2
        .event_hub_lag(&cfg, &none(), Duration::ZERO)
        .await
        .unwrap_err();
    assert!(matches!(e, ScalerError::StorageResponse(_)), "{e}");
    assert!(e.to_string().contains("failed to decode blob data"), "{e}");
}

#[tokio::test]
async fn workload_identity_for_the_hub_and_the_store() {
    let s = AzureStandin::start().await.unwrap();
    hub(&s);
    s.add_client(common::TENANT, common::CLIENT);
    s.set_federated_token(common::SA_TOKEN);
    s.grant_storage_reader(ACCOUNT, common::CLIENT);
    write_checkpoint(&s, "goSdk", "$Default", 0, 95);
    let mut options = common::options(&s);
    options.allowed_endpoint_suffixes = vec![s.endpoint_suffix(), s.blob_endpoint_suffix()];
    let c = ServiceBus::new(options, common::workload_env(&s, "eventhub-wi")).unwrap();
    let suffix = s.endpoint_suffix();
    let blob_suffix = s.storage_endpoint_suffix();
    let cfg = config(
        &[
            ("eventHubNamespace", NS),
            ("eventHubName", HUB),
            ("storageAccountName", ACCOUNT),
            ("blobContainer", "cp"),
            ("checkpointStrategy", "goSdk"),
            ("cloud", "Private"),
            ("endpointSuffix", &suffix),
            ("storageEndpointSuffix", &blob_suffix),
            ("unprocessedEventThreshold", "1000"),
        ],
        None,
        None,
        Some("azure-workload"),
    );
    // 4 behind on 0, no checkpoint for 1 (10) and 3 (10).
    assert_eq!(c.event_hub_lag(&cfg, &none(), AGE).await.unwrap().value, 24);
    let requests = s.requests();
    assert!(requests.iter().all(|r| r.status == 200 || r.status == 404));
    assert!(s
        .service_bus_requests()
        .iter()
        .all(|r| r.auth == AuthKind::Bearer));
    assert!(s
        .storage_requests()
        .iter()
        .all(|r| r.auth == AuthKind::Bearer));
    // One token for Event Hubs, one for Storage.
    assert_eq!(s.token_requests(), 2);
    // A connection string given as well is not connected to: its Endpoint and EntityPath
    // only name the Functions checkpoint blobs (KEDA's getHubAndNamespace).
    let legacy = "Endpoint=sb://legacy-ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=a2V5;EntityPath=legacy-hub";
    s.set_blob(
        ACCOUNT,
        "azure-webjobs-eventhub",
        "legacy-ns.servicebus.windows.net/legacy-hub/$Default/0",
        r#"{"SequenceNumber":97}"#,
        &[],
    );
    let cfg = config(
        &[
            ("eventHubNamespace", NS),
            ("eventHubName", HUB),
            ("storageAccountName", ACCOUNT),
            ("cloud", "Private"),
            ("endpointSuffix", &suffix),
            ("storageEndpointSuffix", &blob_suffix),
            ("unprocessedEventThreshold", "1000"),
        ],
        Some(legacy),
        None,
        Some("azure-workload"),
    );
    s.clear_requests();
    assert_eq!(c.event_hub_lag(&cfg, &none(), AGE).await.unwrap().value, 22);
    assert!(s
        .service_bus_requests()
        .iter()
        .all(|r| r.host == s.host(NS) && r.path.starts_with(&format!("/{HUB}"))));
}

#[tokio::test]
async fn faults_are_retried_and_errors_carry_no_secret() {
    let s = AzureStandin::start().await.unwrap();
    s.set_event_hub(NS, HUB, 1);
    s.set_partition(NS, HUB, 0, 0, 4);
    let c = client(&s);
    let conn = s.event_hub_connection_string(NS, HUB);
    let storage = s.storage_connection_string(ACCOUNT);
    let cfg = config(&[], Some(&conn), Some(&storage), None);
    s.inject(Fault::status(429).retry_after(Duration::from_millis(300)));
    s.inject(Fault::status(500).times(2));
    let started = std::time::Instant::now();
    assert_eq!(
        c.event_hub_lag(&cfg, &none(), Duration::ZERO)
            .await
            .unwrap()
            .value,
        5
    );
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(s.requests().iter().filter(|r| r.status >= 429).count(), 3);
    // Every attempt failing: the last error, without the keys.
    s.inject(Fault::status(503).times(4));
    let e = c
        .event_hub_lag(&cfg, &none(), Duration::ZERO)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("503"), "{e}");
    // A listen-only key is refused (401); the message names no key.
    let listen = format!("{};EntityPath={HUB}", s.listen_only_connection_string(NS));
    let cfg = config(&[], Some(&listen), Some(&storage), None);
    let e = c
        .event_hub_lag(&cfg, &none(), Duration::ZERO)
        .await
        .unwrap_err();
    let text = format!("{e} {e:?}");
    assert!(matches!(e, ScalerError::Unauthorized { .. }), "{text}");
    for secret in [
        s.storage_account_key(ACCOUNT),
        listen
            .split("SharedAccessKey=")
            .nth(1)
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned(),
    ] {
        assert!(!text.contains(&secret), "{text}");
    }
    // A hub that does not exist.
    let cfg = config(
        &[],
        Some(&s.event_hub_connection_string(NS, "nohub")),
        Some(&storage),
        None,
    );
    let e = c
        .event_hub_lag(&cfg, &none(), Duration::ZERO)
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "event hub nohub doesn't exist");
}

#[tokio::test]
async fn endpoints_outside_the_allowed_suffixes_get_nothing() {
    let s = AzureStandin::start().await.unwrap();
    hub(&s);
    let mut options = common::options(&s);
    // The hub's suffix only: the checkpoint store is refused before anything is sent.
    options.allowed_endpoint_suffixes = vec![s.endpoint_suffix()];
    let c = ServiceBus::new(options, scalecore_azure::WorkloadIdentityEnv::default()).unwrap();
    let conn = s.event_hub_connection_string(NS, HUB);
    let storage = s.storage_connection_string(ACCOUNT);
    let cfg = config(&[], Some(&conn), Some(&storage), None);
    let e = c.event_hub_lag(&cfg, &none(), AGE).await.unwrap_err();
    assert!(matches!(e, ScalerError::EndpointNotAllowed { .. }), "{e}");
    // A hub on another host: refused before its signature is made.
    let elsewhere = "Endpoint=sb://evil.example.com/;SharedAccessKeyName=k;SharedAccessKey=c2VjcmV0;EntityPath=telemetry";
    let c = client(&s);
    let cfg = config(&[], Some(elsewhere), Some(&storage), None);
    let e = c.event_hub_lag(&cfg, &none(), AGE).await.unwrap_err();
    assert!(matches!(e, ScalerError::EndpointNotAllowed { .. }), "{e}");
    assert!(!e.to_string().contains("c2VjcmV0"));
    assert!(s.requests().is_empty(), "{:?}", s.requests());
}

#[tokio::test]
async fn one_read_of_each_entity_per_interval_whoever_asks() {
    let s = AzureStandin::start().await.unwrap();
    hub(&s);
    let c = client(&s);
    let conn = s.event_hub_connection_string(NS, HUB);
    let storage = s.storage_connection_string(ACCOUNT);
    let cfg = config(&[], Some(&conn), Some(&storage), None);
    let overrides = none();
    let polls = (0..20).map(|_| c.event_hub_lag(&cfg, &overrides, AGE));
    for lag in futures::future::join_all(polls).await {
        assert_eq!(lag.unwrap().value, 120);
    }
    // The hub, 4 partitions, 3 checkpoints (the empty partition's is not read).
    assert_eq!(s.service_bus_requests().len(), 5);
    assert_eq!(s.storage_requests().len(), 3);
    // The next interval reads again and sees new events.
    s.send_events(NS, HUB, 2, 7);
    assert_eq!(
        c.event_hub_lag(&cfg, &none(), Duration::ZERO)
            .await
            .unwrap()
            .value,
        127
    );
}

#[tokio::test]
async fn only_storage_not_found_codes_mean_no_checkpoint() {
    // azure_eventhub_scaler.go getUnprocessedEventCountInPartition: BlobNotFound or
    // ContainerNotFound count the whole partition; any other error fails the poll.
    let s = AzureStandin::start().await.unwrap();
    hub(&s);
    let c = client(&s);
    let conn = s.event_hub_connection_string(NS, HUB);
    let storage = s.storage_connection_string(ACCOUNT);
    let cfg = config(
        &[("unprocessedEventThreshold", "1000")],
        Some(&conn),
        Some(&storage),
        None,
    );
    // No container: 100 + 10 + 10, as in missing_container_wrap_around_and_the_partition_cap.
    assert_eq!(
        c.event_hub_lag(&cfg, &none(), Duration::ZERO)
            .await
            .unwrap()
            .value,
        120
    );
    // The same read answered 404 without an error code: an error, not a missing checkpoint.
    s.inject(
        Fault::status(404)
            .bare()
            .on_path("/azure-webjobs-eventhub/"),
    );
    let e = c
        .event_hub_lag(&cfg, &none(), Duration::ZERO)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("404"), "{e}");
}
