//! Turns a scenario into ticks, runs them through the engine and records the trace.

use std::collections::BTreeMap;

use crate::decide::scaledjob::ScaledJobEngine;
use crate::decide::{Initial, Observed, Reading, ScaledObjectEngine};
use crate::diagnostic::Severity;
use crate::document::Kind;
use crate::model::{ScaledJobSpec, ScaledObjectSpec};
use crate::validate::{lint, load_bundle, LintOptions};

use super::queue::QueueSim;
use super::scenario::{Scenario, Step, Trace, TraceStep, TriggerTrace};
use super::trace::{check_expectations, trace_step};
use super::ScenarioError;

/// Most ticks a series or queue run schedules (11 days of 30 s polls and 15 s syncs). Each
/// tick is a trace step of about a kilobyte in memory, so this bounds the trace too.
pub const MAX_TICKS: i64 = 100_000;
/// Most seconds the queue model advances (it steps second by second): 11 days.
pub const MAX_QUEUE_SECONDS: i64 = 1_000_000;
/// Most trigger readings in a trace (ticks times triggers), in every mode: a manifest with
/// many triggers makes each trace step larger.
pub const MAX_READINGS: usize = 1_000_000;
/// Series mode: the first HPA sync comes 5 s after KEDA's first poll (t=0).
pub const HPA_FIRST_SYNC: i64 = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TickKind {
    Keda,
    Hpa,
    Reconcile,
    Delete,
}

