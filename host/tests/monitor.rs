//! `scalecore run` polling `azure-monitor`, `azure-log-analytics` and `azure-app-insights`
//! triggers against the stand-in's Resource Manager, Log Analytics and Application Insights
//! APIs, as
//! a separate process configured only through what a user sets (a kubeconfig, AZURE_*
//! variables, a service principal's secret in a Secret, a Private cloud's
//! azureResourceManagerEndpoint, an allowed suffix, a CA file).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::cluster::{Cluster, CLIENT_ID, SA_TOKEN, TENANT};
use scalecore_standin_azure::{AuthKind, AzureStandin, Fault};
use serde_json::{json, Value};

const SP_CLIENT_ID: &str = "99999999-8888-7777-6666-555555555555";
const SUB: &str = "00000000-1111-2222-3333-444444444444";
const RESOURCE: &str = "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/shop/providers/Microsoft.ServiceBus/namespaces/orders";
const METRIC: &str = "ActiveMessages";
/// The health key of the ScaledObject's only trigger (KEDA's metric name).
const HEALTH: &str = "s0-azure-monitor-ActiveMessages";

/// The stand-ins, the Deployment `orders-worker`, and a host that may send credentials to
/// Resource Manager, Log Analytics and Application Insights.
async fn cluster(test: &str) -> Cluster {
    Cluster::new(&format!("monitor-{test}"), HEALTH, |a| {
        a.resource_manager_suffix()
    })
    .await
    .also_allow(AzureStandin::log_analytics_suffix)
    .also_allow(AzureStandin::app_insights_suffix)
}

impl Cluster {
    /// A service principal's id and secret in a Secret, read through a TriggerAuthentication.
    fn sp_auth(&self, secret: &str) {
        self.k8s
            .apply(json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "sp", "namespace": "shop"},
                "data": {"id": base64(SP_CLIENT_ID), "password": base64(secret)}}))
            .unwrap();
        self.k8s
            .apply(json!({"apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication",
                "metadata": {"name": "monitor-sp", "namespace": "shop"},
                "spec": {"secretTargetRef": [
                    {"parameter": "activeDirectoryClientId", "name": "sp", "key": "id"},
                    {"parameter": "activeDirectoryClientPassword", "name": "sp", "key": "password"}]}}))
            .unwrap();
    }

    fn trigger(&self, auth: &str, endpoint: &str) -> Value {
        json!({"type": "azure-monitor",
            "metadata": {"resourceURI": "Microsoft.ServiceBus/namespaces/orders", "tenantId": TENANT,
                "subscriptionId": SUB, "resourceGroupName": "shop", "metricName": METRIC,
                "metricAggregationType": "Average", "targetValue": "5",
                "cloud": "Private", "azureResourceManagerEndpoint": endpoint},
            "authenticationRef": {"name": auth}})
    }
}

