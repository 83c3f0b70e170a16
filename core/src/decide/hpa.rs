//! One HPA controller sync (`reconcileAutoscaler`) over the metrics KEDA serves.

use crate::scalers::MetricType;

use super::explain::{Detail, Kept, Normalisation, Proposal, ResourceCalc};
use super::fallback::{self, TriggerEval};
use super::keda::composite_value;
use super::plan::Plan;
use super::rules;
use super::state::State;
use super::{to_milli, Action, Loop, Observed, Outcome, PodGroups, Reading};

/// `Tolerances.isWithin`: both bounds inclusive, in float64 as the controller computes.
pub fn within(ratio: f64, tolerance: (f64, f64)) -> bool {
    (1.0 - tolerance.0) <= ratio && ratio <= (1.0 + tolerance.1)
}

/// The replica proposal of one External metric (`GetExternalPerPodMetricReplicas` /
/// `GetExternalMetricReplicas`). Values are compared in milli units like the controller.
pub fn external_proposal(
    metric_type: MetricType,
    usage: f64,
    target: f64,
    obs: Observed,
    tolerance: (f64, f64),
) -> Proposal {
    let usage_m = to_milli(usage) as f64;
    let target_m = to_milli(target) as f64;
    let mut p = Proposal {
        trigger: None,
        usage,
        target,
        metric_type,
        pods: 0,
        ratio: 0.0,
        within: false,
        replicas: None,
        resource: None,
    };
    match metric_type {
        MetricType::Value => {
            p.ratio = usage_m / target_m;
            p.pods = obs.ready();
            if obs.replicas != 0 {
                p.within = within(p.ratio, tolerance);
                p.replicas = Some(if p.within {
                    obs.replicas
                } else {
                    ceil_replicas(p.ratio * obs.ready() as f64)
                });
            } else {
                p.replicas = Some(ceil_replicas(p.ratio));
            }
        }
        _ => {
            let n = obs.status();
            p.pods = n;
            p.ratio = usage_m / (target_m * n as f64);
            p.within = within(p.ratio, tolerance);
            p.replicas = Some(if p.within {
                n
            } else {
                ceil_replicas(usage_m / target_m)
            });
        }
    }
    p
}

/// The replica proposal of a cpu/memory metric (`GetResourceReplicas` for Utilization,
/// `GetRawResourceReplicas` for AverageValue), from the mean usage of the pods with metrics.
/// Pods share one request, so sums over pods are the mean times the count.
pub fn resource_proposal(
    metric_type: MetricType,
    usage: f64,
    target: f64,
    current: i64,
    groups: PodGroups,
    cpu: bool,
    tolerance: (f64, f64),
) -> Proposal {
    let mut p = Proposal {
        trigger: None,
        usage,
        target,
        metric_type,
        pods: groups.with_metrics,
        ratio: 0.0,
        within: false,
        replicas: None,
        resource: None,
    };
    let mut rc = ResourceCalc {
        cpu,
        groups,
        missing_as: None,
        unready_as_zero: false,
        new_usage: None,
        new_ratio: None,
        counted: groups.with_metrics,
        kept: None,
    };
    if groups.with_metrics <= 0 {
        // "did not receive metrics for targeted pods (pods might be unready)"
        p.resource = Some(rc);
        return p;
    }
    let utilization = metric_type == MetricType::Utilization;
    let usage = if usage.is_finite() {
        usage.max(0.0)
    } else {
        0.0
    };
    // The controller's units: whole percent of the request, or milli-units per pod.
    let (u, t) = if utilization {
        (usage, target)
    } else {
        (to_milli(usage) as f64, to_milli(target) as f64)
    };
    let ratio = u.floor() / t;
    p.ratio = ratio;
    let up_with_unready = groups.unready > 0 && ratio > 1.0;
    if !up_with_unready && groups.missing == 0 {
        p.within = within(ratio, tolerance);
        p.replicas = Some(if p.within {
            current
        } else {
            ceil_replicas(ratio * groups.with_metrics as f64)
        });
        p.resource = Some(rc);
        return p;
    }
    let mut sum = u * groups.with_metrics as f64;
    let mut counted = groups.with_metrics;
    if groups.missing > 0 && ratio != 1.0 {
        let fill = if ratio > 1.0 {
            0.0
        } else if utilization {
            t.max(100.0)
        } else {
            t
        };
        sum += fill * groups.missing as f64;
        counted += groups.missing;
        rc.missing_as = Some(if utilization { fill } else { fill / 1000.0 });
    }
    if up_with_unready {
        counted += groups.unready;
        rc.unready_as_zero = true;
    }
    let new_u = (sum / counted as f64).floor();
    let new_ratio = new_u / t;
    rc.new_usage = Some(if utilization { new_u } else { new_u / 1000.0 });
    rc.new_ratio = Some(new_ratio);
    rc.counted = counted;
    let flipped = (ratio < 1.0 && new_ratio > 1.0) || (ratio > 1.0 && new_ratio < 1.0);
    let replicas = if within(new_ratio, tolerance) {
        rc.kept = Some(Kept::Tolerance);
        current
    } else if flipped {
        rc.kept = Some(Kept::Direction);
        current
    } else {
        let n = ceil_replicas(new_ratio * counted as f64);
        // Only GetResourceReplicas checks that fewer or more pods did not turn the count.
        if utilization && ((new_ratio < 1.0 && n > current) || (new_ratio > 1.0 && n < current)) {
            rc.kept = Some(Kept::Count);
            current
        } else {
            n
        }
    };
    p.within = rc.kept == Some(Kept::Tolerance);
    p.replicas = Some(replicas);
    p.resource = Some(rc);
    p
}

