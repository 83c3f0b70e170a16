//! One ScaledObject in the cluster: KEDA's poll every `pollingInterval` and the HPA's sync
//! every sync period, both decided by the core's engine, written through `/scale`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use scalecore::decide::{Initial, Loop, Observed, Outcome, Reading, ScaledObjectEngine};
use serde_json::{json, Value};
use tokio::sync::{broadcast, mpsc};

use super::clock::{rfc3339, Clock};
use super::kubeapi::{object_ref, Kube, ScaleView};
use super::objects::ScaledObject;
use super::telemetry::{labels, Metrics};
use super::triggers::{self, Scaler};

/// The host keeps the phase `scalecore simulate` uses between KEDA polls and HPA syncs, so
/// a trace and the cluster line up.
const HPA_PHASE: i64 = scalecore::simulate::HPA_FIRST_SYNC;

/// What the controller tells a running worker.
pub enum Control {
    /// Same generation, new metadata (pause annotations).
    Update(Box<ScaledObject>),
    /// A TriggerAuthentication or Secret may have changed: build the scalers again.
    Refresh,
    Deleted,
    Shutdown,
}

/// One decision, as the host logs it and as `scalecore demo` prints it.
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
    pub tick_slots: tokio::sync::Semaphore,
}

pub struct Worker {
    shared: Arc<Shared>,
    so: ScaledObject,
    engine: ScaledObjectEngine,
    scalers: Vec<Scaler>,
    /// Hash of the status last written: a status is only sent when it changed.
    last_status: Option<u64>,
    rebuild: bool,
}

/// Runs until the controller says stop; returns nothing, reports through status and logs.
pub async fn run(
    shared: Arc<Shared>,
    so: ScaledObject,
    mut control: mpsc::UnboundedReceiver<Control>,
) {
    // Start-up is boxed: a worker spends its life waiting, and the future it waits in should
    // not be sized for the largest request it ever made.
    if let Some(mut w) = Box::pin(Worker::start(shared, so, &mut control)).await {
        w.report_broken();
        w.run_loops(&mut control).await;
    }
}

impl Worker {
    /// Builds the worker, or refuses the ScaledObject (then waits for it to change).
    async fn start(
        shared: Arc<Shared>,
        so: ScaledObject,
        control: &mut mpsc::UnboundedReceiver<Control>,
    ) -> Option<Box<Worker>> {
        let refused = refusal(&shared, &so).await;
        if let Some(message) = refused {
            tracing::warn!(namespace = %so.namespace, name = %so.name, %message, "ScaledObject refused");
            if !shared.dry_run {
                let status = json!({"conditions": [
                    condition("Ready", "False", "ScaledObjectCheckFailed", &message),
                    condition("Active", "False", "ScaledObjectCheckFailed", ""),
                ]});
                let _ = shared
                    .kube
                    .apply_status(&so.namespace, &so.name, status)
                    .await;
                let r = object_ref(&so.namespace, &so.name, &so.uid);
                shared
                    .kube
                    .event(&r, true, "ScaledObjectCheckFailed", message)
                    .await;
            }
            // Nothing runs until the object changes (the controller restarts the worker then).
            while let Some(c) = control.recv().await {
                if matches!(c, Control::Deleted | Control::Shutdown) {
                    return None;
                }
            }
            return None;
        }
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
        let mut engine = ScaledObjectEngine::new(&so.spec, initial);
        let failures: Vec<i64> = engine
            .plan()
            .triggers
            .iter()
            .map(|t| so.failures.get(&t.metric_name).copied().unwrap_or(0))
            .collect();
        engine.restore_failures(&failures);
        let scalers = triggers::build(&shared.kube, &so).await;
        // On the heap once, not inline in the (long-lived) task's future.
        Some(Box::new(Worker {
            shared,
            so,
            engine,
            scalers,
            last_status: None,
            rebuild: false,
        }))
    }
}

/// What KEDA's webhook would refuse: schema/webhook errors, or a target another HPA scales.
async fn refusal(shared: &Shared, so: &ScaledObject) -> Option<String> {
    if let Some(d) = so.rejected.first() {
        return Some(format!("{}: {} ({})", d.code, d.message, d.path));
    }
    match shared
        .kube
        .other_hpa(&so.namespace, &so.target, &so.spec.hpa_name())
        .await
    {
        Ok(Some(hpa)) => Some(format!(
            "the workload '{}' of type '{}/{}' is already managed by the hpa '{}'",
            so.target.name, so.target.api_version, so.target.kind, hpa
        )),
        _ => None,
    }
}

