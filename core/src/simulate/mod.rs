//! Runs a ScaledObject (or ScaledJob) over time: explicit KEDA/HPA ticks, a metric series,
//! or a queue model, and returns a trace with each step's replicas and reason.

pub mod queue;
mod runner;
pub mod scenario;
mod trace;

pub use queue::{QueueModel, QueueSummary};
pub use runner::{simulate, simulate_interruptible, HPA_FIRST_SYNC};
pub use scenario::{Expect, InitialSpec, Mismatch, Scenario, Step, Trace, TraceStep, TriggerTrace};

/// Why a scenario could not be run.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ScenarioError {
    #[error("scenario is not valid: {message}")]
    Json {
        message: String,
        line: usize,
        column: usize,
    },
    #[error("manifest: {message} (line {line}, column {column})")]
    Manifest {
        message: String,
        line: u32,
        column: u32,
    },
    #[error("manifest holds no keda.sh/v1alpha1 ScaledObject or ScaledJob")]
    NoScaledObject,
    #[error("step {index} (t={t}): unknown loop {name:?}; use keda, hpa, reconcile or delete")]
    UnknownLoop { index: usize, t: i64, name: String },
    #[error("step {index} (t={t}): {key:?} names no trigger (triggers: {known})")]
    UnknownTrigger {
        index: usize,
        t: i64,
        key: String,
        known: String,
    },
    #[error("step {index} (t={t}): a ScaledJob has only KEDA polls (loop \"keda\"), not {name:?}")]
    NotForScaledJob { index: usize, t: i64, name: String },
    #[error("steps mix explicit loops (step {explicit}) and series samples without a loop (step {series})")]
    MixedModes { explicit: usize, series: usize },
    #[error("hpaSyncPeriod must be at least 1 second (got {0})")]
    BadSyncPeriod(i64),
    #[error("queue: {0}")]
    Queue(String),
    #[error("the run would take {ticks} ticks; at most {limit} are allowed (shorten `{field}`)")]
    TooLong {
        ticks: i64,
        limit: i64,
        /// The scenario field that set the run's length.
        field: &'static str,
    },
    #[error("the queue model would run for {seconds} seconds; at most {limit} are allowed (shorten `{field}`)")]
    QueueTooLong {
        seconds: i64,
        limit: i64,
        field: &'static str,
    },
    #[error("the trace would hold {ticks} ticks of {triggers} triggers each; at most {limit} trigger readings are allowed (fewer `steps`, a shorter `{field}`, or fewer triggers)")]
    TraceTooLarge {
        ticks: usize,
        triggers: usize,
        limit: usize,
        field: &'static str,
    },
    /// The caller's check (a Ctrl-C in an interactive session) stopped the run.
    #[error("the run was interrupted")]
    Interrupted,
}

/// Parses a scenario from JSON and runs it.
pub fn simulate_json(text: &str) -> Result<Trace, ScenarioError> {
    simulate(&scenario_from_json(text)?)
}

/// Parses a scenario from JSON, with the position of a syntax or shape error.
pub fn scenario_from_json(text: &str) -> Result<Scenario, ScenarioError> {
    serde_json::from_str(text).map_err(|e| ScenarioError::Json {
        message: e.to_string(),
        line: e.line(),
        column: e.column(),
    })
}
