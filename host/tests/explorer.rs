//! `scalecore run` polling `azure-data-explorer` triggers against the stand-in's Data Explorer
//! cluster, as a separate process configured only through what a user sets (a kubeconfig,
//! AZURE_* variables, a client secret in a Secret, `cloud: Private` with
//! `activeDirectoryEndpoint`, the allowed suffixes, a CA file).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::cluster::{Cluster, CLIENT_ID, SA_TOKEN, TENANT, WORKLOAD_AUTH};

use std::time::{Duration, Instant};

use scalecore_standin_azure::{AuthKind, AzureStandin, RequestRecord};
use serde_json::{json, Value};

/// A service principal with a client secret.
const APP_ID: &str = "eebdbbab-cf74-4791-a5c6-1ef5d90b1fa8";
const CLUSTER: &str = "contoso";
const DB: &str = "ops";
const QUERY: &str = "Orders | where State == 'queued' | count";

/// The cluster `contoso` with a database `ops` both identities may query, and the
/// application's client secret.
async fn cluster(test: &str) -> (Cluster, String) {
    let c = Cluster::new(
        &format!("explorer-{test}"),
        &format!("s0-azure-data-explorer-{DB}"),
        AzureStandin::kusto_endpoint_suffix,
    )
    .await;
    let app_secret = c.azure.add_client_secret(TENANT, APP_ID);
    c.azure.grant_kusto_viewer(CLUSTER, CLIENT_ID);
    c.azure.grant_kusto_viewer(CLUSTER, APP_ID);
    (c, app_secret)
}

/// The queries sent (not the auth metadata reads).
fn queries(c: &Cluster) -> Vec<RequestRecord> {
    c.azure
        .kusto_requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect()
}

fn wi_trigger(c: &Cluster) -> Value {
    json!({"type": "azure-data-explorer",
        "metadata": {"endpoint": c.azure.kusto_endpoint(CLUSTER), "databaseName": DB,
                     "query": QUERY, "threshold": "5"},
        "authenticationRef": {"name": WORKLOAD_AUTH}})
}

