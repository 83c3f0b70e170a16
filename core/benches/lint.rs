//! Lint throughput: one typical Service Bus ScaledObject, and a 1000-document stream; and
//! reading that stream with the fast YAML reader against the full parser.
//! `cargo bench -p scalecore --bench lint`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use scalecore::{lint, parse_stream, Limits, LintOptions};

const SEED: &str = include_str!("../../examples/seed/keda.yaml");

/// The seed ScaledObject alone (the second document of the seed file).
fn scaled_object() -> &'static str {
    SEED.split("\n---\n").nth(1).unwrap_or(SEED)
}

/// `n` ScaledObjects with distinct names and targets, as one stream.
pub fn stream(n: usize) -> String {
    let so = scaled_object();
    let mut out = String::with_capacity(n * (so.len() + 8));
    for i in 0..n {
        out.push_str("---\n");
        out.push_str(&so.replace("orders-worker", &format!("orders-worker-{i}")));
        out.push('\n');
    }
    out
}

fn bench(c: &mut Criterion) {
    let options = LintOptions::default();
    let one = scaled_object();
    let mut g = c.benchmark_group("lint");
    g.throughput(Throughput::Elements(1));
    g.bench_function("servicebus-scaledobject", |b| {
        b.iter(|| lint(std::hint::black_box(one), &options))
    });
    let big = stream(1000);
    g.throughput(Throughput::Elements(1000));
    g.bench_function("stream-1000-documents", |b| {
        b.iter(|| lint(std::hint::black_box(&big), &options))
    });
    g.finish();

    // A `%YAML` directive is outside what the fast reader takes, so the second stream is
    // read by the full parser: the same documents, the same tree.
    let full = format!("%YAML 1.2\n{big}");
    let limits = Limits::default();
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Elements(1000));
    g.bench_function("stream-1000-fast-reader", |b| {
        b.iter(|| parse_stream(std::hint::black_box(&big), &limits))
    });
    g.bench_function("stream-1000-full-parser", |b| {
        b.iter(|| parse_stream(std::hint::black_box(&full), &limits))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
