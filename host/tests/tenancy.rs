//! Tenants of one `scalecore run` cannot hurt each other: a throttled endpoint, a costly
//! formula, a second ScaledObject on someone's target or a TriggerAuthentication KEDA's webhook
//! refuses stay with the namespace (or object) they came from. Against the loopback stand-ins,
//! configured only through a kubeconfig, Secrets and flags.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Host;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use scalecore_standin_azure::{AzureStandin, Fault};
use scalecore_standin_kube::KubeStandin;
use serde_json::{json, Value};

/// The Kubernetes stand-in and one Azure stand-in per Service Bus namespace name.
struct Cluster {
    k8s: KubeStandin,
    azure: Vec<AzureStandin>,
    dir: PathBuf,
}

impl Cluster {
    async fn new(test: &str, azures: usize) -> Cluster {
        let k8s = KubeStandin::start().await.unwrap();
        let mut azure = Vec::new();
        let mut pem = Vec::new();
        for _ in 0..azures {
            let a = AzureStandin::start().await.unwrap();
            pem.extend(a.ca_pem());
            pem.push(b'\n');
            azure.push(a);
        }
        let dir =
            std::env::temp_dir().join(format!("scalecore-tenancy-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("kubeconfig"), k8s.kubeconfig_yaml()).unwrap();
        std::fs::write(dir.join("ca.pem"), pem).unwrap();
        Cluster { k8s, azure, dir }
    }

    fn host(&self, extra: &[&str]) -> Host {
        self.host_with_env(extra, &[])
    }

    fn host_with_env(&self, extra: &[&str], env: &[(&str, String)]) -> Host {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_scalecore"));
        cmd.arg("run")
            .arg("--kubeconfig")
            .arg(self.dir.join("kubeconfig"))
            .arg("--azure-ca-file")
            .arg(self.dir.join("ca.pem"))
            .args(["--no-leader-election", "--metrics-addr", "127.0.0.1:0"])
            .args(
                self.azure
                    .iter()
                    .flat_map(|a| ["--allowed-endpoint-suffix".to_owned(), a.endpoint_suffix()]),
            )
            .arg("--resolve-localhost")
            .args(extra)
            .env("RUST_LOG", "info")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())));
        Host::spawn(&mut cmd)
    }

    /// A Secret with the connection string of stand-in `azure`'s namespace `sb`, and the
    /// TriggerAuthentication `sb` reading it, in Kubernetes namespace `ns`.
    fn connection_auth(&self, ns: &str, azure: usize, sb: &str) {
        let conn = self.azure[azure].connection_string(sb);
        self.k8s
            .apply(json!({"apiVersion": "v1", "kind": "Secret",
                "metadata": {"name": "sb", "namespace": ns}, "stringData": {"conn": conn}}))
            .unwrap();
        self.k8s
            .apply(
                json!({"apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication",
                "metadata": {"name": "sb", "namespace": ns},
                "spec": {"secretTargetRef": [{"parameter": "connection", "name": "sb", "key": "conn"}]}}),
            )
            .unwrap();
    }

    fn deployment(&self, ns: &str, name: &str) {
        self.k8s
            .apply(json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": name, "namespace": ns},
                "spec": {"replicas": 0, "selector": {"matchLabels": {"app": name}},
                         "template": {"metadata": {"labels": {"app": name}},
                                      "spec": {"containers": [{"name": "c", "image": "i"}]}}}}))
            .unwrap();
    }

    #[allow(clippy::too_many_arguments)]
    fn scaled_object(
        &self,
        ns: &str,
        name: &str,
        target: &str,
        queue: &str,
        polling: u64,
        auth: &str,
        extra_spec: Value,
    ) {
        let mut spec = json!({"scaleTargetRef": {"name": target}, "pollingInterval": polling,
            "cooldownPeriod": 300, "minReplicaCount": 0, "maxReplicaCount": 10,
            "triggers": [{"type": "azure-servicebus", "name": "q",
                "metadata": {"queueName": queue, "messageCount": "5"},
                "authenticationRef": {"name": auth}}]});
        for (k, v) in extra_spec.as_object().unwrap() {
            spec[k] = v.clone();
        }
        self.k8s
            .apply(
                json!({"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
                "metadata": {"name": name, "namespace": ns}, "spec": spec}),
            )
            .unwrap();
    }

    fn replicas(&self, ns: &str, name: &str) -> i64 {
        self.k8s
            .get("apps/v1", "Deployment", Some(ns), name)
            .and_then(|d| d.pointer("/spec/replicas").and_then(Value::as_i64))
            .unwrap_or(-1)
    }

    fn ready(&self, ns: &str, name: &str) -> Option<Value> {
        let status = self
            .k8s
            .get("keda.sh/v1alpha1", "ScaledObject", Some(ns), name)?
            .get("status")?
            .clone();
        status
            .get("conditions")?
            .as_array()?
            .iter()
            .find(|c| c["type"] == "Ready")
            .cloned()
    }

    async fn wait(
        &self,
        what: &str,
        limit: Duration,
        mut cond: impl FnMut(&Cluster) -> bool,
    ) -> Duration {
        let start = Instant::now();
        while start.elapsed() < limit {
            if cond(self) {
                return start.elapsed();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("timed out after {limit:?} waiting for {what}");
    }
}

fn refused(ready: Option<Value>) -> bool {
    ready.is_some_and(|r| r["status"] == "False" && r["reason"] == "ScaledObjectCheckFailed")
}

/// Finding 4: 70 ScaledObjects of namespace `a` on an endpoint answering 503 with
/// `Retry-After: 20` (every poll sleeps through a minute of retries) do not hold up namespace
/// `b`: its 0 -> 1 follows its queue's growth within one pollingInterval.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttled_tenant_does_not_delay_another_tenants_activation() {
    const POLLING: u64 = 2;
    let c = Cluster::new("throttled", 2).await;
    c.connection_auth("a", 0, "sba");
    c.azure[0].set_queue("sba", "q", 0);
    c.azure[0].inject(
        Fault::status(503)
            .retry_after(Duration::from_secs(20))
            .times(1_000_000),
    );
    for i in 0..70 {
        let name = format!("w{i}");
        c.deployment("a", &name);
        c.scaled_object("a", &name, &name, "q", POLLING, "sb", json!({}));
    }
    c.connection_auth("b", 1, "sbb");
    c.azure[1].set_queue("sbb", "q", 0);
    c.deployment("b", "w");
    c.scaled_object("b", "w", "w", "q", POLLING, "sb", json!({}));
    let host = c.host(&["--hpa-sync-period", "15"]);
    c.wait(
        "namespace a to be throttled",
        Duration::from_secs(60),
        |c| !c.azure[0].service_bus_requests().is_empty(),
    )
    .await;
    c.wait("b's first decision", Duration::from_secs(120), |c| {
        c.ready("b", "w").is_some()
    })
    .await;
    // Every poll of namespace a is now inside its retries.
    tokio::time::sleep(Duration::from_secs(3)).await;
    c.azure[1].set_queue("sbb", "q", 10);
    let delay = c
        .wait("b's 0 -> 1", Duration::from_secs(120), |c| {
            c.replicas("b", "w") >= 1
        })
        .await;
    println!("namespace b: queue growth to 0 -> 1 in {delay:?} (pollingInterval {POLLING}s)");
    assert!(
        delay <= Duration::from_millis(POLLING * 1000 + 1500),
        "b waited {delay:?}\n{}",
        host.log()
    );
    assert_eq!(c.replicas("a", "w0"), 0);
}