/// A service principal as KEDA takes it: tenantId and clientId in the metadata, the secret
/// from the TriggerAuthentication, the authority of a Private cloud.
fn sp_trigger(c: &Cluster, authority: &str) -> Value {
    json!({"type": "azure-data-explorer",
        "metadata": {"endpoint": c.azure.kusto_endpoint(CLUSTER), "databaseName": DB,
                     "query": QUERY, "threshold": "5", "tenantId": TENANT, "clientId": APP_ID,
                     "cloud": "Private", "activeDirectoryEndpoint": authority},
        "authenticationRef": {"name": "adx-sp"}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workload_identity_query_scales_out_and_back_to_zero_one_query_per_interval() {
    let (c, _) = cluster("wi").await;
    c.deployment("billing-worker");
    c.azure.set_kusto_count(CLUSTER, DB, QUERY, 0);
    // Two ScaledObjects on the same query share each poll's answer.
    c.scaled_object("orders", "orders-worker", json!({}), wi_trigger(&c));
    c.scaled_object("billing", "billing-worker", json!({}), wi_trigger(&c));
    let host = c.host();
    c.wait("the host to poll", 20, |c| c.status() != Value::Null)
        .await;
    assert_eq!(c.replicas(), 0);

    c.azure.set_kusto_count(CLUSTER, DB, QUERY, 23);
    c.wait("ceil(23/5) = 5 replicas on both", 30, |c| {
        c.replicas() == 5 && c.replicas_of("billing-worker") == 5
    })
    .await;
    c.azure.clear_requests();
    let window = Instant::now();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let queries = queries(&c).len() as f64;
    let seconds = window.elapsed().as_secs_f64();
    // Two ScaledObjects polling every second: one query a second, not two.
    assert!(
        queries <= seconds + 1.0,
        "{queries} queries in {seconds:.1}s for two ScaledObjects on one query"
    );
    assert!(queries >= 3.0, "{queries} queries in {seconds:.1}s");

    c.azure.set_kusto_count(CLUSTER, DB, QUERY, 0);
    c.wait("scale to zero after the cooldown", 30, |c| {
        c.replicas() == 0
    })
    .await;
    let requests = c.azure.kusto_requests();
    assert!(requests
        .iter()
        .all(|r| r.method == "POST" && r.path == "/v2/rest/query" && r.auth == AuthKind::Bearer));
    // One token for the cluster's resource (the auth metadata read once, before the window).
    assert_eq!(c.azure.token_requests(), 1);
    let log = host.stop();
    assert!(!log.contains(SA_TOKEN), "the SA token leaked into the log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_secret_of_a_private_cloud_reads_a_real_and_never_leaks() {
    let (c, app_secret) = cluster("sp").await;
    c.secret_auth("adx-sp", "clientSecret", &app_secret);
    c.azure
        .set_kusto_result(CLUSTER, DB, QUERY, "real", vec![json!(12.5)]);
    c.scaled_object(
        "orders",
        "orders-worker",
        json!({}),
        sp_trigger(&c, &c.azure.authority_host()),
    );
    let host = c.host();
    c.wait("ceil(12.5/5) = 3 replicas", 30, |c| c.replicas() == 3)
        .await;
    let metadata: Vec<RequestRecord> = c
        .azure
        .kusto_requests()
        .into_iter()
        .filter(|r| r.method == "GET")
        .collect();
    assert_eq!(metadata.len(), 1, "{metadata:?}");
    assert_eq!(metadata[0].path, "/v1/rest/auth/metadata");
    assert_eq!(metadata[0].auth, AuthKind::None);
    assert_eq!(c.azure.token_requests(), 1);
    let log = host.stop();
    let status = c.status().to_string();
    let events = serde_json::to_string(&c.k8s.events()).unwrap();
    for (what, text) in [("log", &log), ("status", &status), ("Events", &events)] {
        assert!(
            !text.contains(&app_secret),
            "the client secret leaked into the {what}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_server_errors_and_timeouts_are_retried_without_a_failure() {
    let (c, _) = cluster("faults").await;
    c.azure.set_kusto_count(CLUSTER, DB, QUERY, 10);
    c.scaled_object("orders", "orders-worker", json!({}), wi_trigger(&c));
    let host = c.host();
    c.wait("ceil(10/5) = 2 replicas", 30, |c| c.replicas() == 2)
        .await;
    c.ride_out_faults(host, queries).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_keda_refuses_fail_the_trigger_and_fall_back() {
    let (c, _) = cluster("refused").await;
    c.azure.set_kusto_count(CLUSTER, DB, QUERY, 10);
    c.scaled_object(
        "orders",
        "orders-worker",
        json!({"fallback": {"failureThreshold": 3, "replicas": 6}}),
        wi_trigger(&c),
    );
    let host = c.host();
    c.wait("2 replicas", 30, |c| c.replicas() == 2).await;
    // A string column: KEDA accepts int, long and real only.
    c.azure
        .set_kusto_result(CLUSTER, DB, QUERY, "string", vec![json!("10")]);
    c.wait("fallback to 6 replicas", 40, |c| c.replicas() == 6)
        .await;
    assert!(c.failures() >= 3, "{}", c.status());
    c.azure
        .set_kusto_result(CLUSTER, DB, QUERY, "long", vec![json!(1), json!(2)]);
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(c.replicas(), 6);
    let log = host.stop();
    assert!(
        log.contains(&format!(
            "failed to extract value from query {QUERY}: data type string is not valid"
        )),
        "{log}"
    );
    assert!(
        log.contains(&format!(
            "query {QUERY} result had more than a single result row"
        )),
        "{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_cluster_or_authority_gets_no_credential() {
    let (c, app_secret) = cluster("foreign").await;
    c.secret_auth("adx-sp", "clientSecret", &app_secret);
    // Served by the stand-in, but under no allowed suffix: a request there would be recorded.
    let foreign_cluster = format!("https://collector.blob.localhost:{}", c.azure.port());
    let foreign_authority = format!("https://collector.queue.localhost:{}/", c.azure.port());
    let mut by_endpoint = wi_trigger(&c);
    by_endpoint["metadata"]["endpoint"] = json!(foreign_cluster);
    c.scaled_object("orders", "orders-worker", json!({}), by_endpoint);
    c.deployment("billing-worker");
    c.scaled_object(
        "billing",
        "billing-worker",
        json!({}),
        sp_trigger(&c, &foreign_authority),
    );
    let host = c.host();
    // Each poll of each trigger is refused; two rounds of both.
    c.wait_for_log(&host, "no credential was sent", 2).await;
    c.wait_for_log(&host, "the client secret was not sent", 2)
        .await;
    assert!(c.azure.requests().is_empty(), "{:?}", c.azure.requests());
    assert_eq!(c.azure.token_requests(), 0);
    assert_eq!((c.replicas(), c.replicas_of("billing-worker")), (0, 0));
    let log = host.stop();
    assert!(log.contains("collector.blob.localhost"), "{log}");
    assert!(log.contains("collector.queue.localhost"), "{log}");
    assert!(!log.contains(&app_secret));
}
