//! `scalecore run` as a separate process against the loopback stand-ins of Kubernetes and
//! Azure: configured only through what a user sets (a kubeconfig, AZURE_* variables, a
//! Private-cloud endpointSuffix, a CA file), talking real HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::cluster::{Cluster, CLIENT_ID, SA_TOKEN, TENANT};
use scalecore_standin_azure::{AzureStandin, Fault};
use serde_json::{json, Value};

const SB: &str = "contoso-sb";

/// The stand-ins and the Deployment `orders-worker`, whose container reads `SB_CONN` from the
/// Secret `sb`.
async fn cluster(test: &str) -> Cluster {
    let c = Cluster::new(
        &format!("run-{test}"),
        "s0-azure-servicebus-orders",
        AzureStandin::endpoint_suffix,
    )
    .await;
    c.k8s
        .apply(json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "orders-worker", "namespace": "shop"},
            "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "orders-worker"}},
                     "template": {"metadata": {"labels": {"app": "orders-worker"}},
                                  "spec": {"containers": [{"name": "worker", "image": "w:1",
                                     "env": [{"name": "SB_CONN", "valueFrom": {"secretKeyRef": {"name": "sb", "key": "conn"}}}]}]}}}}))
        .unwrap();
    c
}

impl Cluster {
    /// The ScaledObject `name` on `orders-worker`.
    fn orders_object(&self, name: &str, extra_spec: Value, trigger: Value) {
        self.scaled_object(name, "orders-worker", extra_spec, trigger);
    }

    fn workload_identity_auth(&self) {
        self.k8s
            .apply(
                json!({"apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication",
                "metadata": {"name": "sb-wi", "namespace": "shop"},
                "spec": {"podIdentity": {"provider": "azure-workload"}}}),
            )
            .unwrap();
    }

    fn queue_trigger(&self, auth: &str) -> Value {
        json!({"type": "azure-servicebus", "name": "orders",
            "metadata": {"namespace": SB, "queueName": "orders", "messageCount": "5",
                         "cloud": "Private", "endpointSuffix": self.azure.endpoint_suffix()},
            "authenticationRef": {"name": auth}})
    }
}

