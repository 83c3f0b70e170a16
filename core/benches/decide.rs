//! Decision throughput: KEDA polls and HPA syncs of one ScaledObject, on one core.
//! `cargo bench -p scalecore --bench decide` (target >= 10 M ticks/s). The fleet figure
//! (10,000 ScaledObjects over 24 hours) is `cargo run --release -p scalecore --example fleet`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use scalecore::decide::{Initial, Observed, Reading, ScaledObjectEngine};
use scalecore::model::ScaledObjectSpec;
use scalecore::validate::{load_bundle, LintOptions};

fn engine(extra: &str) -> Option<ScaledObjectEngine> {
    let manifest = format!(
        "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: w\nspec:\n  scaleTargetRef:\n    name: w\n  maxReplicaCount: 50\n  triggers:\n  - type: azure-servicebus\n    name: orders\n    metadata:\n      queueName: orders\n      messageCount: \"5\"\n{extra}"
    );
    let (bundle, _) = load_bundle(&[manifest.as_str()], &LintOptions::default());
    let spec = ScaledObjectSpec::from_resource(bundle.resources.first()?);
    Some(ScaledObjectEngine::new(&spec, Initial::default()))
}

const BATCH: i64 = 3000;

fn bench(c: &mut Criterion) {
    let behavior = "  advanced:\n    horizontalPodAutoscalerConfig:\n      behavior:\n        scaleDown:\n          stabilizationWindowSeconds: 60\n";
    let mut g = c.benchmark_group("decide");
    g.throughput(Throughput::Elements(BATCH as u64));
    for (name, extra) in [("legacy-hpa", ""), ("behavior-hpa", behavior)] {
        let Some(mut e) = engine(extra) else { return };
        let mut t = 0i64;
        g.bench_function(name, |b| {
            b.iter(|| {
                for k in 0..BATCH {
                    t += 5;
                    let v = ((t / 200) % 10) as f64 * 37.0 * (((t / 2000) % 2) as f64);
                    let r = [Reading::Value(v)];
                    let obs = Observed::replicas(e.state().replicas);
                    let o = if k % 3 == 0 {
                        e.keda_poll(t, &r, obs)
                    } else {
                        e.hpa_sync(t, &r, obs)
                    };
                    std::hint::black_box(o.replicas);
                }
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
