//! KEDA's scale loop and the HPA controller as one deterministic state machine.
//!
//! Two tick kinds share one [`State`]: [`ScaledObjectEngine::keda_poll`] (KEDA's loop, every
//! `pollingInterval`) and [`ScaledObjectEngine::hpa_sync`] (the HPA controller, every sync
//! period). Neither reads a clock: the caller passes the time and what the scalers returned.
//! Each tick keeps a compact record of how it decided; [`ScaledObjectEngine::explain`] turns
//! it into words only when asked, so the hot path does not format strings.

mod explain;
mod fallback;
mod hpa;
mod keda;
pub mod modifiers;
pub mod plan;
pub mod rules;
pub mod scaledjob;
pub mod state;

use std::collections::BTreeMap;

pub use explain::{num, Detail};
pub use plan::Plan;
pub use state::{Initial, State};

use crate::model::ScaledObjectSpec;

/// What one trigger's scaler returned at this tick (after KEDA's one refresh-and-retry).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Reading {
    /// The metric value; the trigger is active when it exceeds its activation target.
    Value(f64),
    /// The metric value and an activity the scaler decided on another quantity
    /// (`GetMetricsAndActivity`): azure-eventhub reports its lag capped at one threshold per
    /// partition but is active on the whole lag.
    Reported {
        value: f64,
        active: bool,
    },
    Error,
}

impl Reading {
    /// The metric value, if the scaler answered.
    pub fn value(self) -> Option<f64> {
        match self {
            Reading::Value(v) | Reading::Reported { value: v, .. } => Some(v),
            Reading::Error => None,
        }
    }

    /// Whether the trigger is active, given its activation target; `None` on an error.
    pub fn active(self, activation: f64) -> Option<bool> {
        match self {
            Reading::Value(v) => Some(v > activation),
            Reading::Reported { active, .. } => Some(active),
            Reading::Error => None,
        }
    }
}

/// What the cluster shows at this tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Observed {
    /// The target's `spec.replicas`.
    pub replicas: i64,
    /// Pods Running and Ready (defaults to `replicas`).
    pub ready_pods: Option<i64>,
    /// The target's `status.replicas` (defaults to `replicas`): the pods the HPA lists.
    pub status_replicas: Option<i64>,
    /// Of the pods not ready, those still Pending (default 0). The HPA sets Pending pods aside
    /// for every resource, running-but-unready ones only for cpu (`groupPods`).
    pub pending_pods: Option<i64>,
    /// Of the ready pods, those the resource metrics API has no sample for (default 0).
    pub pods_without_metrics: Option<i64>,
}

/// Replica counts are int32 and never negative in Kubernetes.
fn int32(v: i64) -> i64 {
    v.clamp(0, i64::from(i32::MAX))
}

impl Observed {
    /// The same observation with every count inside Kubernetes' int32 range.
    pub fn clamped(self) -> Observed {
        Observed {
            replicas: int32(self.replicas),
            ready_pods: self.ready_pods.map(int32),
            status_replicas: self.status_replicas.map(int32),
            pending_pods: self.pending_pods.map(int32),
            pods_without_metrics: self.pods_without_metrics.map(int32),
        }
    }

    pub fn replicas(replicas: i64) -> Observed {
        Observed {
            replicas,
            ready_pods: None,
            status_replicas: None,
            pending_pods: None,
            pods_without_metrics: None,
        }
    }

    pub fn ready(&self) -> i64 {
        self.ready_pods.unwrap_or(self.replicas)
    }

    pub fn status(&self) -> i64 {
        self.status_replicas.unwrap_or(self.replicas)
    }

    /// How `groupPods` splits the target's pods for a Resource metric.
    pub fn resource_pods(&self, cpu: bool) -> PodGroups {
        let total = self.status().max(0);
        let ready = self.ready().clamp(0, total);
        let not_ready = total - ready;
        let pending = self.pending_pods.unwrap_or(0).clamp(0, not_ready);
        let missing = self.pods_without_metrics.unwrap_or(0).clamp(0, ready);
        // Memory samples of running pods count whatever their readiness; cpu sets them
        // aside because a starting container's cpu is not representative.
        let unready = if cpu { not_ready } else { pending };
        PodGroups {
            with_metrics: total - unready - missing,
            unready,
            missing,
        }
    }
}

