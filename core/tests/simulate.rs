//! The example scenarios (examples/*.json at the repository root) run, meet their `expect`,
//! and the seed tells the documented story.

#![allow(clippy::panic)]

use std::path::PathBuf;

use scalecore::simulate::{simulate_json, ScenarioError, Trace};

fn examples() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("json"))
                .map(|p| {
                    let name = p
                        .file_name()
                        .and_then(|n| n.to_str())
                        .unwrap_or("")
                        .to_owned();
                    (name, std::fs::read_to_string(&p).unwrap_or_default())
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn run(name: &str) -> Trace {
    let text = examples()
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, t)| t)
        .unwrap_or_default();
    match simulate_json(&text) {
        Ok(t) => t,
        Err(e) => panic!("{name}: {e}"),
    }
}

#[test]
fn every_example_meets_its_expectations() {
    let all = examples();
    assert!(all.len() >= 4, "examples missing");
    for (name, text) in all {
        let trace = simulate_json(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!trace.steps.is_empty(), "{name}: no steps");
        assert!(
            trace.mismatches.is_empty(),
            "{name}: {:?}",
            trace.mismatches
        );
        for s in &trace.steps {
            println!(
                "{name} t={} {} -> {}: {}",
                s.t, s.loop_kind, s.replicas, s.reason
            );
        }
        // The trace is the JSON contract: camelCase fields, `loop` for the tick kind.
        let json = serde_json::to_value(&trace).unwrap_or_default();
        assert!(
            json["steps"][0].get("loop").is_some(),
            "{name}: no loop field"
        );
        assert!(
            json.get("diagnostics").is_some(),
            "{name}: no diagnostics field"
        );
    }
}

#[test]
fn seed_scales_out_drains_and_returns_to_zero_about_five_minutes_after_the_queue_empties() {
    let trace = run("seed-servicebus-queue.json");
    let at = |t: i64, lp: &str| {
        trace
            .steps
            .iter()
            .find(|s| s.t == t && s.loop_kind == lp)
            .map(|s| s.replicas)
    };
    assert_eq!(at(30, "keda"), Some(1), "KEDA activates 0->1");
    assert_eq!(at(35, "hpa"), Some(4));
    assert_eq!(at(50, "hpa"), Some(8));
    assert_eq!(at(65, "hpa"), Some(10));
    let q = trace.queue.clone().unwrap_or_default();
    let empty = q.queue_empty_at.unwrap_or(i64::MAX);
    let zero = q.zero_replicas_at.unwrap_or(i64::MAX);
    assert!(empty < 250, "queue drained at {empty}");
    assert!(
        (zero - empty) >= 240 && (zero - empty) <= 360,
        "back to zero {} s after the queue emptied",
        zero - empty
    );
    let last = trace.steps.last().map_or(-1, |s| s.replicas);
    assert_eq!(last, 0);
    assert!(q.messages_processed > 99.9 && q.pod_seconds > 0.0);
    // Per step: the queue, the oldest message's age and the pod-seconds so far.
    let s120 = trace
        .steps
        .iter()
        .find(|s| s.t == 120)
        .cloned()
        .unwrap_or_default();
    assert!(s120.queue_length.unwrap_or(0.0) > 0.0);
    assert_eq!(
        s120.oldest_wait_seconds,
        Some(110),
        "the burst arrived at t=10"
    );
    let ps: Vec<f64> = trace.steps.iter().filter_map(|s| s.pod_seconds).collect();
    assert!(
        ps.windows(2).all(|w| w[0] <= w[1]),
        "pod-seconds accumulate"
    );
    let scale_to_zero = trace
        .steps
        .iter()
        .find(|s| s.loop_kind == "keda" && s.replicas == 0 && s.t > 100)
        .map(|s| s.reason.clone())
        .unwrap_or_default();
    assert!(scale_to_zero.contains("cooldown 300"), "{scale_to_zero}");
    let first_sync = trace
        .steps
        .iter()
        .find(|s| s.t == 35)
        .map(|s| s.reason.clone())
        .unwrap_or_default();
    assert!(first_sync.starts_with("hpa: "), "{first_sync}");
    assert!(first_sync.contains("=> desired 20"), "{first_sync}");
    assert!(
        first_sync.contains("scale-up limit max(2*1,4)=4 -> 4"),
        "{first_sync}"
    );
}

