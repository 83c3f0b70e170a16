//! The benchmark of issue 7, not a timed test: 1,000 ScaledObjects (100 queues, 10
//! ScaledObjects each) in the Kubernetes stand-in, one `scalecore run` process.
//! Prints resident memory, CPU per minute, Azure requests per entity per polling interval, and
//! the time from queue growth to the first replica patch.
//!
//!     cargo test --profile host -p scalecore-host --test fleet -- --ignored --nocapture
//!
//! (`--profile host` is the binary as shipped; `--release` builds faster and maps ~4 MiB more
//! code.) `FLEET_SCALED_OBJECTS`, `FLEET_WINDOW` and `FLEET_WRAPPER` adjust the run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use scalecore_standin_azure::AzureStandin;
use scalecore_standin_kube::KubeStandin;
use serde_json::{json, Value};

const POLLING: u64 = 5;

/// `FLEET_SCALED_OBJECTS` / `FLEET_WINDOW` (seconds) change the size of the run.
fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn proc_field(pid: u32, file: &str, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/{file}")).ok()?;
    text.lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

/// utime + stime in clock ticks (100 Hz on Linux).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = after.split_whitespace().collect();
    f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run with --ignored --nocapture"]
async fn thousand_scaled_objects() {
    let scaled_objects = setting("FLEET_SCALED_OBJECTS", 1000) as usize;
    let queues = (scaled_objects / 10).max(1);
    let window = setting("FLEET_WINDOW", 60);
    let azure = AzureStandin::start().await.unwrap();
    let k8s = KubeStandin::start().await.unwrap();
    let conn = azure.connection_string("fleet");
    k8s.apply(json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "sb", "namespace": "fleet"},
        "stringData": {"conn": conn}}))
        .unwrap();
    k8s.apply(
        json!({"apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication",
        "metadata": {"name": "sb", "namespace": "fleet"},
        "spec": {"secretTargetRef": [{"parameter": "connection", "name": "sb", "key": "conn"}]}}),
    )
    .unwrap();
    for q in 0..queues {
        azure.set_queue("fleet", &format!("q{q}"), 0);
    }
    for i in 0..scaled_objects {
        let name = format!("w{i}");
        k8s.apply(json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": "fleet"},
            "spec": {"replicas": 0, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}}))
            .unwrap();
        k8s.apply(json!({"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
            "metadata": {"name": name, "namespace": "fleet"},
            "spec": {"scaleTargetRef": {"name": name}, "pollingInterval": POLLING, "maxReplicaCount": 10,
                     "triggers": [{"type": "azure-servicebus",
                                   "metadata": {"queueName": format!("q{}", i % queues), "messageCount": "5"},
                                   "authenticationRef": {"name": "sb"}}]}}))
            .unwrap();
    }
    let dir = std::env::temp_dir().join(format!("scalecore-fleet-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("kubeconfig"), k8s.kubeconfig_yaml()).unwrap();
    std::fs::write(dir.join("ca.pem"), azure.ca_pem()).unwrap();
    // FLEET_WRAPPER runs the host under a profiler, e.g. "valgrind --tool=massif".
    let wrapper = std::env::var("FLEET_WRAPPER").unwrap_or_default();
    let mut words = wrapper.split_whitespace();
    let mut child = match words.next() {
        Some(program) => {
            let mut c = Command::new(program);
            c.args(words).arg(env!("CARGO_BIN_EXE_scalecore"));
            c
        }
        None => Command::new(env!("CARGO_BIN_EXE_scalecore")),
    };
    let mut child = child
        .arg("run")
        .arg("--kubeconfig")
        .arg(dir.join("kubeconfig"))
        .arg("--azure-ca-file")
        .arg(dir.join("ca.pem"))
        .arg("--allowed-endpoint-suffix")
        .arg(azure.endpoint_suffix())
        .arg("--resolve-localhost")
        .args(["--no-leader-election", "--metrics-addr", "127.0.0.1:0"])
        .env("RUST_LOG", "warn")
        // As deploy/scalecore.yaml runs it.
        .env("MALLOC_ARENA_MAX", "2")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();

    // Warm-up: every ScaledObject started and polled once.
    tokio::time::sleep(Duration::from_secs(2 * POLLING)).await;
    let before = azure.requests().len();
    let ticks0 = cpu_ticks(pid);
    let start = Instant::now();
    tokio::time::sleep(Duration::from_secs(window)).await;
    let elapsed = start.elapsed().as_secs_f64();
    let cpu_seconds = (cpu_ticks(pid) - ticks0) as f64 / 100.0;
    let rss_kib = proc_field(pid, "status", "VmRSS:").unwrap();
    let hwm_kib = proc_field(pid, "status", "VmHWM:").unwrap();
    let anon_kib = proc_field(pid, "status", "RssAnon:").unwrap();
    let file_kib = proc_field(pid, "status", "RssFile:").unwrap();
    let mut per_path: BTreeMap<String, usize> = BTreeMap::new();
    for r in &azure.requests()[before..] {
        *per_path.entry(r.path.clone()).or_default() += 1;
    }
    let intervals = elapsed / POLLING as f64;
    let per_entity: Vec<f64> = per_path.values().map(|n| *n as f64 / intervals).collect();
    let mean = per_entity.iter().sum::<f64>() / per_entity.len().max(1) as f64;
    let max = per_entity.iter().cloned().fold(0.0, f64::max);

    // Queue growth -> first replica patch, for one queue (10 ScaledObjects).
    azure.set_queue("fleet", "q7", 50);
    let grew = Instant::now();
    loop {
        let r = k8s
            .get("apps/v1", "Deployment", Some("fleet"), "w7")
            .and_then(|d| d.pointer("/spec/replicas").and_then(Value::as_i64))
            .unwrap_or(0);
        if r > 0 || grew.elapsed() > Duration::from_secs(60) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let reaction = grew.elapsed();
    // SIGTERM: the host shuts down gracefully (and a profiler wrapper writes its report).
    let _ = Command::new("kill").arg(pid.to_string()).status();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);

    println!("fleet: {scaled_objects} ScaledObjects on {queues} queues, pollingInterval {POLLING}s, window {elapsed:.0}s");
    println!(
        "resident memory: {:.1} MiB (peak {:.1} MiB): heap and stacks {:.1} MiB, mapped code {:.1} MiB",
        rss_kib as f64 / 1024.0,
        hwm_kib as f64 / 1024.0,
        anon_kib as f64 / 1024.0,
        file_kib as f64 / 1024.0
    );
    println!(
        "CPU: {:.2} s per minute ({:.1}% of one core)",
        cpu_seconds * 60.0 / elapsed,
        cpu_seconds / elapsed * 100.0
    );
    println!("Azure requests per entity per polling interval: mean {mean:.2}, max {max:.2} ({} entities)", per_path.len());
    println!(
        "queue growth -> first replica patch: {:.2} s",
        reaction.as_secs_f64()
    );
    assert_eq!(per_path.len(), queues, "{per_path:?}");
}