/// The target's pods as `groupPods` sorts them for a Resource metric.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PodGroups {
    /// Pods whose sample enters the first ratio (`readyPodCount`).
    pub with_metrics: i64,
    /// Pods set aside as not ready; they count as using 0 % on a scale-up.
    pub unready: i64,
    /// Pods without a sample: 0 % on a scale-up, max(100 %, target) on a scale-down.
    pub missing: i64,
}

/// Which loop produced an outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loop {
    Keda,
    Hpa,
    Reconcile,
}

impl Loop {
    pub fn name(self) -> &'static str {
        match self {
            Loop::Keda => "keda",
            Loop::Hpa => "hpa",
            Loop::Reconcile => "reconcile",
        }
    }
}

/// What a tick did, in KEDA's terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    None,
    /// The loop is stopped or the HPA deleted: nothing was evaluated.
    NotEvaluated,
    ScaleFromZero,
    ScaleToZero,
    ScaleToIdle,
    ScaleToMin,
    /// Inactive but still inside cooldown / initialCooldownPeriod.
    Cooldown,
    PausedScaleIn,
    PausedScaleOut,
    /// The HPA wrote replicas.
    HpaScale,
    /// The HPA is disabled because the target is at 0.
    HpaDisabled,
    /// The HPA could not compute a count (missing metrics).
    HpaNoMetrics,
    /// paused-replicas written by reconcile.
    PausedReplicas,
    Restore,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::None => "none",
            Action::NotEvaluated => "not_evaluated",
            Action::ScaleFromZero => "scale_from_zero",
            Action::ScaleToZero => "scale_to_zero",
            Action::ScaleToIdle => "scale_to_idle",
            Action::ScaleToMin => "scale_to_min",
            Action::Cooldown => "none_cooldown",
            Action::PausedScaleIn => "none_paused_scale_in",
            Action::PausedScaleOut => "none_paused_scale_out",
            Action::HpaScale => "hpa_scale",
            Action::HpaDisabled => "hpa_disabled",
            Action::HpaNoMetrics => "hpa_no_metrics",
            Action::PausedReplicas => "paused_replicas",
            Action::Restore => "restore",
        }
    }
}

/// The HPA's `ScalingLimited` reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    DesiredWithinRange,
    ScaleUpLimit,
    ScaleDownLimit,
    TooManyReplicas,
    TooFewReplicas,
}

impl Limit {
    pub fn name(self) -> &'static str {
        match self {
            Limit::DesiredWithinRange => "DesiredWithinRange",
            Limit::ScaleUpLimit => "ScaleUpLimit",
            Limit::ScaleDownLimit => "ScaleDownLimit",
            Limit::TooManyReplicas => "TooManyReplicas",
            Limit::TooFewReplicas => "TooFewReplicas",
        }
    }
}

/// The result of one tick.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    pub t: i64,
    pub kind: Loop,
    /// `spec.replicas` after the tick.
    pub replicas: i64,
    pub evaluated: bool,
    pub action: Action,
    /// The object's Active condition after the tick.
    pub active: bool,
    /// A trigger errored (after fallback) in this tick.
    pub error: bool,
    /// The Fallback condition after the tick.
    pub fallback: bool,
    pub last_active_time: Option<i64>,
    /// HPA: the combined proposal before normalisation.
    pub prenormalized: Option<i64>,
    /// HPA: after stabilization.
    pub stabilized: Option<i64>,
    pub limit: Option<Limit>,
    /// Served composite metric (scalingModifiers).
    pub composite: Option<f64>,
}

/// One ScaledObject and its HPA.
#[derive(Clone, Debug)]
pub struct ScaledObjectEngine {
    plan: Plan,
    state: State,
    detail: Detail,
}