#[test]
fn series_mode_schedules_both_loops() {
    let trace = run("series-prometheus-behavior.json");
    let keda = trace.steps.iter().filter(|s| s.loop_kind == "keda").count();
    let hpa = trace.steps.iter().filter(|s| s.loop_kind == "hpa").count();
    assert_eq!(keda, 11, "polls at 0,30..300");
    assert_eq!(hpa, 20, "syncs at 5,20..290");
    // 1500 rps / 100 per pod: 15 wanted, default scale-up policies allow +4 / +100% per 15 s.
    let peak = trace.steps.iter().map(|s| s.replicas).max().unwrap_or(0);
    assert_eq!(peak, 15);
    // Scale-down by the Pods 2/60s policy: never more than 2 removed within 60 s.
    for w in trace.steps.windows(2) {
        assert!(
            w[0].replicas - w[1].replicas <= 2,
            "{} -> {}",
            w[0].replicas,
            w[1].replicas
        );
    }
}

#[test]
fn scenario_errors_say_what_is_wrong() {
    let bad_json = simulate_json("{\"manifest\": 5}");
    assert!(matches!(bad_json, Err(ScenarioError::Json { .. })));
    let no_so =
        simulate_json(r#"{"manifest": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"}"#);
    assert_eq!(no_so.err(), Some(ScenarioError::NoScaledObject));
    let manifest = "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: x\nspec:\n  scaleTargetRef:\n    name: x\n  triggers:\n  - type: prometheus\n    name: rps\n    metadata:\n      threshold: \"10\"\n";
    let scen = serde_json::json!({"manifest": manifest, "steps": [{"t": 0, "loop": "keda", "metrics": {"rsp": 1}}]});
    match simulate_json(&scen.to_string()) {
        Err(ScenarioError::UnknownTrigger { key, known, .. }) => {
            assert_eq!(key, "rsp");
            assert_eq!(known, "rps");
        }
        other => panic!("{other:?}"),
    }
    let scen = serde_json::json!({"manifest": manifest, "steps": [{"t": 0, "loop": "kdea"}]});
    assert!(matches!(
        simulate_json(&scen.to_string()),
        Err(ScenarioError::UnknownLoop { .. })
    ));
    let scen =
        serde_json::json!({"manifest": manifest, "steps": [{"t": 0, "loop": "keda"}, {"t": 5}]});
    assert!(matches!(
        simulate_json(&scen.to_string()),
        Err(ScenarioError::MixedModes { .. })
    ));
    let scen = serde_json::json!({"manifest": manifest, "until": 100000000, "steps": []});
    assert!(matches!(
        simulate_json(&scen.to_string()),
        Err(ScenarioError::TooLong { .. })
    ));
}

#[test]
fn expect_reports_mismatches() {
    let manifest = "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: x\nspec:\n  scaleTargetRef:\n    name: x\n  triggers:\n  - type: prometheus\n    name: rps\n    metadata:\n      threshold: \"10\"\n";
    let scen = serde_json::json!({"manifest": manifest,
        "steps": [{"t": 0, "loop": "keda", "metrics": {"rps": 50}}],
        "expect": [{"t": 0, "replicas": 3}, {"t": 0, "active": true}, {"t": 9, "replicas": 1}]});
    let trace = simulate_json(&scen.to_string()).unwrap_or_default();
    assert_eq!(trace.mismatches.len(), 2, "{:?}", trace.mismatches);
    assert_eq!(trace.mismatches[0].actual, serde_json::json!(1));
    assert_eq!(trace.mismatches[1].actual, serde_json::Value::Null);
}

#[test]
fn annotations_on_a_step_pause_and_unpause() {
    let manifest = "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: x\nspec:\n  scaleTargetRef:\n    name: x\n  maxReplicaCount: 10\n  triggers:\n  - type: prometheus\n    name: rps\n    metadata:\n      threshold: \"10\"\n";
    let scen = serde_json::json!({"manifest": manifest, "initial": {"replicas": 5},
    "steps": [
        {"t": 0, "loop": "keda", "metrics": {"rps": 50}},
        {"t": 30, "loop": "keda", "metrics": {"rps": 500},
         "annotations": {"autoscaling.keda.sh/paused-replicas": "2"}},
        {"t": 35, "loop": "hpa", "metrics": {"rps": 500}},
        {"t": 60, "loop": "keda", "annotations": {"autoscaling.keda.sh/paused-replicas": null}},
        {"t": 65, "loop": "hpa"}
    ]});
    let trace = simulate_json(&scen.to_string()).unwrap_or_default();
    let r: Vec<(i64, String, i64)> = trace
        .steps
        .iter()
        .map(|s| (s.t, s.loop_kind.clone(), s.replicas))
        .collect();
    assert_eq!(
        r,
        vec![
            (0, "keda".into(), 5),
            (30, "reconcile".into(), 2),
            (30, "keda".into(), 2),
            (35, "hpa".into(), 2),
            (60, "reconcile".into(), 2),
            (60, "keda".into(), 2),
            (65, "hpa".into(), 4),
        ]
    );
}

/// A ScaledObject with `triggers` cron-free Prometheus triggers, as scenario JSON text.
fn hostile_manifest(triggers: usize) -> String {
    let t: String = (0..triggers)
        .map(|i| format!("  - type: prometheus\n    name: m{i}\n    metadata:\n      serverAddress: http://p:9090\n      query: q\n      threshold: '5'\n"))
        .collect();
    let yaml = format!("apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: w\nspec:\n  scaleTargetRef:\n    name: w\n  pollingInterval: 30\n  triggers:\n{t}");
    serde_json::to_string(&yaml).unwrap_or_default()
}

#[test]
fn hostile_scenarios_are_refused_naming_the_field() {
    let m = hostile_manifest(1);
    // ~1M ticks from a few hundred bytes: ran for seconds and 1.3+ GB before.
    let series = format!(
        r#"{{"manifest": {m}, "steps": [{{"t": 0, "metrics": {{"m0": 7}}}}], "until": 9999000}}"#
    );
    let start = std::time::Instant::now();
    match simulate_json(&series) {
        Err(e @ ScenarioError::TooLong { field: "until", .. }) => {
            assert!(e.to_string().contains("shorten `until`"), "{e}")
        }
        other => panic!("expected TooLong, got {other:?}"),
    }
    // The last sample's time sets the length when `until` is absent.
    let late_sample =
        format!(r#"{{"manifest": {m}, "steps": [{{"t": 9999000, "metrics": {{"m0": 7}}}}]}}"#);
    assert!(matches!(
        simulate_json(&late_sample),
        Err(ScenarioError::TooLong {
            field: "steps[].t",
            ..
        })
    ));
    // The queue model steps second by second: 25 s and 2.4 GB before.
    let queue = format!(
        r#"{{"manifest": {m}, "queue": {{"arrivalRate": 50, "messagesPerPodPerSecond": 0.001, "duration": 9999000}}}}"#
    );
    match simulate_json(&queue) {
        Err(
            e @ ScenarioError::QueueTooLong {
                field: "queue.duration",
                ..
            },
        )
        | Err(
            e @ ScenarioError::TooLong {
                field: "queue.duration",
                ..
            },
        ) => {
            assert!(e.to_string().contains("`queue.duration`"), "{e}")
        }
        other => panic!("expected a length refusal, got {other:?}"),
    }
    let queue = format!(
        r#"{{"manifest": {m}, "until": 1000001, "hpaSyncPeriod": 1000001, "queue": {{"messagesPerPodPerSecond": 1}}}}"#
    );
    assert!(matches!(
        simulate_json(&queue),
        Err(ScenarioError::QueueTooLong { field: "until", .. })
    ));
    // Many triggers make each step large: the readings are bounded, in explicit mode too.
    let wide = hostile_manifest(200);
    let steps: Vec<String> = (0..6_000)
        .map(|t| format!(r#"{{"t": {t}, "loop": "keda"}}"#))
        .collect();
    let explicit = format!(r#"{{"manifest": {wide}, "steps": [{}]}}"#, steps.join(","));
    match simulate_json(&explicit) {
        Err(
            e @ ScenarioError::TraceTooLarge {
                ticks: 6_000,
                triggers: 200,
                ..
            },
        ) => {
            assert!(e.to_string().contains("fewer `steps`"), "{e}")
        }
        other => panic!(
            "expected TraceTooLarge, got {:?}",
            other.map(|t| t.steps.len())
        ),
    }
    // Explicit steps are ticks too.
    let steps: Vec<String> = (0..100_001)
        .map(|t| format!(r#"{{"t": {t}, "loop": "keda"}}"#))
        .collect();
    let explicit = format!(r#"{{"manifest": {m}, "steps": [{}]}}"#, steps.join(","));
    assert!(matches!(
        simulate_json(&explicit),
        Err(ScenarioError::TooLong {
            field: "steps",
            ticks: 100_001,
            ..
        })
    ));
    assert!(start.elapsed().as_secs() < 10, "{:?}", start.elapsed());
}

#[test]
fn a_queue_run_adding_one_pod_per_sync_stays_fast() {
    // Pods that never become ready, added one per HPA sync for 11 days: the queue model
    // summed every batch of pods every second (104 s in a release build before).
    let yaml = "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: w\nspec:\n  scaleTargetRef:\n    name: w\n  pollingInterval: 60\n  maxReplicaCount: 1000000\n  advanced:\n    horizontalPodAutoscalerConfig:\n      behavior:\n        scaleUp:\n          stabilizationWindowSeconds: 0\n          policies:\n          - type: Pods\n            value: 1\n            periodSeconds: 15\n  triggers:\n  - type: prometheus\n    name: m0\n    metadata:\n      serverAddress: http://p:9090\n      query: q\n      threshold: '5'\n";
    let m = serde_json::to_string(yaml).unwrap_or_default();
    let s = format!(
        r#"{{"manifest": {m}, "queue": {{"arrivalRate": 1000, "messagesPerPodPerSecond": 0.0001, "podStartupSeconds": 2000000, "duration": 1000000}}}}"#
    );
    let start = std::time::Instant::now();
    let trace = simulate_json(&s).unwrap_or_else(|e| panic!("{e}"));
    let took = start.elapsed();
    assert_eq!(trace.queue.map(|q| q.peak_replicas), Some(66_664));
    assert!(took.as_secs() < 20, "{took:?}");
}

#[test]
fn long_but_sane_runs_still_run() {
    // A week of 30 s polls and 15 s HPA syncs, and a week of queue.
    let m = hostile_manifest(1);
    let week = format!(
        r#"{{"manifest": {m}, "steps": [{{"t": 0, "metrics": {{"m0": 7}}}}], "until": 604800}}"#
    );
    let trace = simulate_json(&week).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(trace.steps.len(), 20_161 + 40_320);
    let queue = format!(
        r#"{{"manifest": {m}, "queue": {{"arrivalRate": 1, "messagesPerPodPerSecond": 1, "duration": 604800}}}}"#
    );
    assert!(simulate_json(&queue).is_ok());
}

/// Peak resident memory of this process (Linux), for the measurements below.
fn peak_rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}

/// The longest series run the limits allow. Measure alone:
/// `cargo test --release -p scalecore --test simulate -- --ignored --exact worst_allowed_series --nocapture`
#[test]
#[ignore]
fn worst_allowed_series() {
    let m = hostile_manifest(1);
    let s = format!(
        r#"{{"manifest": {m}, "steps": [{{"t": 0, "metrics": {{"m0": 7}}}}], "until": 999000}}"#
    );
    let start = std::time::Instant::now();
    let trace = simulate_json(&s).unwrap_or_else(|e| panic!("{e}"));
    let json = serde_json::to_string(&trace).unwrap_or_default();
    println!(
        "series: {} ticks, {} MB of JSON, {:?}, peak RSS {} MB",
        trace.steps.len(),
        json.len() >> 20,
        start.elapsed(),
        peak_rss_mb()
    );
}

/// The longest queue run the limits allow (measure alone, as above, `worst_allowed_queue`).
#[test]
#[ignore]
fn worst_allowed_queue() {
    let m = hostile_manifest(1);
    let s = format!(
        r#"{{"manifest": {m}, "hpaSyncPeriod": 30, "queue": {{"arrivalRate": 50, "messagesPerPodPerSecond": 0.001, "duration": 1000000}}}}"#
    );
    let start = std::time::Instant::now();
    let trace = simulate_json(&s).unwrap_or_else(|e| panic!("{e}"));
    let json = serde_json::to_string(&trace).unwrap_or_default();
    println!(
        "queue: {} ticks, {} MB of JSON, {:?}, peak RSS {} MB",
        trace.steps.len(),
        json.len() >> 20,
        start.elapsed(),
        peak_rss_mb()
    );
}
