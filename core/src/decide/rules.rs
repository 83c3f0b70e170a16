//! The HPA's normalisation: the legacy path (no `behavior`) and the behavior path
//! (stabilization windows, Pods/Percent policies, selectPolicy), as in Kubernetes'
//! `horizontal.go`. Pure functions over the controller memory.

use crate::model::{PolicyType, SelectPolicy};

use super::plan::{Rules, DOWNSCALE_WINDOW};
use super::state::{HpaMemory, Recommendation, ScaleEvent};
use super::Limit;

/// `stabilizeRecommendation`: the max over samples not older than 300 s (age ≤ window),
/// then the unstabilized value is stored (reusing a sample older than the window).
pub fn stabilize_legacy(memory: &mut HpaMemory, t: i64, desired: i64) -> i64 {
    let cutoff = t.saturating_sub(DOWNSCALE_WINDOW);
    let mut max = desired;
    let mut old = None;
    for (i, r) in memory.recommendations.iter().enumerate() {
        if r.t < cutoff {
            old = Some(i);
        } else if r.replicas > max {
            max = r.replicas;
        }
    }
    store(&mut memory.recommendations, old, t, desired);
    max
}

fn store(recs: &mut Vec<Recommendation>, slot: Option<usize>, t: i64, replicas: i64) {
    let rec = Recommendation { t, replicas };
    match slot.and_then(|i| recs.get_mut(i)) {
        Some(r) => *r = rec,
        None => recs.push(rec),
    }
}

/// `calculateScaleUpLimit`: max(2·current, 4).
pub fn legacy_scale_up_limit(current: i64) -> i64 {
    current.saturating_mul(2).max(4)
}

/// `convertDesiredReplicasWithRules`.
pub fn convert_with_rules(current: i64, desired: i64, min: i64, max: i64) -> (i64, Limit) {
    let up = legacy_scale_up_limit(current);
    let (upper, reason) = if max > up {
        (up, Limit::ScaleUpLimit)
    } else {
        (max, Limit::TooManyReplicas)
    };
    if desired < min {
        (min, Limit::TooFewReplicas)
    } else if desired > upper {
        (upper, reason)
    } else {
        (desired, Limit::DesiredWithinRange)
    }
}

/// `stabilizeRecommendationWithBehaviors`: `current` clamped into
/// `[min over the up window, max over the down window]`, windows strict (age < window).
/// Returns `(stabilized, upRec, downRec)` and stores `desired`.
pub fn stabilize_with_behaviors(
    memory: &mut HpaMemory,
    t: i64,
    current: i64,
    desired: i64,
    up_window: i64,
    down_window: i64,
) -> (i64, i64, i64) {
    let up_cutoff = t.saturating_sub(up_window);
    let down_cutoff = t.saturating_sub(down_window);
    let (mut up_rec, mut down_rec) = (desired, desired);
    let mut old = None;
    for (i, r) in memory.recommendations.iter().enumerate() {
        if r.t > up_cutoff {
            up_rec = up_rec.min(r.replicas);
        }
        if r.t > down_cutoff {
            down_rec = down_rec.max(r.replicas);
        }
        if r.t < up_cutoff && r.t < down_cutoff {
            old = Some(i);
        }
    }
    let mut rec = current;
    if rec < up_rec {
        rec = up_rec;
    }
    if rec > down_rec {
        rec = down_rec;
    }
    store(&mut memory.recommendations, old, t, desired);
    (rec, up_rec, down_rec)
}

/// `getReplicasChangePerPeriod`: the sum of changes strictly inside the period.
pub fn change_in_period(events: &[ScaleEvent], t: i64, period: i64) -> i64 {
    let cutoff = t.saturating_sub(period);
    events
        .iter()
        .filter(|e| e.t > cutoff)
        .map(|e| e.change)
        .sum()
}

