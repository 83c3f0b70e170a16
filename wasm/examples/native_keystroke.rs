//! The native side of `bench/keystroke.mjs`: the same edit-then-lint loop through
//! `scalecore_bindings::lint_for_editor`, timings in µs as JSON on stdout.
//! Usage: native_keystroke <manifest> [iterations]

use std::time::Instant;

use scalecore_bindings::{lint_for_editor, LintRequestOptions, PositionEncoding};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: native_keystroke <manifest> [iterations]")?;
    let n: usize = args.next().map_or(Ok(3000), |s| s.parse())?;
    if n == 0 {
        return Err("iterations must be at least 1".into());
    }
    let text = std::fs::read_to_string(path)?;
    let needle = "queueName: orders0";
    let at = text.find(needle).ok_or("no queueName: orders0")? + needle.len() - 1;
    let variant = |i: usize| {
        let mut t = String::with_capacity(text.len());
        t.push_str(&text[..at]);
        t.push(char::from(b'a' + (i % 26) as u8));
        t.push_str(&text[at + 1..]);
        t
    };
    let options = LintRequestOptions::default();
    for i in 0..300 {
        lint_for_editor(&variant(i), &options, PositionEncoding::Utf16)?;
    }
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        let t = variant(i);
        let start = Instant::now();
        let d = lint_for_editor(&t, &options, PositionEncoding::Utf16)?;
        // The Wasm side returns JS objects; give the native side its serialisation too.
        let json = serde_json::to_string(&d)?;
        times.push(start.elapsed().as_secs_f64() * 1e6);
        std::hint::black_box(json);
    }
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((p * n as f64) as usize).min(n - 1)];
    let mean = times.iter().sum::<f64>() / n as f64;
    println!(
        "{}",
        serde_json::json!({"mean": mean, "median": pct(0.5), "p99": pct(0.99)})
    );
    Ok(())
}