fn condition<'a>(status: &'a Value, kind: &str) -> Option<&'a Value> {
    status
        .get("conditions")?
        .as_array()?
        .iter()
        .find(|c| c["type"] == kind)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_with_workload_identity_scales_out_and_back_to_zero() {
    let c = cluster("seed").await;
    c.workload_identity_auth();
    c.azure.set_queue(SB, "orders", 0);
    c.orders_object("orders", json!({}), c.queue_trigger("sb-wi"));
    let host = c.host_with(&["--no-leader-election"]);
    c.wait("the host to poll", 20, |c| {
        c.status_of("orders") != Value::Null
    })
    .await;
    assert_eq!(c.replicas(), 0);

    c.azure.set_queue(SB, "orders", 100);
    let mut seen = Vec::new();
    c.wait("10 replicas", 30, |c| {
        let r = c.replicas();
        if seen.last() != Some(&r) {
            seen.push(r);
        }
        r == 10
    })
    .await;
    // KEDA activates 0 -> 1, then the HPA grows by max(2x, +4) per sync up to
    // ceil(100/5) = 20, capped at 10. Polls and syncs may fall within one sampling period, so
    // the order is read from the Events each write records.
    assert_eq!(seen.first(), Some(&0), "{seen:?}");
    assert!(seen.windows(2).all(|w| w[1] >= w[0]), "{seen:?}");
    let notes: Vec<String> = c
        .k8s
        .events()
        .iter()
        .filter_map(|e| e["note"].as_str().map(str::to_owned))
        .collect();
    assert!(notes[0].contains("from 0 to 1"), "{notes:?}");
    assert!(notes[1].starts_with("New size: 4;"), "{notes:?}");
    let status = c.status_of("orders");
    assert_eq!(
        condition(&status, "Active").unwrap()["status"],
        "True",
        "{status}"
    );
    assert!(status["lastActiveTime"].is_string(), "{status}");

    c.azure.set_queue(SB, "orders", 0);
    let emptied = Instant::now();
    c.wait("scale to zero after the cooldown", 30, |c| {
        c.replicas() == 0
    })
    .await;
    // cooldownPeriod 4 s counts from the last active poll.
    assert!(
        emptied.elapsed() >= Duration::from_secs(3),
        "{:?}",
        emptied.elapsed()
    );

    // The Event follows the /scale write it reports, so it may land a moment after.
    let reasons = |c: &Cluster| -> Vec<String> {
        c.k8s
            .events()
            .iter()
            .filter_map(|e| e["reason"].as_str().map(str::to_owned))
            .collect()
    };
    c.wait("the KEDAScaleTargetDeactivated Event", 5, |c| {
        reasons(c).iter().any(|r| r == "KEDAScaleTargetDeactivated")
    })
    .await;
    let reasons = reasons(&c);
    assert!(
        reasons.iter().any(|r| r == "KEDAScaleTargetActivated"),
        "{reasons:?}"
    );
    // One token served every poll.
    assert!(c.azure.token_requests() >= 1);
    assert!(
        c.azure.token_requests() <= 2,
        "{}",
        c.azure.token_requests()
    );
    let log = host.stop();
    assert!(!log.contains(SA_TOKEN), "the SA token leaked into the log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_string_from_secret_subscription_and_no_secret_in_logs() {
    let c = cluster("conn").await;
    let conn = c.azure.connection_string(SB);
    c.k8s
        .apply(json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "sb", "namespace": "shop"},
            "stringData": {"conn": conn}, "data": {"conn": base64(&conn)}}))
        .unwrap();
    c.k8s
        .apply(json!({"apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication",
            "metadata": {"name": "sb-conn", "namespace": "shop"},
            "spec": {"secretTargetRef": [{"parameter": "connection", "name": "sb", "key": "conn"}]}}))
        .unwrap();
    c.azure.set_subscription(SB, "events", "billing", 12);
    c.orders_object(
        "billing",
        json!({}),
        json!({"type": "azure-servicebus", "metadata": {"topicName": "events", "subscriptionName": "billing", "messageCount": "5"},
               "authenticationRef": {"name": "sb-conn"}}),
    );
    let host = c.host_with(&["--no-leader-election"]);
    c.wait("ceil(12/5) = 3 replicas", 30, |c| c.replicas() == 3)
        .await;
    let log = host.stop();
    let key = conn
        .split(';')
        .find_map(|p| p.strip_prefix("SharedAccessKey="))
        .unwrap();
    assert!(!log.contains(key), "the SAS key leaked into the log");
    assert!(!log.contains(&conn));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_errors_fall_back_after_failure_threshold() {
    let c = cluster("fallback").await;
    c.workload_identity_auth();
    c.azure.set_queue(SB, "orders", 10);
    c.orders_object(
        "orders",
        json!({"fallback": {"failureThreshold": 3, "replicas": 6}}),
        c.queue_trigger("sb-wi"),
    );
    let host = c.host_with(&["--no-leader-election"]);
    c.wait("ceil(10/5) = 2 replicas", 30, |c| c.replicas() == 2)
        .await;
    c.azure.inject(Fault::status(500).times(10_000));
    c.wait("fallback to 6 replicas", 40, |c| c.replicas() == 6)
        .await;
    let status = c.status_of("orders");
    assert_eq!(
        condition(&status, "Fallback").unwrap()["status"],
        "True",
        "{status}"
    );
    let failures = status["health"]["s0-azure-servicebus-orders"]["numberOfFailures"].as_i64();
    assert!(failures.unwrap() >= 3, "{status}");
    drop(host);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_mid_cooldown_keeps_the_cooldown() {
    let c = cluster("restart").await;
    c.workload_identity_auth();
    c.azure.set_queue(SB, "orders", 5);
    c.orders_object(
        "orders",
        json!({"cooldownPeriod": 8}),
        c.queue_trigger("sb-wi"),
    );
    let host = c.host_with(&["--no-leader-election"]);
    c.wait("1 replica", 30, |c| c.replicas() == 1).await;
    c.azure.set_queue(SB, "orders", 0);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let last_active = c.status_of("orders")["lastActiveTime"]
        .as_str()
        .unwrap()
        .to_owned();
    drop(host);
    let _host = c.host_with(&["--no-leader-election"]);
    let restarted = Instant::now();
    c.wait("scale to zero", 30, |c| c.replicas() == 0).await;
    // A host that forgot lastActiveTime would scale to zero at once; this one waits out the
    // rest of the 8 s cooldown (about 6 s more, minus up to a second of rounding).
    assert!(
        restarted.elapsed() >= Duration::from_secs(3),
        "{:?} (lastActiveTime {last_active})",
        restarted.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hosts_elect_one_leader_and_fail_over() {
    let c = cluster("lease").await;
    c.workload_identity_auth();
    c.azure.set_queue(SB, "orders", 0);
    c.orders_object("orders", json!({}), c.queue_trigger("sb-wi"));
    let lease = ["--lease-namespace", "shop", "--lease-duration", "3"];
    let a = c.host_with(&[&lease[..], &["--identity", "host-a"]].concat());
    c.wait("host-a to lead", 20, |_| a.log().contains("leading"))
        .await;
    let b = c.host_with(&[&lease[..], &["--identity", "host-b"]].concat());
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert!(
        !b.log().contains("\"leading\"") && !b.log().contains(" leading"),
        "{}",
        b.log()
    );
    let holder = |c: &Cluster| {
        c.k8s
            .get(
                "coordination.k8s.io/v1",
                "Lease",
                Some("shop"),
                "scalecore-leader",
            )
            .and_then(|l| {
                l.pointer("/spec/holderIdentity")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
    };
    assert_eq!(holder(&c).as_deref(), Some("host-a"));
    drop(a);
    c.wait("host-b to take over", 30, |c| {
        holder(c).as_deref() == Some("host-b")
    })
    .await;
    c.wait("host-b to log it", 10, |_| b.log().contains("leading"))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_decides_but_writes_nothing() {
    let c = cluster("dry").await;
    c.workload_identity_auth();
    c.azure.set_queue(SB, "orders", 50);
    c.orders_object("orders", json!({}), c.queue_trigger("sb-wi"));
    let host = c.host_with(&["--dry-run"]);
    c.wait("a dry-run decision", 30, |_| {
        host.log().contains("dry_run=true")
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(c.replicas(), 0);
    assert_eq!(c.status_of("orders"), Value::Null);
    assert!(c.k8s.events().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_drop_410_and_conflicts_lose_nothing() {
    let c = cluster("watch").await;
    c.workload_identity_auth();
    c.azure.set_queue(SB, "orders", 0);
    let host = c.host_with(&["--no-leader-election"]);
    tokio::time::sleep(Duration::from_secs(2)).await;
    c.k8s.drop_watches();
    c.k8s.compact();
    // Created while the watch was gone: found by the relist after 410.
    c.orders_object("orders", json!({}), c.queue_trigger("sb-wi"));
    c.k8s.conflict_next(1);
    c.azure.set_queue(SB, "orders", 5);
    c.wait("1 replica despite a 409", 40, |c| c.replicas() == 1)
        .await;
    drop(host);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_scaled_by_another_hpa_is_refused() {
    let c = cluster("hpa").await;
    c.workload_identity_auth();
    c.k8s
        .apply(json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "legacy", "namespace": "shop"},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "orders-worker"},
                     "minReplicas": 1, "maxReplicas": 3}}))
        .unwrap();
    c.azure.set_queue(SB, "orders", 50);
    c.orders_object("orders", json!({}), c.queue_trigger("sb-wi"));
    let host = c.host_with(&["--no-leader-election"]);
    c.wait("a refusal condition", 20, |c| {
        condition(&c.status_of("orders"), "Ready")
            .is_some_and(|r| r["reason"] == "ScaledObjectCheckFailed")
    })
    .await;
    let ready = condition(&c.status_of("orders"), "Ready").unwrap().clone();
    assert!(
        ready["message"]
            .as_str()
            .unwrap()
            .contains("already managed by the hpa 'legacy'"),
        "{ready}"
    );
    assert_eq!(c.replicas(), 0);
    drop(host);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_health_and_readiness_are_served() {
    let c = cluster("metrics").await;
    c.workload_identity_auth();
    c.azure.set_queue(SB, "orders", 7);
    c.orders_object("orders", json!({}), c.queue_trigger("sb-wi"));
    let host = c.host_with(&["--no-leader-election"]);
    c.wait("2 replicas", 30, |c| c.replicas() == 2).await;
    let log = host.log();
    let addr = log
        .lines()
        .find(|l| l.contains("serving /metrics"))
        .and_then(|l| l.split("local=").nth(1))
        .map(|s| s.split_whitespace().next().unwrap().to_owned())
        .unwrap();
    let get = |path: &str| -> (u16, String) {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        let code = out[9..12].parse().unwrap();
        (code, out)
    };
    assert_eq!(get("/healthz").0, 200);
    assert_eq!(get("/readyz").0, 200);
    let (code, body) = get("/metrics");
    assert_eq!(code, 200);
    assert!(
        body.contains(r#"scalecore_scaler_metrics_value{namespace="shop",scaledObject="orders",trigger="0",type="scaledobject"} 7.0"#),
        "{body}"
    );
    assert!(body.contains("scalecore_scale_decisions_total"), "{body}");
}

fn base64(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regex_max_over_queues_with_connection_from_the_workload_env() {
    let c = cluster("regex").await;
    // The Deployment's container has SB_CONN from Secret sb/conn (valueFrom.secretKeyRef).
    let conn = c.azure.connection_string(SB);
    c.k8s
        .apply(json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "sb", "namespace": "shop"},
            "stringData": {"conn": conn}}))
        .unwrap();
    c.azure.set_queue(SB, "orders-eu", 12);
    c.azure.set_queue(SB, "orders-us", 31);
    c.azure.set_queue(SB, "orders", 1000); // not matched: the whole name must match
    c.azure.set_queue(SB, "returns", 500);
    c.orders_object(
        "regional",
        json!({}),
        json!({"type": "azure-servicebus", "metadata": {"queueName": "orders-.+", "useRegex": "true",
                "operation": "max", "messageCount": "5", "connectionFromEnv": "SB_CONN"}}),
    );
    let host = c.host_with(&["--no-leader-election"]);
    // max(12, 31) = 31 -> ceil(31/5) = 7.
    c.wait("7 replicas", 30, |c| c.replicas() == 7).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(c.replicas(), 7);
    let listed = c
        .azure
        .requests()
        .iter()
        .filter(|r| r.path.contains("$Resources/Queues"))
        .count();
    assert!(listed >= 1);
    assert!(!host.stop().contains(&conn));
}

/// A tenant's TriggerAuthentication names another authority host: the host keeps using
/// AZURE_AUTHORITY_HOST, warns once, and the other server never sees the federated token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trigger_authentication_cannot_redirect_the_federated_token() {
    let c = cluster("authority").await;
    let collector = AzureStandin::start().await.unwrap();
    collector.add_client(TENANT, CLIENT_ID);
    // Trusted by the host, so only the host's refusal keeps the token from it.
    let mut bundle = c.azure.ca_pem();
    bundle.extend(collector.ca_pem());
    std::fs::write(c.dir.join("ca.pem"), bundle).unwrap();
    c.k8s
        .apply(
            json!({"apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication",
            "metadata": {"name": "sb-elsewhere", "namespace": "shop"},
            "spec": {"podIdentity": {"provider": "azure-workload", "identityTenantId": TENANT,
                     "identityAuthorityHost": collector.authority_host()}}}),
        )
        .unwrap();
    c.azure.set_queue(SB, "orders", 100);
    c.orders_object("orders", json!({}), c.queue_trigger("sb-elsewhere"));
    let host = c.host_with(&["--no-leader-election"]);
    c.wait("a scale out", 30, |c| c.replicas() >= 1).await;
    // Several polls later, still nothing at the collector.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        collector.requests().is_empty(),
        "{:?}",
        collector.requests()
    );
    assert!(c.azure.token_requests() >= 1);
    let log = host.stop();
    assert_eq!(
        log.matches("ignoring a TriggerAuthentication's identityAuthorityHost")
            .count(),
        1,
        "{log}"
    );
    assert!(!log.contains(SA_TOKEN));
}

/// A trigger whose namespace is outside the allowed suffixes fails without any request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_namespace_outside_the_allowed_suffixes_gets_no_token() {
    let c = cluster("suffix").await;
    c.workload_identity_auth();
    c.azure.set_queue(SB, "orders", 100);
    let mut trigger = c.queue_trigger("sb-wi");
    // Same stand-in, reached under a suffix the host was not told to allow.
    trigger["metadata"]["endpointSuffix"] = json!(format!("localhost:{}", c.azure.port()));
    c.orders_object("orders", json!({}), trigger);
    let host = c.host_with(&["--no-leader-election"]);
    let start = Instant::now();
    while host
        .log()
        .matches("is not under an allowed endpoint suffix")
        .count()
        < 2
    {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no refusal logged: {}",
            host.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(c.azure.requests().is_empty(), "{:?}", c.azure.requests());
    assert_eq!(c.replicas(), 0);
    let log = host.stop();
    assert!(
        log.contains("is not under an allowed endpoint suffix"),
        "{log}"
    );
}

/// Workers resolve triggers from the TriggerAuthentications the controller's watch holds: a
/// change reaches them through the watch (the worker restarts with the new spec), and no
/// worker GETs a TriggerAuthentication. Secrets are still read one by one by name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trigger_authentications_come_from_the_watch_not_from_gets() {
    let c = cluster("watched-auth").await;
    let conn = c.azure.connection_string(SB);
    c.k8s
        .apply(json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "sb", "namespace": "shop"},
            "data": {"conn": base64(&conn)}}))
        .unwrap();
    let auth = |key: &str| {
        json!({"apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication",
            "metadata": {"name": "sb-conn", "namespace": "shop"},
            "spec": {"secretTargetRef": [{"parameter": "connection", "name": "sb", "key": key}]}})
    };
    c.k8s.apply(auth("wrong")).unwrap();
    c.azure.set_queue(SB, "orders", 12);
    c.orders_object(
        "orders",
        json!({}),
        json!({"type": "azure-servicebus", "metadata": {"queueName": "orders", "messageCount": "5"},
               "authenticationRef": {"name": "sb-conn"}}),
    );
    let host = c.host_with(&["--no-leader-election"]);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !host
        .log()
        .contains(r#"Secret shop/sb has no key \"wrong\""#)
        && !host.log().contains(r#"Secret shop/sb has no key "wrong""#)
    {
        assert!(Instant::now() < deadline, "no error naming the missing key");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(c.replicas(), 0);
    c.k8s.apply(auth("conn")).unwrap();
    c.wait("ceil(12/5) = 3 replicas", 30, |c| c.replicas() == 3)
        .await;
    let requests = c.k8s.requests();
    let gets: Vec<&str> = requests
        .iter()
        .filter(|r| r.method == "GET" && r.path.contains("/triggerauthentications/"))
        .map(|r| r.path.as_str())
        .collect();
    assert!(
        gets.is_empty(),
        "TriggerAuthentications were read by name: {gets:?}"
    );
    let watched = requests
        .iter()
        .any(|r| r.path.ends_with("/triggerauthentications") && r.query.contains("watch"));
    assert!(watched, "no watch of TriggerAuthentications");
    let secret_reads = requests
        .iter()
        .filter(|r| r.path == "/api/v1/namespaces/shop/secrets/sb")
        .count();
    // Secrets are read by name (a worker rebuilds after each failed poll, as KEDA does, so
    // how often depends on how long the trigger was broken).
    assert!(secret_reads >= 1, "Secret sb was never read by name");
    assert!(
        !requests.iter().any(|r| r.path.ends_with("/secrets")),
        "Secrets were listed"
    );
    assert!(!host.stop().contains(&conn));
}

/// The target container's `envFrom` is resolved as KEDA's resolveEnv does (prefix included),
/// its ConfigMap read once by name, never listed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_from_an_env_from_config_map_with_a_prefix() {
    let c = cluster("env-from").await;
    let conn = c.azure.connection_string(SB);
    c.k8s
        .apply(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "sb-env", "namespace": "shop"},
            "data": {"CONN": conn}}))
        .unwrap();
    c.k8s
        .apply(json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "orders-worker", "namespace": "shop"},
            "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "w"}},
                     "template": {"metadata": {"labels": {"app": "w"}},
                                  "spec": {"containers": [{"name": "worker", "image": "w:1",
                                     "envFrom": [{"prefix": "SB_", "configMapRef": {"name": "sb-env"}}]}]}}}}))
        .unwrap();
    c.azure.set_queue(SB, "orders", 12);
    c.orders_object(
        "orders",
        json!({}),
        json!({"type": "azure-servicebus",
               "metadata": {"queueName": "orders", "messageCount": "5", "connectionFromEnv": "SB_CONN"}}),
    );
    let host = c.host_with(&["--no-leader-election"]);
    c.wait("ceil(12/5) = 3 replicas", 30, |c| c.replicas() == 3)
        .await;
    let requests = c.k8s.requests();
    let reads: Vec<&str> = requests
        .iter()
        .filter(|r| r.path.contains("configmaps"))
        .map(|r| r.path.as_str())
        .collect();
    assert_eq!(reads, ["/api/v1/namespaces/shop/configmaps/sb-env"]);
    assert!(!host.stop().contains(&conn));
}

