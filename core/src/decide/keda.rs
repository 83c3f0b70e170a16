//! KEDA's scale loop: `getScaledObjectState` then `RequestScale`, plus the reconcile-time
//! pause handling and the finalizer.

use super::explain::{CooldownCheck, Detail};
use super::fallback::{self, fallback_replicas, fallback_value, TriggerEval};
use super::plan::Plan;
use super::state::{CachedRecord, State};
use super::{truncate_milli, Action, Loop, Observed, Outcome, Reading};

fn outcome(t: i64, kind: Loop, state: &State, plan: &Plan, action: Action) -> Outcome {
    Outcome {
        t,
        kind,
        replicas: state.replicas,
        evaluated: action != Action::NotEvaluated,
        action,
        active: state.conditions.active.0 == "True",
        error: false,
        fallback: fallback::condition(plan, state),
        last_active_time: state.last_active_time,
        prenormalized: None,
        stabilized: None,
        limit: None,
        composite: None,
    }
}

/// The composite metric from this tick's trigger evaluations (`formula.go`).
/// `Err(())` = unavailable (a trigger errored or the formula failed).
pub(super) fn composite_value(
    plan: &Plan,
    evals: &[TriggerEval],
    current: i64,
    ready: i64,
) -> Result<f64, ()> {
    let Some(c) = &plan.composite else {
        return Err(());
    };
    if evals.iter().any(|e| e.error) {
        return Err(());
    }
    if let Some(f) = plan.fallback.as_ref() {
        if evals.iter().any(|e| e.fallback) {
            let r = fallback_replicas(f.behavior, f.replicas, current);
            return fallback_value(r, c.metric_type, c.target, ready).ok_or(());
        }
    }
    // Values by trigger index; placeholders stay None (nil).
    let mut values = [None; 16];
    let mut heap;
    let values: &mut [Option<f64>] = if evals.len() <= values.len() {
        &mut values[..evals.len()]
    } else {
        heap = vec![None; evals.len()];
        &mut heap
    };
    for (v, e) in values.iter_mut().zip(evals) {
        *v = if e.placeholder { None } else { e.value };
    }
    match c.evaluate(values) {
        Ok(Some(v)) => Ok(truncate_milli(v)),
        Ok(None) => {
            let replicas = plan.fallback.as_ref().map_or(0, |f| f.replicas);
            Ok(truncate_milli(replicas as f64 * c.target))
        }
        Err(_) => Err(()),
    }
}

pub(super) fn poll(
    plan: &Plan,
    state: &mut State,
    detail: &mut Detail,
    t: i64,
    readings: &[Reading],
    obs: Observed,
) -> Outcome {
    let current = obs.replicas;
    state.replicas = current;
    detail.begin(Loop::Keda, t, current);
    if !state.loop_running {
        let o = outcome(t, Loop::Keda, state, plan, Action::NotEvaluated);
        return detail.finish(o);
    }
    let ready = obs.ready();
    let (mut any_active, mut any_error, mut any_external) = (false, false, false);
    for (i, tp) in plan.triggers.iter().enumerate() {
        if tp.resource {
            continue;
        }
        any_external = true;
        let reading = readings.get(i).copied().unwrap_or(Reading::Value(0.0));
        let e = fallback::evaluate(plan, state, i, reading, current, ready);
        any_active |= e.active;
        any_error |= e.error;
        if tp.use_cached_metrics {
            if let Some(slot) = state.cache.get_mut(i) {
                *slot = Some(CachedRecord {
                    value: if e.error { None } else { e.value },
                    active: e.active,
                });
            }
        }
        if let Some(d) = detail.triggers.get_mut(i) {
            *d = e;
        }
    }
    let mut is_active = any_active;
    let mut composite = None;
    if let Some(c) = &plan.composite {
        let v = composite_value(plan, &detail.triggers, current, ready);
        composite = v.ok();
        detail.composite = composite;
        detail.composite_error = v.is_err();
        match (&c.activation_target, v) {
            (Ok(at), Ok(v)) => is_active = !any_error && v > *at,
            _ => {
                is_active = false;
                any_error = true;
            }
        }
    }
    if !any_external && !any_error && !plan.triggers.is_empty() {
        is_active = true;
    }
    let force = plan.pause.force_activation;
    let action = request_scale(plan, state, detail, t, is_active || force, any_error);
    state.active = is_active || force;
    state.conditions.fallback = if fallback::condition(plan, state) {
        ("True", "FallbackExists")
    } else {
        ("False", "NoFallbackFound")
    };
    let mut o = outcome(t, Loop::Keda, state, plan, action);
    o.error = any_error;
    o.composite = composite;
    detail.finish(o)
}

