//! Trace steps from engine outcomes, and the `expect` check.

use std::collections::BTreeMap;

use crate::decide::{Loop, Outcome, Reading, ScaledObjectEngine};

use super::queue::QueueSim;
use super::runner::Inputs;
use super::scenario::{Mismatch, Scenario, TraceStep, TriggerTrace};

pub(super) fn trace_step(
    e: &ScaledObjectEngine,
    inputs: &Inputs,
    o: &Outcome,
    queue: Option<&QueueSim>,
) -> TraceStep {
    let plan = e.plan();
    let detail = e.detail();
    let mut triggers = BTreeMap::new();
    for (i, tp) in plan.triggers.iter().enumerate() {
        let tt = match detail.triggers.get(i).filter(|d| d.evaluated) {
            Some(d) => TriggerTrace {
                value: if d.error { None } else { d.value },
                active: d.active,
                error: d.error,
                fallback: d.fallback,
                failures: d.failures,
            },
            None => {
                let reading = inputs.readings.get(i).copied().unwrap_or(Reading::Error);
                let value = reading.value();
                TriggerTrace {
                    value,
                    active: reading.active(tp.activation).unwrap_or(false),
                    error: value.is_none(),
                    fallback: false,
                    failures: e.state().failures.get(i).copied().unwrap_or(0),
                }
            }
        };
        triggers.insert(tp.key.clone(), tt);
    }
    TraceStep {
        t: o.t,
        loop_kind: match o.kind {
            Loop::Keda => "keda",
            Loop::Hpa => "hpa",
            Loop::Reconcile => "reconcile",
        }
        .to_owned(),
        replicas: o.replicas,
        active: o.active,
        fallback: o.fallback,
        reason: e.explain(),
        triggers,
        queue_length: queue.map(QueueSim::length),
        ready_pods: queue.map(QueueSim::ready_pods),
        oldest_wait_seconds: queue.map(QueueSim::oldest_wait),
        pod_seconds: queue.map(QueueSim::pod_seconds),
    }
}

pub(super) fn check_expectations(s: &Scenario, steps: &[TraceStep]) -> Vec<Mismatch> {
    let mut out = Vec::new();
    for e in &s.expect {
        let found = steps
            .iter()
            .rev()
            .find(|st| st.t == e.t && e.loop_kind.as_deref().is_none_or(|l| l == st.loop_kind));
        if let Some(want) = e.replicas {
            match found {
                Some(st) if st.replicas == want => {}
                _ => out.push(Mismatch {
                    t: e.t,
                    field: "replicas".into(),
                    expected: want.into(),
                    actual: found.map_or(serde_json::Value::Null, |st| st.replicas.into()),
                }),
            }
        }
        if let Some(want) = e.active {
            match found {
                Some(st) if st.active == want => {}
                _ => out.push(Mismatch {
                    t: e.t,
                    field: "active".into(),
                    expected: want.into(),
                    actual: found.map_or(serde_json::Value::Null, |st| st.active.into()),
                }),
            }
        }
    }
    out
}