impl TickKind {
    fn name(self) -> &'static str {
        match self {
            TickKind::Keda => "keda",
            TickKind::Hpa => "hpa",
            TickKind::Reconcile => "reconcile",
            TickKind::Delete => "delete",
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Tick {
    t: i64,
    kind: TickKind,
    /// Explicit mode: the step this tick is. Series mode: none (samples are absorbed by time).
    step: Option<usize>,
}

enum Target {
    Object(Box<ScaledObjectEngine>),
    Job(Box<ScaledJobEngine>),
}

/// Inputs carried from step to step.
pub(super) struct Inputs {
    pub(super) keys: Vec<String>,
    values: Vec<f64>,
    errors: Vec<bool>,
    pub(super) readings: Vec<Reading>,
    ready: Option<i64>,
    status: Option<i64>,
    pending_pods: Option<i64>,
    without_metrics: Option<i64>,
    replicas_override: Option<i64>,
    running: i64,
    pending: i64,
    annotations: BTreeMap<String, String>,
    annotations_changed: bool,
}

impl Inputs {
    fn absorb(&mut self, index: usize, step: &Step) -> Result<(), ScenarioError> {
        let find = |key: &str| -> Result<usize, ScenarioError> {
            self.keys
                .iter()
                .position(|k| k == key)
                .ok_or_else(|| ScenarioError::UnknownTrigger {
                    index,
                    t: step.t,
                    key: key.to_owned(),
                    known: self.keys.join(", "),
                })
        };
        let mut set = Vec::with_capacity(step.metrics.len());
        for (k, v) in &step.metrics {
            set.push((find(k)?, *v));
        }
        let mut errs = Vec::with_capacity(step.errors.len());
        for k in &step.errors {
            errs.push(find(k)?);
        }
        for (i, v) in set {
            if let Some(slot) = self.values.get_mut(i) {
                *slot = v;
            }
        }
        self.errors.iter_mut().for_each(|e| *e = false);
        for i in errs {
            if let Some(e) = self.errors.get_mut(i) {
                *e = true;
            }
        }
        if step.ready_pods.is_some() {
            self.ready = step.ready_pods;
        }
        if step.status_replicas.is_some() {
            self.status = step.status_replicas;
        }
        if step.pending_pods.is_some() {
            self.pending_pods = step.pending_pods;
        }
        if step.pods_without_metrics.is_some() {
            self.without_metrics = step.pods_without_metrics;
        }
        self.replicas_override = step.replicas;
        self.running = step.running_jobs.unwrap_or(self.running);
        self.pending = step.pending_jobs.unwrap_or(self.pending);
        if let Some(a) = &step.annotations {
            for (k, v) in a {
                match v {
                    Some(v) => self.annotations.insert(k.clone(), v.clone()),
                    None => self.annotations.remove(k),
                };
            }
            self.annotations_changed = true;
        }
        Ok(())
    }

    fn build_readings(&mut self) {
        for ((r, v), e) in self.readings.iter_mut().zip(&self.values).zip(&self.errors) {
            *r = if *e {
                Reading::Error
            } else {
                Reading::Value(*v)
            };
        }
    }
}

/// The engine, the trigger keys and the manifest's annotations.
type Loaded = (Target, Vec<String>, BTreeMap<String, String>);

fn load(s: &Scenario) -> Result<Loaded, ScenarioError> {
    let options = LintOptions::default();
    let (bundle, problems) = load_bundle(&[s.manifest.as_str()], &options);
    let resource = bundle
        .resources
        .iter()
        .find(|r| r.is_keda() && matches!(r.kind, Kind::ScaledObject | Kind::ScaledJob));
    let Some(resource) = resource else {
        return Err(
            match problems.iter().find(|d| d.severity == Severity::Error) {
                Some(d) => ScenarioError::Manifest {
                    message: d.message.clone(),
                    line: d.line,
                    column: d.column,
                },
                None => ScenarioError::NoScaledObject,
            },
        );
    };
    let initial = Initial {
        replicas: s.initial.replicas,
        last_active_time: s.initial.last_active_time,
        creation_time: s.initial.creation_time.unwrap_or(-1),
    };
    Ok(if resource.kind == Kind::ScaledJob {
        let spec = ScaledJobSpec::from_resource(resource);
        let keys = spec.triggers.iter().map(|t| t.key()).collect();
        let annotations = spec.annotations.clone();
        (
            Target::Job(Box::new(ScaledJobEngine::new(&spec))),
            keys,
            annotations,
        )
    } else {
        let spec = ScaledObjectSpec::from_resource(resource);
        let keys = spec.triggers.iter().map(|t| t.key()).collect();
        (
            Target::Object(Box::new(ScaledObjectEngine::new(&spec, initial))),
            keys,
            spec.annotations.clone(),
        )
    })
}

fn schedule(
    s: &Scenario,
    polling: i64,
    job: bool,
    triggers: usize,
) -> Result<Vec<Tick>, ScenarioError> {
    let ticks = schedule_ticks(s, polling, job)?;
    let readings = ticks.len().saturating_mul(triggers.max(1));
    if readings > MAX_READINGS {
        return Err(ScenarioError::TraceTooLarge {
            ticks: ticks.len(),
            triggers,
            limit: MAX_READINGS,
            field: length_field(s),
        });
    }
    Ok(ticks)
}

/// The scenario field that sets how long a series or queue run lasts.
fn length_field(s: &Scenario) -> &'static str {
    match (&s.until, s.queue.as_ref().and_then(|q| q.duration)) {
        (Some(_), _) => "until",
        (None, Some(_)) => "queue.duration",
        (None, None) if s.queue.is_some() => "until",
        (None, None) => "steps[].t",
    }
}

fn schedule_ticks(s: &Scenario, polling: i64, job: bool) -> Result<Vec<Tick>, ScenarioError> {
    let explicit = s.steps.iter().position(|st| st.loop_kind.is_some());
    let series = s.steps.iter().position(|st| st.loop_kind.is_none());
    if let (Some(e), Some(se)) = (explicit, series) {
        if !s.steps.is_empty() && s.queue.is_none() {
            return Err(ScenarioError::MixedModes {
                explicit: e,
                series: se,
            });
        }
    }
    if explicit.is_some() && s.queue.is_none() {
        // Each explicit step is a tick and a trace step.
        if s.steps.len() as u64 > MAX_TICKS as u64 {
            return Err(ScenarioError::TooLong {
                ticks: i64::try_from(s.steps.len()).unwrap_or(i64::MAX),
                limit: MAX_TICKS,
                field: "steps",
            });
        }
        let mut ticks = Vec::with_capacity(s.steps.len());
        for (i, st) in s.steps.iter().enumerate() {
            let kind = match st.loop_kind.as_deref() {
                Some("keda") | Some("keda-scaledjob") => TickKind::Keda,
                Some("hpa") => TickKind::Hpa,
                Some("reconcile") => TickKind::Reconcile,
                Some("delete") => TickKind::Delete,
                other => {
                    return Err(ScenarioError::UnknownLoop {
                        index: i,
                        t: st.t,
                        name: other.unwrap_or_default().to_owned(),
                    })
                }
            };
            if job && kind != TickKind::Keda {
                return Err(ScenarioError::NotForScaledJob {
                    index: i,
                    t: st.t,
                    name: kind.name().to_owned(),
                });
            }
            ticks.push(Tick {
                t: st.t,
                kind,
                step: Some(i),
            });
        }
        return Ok(ticks);
    }
    if s.hpa_sync_period < 1 {
        return Err(ScenarioError::BadSyncPeriod(s.hpa_sync_period));
    }
    let last_sample = s.steps.iter().map(|st| st.t).max();
    let until = s
        .until
        .or_else(|| s.queue.as_ref().and_then(|q| q.duration))
        .or(if s.queue.is_some() { Some(900) } else { None })
        .or(last_sample)
        .unwrap_or(0);
    let count = (until / polling)
        .saturating_add(if job { 0 } else { until / s.hpa_sync_period })
        .saturating_add(2);
    if count > MAX_TICKS || until < 0 {
        return Err(ScenarioError::TooLong {
            ticks: count,
            limit: MAX_TICKS,
            field: length_field(s),
        });
    }
    // The queue model advances second by second.
    if s.queue.is_some() && until > MAX_QUEUE_SECONDS {
        return Err(ScenarioError::QueueTooLong {
            seconds: until,
            limit: MAX_QUEUE_SECONDS,
            field: length_field(s),
        });
    }
    let mut ticks = Vec::with_capacity(count as usize);
    let mut t = 0;
    while t <= until {
        ticks.push(Tick {
            t,
            kind: TickKind::Keda,
            step: None,
        });
        let Some(next) = t.checked_add(polling) else {
            break;
        };
        t = next;
    }
    if !job {
        let mut t = HPA_FIRST_SYNC;
        while t <= until {
            ticks.push(Tick {
                t,
                kind: TickKind::Hpa,
                step: None,
            });
            let Some(next) = t.checked_add(s.hpa_sync_period) else {
                break;
            };
            t = next;
        }
    }
    // KEDA first when both loops fall on the same second.
    crate::sort::sort_by_key(&mut ticks, |k| (k.t, k.kind != TickKind::Keda));
    Ok(ticks)
}

/// Runs a scenario.
pub fn simulate(s: &Scenario) -> Result<Trace, ScenarioError> {
    simulate_interruptible(s, &mut || true)
}

/// Ticks between two calls of an interruptible run's check: a long run (the most ticks
/// allowed) calls it about a hundred times, and a call (a signal check) costs far less than
/// the ticks between.
const TICKS_PER_CHECK: usize = 1024;

/// [`simulate`], asking `keep_going` every [`TICKS_PER_CHECK`] ticks whether to go on; a
/// `false` ends the run with [`ScenarioError::Interrupted`]. Bindings pass a check for the
/// host's signals, so Ctrl-C stops a long run in a notebook at once.
pub fn simulate_interruptible(
    s: &Scenario,
    keep_going: &mut dyn FnMut() -> bool,
) -> Result<Trace, ScenarioError> {
    let (mut target, keys, annotations) = load(s)?;
    let diagnostics = lint(&s.manifest, &LintOptions::default());
    let (polling, job) = match &target {
        Target::Object(e) => (e.plan().polling_interval, false),
        Target::Job(j) => (j.spec.polling_interval.max(1), true),
    };
    let ticks = schedule(s, polling, job, keys.len())?;
    let n = keys.len();
    let mut queue = match &s.queue {
        None => None,
        Some(_) if job => {
            return Err(ScenarioError::Queue(
                "the queue model needs a ScaledObject".into(),
            ))
        }
        Some(q) => {
            let idx = match &q.trigger {
                Some(k) => keys.iter().position(|x| x == k).ok_or_else(|| {
                    ScenarioError::Queue(format!(
                        "trigger {k:?} names no trigger (triggers: {})",
                        keys.join(", ")
                    ))
                })?,
                None if n > 0 => 0,
                None => {
                    return Err(ScenarioError::Queue(
                        "the ScaledObject has no trigger".into(),
                    ))
                }
            };
            let mut sim = QueueSim::new(q);
            sim.set_replicas(s.initial.replicas);
            Some((idx, sim))
        }
    };
    let mut inputs = Inputs {
        keys,
        values: vec![0.0; n],
        errors: vec![false; n],
        readings: vec![Reading::Value(0.0); n],
        ready: None,
        status: None,
        pending_pods: None,
        without_metrics: None,
        replicas_override: None,
        running: 0,
        pending: 0,
        annotations,
        annotations_changed: false,
    };
    let mut trace = Trace {
        diagnostics,
        ..Trace::default()
    };
    let mut next_sample = 0;
    let mut samples: Vec<usize> = (0..s.steps.len()).collect();
    crate::sort::sort_by_key(&mut samples, |i| s.steps.get(*i).map_or(0, |st| st.t));
    for (n, tick) in ticks.into_iter().enumerate() {
        if n % TICKS_PER_CHECK == TICKS_PER_CHECK - 1 && !keep_going() {
            return Err(ScenarioError::Interrupted);
        }
        // Feed inputs.
        match tick.step {
            Some(i) => {
                if let Some(st) = s.steps.get(i) {
                    inputs.absorb(i, st)?;
                }
            }
            None => {
                inputs.replicas_override = None;
                while let Some(&i) = samples.get(next_sample) {
                    let Some(st) = s.steps.get(i) else { break };
                    if st.t > tick.t {
                        break;
                    }
                    inputs.absorb(i, st)?;
                    next_sample += 1;
                }
            }
        }
        if let Some((qi, q)) = queue.as_mut() {
            q.advance_to(tick.t);
            if let Some(v) = inputs.values.get_mut(*qi) {
                *v = q.length();
            }
        }
        inputs.build_readings();
        let step = match &mut target {
            Target::Object(e) => run_object(e, &mut inputs, tick, queue.as_ref().map(|(_, q)| q)),
            Target::Job(j) => run_job(j, &inputs, tick),
        };
        if let Some((_, q)) = queue.as_mut() {
            q.set_replicas(step.replicas_after);
        }
        trace.steps.extend(step.steps);
    }
    if let Some((_, q)) = queue.as_mut() {
        let end = s
            .until
            .or(s.queue.as_ref().and_then(|m| m.duration))
            .unwrap_or(900);
        q.advance_to(end);
        trace.queue = Some(q.finish());
    }
    trace.mismatches = check_expectations(s, &trace.steps);
    Ok(trace)
}

struct StepResult {
    steps: Vec<TraceStep>,
    replicas_after: i64,
}

fn observed(e: &ScaledObjectEngine, inputs: &Inputs, queue: Option<&QueueSim>) -> Observed {
    Observed {
        replicas: inputs.replicas_override.unwrap_or(e.state().replicas),
        ready_pods: inputs.ready.or(queue.map(QueueSim::ready_pods)),
        status_replicas: inputs.status,
        pending_pods: inputs.pending_pods,
        pods_without_metrics: inputs.without_metrics,
    }
}

fn run_object(
    e: &mut ScaledObjectEngine,
    inputs: &mut Inputs,
    tick: Tick,
    queue: Option<&QueueSim>,
) -> StepResult {
    let mut steps = Vec::new();
    if inputs.annotations_changed && tick.kind != TickKind::Reconcile {
        // An annotation change is reconciled before the tick that carries it.
        let obs = observed(e, inputs, queue);
        let o = e.reconcile(tick.t, &inputs.annotations, obs);
        steps.push(trace_step(e, inputs, &o, queue));
        inputs.replicas_override = None;
    }
    inputs.annotations_changed = false;
    let obs = observed(e, inputs, queue);
    let o = match tick.kind {
        TickKind::Keda => e.keda_poll(tick.t, &inputs.readings, obs),
        TickKind::Hpa => e.hpa_sync(tick.t, &inputs.readings, obs),
        TickKind::Reconcile => e.reconcile(tick.t, &inputs.annotations, obs),
        TickKind::Delete => e.delete(tick.t, obs),
    };
    let mut st = trace_step(e, inputs, &o, queue);
    if tick.kind == TickKind::Delete {
        st.loop_kind = TickKind::Delete.name().to_owned();
    }
    steps.push(st);
    StepResult {
        steps,
        replicas_after: e.state().replicas,
    }
}

fn run_job(j: &mut ScaledJobEngine, inputs: &Inputs, tick: Tick) -> StepResult {
    let d = j.poll(tick.t, &inputs.readings, inputs.running, inputs.pending);
    let triggers = crate::sort::map_from(inputs.keys.iter().zip(&inputs.readings).map(|(k, r)| {
        let (value, error) = (r.value(), r.value().is_none());
        (
            k.clone(),
            TriggerTrace {
                value,
                active: d.is_active && !error,
                error,
                ..TriggerTrace::default()
            },
        )
    }));
    StepResult {
        steps: vec![TraceStep {
            t: tick.t,
            loop_kind: "keda".to_owned(),
            replicas: d.jobs_created,
            active: d.is_active,
            fallback: false,
            reason: j.explain(),
            triggers,
            ..TraceStep::default()
        }],
        replicas_after: 0,
    }
}