pub(super) fn ceil_replicas(v: f64) -> i64 {
    if v.is_nan() {
        return 0;
    }
    v.ceil().clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i64
}

fn evaluate_for_hpa(
    plan: &Plan,
    state: &mut State,
    i: usize,
    live: Reading,
    current: i64,
    ready: i64,
) -> TriggerEval {
    let cached = plan
        .triggers
        .get(i)
        .filter(|t| t.use_cached_metrics)
        .and_then(|_| state.cache.get(i).copied().flatten());
    match cached {
        Some(rec) => {
            let reading = rec.value.map_or(Reading::Error, Reading::Value);
            let mut e = fallback::evaluate(plan, state, i, reading, current, ready);
            e.cached = true;
            e
        }
        None => fallback::evaluate(plan, state, i, live, current, ready),
    }
}

pub(super) fn sync(
    plan: &Plan,
    state: &mut State,
    detail: &mut Detail,
    t: i64,
    readings: &[Reading],
    obs: Observed,
) -> Outcome {
    let current = obs.replicas;
    state.replicas = current;
    detail.begin(Loop::Hpa, t, current);
    let mut o = Outcome {
        t,
        kind: Loop::Hpa,
        replicas: current,
        evaluated: true,
        action: Action::None,
        active: state.conditions.active.0 == "True",
        error: false,
        fallback: false,
        last_active_time: state.last_active_time,
        prenormalized: None,
        stabilized: None,
        limit: None,
        composite: None,
    };
    if !state.hpa_exists {
        o.evaluated = false;
        o.action = Action::NotEvaluated;
        o.fallback = fallback::condition(plan, state);
        return detail.finish(o);
    }
    if !state.hpa.initialized {
        state.hpa.initialized = true;
        state
            .hpa
            .recommendations
            .push(super::state::Recommendation {
                t,
                replicas: current,
            });
    }
    let (min, max) = (plan.hpa_min, plan.hpa_max);
    if current == 0 && min != 0 {
        state.conditions.scaling_active = ("False", "ScalingDisabled");
        o.action = Action::HpaDisabled;
        o.fallback = fallback::condition(plan, state);
        return detail.finish(o);
    }
    let desired = if current > max {
        Some(max)
    } else if current < min {
        Some(min)
    } else {
        None
    };
    let desired = match desired {
        Some(d) => d,
        None => match metrics_and_normalise(plan, state, detail, t, readings, obs, &mut o) {
            Some(d) => d,
            None => {
                o.fallback = fallback::condition(plan, state);
                return detail.finish(o);
            }
        },
    };
    state.conditions.scaling_active = ("True", "ValidMetricFound");
    if desired != current {
        if let Some(b) = &plan.behavior {
            rules::store_scale_event(&mut state.hpa, t, current, desired, &b.up, &b.down);
        }
        state.replicas = desired;
        o.action = Action::HpaScale;
    }
    o.replicas = state.replicas;
    o.fallback = fallback::condition(plan, state);
    detail.finish(o)
}