/// The first time at or after `now` that is `phase` past a multiple of `interval`.
fn grid(now: i64, interval: i64, phase: i64) -> i64 {
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

    async fn run_loops(&mut self, control: &mut mpsc::UnboundedReceiver<Control>) {
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
                c = control.recv() => match c {
                    Some(Control::Update(so)) => { Box::pin(self.update(*so)).await; continue; }
                    Some(Control::Refresh) => { self.rebuild = true; continue; }
                    Some(Control::Deleted) => { Box::pin(self.deleted()).await; return; }
                    Some(Control::Shutdown) | None => return,
                },
            }
            if self.rebuild {
                self.scalers = Box::pin(triggers::build(&self.shared.kube, &self.so)).await;
                self.rebuild = false;
            }
            let kind = if next_keda <= next_hpa {
                next_keda += polling;
                Loop::Keda
            } else {
                next_hpa += hpa_period;
                Loop::Hpa
            };
            // Only so many ticks run at once: every worker wakes at the same grid moment, and
            // each tick in flight holds its requests' buffers.
            let shared = self.shared.clone();
            let _slot = shared.tick_slots.acquire().await;
            Box::pin(self.tick(due, kind, polling.min(hpa_period))).await;
        }
    }

    async fn observe(&self) -> Option<(ScaleView, Observed)> {
        match self
            .shared
            .kube
            .scale(&self.so.namespace, &self.so.target)
            .await
        {
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

    async fn tick(&mut self, t: i64, kind: Loop, shortest_interval: i64) {
        let Some((_, observed)) = self.observe().await else {
            return;
        };
        // Long enough to span the grid moment's stragglers, short enough that no read is
        // served a value from an earlier tick.
        let max_age = self
            .shared
            .clock
            .real(Duration::from_secs(shortest_interval.unsigned_abs()) / 3);
        let started = Instant::now();
        let polled = triggers::poll_all(&self.scalers, &self.shared.bus, max_age).await;
        self.shared
            .metrics
            .poll_seconds
            .observe(started.elapsed().as_secs_f64());
        let readings: Vec<Reading> = polled.iter().map(|(r, _)| *r).collect();
        self.record_readings(&polled);
        let outcome = match kind {
            Loop::Keda => self.engine.keda_poll(t, &readings, observed),
            _ => self.engine.hpa_sync(t, &readings, observed),
        };
        self.apply(outcome, observed).await;
    }

    fn record_readings(&mut self, polled: &[(Reading, Option<String>)]) {
        for (i, (reading, error)) in polled.iter().enumerate() {
            let mut l = labels(&self.so.namespace, &self.so.name);
            l.push(("trigger", i.to_string()));
            match (reading, error) {
                (Reading::Value(v), _) => {
                    self.shared.metrics.metric_value.get_or_create(&l).set(*v);
                }
                (Reading::Error, why) => {
                    self.shared.metrics.scaler_errors.get_or_create(&l).inc();
                    // KEDA rebuilds a scaler after an error; so does the host.
                    self.rebuild = true;
                    tracing::warn!(namespace = %self.so.namespace, name = %self.so.name, trigger = i,
                        error = why.as_deref().unwrap_or("unknown"), "scaler error");
                }
            }
        }
    }

    async fn apply(&mut self, outcome: Outcome, observed: Observed) {
        let reason = self.engine.explain();
        let (ns, name) = (self.so.namespace.clone(), self.so.name.clone());
        let changed = outcome.replicas != observed.replicas;
        let l = labels(&ns, &name);
        self.shared
            .metrics
            .desired_replicas
            .get_or_create(&l)
            .set(outcome.replicas);
        if changed {
            let mut dl = l.clone();
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
        let _ = self.shared.decisions.send(Decision {
            namespace: ns,
            name,
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
        for (i, t) in plan.triggers.iter().enumerate() {
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
            "externalMetricNames": plan.triggers.iter().filter(|t| !t.resource).map(|t| t.metric_name.clone()).collect::<Vec<_>>(),
            "hpaName": self.so.spec.hpa_name(),
            "health": health,
            "conditions": [
                condition("Ready", c.ready.0, c.ready.1, ""),
                condition("Active", c.active.0, c.active.1, ""),
                condition("Fallback", c.fallback.0, c.fallback.1, ""),
                condition("Paused", c.paused.0, c.paused.1, ""),
            ],
        });
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
        status
    }

    async fn write_status(&mut self) {
        let status = self.status();
        let digest = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            status.to_string().hash(&mut h);
            h.finish()
        };
        if self.last_status == Some(digest) {
            return;
        }
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

    async fn update(&mut self, so: ScaledObject) {
        self.so.spec.annotations = so.spec.annotations.clone();
        let Some((_, observed)) = self.observe().await else {
            return;
        };
        let t = self.shared.clock.now();
        let outcome = self.engine.reconcile(t, &so.spec.annotations, observed);
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
