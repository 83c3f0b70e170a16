//! `scalecore run` running ScaledJobs: the real binary against the Kubernetes stand-in (Jobs,
//! pods, status, Events) and the Azure stand-in (an `azure-queue` trigger with a connection
//! string in a Secret). The counts are KEDA's (`scale_jobs.go` at v2.20.2) worked by hand.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Host;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use scalecore_standin_azure::AzureStandin;
use scalecore_standin_kube::KubeStandin;
use serde_json::{json, Value};

const ACCOUNT: &str = "contosostore";

struct Cluster {
    k8s: KubeStandin,
    azure: AzureStandin,
    dir: PathBuf,
}

impl Cluster {
    async fn new(test: &str) -> Cluster {
        let azure = AzureStandin::start().await.unwrap();
        let k8s = KubeStandin::start().await.unwrap();
        let dir =
            std::env::temp_dir().join(format!("scalecore-jobs-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("kubeconfig"), k8s.kubeconfig_yaml()).unwrap();
        std::fs::write(dir.join("ca.pem"), azure.ca_pem()).unwrap();
        let conn = azure.storage_connection_string(ACCOUNT);
        k8s.apply(json!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "store", "namespace": "shop"}, "data": {"conn": base64(&conn)}}))
            .unwrap();
        k8s.apply(json!({"apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication",
            "metadata": {"name": "store-conn", "namespace": "shop"},
            "spec": {"secretTargetRef": [{"parameter": "connection", "name": "store", "key": "conn"}]}}))
            .unwrap();
        azure.set_storage_queue(ACCOUNT, "orders", 0, 0);
        Cluster { k8s, azure, dir }
    }

    fn host_with(&self, extra: &[&str]) -> Host {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_scalecore"));
        cmd.arg("run")
            .arg("--kubeconfig")
            .arg(self.dir.join("kubeconfig"))
            .arg("--azure-ca-file")
            .arg(self.dir.join("ca.pem"))
            .arg("--allowed-endpoint-suffix")
            .arg(self.azure.queue_endpoint_suffix())
            .arg("--resolve-localhost")
            .args(["--metrics-addr", "127.0.0.1:0"])
            .args(extra)
            .env("RUST_LOG", "info");
        Host::spawn(&mut cmd)
    }

    fn host(&self) -> Host {
        self.host_with(&["--no-leader-election"])
    }

    /// A ScaledJob `orders` on the queue, one Job per message, at most 10.
    fn scaled_job(&self, extra_spec: Value, annotations: Value) {
        let mut spec = json!({
            "jobTargetRef": {"template": {"spec": {"containers": [{"name": "worker", "image": "w:1"}]}}},
            "pollingInterval": 1, "maxReplicaCount": 10,
            "triggers": [{"type": "azure-queue",
                "metadata": {"queueName": "orders", "queueLength": "1"},
                "authenticationRef": {"name": "store-conn"}}]});
        for (k, v) in extra_spec.as_object().unwrap() {
            spec[k] = v.clone();
        }
        self.k8s
            .apply(
                json!({"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledJob",
                "metadata": {"name": "orders", "namespace": "shop", "labels": {"team": "a"},
                             "annotations": annotations},
                "spec": spec}),
            )
            .unwrap();
    }

    fn jobs(&self) -> Vec<Value> {
        self.k8s.list("batch/v1", "Job", Some("shop"))
    }

    fn job_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .jobs()
            .iter()
            .filter_map(|j| j.pointer("/metadata/name")?.as_str().map(str::to_owned))
            .collect();
        names.sort();
        names
    }

    fn status(&self) -> Value {
        self.k8s
            .get("keda.sh/v1alpha1", "ScaledJob", Some("shop"), "orders")
            .and_then(|o| o.get("status").cloned())
            .unwrap_or(Value::Null)
    }

    fn condition(&self, kind: &str) -> (String, String) {
        let status = self.status();
        let c = status["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["type"] == kind)
            .cloned()
            .unwrap_or(Value::Null);
        (
            c["status"].as_str().unwrap_or_default().to_owned(),
            c["reason"].as_str().unwrap_or_default().to_owned(),
        )
    }

    fn reasons(&self) -> Vec<String> {
        self.k8s
            .events()
            .iter()
            .filter_map(|e| e["reason"].as_str().map(str::to_owned))
            .collect()
    }

    /// A Job of the ScaledJob made earlier (same generation), with a pod in `phase`.
    fn existing_job(&self, name: &str, phase: &str) {
        self.k8s
            .apply(json!({"apiVersion": "batch/v1", "kind": "Job",
                "metadata": {"name": name, "namespace": "shop",
                    "labels": {"scaledjob.keda.sh/name": "orders"},
                    "annotations": {"scaledjob.keda.sh/generation": "1"}},
                "spec": {"template": {"spec": {"containers": [{"name": "worker", "image": "w:1"}],
                                               "restartPolicy": "OnFailure"}}}}))
            .unwrap();
        self.k8s
            .apply(json!({"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": format!("{name}-pod"), "namespace": "shop",
                    "labels": {"scaledjob.keda.sh/name": "orders", "job-name": name}},
                "spec": {"containers": [{"name": "worker", "image": "w:1"}]},
                "status": {"phase": phase}}))
            .unwrap();
    }

    /// Marks a Job finished as the Job controller would.
    fn finish(&self, name: &str, kind: &str, at: &str) {
        let mut job = self.k8s.get("batch/v1", "Job", Some("shop"), name).unwrap();
        job["status"] = json!({"conditions": [{"type": kind, "status": "True"}],
                               "completionTime": at});
        self.k8s.apply(job).unwrap();
    }

    async fn wait(&self, what: &str, secs: u64, mut cond: impl FnMut(&Cluster) -> bool) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(secs) {
            if cond(self) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "timed out waiting for {what}; jobs {:?}, status {}, events {:?}",
            self.job_names(),
            self.status(),
            self.reasons()
        );
    }

    /// Three seconds of polls: the lists of Jobs and of pods, and the paths written.
    async fn poll_requests(&self) -> (usize, usize, Vec<String>) {
        self.k8s.clear_requests();
        tokio::time::sleep(Duration::from_secs(3)).await;
        let requests = self.k8s.requests();
        let lists = |path: &str| {
            requests
                .iter()
                .filter(|r| r.method == "GET" && r.path.ends_with(path))
                .count()
        };
        let writes = requests
            .iter()
            .filter(|r| r.method != "GET")
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        (lists("/shop/jobs"), lists("/shop/pods"), writes)
    }

    /// Waits for `n` Jobs, then for three more polls, and says how many there are then.
    async fn settle(&self, n: usize) -> usize {
        self.wait(&format!("{n} Jobs"), 30, |c| c.jobs().len() >= n)
            .await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        self.jobs().len()
    }
}

