//! `scalecore explain scaledjob/NAME` as a separate process against the Kubernetes stand-in,
//! with the Jobs, pods, status and Events a ScaledJob's controller leaves. The Job counts are
//! KEDA's (`scale_jobs.go` at v2.20.2: `getRunningJobCount`, `getPendingJobCount`, the
//! strategies' `GetEffectiveMaxScale`) worked by hand.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;

mod common;

use common::{now, rfc3339};
use scalecore_standin_kube::KubeStandin;
use serde_json::{json, Value};

const NS: &str = "shop";

/// How a test Job stands.
#[derive(Clone, Copy)]
enum Job {
    /// Unfinished, one pod Running and Ready.
    Started,
    /// Unfinished, one pod Running but not Ready.
    RunningNotReady,
    /// Unfinished, one pod Pending.
    PodPending,
    /// Unfinished, no pod yet.
    NoPod,
    /// Complete at the given time.
    Complete(i64),
    Failed(i64),
}

struct Cluster {
    k8s: KubeStandin,
    dir: PathBuf,
}

impl Cluster {
    async fn new(test: &str) -> Cluster {
        let k8s = KubeStandin::start().await.unwrap();
        let dir = std::env::temp_dir().join(format!(
            "scalecore-explain-jobs-{test}-{}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("kubeconfig"), k8s.kubeconfig_yaml()).unwrap();
        Cluster { k8s, dir }
    }

    /// ScaledJob `orders`: an azure-queue trigger with `queueLength` 5, at most 10 Jobs, with
    /// `extra` merged into its spec and `status` as the controller wrote it.
    fn scaled_job(&self, extra: Value, annotations: Value, status: Value) {
        let mut spec = json!({
            "jobTargetRef": {"template": {"spec": {"containers": [{"name": "worker", "image": "w:1"}]}}},
            "pollingInterval": 30, "maxReplicaCount": 10,
            "triggers": [{"type": "azure-queue",
                "metadata": {"queueName": "orders", "queueLength": "5", "accountName": "contosostore"}}]});
        for (k, v) in extra.as_object().unwrap() {
            spec[k] = v.clone();
        }
        self.k8s
            .apply(
                json!({"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledJob",
                "metadata": {"name": "orders", "namespace": NS, "annotations": annotations},
                "spec": spec, "status": status}),
            )
            .unwrap();
    }

    fn job(&self, name: &str, how: Job) {
        let (conditions, completion) = match how {
            Job::Complete(t) => (
                json!([{"type": "Complete", "status": "True"}]),
                Some(rfc3339(t)),
            ),
            Job::Failed(t) => (
                json!([{"type": "Failed", "status": "True"}]),
                Some(rfc3339(t)),
            ),
            _ => (json!([]), None),
        };
        let mut status = json!({"conditions": conditions});
        if let Some(t) = completion {
            status["completionTime"] = json!(t);
        }
        self.k8s
            .apply(json!({"apiVersion": "batch/v1", "kind": "Job",
                "metadata": {"name": name, "namespace": NS,
                             "labels": {"scaledjob.keda.sh/name": "orders"}},
                "spec": {"template": {"spec": {"containers": [{"name": "worker", "image": "w:1"}],
                                               "restartPolicy": "OnFailure"}}},
                "status": status}))
            .unwrap();
        let (phase, ready) = match how {
            Job::Started => ("Running", "True"),
            Job::RunningNotReady => ("Running", "False"),
            Job::PodPending => ("Pending", "False"),
            _ => return,
        };
        self.k8s
            .apply(json!({"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": format!("{name}-pod"), "namespace": NS,
                             "labels": {"scaledjob.keda.sh/name": "orders",
                                        "batch.kubernetes.io/job-name": name}},
                "spec": {"containers": [{"name": "worker", "image": "w:1"}]},
                "status": {"phase": phase, "conditions": [{"type": "Ready", "status": ready}]}}))
            .unwrap();
    }

    /// An Event of the ScaledJob, recorded by `reporter`.
    fn event(&self, name: &str, t: i64, reason: &str, message: &str, reporter: &str) {
        self.k8s
            .apply(json!({"apiVersion": "v1", "kind": "Event",
                "metadata": {"name": name, "namespace": NS},
                "involvedObject": {"kind": "ScaledJob", "name": "orders", "namespace": NS},
                "reason": reason, "message": message, "type": "Normal",
                "source": {"component": reporter}, "reportingComponent": reporter,
                "lastTimestamp": rfc3339(t), "firstTimestamp": rfc3339(t)}))
            .unwrap();
    }

    async fn explain(&self, extra: &[&str]) -> (Option<i32>, String, String) {
        let kubeconfig = self.dir.join("kubeconfig");
        let extra: Vec<String> = extra.iter().map(|s| (*s).to_owned()).collect();
        tokio::task::spawn_blocking(move || {
            let out = Command::new(env!("CARGO_BIN_EXE_scalecore"))
                .args(["explain", "scaledjob/orders", "-n", NS, "--kubeconfig"])
                .arg(kubeconfig)
                .args(extra)
                .output()
                .unwrap();
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        })
        .await
        .unwrap()
    }

    async fn json(&self, extra: &[&str]) -> Value {
        let mut args = vec!["--format", "json"];
        args.extend_from_slice(extra);
        let (code, out, err) = self.explain(&args).await;
        assert_eq!(code, Some(0), "{err}");
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
    }

    async fn text(&self, extra: &[&str]) -> String {
        let (code, out, err) = self.explain(extra).await;
        assert_eq!(code, Some(0), "{err}");
        out
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn ready() -> Value {
    json!({"conditions": [
        {"type": "Ready", "status": "True", "reason": "ScaledJobReady", "message": "ScaledJob is defined correctly and is ready for scaling"},
        {"type": "Active", "status": "True", "reason": "ScalerActive", "message": "Scaling is performed because triggers are active"},
        {"type": "Paused", "status": "False", "reason": "ScaledJobUnpaused", "message": "ScaledJob is unpaused"}]})
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

/// Default strategy: `scalecore run` recorded 12 messages with its last `KEDAJobsCreated`;
/// maxScale ceil(12/5) = 3, one Job runs, so 3 - 1 = 2 are created. Two Jobs succeeded with
/// a history limit of 1: the older one goes at the next poll.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_strategy_with_running_jobs_and_the_recorded_queue_length() {
    let c = Cluster::new("default").await;
    let t = now();
    c.scaled_job(json!({"successfulJobsHistoryLimit": 1}), json!({}), ready());
    c.job("orders-a", Job::Started);
    c.job("orders-old", Job::Complete(t - 600));
    c.job("orders-new", Job::Complete(t - 60));
    c.job("orders-f", Job::Failed(t - 30));
    c.event(
        "e1",
        t - 90,
        "KEDAJobsCreated",
        "Created 2 jobs; trigger values 0=4",
        "scalecore",
    );
    c.event(
        "e2",
        t - 40,
        "KEDAJobsCreated",
        "Created 1 jobs; trigger values 0=12",
        "scalecore",
    );
    let r = c.json(&[]).await;
    assert_eq!(r["queue"]["source"], "event KEDAJobsCreated", "{r:#}");
    assert_eq!(r["queue"]["triggers"][0]["value"], 12.0);
    assert_eq!(r["queue"]["triggers"][0]["target"], 5.0);
    let age = r["queue"]["age_seconds"].as_i64().unwrap();
    assert!((40..=45).contains(&age), "{age}");
    let j = &r["jobs"];
    assert_eq!(
        (j["running"].as_i64(), j["pending"].as_i64()),
        (Some(1), Some(0))
    );
    assert_eq!(
        (j["succeeded"].as_i64(), j["failed"].as_i64()),
        (Some(2), Some(1))
    );
    let d = &r["decision"];
    assert_eq!(d["active"], true);
    assert_eq!(
        (d["queue_length"].as_i64(), d["max_scale"].as_i64()),
        (Some(12), Some(3))
    );
    assert_eq!(d["create"], 2, "{r:#}");
    assert!(
        d["reason"]
            .as_str()
            .unwrap()
            .contains("default: maxScale 3 - running 1 = 2"),
        "{d}"
    );
    assert_eq!(r["cleanup"], json!(["orders-old"]));
    assert!(r["disagreements"].as_array().unwrap().is_empty(), "{r:#}");

    let text = c.text(&[]).await;
    assert!(
        text.contains("Creates 2 Jobs now for queue length 12"),
        "{text}"
    );
    assert!(text.contains("1 running (0 pending)"), "{text}");
    assert!(text.contains("History cleanup due"), "{text}");
    assert!(text.contains("orders-old"), "{text}");

    // The user's value wins over the recorded one: ceil(4/5) = 1, 1 - 1 = 0.
    let r = c.json(&["--value", "4"]).await;
    assert_eq!(r["queue"]["source"], "--value");
    assert_eq!(r["decision"]["create"], 0, "{r:#}");
}

/// Three messages (queueLength 1), four Jobs running of which two have not started (one pod
/// Pending, one without a pod). default: 3 - 4 < 0, none; accurate: 3 + 4 - 2 = 5 <= 10, so
/// 3 - 2 = 1; eager: min(10 - 4 - 2, 3) = 3; custom (deduction 0, 25% of the running):
/// 3 - 0 - 1 = 2. With `pendingPodConditions: [Ready]` the Job
/// whose pod runs but is not Ready is pending too: accurate 3 - 3 = 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_strategies_with_pending_jobs() {
    let c = Cluster::new("strategies").await;
    c.job("orders-1", Job::Started);
    c.job("orders-2", Job::RunningNotReady);
    c.job("orders-3", Job::PodPending);
    c.job("orders-4", Job::NoPod);
    let trigger = json!([{"type": "azure-queue",
        "metadata": {"queueName": "orders", "queueLength": "1", "accountName": "contosostore"}}]);
    let custom = json!({"customScalingQueueLengthDeduction": 0,
                        "customScalingRunningJobPercentage": "0.25"});
    for (strategy, conditions, extra, pending, create) in [
        ("default", json!([]), json!({}), 2, 0),
        ("accurate", json!([]), json!({}), 2, 1),
        ("eager", json!([]), json!({}), 2, 3),
        // min(3 - 0 - int(4 * 0.25), 10) = 2.
        ("custom", json!([]), custom, 2, 2),
        ("accurate", json!(["Ready"]), json!({}), 3, 0),
    ] {
        let mut st = json!({"strategy": strategy, "pendingPodConditions": conditions});
        for (k, v) in extra.as_object().unwrap() {
            st[k] = v.clone();
        }
        c.scaled_job(
            json!({"triggers": trigger, "scalingStrategy": st}),
            json!({}),
            ready(),
        );
        let r = c.json(&["--value", "0=3"]).await;
        assert_eq!(r["object"]["strategy"], strategy);
        assert_eq!(r["jobs"]["running"], 4);
        assert_eq!(
            r["jobs"]["pending"], pending,
            "{strategy} {conditions}: {r:#}"
        );
        assert_eq!(
            r["decision"]["create"], create,
            "{strategy} {conditions}: {r:#}"
        );
    }
    let text = c.text(&["--value", "3"]).await;
    assert!(text.contains("accurate: 3+4-3 <= 10 -> 3-3 = 0"), "{text}");
    assert!(text.contains("(pending)"), "{text}");
}

/// maxReplicaCount 3 with four Jobs running (lowered while they ran): none are created, and
/// the excess is reported.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_reached() {
    let c = Cluster::new("max").await;
    c.scaled_job(json!({"maxReplicaCount": 3}), json!({}), ready());
    for n in 1..=4 {
        c.job(&format!("orders-{n}"), Job::Started);
    }
    let r = c.json(&["--value", "50"]).await;
    assert_eq!(r["decision"]["create"], 0, "{r:#}");
    assert_eq!(r["decision"]["max_scale"], 3);
    assert!(r["summary"]
        .as_str()
        .unwrap()
        .starts_with("maxReplicaCount reached"));
    let d = disagreement(&r, "4 Jobs are running, more than maxReplicaCount 3");
    assert!(d["likely_cause"].as_str().unwrap().contains("lowered"));
    let text = c.text(&["--value", "50"]).await;
    assert!(text.contains("The cluster disagrees"), "{text}");
}

/// A paused ScaledJob creates nothing whatever the queue; the Paused condition agrees.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paused() {
    let c = Cluster::new("paused").await;
    let status = json!({"conditions": [
        {"type": "Ready", "status": "True", "reason": "ScaledJobReady", "message": ""},
        {"type": "Paused", "status": "True", "reason": "ScaledJobPaused", "message": "ScaledJob is paused"}]});
    c.scaled_job(
        json!({}),
        json!({"autoscaling.keda.sh/paused": "true"}),
        status,
    );
    let r = c.json(&["--value", "40"]).await;
    assert_eq!(r["paused"], true);
    assert_eq!(r["decision"]["create"], 0);
    assert!(
        r["summary"].as_str().unwrap().starts_with("Paused"),
        "{r:#}"
    );
    assert!(r["disagreements"].as_array().unwrap().is_empty(), "{r:#}");
    // Unpaused by annotation while the condition still says paused: reported.
    c.scaled_job(
        json!({}),
        json!({"autoscaling.keda.sh/paused": "false"}),
        json!({"conditions": [{"type": "Paused", "status": "True", "reason": "ScaledJobPaused"}]}),
    );
    let r = c.json(&["--value", "40"]).await;
    assert_eq!(r["paused"], false);
    assert_eq!(r["decision"]["create"], 8, "ceil(40/5) = 8: {r:#}");
    disagreement(&r, "the Paused condition is True");
}

