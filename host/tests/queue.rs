//! `scalecore run` polling `azure-queue` and `azure-blob` triggers against the stand-in's Queue
//! and Blob services, as a separate process configured only through what a user sets (a kubeconfig, AZURE_*
//! variables, a connection string in a Secret, a Private-cloud endpointSuffix, a CA file).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::cluster::{Cluster, CLIENT_ID, SA_TOKEN};
use scalecore_standin_azure::{AuthKind, AzureStandin, Fault};
use serde_json::{json, Value};

const ACCOUNT: &str = "contosostore";

/// The stand-ins, the Deployment `orders-worker`, and a host that may send credentials to the
/// Queue and Blob services.
async fn cluster(test: &str) -> Cluster {
    Cluster::new(&format!("queue-{test}"), "s0-azure-queue-orders", |a| {
        a.queue_endpoint_suffix()
    })
    .await
    .also_allow(AzureStandin::blob_endpoint_suffix)
}

fn conn_trigger() -> Value {
    json!({"type": "azure-queue",
        "metadata": {"queueName": "orders", "queueLength": "5"},
        "authenticationRef": {"name": "store-conn"}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_key_from_a_secret_scales_out_and_back_to_zero_and_never_leaks() {
    let c = cluster("conn").await;
    let conn = c.azure.storage_connection_string(ACCOUNT);
    let key = c.azure.storage_account_key(ACCOUNT);
    c.secret_auth("store-conn", "connection", &conn);
    c.azure.set_storage_queue(ACCOUNT, "orders", 0, 0);
    c.scaled_object("orders", "orders-worker", json!({}), conn_trigger());
    let host = c.host();
    c.wait("the host to poll", 20, |c| c.status() != Value::Null)
        .await;
    assert_eq!(c.replicas(), 0);

    c.azure.set_storage_queue(ACCOUNT, "orders", 100, 0);
    c.wait("10 replicas", 30, |c| c.replicas() == 10).await;
    c.azure.set_storage_queue(ACCOUNT, "orders", 0, 0);
    c.wait("scale to zero after the cooldown", 30, |c| {
        c.replicas() == 0
    })
    .await;

    let requests = c.azure.storage_requests();
    assert!(!requests.is_empty());
    assert!(
        requests
            .iter()
            .all(|r| r.auth == AuthKind::SharedKey && r.path == "/orders?comp=metadata"),
        "{requests:?}"
    );
    let log = host.stop();
    let status = c.status().to_string();
    let events = serde_json::to_string(&c.k8s.events()).unwrap();
    for (what, text) in [("log", &log), ("status", &status), ("Events", &events)] {
        assert!(
            !text.contains(&key),
            "the account key leaked into the {what}"
        );
        assert!(
            !text.contains(&conn),
            "the connection string leaked into the {what}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workload_identity_counts_visible_messages_only_when_asked() {
    let c = cluster("wi").await;
    c.azure.grant_storage_reader(ACCOUNT, CLIENT_ID);
    c.k8s
        .apply(
            json!({"apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication",
            "metadata": {"name": "store-wi", "namespace": "shop"},
            "spec": {"podIdentity": {"provider": "azure-workload"}}}),
        )
        .unwrap();
    // 12 visible, 8 dequeued: visibleonly counts 12 (3 replicas), the default would count 20.
    c.azure.set_storage_queue(ACCOUNT, "orders", 12, 8);
    c.scaled_object(
        "orders",
        "orders-worker",
        json!({}),
        json!({"type": "azure-queue",
            "metadata": {"queueName": "orders", "queueLength": "5", "accountName": ACCOUNT,
                         "queueLengthStrategy": "visibleonly",
                         "cloud": "Private", "endpointSuffix": c.azure.queue_endpoint_suffix()},
            "authenticationRef": {"name": "store-wi"}}),
    );
    let host = c.host();
    c.wait("ceil(12/5) = 3 replicas", 30, |c| c.replicas() == 3)
        .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(c.replicas(), 3, "the invisible messages were counted");
    let requests = c.azure.storage_requests();
    assert!(requests.iter().all(|r| r.auth == AuthKind::Bearer
        && r.path == "/orders/messages?peekonly=true&numofmessages=32"));
    // One storage-scoped token served every poll.
    assert_eq!(c.azure.token_requests(), 1);
    let log = host.stop();
    assert!(!log.contains(SA_TOKEN), "the SA token leaked into the log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_503_with_retry_after_is_waited_out_without_a_failure() {
    let c = cluster("busy").await;
    c.secret_auth(
        "store-conn",
        "connection",
        &c.azure.storage_connection_string(ACCOUNT),
    );
    c.azure.set_storage_queue(ACCOUNT, "orders", 10, 0);
    c.scaled_object("orders", "orders-worker", json!({}), conn_trigger());
    let host = c.host();
    c.wait("ceil(10/5) = 2 replicas", 30, |c| c.replicas() == 2)
        .await;
    c.azure.clear_requests();
    c.azure
        .inject(Fault::status(503).retry_after(Duration::from_secs(1)));
    c.wait("the 503 and the retry after it", 20, |c| {
        let statuses: Vec<u16> = c
            .azure
            .storage_requests()
            .iter()
            .map(|r| r.status)
            .collect();
        statuses.windows(2).any(|w| w == [503, 200])
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(c.failures(), 0, "{}", c.status());
    assert_eq!(c.replicas(), 2);
    // The poll waited and retried inside itself: no poll failed.
    let log = host.stop();
    assert!(!log.contains("scaler error"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_queue_fails_the_trigger_and_falls_back() {
    let c = cluster("missing").await;
    c.secret_auth(
        "store-conn",
        "connection",
        &c.azure.storage_connection_string(ACCOUNT),
    );
    c.azure.set_storage_queue(ACCOUNT, "orders", 10, 0);
    c.scaled_object(
        "orders",
        "orders-worker",
        json!({"fallback": {"failureThreshold": 3, "replicas": 6}}),
        conn_trigger(),
    );
    let host = c.host();
    c.wait("2 replicas", 30, |c| c.replicas() == 2).await;
    c.azure.remove_storage_queue(ACCOUNT, "orders");
    c.wait("fallback to 6 replicas", 40, |c| c.replicas() == 6)
        .await;
    assert!(c.failures() >= 3, "{}", c.status());
    let log = host.stop();
    assert!(log.contains("queue orders doesn't exist"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_credential_is_not_retried_and_falls_back_without_the_key() {
    let c = cluster("refused").await;
    let conn = c.azure.storage_connection_string(ACCOUNT);
    let key = c.azure.storage_account_key(ACCOUNT);
    c.secret_auth("store-conn", "connection", &conn);
    c.azure.set_storage_queue(ACCOUNT, "orders", 10, 0);
    c.scaled_object(
        "orders",
        "orders-worker",
        json!({"fallback": {"failureThreshold": 3, "replicas": 6}}),
        conn_trigger(),
    );
    let host = c.host();
    c.wait("2 replicas", 30, |c| c.replicas() == 2).await;
    c.azure.clear_requests();
    c.azure.inject(Fault::status(401).times(10_000));
    c.wait("fallback to 6 replicas", 40, |c| c.replicas() == 6)
        .await;
    // One request per poll: 401 is not retried.
    let requests = c.azure.storage_requests();
    let failures = c.failures();
    assert!(failures >= 3, "{}", c.status());
    assert!(
        requests.len() as i64 <= failures + 2,
        "{} requests for {failures} failed polls",
        requests.len()
    );
    let log = host.stop();
    assert!(
        log.contains("Storage answered 401 InvalidAuthenticationInfo"),
        "{log}"
    );
    assert!(!log.contains(&key), "the account key leaked into the log");
    let events = serde_json::to_string(&c.k8s.events()).unwrap();
    assert!(!events.contains(&key) && !c.status().to_string().contains(&key));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blobs_under_a_prefix_scale_the_deployment_over_paged_listings() {
    let c = cluster("blob").await;
    let conn = c.azure.storage_connection_string(ACCOUNT);
    let key = c.azure.storage_account_key(ACCOUNT);
    c.secret_auth("store-conn", "connection", &conn);
    c.azure.set_blob_page_size(5);
    let names: Vec<String> = (0..12).map(|n| format!("in/{n:02}.csv")).collect();
    let mut blobs: Vec<&str> = names.iter().map(String::as_str).collect();
    // Neither a virtual directory under the prefix nor a blob outside it counts.
    blobs.extend(["in/done/x.csv", "out/y.csv"]);
    c.azure.set_blobs(ACCOUNT, "work", &blobs);
    c.k8s
        .apply(
            json!({"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
            "metadata": {"name": "orders", "namespace": "shop"},
            "spec": {"scaleTargetRef": {"name": "orders-worker"}, "pollingInterval": 1,
                "cooldownPeriod": 4, "minReplicaCount": 0, "maxReplicaCount": 10,
                "triggers": [{"type": "azure-blob",
                    "metadata": {"blobContainerName": "work", "blobPrefix": "in", "blobCount": "5"},
                    "authenticationRef": {"name": "store-conn"}}]}}),
        )
        .unwrap();
    let host = c.host();
    c.wait("ceil(12/5) = 3 replicas", 30, |c| c.replicas() == 3)
        .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(c.replicas(), 3);
    c.azure.set_blobs(ACCOUNT, "work", &["out/y.csv"]);
    c.wait("scale to zero after the cooldown", 30, |c| {
        c.replicas() == 0
    })
    .await;
    let requests = c.azure.storage_requests();
    assert!(
        requests.iter().any(|r| r.path.contains("&marker=")),
        "{requests:?}"
    );
    assert!(requests
        .iter()
        .all(|r| r.auth == AuthKind::SharedKey && r.status == 200));
    let log = host.stop();
    assert!(!log.contains(&key), "the account key leaked into the log");
}