fn base64(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_strategy_creates_one_job_per_message_and_no_more_while_they_run() {
    let c = Cluster::new("default").await;
    let key = c.azure.storage_account_key(ACCOUNT);
    c.azure.set_storage_queue(ACCOUNT, "orders", 7, 0);
    c.scaled_job(json!({}), json!({}));
    let host = c.host();
    // maxScale ceil(7/1) = 7, running 0: 7 Jobs; then 7 - 7 running = 0 at every poll.
    assert_eq!(c.settle(7).await, 7, "{:?}", c.job_names());
    // While active, a poll reads the Jobs and their pods once each and writes only the status
    // (lastActiveTime moves, as KEDA's does); no Job is created or deleted.
    let (jobs, pods, writes) = c.poll_requests().await;
    assert!((2..=4).contains(&jobs) && jobs == pods, "{jobs} {pods}");
    assert!(
        writes
            .iter()
            .all(|w| w.ends_with("/scaledjobs/orders/status")),
        "{writes:?}"
    );
    let jobs = c.jobs();
    let uid = c
        .k8s
        .get("keda.sh/v1alpha1", "ScaledJob", Some("shop"), "orders")
        .unwrap()["metadata"]["uid"]
        .clone();
    for j in &jobs {
        let name = j["metadata"]["name"].as_str().unwrap();
        assert!(name.starts_with("orders-"), "{name}");
        assert_eq!(j["metadata"]["generateName"], "orders-");
        assert_eq!(j["metadata"]["labels"]["scaledjob.keda.sh/name"], "orders");
        assert_eq!(j["metadata"]["labels"]["app.kubernetes.io/name"], "orders");
        assert_eq!(j["metadata"]["labels"]["team"], "a");
        assert_eq!(
            j["metadata"]["annotations"]["scaledjob.keda.sh/generation"],
            "1"
        );
        let owner = &j["metadata"]["ownerReferences"][0];
        assert_eq!(owner["kind"], "ScaledJob");
        assert_eq!(owner["uid"], uid);
        assert_eq!(owner["controller"], true);
        let template = &j["spec"]["template"];
        assert_eq!(
            template["metadata"]["labels"]["scaledjob.keda.sh/name"],
            "orders"
        );
        assert_eq!(template["spec"]["restartPolicy"], "OnFailure");
    }
    assert_eq!(
        c.condition("Ready"),
        ("True".into(), "ScaledJobReady".into())
    );
    assert_eq!(
        c.condition("Active"),
        ("True".into(), "ScalerActive".into())
    );
    assert_eq!(c.condition("Paused").0, "False");
    assert!(c.status()["lastActiveTime"].is_string(), "{}", c.status());
    let notes: Vec<String> = c
        .k8s
        .events()
        .iter()
        .filter(|e| e["reason"] == "KEDAJobsCreated")
        .filter_map(|e| e["note"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(notes, ["Created 7 jobs; trigger values 0=7"]);
    // `explain` replays from the value recorded there: 7 messages, 7 Jobs running, so the
    // default strategy creates 7 - 7 = 0.
    let kubeconfig = c.dir.join("kubeconfig");
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_scalecore"))
            .args([
                "explain",
                "scaledjob/orders",
                "-n",
                "shop",
                "--format",
                "json",
            ])
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let explained: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(explained["queue"]["source"], "event KEDAJobsCreated");
    assert_eq!(explained["queue"]["triggers"][0]["value"], 7.0);
    assert_eq!(explained["jobs"]["running"], 7);
    assert_eq!(explained["decision"]["create"], 0, "{explained:#}");
    assert!(c.reasons().iter().any(|r| r == "ScaledJobActive"));

    // The queue drains: inactive, nothing created, the Jobs left to run.
    c.azure.set_storage_queue(ACCOUNT, "orders", 0, 0);
    c.wait("Active=False", 10, |c| c.condition("Active").0 == "False")
        .await;
    assert_eq!(c.condition("Active").1, "ScalerNotActive");
    c.wait("the ScaledJobInactive Event", 5, |c| {
        c.reasons().iter().any(|r| r == "ScaledJobInactive")
    })
    .await;
    assert_eq!(c.jobs().len(), 7);
    // Inactive, nothing changes: polls read and write nothing at all.
    let (jobs, pods, writes) = c.poll_requests().await;
    assert!((2..=4).contains(&jobs) && jobs == pods, "{jobs} {pods}");
    assert!(writes.is_empty(), "{writes:?}");
    let log = host.stop();
    assert!(!log.contains(&key), "the account key leaked into the log");
}

/// Five Jobs of the ScaledJob already exist when seven messages wait, at most 10 Jobs. With
/// their pods Running (pending 0): default 7-5 = 2; accurate 7+5 > 10 so 10-5 = 5; eager
/// min(10-5-0, 7) = 5; custom with a deduction of 1 and 100 % of the running Jobs
/// min(7-1-5, 10) = 1, then 7-1-6 = 0. With their pods Pending (pending 5): accurate
/// 7+5-5 <= 10 so 7-5 = 2; eager min(10-5-5, 7) = 0. With `pendingPodConditions: [Ready]` a
/// Running pod that is not Ready is still pending: accurate creates 2, as for Pending pods.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strategies_give_their_documented_counts() {
    let accurate_ready = json!({"strategy": "accurate", "pendingPodConditions": ["Ready"]});
    let custom = json!({"strategy": "custom", "customScalingQueueLengthDeduction": 1,
                        "customScalingRunningJobPercentage": "1"});
    for (i, (strategy, phase, total)) in [
        (json!({"strategy": "default"}), "Running", 7),
        (json!({"strategy": "accurate"}), "Running", 10),
        (json!({"strategy": "eager"}), "Running", 10),
        (custom, "Running", 6),
        (json!({"strategy": "accurate"}), "Pending", 7),
        (json!({"strategy": "eager"}), "Pending", 5),
        (accurate_ready, "Running", 7),
    ]
    .into_iter()
    .enumerate()
    {
        let name = format!("{i}-{}-{phase}", strategy["strategy"].as_str().unwrap());
        let c = Cluster::new(&name).await;
        for n in 0..5 {
            c.existing_job(&format!("orders-pre{n}"), phase);
        }
        c.azure.set_storage_queue(ACCOUNT, "orders", 7, 0);
        c.scaled_job(json!({ "scalingStrategy": strategy }), json!({}));
        let host = c.host();
        if total == 5 {
            c.wait("a poll", 20, |c| c.condition("Active").0 == "True")
                .await;
        }
        let got = c.settle(total).await;
        let log = host.stop();
        assert_eq!(
            got,
            total,
            "{strategy} with {phase} pods: {:?}\n{log}",
            c.job_names()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_limits_delete_the_oldest_finished_jobs() {
    let c = Cluster::new("history").await;
    c.azure.set_storage_queue(ACCOUNT, "orders", 5, 0);
    c.scaled_job(
        json!({"successfulJobsHistoryLimit": 1, "failedJobsHistoryLimit": 1}),
        json!({}),
    );
    let host = c.host();
    c.settle(5).await;
    // The queue is drained, so finished Jobs are not replaced.
    c.azure.set_storage_queue(ACCOUNT, "orders", 0, 0);
    c.wait("Active=False", 10, |c| c.condition("Active").0 == "False")
        .await;
    let names = c.job_names();
    for j in c.jobs() {
        let (name, uid) = (&j["metadata"]["name"], &j["metadata"]["uid"]);
        c.k8s
            .apply(json!({"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": format!("{}-pod", name.as_str().unwrap()), "namespace": "shop",
                    "labels": {"scaledjob.keda.sh/name": "orders", "job-name": name},
                    "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": name,
                                         "uid": uid, "controller": true}]},
                "spec": {"containers": [{"name": "worker", "image": "w:1"}]},
                "status": {"phase": "Succeeded"}}))
            .unwrap();
    }
    c.finish(&names[0], "Complete", "2026-01-01T00:02:00Z");
    c.finish(&names[1], "Complete", "2026-01-01T00:01:00Z");
    c.finish(&names[2], "Complete", "2026-01-01T00:03:00Z");
    c.finish(&names[3], "Failed", "2026-01-01T00:01:00Z");
    c.finish(&names[4], "Failed", "2026-01-01T00:02:00Z");
    c.wait("3 of the 5 finished Jobs deleted", 10, |c| {
        c.jobs().len() == 2
    })
    .await;
    // The newest Complete and the newest Failed stay.
    let mut kept = vec![names[2].clone(), names[4].clone()];
    kept.sort();
    assert_eq!(c.job_names(), kept);
    let deletes: Vec<_> = c
        .k8s
        .requests()
        .into_iter()
        .filter(|r| r.method == "DELETE")
        .collect();
    assert_eq!(deletes.len(), 3, "{deletes:?}");
    // Deleted in the background, their pods with them (a Job's default would orphan them).
    let mut pods: Vec<String> = c
        .k8s
        .list("v1", "Pod", Some("shop"))
        .iter()
        .filter_map(|p| p.pointer("/metadata/name")?.as_str().map(str::to_owned))
        .collect();
    pods.sort();
    let kept_pods: Vec<String> = kept.iter().map(|k| format!("{k}-pod")).collect();
    assert_eq!(pods, kept_pods);
    drop(host);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_scaled_job_creates_nothing_until_resumed() {
    let c = Cluster::new("paused").await;
    c.azure.set_storage_queue(ACCOUNT, "orders", 3, 0);
    c.scaled_job(json!({}), json!({"autoscaling.keda.sh/paused": "true"}));
    let host = c.host();
    c.wait("Paused=True", 20, |c| c.condition("Paused").0 == "True")
        .await;
    assert_eq!(c.condition("Paused").1, "ScaledJobPaused");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(c.jobs().is_empty(), "{:?}", c.job_names());
    assert!(
        c.azure.storage_requests().is_empty(),
        "a paused ScaledJob polls nothing"
    );
    assert!(c.reasons().iter().any(|r| r == "ScaledJobPaused"));

    c.scaled_job(json!({}), json!({"autoscaling.keda.sh/paused": "false"}));
    assert_eq!(c.settle(3).await, 3);
    assert_eq!(
        c.condition("Paused"),
        ("False".into(), "ScaledJobUnpaused".into())
    );
    assert!(c.reasons().iter().any(|r| r == "ScaledJobUnpaused"));
    drop(host);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_trigger_creates_nothing_and_says_so() {
    let c = Cluster::new("failing").await;
    c.azure.remove_storage_queue(ACCOUNT, "orders");
    c.scaled_job(json!({}), json!({}));
    let host = c.host();
    c.wait("Ready=False", 20, |c| c.condition("Ready").0 == "False")
        .await;
    assert_eq!(c.condition("Ready").1, "TriggerError");
    assert_eq!(c.condition("Active").0, "False");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(c.jobs().is_empty(), "{:?}", c.job_names());
    c.azure.set_storage_queue(ACCOUNT, "orders", 4, 0);
    assert_eq!(c.settle(4).await, 4);
    assert_eq!(c.condition("Ready").0, "True");
    let log = host.stop();
    assert!(log.contains("queue orders doesn't exist"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_and_a_standby_write_nothing() {
    let c = Cluster::new("dry").await;
    c.azure.set_storage_queue(ACCOUNT, "orders", 3, 0);
    c.scaled_job(json!({}), json!({}));
    let host = c.host_with(&["--dry-run"]);
    let start = Instant::now();
    while !host.log().contains("ScaledJob poll") {
        assert!(start.elapsed() < Duration::from_secs(20), "{}", host.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let log = host.stop();
    assert!(log.contains("create=3"), "{log}");
    assert!(c.jobs().is_empty());
    assert_eq!(c.status(), Value::Null);
    assert!(c.k8s.events().is_empty());

    // Another holder of the Lease: this host stands by and writes nothing.
    c.k8s
        .apply(json!({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": {"name": "scalecore-leader", "namespace": "default"},
            "spec": {"holderIdentity": "someone-else", "leaseDurationSeconds": 3600,
                     "renewTime": "2099-01-01T00:00:00.000000Z", "acquireTime": "2099-01-01T00:00:00.000000Z"}}))
        .unwrap();
    let standby = c.host_with(&["--lease-namespace", "default"]);
    tokio::time::sleep(Duration::from_secs(4)).await;
    drop(standby);
    assert!(c.jobs().is_empty());
    assert_eq!(c.status(), Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scaled_job_keda_refuses_creates_nothing_and_says_why() {
    let c = Cluster::new("refused").await;
    c.azure.set_storage_queue(ACCOUNT, "orders", 3, 0);
    // KEDA's controller: "Cannot set metricType in ScaledJob triggers".
    c.scaled_job(
        json!({"triggers": [{"type": "azure-queue", "metricType": "Value",
            "metadata": {"queueName": "orders", "queueLength": "1"},
            "authenticationRef": {"name": "store-conn"}}]}),
        json!({}),
    );
    let host = c.host();
    c.wait("Ready=False", 20, |c| c.condition("Ready").0 == "False")
        .await;
    assert_eq!(c.condition("Ready").1, "ScaledJobCheckFailed");
    assert!(c.reasons().iter().any(|r| r == "ScaledJobCheckFailed"));
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(c.jobs().is_empty());
    assert!(
        c.azure.storage_requests().is_empty(),
        "a refused ScaledJob polls nothing"
    );
    drop(host);
}

/// Status and series of a ScaledJob with three queues, with answers from KEDA v2.20.2's
/// code: `CombinedTriggersAndAuthenticationsTypes` (each type and authenticationRef name
/// once, in trigger order), `getScaledJobMetrics`' active triggers (value above the
/// activation; an erroring trigger is inactive) and its per-trigger series, labelled as
/// `getLabels` does with `type="scaledjob"`, gone once the ScaledJob is deleted
/// (`DeleteScalerMetrics`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_and_series_name_the_triggers() {
    let c = Cluster::new("status").await;
    c.azure.set_storage_queue(ACCOUNT, "orders", 3, 0);
    c.azure.set_storage_queue(ACCOUNT, "idle", 0, 0);
    let queue = |name: &str| {
        json!({"type": "azure-queue", "metadata": {"queueName": name, "queueLength": "1"},
               "authenticationRef": {"name": "store-conn"}})
    };
    c.scaled_job(
        json!({"triggers": [queue("orders"), queue("idle"), queue("gone")]}),
        json!({}),
    );
    let host = c.host();
    assert_eq!(c.settle(3).await, 3);
    c.wait("triggersActivity", 10, |c| {
        c.status().get("triggersActivity").is_some()
    })
    .await;
    let status = c.status();
    assert_eq!(status["triggersTypes"], "azure-queue", "{status}");
    assert_eq!(status["authenticationsTypes"], "store-conn", "{status}");
    assert_eq!(
        status["triggersActivity"],
        json!({"s0-azure-queue-orders": {"isActive": true},
               "s1-azure-queue-idle": {"isActive": false},
               "s2-azure-queue-gone": {"isActive": false}}),
        "{status}"
    );
    // KEDA never persists a ScaledJob's externalMetricNames (its scale loop sets them on
    // its own copy only), nor the `Paused` string field.
    assert_eq!(status.get("externalMetricNames"), None, "{status}");
    assert_eq!(status.get("Paused"), None, "{status}");
    let body = host.get("/metrics").await;
    let series = |name: &str, trigger: u32| {
        format!(
            r#"scalecore_{name}{{namespace="shop",scaledObject="orders",trigger="{trigger}",type="scaledjob"}}"#
        )
    };
    assert!(
        body.contains(&format!("{} 3.0", series("scaler_metrics_value", 0))),
        "{body}"
    );
    assert!(
        body.contains(&format!("{} 0.0", series("scaler_metrics_value", 1))),
        "{body}"
    );
    assert!(!body.contains(&series("scaler_metrics_value", 2)), "{body}");
    assert!(body.contains(&series("scaler_errors_total", 2)), "{body}");
    assert!(!body.contains(&series("scaler_errors_total", 0)), "{body}");

    c.k8s
        .delete("keda.sh/v1alpha1", "ScaledJob", Some("shop"), "orders")
        .unwrap();
    let start = Instant::now();
    loop {
        let body = host.get("/metrics").await;
        if !body.contains(r#"type="scaledjob""#) {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{body}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    drop(host);
}

/// A ScaledJob whose scalers cannot be built (its TriggerAuthentication is one KEDA's webhook
/// refuses, so KEDA finds none) is refused after the controller wrote the trigger types
/// (`reconcileScaledJob` runs `updateStatusWithTriggersAndAuthsTypes` before
/// `GetScalersCache`), so they stay.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scaled_job_refused_at_build_keeps_its_trigger_types() {
    let c = Cluster::new("typed-refusal").await;
    c.k8s
        .apply(json!({"apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication",
            "metadata": {"name": "store-bad", "namespace": "shop"},
            "spec": {"podIdentity": {"provider": "azure-workload",
                                     "identityAuthorityHost": "https://login.example.localhost/"}}}))
        .unwrap();
    c.azure.set_storage_queue(ACCOUNT, "orders", 3, 0);
    c.scaled_job(
        json!({"triggers": [{"type": "azure-queue",
            "metadata": {"queueName": "orders", "queueLength": "1", "accountName": ACCOUNT},
            "authenticationRef": {"name": "store-bad"}}]}),
        json!({}),
    );
    let host = c.host();
    c.wait("Ready=False", 20, |c| c.condition("Ready").0 == "False")
        .await;
    assert_eq!(c.condition("Ready").1, "ScaledJobCheckFailed");
    let status = c.status();
    assert_eq!(status["triggersTypes"], "azure-queue", "{status}");
    assert_eq!(status["authenticationsTypes"], "store-bad", "{status}");
    assert!(c.jobs().is_empty());
    drop(host);
}
