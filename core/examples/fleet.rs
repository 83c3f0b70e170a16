//! A fleet: 10,000 ScaledObjects over 24 hours at default periods (KEDA polls every 30 s,
//! HPA syncs every 15 s), each with its own daily traffic shape, on every core.
//! `cargo run --release -p scalecore --example fleet [COUNT] [HOURS]`

use std::time::Instant;

use scalecore::decide::{Initial, Observed, Reading, ScaledObjectEngine};
use scalecore::model::ScaledObjectSpec;
use scalecore::validate::{load_bundle, LintOptions};

const MANIFEST: &str = "apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: worker
spec:
  scaleTargetRef:
    name: worker
  maxReplicaCount: 30
  triggers:
  - type: azure-servicebus
    name: orders
    metadata:
      queueName: orders
      namespace: contoso-sb
      messageCount: \"5\"
";

/// Queue length of object `i` at second `t`: a daily wave, bursts, and quiet nights.
fn queue(i: u64, t: i64) -> f64 {
    let day = 86_400.0;
    let phase = (i % 97) as f64 / 97.0 * day;
    let wave = ((t as f64 + phase) / day * std::f64::consts::TAU).sin();
    let burst = if (t / 600 + i as i64) % 17 == 0 {
        120.0
    } else {
        0.0
    };
    (wave * 80.0 + burst).max(0.0)
}

fn run(spec: &ScaledObjectSpec, ids: std::ops::Range<u64>, seconds: i64) -> (u64, i64) {
    let mut ticks = 0u64;
    let mut replica_sum = 0i64;
    for i in ids {
        let mut e = ScaledObjectEngine::new(spec, Initial::default());
        let mut t = 0;
        while t <= seconds {
            // KEDA at 0, 30, 60...; HPA at 5, 20, 35... (the series schedule of docs/scenario.md).
            if t % 30 == 0 {
                let obs = Observed::replicas(e.state().replicas);
                e.keda_poll(t, &[Reading::Value(queue(i, t))], obs);
                ticks += 1;
            }
            if t % 15 == 5 {
                let obs = Observed::replicas(e.state().replicas);
                replica_sum += e.hpa_sync(t, &[Reading::Value(queue(i, t))], obs).replicas;
                ticks += 1;
            }
            t += 5;
        }
    }
    (ticks, replica_sum)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let count: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let hours: i64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(24);
    let (bundle, _) = load_bundle(&[MANIFEST], &LintOptions::default());
    let Some(so) = bundle.resources.first() else {
        eprintln!("manifest did not load");
        std::process::exit(2);
    };
    let spec = ScaledObjectSpec::from_resource(so);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    let start = Instant::now();
    let chunk = count.div_ceil(threads);
    let results: Vec<(u64, i64)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|k| {
                let spec = &spec;
                let ids = (k * chunk).min(count)..((k + 1) * chunk).min(count);
                s.spawn(move || run(spec, ids, hours * 3600))
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let elapsed = start.elapsed().as_secs_f64();
    let ticks: u64 = results.iter().map(|r| r.0).sum();
    let replicas: i64 = results.iter().map(|r| r.1).sum();
    println!(
        "{count} ScaledObjects x {hours} h: {ticks} ticks in {elapsed:.2} s on {threads} threads \
         ({:.1} M ticks/s; mean replicas after an HPA sync {:.2}; target <= 30 s)",
        ticks as f64 / elapsed / 1e6,
        replicas as f64 / (ticks as f64 * 2.0 / 3.0)
    );
}
