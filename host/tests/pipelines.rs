//! `scalecore run` polling `azure-pipelines` triggers against the stand-in's Azure DevOps, as a
//! separate process configured only through what a user sets (a kubeconfig, AZURE_* variables,
//! a personal access token in a Secret, the allowed suffixes, a CA file).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::cluster::{Cluster, CLIENT_ID, SA_TOKEN, WORKLOAD_AUTH};

use std::time::{Duration, Instant};

use scalecore_standin_azure::{AuthKind, AzureStandin, RequestRecord};
use serde_json::{json, Value};

/// A personal access token of the organization.
const PAT: &str = "pat5x3kq7ahvo2mzw4ncr6tyb8lgeuj9dfsp0ri";
const ORG: &str = "contoso";
const POOL: &str = "linux";
const POOL_ID: i64 = 12;

/// The organization `contoso` with the pool `linux`, its PAT and the identity as a member.
async fn cluster(test: &str) -> Cluster {
    let c = Cluster::new(
        &format!("pipelines-{test}"),
        &format!("s0-azure-pipelines-{POOL}"),
        AzureStandin::devops_endpoint_suffix,
    )
    .await;
    c.azure.add_devops_pat(ORG, PAT);
    c.azure.grant_devops_member(ORG, CLIENT_ID);
    c.azure.set_agent_pool(ORG, POOL_ID, POOL);
    c
}

/// Job requests reads (not pool lookups).
fn job_reads(c: &Cluster) -> Vec<RequestRecord> {
    c.azure
        .devops_requests()
        .into_iter()
        .filter(|r| r.path.contains("/jobrequests"))
        .collect()
}

/// The personal access token in a Secret, read through the TriggerAuthentication `ado-pat`.
fn pat_auth(c: &Cluster, pat: &str) {
    c.secret_auth("ado-pat", "personalAccessToken", pat);
}

fn pat_trigger(c: &Cluster, extra: Value) -> Value {
    let mut meta = json!({"organizationURL": c.azure.devops_organization_url(ORG),
        "poolName": POOL, "targetPipelinesQueueLength": "5"});
    for (k, v) in extra.as_object().unwrap() {
        meta[k] = v.clone();
    }
    json!({"type": "azure-pipelines", "metadata": meta, "authenticationRef": {"name": "ado-pat"}})
}