/// Ready=False with the controller's reason is reported with what it means.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_ready() {
    let c = Cluster::new("notready").await;
    let status = json!({"conditions": [
        {"type": "Ready", "status": "False", "reason": "TriggerError",
         "message": "Triggers defined in ScaledJob are not working correctly"},
        {"type": "Active", "status": "False", "reason": "ScalerNotActive", "message": ""}]});
    c.scaled_job(json!({}), json!({}), status);
    let r = c.json(&["--value", "0"]).await;
    let d = disagreement(&r, "Ready=False (TriggerError)");
    assert!(d["likely_cause"]
        .as_str()
        .unwrap()
        .contains("trigger failed"));
    assert_eq!(r["decision"]["active"], false);
    let summary = r["summary"].as_str().unwrap();
    assert!(summary.starts_with("Inactive"), "{summary}");
    assert!(summary.contains("Ready=False (TriggerError)"), "{summary}");
    let text = c.text(&["--value", "0"]).await;
    assert!(text.contains("Ready=False TriggerError"), "{text}");

    // A ScaledJob KEDA's controller refuses (metricType in a trigger) is replayed as none.
    let status = json!({"conditions": [
        {"type": "Ready", "status": "False", "reason": "ScaledJobCheckFailed",
         "message": "Cannot set metricType in ScaledJob triggers"}]});
    c.scaled_job(
        json!({"triggers": [{"type": "azure-queue", "metricType": "Value",
            "metadata": {"queueName": "orders", "accountName": "contosostore"}}]}),
        json!({}),
        status,
    );
    let r = c.json(&["--value", "9"]).await;
    assert!(
        r["refused"].as_str().unwrap().contains("metricType"),
        "{r:#}"
    );
    assert!(r["decision"].is_null());
    assert!(r["summary"]
        .as_str()
        .unwrap()
        .starts_with("KEDA refuses this ScaledJob"));
    let d = disagreement(&r, "Ready=False (ScaledJobCheckFailed)");
    assert!(d["likely_cause"].as_str().unwrap().contains("refused"));
}