/// Steps 3-5 of a sync; `None` when no count could be computed (missing metrics).
fn metrics_and_normalise(
    plan: &Plan,
    state: &mut State,
    detail: &mut Detail,
    t: i64,
    readings: &[Reading],
    obs: Observed,
    o: &mut Outcome,
) -> Option<i64> {
    let current = obs.replicas;
    let ready = obs.ready();
    let tol = plan.tolerance;
    for (i, tp) in plan.triggers.iter().enumerate() {
        let live = readings.get(i).copied().unwrap_or(Reading::Value(0.0));
        if tp.resource {
            // Resource metric: the reading is the mean over the pods with metrics, in
            // percent of the request (Utilization) or per pod (AverageValue).
            let mut p = match live.value() {
                Some(u) => resource_proposal(
                    tp.metric_type,
                    u,
                    tp.target,
                    current,
                    obs.resource_pods(tp.cpu),
                    tp.cpu,
                    tol,
                ),
                None => Proposal {
                    trigger: None,
                    usage: 0.0,
                    target: tp.target,
                    metric_type: tp.metric_type,
                    pods: 0,
                    ratio: 0.0,
                    within: false,
                    replicas: None,
                    resource: None,
                },
            };
            p.trigger = Some(i);
            detail.proposals.push(p);
            continue;
        }
        let e = evaluate_for_hpa(plan, state, i, live, current, ready);
        if let Some(d) = detail.triggers.get_mut(i) {
            *d = e;
        }
        if plan.composite.is_some() {
            continue;
        }
        let mut p = match (e.error || e.placeholder, e.value) {
            (false, Some(v)) => external_proposal(tp.metric_type, v, tp.target, obs, tol),
            _ => Proposal {
                trigger: None,
                usage: 0.0,
                target: tp.target,
                metric_type: tp.metric_type,
                pods: 0,
                ratio: 0.0,
                within: false,
                replicas: None,
                resource: None,
            },
        };
        p.trigger = Some(i);
        detail.proposals.push(p);
    }
    if let Some(c) = &plan.composite {
        let v = composite_value(plan, &detail.triggers, current, ready);
        detail.composite = v.ok();
        detail.composite_error = v.is_err();
        o.composite = v.ok();
        let p = match v {
            Ok(v) => external_proposal(c.metric_type, v, c.target, obs, tol),
            Err(()) => Proposal {
                trigger: None,
                usage: 0.0,
                target: c.target,
                metric_type: c.metric_type,
                pods: 0,
                ratio: 0.0,
                within: false,
                replicas: None,
                resource: None,
            },
        };
        detail.proposals.push(p);
    }
    // computeReplicasForMetrics: max of the valid; missing data may scale up, never down.
    let mut best: Option<i64> = None;
    let mut invalid = 0;
    for p in &detail.proposals {
        match p.replicas {
            Some(r) => best = Some(best.map_or(r, |b| b.max(r))),
            None => invalid += 1,
        }
    }
    o.error = invalid > 0;
    let desired = match best {
        Some(b) if invalid == 0 || b >= current => b,
        _ => {
            state.conditions.scaling_active = ("False", "FailedGetExternalMetric");
            o.action = Action::HpaNoMetrics;
            return None;
        }
    };
    o.prenormalized = Some(desired);
    let (min, max) = (plan.hpa_min, plan.hpa_max);
    let norm = match &plan.behavior {
        None => {
            let stabilized = rules::stabilize_legacy(&mut state.hpa, t, desired);
            let (result, reason) = rules::convert_with_rules(current, stabilized, min, max);
            Normalisation {
                legacy: true,
                desired,
                stabilized,
                up_rec: stabilized,
                down_rec: stabilized,
                limit: Some(rules::legacy_scale_up_limit(current)),
                result,
                reason,
            }
        }
        Some(b) => {
            let (stabilized, up_rec, down_rec) = rules::stabilize_with_behaviors(
                &mut state.hpa,
                t,
                current,
                desired,
                b.up.window,
                b.down.window,
            );
            let (result, reason, limit) = rules::convert_with_behavior_rate(
                &state.hpa, t, current, stabilized, min, max, &b.up, &b.down,
            );
            Normalisation {
                legacy: false,
                desired,
                stabilized,
                up_rec,
                down_rec,
                limit,
                result,
                reason,
            }
        }
    };
    o.stabilized = Some(norm.stabilized);
    o.limit = Some(norm.reason);
    detail.norm = Some(norm);
    Some(norm.result)
}