/// `periodStart` for one policy.
pub fn period_start(memory: &HpaMemory, t: i64, current: i64, period: i64) -> i64 {
    current
        .saturating_sub(change_in_period(&memory.up_events, t, period))
        .saturating_add(change_in_period(&memory.down_events, t, period))
}

/// `calculateScaleUpLimitWithScalingRules`.
pub fn scale_up_limit(memory: &HpaMemory, t: i64, current: i64, rules: &Rules) -> i64 {
    let pick: fn(i64, i64) -> i64 = match rules.select {
        SelectPolicy::Disabled => return current,
        SelectPolicy::Min => i64::min,
        SelectPolicy::Max => i64::max,
    };
    let mut result = if rules.select == SelectPolicy::Min {
        i64::from(i32::MAX)
    } else {
        i64::from(i32::MIN)
    };
    for p in &rules.policies {
        let start = period_start(memory, t, current, p.period_seconds);
        let proposed = match p.policy_type {
            PolicyType::Pods => start.saturating_add(p.value),
            PolicyType::Percent => (start as f64 * (1.0 + p.value as f64 / 100.0)).ceil() as i64,
        };
        result = pick(result, proposed);
    }
    result
}

/// `calculateScaleDownLimitWithBehaviors`.
pub fn scale_down_limit(memory: &HpaMemory, t: i64, current: i64, rules: &Rules) -> i64 {
    let pick: fn(i64, i64) -> i64 = match rules.select {
        SelectPolicy::Disabled => return current,
        SelectPolicy::Min => i64::max,
        SelectPolicy::Max => i64::min,
    };
    let mut result = if rules.select == SelectPolicy::Min {
        i64::from(i32::MIN)
    } else {
        i64::from(i32::MAX)
    };
    for p in &rules.policies {
        let start = period_start(memory, t, current, p.period_seconds);
        let proposed = match p.policy_type {
            PolicyType::Pods => start.saturating_sub(p.value),
            PolicyType::Percent => (start as f64 * (1.0 - p.value as f64 / 100.0)).trunc() as i64,
        };
        result = pick(result, proposed);
    }
    result
}

/// `convertDesiredReplicasWithBehaviorRate`: returns `(replicas, reason, limit)`, where
/// `limit` is the policy limit that applied (for the explanation).
#[allow(clippy::too_many_arguments)]
pub fn convert_with_behavior_rate(
    memory: &HpaMemory,
    t: i64,
    current: i64,
    desired: i64,
    min: i64,
    max: i64,
    up: &Rules,
    down: &Rules,
) -> (i64, Limit, Option<i64>) {
    if desired > current {
        let limit = scale_up_limit(memory, t, current, up).max(current);
        let (allowed, reason) = if max > limit {
            (limit, Limit::ScaleUpLimit)
        } else {
            (max, Limit::TooManyReplicas)
        };
        if desired > allowed {
            return (allowed, reason, Some(limit));
        }
        (desired, Limit::DesiredWithinRange, Some(limit))
    } else if desired < current {
        let limit = scale_down_limit(memory, t, current, down).min(current);
        let (allowed, reason) = if min < limit {
            (limit, Limit::ScaleDownLimit)
        } else {
            (min, Limit::TooFewReplicas)
        };
        if desired < allowed {
            return (allowed, reason, Some(limit));
        }
        (desired, Limit::DesiredWithinRange, Some(limit))
    } else {
        (desired, Limit::DesiredWithinRange, None)
    }
}

