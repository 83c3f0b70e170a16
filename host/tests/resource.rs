//! cpu/memory triggers in `scalecore run`: the real binary reads the target's pods and the
//! resource metrics API of the Kubernetes stand-in, and the core's Resource-metric rules
//! (Kubernetes' replica calculator) decide.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::cluster::{Cluster, SA_TOKEN};
use common::Host;

use std::time::{Duration, Instant};

use scalecore_standin_azure::AzureStandin;
use serde_json::{json, Value};

const SB: &str = "contoso-sb";
const NS: &str = "shop";

/// The stand-ins and a Deployment `web` at `replicas`, selecting `app=web`; its pods are added
/// by the test.
async fn cluster(test: &str, replicas: i64) -> Cluster {
    let c = Cluster::new(
        &format!("resource-{test}"),
        "cpu",
        AzureStandin::endpoint_suffix,
    )
    .await;
    c.deployment_at("web", replicas);
    c
}

impl Cluster {
    /// A pod of `web` with one container requesting `cpu` and `memory`, Running (Ready or not)
    /// or Pending, and its usage when `usage` is given (none: no sample yet).
    fn pod(
        &self,
        name: &str,
        phase: &str,
        ready: bool,
        request: (&str, &str),
        usage: Option<(&str, &str)>,
    ) {
        self.k8s
            .apply(json!({"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": name, "namespace": NS, "labels": {"app": "web", "pod-template-hash": "5d8f"}},
                "spec": {"containers": [{"name": "app", "image": "web:1",
                    "resources": {"requests": {"cpu": request.0, "memory": request.1}}}]},
                "status": {"phase": phase, "conditions": [
                    {"type": "Ready", "status": if ready { "True" } else { "False" }}]}}))
            .unwrap();
        if let Some((cpu, memory)) = usage {
            self.k8s
                .set_pod_usage(NS, name, &[("app", cpu, memory)])
                .unwrap();
        }
    }

    fn sb_auth(&self) {
        self.k8s
            .apply(
                json!({"apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication",
                "metadata": {"name": "sb-wi", "namespace": NS},
                "spec": {"podIdentity": {"provider": "azure-workload"}}}),
            )
            .unwrap();
    }

    /// Service Bus queue `orders`, 5 messages per replica, through the workload identity.
    fn queue_trigger(&self) -> Value {
        json!({"type": "azure-servicebus", "name": "orders",
            "metadata": {"namespace": SB, "queueName": "orders", "messageCount": "5",
                         "cloud": "Private", "endpointSuffix": self.azure.endpoint_suffix()},
            "authenticationRef": {"name": "sb-wi"}})
    }

    /// The ScaledObject `web` on `web` (minReplicaCount 1, KEDA's default cooldown).
    fn web_object(&self, extra_spec: Value, triggers: Value) {
        let mut spec = json!({"minReplicaCount": 1, "cooldownPeriod": 300, "triggers": triggers});
        for (k, v) in extra_spec.as_object().unwrap() {
            spec[k] = v.clone();
        }
        self.scaled_object("web", "web", spec, Value::Null);
    }

    /// Every replica count the target shows for `secs`, waiting first for `want`.
    async fn settles_at(&self, want: i64, secs: u64, host: &Host) -> Vec<i64> {
        let mut seen = vec![self.replicas_of("web")];
        let start = Instant::now();
        while self.replicas_of("web") != want {
            if start.elapsed() > Duration::from_secs(30) {
                panic!(
                    "timed out waiting for {want} replicas; saw {seen:?}\n{}",
                    host.log()
                );
            }
            if seen.last() != Some(&self.replicas_of("web")) {
                seen.push(self.replicas_of("web"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        seen.push(want);
        // Several more syncs over the same pods must keep the count.
        let hold = Instant::now();
        while hold.elapsed() < Duration::from_secs(secs) {
            let r = self.replicas_of("web");
            assert_eq!(r, want, "moved off {want}: {seen:?}\n{}", host.log());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        seen
    }

    /// The notes of the Events the host recorded for its writes.
    fn notes(&self) -> Vec<String> {
        self.k8s
            .events()
            .iter()
            .filter_map(|e| e["note"].as_str().map(str::to_owned))
            .collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cpu_utilization_above_target_scales_up_with_unready_pods_set_aside() {
    // replica_calculator_test.go TestReplicaCalcScaleUpUnreadyLessScale: 3 pods requesting
    // 1 cpu at 300m (not ready), 500m and 700m; target 30 %. The ready pods average 60 %;
    // counting the unready one as 0 % gives 40 % -> ceil(40/30 * 3) = 4. Counting its
    // sample as if it were ready would give 50 % -> 5.
    let c = cluster("cpu-unready", 3).await;
    c.pod(
        "web-0",
        "Running",
        false,
        ("1", "128Mi"),
        Some(("300m", "64Mi")),
    );
    c.pod(
        "web-1",
        "Running",
        true,
        ("1", "128Mi"),
        Some(("500m", "64Mi")),
    );
    c.pod(
        "web-2",
        "Running",
        true,
        ("1", "128Mi"),
        Some(("700m", "64Mi")),
    );
    c.web_object(
        json!({}),
        json!([{"type": "cpu", "metricType": "Utilization", "metadata": {"value": "30"}}]),
    );
    let host = c.host();
    let seen = c.settles_at(4, 3, &host).await;
    assert_eq!(seen.first(), Some(&3), "{seen:?}");
    assert!(seen.iter().all(|r| *r <= 4), "{seen:?}");
    let notes = c.notes();
    assert!(
        notes.iter().any(|n| n.starts_with("New size: 4;")),
        "{notes:?}"
    );
    let status = c
        .k8s
        .get("keda.sh/v1alpha1", "ScaledObject", Some(NS), "web")
        .unwrap()["status"]
        .clone();
    // cpu is an HPA Resource metric, not an external one KEDA serves: KEDA's nil list is
    // omitted, and without fallback there is no health (`GetMetricsWithFallback`).
    assert_eq!(status.get("externalMetricNames"), None, "{status}");
    assert_eq!(status.get("health"), None, "{status}");
    assert_eq!(status["resourceMetricNames"], json!(["cpu"]), "{status}");
    host.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cpu_pods_without_metrics_count_at_100_percent_on_a_scale_down() {
    // TestReplicaCalcMissingMetrics as the core models it: 2 of 4 ready pods report, 24.75 %
    // of a 100 % target. The two without a sample count as 100 %: 62 % -> ceil(0.62 * 4) = 3.
    // Ignoring them would give ceil(0.24 * 2) = 1.
    let c = cluster("cpu-missing", 4).await;
    c.pod(
        "web-0",
        "Running",
        true,
        ("1", "128Mi"),
        Some(("247m", "64Mi")),
    );
    c.pod(
        "web-1",
        "Running",
        true,
        ("1", "128Mi"),
        Some(("248m", "64Mi")),
    );
    c.pod("web-2", "Running", true, ("1", "128Mi"), None);
    c.pod("web-3", "Running", true, ("1", "128Mi"), None);
    // A failed pod and another app's pod are not the target's pods.
    c.pod("web-old", "Failed", false, ("1", "128Mi"), None);
    c.k8s
        .apply(json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "db-0", "namespace": NS, "labels": {"app": "db"}},
            "spec": {"containers": [{"name": "db", "resources": {"requests": {"cpu": "1"}}}]},
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}}))
        .unwrap();
    c.k8s
        .set_pod_usage(NS, "db-0", &[("db", "4", "1Gi")])
        .unwrap();
    c.web_object(
        json!({"advanced": {"horizontalPodAutoscalerConfig": {"behavior":
            {"scaleDown": {"stabilizationWindowSeconds": 0}}}}}),
        json!([{"type": "cpu", "metricType": "Utilization", "metadata": {"value": "100"}}]),
    );
    let host = c.host();
    let seen = c.settles_at(3, 3, &host).await;
    assert_eq!(seen.first(), Some(&4), "{seen:?}");
    host.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_average_value_scales_per_pod_quantity() {
    // 2 pods at 300Mi of a 100Mi AverageValue target: ceil(600Mi / 100Mi) = 6, reached in
    // two syncs (the HPA grows by at most max(2x, 4) per sync without a behavior).
    let c = cluster("memory", 2).await;
    c.pod(
        "web-0",
        "Running",
        true,
        ("100m", "256Mi"),
        Some(("10m", "300Mi")),
    );
    c.pod(
        "web-1",
        "Running",
        true,
        ("100m", "256Mi"),
        Some(("10m", "300Mi")),
    );
    c.web_object(
        json!({}),
        json!([{"type": "memory", "metricType": "AverageValue", "metadata": {"value": "100Mi"}}]),
    );
    let host = c.host();
    let seen = c.settles_at(6, 3, &host).await;
    assert_eq!(seen.first(), Some(&2), "{seen:?}");
    let notes = c.notes();
    assert!(
        notes.iter().any(|n| n.starts_with("New size: 4;")),
        "{notes:?}"
    );
    host.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cpu_and_service_bus_together_take_the_larger_proposal() {
    let c = cluster("cpu-sb", 2).await;
    c.k8s
        .apply(
            json!({"apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication",
            "metadata": {"name": "sb-wi", "namespace": NS},
            "spec": {"podIdentity": {"provider": "azure-workload"}}}),
        )
        .unwrap();
    // cpu: 2 ready pods at 100 % of a 50 % target -> 4. Queue: 10 messages at 5 each -> 2.
    c.pod(
        "web-0",
        "Running",
        true,
        ("500m", "128Mi"),
        Some(("500m", "64Mi")),
    );
    c.pod(
        "web-1",
        "Running",
        true,
        ("500m", "128Mi"),
        Some(("500m", "64Mi")),
    );
    c.azure.set_queue(SB, "orders", 10);
    c.web_object(
        json!({}),
        json!([
            {"type": "cpu", "metricType": "Utilization", "metadata": {"value": "50"}},
            c.queue_trigger(),
        ]),
    );
    let host = c.host();
    c.settles_at(4, 2, &host).await;
    // The queue grows past cpu's proposal: 40 / 5 = 8 wins.
    c.azure.set_queue(SB, "orders", 40);
    c.settles_at(8, 2, &host).await;
    let status = c
        .k8s
        .get("keda.sh/v1alpha1", "ScaledObject", Some(NS), "web")
        .unwrap()["status"]
        .clone();
    // KEDA v2.20.2: `CombinedTriggersAndAuthenticationsTypes` in trigger order; cpu is listed
    // in `resourceMetricNames` (hpa.go), and `triggersActivity` covers the external metric
    // names only.
    assert_eq!(status["triggersTypes"], "cpu,azure-servicebus", "{status}");
    assert_eq!(status["authenticationsTypes"], "sb-wi", "{status}");
    assert_eq!(status["resourceMetricNames"], json!(["cpu"]), "{status}");
    assert_eq!(
        status["triggersActivity"],
        json!({"s1-azure-servicebus-orders": {"isActive": true}}),
        "{status}"
    );
    let log = host.stop();
    assert!(!log.contains(SA_TOKEN));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cpu_trigger_never_activates_from_zero() {
    // KEDA's loop ignores cpu/memory: a target at 0 stays there however busy its pods are,
    // until the queue activates it.
    let c = cluster("cpu-zero", 0).await;
    c.sb_auth();
    c.pod(
        "web-0",
        "Running",
        true,
        ("100m", "128Mi"),
        Some(("1", "64Mi")),
    );
    c.azure.set_queue(SB, "orders", 0);
    c.web_object(
        json!({"minReplicaCount": 0}),
        json!([
            {"type": "cpu", "metricType": "Utilization", "metadata": {"value": "50"}},
            c.queue_trigger(),
        ]),
    );
    let host = c.host();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(4) {
        assert_eq!(c.replicas_of("web"), 0, "{}", host.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    c.azure.set_queue(SB, "orders", 10);
    let start = Instant::now();
    // The Event follows the /scale write it reports.
    while c.replicas_of("web") == 0 || c.notes().is_empty() {
        assert!(start.elapsed() < Duration::from_secs(20), "{}", host.log());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let notes = c.notes();
    assert!(notes[0].contains("from 0 to 1"), "{notes:?}");
    host.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scaled_objects_of_a_namespace_share_one_list_per_sync() {
    // Three ScaledObjects on three Deployments of one namespace: each HPA sync lists the
    // namespace's pods and PodMetrics once for all of them.
    let c = cluster("shared", 2).await;
    c.pod(
        "web-0",
        "Running",
        true,
        ("500m", "128Mi"),
        Some(("500m", "64Mi")),
    );
    c.pod(
        "web-1",
        "Running",
        true,
        ("500m", "128Mi"),
        Some(("500m", "64Mi")),
    );
    c.web_object(
        json!({}),
        json!([{"type": "cpu", "metricType": "Utilization", "metadata": {"value": "50"}}]),
    );
    for app in ["api", "jobs"] {
        c.k8s
            .apply(json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": app, "namespace": NS},
                "spec": {"replicas": 1, "selector": {"matchLabels": {"app": app}},
                         "template": {"metadata": {"labels": {"app": app}},
                                      "spec": {"containers": [{"name": "app", "image": "a:1"}]}}}}))
            .unwrap();
        c.k8s
            .apply(json!({"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": format!("{app}-0"), "namespace": NS, "labels": {"app": app}},
                "spec": {"containers": [{"name": "app", "resources": {"requests": {"cpu": "1"}}}]},
                "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}}))
            .unwrap();
        c.k8s
            .set_pod_usage(NS, &format!("{app}-0"), &[("app", "2", "64Mi")])
            .unwrap();
        c.k8s
            .apply(json!({"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
                "metadata": {"name": app, "namespace": NS},
                "spec": {"scaleTargetRef": {"name": app}, "pollingInterval": 1,
                         "minReplicaCount": 1, "maxReplicaCount": 3,
                         "triggers": [{"type": "cpu", "metricType": "Utilization", "metadata": {"value": "50"}}]}}))
            .unwrap();
    }
    let host = c.host();
    // Each object's own pods decide: web 100 % of 50 % -> 4, api and jobs 200 % -> 4, capped at 3.
    c.settles_at(4, 0, &host).await;
    for app in ["api", "jobs"] {
        let start = Instant::now();
        while c
            .k8s
            .get("apps/v1", "Deployment", Some(NS), app)
            .and_then(|d| d.pointer("/spec/replicas").and_then(Value::as_i64))
            != Some(3)
        {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "{app}: {}",
                host.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    c.k8s.clear_requests();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let requests = c.k8s.requests();
    let lists = |path: &str| {
        requests
            .iter()
            .filter(|r| r.method == "GET" && r.path == path)
            .count()
    };
    let pods = lists("/api/v1/namespaces/shop/pods");
    let metrics = lists("/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods");
    // One sync a second for 5 s: 5 or 6 lists of each, where one per object would be 15.
    assert!((4..=7).contains(&pods), "{pods} pod lists");
    assert_eq!(pods, metrics);
    host.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_pods_list_keeps_the_replicas_until_it_answers() {
    // Without the pods or their metrics the HPA has no Resource metric and writes nothing.
    let c = cluster("list-fault", 2).await;
    c.pod(
        "web-0",
        "Running",
        true,
        ("500m", "128Mi"),
        Some(("500m", "64Mi")),
    );
    c.pod(
        "web-1",
        "Running",
        true,
        ("500m", "128Mi"),
        Some(("500m", "64Mi")),
    );
    c.k8s
        .fail_next_matching(Some("GET"), "/namespaces/shop/pods", 500, 1_000_000);
    c.web_object(
        json!({}),
        json!([{"type": "cpu", "metricType": "Utilization", "metadata": {"value": "50"}}]),
    );
    let host = c.host();
    let start = Instant::now();
    while !host
        .log()
        .contains("listing the pods or their metrics in namespace")
    {
        assert!(start.elapsed() < Duration::from_secs(20), "{}", host.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(c.replicas_of("web"), 2, "{}", host.log());
    c.k8s.clear_faults();
    c.settles_at(4, 1, &host).await;
    host.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_namespace_of_more_than_one_page_of_pods_is_read_whole() {
    // 600 pods requesting 1 cpu: web-000..web-499 at 500m (50 %), web-500..web-599 at 1 (100 %).
    // Together they use 350 of 600 cpu: the HPA's integer utilization 35000/600 = 58 %, of the
    // 50 % target -> ceil(600 * 58/50) = 696. Read only the first page of 500, they would sit
    // at the target and stay at 600.
    let c = cluster("paged", 600).await;
    for i in 0..600 {
        let usage = if i < 500 { "500m" } else { "1" };
        c.pod(
            &format!("web-{i:03}"),
            "Running",
            true,
            ("1", "128Mi"),
            Some((usage, "64Mi")),
        );
    }
    c.web_object(
        json!({"maxReplicaCount": 1000}),
        json!([{"type": "cpu", "metricType": "Utilization", "metadata": {"value": "50"}}]),
    );
    let host = c.host();
    c.settles_at(696, 2, &host).await;
    let requests = c.k8s.requests();
    for path in [
        "/api/v1/namespaces/shop/pods",
        "/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods",
    ] {
        let queries: Vec<&str> = requests
            .iter()
            .filter(|r| r.method == "GET" && r.path == path)
            .map(|r| r.query.as_str())
            .collect();
        assert!(
            queries.iter().all(|q| q.contains("limit=500")),
            "{path}: {queries:?}"
        );
        if path.ends_with("/pods") && path.starts_with("/api/") {
            assert!(
                queries.iter().any(|q| q.contains("continue=")),
                "{path}: no second page in {queries:?}"
            );
        }
    }
    host.stop();
}
