//! `scalecore simulate`.

use clap::{Args, ValueEnum};
use scalecore::simulate::{
    scenario_from_json, simulate_interruptible, ScenarioError, Trace, TraceStep,
};

#[derive(Args)]
pub struct SimulateArgs {
    /// Scenario file (JSON, docs/scenario.md); `-` reads standard input.
    #[arg(value_name = "SCENARIO")]
    scenario: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The steps where something changed, with a bar per step, then a summary.
    Human,
    /// The trace: {"steps":[{t, loop, replicas, active, fallback, reason, triggers}], "diagnostics":[...]}.
    Json,
    /// One row per step.
    Csv,
}

/// Scenario files are small; a larger input is a mistake, refused before it is read whole.
const MAX_SCENARIO_BYTES: u64 = 64 * 1024 * 1024;

/// Runs the scenario, asking `keep_going` now and then whether to go on (an embedding
/// interpreter's signal check).
pub fn run(args: &SimulateArgs, keep_going: &mut dyn FnMut() -> bool) -> u8 {
    let text = match read(&args.scenario) {
        Ok(t) => t,
        Err(e) => return fail(&e),
    };
    let trace = match scenario_from_json(&text).and_then(|s| simulate_interruptible(&s, keep_going))
    {
        Ok(t) => t,
        // The caller stopped the run (Ctrl-C) and reports it its own way: 130, as shells do.
        Err(ScenarioError::Interrupted) => return 130,
        Err(e) => return fail(format!("{}: {e}", args.scenario)),
    };
    let out = match args.format {
        Format::Json => serde_json::to_string(&trace).unwrap_or_default() + "\n",
        Format::Csv => csv(&trace),
        Format::Human => human(&trace),
    };
    if let Err(e) = crate::stdout::write(&out) {
        return fail(&e);
    }
    if trace.mismatches.is_empty() {
        0
    } else {
        for m in &trace.mismatches {
            eprintln!(
                "scalecore: expectation not met at t={}: {} expected {}, got {}",
                m.t, m.field, m.expected, m.actual
            );
        }
        1
    }
}

/// Why the scenario cannot be read; each message starts with the path (`-`: standard input).
#[derive(Debug, thiserror::Error)]
enum ReadError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: larger than {MAX_SCENARIO_BYTES} bytes")]
    TooLarge { path: String },
    #[error("{path}: not UTF-8 (at byte {})", .source.utf8_error().valid_up_to())]
    NotUtf8 {
        path: String,
        source: std::string::FromUtf8Error,
    },
}

fn read(path: &str) -> Result<String, ReadError> {
    use std::io::Read;
    let mut bytes = Vec::new();
    let result = if path == "-" {
        std::io::stdin()
            .take(MAX_SCENARIO_BYTES + 1)
            .read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_SCENARIO_BYTES + 1).read_to_end(&mut bytes))
    };
    let path = path.to_owned();
    if let Err(source) = result {
        return Err(ReadError::Io { path, source });
    }
    if bytes.len() as u64 > MAX_SCENARIO_BYTES {
        return Err(ReadError::TooLarge { path });
    }
    String::from_utf8(bytes).map_err(|source| ReadError::NotUtf8 { path, source })
}

fn csv(trace: &Trace) -> String {
    let mut out = String::from("t,loop,replicas,active,fallback,queueLength,readyPods,reason\n");
    for s in &trace.steps {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            s.t,
            s.loop_kind,
            s.replicas,
            s.active,
            s.fallback,
            s.queue_length.map(|q| format!("{q}")).unwrap_or_default(),
            s.ready_pods.map(|p| p.to_string()).unwrap_or_default(),
            csv_field(&s.reason)
        ));
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The steps where replicas, activity or fallback changed (and the first and last), each
/// with a bar scaled to the largest replica count, so the shape of the run is visible.
fn human(trace: &Trace) -> String {
    let peak = trace
        .steps
        .iter()
        .map(|s| s.replicas)
        .max()
        .unwrap_or(0)
        .max(1);
    let has_queue = trace.steps.iter().any(|s| s.queue_length.is_some());
    let mut out = String::new();
    out.push_str(&format!(
        "{:>6}  {:<9} {:<24} {:<6} {}{}\n",
        "t(s)",
        "loop",
        "replicas",
        "active",
        if has_queue { "queue  " } else { "" },
        "reason"
    ));
    let mut prev: Option<&TraceStep> = None;
    let last = trace.steps.len().saturating_sub(1);
    for (i, s) in trace.steps.iter().enumerate() {
        let changed = prev.is_none_or(|p| {
            p.replicas != s.replicas || p.active != s.active || p.fallback != s.fallback
        });
        if changed || i == last {
            let bar = "█".repeat((s.replicas.max(0) * 20 / peak) as usize);
            out.push_str(&format!(
                "{:>6}  {:<9} {:>3} {:<20} {:<6} {}{}\n",
                s.t,
                s.loop_kind,
                s.replicas,
                bar,
                if s.fallback {
                    "fallbk"
                } else if s.active {
                    "yes"
                } else {
                    "no"
                },
                if has_queue {
                    format!(
                        "{:<7}",
                        s.queue_length
                            .map(|q| format!("{q:.0}"))
                            .unwrap_or_default()
                    )
                } else {
                    String::new()
                },
                s.reason
            ));
        }
        prev = Some(s);
    }
    out.push_str(&format!(
        "\n{} steps; peak {} replicas",
        trace.steps.len(),
        trace.steps.iter().map(|s| s.replicas).max().unwrap_or(0)
    ));
    if let Some(q) = &trace.queue {
        out.push_str(&format!(
            "; {:.0} messages in, {:.0} processed, mean wait {:.1} s, max wait {:.0} s, {:.0} pod-seconds",
            q.messages_arrived, q.messages_processed, q.mean_wait_seconds, q.max_wait_seconds, q.pod_seconds
        ));
        if let Some(t) = q.queue_empty_at {
            out.push_str(&format!("; queue empty at t={t}"));
        }
        if let Some(t) = q.zero_replicas_at {
            out.push_str(&format!("; 0 replicas at t={t}"));
        }
    }
    out.push('\n');
    for d in &trace.diagnostics {
        out.push_str(&format!(
            "{}[{}] line {}: {}\n",
            d.severity.as_str(),
            d.code,
            d.line,
            d.message
        ));
    }
    out
}

fn fail(message: impl std::fmt::Display) -> u8 {
    eprintln!("scalecore: {message}");
    2
}
