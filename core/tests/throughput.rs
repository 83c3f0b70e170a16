//! Engine speed: `cargo test -p scalecore --release --test throughput -- --ignored --nocapture`.
//! The target is at least 10 million KEDA polls / HPA syncs per second on one core.

#![allow(clippy::expect_used)]

use std::time::Instant;

use scalecore::decide::{Initial, Observed, Reading, ScaledObjectEngine};
use scalecore::document::Kind;
use scalecore::model::ScaledObjectSpec;
use scalecore::validate::{load_bundle, LintOptions};

fn engine(behavior: bool) -> ScaledObjectEngine {
    let mut y = String::from(
        "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: w\nspec:\n  scaleTargetRef:\n    name: w\n  maxReplicaCount: 50\n  triggers:\n  - type: azure-servicebus\n    name: orders\n    metadata:\n      queueName: orders\n      messageCount: \"5\"\n",
    );
    if behavior {
        y.push_str("  advanced:\n    horizontalPodAutoscalerConfig:\n      behavior:\n        scaleDown:\n          stabilizationWindowSeconds: 60\n");
    }
    let (bundle, _) = load_bundle(&[y.as_str()], &LintOptions::default());
    let r = bundle
        .resources
        .iter()
        .find(|r| r.kind == Kind::ScaledObject);
    let spec = ScaledObjectSpec::from_resource(r.expect("ScaledObject"));
    ScaledObjectEngine::new(&spec, Initial::default())
}

/// CPU seconds this process has used (Linux), so a busy shared machine does not skew the
/// figure; wall time elsewhere.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = stat.rsplit(')').next()?;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

fn ticks_per_second(behavior: bool) -> f64 {
    let mut e = engine(behavior);
    let n: i64 = 20_000_000;
    let start = Instant::now();
    let cpu0 = cpu_seconds();
    let mut sum = 0i64;
    for k in 0..n {
        // KEDA every 30 s, HPA every 15 s (offset 5), as in a cluster.
        let t = 10 * k + if k % 3 == 0 { 0 } else { 5 };
        // A queue that fills and drains, so every branch of both loops runs.
        let v = ((k / 40) % 10) as f64 * 37.0 * (((k / 400) % 2) as f64);
        let r = [Reading::Value(v)];
        let obs = Observed::replicas(e.state().replicas);
        let o = if k % 3 == 0 {
            e.keda_poll(t, &r, obs)
        } else {
            e.hpa_sync(t, &r, obs)
        };
        sum += o.replicas;
    }
    let secs = match (cpu0, cpu_seconds()) {
        (Some(a), Some(b)) if b > a => b - a,
        _ => start.elapsed().as_secs_f64(),
    };
    assert!(sum > 0, "the engine never scaled");
    n as f64 / secs
}

#[test]
#[ignore = "timing; run in release"]
fn engine_throughput() {
    for behavior in [false, true] {
        let tps = ticks_per_second(behavior);
        println!(
            "{} path: {:.1} M ticks/s",
            if behavior { "behavior" } else { "legacy" },
            tps / 1e6
        );
    }
}

#[test]
fn engine_runs_a_long_series_without_growing_history() {
    let mut e = engine(true);
    for k in 0..20_000i64 {
        let v = ((k / 40) % 10) as f64 * 37.0;
        let obs = Observed::replicas(e.state().replicas);
        if k % 3 == 0 {
            e.keda_poll(5 * k, &[Reading::Value(v)], obs);
        } else {
            e.hpa_sync(5 * k, &[Reading::Value(v)], obs);
        }
    }
    let h = &e.state().hpa;
    // Windows of 60-300 s at one sync per 5-15 s keep the history small.
    assert!(h.recommendations.len() < 100, "{}", h.recommendations.len());
    assert!(h.up_events.len() < 20 && h.down_events.len() < 20);
}
