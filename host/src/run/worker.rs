//! One ScaledObject in the cluster: KEDA's poll every `pollingInterval` and the HPA's sync
//! every sync period, both decided by the core's engine, written through `/scale`.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use prometheus_client::metrics::gauge::Gauge;
use scalecore::decide::{Initial, Loop, Observed, Outcome, Reading, ScaledObjectEngine};
use serde_json::{json, Value};
use tokio::sync::{broadcast, watch, Semaphore};

use super::clock::{rfc3339, Clock};
use super::kubeapi::{object_ref, Kube, ScaleView};
use super::objects::ScaledObject;
use super::resources;
use super::telemetry::{labels, trigger_labels, Metrics, SCALED_OBJECT};
use super::triggers::{self, Scaler};

/// The host keeps the phase `scalecore simulate` uses between KEDA polls and HPA syncs, so
/// a trace and the cluster line up.
const HPA_PHASE: i64 = scalecore::simulate::HPA_FIRST_SYNC;

/// `CompositeMetricName`: the HPA's one external metric when scalingModifiers has a target.
const COMPOSITE_METRIC_NAME: &str = "composite-metric";

/// How often a ScaledObject refused because another HPA scales its target looks again: the
/// HPA may be deleted without the ScaledObject changing.
const HPA_RECHECK: Duration = Duration::from_secs(30);

/// What the controller wants of a running worker. A watch channel holds only the latest, so a
/// burst of changes costs one wake-up, never a queue.
#[derive(Clone, Debug, Default)]
pub struct Signal {
    /// The ScaledObject's annotations (pause), same generation.
    pub annotations: BTreeMap<String, String>,
    /// Bumped when a TriggerAuthentication or Secret may have changed: build the scalers again.
    pub refresh: u64,
    pub stop: Option<Stop>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The ScaledObject is gone: KEDA's finalizer runs (restore replicas), series go.
    Deleted,
    /// Replaced by a new generation, or the host stops: leave the target alone.
    Shutdown,
}

/// Per-namespace caps on Azure polls in flight, so one tenant's slow or throttled endpoints
/// cannot take every request of the process.
pub struct Tenants {
    per_namespace: usize,
    caps: Mutex<HashMap<String, Weak<Semaphore>>>,
}

impl Tenants {
    pub fn new(per_namespace: usize) -> Tenants {
        Tenants {
            per_namespace: per_namespace.max(1),
            caps: Mutex::new(HashMap::new()),
        }
    }

    /// The namespace's cap; it lives as long as a worker of the namespace holds it.
    pub fn cap(&self, namespace: &str) -> Arc<Semaphore> {
        let mut caps = self.caps.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(cap) = caps.get(namespace).and_then(Weak::upgrade) {
            return cap;
        }
        if caps.len() >= 64 && caps.len().is_power_of_two() {
            caps.retain(|_, c| c.strong_count() > 0);
        }
        let cap = Arc::new(Semaphore::new(self.per_namespace));
        caps.insert(namespace.to_owned(), Arc::downgrade(&cap));
        cap
    }
}

/// One decision, as `scalecore demo` prints it (`run` drops them: only the demo subscribes).
#[cfg_attr(not(feature = "demo"), allow(dead_code))]
#[derive(Clone, Debug)]
pub struct Decision {
    pub namespace: String,
    pub name: String,
    /// Seconds since the host started, on its timeline.
    pub elapsed: f64,
    pub from: i64,
    pub replicas: i64,
    pub reason: String,
}