/// `storeScaleEvent` (behavior path only): events older than the direction's longest
/// policy period are outdated and one of them is reused.
pub fn store_scale_event(
    memory: &mut HpaMemory,
    t: i64,
    prev: i64,
    new: i64,
    up: &Rules,
    down: &Rules,
) {
    let (events, longest) = if new > prev {
        (&mut memory.up_events, up.longest_period)
    } else {
        (&mut memory.down_events, down.longest_period)
    };
    let cutoff = t.saturating_sub(longest);
    let mut slot = None;
    for (i, e) in events.iter_mut().enumerate() {
        if e.t < cutoff {
            e.outdated = true;
        }
        if e.outdated {
            slot = Some(i);
        }
    }
    let event = ScaleEvent {
        t,
        change: new.saturating_sub(prev).saturating_abs(),
        outdated: false,
    };
    match slot.and_then(|i| events.get_mut(i)) {
        Some(e) => *e = event,
        None => events.push(event),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Policy;

    fn rules(select: SelectPolicy, policies: &[(PolicyType, i64, i64)]) -> Rules {
        let policies: Vec<Policy> = policies
            .iter()
            .map(|&(policy_type, value, period_seconds)| Policy {
                policy_type,
                value,
                period_seconds,
            })
            .collect();
        Rules {
            window: 0,
            select,
            longest_period: policies.iter().map(|p| p.period_seconds).max().unwrap_or(0),
            policies,
        }
    }

    #[test]
    fn legacy_window_is_inclusive_and_reuses_old_samples() {
        let mut m = HpaMemory::default();
        assert_eq!(stabilize_legacy(&mut m, 0, 20), 20);
        assert_eq!(stabilize_legacy(&mut m, 300, 3), 20, "age 300 still counts");
        assert_eq!(
            stabilize_legacy(&mut m, 301, 2),
            3,
            "age 301 no longer counts"
        );
        assert_eq!(
            m.recommendations.len(),
            2,
            "the sample older than 300 s was reused"
        );
    }

    #[test]
    fn legacy_scale_up_cap() {
        assert_eq!(convert_with_rules(1, 20, 1, 10), (4, Limit::ScaleUpLimit));
        assert_eq!(
            convert_with_rules(8, 20, 1, 10),
            (10, Limit::TooManyReplicas)
        );
        assert_eq!(convert_with_rules(3, 0, 1, 10), (1, Limit::TooFewReplicas));
    }

    #[test]
    fn default_scale_up_doubles_each_sync_with_fresh_budget() {
        let up = rules(
            SelectPolicy::Max,
            &[(PolicyType::Pods, 4, 15), (PolicyType::Percent, 100, 15)],
        );
        let down = rules(SelectPolicy::Max, &[(PolicyType::Percent, 100, 15)]);
        let mut m = HpaMemory::default();
        let mut current = 1;
        let mut seen = vec![];
        for k in 0..5 {
            let t = 15 * k;
            let (r, _, _) = convert_with_behavior_rate(&m, t, current, 1000, 1, 1000, &up, &down);
            store_scale_event(&mut m, t, current, r, &up, &down);
            current = r;
            seen.push(r);
        }
        assert_eq!(seen, vec![5, 10, 20, 40, 80]);
    }

    #[test]
    fn disabled_direction_holds_current() {
        let up = rules(SelectPolicy::Disabled, &[(PolicyType::Pods, 4, 15)]);
        let down = rules(SelectPolicy::Disabled, &[]);
        let m = HpaMemory::default();
        assert_eq!(
            convert_with_behavior_rate(&m, 0, 4, 9, 1, 10, &up, &down).0,
            4
        );
        assert_eq!(
            convert_with_behavior_rate(&m, 0, 4, 1, 1, 10, &up, &down),
            (4, Limit::ScaleDownLimit, Some(4))
        );
    }

    #[test]
    fn huge_inputs_do_not_overflow() {
        let up = rules(SelectPolicy::Max, &[(PolicyType::Pods, i64::MAX, 15)]);
        let m = HpaMemory::default();
        let (r, _, _) =
            convert_with_behavior_rate(&m, 0, i64::MAX, i64::MAX, 1, i64::MAX, &up, &up);
        assert_eq!(r, i64::MAX);
        assert_eq!(legacy_scale_up_limit(i64::MAX), i64::MAX);
    }
}