/// Finding 2: a ScaledObject whose formula takes many seconds to check is refused once the
/// check runs past its time bound, and never delays another ScaledObject's start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_costly_formula_does_not_delay_another_scaled_object() {
    let c = Cluster::new("formula", 1).await;
    c.connection_auth("shop", 0, "sb");
    c.azure[0].set_queue("sb", "q", 10);
    c.deployment("shop", "slow");
    c.deployment("shop", "fast");
    c.scaled_object(
        "shop",
        "a-slow",
        "slow",
        "q",
        1,
        "sb",
        json!({"advanced": {"scalingModifiers": {"target": "5",
            "formula": "count(1..10000, count(1..10000, # > 0) > 0)"}}}),
    );
    let host = c.host(&["--hpa-sync-period", "1"]);
    c.wait("the host to list", Duration::from_secs(20), |_| {
        host.log().contains("serving /metrics")
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    c.scaled_object("shop", "b-fast", "fast", "q", 1, "sb", json!({}));
    let started = c
        .wait("b-fast's first scale", Duration::from_secs(60), |c| {
            c.replicas("shop", "fast") >= 1
        })
        .await;
    println!("b-fast scaled {started:?} after it was created");
    assert!(
        started < Duration::from_secs(6),
        "{started:?}\n{}",
        host.log()
    );
    c.wait("a-slow refused", Duration::from_secs(20), |c| {
        refused(c.ready("shop", "a-slow"))
    })
    .await;
    assert_eq!(c.replicas("shop", "slow"), 0);
}

/// Finding 5: two ScaledObjects on one Deployment: the earlier scales, the later is refused
/// with KEDA's KEDA3003 message; deleting the earlier hands the target to the later.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_later_of_two_scaled_objects_on_one_target_is_refused_until_the_first_goes() {
    let c = Cluster::new("conflict", 1).await;
    c.connection_auth("shop", 0, "sb");
    c.azure[0].set_queue("sb", "small", 10);
    c.azure[0].set_queue("sb", "large", 40);
    c.deployment("shop", "orders-worker");
    c.scaled_object(
        "shop",
        "first",
        "orders-worker",
        "small",
        1,
        "sb",
        json!({}),
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    c.scaled_object(
        "shop",
        "second",
        "orders-worker",
        "large",
        1,
        "sb",
        json!({}),
    );
    let host = c.host(&["--hpa-sync-period", "1"]);
    c.wait("second refused", Duration::from_secs(20), |c| {
        refused(c.ready("shop", "second"))
    })
    .await;
    let ready = c.ready("shop", "second").unwrap();
    assert_eq!(
        ready["message"],
        "the workload 'orders-worker' of type 'apps/v1.Deployment' is already managed by the ScaledObject 'first'",
        "{ready}"
    );
    // Only the first decides: ceil(10 / 5) = 2, never the second's 8.
    let mut seen = Vec::new();
    let watch = Instant::now();
    while watch.elapsed() < Duration::from_secs(8) {
        let r = c.replicas("shop", "orders-worker");
        if seen.last() != Some(&r) {
            seen.push(r);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(seen.last(), Some(&2), "{seen:?}");
    assert!(seen.iter().all(|r| *r <= 2), "{seen:?}");
    let reasons: Vec<String> = c
        .k8s
        .events()
        .iter()
        .filter(|e| e.pointer("/regarding/name") == Some(&json!("second")))
        .filter_map(|e| e["reason"].as_str().map(str::to_owned))
        .collect();
    assert!(
        reasons.iter().any(|r| r == "ScaledObjectCheckFailed"),
        "{reasons:?}"
    );

    c.k8s
        .delete("keda.sh/v1alpha1", "ScaledObject", Some("shop"), "first")
        .unwrap();
    c.wait("second to take over", Duration::from_secs(30), |c| {
        c.replicas("shop", "orders-worker") == 8
    })
    .await;
    assert!(!refused(c.ready("shop", "second")), "{}", host.log());
}

/// Finding 5, KEDA's second check: two ScaledObjects on different workloads that would make
/// HPAs of the same name. The later is refused (KEDA3004's wording) and scales nothing; it
/// takes over once the first goes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_later_of_two_scaled_objects_with_one_hpa_name_is_refused() {
    let c = Cluster::new("hpa-name", 1).await;
    c.connection_auth("shop", 0, "sb");
    c.azure[0].set_queue("sb", "small", 10);
    c.azure[0].set_queue("sb", "large", 40);
    c.deployment("shop", "orders-worker");
    c.deployment("shop", "billing-worker");
    let shared_hpa = json!({"advanced": {"horizontalPodAutoscalerConfig": {"name": "shared"}}});
    c.scaled_object(
        "shop",
        "first",
        "orders-worker",
        "small",
        1,
        "sb",
        shared_hpa.clone(),
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    c.scaled_object(
        "shop",
        "second",
        "billing-worker",
        "large",
        1,
        "sb",
        shared_hpa,
    );
    let host = c.host(&["--hpa-sync-period", "1"]);
    c.wait("second refused", Duration::from_secs(20), |c| {
        refused(c.ready("shop", "second"))
    })
    .await;
    let ready = c.ready("shop", "second").unwrap();
    assert_eq!(
        ready["message"], "the HPA 'shared' is already managed by the ScaledObject 'first'",
        "{ready}"
    );
    c.wait("first to scale", Duration::from_secs(20), |c| {
        c.replicas("shop", "orders-worker") == 2
    })
    .await;
    assert_eq!(c.replicas("shop", "billing-worker"), 0);

    c.k8s
        .delete("keda.sh/v1alpha1", "ScaledObject", Some("shop"), "first")
        .unwrap();
    c.wait("second to take over", Duration::from_secs(30), |c| {
        c.replicas("shop", "billing-worker") == 8
    })
    .await;
    assert!(!refused(c.ready("shop", "second")), "{}", host.log());
}

/// Finding 1: a TriggerAuthentication KEDA's webhook refuses (identityAuthorityHost without
/// identityTenantId) is never used: the ScaledObject naming it is refused with a condition and
/// an Event, and nothing reaches Azure; once fixed, the ScaledObject runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_trigger_authentication_is_never_used() {
    let c = Cluster::new("ta", 1).await;
    c.azure[0].set_queue("sb", "q", 10);
    c.deployment("shop", "w");
    const TENANT: &str = "11111111-2222-3333-4444-555555555555";
    const CLIENT_ID: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    let azure = &c.azure[0];
    azure.add_client(TENANT, CLIENT_ID);
    azure.set_federated_token("eyJ.service-account.token");
    std::fs::write(c.dir.join("token"), "eyJ.service-account.token").unwrap();
    // The authority host points at a server the tenant controls (here, the stand-in, which
    // records every token request it is sent).
    c.k8s
        .apply(
            json!({"apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication",
            "metadata": {"name": "sb", "namespace": "shop"},
            "spec": {"podIdentity": {"provider": "azure-workload",
                                     "identityAuthorityHost": azure.authority_host()}}}),
        )
        .unwrap();
    let trigger = json!({"type": "azure-servicebus", "name": "q",
        "metadata": {"namespace": "sb", "queueName": "q", "messageCount": "5",
                     "cloud": "Private", "endpointSuffix": azure.endpoint_suffix()},
        "authenticationRef": {"name": "sb"}});
    c.scaled_object(
        "shop",
        "w",
        "w",
        "q",
        1,
        "sb",
        json!({"triggers": [trigger.clone()]}),
    );
    // The same through a ClusterTriggerAuthentication.
    c.k8s
        .apply(
            json!({"apiVersion": "keda.sh/v1alpha1", "kind": "ClusterTriggerAuthentication",
            "metadata": {"name": "sb-cluster"},
            "spec": {"podIdentity": {"provider": "azure-workload",
                                     "identityAuthorityHost": azure.authority_host()}}}),
        )
        .unwrap();
    let mut cluster_trigger = trigger;
    cluster_trigger["authenticationRef"] =
        json!({"name": "sb-cluster", "kind": "ClusterTriggerAuthentication"});
    c.deployment("shop", "v");
    c.scaled_object(
        "shop",
        "v",
        "v",
        "q",
        1,
        "sb",
        json!({"triggers": [cluster_trigger]}),
    );
    let host = c.host_with_env(
        &["--hpa-sync-period", "1"],
        &[
            ("AZURE_CLIENT_ID", CLIENT_ID.to_owned()),
            ("AZURE_TENANT_ID", TENANT.to_owned()),
            (
                "AZURE_FEDERATED_TOKEN_FILE",
                c.dir.join("token").display().to_string(),
            ),
        ],
    );
    c.wait("the ScaledObject refused", Duration::from_secs(20), |c| {
        refused(c.ready("shop", "w"))
    })
    .await;
    let ready = c.ready("shop", "w").unwrap();
    let message = ready["message"].as_str().unwrap();
    assert!(message.contains("TriggerAuthentication 'sb'"), "{message}");
    assert!(message.contains("KEDA1032"), "{message}");
    let notes: Vec<String> = c
        .k8s
        .events()
        .iter()
        .filter(|e| e["reason"] == "ScaledObjectCheckFailed")
        .filter_map(|e| e["note"].as_str().map(str::to_owned))
        .collect();
    assert!(notes.iter().any(|n| n.contains("KEDA1032")), "{notes:?}");
    c.wait(
        "the second ScaledObject refused",
        Duration::from_secs(20),
        |c| refused(c.ready("shop", "v")),
    )
    .await;
    let message = c.ready("shop", "v").unwrap()["message"].clone();
    assert!(
        message
            .as_str()
            .unwrap()
            .contains("ClusterTriggerAuthentication 'sb-cluster'"),
        "{message}"
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(c.replicas("shop", "v"), 0);
    assert!(
        c.azure[0].requests().is_empty(),
        "{:?}",
        c.azure[0].requests()
    );
    assert_eq!(c.replicas("shop", "w"), 0);

    // Fixed: the TriggerAuthentication change alone brings the ScaledObject up.
    c.connection_auth("shop", 0, "sb");
    c.wait("the ScaledObject to run", Duration::from_secs(20), |c| {
        c.replicas("shop", "w") == 2
    })
    .await;
    assert!(!refused(c.ready("shop", "w")), "{}", host.log());
}

/// Finding 8: HPA syncs are served the last poll's value while it is younger than
/// pollingInterval, so a queue is read about once per interval, not once per sync as well.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hpa_syncs_are_served_from_the_polls_value() {
    const POLLING: u64 = 3;
    const WINDOW: u64 = 12;
    let c = Cluster::new("hpa-cache", 1).await;
    c.connection_auth("shop", 0, "sb");
    c.azure[0].set_queue("sb", "q", 10);
    c.deployment("shop", "w");
    c.scaled_object("shop", "w", "w", "q", POLLING, "sb", json!({}));
    let _host = c.host(&["--hpa-sync-period", "1"]);
    c.wait("2 replicas", Duration::from_secs(30), |c| {
        c.replicas("shop", "w") == 2
    })
    .await;
    c.azure[0].clear_requests();
    tokio::time::sleep(Duration::from_secs(WINDOW)).await;
    let reads = c.azure[0]
        .service_bus_requests()
        .iter()
        .filter(|r| r.path.contains("/q"))
        .count() as u64;
    println!("{reads} reads of the queue in {WINDOW}s (pollingInterval {POLLING}s, HPA sync 1s)");
    assert!(reads >= WINDOW / POLLING - 1, "{reads}");
    assert!(reads <= WINDOW / POLLING + 1, "{reads}");
}

/// Finding 8: a deleted ScaledObject's series leave /metrics.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_scaled_objects_series_are_removed() {
    let c = Cluster::new("series", 1).await;
    c.connection_auth("shop", 0, "sb");
    c.azure[0].set_queue("sb", "q", 10);
    c.deployment("shop", "w");
    c.deployment("shop", "v");
    c.scaled_object("shop", "gone", "w", "q", 1, "sb", json!({}));
    c.scaled_object("shop", "kept", "v", "q", 1, "sb", json!({}));
    let host = c.host(&["--hpa-sync-period", "1"]);
    c.wait("2 replicas", Duration::from_secs(30), |c| {
        c.replicas("shop", "w") == 2 && c.replicas("shop", "v") == 2
    })
    .await;
    let body = host.get("/metrics").await;
    assert!(body.contains(r#"scaledObject="gone""#), "{body}");
    c.k8s
        .delete("keda.sh/v1alpha1", "ScaledObject", Some("shop"), "gone")
        .unwrap();
    let start = Instant::now();
    loop {
        let body = host.get("/metrics").await;
        if !body.contains(r#"scaledObject="gone""#) {
            assert!(body.contains(r#"scaledObject="kept""#), "{body}");
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{body}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A ScaledObject refused because another HPA scales its target runs once that HPA is gone,
/// without the ScaledObject changing (the refusal is looked at again every 30 s).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_freed_by_its_hpa_is_taken_over() {
    let c = Cluster::new("hpa-gone", 1).await;
    c.connection_auth("shop", 0, "sb");
    c.azure[0].set_queue("sb", "q", 10);
    c.deployment("shop", "w");
    c.k8s
        .apply(
            json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "legacy", "namespace": "shop"},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "w"},
                     "minReplicas": 1, "maxReplicas": 3}}),
        )
        .unwrap();
    c.scaled_object("shop", "w", "w", "q", 1, "sb", json!({}));
    let host = c.host(&["--hpa-sync-period", "1"]);
    c.wait("the refusal", Duration::from_secs(20), |c| {
        refused(c.ready("shop", "w"))
    })
    .await;
    let ready = c.ready("shop", "w").unwrap();
    assert_eq!(
        ready["message"],
        "the workload 'w' of type 'apps/v1.Deployment' is already managed by the hpa 'legacy'"
    );
    c.k8s
        .delete(
            "autoscaling/v2",
            "HorizontalPodAutoscaler",
            Some("shop"),
            "legacy",
        )
        .unwrap();
    c.wait("the ScaledObject to run", Duration::from_secs(45), |c| {
        c.replicas("shop", "w") == 2
    })
    .await;
    assert!(!refused(c.ready("shop", "w")), "{}", host.log());
}