impl ScaledObjectEngine {
    pub fn new(spec: &ScaledObjectSpec, initial: Initial) -> ScaledObjectEngine {
        let plan = Plan::new(spec);
        let mut state = State::new(initial, plan.triggers.len());
        let detail = Detail::new(plan.triggers.len());
        if plan.pause.stops_loop() {
            // Created paused: no loop, no HPA.
            keda::apply_pause(&plan, &mut state, initial.replicas);
        }
        ScaledObjectEngine {
            plan,
            state,
            detail,
        }
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    pub fn state(&self) -> &State {
        &self.state
    }

    /// The carried-over state, to continue from one reconstructed from a live cluster
    /// (`lastActiveTime`, the HPA's recommendations and scale events).
    pub fn state_mut(&mut self) -> &mut State {
        &mut self.state
    }

    /// The last tick's record (per-trigger values, proposals, normalisation).
    pub fn detail(&self) -> &Detail {
        &self.detail
    }

    /// The last tick's reason chain, in KEDA's and the HPA's words.
    pub fn explain(&self) -> String {
        self.detail.render(&self.plan)
    }

    /// Continues a ScaledObject whose status already counts failures
    /// (`status.health[metric].numberOfFailures`, in trigger order), as KEDA's operator does
    /// after a restart, so fallback starts where it was.
    pub fn restore_failures(&mut self, failures: &[i64]) {
        for (slot, f) in self.state.failures.iter_mut().zip(failures) {
            *slot = (*f).max(0);
        }
    }

    /// One evaluation of KEDA's scale loop (`checkScalers` + `RequestScale`).
    pub fn keda_poll(&mut self, t: i64, readings: &[Reading], observed: Observed) -> Outcome {
        keda::poll(
            &self.plan,
            &mut self.state,
            &mut self.detail,
            t,
            readings,
            observed.clamped(),
        )
    }

    /// One HPA controller sync (`reconcileAutoscaler`).
    pub fn hpa_sync(&mut self, t: i64, readings: &[Reading], observed: Observed) -> Outcome {
        hpa::sync(
            &self.plan,
            &mut self.state,
            &mut self.detail,
            t,
            readings,
            observed.clamped(),
        )
    }

    /// The controller's reconcile after the annotations changed: pause / unpause.
    pub fn reconcile(
        &mut self,
        t: i64,
        annotations: &BTreeMap<String, String>,
        observed: Observed,
    ) -> Outcome {
        self.plan.set_annotations(annotations);
        keda::reconcile(
            &self.plan,
            &mut self.state,
            &mut self.detail,
            t,
            observed.clamped(),
        )
    }

    /// Deleting the ScaledObject: the finalizer restores `originalReplicaCount` when
    /// `restoreToOriginalReplicaCount` is set, else the target keeps its replicas.
    pub fn delete(&mut self, t: i64, observed: Observed) -> Outcome {
        keda::delete(
            &self.plan,
            &mut self.state,
            &mut self.detail,
            t,
            observed.clamped(),
        )
    }
}

/// `finalizeScaledObject`'s restore rule on its own: restore only when asked and when the
/// target was ever resolved (KEDA records the GVKR and the original count together).
pub fn replicas_after_delete(
    restore: bool,
    original_replica_count: Option<i64>,
    target_known: bool,
    current: i64,
) -> i64 {
    match original_replica_count {
        Some(o) if restore && target_known => o,
        _ => current,
    }
}

/// A metric as the metrics API serves it: milli units, NaN/Inf/negative as 0, formatted to
/// three decimals (`GenerateMetricInMili`).
pub fn to_milli(v: f64) -> i64 {
    if !v.is_finite() || v < 0.0 {
        return 0;
    }
    (v * 1000.0).round().min(i64::MAX as f64) as i64
}

/// Truncation to milli used for fallback and composite values (`int64(v*1000)`).
pub fn truncate_milli(v: f64) -> f64 {
    if !v.is_finite() || v < 0.0 {
        return 0.0;
    }
    (v * 1000.0).trunc() / 1000.0
}