fn base64(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_principal_scales_out_and_back_to_zero_and_never_leaks() {
    let c = cluster("sp").await;
    let secret = c.azure.add_client_secret(TENANT, SP_CLIENT_ID);
    c.azure.grant_monitoring_reader(SP_CLIENT_ID);
    c.azure.set_metric(RESOURCE, METRIC, 0.0);
    c.sp_auth(&secret);
    c.scaled_object(
        "orders",
        "orders-worker",
        json!({}),
        c.trigger("monitor-sp", &c.azure.resource_manager_endpoint()),
    );
    let host = c.host();
    c.wait("the host to poll", 20, |c| c.status() != Value::Null)
        .await;
    assert_eq!(c.replicas(), 0);

    // 23 / target 5: ceil = 5 replicas; 100: the maximum.
    c.azure.set_metric(RESOURCE, METRIC, 23.0);
    c.wait("ceil(23/5) = 5 replicas", 30, |c| c.replicas() == 5)
        .await;
    c.azure.set_metric(RESOURCE, METRIC, 100.0);
    c.wait("10 replicas", 30, |c| c.replicas() == 10).await;
    c.azure.set_metric(RESOURCE, METRIC, 0.0);
    c.wait("scale to zero after the cooldown", 30, |c| {
        c.replicas() == 0
    })
    .await;

    let requests = c.azure.resource_manager_requests();
    assert!(!requests.is_empty());
    assert!(
        requests.iter().all(|r| r.auth == AuthKind::Bearer
            && r.status == 200
            && r.path.starts_with(&format!(
                "{RESOURCE}/providers/Microsoft.Insights/metrics?aggregation=Average&api-version=2018-01-01&metricnames=ActiveMessages&timespan="
            ))),
        "{requests:?}"
    );
    // One token served every poll.
    assert_eq!(c.azure.token_requests(), 1);
    let log = host.stop();
    let status = c.status().to_string();
    let events = serde_json::to_string(&c.k8s.events()).unwrap();
    for (what, text) in [("log", &log), ("status", &status), ("Events", &events)] {
        assert!(!text.contains(&secret), "the secret leaked into the {what}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_scaled_objects_on_one_metric_share_one_request_per_interval() {
    let c = cluster("wi").await;
    c.azure.grant_monitoring_reader(CLIENT_ID);
    c.azure.set_metric(RESOURCE, METRIC, 12.0);
    c.k8s
        .apply(
            json!({"apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication",
            "metadata": {"name": "monitor-wi", "namespace": "shop"},
            "spec": {"podIdentity": {"provider": "azure-workload"}}}),
        )
        .unwrap();
    c.k8s
        .apply(json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "audit-worker", "namespace": "shop"},
            "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "a"}},
                     "template": {"metadata": {"labels": {"app": "a"}},
                                  "spec": {"containers": [{"name": "worker", "image": "a:1"}]}}}}))
        .unwrap();
    let trigger = c.trigger("monitor-wi", &c.azure.resource_manager_endpoint());
    c.scaled_object(
        "orders",
        "orders-worker",
        json!({"pollingInterval": 2}),
        trigger.clone(),
    );
    c.k8s
        .apply(
            json!({"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
            "metadata": {"name": "audit", "namespace": "shop"},
            "spec": {"scaleTargetRef": {"name": "audit-worker"}, "pollingInterval": 2,
                "minReplicaCount": 0, "maxReplicaCount": 10, "triggers": [trigger]}}),
        )
        .unwrap();
    let host = c.host();
    let audit = |c: &Cluster| {
        c.k8s
            .get("apps/v1", "Deployment", Some("shop"), "audit-worker")
            .and_then(|d| d.pointer("/spec/replicas").and_then(Value::as_i64))
            .unwrap_or(-1)
    };
    c.wait("ceil(12/5) = 3 replicas for both", 30, |c| {
        c.replicas() == 3 && audit(c) == 3
    })
    .await;
    c.azure.clear_requests();
    tokio::time::sleep(Duration::from_secs(10)).await;
    // 10 s at a 2 s interval: about 5 polls of each ScaledObject, one request each interval.
    let n = c.azure.resource_manager_requests().len();
    assert!((3..=7).contains(&n), "{n} requests in 10 s");
    assert_eq!(c.azure.token_requests(), 1);
    let log = host.stop();
    assert!(!log.contains(SA_TOKEN), "the SA token leaked into the log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_is_waited_out_and_a_lasting_failure_falls_back() {
    let c = cluster("faults").await;
    let secret = c.azure.add_client_secret(TENANT, SP_CLIENT_ID);
    c.azure.grant_monitoring_reader(SP_CLIENT_ID);
    c.azure.set_metric(RESOURCE, METRIC, 10.0);
    c.sp_auth(&secret);
    c.scaled_object(
        "orders",
        "orders-worker",
        json!({"fallback": {"failureThreshold": 3, "replicas": 6}}),
        c.trigger("monitor-sp", &c.azure.resource_manager_endpoint()),
    );
    let host = c.host();
    c.wait("ceil(10/5) = 2 replicas", 30, |c| c.replicas() == 2)
        .await;
    c.azure.clear_requests();
    c.azure
        .inject(Fault::status(429).retry_after(Duration::from_secs(1)));
    c.wait("the 429 and the retry after it", 20, |c| {
        let statuses: Vec<u16> = c
            .azure
            .resource_manager_requests()
            .iter()
            .map(|r| r.status)
            .collect();
        statuses.windows(2).any(|w| w == [429, 200])
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(c.failures(), 0, "{}", c.status());
    assert_eq!(c.replicas(), 2);

    // Every attempt answers 500: each poll fails after its retries, the ScaledObject falls back.
    c.azure.inject(Fault::status(500).times(10_000));
    c.wait("fallback to 6 replicas", 60, |c| c.replicas() == 6)
        .await;
    assert!(c.failures() >= 3, "{}", c.status());
    let log = host.stop();
    assert!(
        log.contains("Azure Monitor answered 500 InternalServerError"),
        "{log}"
    );
    assert!(!log.contains(&secret), "the secret leaked into the log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_resource_manager_times_out_and_a_foreign_one_gets_no_credential() {
    let c = cluster("foreign").await;
    let secret = c.azure.add_client_secret(TENANT, SP_CLIENT_ID);
    c.azure.grant_monitoring_reader(SP_CLIENT_ID);
    c.azure.set_metric(RESOURCE, METRIC, 10.0);
    c.sp_auth(&secret);
    c.scaled_object(
        "orders",
        "orders-worker",
        json!({"fallback": {"failureThreshold": 2, "replicas": 4}}),
        c.trigger("monitor-sp", "https://arm.attacker.example"),
    );
    let host = c.host();
    c.wait("fallback to 4 replicas", 40, |c| c.replicas() == 4)
        .await;
    assert_eq!(c.azure.token_requests(), 0, "a token was fetched for it");
    assert!(c.azure.requests().is_empty());
    let log = host.stop();
    assert!(
        log.contains("Azure endpoint arm.attacker.example is not under an allowed endpoint suffix"),
        "{log}"
    );

    // The real endpoint, answering after the per-attempt timeout (3 s) every time: each poll
    // gives up after its retries with a timeout naming the endpoint, and fallback holds.
    c.azure
        .inject(Fault::delay(Duration::from_secs(4)).times(10_000));
    c.scaled_object(
        "orders",
        "orders-worker",
        json!({"fallback": {"failureThreshold": 2, "replicas": 5}}),
        c.trigger("monitor-sp", &c.azure.resource_manager_endpoint()),
    );
    let host = c.host();
    let start = Instant::now();
    while !host
        .log()
        .contains("no answer from https://management.localhost")
    {
        assert!(start.elapsed() < Duration::from_secs(60), "{}", host.log());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    c.wait("fallback to 5 replicas", 30, |c| c.replicas() == 5)
        .await;
    assert!(c
        .azure
        .resource_manager_requests()
        .iter()
        .all(|r| r.auth == AuthKind::Bearer));
    let log = host.stop();
    assert!(!log.contains(&secret), "the secret leaked into the log");
}

const WORKSPACE: &str = "74b3a9c2-1d4e-4f50-9a61-2b7c8d9e0f1a";
const QUERY: &str = "AppRequests | where Success == false | summarize count()";

impl Cluster {
    /// A Log Analytics service principal (`tenantId`, `clientId`, `clientSecret`) in a Secret.
    fn log_analytics_auth(&self, secret: &str) {
        self.k8s
            .apply(json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "la", "namespace": "shop"},
                "data": {"tenant": base64(TENANT), "id": base64(SP_CLIENT_ID), "secret": base64(secret)}}))
            .unwrap();
        self.k8s
            .apply(
                json!({"apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication",
                "metadata": {"name": "la-sp", "namespace": "shop"},
                "spec": {"secretTargetRef": [
                    {"parameter": "tenantId", "name": "la", "key": "tenant"},
                    {"parameter": "clientId", "name": "la", "key": "id"},
                    {"parameter": "clientSecret", "name": "la", "key": "secret"}]}}),
            )
            .unwrap();
    }

    fn log_analytics_trigger(&self) -> Value {
        json!({"type": "azure-log-analytics",
            "metadata": {"workspaceId": WORKSPACE, "query": QUERY, "threshold": "5",
                "cloud": "Private", "logAnalyticsResourceURL": self.azure.log_analytics_url()},
            "authenticationRef": {"name": "la-sp"}})
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_analytics_query_scales_out_and_back_and_a_negative_value_fails_the_trigger() {
    let c = cluster("la").await;
    let secret = c.azure.add_client_secret(TENANT, SP_CLIENT_ID);
    c.azure.grant_log_analytics_reader(SP_CLIENT_ID);
    c.azure.set_log_query_count(WORKSPACE, QUERY, 0);
    c.log_analytics_auth(&secret);
    c.scaled_object(
        "orders",
        "orders-worker",
        json!({"fallback": {"failureThreshold": 3, "replicas": 6}}),
        c.log_analytics_trigger(),
    );
    let host = c.host();
    c.wait("the host to poll", 20, |c| c.status() != Value::Null)
        .await;
    assert_eq!(c.replicas(), 0);
    c.azure.set_log_query_count(WORKSPACE, QUERY, 14);
    c.wait("ceil(14/5) = 3 replicas", 30, |c| c.replicas() == 3)
        .await;
    c.azure.set_log_query_count(WORKSPACE, QUERY, 0);
    c.wait("scale to zero after the cooldown", 30, |c| {
        c.replicas() == 0
    })
    .await;
    let requests = c.azure.log_analytics_requests();
    assert!(
        requests.iter().all(|r| r.method == "POST"
            && r.auth == AuthKind::Bearer
            && r.status == 200
            && r.path == format!("/v1/workspaces/{WORKSPACE}/query")),
        "{requests:?}"
    );
    assert_eq!(c.azure.token_requests(), 1);

    // KEDA refuses a negative value: the trigger fails and fallback applies.
    c.azure.set_log_query_count(WORKSPACE, QUERY, -1);
    c.wait("fallback to 6 replicas", 40, |c| c.replicas() == 6)
        .await;
    let key = format!("s0-azure-log-analytics-{WORKSPACE}");
    assert!(
        c.status()["health"][&key]["numberOfFailures"]
            .as_i64()
            .unwrap_or(0)
            >= 3,
        "{}",
        c.status()
    );
    let log = host.stop();
    assert!(
        log.contains("value should be >=0, but received -1.000000"),
        "{log}"
    );
    let status = c.status().to_string();
    let events = serde_json::to_string(&c.k8s.events()).unwrap();
    for (what, text) in [("log", &log), ("status", &status), ("Events", &events)] {
        assert!(!text.contains(&secret), "the secret leaked into the {what}");
    }
}

const APP: &str = "5e3c1b7a-0f2d-4c8e-9a61-7b2d3e4f5a6b";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_insights_metric_scales_with_workload_identity_and_null_falls_back() {
    let c = cluster("ai").await;
    c.azure.grant_app_insights_reader(CLIENT_ID);
    c.azure.set_app_metric(APP, "requests/failed", Some(0.0));
    c.k8s
        .apply(
            json!({"apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication",
            "metadata": {"name": "ai-wi", "namespace": "shop"},
            "spec": {"podIdentity": {"provider": "azure-workload"}}}),
        )
        .unwrap();
    c.scaled_object(
        "orders",
        "orders-worker",
        json!({"fallback": {"failureThreshold": 3, "replicas": 6}}),
        json!({"type": "azure-app-insights",
            "metadata": {"applicationInsightsId": APP, "tenantId": TENANT,
                "metricId": "requests/failed", "metricAggregationTimespan": "0:5",
                "metricAggregationType": "sum", "targetValue": "5", "cloud": "Private",
                "appInsightsResourceURL": c.azure.app_insights_url(),
                "activeDirectoryEndpoint": c.azure.authority_host()},
            "authenticationRef": {"name": "ai-wi"}}),
    );
    let host = c.host();
    c.wait("the host to poll", 20, |c| c.status() != Value::Null)
        .await;
    assert_eq!(c.replicas(), 0);
    c.azure.set_app_metric(APP, "requests/failed", Some(22.0));
    c.wait("ceil(22/5) = 5 replicas", 30, |c| c.replicas() == 5)
        .await;
    let requests = c.azure.app_insights_requests();
    assert!(
        requests.iter().all(|r| r.auth == AuthKind::Bearer
            && r.path
                == format!(
                    "/v1/apps/{APP}/metrics/requests/failed?aggregation=sum&timespan=PT00H05M"
                )),
        "{requests:?}"
    );
    // No value in the timespan and ignoreNullValues unset: KEDA's error, then fallback.
    c.azure.set_app_metric(APP, "requests/failed", None);
    c.wait("fallback to 6 replicas", 40, |c| c.replicas() == 6)
        .await;
    assert_eq!(c.azure.token_requests(), 1);
    let log = host.stop();
    assert!(
        log.contains("metric requests/failed was nil for aggregation type sum"),
        "{log}"
    );
    assert!(!log.contains(SA_TOKEN), "the SA token leaked into the log");
}
