//! `scalecore run` polling `azure-eventhub` triggers against the stand-in's Event Hubs runtime
//! API and Blob service, as a separate process configured only through what a user sets (a
//! kubeconfig, AZURE_* variables, connection strings in a Secret, Private-cloud suffixes, a CA
//! file).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::cluster::{Cluster, CLIENT_ID, SA_TOKEN};
use scalecore_standin_azure::{AuthKind, AzureStandin, Fault};
use serde_json::{json, Value};

const NS: &str = "telemetry-ns";
const HUB: &str = "telemetry";
const ACCOUNT: &str = "checkpoints";
const PARTITIONS: usize = 10;

/// The stand-ins with the hub `telemetry` of 10 partitions, the Deployment `worker`, and a
/// host that may send credentials to Event Hubs and Blob storage.
async fn cluster(test: &str) -> Cluster {
    let c = Cluster::new(
        &format!("eventhub-{test}"),
        "s0-azure-eventhub",
        AzureStandin::endpoint_suffix,
    )
    .await
    .also_allow(AzureStandin::blob_endpoint_suffix);
    c.azure.set_event_hub(NS, HUB, PARTITIONS);
    c.deployment("worker");
    c
}

impl Cluster {
    /// Both connection strings in a Secret, read through a TriggerAuthentication.
    fn connection_auth(&self, hub: &str, storage: &str) {
        self.k8s
            .apply(json!({"apiVersion": "v1", "kind": "Secret",
                "metadata": {"name": "eh", "namespace": "shop"},
                "data": {"hub": base64(hub), "store": base64(storage)}}))
            .unwrap();
        self.k8s
            .apply(
                json!({"apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication",
                "metadata": {"name": "eh-conn", "namespace": "shop"},
                "spec": {"secretTargetRef": [
                    {"parameter": "connection", "name": "eh", "key": "hub"},
                    {"parameter": "storageConnection", "name": "eh", "key": "store"}]}}),
            )
            .unwrap();
    }

    /// The ScaledObject `name` on the Deployment `name`.
    fn hub_object(&self, name: &str, extra_spec: Value, trigger: Value) {
        self.scaled_object(name, name, extra_spec, trigger);
    }

    /// The Azure Functions checkpoint of `partition` at `sequence` (what the Functions host
    /// writes to `azure-webjobs-eventhub`).
    fn functions_checkpoint(&self, group: &str, partition: usize, sequence: i64) {
        self.azure.set_blob(
            ACCOUNT,
            "azure-webjobs-eventhub",
            &format!("{}/{HUB}/{group}/{partition}", self.azure.host(NS)),
            &format!(
                r#"{{"Offset":"0","SequenceNumber":{sequence},"PartitionId":"{partition}","Owner":"","Token":"","Epoch":0}}"#
            ),
            &[],
        );
    }

    fn hub_reads(&self) -> Vec<scalecore_standin_azure::RequestRecord> {
        self.azure
            .service_bus_requests()
            .into_iter()
            .filter(|r| r.path.starts_with(&format!("/{HUB}?")))
            .collect()
    }
}