pub struct Shared {
    pub kube: Kube,
    pub bus: scalecore_azure::ServiceBus,
    pub metrics: Arc<Metrics>,
    pub clock: Clock,
    pub dry_run: bool,
    /// The HPA controller's `--horizontal-pod-autoscaler-sync-period`, in seconds.
    pub hpa_sync_period: i64,
    pub decisions: broadcast::Sender<Decision>,
    /// Ticks doing Kubernetes work at once. Held only while a tick reads or writes the
    /// cluster, never across an Azure poll (whose retries may wait a minute).
    pub tick_slots: Semaphore,
    pub tenants: Tenants,
    /// Each namespace's pods and pod metrics, listed once per HPA sync for every cpu/memory
    /// trigger in it.
    pub pods: super::resources::Snapshots,
    /// Replica counts of Deployments and StatefulSets, from a watch instead of a `/scale`
    /// read per tick.
    pub targets: super::targets::Targets,
    /// Workers building their scalers at once (start-up, or after a TriggerAuthentication
    /// change). Building holds the target's pod template and Kubernetes requests in flight;
    /// when thousands of ScaledObjects start together, that transient state is what sets the
    /// process's peak (and so its resident) memory.
    pub starting: Semaphore,
    /// KEDA's webhook rules, applied to the TriggerAuthentications triggers use.
    pub lint: scalecore::validate::LintOptions,
    /// The (Cluster)TriggerAuthentications the controller's watches hold.
    pub auths: super::authstore::AuthStore,
}

pub struct Worker {
    shared: Arc<Shared>,
    so: Arc<ScaledObject>,
    engine: ScaledObjectEngine,
    scalers: Vec<Scaler>,
    /// Hash of what the status is made of, as last written: a status is only built and sent
    /// when it changed.
    last_status: Option<u64>,
    /// This ScaledObject's series, looked up once: a tick sets numbers, it does not build
    /// label sets.
    series: Series,
    rebuild: bool,
    /// The namespace's cap on polls in flight.
    tenant: Arc<Semaphore>,
    /// The controller's signal as last acted on.
    seen: Signal,
    /// Per trigger, whether KEDA's last scale loop found it active (`status.triggersActivity`);
    /// `None` until the first poll.
    activity: Option<Box<[bool]>>,
}

/// The gauges a tick sets, shared with the registry (`Metrics::forget` drops them there when
/// the worker stops).
struct Series {
    desired: Gauge,
    /// Per trigger, created at its first reading.
    values: Vec<Option<Gauge<f64, AtomicU64>>>,
}

/// Why a ScaledObject does not run, and whether only time can change that.
struct Refusal {
    message: String,
    recheck: bool,
    /// Refused while building the scalers: KEDA's controller has written `triggersTypes` and
    /// `authenticationsTypes` by then (the other refusals are its webhook's: never admitted).
    typed: bool,
}

enum Exit {
    Stopped,
    Refused(Refusal),
}