/// The job requests of KEDA's own test fixture: two queued (one matched to the template
/// agent `dotnet60-keda-template`), one finished, one received by an agent.
fn keda_jobs() -> Vec<Value> {
    let listed: Value = serde_json::from_str(include_str!(
        "../../tests/azure-samples/devops-jobrequests.keda-testdata.json"
    ))
    .unwrap();
    let mut jobs = listed["value"].as_array().unwrap().clone();
    for extra in [
        include_str!("../../tests/azure-samples/devops-jobrequest-finished.keda-testdata.json"),
        include_str!("../../tests/azure-samples/devops-jobrequest-received.keda-testdata.json"),
    ] {
        jobs.push(serde_json::from_str(extra).unwrap());
    }
    jobs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pat_scales_on_queued_jobs_and_back_to_zero_one_read_per_interval() {
    let c = cluster("pat").await;
    pat_auth(&c, PAT);
    c.deployment("billing-worker");
    c.azure.set_queued_jobs(ORG, POOL_ID, 0, 5, &[]);
    // Two ScaledObjects on the same pool share each poll's answer.
    c.scaled_object(
        "orders",
        "orders-worker",
        json!({}),
        pat_trigger(&c, json!({})),
    );
    c.scaled_object(
        "billing",
        "billing-worker",
        json!({}),
        pat_trigger(&c, json!({})),
    );
    let host = c.host();
    c.wait("the host to poll", 20, |c| c.status() != Value::Null)
        .await;
    assert_eq!(c.replicas(), 0);

    // 23 queued and 5 finished: ceil(23/5) = 5.
    c.azure.set_queued_jobs(ORG, POOL_ID, 23, 5, &[]);
    c.wait("5 replicas on both", 30, |c| {
        c.replicas() == 5 && c.replicas_of("billing-worker") == 5
    })
    .await;
    c.azure.clear_requests();
    let window = Instant::now();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let reads = job_reads(&c).len() as f64;
    let seconds = window.elapsed().as_secs_f64();
    assert!(
        reads <= seconds + 1.0,
        "{reads} job requests reads in {seconds:.1}s for two ScaledObjects on one pool"
    );
    assert!(reads >= 3.0, "{reads} reads in {seconds:.1}s");

    c.azure.set_queued_jobs(ORG, POOL_ID, 0, 28, &[]);
    c.wait("scale to zero after the cooldown", 30, |c| {
        c.replicas() == 0
    })
    .await;
    let requests = c.azure.devops_requests();
    assert!(requests
        .iter()
        .all(|r| r.auth == AuthKind::Basic && r.status == 200));
    assert!(requests
        .iter()
        .all(|r| r.path
            == format!("/{ORG}/_apis/distributedtask/pools/{POOL_ID}/jobrequests?$top=250")));
    assert_eq!(c.azure.token_requests(), 0);
    let log = host.stop();
    let status = c.status().to_string();
    let events = serde_json::to_string(&c.k8s.events()).unwrap();
    for (what, text) in [("log", &log), ("status", &status), ("Events", &events)] {
        assert!(!text.contains(PAT), "the PAT leaked into the {what}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workload_identity_counts_jobs_for_the_parent_template_only() {
    let c = cluster("wi").await;
    c.azure.set_agent_pool(ORG, 44, "kube");
    c.azure.set_job_requests(ORG, 44, keda_jobs());
    c.scaled_object(
        "orders",
        "orders-worker",
        json!({}),
        json!({"type": "azure-pipelines",
            "metadata": {"organizationURL": c.azure.devops_organization_url(ORG), "poolID": "44",
                         "parent": "dotnet60-keda-template", "targetPipelinesQueueLength": "1"},
            "authenticationRef": {"name": WORKLOAD_AUTH}}),
    );
    c.deployment("billing-worker");
    c.scaled_object(
        "billing",
        "billing-worker",
        json!({}),
        json!({"type": "azure-pipelines",
            "metadata": {"organizationURL": c.azure.devops_organization_url(ORG), "poolID": "44",
                         "demands": "kubectl", "targetPipelinesQueueLength": "1"},
            "authenticationRef": {"name": WORKLOAD_AUTH}}),
    );
    let host = c.host();
    // Of the four requests two are queued; one has the template among its matched agents,
    // the other demands only kubectl.
    c.wait("1 replica each", 30, |c| {
        c.replicas() == 1 && c.replicas_of("billing-worker") == 1
    })
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!((c.replicas(), c.replicas_of("billing-worker")), (1, 1));
    let requests = c.azure.devops_requests();
    assert!(requests.iter().all(|r| r.auth == AuthKind::Bearer));
    let paths: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    // The pool checked once per trigger; `parent` reads without $top.
    assert!(
        paths.contains(&"/contoso/_apis/distributedtask/pools?poolID=44"),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"/contoso/_apis/distributedtask/pools/44/jobrequests"),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"/contoso/_apis/distributedtask/pools/44/jobrequests?$top=250"),
        "{paths:?}"
    );
    assert_eq!(c.azure.token_requests(), 1);
    let log = host.stop();
    assert!(!log.contains(SA_TOKEN), "the SA token leaked into the log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_server_errors_and_timeouts_are_retried_without_a_failure() {
    let c = cluster("faults").await;
    pat_auth(&c, PAT);
    c.azure.set_queued_jobs(ORG, POOL_ID, 10, 0, &[]);
    c.scaled_object(
        "orders",
        "orders-worker",
        json!({}),
        pat_trigger(&c, json!({})),
    );
    let host = c.host();
    c.wait("ceil(10/5) = 2 replicas", 30, |c| c.replicas() == 2)
        .await;
    c.ride_out_faults(host, job_reads).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_pat_and_a_huge_answer_fail_the_trigger_without_leaking() {
    let c = cluster("refused").await;
    let revoked = "revoked-pat-0123456789abcdefghijklmnopq";
    pat_auth(&c, revoked);
    c.azure.set_queued_jobs(ORG, POOL_ID, 10, 0, &[]);
    c.scaled_object(
        "orders",
        "orders-worker",
        json!({"minReplicaCount": 1, "fallback": {"failureThreshold": 3, "replicas": 6}}),
        pat_trigger(&c, json!({})),
    );
    let host = c.host();
    c.wait("fallback to 6 replicas", 40, |c| c.replicas() == 6)
        .await;
    // A 401 is not retried: one request per poll.
    let requests = c.azure.devops_requests();
    assert!(requests.iter().all(|r| r.status == 401), "{requests:?}");
    assert!(
        requests.len() as i64 <= c.failures() + 2,
        "{} requests for {} failed polls",
        requests.len(),
        c.failures()
    );
    let log = host.stop();
    assert!(log.contains("Azure DevOps answered 401"), "{log}");
    assert!(!log.contains(revoked), "the PAT leaked into the log");

    // A pool whose answer is larger than the host reads (unfinished jobs have no $top to bound
    // them): the poll fails, the host lives.
    pat_auth(&c, PAT);
    c.scaled_object(
        "orders",
        "orders-worker",
        json!({"minReplicaCount": 1, "fallback": {"failureThreshold": 3, "replicas": 6}}),
        pat_trigger(&c, json!({"fetchUnfinishedJobsOnly": "true"})),
    );
    let demand = "x".repeat(1000);
    let big: Vec<Value> = (0..20_000)
        .map(|n| json!({"requestId": n, "demands": [demand.clone()]}))
        .collect();
    c.azure.set_job_requests(ORG, POOL_ID, big);
    c.azure.clear_requests();
    let host = c.host();
    c.wait_for_log(&host, "is larger than 16777216 bytes", 1)
        .await;
    assert_eq!(c.replicas(), 6);
    drop(host);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_organization_gets_no_credential() {
    let c = cluster("foreign").await;
    pat_auth(&c, PAT);
    let mut trigger = pat_trigger(&c, json!({}));
    // Served by the stand-in, but under no allowed suffix: a request there would be recorded.
    trigger["metadata"]["organizationURL"] = json!(format!(
        "https://collector.blob.localhost:{}/{ORG}",
        c.azure.port()
    ));
    c.scaled_object("orders", "orders-worker", json!({}), trigger);
    let host = c.host();
    c.wait_for_log(&host, "no credential was sent", 2).await;
    assert!(c.azure.requests().is_empty(), "{:?}", c.azure.requests());
    let log = host.stop();
    assert!(log.contains("collector.blob.localhost"), "{log}");
    assert!(!log.contains(PAT));
}