fn base64(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn conn_trigger(extra: Value) -> Value {
    let mut metadata = json!({"unprocessedEventThreshold": "5"});
    for (k, v) in extra.as_object().unwrap() {
        metadata[k] = v.clone();
    }
    json!({"type": "azure-eventhub", "metadata": metadata,
        "authenticationRef": {"name": "eh-conn"}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_strings_scale_out_with_the_lag_and_back_to_zero_without_leaking() {
    let c = cluster("conn").await;
    let hub = c.azure.event_hub_connection_string(NS, HUB);
    let storage = c.azure.storage_connection_string(ACCOUNT);
    let key = c.azure.storage_account_key(ACCOUNT);
    let sas_key = hub
        .split("SharedAccessKey=")
        .nth(1)
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    c.connection_auth(&hub, &storage);
    c.hub_object("worker", json!({}), conn_trigger(json!({})));
    let host = c.host();
    c.wait("the host to poll", 20, |c| {
        c.status_of("worker") != Value::Null
    })
    .await;
    assert_eq!(c.replicas_of("worker"), 0);

    // 3 events on each partition, none checkpointed: 30 unprocessed, ceil(30/5) = 6.
    for p in 0..PARTITIONS {
        c.azure.send_events(NS, HUB, p, 3);
    }
    c.wait("6 replicas", 30, |c| c.replicas_of("worker") == 6)
        .await;
    // 20 more on each: 230, capped at 10 partitions × 5 = 50: 10 replicas.
    for p in 0..PARTITIONS {
        c.azure.send_events(NS, HUB, p, 20);
    }
    c.wait("10 replicas", 30, |c| c.replicas_of("worker") == 10)
        .await;
    // The consumers catch up and checkpoint the last event of every partition.
    for p in 0..PARTITIONS {
        let (_, last) = c.azure.partition(NS, HUB, p).unwrap();
        c.functions_checkpoint("$Default", p, last);
    }
    c.wait("scale to zero after the cooldown", 30, |c| {
        c.replicas_of("worker") == 0
    })
    .await;

    let hub_requests = c.azure.service_bus_requests();
    assert!(hub_requests
        .iter()
        .all(|r| r.auth == AuthKind::SharedAccessSignature && r.status == 200));
    assert!(hub_requests.iter().any(|r| r
        .path
        .starts_with(&format!("/{HUB}/consumergroups/$Default/partitions/9?"))));
    assert!(c
        .azure
        .storage_requests()
        .iter()
        .all(|r| r.auth == AuthKind::SharedKey));
    let log = host.stop();
    let status = c.status_of("worker").to_string();
    let events = serde_json::to_string(&c.k8s.events()).unwrap();
    for (what, text) in [("log", &log), ("status", &status), ("Events", &events)] {
        for secret in [&key, &sas_key, &hub, &storage] {
            assert!(
                !text.contains(secret.as_str()),
                "a secret leaked into the {what}"
            );
        }
    }
}

/// One ScaledObject per strategy, each on its own consumer group with its checkpoints kept
/// the way that strategy's SDK keeps them; partition 0 holds 0..=39.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_checkpoint_strategy_reads_its_own_blobs() {
    let c = cluster("strategies").await;
    c.azure.set_partition(NS, HUB, 0, 0, 39);
    let ns = c.azure.host(NS);
    c.connection_auth(
        &c.azure.event_hub_connection_string(NS, HUB),
        &c.azure.storage_connection_string(ACCOUNT),
    );
    let go = |seq: i64| {
        format!(
            r#"{{"partitionID":"0","epoch":0,"owner":"","checkpoint":{{"sequenceNumber":{seq},"enqueueTime":""}},"state":"","token":""}}"#
        )
    };
    // Strategy, consumer group, the checkpoint blob (none: no checkpoint) and its body and
    // metadata, and the replicas expected: ceil(lag / 5).
    type Case<'a> = (
        &'a str,
        &'a str,
        Option<(String, String, &'a [(&'a str, &'a str)])>,
        i64,
    );
    let cases: Vec<Case<'_>> = vec![
        (
            "blobMetadata",
            "Meta",
            Some((
                format!("{ns}/{HUB}/meta/checkpoint/0"),
                String::new(),
                &[("sequencenumber", "29"), ("offset", "0")],
            )),
            2,
        ),
        ("goSdk", "go", Some(("0".to_owned(), go(24), &[])), 3),
        (
            "dapr",
            "dp",
            Some((format!("dapr-{HUB}-dp-0"), go(19), &[])),
            4,
        ),
        (
            "default",
            "py",
            Some((
                "py/0".to_owned(),
                r#"{"sequence_number":14,"partition_id":"0"}"#.to_owned(),
                &[],
            )),
            5,
        ),
        // No checkpoint at all: all 40 events.
        ("goSdk", "fresh", None, 8),
    ];
    for (strategy, group, checkpoint, _) in &cases {
        let name = format!("w-{}", group.to_lowercase());
        let container = format!("cp-{}", group.to_lowercase());
        c.deployment(&name);
        if let Some((blob, body, meta)) = checkpoint {
            c.azure.set_blob(ACCOUNT, &container, blob, body, meta);
        }
        c.hub_object(
            &name,
            json!({}),
            conn_trigger(
                json!({"consumerGroup": group, "checkpointStrategy": strategy,
                "blobContainer": container}),
            ),
        );
    }
    let host = c.host();
    for (strategy, group, _, want) in &cases {
        let name = format!("w-{}", group.to_lowercase());
        c.wait(&format!("{strategy}: {want} replicas"), 30, |c| {
            c.replicas_of(&name) == *want
        })
        .await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    for (strategy, group, _, want) in &cases {
        let name = format!("w-{}", group.to_lowercase());
        assert_eq!(c.replicas_of(&name), *want, "{strategy}");
    }
    host.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workload_identity_reads_hub_and_checkpoints_with_tokens() {
    let c = cluster("wi").await;
    c.azure.grant_storage_reader(ACCOUNT, CLIENT_ID);
    for p in 0..PARTITIONS {
        c.azure.set_partition(NS, HUB, p, 0, 9);
        c.azure.set_blob(
            ACCOUNT,
            "cp",
            &p.to_string(),
            &format!(r#"{{"partitionID":"{p}","checkpoint":{{"sequenceNumber":7}}}}"#),
            &[],
        );
    }
    c.k8s
        .apply(
            json!({"apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication",
            "metadata": {"name": "eh-wi", "namespace": "shop"},
            "spec": {"podIdentity": {"provider": "azure-workload"}}}),
        )
        .unwrap();
    // 2 behind on each of 10 partitions: 20, ceil(20/5) = 4.
    c.hub_object(
        "worker",
        json!({}),
        json!({"type": "azure-eventhub",
            "metadata": {"eventHubNamespace": NS, "eventHubName": HUB,
                "storageAccountName": ACCOUNT, "blobContainer": "cp", "checkpointStrategy": "goSdk",
                "unprocessedEventThreshold": "5", "cloud": "Private",
                "endpointSuffix": c.azure.endpoint_suffix(),
                "storageEndpointSuffix": c.azure.storage_endpoint_suffix()},
            "authenticationRef": {"name": "eh-wi"}}),
    );
    let host = c.host();
    c.wait("4 replicas", 30, |c| c.replicas_of("worker") == 4)
        .await;
    assert!(c
        .azure
        .service_bus_requests()
        .iter()
        .all(|r| r.auth == AuthKind::Bearer && r.status == 200));
    assert!(c
        .azure
        .storage_requests()
        .iter()
        .all(|r| r.auth == AuthKind::Bearer && r.status == 200));
    // One token for Event Hubs and one for Storage served every poll.
    assert_eq!(c.azure.token_requests(), 2);
    let log = host.stop();
    assert!(!log.contains(SA_TOKEN), "the SA token leaked into the log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_and_server_errors_are_retried_timeouts_fall_back() {
    let c = cluster("faults").await;
    c.connection_auth(
        &c.azure.event_hub_connection_string(NS, HUB),
        &c.azure.storage_connection_string(ACCOUNT),
    );
    c.azure.set_partition(NS, HUB, 0, 0, 9);
    c.hub_object(
        "worker",
        json!({"fallback": {"failureThreshold": 1, "replicas": 6}}),
        conn_trigger(json!({})),
    );
    let metric = "s0-azure-eventhub-$Default";
    let host = c.host();
    c.wait("2 replicas", 30, |c| c.replicas_of("worker") == 2)
        .await;
    c.azure.clear_requests();
    c.azure
        .inject(Fault::status(429).retry_after(Duration::from_secs(1)));
    c.azure.inject(Fault::status(500).times(2));
    c.wait("the 429, the 500s and the retry after them", 20, |c| {
        let statuses: Vec<u16> = c.azure.requests().iter().map(|r| r.status).collect();
        statuses.windows(4).any(|w| w == [429, 500, 500, 200])
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        c.failures_of("worker", metric),
        0,
        "{}",
        c.status_of("worker")
    );
    assert_eq!(c.replicas_of("worker"), 2);
    // Every request too slow: polls fail, and the fallback takes over.
    c.azure
        .inject(Fault::delay(Duration::from_secs(5)).times(10_000));
    c.wait("fallback to 6 replicas", 60, |c| {
        c.replicas_of("worker") == 6
    })
    .await;
    let log = host.stop();
    assert!(log.contains("within"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_outside_the_allowed_suffixes_gets_no_signature() {
    let c = cluster("suffix").await;
    let elsewhere = "Endpoint=sb://telemetry.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=c2VjcmV0LWtleQ==;EntityPath=telemetry";
    c.connection_auth(elsewhere, &c.azure.storage_connection_string(ACCOUNT));
    c.hub_object(
        "worker",
        json!({"fallback": {"failureThreshold": 1, "replicas": 3}}),
        conn_trigger(json!({})),
    );
    let host = c.host();
    c.wait("fallback to 3 replicas", 30, |c| {
        c.replicas_of("worker") == 3
    })
    .await;
    assert!(c.azure.requests().is_empty(), "{:?}", c.azure.requests());
    let log = host.stop();
    assert!(
        log.contains("telemetry.servicebus.windows.net is not under an allowed endpoint suffix"),
        "{log}"
    );
    assert!(!log.contains("c2VjcmV0LWtleQ"));
}

/// Two ScaledObjects on one hub and consumer group: one read of the hub per polling interval
/// between them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scaled_objects_on_one_hub_share_each_read() {
    let c = cluster("shared").await;
    c.connection_auth(
        &c.azure.event_hub_connection_string(NS, HUB),
        &c.azure.storage_connection_string(ACCOUNT),
    );
    c.azure.set_partition(NS, HUB, 0, 0, 9);
    c.deployment("other");
    c.hub_object("worker", json!({}), conn_trigger(json!({})));
    c.hub_object("other", json!({}), conn_trigger(json!({})));
    let host = c.host();
    c.wait("both at 2 replicas", 30, |c| {
        c.replicas_of("worker") == 2 && c.replicas_of("other") == 2
    })
    .await;
    c.azure.clear_requests();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let hub_reads = c.hub_reads().len();
    // Polling every second for 5 s, two ScaledObjects: about 5 reads, never 10.
    assert!(
        (3..=7).contains(&hub_reads),
        "{hub_reads} reads of the hub in 5 s"
    );
    let partition_reads = c
        .azure
        .service_bus_requests()
        .iter()
        .filter(|r| r.path.contains("/partitions/0?"))
        .count();
    assert_eq!(partition_reads, hub_reads);
    host.stop();
}
