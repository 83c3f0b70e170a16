//! `scalecore explain` as a separate process against the Kubernetes stand-in, with the cluster
//! as KEDA and the HPA controller leave it: the ScaledObject's status, the HPA `keda-hpa-NAME`
//! with its status and conditions, Events, the external metric values KEDA's metrics server
//! serves, the Deployment and its pods. Each case checks the rule named and its numbers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;

mod common;

use common::{now, rfc3339};
use scalecore_standin_kube::KubeStandin;
use serde_json::{json, Value};

const NS: &str = "shop";
const METRIC: &str = "s0-azure-servicebus-orders";
/// The binary reads the clock a moment after the test: seconds left may be this much lower.
const SLACK: i64 = 5;

struct Cluster {
    k8s: KubeStandin,
    dir: PathBuf,
}

impl Cluster {
    async fn new(test: &str, replicas: i64) -> Cluster {
        let k8s = KubeStandin::start().await.unwrap();
        let dir =
            std::env::temp_dir().join(format!("scalecore-explain-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("kubeconfig"), k8s.kubeconfig_yaml()).unwrap();
        k8s.apply(json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "orders-worker", "namespace": NS},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "w"}},
                     "template": {"metadata": {"labels": {"app": "w"}},
                                  "spec": {"containers": [{"name": "worker", "image": "w:1"}]}}}}))
            .unwrap();
        Cluster { k8s, dir }
    }

    /// The seed's ScaledObject with `extra` merged into its spec and `status` as KEDA wrote it.
    fn scaled_object(&self, extra: Value, annotations: Value, status: Value) {
        let mut spec = json!({"scaleTargetRef": {"name": "orders-worker"}, "pollingInterval": 30,
            "cooldownPeriod": 300, "minReplicaCount": 0, "maxReplicaCount": 10,
            "triggers": [{"type": "azure-servicebus", "name": "orders",
                "metadata": {"namespace": "contoso-sb", "queueName": "orders", "messageCount": "5"}}]});
        for (k, v) in extra.as_object().unwrap() {
            spec[k] = v.clone();
        }
        self.k8s
            .apply(
                json!({"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
                "metadata": {"name": "orders", "namespace": NS, "annotations": annotations,
                             "creationTimestamp": rfc3339(now() - 3600)},
                "spec": spec, "status": status}),
            )
            .unwrap();
    }

    /// `keda-hpa-orders` as KEDA creates it, with `status` as the HPA controller wrote it.
    fn hpa(&self, max: i64, behavior: Option<Value>, status: Value) {
        let mut spec = json!({"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "orders-worker"},
            "minReplicas": 1, "maxReplicas": max,
            "metrics": [{"type": "External", "external": {
                "metric": {"name": METRIC, "selector": {"matchLabels": {"scaledobject.keda.sh/name": "orders"}}},
                "target": {"type": "AverageValue", "averageValue": "5"}}}]});
        if let Some(b) = behavior {
            spec["behavior"] = b;
        }
        self.k8s
            .apply(json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                "metadata": {"name": "keda-hpa-orders", "namespace": NS}, "spec": spec, "status": status}))
            .unwrap();
    }

    fn pod(&self, name: &str, ready: bool) {
        self.k8s
            .apply(json!({"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": name, "namespace": NS, "labels": {"app": "w"}},
                "spec": {"containers": [{"name": "worker", "image": "w:1"}]},
                "status": {"phase": if ready { "Running" } else { "Pending" }, "conditions": [
                    {"type": "Ready", "status": if ready { "True" } else { "False" }}]}}))
            .unwrap();
    }

    fn event(&self, name: &str, object: &str, kind: &str, t: i64, reason: &str, message: &str) {
        self.k8s
            .apply(json!({"apiVersion": "v1", "kind": "Event",
                "metadata": {"name": name, "namespace": NS},
                "involvedObject": {"kind": kind, "name": object, "namespace": NS},
                "reason": reason, "message": message, "type": "Normal",
                "lastTimestamp": rfc3339(t), "firstTimestamp": rfc3339(t)}))
            .unwrap();
    }

    async fn explain(&self, format: &str) -> (bool, String, String) {
        let kubeconfig = self.dir.join("kubeconfig");
        let format = format.to_owned();
        tokio::task::spawn_blocking(move || {
            let out = Command::new(env!("CARGO_BIN_EXE_scalecore"))
                .args([
                    "explain",
                    "scaledobject/orders",
                    "-n",
                    NS,
                    "--format",
                    &format,
                ])
                .arg("--kubeconfig")
                .arg(kubeconfig)
                .output()
                .unwrap();
            (
                out.status.success(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        })
        .await
        .unwrap()
    }

    async fn json(&self) -> Value {
        let (ok, out, err) = self.explain("json").await;
        assert!(ok, "{err}");
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn rule<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["holding"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == name)
        .unwrap_or_else(|| panic!("no {name} rule in {report:#}"))
}

fn has_rule(report: &Value, name: &str) -> bool {
    report["holding"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["rule"] == name)
}

fn assert_left(r: &Value, expected: i64) {
    let left = r["seconds_left"].as_i64().unwrap();
    assert!(
        (expected - SLACK..=expected).contains(&left),
        "seconds_left {left}, expected {expected}: {r:#}"
    );
}

fn disagreement(report: &Value, needle: &str) -> Value {
    report["disagreements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["what"].as_str().unwrap().contains(needle))
        .cloned()
        .unwrap_or_else(|| panic!("no disagreement with {needle:?} in {report:#}"))
}

fn active(t: i64) -> Value {
    json!({"lastActiveTime": rfc3339(t), "hpaName": "keda-hpa-orders",
           "conditions": [{"type": "Ready", "status": "True", "reason": "ScaledObjectReady"},
                          {"type": "Active", "status": "True", "reason": "ScalerActive"}]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scale_up_capped_by_a_policy() {
    let c = Cluster::new("policy", 2).await;
    c.pod("w-1", true);
    c.pod("w-2", true);
    let behavior = json!({"scaleUp": {"stabilizationWindowSeconds": 0, "selectPolicy": "Max",
        "policies": [{"type": "Pods", "value": 2, "periodSeconds": 60}]}});
    c.scaled_object(
        json!({"advanced": {"horizontalPodAutoscalerConfig": {"behavior": behavior.clone()}}}),
        json!({}),
        active(now()),
    );
    c.hpa(
        10,
        Some(behavior),
        json!({"currentReplicas": 2, "desiredReplicas": 4}),
    );
    c.k8s.set_external_metric(NS, "orders", METRIC, 50.0);
    let r = c.json().await;
    // 50 messages / 5 per pod = 10 wanted; Pods 2 per 60 s from 2 allows 4.
    let p = rule(&r, "scale_up_policy");
    assert_eq!(p["replicas"], 4, "{r:#}");
    assert!(p["text"].as_str().unwrap().contains("wanted 10"), "{p}");
    assert_eq!(r["hpa"]["desired"], 10);
    assert_eq!(r["hpa"]["limit"], "ScaleUpLimit");
    assert_eq!(r["engine_replicas"], 4);
    assert_eq!(r["ready"], 2);
    assert_eq!(r["metrics"][0]["value"], 50.0);
    assert_eq!(r["metrics"][0]["source"], "external.metrics.k8s.io");
    assert_eq!(r["next"]["to"], 4);
    assert_eq!(r["next"]["loop"], "hpa");
    assert!(r["disagreements"].as_array().unwrap().is_empty(), "{r:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cooldown_in_progress() {
    let c = Cluster::new("cooldown", 1).await;
    let t = now();
    c.scaled_object(json!({}), json!({}), active(t - 100));
    c.hpa(
        10,
        None,
        json!({"currentReplicas": 1, "desiredReplicas": 1}),
    );
    c.k8s.set_external_metric(NS, "orders", METRIC, 0.0);
    let r = c.json().await;
    // lastActiveTime + cooldownPeriod 300 - now.
    let cd = rule(&r, "cooldown");
    assert_left(cd, 200);
    assert_eq!(cd["estimated"], false);
    assert_eq!(r["keda"]["action"], "none_cooldown");
    // The HPA cannot go below its minReplicas 1: only KEDA takes the target to 0.
    assert_eq!(rule(&r, "min_replicas")["replicas"], 1);
    let next = &r["next"];
    assert_eq!(
        (
            next["loop"].as_str(),
            next["from"].as_i64(),
            next["to"].as_i64()
        ),
        (Some("keda"), Some(1), Some(0)),
        "{r:#}"
    );
    // The first poll (every 30 s) after the cooldown ends.
    let at = next["in_seconds"].as_i64().unwrap();
    assert!((200 - SLACK..=230).contains(&at), "{next}");

    let (ok, text, err) = c.explain("text").await;
    assert!(ok, "{err}");
    assert!(
        text.contains("cooldown: every trigger is inactive"),
        "{text}"
    );
    assert!(text.contains(" s left, until "), "{text}");
    assert!(text.contains("the keda loop scales 1 -> 0"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stabilization_window_holding_replicas_up() {
    let c = Cluster::new("window", 10).await;
    let t = now();
    c.scaled_object(json!({}), json!({}), active(t));
    c.hpa(
        10,
        None,
        json!({"currentReplicas": 10, "desiredReplicas": 10, "lastScaleTime": rfc3339(t - 200),
               "conditions": [{"type": "AbleToScale", "status": "True", "reason": "ScaleDownStabilized",
                               "lastTransitionTime": rfc3339(t - 60),
                               "message": "recent recommendations were higher than current one, applying the highest recent recommendation"},
                              {"type": "ScalingActive", "status": "True", "reason": "ValidMetricFound"}]}),
    );
    c.k8s.set_external_metric(NS, "orders", METRIC, 10.0);
    let r = c.json().await;
    // 10 messages ask for 2 pods; the recommendation of 10 was last made one sync (15 s)
    // before the window started holding 60 s ago: 300 - 75 = 225 s left.
    let w = rule(&r, "stabilization_window");
    assert_eq!(w["replicas"], 10);
    assert_eq!(w["estimated"], true);
    assert_left(w, 225);
    assert_eq!(r["hpa"]["desired"], 2);
    assert_eq!(r["hpa"]["stabilized"], 10);
    assert!(!has_rule(&r, "cooldown"), "{r:#}");
    assert_eq!(r["next"]["to"], 2, "{r:#}");
    assert!(!r["estimates"].as_array().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fallback_after_failures() {
    let c = Cluster::new("fallback", 6).await;
    let t = now();
    let mut status = active(t - 30);
    status["health"] = json!({METRIC: {"numberOfFailures": 5, "status": "Failing"}});
    status["conditions"]
        .as_array_mut()
        .unwrap()
        .push(json!({"type": "Fallback", "status": "True", "reason": "FallbackExists"}));
    c.scaled_object(
        json!({"fallback": {"failureThreshold": 3, "replicas": 6}}),
        json!({}),
        status,
    );
    c.hpa(
        10,
        None,
        json!({"currentReplicas": 6, "desiredReplicas": 6}),
    );
    c.k8s
        .fail_external_metric(NS, "orders", METRIC, "unauthorized: token expired");
    let r = c.json().await;
    let f = rule(&r, "fallback");
    assert_eq!(f["replicas"], 6);
    assert!(
        f["text"].as_str().unwrap().contains("failureThreshold 3"),
        "{f}"
    );
    assert_eq!(r["keda"]["fallback"], true);
    assert_eq!(r["engine_replicas"], 6);
    assert_eq!(r["metrics"][0]["source"], "status.health");
    // The metric is served as 6 replicas x target 5.
    assert!(
        r["hpa"]["reason"]
            .as_str()
            .unwrap()
            .contains("fallback replicas 6 -> served 30"),
        "{r:#}"
    );
    let d = disagreement(&r, "no value for s0-azure-servicebus-orders");
    assert!(d["what"].as_str().unwrap().contains("token expired"), "{d}");
    assert!(
        d["likely_cause"].as_str().unwrap().contains("scaler fails"),
        "{d}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_object() {
    let c = Cluster::new("paused", 2).await;
    c.scaled_object(
        json!({}),
        json!({"autoscaling.keda.sh/paused-replicas": "2"}),
        json!({"pausedReplicaCount": 2,
               "conditions": [{"type": "Paused", "status": "True", "reason": "ScaledObjectPaused"}]}),
    );
    let r = c.json().await;
    let p = rule(&r, "paused");
    assert_eq!(p["replicas"], 2);
    assert!(
        p["text"].as_str().unwrap().contains("paused-replicas"),
        "{p}"
    );
    assert!(r["hpa"].is_null(), "{r:#}");
    assert!(r["next"].is_null(), "{r:#}");
    // No HPA is expected while paused.
    assert!(r["disagreements"].as_array().unwrap().is_empty(), "{r:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_hpa_that_disagrees_with_the_engine() {
    let c = Cluster::new("disagree", 3).await;
    let t = now();
    c.scaled_object(json!({}), json!({}), active(t));
    c.hpa(
        10,
        None,
        json!({"currentReplicas": 3, "desiredReplicas": 3, "lastScaleTime": rfc3339(t - 900),
               "conditions": [{"type": "ScalingActive", "status": "False", "reason": "FailedGetExternalMetric",
                               "message": "the HPA was unable to compute the replica count: unable to get external metric"}]}),
    );
    c.event(
        "e1",
        "keda-hpa-orders",
        "HorizontalPodAutoscaler",
        t - 20,
        "FailedGetExternalMetric",
        "unable to get external metric shop/s0-azure-servicebus-orders",
    );
    c.k8s.set_external_metric(NS, "orders", METRIC, 30.0);
    let r = c.json().await;
    let d = disagreement(&r, "desiredReplicas is 3; the engine computes 6");
    assert!(
        d["likely_cause"].as_str().unwrap().contains("metric moved"),
        "{d}"
    );
    let d = disagreement(&r, "ScalingActive=False (FailedGetExternalMetric)");
    assert!(
        d["likely_cause"]
            .as_str()
            .unwrap()
            .contains("metrics server"),
        "{d}"
    );
    assert_eq!(r["engine_replicas"], 6);
    assert_eq!(r["events"][0]["reason"], "FailedGetExternalMetric");

    // KEDA's metrics server gone: the metric is missing, and explain says where it looked.
    c.k8s.remove_external_metric(NS, "orders", METRIC);
    let r = c.json().await;
    let d = disagreement(&r, "no value for s0-azure-servicebus-orders: 404");
    assert!(
        d["likely_cause"].as_str().unwrap().contains("APIService"),
        "{d}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_object_is_a_clear_error() {
    let c = Cluster::new("errors", 0).await;
    let kubeconfig = c.dir.join("kubeconfig");
    let run = move |what: &'static str| {
        let kubeconfig = kubeconfig.clone();
        move || {
            Command::new(env!("CARGO_BIN_EXE_scalecore"))
                .args(["explain", what, "-n", NS, "--kubeconfig"])
                .arg(kubeconfig)
                .output()
                .unwrap()
        }
    };
    let out = tokio::task::spawn_blocking(run("scaledjob/batch"))
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ScaledJob shop/batch: not found"), "{err}");
    let out = tokio::task::spawn_blocking(run("scaledobject/nope"))
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ScaledObject shop/nope: not found"), "{err}");
}

/// `scalecore demo --explain-at 200`: the queue drained at about 150 s, replicas still at 10.
/// Both the cooldown and the HPA's scale-down window hold them, each with its time left.
#[cfg(feature = "demo")]
#[test]
fn the_demo_explains_itself_at_200_s() {
    let out = Command::new(env!("CARGO_BIN_EXE_scalecore"))
        .args([
            "demo",
            "--format",
            "json",
            "--speed",
            "20",
            "--duration",
            "205",
        ])
        .args(["--explain-at", "200"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let explains: Vec<&Value> = lines.iter().filter_map(|l| l.get("explain")).collect();
    assert_eq!(explains.len(), 1, "{stdout}");
    let r = explains[0];
    assert_eq!(r["replicas"], 10, "{r:#}");
    assert_eq!(r["metrics"][0]["value"], 0.0, "{r:#}");
    assert_eq!(r["keda"]["action"], "none_cooldown", "{r:#}");

    // The last active poll, from the timeline: (elapsed, lastActiveTime).
    let (elapsed, last_active) = lines
        .iter()
        .rev()
        .find_map(|l| {
            let reason = l["reason"].as_str()?;
            let t = reason.split("lastActiveTime := ").nth(1)?;
            Some((
                l["t"].as_f64()?,
                t.split(|c: char| !c.is_ascii_digit())
                    .next()?
                    .parse::<i64>()
                    .ok()?,
            ))
        })
        .unwrap();
    let origin = last_active - elapsed.round() as i64;
    let cd = rule(r, "cooldown");
    assert_eq!(cd["until"], rfc3339(last_active + 300), "{cd}");
    let left = cd["seconds_left"].as_i64().unwrap();
    // At 20x, the reads explain makes take a few timeline seconds.
    let expected = last_active + 300 - (origin + 200);
    assert!(
        (expected - 10..=expected).contains(&left),
        "{expected}: {cd}"
    );

    // The window holds the recommendation made one sync before the HPA's first
    // ScaleDownStabilized sync: the first one whose stabilized count is above the desired one.
    let first_held = lines
        .iter()
        .find_map(|l| {
            let reason = l["reason"].as_str()?;
            let desired: i64 = reason
                .split("desired ")
                .nth(1)?
                .split(';')
                .next()?
                .trim()
                .parse()
                .ok()?;
            let stabilized: i64 = reason
                .split("over 300s = ")
                .nth(1)?
                .split(' ')
                .next()?
                .parse()
                .ok()?;
            (stabilized > desired).then(|| l["t"].as_f64().unwrap().round() as i64)
        })
        .unwrap();
    let w = rule(r, "stabilization_window");
    assert_eq!(w["replicas"], 10, "{w}");
    assert_eq!(w["estimated"], true);
    let expected = origin + first_held - 15 + 300 - (origin + 200);
    let left = w["seconds_left"].as_i64().unwrap();
    assert!(
        (expected - 10..=expected).contains(&left),
        "{expected}: {w}"
    );
    assert!(
        r["summary"]
            .as_str()
            .unwrap()
            .contains("held by: cooldown, stabilization_window"),
        "{r:#}"
    );
}

/// An object `scalecore run` manages: no HPA and no external metrics API by design, so
/// neither is a disagreement; the metric comes from the host's own Event.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_object_scalecore_run_manages() {
    let c = Cluster::new("run", 3).await;
    let t = now();
    c.scaled_object(json!({}), json!({}), active(t - 10));
    c.k8s
        .apply(json!({"apiVersion": "events.k8s.io/v1", "kind": "Event",
            "metadata": {"name": "orders.1", "namespace": NS},
            "eventTime": rfc3339(t - 100), "reportingController": "scalecore",
            "reportingInstance": "scalecore-0", "action": "Scale", "reason": "SuccessfulRescale", "type": "Normal",
            "regarding": {"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject", "name": "orders", "namespace": NS},
            "note": "New size: 3; reason: hpa: orders=12 | s0-azure-servicebus-orders: ceil(12/5)=3 => desired 3"}))
        .unwrap();
    let r = c.json().await;
    assert_eq!(r["metrics"][0]["value"], 12.0, "{r:#}");
    assert_eq!(r["metrics"][0]["source"], "event");
    assert_eq!(r["hpa"]["desired"], 3);
    assert_eq!(r["engine_replicas"], 3);
    assert!(r["disagreements"].as_array().unwrap().is_empty(), "{r:#}");
    assert!(
        r["estimates"].to_string().contains("scalecore run manages"),
        "{r:#}"
    );
    assert_eq!(r["events"][0]["reporter"], "scalecore");

    // The same object without the host's Event: nothing says who manages it, so the missing
    // HPA is reported.
    c.k8s
        .delete("events.k8s.io/v1", "Event", Some(NS), "orders.1")
        .unwrap();
    let r = c.json().await;
    disagreement(&r, "there is no HPA keda-hpa-orders");
}

/// A scale-down held by its policy, counting the HPA's last scale from its Events: Pods 1 per
/// 60 s, scaled 6 -> 5 30 s ago, so no fewer than 5 until that scale leaves the period.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scale_down_held_by_a_policy_counting_the_last_scale_event() {
    let c = Cluster::new("down-policy", 5).await;
    let t = now();
    let behavior = json!({"scaleDown": {"stabilizationWindowSeconds": 0,
        "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]}});
    c.scaled_object(
        json!({"advanced": {"horizontalPodAutoscalerConfig": {"behavior": behavior.clone()}}}),
        json!({}),
        active(t),
    );
    c.hpa(
        10,
        Some(behavior),
        json!({"currentReplicas": 5, "desiredReplicas": 5, "lastScaleTime": rfc3339(t - 30)}),
    );
    c.event(
        "e1",
        "keda-hpa-orders",
        "HorizontalPodAutoscaler",
        t - 200,
        "SuccessfulRescale",
        "New size: 6; reason: external metric s0-azure-servicebus-orders above target",
    );
    c.event(
        "e2",
        "keda-hpa-orders",
        "HorizontalPodAutoscaler",
        t - 30,
        "SuccessfulRescale",
        "New size: 5; reason: All metrics below target",
    );
    c.k8s.set_external_metric(NS, "orders", METRIC, 5.0);
    let r = c.json().await;
    let p = rule(&r, "scale_down_policy");
    assert_eq!(p["replicas"], 5, "{r:#}");
    assert_eq!(r["hpa"]["desired"], 1);
    assert_eq!(r["engine_replicas"], 5);
    assert!(
        r["estimates"].to_string().contains("1 scale write"),
        "{r:#}"
    );
    // The 6 -> 5 leaves the 60 s period at the sync 30 s from now.
    assert_eq!(
        (r["next"]["to"].as_i64(), r["next"]["in_seconds"].as_i64()),
        (Some(4), Some(30)),
        "{r:#}"
    );
    assert!(r["disagreements"].as_array().unwrap().is_empty(), "{r:#}");
}