/// Runs until the controller says stop; returns nothing, reports through status and logs.
/// `conflict` is the controller's KEDA3003 refusal (another ScaledObject owns the target).
pub async fn run(
    shared: Arc<Shared>,
    so: Arc<ScaledObject>,
    conflict: Option<String>,
    mut control: watch::Receiver<Signal>,
) {
    let tenant = shared.tenants.cap(&so.namespace);
    let mut reported: Option<String> = None;
    loop {
        // Start-up is boxed: a worker spends its life waiting, and the future it waits in
        // should not be sized for the largest request it ever made.
        let started = {
            let _turn = shared.starting.acquire().await;
            let start = Worker::start(
                shared.clone(),
                so.clone(),
                conflict.as_deref(),
                tenant.clone(),
                &control,
            );
            Box::pin(start).await
        };
        let refusal = match started {
            Ok(mut w) => {
                w.report_broken();
                let exit = w.run_loops(&mut control).await;
                shared
                    .metrics
                    .forget(&so.namespace, &so.name, so.spec.triggers.len());
                match exit {
                    Exit::Stopped => return,
                    Exit::Refused(r) => r,
                }
            }
            Err(r) => r,
        };
        if reported.as_deref() != Some(refusal.message.as_str()) {
            let triggers = refusal.typed.then_some(so.spec.triggers.as_slice());
            Box::pin(report_refusal(
                &shared,
                &so.namespace,
                &so.name,
                &so.uid,
                &refusal.message,
                triggers,
            ))
            .await;
            reported = Some(refusal.message);
        }
        // Nothing runs until something the refusal depends on changes: the object (the
        // controller starts a new worker then), a TriggerAuthentication (a refresh), or, for
        // another HPA on the target, time.
        let recheck = async {
            if refusal.recheck {
                tokio::time::sleep(HPA_RECHECK).await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            changed = control.changed() => {
                if changed.is_err() || control.borrow_and_update().stop.is_some() {
                    return;
                }
            }
            _ = recheck => {}
        }
    }
}

/// A ScaledObject the controller could not read in time: refused until it changes.
pub async fn refuse(
    shared: Arc<Shared>,
    namespace: String,
    name: String,
    uid: String,
    message: String,
    mut control: watch::Receiver<Signal>,
) {
    Box::pin(report_refusal(
        &shared, &namespace, &name, &uid, &message, None,
    ))
    .await;
    while control.changed().await.is_ok() {
        if control.borrow_and_update().stop.is_some() {
            return;
        }
    }
}

/// Ready=False with KEDA's reason, and a warning Event naming the problem; with `triggers`,
/// the types KEDA had written before it failed.
async fn report_refusal(
    shared: &Shared,
    namespace: &str,
    name: &str,
    uid: &str,
    message: &str,
    triggers: Option<&[scalecore::model::Trigger]>,
) {
    tracing::warn!(%namespace, %name, %message, "ScaledObject refused");
    if shared.dry_run {
        return;
    }
    let mut status = json!({"conditions": [
        condition("Ready", "False", "ScaledObjectCheckFailed", message),
        condition("Active", "False", "ScaledObjectCheckFailed", ""),
    ]});
    if let Some(triggers) = triggers {
        super::status::set_types(&mut status, triggers);
    }
    let _ = shared.kube.apply_status(namespace, name, status).await;
    let r = object_ref(namespace, name, uid);
    shared
        .kube
        .event(&r, true, "ScaledObjectCheckFailed", message.to_owned())
        .await;
}

impl Worker {
    /// Builds the worker, or says why the ScaledObject is refused.
    async fn start(
        shared: Arc<Shared>,
        so: Arc<ScaledObject>,
        conflict: Option<&str>,
        tenant: Arc<Semaphore>,
        control: &watch::Receiver<Signal>,
    ) -> Result<Box<Worker>, Refusal> {
        let seen = control.borrow().clone();
        if let Some(refusal) = refusal(&shared, &so, conflict).await {
            return Err(refusal);
        }
        let scalers = triggers::build(&shared.kube, &shared.auths, &so, &shared.lint)
            .await
            .map_err(|refused| Refusal {
                message: refused.to_string(),
                recheck: false,
                typed: true,
            })?;
        let observed = shared
            .kube
            .scale(&so.namespace, &so.target)
            .await
            .map(|v| v.spec_replicas)
            .unwrap_or(0);
        let initial = Initial {
            replicas: observed,
            last_active_time: so.last_active_time,
            creation_time: -1,
        };
        let mut engine = if seen.annotations == so.spec.annotations {
            ScaledObjectEngine::new(&so.spec, initial)
        } else {
            // Paused or resumed while the worker was refused: the latest annotations count.
            let mut spec = so.spec.clone();
            spec.annotations = seen.annotations.clone();
            ScaledObjectEngine::new(&spec, initial)
        };
        let failures: Vec<i64> = engine
            .plan()
            .triggers
            .iter()
            .map(|t| so.failures.get(&t.metric_name).copied().unwrap_or(0))
            .collect();
        engine.restore_failures(&failures);
        let series = Series {
            desired: shared
                .metrics
                .desired_replicas
                .get_or_create(&labels(&so.namespace, &so.name))
                .clone(),
            values: vec![None; scalers.len()],
        };
        // On the heap once, not inline in the (long-lived) task's future.
        Ok(Box::new(Worker {
            shared,
            so,
            engine,
            scalers,
            last_status: None,
            series,
            rebuild: false,
            tenant,
            seen,
            activity: None,
        }))
    }
}

/// KEDA's `GroupVersionKindResource.GVKString()`: `apps/v1.Deployment`.
pub fn gvk_string(target: &super::objects::TargetRef) -> String {
    let (group, version) = target.group_version();
    format!("{group}/{version}.{}", target.kind)
}

/// What KEDA's webhook would refuse: schema/webhook errors, a target another ScaledObject
/// owns, or a target another HPA scales.
async fn refusal(shared: &Shared, so: &ScaledObject, conflict: Option<&str>) -> Option<Refusal> {
    if let Some(d) = so.rejected.first() {
        return Some(Refusal {
            message: format!("{}: {} ({})", d.code, d.message, d.path),
            recheck: false,
            typed: false,
        });
    }
    if let Some(message) = conflict {
        return Some(Refusal {
            message: message.to_owned(),
            recheck: false,
            typed: false,
        });
    }
    match shared
        .kube
        .other_hpa(&so.namespace, &so.target, &so.spec.hpa_name())
        .await
    {
        Ok(Some(hpa)) => Some(Refusal {
            message: format!(
                "the workload '{}' of type '{}' is already managed by the hpa '{}'",
                so.target.name,
                gvk_string(&so.target),
                hpa
            ),
            recheck: true,
            typed: false,
        }),
        _ => None,
    }
}

/// The first time at or after `now` that is `phase` past a multiple of `interval`.
pub(super) fn grid(now: i64, interval: i64, phase: i64) -> i64 {
    let base = now - now.rem_euclid(interval) + phase.rem_euclid(interval);
    if base < now {
        base + interval
    } else {
        base
    }
}

fn condition(kind: &str, status: &str, reason: &str, message: &str) -> Value {
    json!({"type": kind, "status": status, "reason": reason, "message": message})
}

impl Worker {
    fn report_broken(&self) {
        for (i, s) in self.scalers.iter().enumerate() {
            if let Some(why) = s.problem() {
                tracing::warn!(namespace = %self.so.namespace, name = %self.so.name, trigger = i, %why, "trigger cannot be polled");
            }
        }
    }

    async fn run_loops(&mut self, control: &mut watch::Receiver<Signal>) -> Exit {
        let clock = self.shared.clock;
        let polling = self.engine.plan().polling_interval.max(1);
        let hpa_period = self.shared.hpa_sync_period.max(1);
        // Ticks sit on a grid shared by every worker (multiples of the interval), so
        // ScaledObjects reading the same queue read it at the same moment and one Azure
        // request serves them all.
        let start = clock.now();
        let mut next_keda = grid(start, polling, 0);
        let mut next_hpa = grid(start, hpa_period, HPA_PHASE);
        loop {
            let due = next_keda.min(next_hpa);
            let wake = tokio::time::Instant::from_std(clock.instant_at(due));
            tokio::select! {
                _ = tokio::time::sleep_until(wake) => {}
                changed = control.changed() => {
                    let signal = match changed {
                        Ok(()) => control.borrow_and_update().clone(),
                        Err(_) => return Exit::Stopped,
                    };
                    match signal.stop {
                        Some(Stop::Deleted) => { Box::pin(self.deleted()).await; return Exit::Stopped; }
                        Some(Stop::Shutdown) => return Exit::Stopped,
                        None => {}
                    }
                    if signal.refresh != self.seen.refresh {
                        self.rebuild = true;
                    }
                    let paused = signal.annotations != self.seen.annotations;
                    self.seen = signal;
                    if paused {
                        Box::pin(self.update()).await;
                    }
                    continue;
                }
            }
            if self.rebuild {
                let shared = self.shared.clone();
                let built = {
                    let _turn = shared.starting.acquire().await;
                    Box::pin(triggers::build(
                        &shared.kube,
                        &shared.auths,
                        &self.so,
                        &shared.lint,
                    ))
                    .await
                };
                match built {
                    Ok(scalers) => self.scalers = scalers,
                    // A TriggerAuthentication the webhook refuses: nothing is polled with it.
                    Err(refused) => {
                        return Exit::Refused(Refusal {
                            message: refused.to_string(),
                            recheck: false,
                            typed: true,
                        })
                    }
                }
                self.rebuild = false;
            }
            let kind = if next_keda <= next_hpa {
                next_keda += polling;
                Loop::Keda
            } else {
                next_hpa += hpa_period;
                Loop::Hpa
            };
            // Not boxed as a whole: at a grid moment thousands of ticks wait for a slot or
            // their namespace's turn, and a waiting tick should hold no request state. Each
            // phase is boxed once it may run.
            self.tick(due, kind, polling, hpa_period).await;
        }
    }

    async fn observe(&self) -> Option<(ScaleView, Observed)> {
        let (ns, target) = (&self.so.namespace, &self.so.target);
        let view = match self.shared.targets.get(ns, target) {
            Some(v) => Ok(v),
            None => {
                let _slot = self.shared.tick_slots.acquire().await;
                self.shared.kube.scale(ns, target).await
            }
        };
        match view {
            Ok(v) => Some((
                v,
                Observed {
                    replicas: v.spec_replicas,
                    ready_pods: Some(v.status_replicas),
                    status_replicas: Some(v.status_replicas),
                    pending_pods: None,
                    pods_without_metrics: None,
                },
            )),
            Err(e) => {
                tracing::warn!(namespace = %self.so.namespace, name = %self.so.name, error = %e, "cannot read the target's scale");
                None
            }
        }
    }

    /// One decision. Every worker wakes at the same grid moment, so the Kubernetes work runs
    /// under the global tick slots, and the Azure poll (which may sleep through retries) under
    /// the namespace's own cap only: a tenant with a throttled endpoint waits on itself.
    async fn tick(&mut self, t: i64, kind: Loop, polling: i64, hpa_period: i64) {
        let shared = self.shared.clone();
        let observed = Box::pin(self.observe()).await;
        let Some((_, observed)) = observed else {
            return;
        };
        let max_age = match kind {
            // Long enough to span the grid moment's stragglers, short enough that no poll is
            // served a value from an earlier poll.
            Loop::Keda => Duration::from_secs(polling.min(hpa_period).unsigned_abs()) / 3,
            // KEDA's metrics server serves the HPA from the scaler; the host serves it the
            // last poll's value while that is younger than pollingInterval, so a queue is read
            // once per interval, not once per sync as well.
            _ => Duration::from_secs(polling.unsigned_abs()),
        };
        let max_age = shared.clock.real(max_age);
        let started = Instant::now();
        let polled = {
            let tenant = self.tenant.clone();
            let _turn = tenant.acquire().await;
            Box::pin(triggers::poll_all(&self.scalers, &shared.bus, max_age)).await
        };
        shared
            .metrics
            .poll_seconds
            .observe(started.elapsed().as_secs_f64());
        let mut polled = polled;
        let observed = match kind {
            Loop::Hpa => Box::pin(self.resource_metrics(&mut polled, observed, hpa_period)).await,
            _ => observed,
        };
        let readings: Vec<Reading> = polled.iter().map(|(r, _)| *r).collect();
        self.record_readings(&polled, kind);
        let outcome = match kind {
            Loop::Keda => self.engine.keda_poll(t, &readings, observed),
            _ => self.engine.hpa_sync(t, &readings, observed),
        };
        if kind == Loop::Keda && outcome.evaluated {
            self.record_activity();
        }
        let _slot = shared.tick_slots.acquire().await;
        Box::pin(self.apply(outcome, observed)).await;
    }

    /// cpu/memory triggers at an HPA sync: their readings from the target's pods and the
    /// resource metrics API, and the pods' readiness as the HPA's `groupPods` counts it.
    async fn resource_metrics(
        &self,
        polled: &mut [(Reading, Option<triggers::PollError>)],
        observed: Observed,
        hpa_period: i64,
    ) -> Observed {
        let Some(selector) = self.scalers.iter().find_map(|s| s.resource().map(|r| r.1)) else {
            return observed;
        };
        let shared = &self.shared;
        // Every ScaledObject of the namespace syncing at this grid moment shares one list.
        let max_age = shared
            .clock
            .real(Duration::from_secs(hpa_period.unsigned_abs()) / 3);
        let snapshot = {
            let _slot = shared.tick_slots.acquire().await;
            shared
                .pods
                .get(&shared.kube, &self.so.namespace, max_age)
                .await
        };
        let snapshot = match snapshot {
            Ok(s) => s,
            Err(e) => {
                for (s, slot) in self.scalers.iter().zip(polled.iter_mut()) {
                    if s.resource().is_some() {
                        *slot = (Reading::Error, Some(e.clone().into()));
                    }
                }
                return observed;
            }
        };
        let configs: Vec<_> = self
            .scalers
            .iter()
            .map(|s| s.resource().map(|r| r.0))
            .collect();
        let (observed, readings) = resources::evaluate(&snapshot, selector, &configs, observed);
        for (slot, reading) in polled.iter_mut().zip(readings) {
            match reading {
                Some(Ok(r)) => *slot = (r, None),
                Some(Err(e)) => *slot = (Reading::Error, Some(e.into())),
                None => {}
            }
        }
        observed
    }

    fn record_readings(&mut self, polled: &[(Reading, Option<triggers::PollError>)], kind: Loop) {
        for (i, (reading, error)) in polled.iter().enumerate() {
            if kind != Loop::Hpa && self.scalers.get(i).is_some_and(|s| s.resource().is_some()) {
                // Read only at HPA syncs: the KEDA loop ignores cpu/memory.
                continue;
            }
            let trigger_labels =
                || trigger_labels(&self.so.namespace, &self.so.name, SCALED_OBJECT, i);
            match (reading, error) {
                (Reading::Value(v) | Reading::Reported { value: v, .. }, _) => {
                    let Some(slot) = self.series.values.get_mut(i) else {
                        continue;
                    };
                    slot.get_or_insert_with(|| {
                        self.shared
                            .metrics
                            .metric_value
                            .get_or_create(&trigger_labels())
                            .clone()
                    })
                    .set(*v);
                }
                (Reading::Error, why) => {
                    self.shared
                        .metrics
                        .scaler_errors
                        .get_or_create(&trigger_labels())
                        .inc();
                    // KEDA rebuilds a scaler after an error; so does the host.
                    self.rebuild = true;
                    let why: &dyn std::fmt::Display = match why {
                        Some(e) => e,
                        None => &"unknown",
                    };
                    tracing::warn!(namespace = %self.so.namespace, name = %self.so.name, trigger = i,
                        error = %why, "scaler error");
                }
            }
        }
    }

    async fn apply(&mut self, outcome: Outcome, observed: Observed) {
        let changed = outcome.replicas != observed.replicas;
        // Only `demo` listens for decisions; in the cluster, the reason is worded only for
        // the replica changes it explains.
        let listened = self.shared.decisions.receiver_count() > 0;
        let reason = if changed || listened {
            self.engine.explain()
        } else {
            String::new()
        };
        let (ns, name) = (&self.so.namespace, &self.so.name);
        self.series.desired.set(outcome.replicas);
        if changed {
            let mut dl = labels(ns, name);
            dl.push((
                "direction",
                if outcome.replicas > observed.replicas {
                    "up"
                } else {
                    "down"
                }
                .to_owned(),
            ));
            self.shared.metrics.scale_decisions.get_or_create(&dl).inc();
            tracing::info!(namespace = %ns, name = %name, from = observed.replicas, to = outcome.replicas,
                loop = outcome.kind.name(), dry_run = self.shared.dry_run, %reason, "scale");
            if !self.shared.dry_run {
                Box::pin(self.write_replicas(&outcome, observed, &reason)).await;
            }
        }
        if !self.shared.dry_run {
            Box::pin(self.write_status()).await;
        }
        if !listened {
            return;
        }
        let _ = self.shared.decisions.send(Decision {
            namespace: self.so.namespace.clone(),
            name: self.so.name.clone(),
            elapsed: self.shared.clock.elapsed(),
            from: observed.replicas,
            replicas: outcome.replicas,
            reason,
        });
    }

    async fn write_replicas(&self, outcome: &Outcome, observed: Observed, reason: &str) {
        let so = &self.so;
        match self
            .shared
            .kube
            .set_replicas(&so.namespace, &so.target, outcome.replicas)
            .await
        {
            Ok(()) => {
                self.shared
                    .targets
                    .wrote(&so.namespace, &so.target, outcome.replicas);
                let (event, note) = match (observed.replicas, outcome.replicas) {
                    (0, n) => (
                        "KEDAScaleTargetActivated",
                        format!(
                            "Scaled {} {}/{} from 0 to {n}: {reason}",
                            so.target.kind, so.namespace, so.target.name
                        ),
                    ),
                    (n, 0) => (
                        "KEDAScaleTargetDeactivated",
                        format!(
                            "Deactivated {} {}/{} from {n} to 0: {reason}",
                            so.target.kind, so.namespace, so.target.name
                        ),
                    ),
                    (_, n) => (
                        "SuccessfulRescale",
                        format!("New size: {n}; reason: {reason}"),
                    ),
                };
                let r = object_ref(&so.namespace, &so.name, &so.uid);
                self.shared.kube.event(&r, false, event, note).await;
            }
            Err(e) => {
                tracing::error!(namespace = %so.namespace, name = %so.name, error = %e, "could not write replicas");
            }
        }
    }

    fn status(&self) -> Value {
        let state = self.engine.state();
        let plan = self.engine.plan();
        let c = &state.conditions;
        let mut health = serde_json::Map::new();
        // `GetMetricsWithFallback` tracks health only with a valid fallback, and only for the
        // external metrics it serves (hpa.go keeps no other key).
        let tracked = plan.triggers.iter().enumerate();
        for (i, t) in tracked.filter(|(_, t)| plan.fallback_valid && !t.resource) {
            let failures = state.failures.get(i).copied().unwrap_or(0);
            health.insert(
                t.metric_name.clone(),
                json!({"numberOfFailures": failures, "status": if failures > 0 { "Failing" } else { "Happy" }}),
            );
        }
        let (group, version) = self.so.target.group_version();
        let mut status = json!({
            "scaleTargetKind": format!("{}.{}", self.so.target.api_version, self.so.target.kind),
            "scaleTargetGVKR": {"group": group, "version": version, "kind": self.so.target.kind,
                                "resource": self.so.target.api_resource().plural},
            "hpaName": self.so.spec.hpa_name(),
            "conditions": [
                condition("Ready", c.ready.0, c.ready.1, ""),
                condition("Active", c.active.0, c.active.1, ""),
                condition("Fallback", c.fallback.0, c.fallback.1, ""),
                condition("Paused", c.paused.0, c.paused.1, ""),
            ],
        });
        // KEDA's `omitempty`: a ScaledObject of cpu/memory triggers only lists no external
        // metric, and one without fallback has no health.
        let external: Vec<&str> = plan
            .triggers
            .iter()
            .filter(|t| !t.resource)
            .map(|t| t.metric_name.as_str())
            .collect();
        if !external.is_empty() {
            status["externalMetricNames"] = json!(external);
        }
        if !health.is_empty() {
            status["health"] = Value::Object(health);
        }
        if let Some(t) = state.last_active_time {
            status["lastActiveTime"] = json!(rfc3339(t));
        }
        if let Some(o) = state
            .original_replica_count
            .or(self.so.original_replica_count)
        {
            status["originalReplicaCount"] = json!(o);
        }
        if let Some(p) = state.paused_replica_count {
            status["pausedReplicaCount"] = json!(p);
        }
        let triggers = &self.so.spec.triggers;
        super::status::set_types(&mut status, triggers);
        let resource = super::status::resource_metric_names(triggers);
        if !resource.is_empty() {
            status["resourceMetricNames"] = json!(resource);
        }
        if plan.composite.is_some() {
            status["compositeScalerName"] = json!(COMPOSITE_METRIC_NAME);
        }
        if let Some(activity) = &self.activity {
            let external = plan.triggers.iter().zip(activity.iter());
            let named = external
                .filter(|(t, _)| !t.resource)
                .map(|(t, a)| (t.metric_name.as_str(), *a));
            if let Some(a) = super::status::triggers_activity(named) {
                status["triggersActivity"] = a;
            }
        }
        status
    }

    /// `getTriggersActivity` after a scale loop: a trigger is active when its metric (or its
    /// fallback) is. With scalingModifiers KEDA's active list holds only the composite
    /// metric, which is none of the external metric names, so every trigger reads inactive.
    fn record_activity(&mut self) {
        let composite = self.engine.plan().composite.is_some();
        let evals = &self.engine.detail().triggers;
        let activity = self
            .activity
            .get_or_insert_with(|| vec![false; evals.len()].into_boxed_slice());
        for (slot, e) in activity.iter_mut().zip(evals) {
            *slot = e.active && !composite;
        }
    }

    /// A hash of everything [`Worker::status`] reads that can change during the worker's
    /// life (the rest comes from the spec, fixed per worker).
    fn status_digest(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let state = self.engine.state();
        let c = &state.conditions;
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (c.ready, c.active, c.fallback, c.paused).hash(&mut h);
        state.failures.hash(&mut h);
        state.last_active_time.hash(&mut h);
        state
            .original_replica_count
            .or(self.so.original_replica_count)
            .hash(&mut h);
        state.paused_replica_count.hash(&mut h);
        self.activity.hash(&mut h);
        h.finish()
    }

    async fn write_status(&mut self) {
        let digest = self.status_digest();
        if self.last_status == Some(digest) {
            return;
        }
        let status = self.status();
        match self
            .shared
            .kube
            .apply_status(&self.so.namespace, &self.so.name, status)
            .await
        {
            Ok(()) => self.last_status = Some(digest),
            Err(e) => {
                tracing::warn!(namespace = %self.so.namespace, name = %self.so.name, error = %e, "could not write status");
            }
        }
    }

    async fn update(&mut self) {
        let Some((_, observed)) = self.observe().await else {
            return;
        };
        let t = self.shared.clock.now();
        let outcome = self.engine.reconcile(t, &self.seen.annotations, observed);
        self.apply(outcome, observed).await;
    }

    async fn deleted(&mut self) {
        let Some((_, observed)) = self.observe().await else {
            return;
        };
        let t = self.shared.clock.now();
        let outcome = self.engine.delete(t, observed);
        if outcome.replicas != observed.replicas && !self.shared.dry_run {
            let reason = self.engine.explain();
            self.write_replicas(&outcome, observed, &reason).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::grid;

    #[test]
    fn ticks_land_on_a_shared_grid() {
        assert_eq!(grid(100, 30, 0), 120);
        assert_eq!(grid(120, 30, 0), 120);
        assert_eq!(grid(100, 15, 5), 110);
        assert_eq!(grid(111, 15, 5), 125);
        assert_eq!(grid(7, 1, 0), 7);
    }
}