/// The status fields KEDA derives from the triggers, with answers from KEDA v2.20.2's code:
/// `CombinedTriggersAndAuthenticationsTypes` (types and authenticationRef names, each once, in
/// trigger order), `getTriggersActivity` (per external metric name, active when the value
/// exceeds the activation) and, with scalingModifiers, `compositeScalerName`
/// (`kedav1alpha1.CompositeMetricName`), where the scale loop's active list holds only the
/// composite metric so every trigger reads inactive.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_reports_trigger_types_authentications_and_activity() {
    let c = cluster("types").await;
    c.workload_identity_auth();
    c.azure.set_queue(SB, "orders", 7);
    c.azure.set_queue(SB, "idle", 0);
    let mut idle = c.queue_trigger("sb-wi");
    idle["name"] = json!("idle");
    idle["metadata"]["queueName"] = json!("idle");
    c.k8s
        .apply(json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "reports", "namespace": "shop"},
            "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "r"}},
                     "template": {"metadata": {"labels": {"app": "r"}},
                                  "spec": {"containers": [{"name": "r", "image": "r:1"}]}}}}))
        .unwrap();
    let both = json!([c.queue_trigger("sb-wi"), idle]);
    c.orders_object("orders", json!({"triggers": both}), Value::Null);
    c.orders_object(
        "reports",
        json!({"scaleTargetRef": {"name": "reports"}, "triggers": both,
               "advanced": {"scalingModifiers": {"formula": "orders + idle", "target": "5"}}}),
        Value::Null,
    );
    let host = c.host_with(&["--no-leader-election"]);
    c.wait("2 replicas", 30, |c| c.replicas() == 2).await;
    c.wait("the activity of both ScaledObjects", 20, |c| {
        c.status_of("orders").get("triggersActivity").is_some()
            && c.status_of("reports").get("triggersActivity").is_some()
    })
    .await;
    let status = c.status_of("orders");
    assert_eq!(status["triggersTypes"], "azure-servicebus", "{status}");
    assert_eq!(status["authenticationsTypes"], "sb-wi", "{status}");
    assert_eq!(
        status["triggersActivity"],
        json!({"s0-azure-servicebus-orders": {"isActive": true},
               "s1-azure-servicebus-idle": {"isActive": false}}),
        "{status}"
    );
    assert_eq!(status.get("compositeScalerName"), None, "{status}");
    assert_eq!(status.get("resourceMetricNames"), None, "{status}");
    // No fallback: `GetMetricsWithFallback` tracks no health.
    assert_eq!(status.get("health"), None, "{status}");
    let reports = c.status_of("reports");
    assert_eq!(
        reports["compositeScalerName"], "composite-metric",
        "{reports}"
    );
    assert_eq!(
        reports["triggersActivity"],
        json!({"s0-azure-servicebus-orders": {"isActive": false},
               "s1-azure-servicebus-idle": {"isActive": false}}),
        "{reports}"
    );
    // The queue empties: the next poll finds the trigger inactive and says so.
    c.azure.set_queue(SB, "orders", 0);
    c.wait("orders to read inactive", 20, |c| {
        c.status_of("orders")["triggersActivity"]["s0-azure-servicebus-orders"]["isActive"] == false
    })
    .await;
    drop(host);
}

