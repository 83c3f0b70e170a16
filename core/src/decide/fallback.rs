//! One trigger evaluation through `GetMetricsWithFallback`: failure counting (shared by the
//! poll and the HPA path), the threshold test and the fallback metric trick.

use crate::model::FallbackBehavior;
use crate::scalers::MetricType;

use super::plan::Plan;
use super::state::State;
use super::{truncate_milli, Reading};

/// How one trigger came out of an evaluation.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TriggerEval {
    pub evaluated: bool,
    /// The served value (the scaler's, or the fallback value).
    pub value: Option<f64>,
    pub active: bool,
    pub error: bool,
    /// The fallback replaced the value.
    pub fallback: bool,
    /// scalingModifiers fallback: the formula sees nil for this trigger.
    pub placeholder: bool,
    /// The replicas the fallback aims at (before any division by ready pods).
    pub fallback_replicas: f64,
    /// The failure counter after this evaluation.
    pub failures: i64,
    /// Served from the useCachedMetrics record.
    pub cached: bool,
}

/// `r` of `doFallback` by behavior.
pub fn fallback_replicas(behavior: FallbackBehavior, replicas: i64, current: i64) -> f64 {
    let r = match behavior {
        FallbackBehavior::CurrentReplicas => current,
        FallbackBehavior::CurrentReplicasIfHigher => current.max(replicas),
        FallbackBehavior::CurrentReplicasIfLower => current.min(replicas),
        FallbackBehavior::Static | FallbackBehavior::ScalingModifiers => replicas,
    };
    r as f64
}

/// The value served so the HPA computes about `r` replicas; `None` when a Value metric
/// has no ready pod to divide by (the fallback then fails and the error is returned).
pub fn fallback_value(r: f64, metric_type: MetricType, target: f64, ready: i64) -> Option<f64> {
    let r = if metric_type == MetricType::Value {
        if ready <= 0 {
            return None;
        }
        r / ready as f64
    } else {
        r
    };
    Some(truncate_milli(target * r))
}

/// Evaluates trigger `i` with `reading`, updating its failure counter.
pub fn evaluate(
    plan: &Plan,
    state: &mut State,
    i: usize,
    reading: Reading,
    current: i64,
    ready: i64,
) -> TriggerEval {
    let Some(t) = plan.triggers.get(i) else {
        return TriggerEval::default();
    };
    let reading = if t.build_error.is_some() {
        Reading::Error
    } else {
        reading
    };
    let counter = state.failures.get_mut(i);
    match (reading.value(), reading.active(t.activation)) {
        (Some(v), Some(active)) => {
            let mut failures = 0;
            if let Some(c) = counter {
                if plan.fallback_valid {
                    *c = 0;
                }
                failures = *c;
            }
            TriggerEval {
                evaluated: true,
                value: Some(v),
                active,
                failures,
                ..TriggerEval::default()
            }
        }
        _ => {
            let mut out = TriggerEval {
                evaluated: true,
                error: true,
                ..TriggerEval::default()
            };
            let (Some(f), Some(c)) = (
                plan.fallback.as_ref().filter(|_| plan.fallback_valid),
                counter,
            ) else {
                return out;
            };
            *c = c.saturating_add(1);
            out.failures = *c;
            if *c <= f.failure_threshold {
                return out;
            }
            if f.behavior == FallbackBehavior::ScalingModifiers && plan.composite.is_some() {
                out.error = false;
                out.placeholder = true;
                return out;
            }
            let r = fallback_replicas(f.behavior, f.replicas, current);
            out.fallback_replicas = r;
            if let Some(v) = fallback_value(r, t.metric_type, t.target, ready) {
                out.value = Some(v);
                out.error = false;
                out.active = true;
                out.fallback = true;
            }
            out
        }
    }
}

/// The Fallback condition: a failing metric past its threshold.
pub fn condition(plan: &Plan, state: &State) -> bool {
    match plan.fallback.as_ref() {
        Some(f) if plan.fallback_valid => state.failures.iter().any(|c| *c > f.failure_threshold),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replicas_by_behavior() {
        use FallbackBehavior::*;
        assert_eq!(fallback_replicas(Static, 6, 2), 6.0);
        assert_eq!(fallback_replicas(CurrentReplicas, 6, 2), 2.0);
        assert_eq!(fallback_replicas(CurrentReplicasIfHigher, 6, 8), 8.0);
        assert_eq!(fallback_replicas(CurrentReplicasIfHigher, 6, 2), 6.0);
        assert_eq!(fallback_replicas(CurrentReplicasIfLower, 6, 2), 2.0);
    }

    #[test]
    fn value_metrics_divide_by_ready_pods_and_truncate_to_milli() {
        assert_eq!(
            fallback_value(6.0, MetricType::Value, 100.0, 4),
            Some(150.0)
        );
        assert_eq!(fallback_value(6.0, MetricType::Value, 100.0, 0), None);
        assert_eq!(fallback_value(1.0, MetricType::Value, 1.0, 3), Some(0.333));
        assert_eq!(
            fallback_value(10.0, MetricType::AverageValue, 10.0, 0),
            Some(100.0)
        );
    }
}