/// No value recorded (KEDA's own `Created N jobs` carries none) and none given: the counts
/// only, and how to pass the value.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn value_unknown() {
    let c = Cluster::new("unknown").await;
    c.scaled_job(json!({}), json!({}), ready());
    c.job("orders-1", Job::PodPending);
    c.event(
        "e1",
        now() - 10,
        "KEDAJobsCreated",
        "Created 1 jobs",
        "keda-operator",
    );
    let r = c.json(&[]).await;
    assert_eq!(r["queue"]["source"], "unknown");
    assert!(r["decision"].is_null(), "{r:#}");
    assert_eq!(r["jobs"]["pending"], 1);
    assert!(r["queue"]["triggers"][0]["value"].is_null());
    let text = c.text(&[]).await;
    assert!(text.contains("The queue length is unknown"), "{text}");
    assert!(text.contains("--value N"), "{text}");
    assert!(
        text.contains("orders  Normal KEDAJobsCreated: Created 1 jobs"),
        "{text}"
    );

    // A bad or ambiguous --value is a usage error.
    let (code, _, err) = c.explain(&["--value", "x"]).await;
    assert_eq!(code, Some(2));
    assert!(err.contains("not a queue length"), "{err}");
    let (code, _, err) = c.explain(&["--value", "1=3"]).await;
    assert_eq!(code, Some(2));
    assert!(err.contains("trigger 1 does not exist"), "{err}");
}