/// A ScaledObject whose scalers cannot be built (its TriggerAuthentication is one KEDA's
/// webhook refuses, so KEDA finds none) is refused after KEDA's controller wrote the trigger
/// types (`reconcileScaledObject` runs `updateStatusWithTriggersAndAuthsTypes` before it builds
/// the HPA's metrics), so they stay.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scaled_object_refused_at_build_keeps_its_trigger_types() {
    let c = cluster("typed-refusal").await;
    c.k8s
        .apply(
            json!({"apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication",
            "metadata": {"name": "sb-bad", "namespace": "shop"},
            "spec": {"podIdentity": {"provider": "azure-workload",
                                     "identityAuthorityHost": c.azure.authority_host()}}}),
        )
        .unwrap();
    c.azure.set_queue(SB, "orders", 5);
    c.orders_object("orders", json!({}), c.queue_trigger("sb-bad"));
    let host = c.host_with(&["--no-leader-election"]);
    c.wait("a refusal condition", 20, |c| {
        condition(&c.status_of("orders"), "Ready")
            .is_some_and(|r| r["reason"] == "ScaledObjectCheckFailed")
    })
    .await;
    let status = c.status_of("orders");
    assert_eq!(status["triggersTypes"], "azure-servicebus", "{status}");
    assert_eq!(status["authenticationsTypes"], "sb-bad", "{status}");
    assert_eq!(c.replicas(), 0);
    drop(host);
}