/// `RequestScale` (`scale_scaledobjects.go`), given the poll's activity and error.
fn request_scale(
    plan: &Plan,
    state: &mut State,
    detail: &mut Detail,
    t: i64,
    active: bool,
    error: bool,
) -> Action {
    let current = state.replicas;
    let min = plan.min;
    // Ready changes only where RequestScale sets it: True without errors, Unknown for a
    // partial error while active, False for an error without fallback; an error waiting
    // for the fallback threshold leaves it as it was.
    if !error {
        state.conditions.ready = ("True", "ScaledObjectReady");
    } else if active {
        state.conditions.ready = ("Unknown", "PartialTriggerError");
    } else if plan.fallback.is_none() {
        state.conditions.ready = ("False", "TriggerError");
    }
    if active {
        state.conditions.active = ("True", "ScalerActive");
        if (plan.idle.is_some() && current < min) || current == 0 {
            if plan.pause.scale_out {
                return Action::PausedScaleOut;
            }
            state.replicas = if min > 0 { min } else { 1 };
            state.last_active_time = Some(t);
            return Action::ScaleFromZero;
        }
        if !error {
            state.last_active_time = Some(t);
        }
        return Action::None;
    }
    state.conditions.active = ("False", "ScalerNotActive");
    if error {
        match &plan.fallback {
            Some(f) if f.replicas != 0 => return Action::None,
            None => return Action::None,
            Some(_) => {}
        }
    }
    let idle_above = plan.idle.is_some_and(|idle| current > idle);
    if idle_above || (current > 0 && min == 0) {
        return scale_to_zero_or_idle(plan, state, detail, t);
    }
    if plan.idle.is_none() && current < min {
        state.replicas = min;
        return Action::ScaleToMin;
    }
    Action::None
}

/// `scaleToZeroOrIdle`: strict `Before` comparisons on cooldown and initialCooldown.
fn scale_to_zero_or_idle(plan: &Plan, state: &mut State, detail: &mut Detail, t: i64) -> Action {
    if plan.pause.scale_in {
        return Action::PausedScaleIn;
    }
    let cooled = match state.last_active_time {
        None => {
            detail.cooldown = CooldownCheck {
                from: Some(state.creation_time),
                period: plan.initial_cooldown,
                initial: true,
            };
            state.creation_time.saturating_add(plan.initial_cooldown) < t
        }
        Some(last) => {
            detail.cooldown = CooldownCheck {
                from: Some(last),
                period: plan.cooldown,
                initial: false,
            };
            last.saturating_add(plan.cooldown) < t
        }
    };
    if !cooled {
        state.conditions.active = ("False", "ScalerCooldown");
        return Action::Cooldown;
    }
    match plan.idle {
        Some(idle) => {
            state.replicas = idle;
            Action::ScaleToIdle
        }
        None => {
            state.replicas = plan.min;
            Action::ScaleToZero
        }
    }
}

/// Applies a loop-stopping pause; returns the action.
pub(super) fn apply_pause(plan: &Plan, state: &mut State, current: i64) -> Action {
    state.loop_running = false;
    state.hpa_exists = false;
    state.hpa.reset();
    state.conditions.paused = ("True", "ScaledObjectPaused");
    match &plan.pause.paused_replicas {
        Some(Ok(n)) => {
            state.replicas = *n;
            state.paused_replica_count = Some(*n);
            Action::PausedReplicas
        }
        Some(Err(_)) => {
            // Not an int32: reconcile fails, nothing changes.
            state.conditions.ready = ("False", "ScaledObjectCheckFailed");
            state.replicas = current;
            Action::NotEvaluated
        }
        None => {
            state.replicas = current;
            state.paused_replica_count = None;
            Action::NotEvaluated
        }
    }
}

pub(super) fn reconcile(
    plan: &Plan,
    state: &mut State,
    detail: &mut Detail,
    t: i64,
    obs: Observed,
) -> Outcome {
    state.replicas = obs.replicas;
    detail.begin(Loop::Reconcile, t, obs.replicas);
    let action = if plan.pause.stops_loop() {
        apply_pause(plan, state, obs.replicas)
    } else {
        if !state.loop_running || !state.hpa_exists {
            // HPA recreated from the spec: the controller's memory starts empty.
            state.hpa.reset();
        }
        state.loop_running = true;
        state.hpa_exists = true;
        state.paused_replica_count = None;
        state.conditions.paused = if plan.pause.scale_in || plan.pause.scale_out {
            ("True", "ScaledObjectPaused")
        } else {
            ("False", "ScaledObjectUnpaused")
        };
        Action::None
    };
    let mut o = outcome(t, Loop::Reconcile, state, plan, action);
    o.evaluated = action == Action::None;
    detail.finish(o)
}

pub(super) fn delete(
    plan: &Plan,
    state: &mut State,
    detail: &mut Detail,
    t: i64,
    obs: Observed,
) -> Outcome {
    detail.begin(Loop::Reconcile, t, obs.replicas);
    state.loop_running = false;
    state.hpa_exists = false;
    state.hpa.reset();
    state.replicas = super::replicas_after_delete(
        plan.restore_to_original_replica_count,
        state.original_replica_count,
        true,
        obs.replicas,
    );
    let action = if plan.restore_to_original_replica_count {
        Action::Restore
    } else {
        Action::None
    };
    let mut o = outcome(t, Loop::Reconcile, state, plan, action);
    o.evaluated = false;
    detail.finish(o)
}
