//! ScaledJob: how many Jobs one poll creates (`IsScaledJobActive`, `getScalingDecision`
//! and the scaling strategies of `scale_jobs.go`). No HPA, no cooldown, no fallback.

use std::fmt::Write;

use crate::model::ScaledJobSpec;
use crate::scalers::{self, MetricType, TriggerInput};

use super::explain::num;
use super::Reading;

/// One trigger's contribution in a poll.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct JobTriggerSample {
    pub queue_length: f64,
    /// The AverageValue target (Value targets count as 0).
    pub target: f64,
    pub active: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct JobDecision {
    pub is_active: bool,
    pub error: bool,
    /// `ceil(queueLength)`.
    pub queue_length: i64,
    /// `ceil(maxValue)`.
    pub max_scale: i64,
    pub effective_max_scale: i64,
    pub jobs_created: i64,
}

/// Scaler targets and activations for a ScaledJob's triggers.
#[derive(Clone, Debug)]
pub struct ScaledJobEngine {
    pub spec: ScaledJobSpec,
    targets: Vec<Option<(f64, f64)>>,
    last: Option<(JobDecision, String)>,
    pub last_active_time: Option<i64>,
}

impl ScaledJobSpec {
    /// `MinReplicaCount()`: min(min, max).
    pub fn min_jobs(&self) -> i64 {
        self.min_replica_count
            .unwrap_or(0)
            .min(self.max_replica_count)
    }

    /// `MaxReplicaCount()`: the room above min.
    pub fn max_jobs(&self) -> i64 {
        let min = self.min_replica_count.unwrap_or(0);
        if min <= self.max_replica_count {
            self.max_replica_count.saturating_sub(min)
        } else {
            self.max_replica_count
        }
    }
}

/// Combines the triggers (`multipleScalersCalculation`) and applies the strategy.
pub fn decide(
    spec: &ScaledJobSpec,
    samples: &[JobTriggerSample],
    error: bool,
    running: i64,
    pending: i64,
    why: Option<&mut String>,
) -> JobDecision {
    let max_jobs = spec.max_jobs() as f64;
    let per: Vec<(f64, f64, bool)> = samples
        .iter()
        .map(|s| {
            let mv = if s.target == 0.0 {
                0.0
            } else {
                (s.queue_length / s.target).min(max_jobs)
            };
            (s.queue_length, mv, s.active)
        })
        .collect();
    let (mut queue, mut max_value, mut active) = (0.0f64, 0.0f64, false);
    let calc = spec.scaling_strategy.multiple_scalers_calculation.as_str();
    match calc {
        "min" => {
            for &(q, m, a) in &per {
                if (queue == 0.0 || q < queue) && a {
                    (queue, max_value, active) = (q, m, a);
                }
            }
        }
        "avg" | "sum" => {
            let mut n = 0;
            for &(q, m, a) in &per {
                if a {
                    queue += q;
                    max_value += m;
                    active = true;
                    n += 1;
                }
            }
            if calc == "avg" && n > 0 {
                queue /= n as f64;
                max_value /= n as f64;
            }
        }
        _ => {
            for &(q, m, a) in &per {
                if q > queue && a {
                    (queue, max_value, active) = (q, m, a);
                }
            }
        }
    }
    let min_jobs = spec.min_jobs();
    if min_jobs > 0 {
        active = true;
    }
    max_value = max_value.min(max_jobs);
    let queue_length = queue.ceil() as i64;
    let max_scale = max_value.ceil() as i64;
    let max_i = spec.max_jobs();
    let (effective, scale_to, how) = if running < min_jobs {
        let n = min_jobs.saturating_sub(running);
        (
            n,
            n,
            format!("running {running} < minReplicaCount {min_jobs} -> create {n}"),
        )
    } else {
        let r = running.saturating_sub(min_jobs);
        strategy(spec, max_scale, queue_length, r, pending, max_i)
    };
    let effective = effective.max(0);
    let jobs_created = if active && effective > 0 {
        scale_to.min(effective)
    } else {
        0
    };
    if let Some(w) = why {
        let _ = write!(
            w,
            "keda: {} queueLength {}, maxValue {} (cap {max_i}); {how}; ",
            if calc.is_empty() { "max" } else { calc },
            num(queue),
            num(max_value)
        );
        let _ = if active {
            write!(
                w,
                "create min(scaleTo {scale_to}, {effective}) = {jobs_created}"
            )
        } else {
            write!(w, "inactive: create none")
        };
    }
    JobDecision {
        is_active: active,
        error,
        queue_length,
        max_scale,
        effective_max_scale: effective,
        jobs_created,
    }
}

fn strategy(
    spec: &ScaledJobSpec,
    max_scale: i64,
    queue_length: i64,
    r: i64,
    pending: i64,
    max_jobs: i64,
) -> (i64, i64, String) {
    let st = &spec.scaling_strategy;
    match st.strategy.as_str() {
        "custom" => {
            let pct = st
                .custom_scaling_running_job_percentage
                .as_deref()
                .and_then(|p| crate::decfloat::parse_f64(p.trim()));
            if let Some(pct) = pct {
                let d = st.custom_scaling_queue_length_deduction;
                let e = max_scale
                    .saturating_sub(d)
                    .saturating_sub((r as f64 * pct) as i64)
                    .min(max_jobs);
                return (
                    e,
                    queue_length,
                    format!(
                        "custom: min(maxScale {max_scale} - {d} - int({r}*{}), {max_jobs}) = {e}",
                        num(pct)
                    ),
                );
            }
        }
        "accurate" => {
            return if max_scale.saturating_add(r).saturating_sub(pending) > max_jobs {
                let e = max_jobs.saturating_sub(r);
                (
                    e,
                    queue_length,
                    format!(
                        "accurate: {max_scale}+{r}-{pending} > {max_jobs} -> {max_jobs}-{r} = {e}"
                    ),
                )
            } else {
                let e = max_scale.saturating_sub(pending);
                (e, queue_length, format!("accurate: {max_scale}+{r}-{pending} <= {max_jobs} -> {max_scale}-{pending} = {e}"))
            };
        }
        "eager" => {
            let e = max_jobs
                .saturating_sub(r)
                .saturating_sub(pending)
                .min(max_scale);
            return (
                e,
                max_jobs,
                format!(
                    "eager: min({max_jobs}-{r}-{pending}, {max_scale}) = {e}, scaleTo {max_jobs}"
                ),
            );
        }
        _ => {}
    }
    let e = max_scale.saturating_sub(r);
    (
        e,
        queue_length,
        format!("default: maxScale {max_scale} - running {r} = {e}"),
    )
}

impl ScaledJobEngine {
    pub fn new(spec: &ScaledJobSpec) -> ScaledJobEngine {
        let empty = Default::default();
        let targets = spec
            .triggers
            .iter()
            .map(|t| {
                let input = TriggerInput {
                    trigger_type: &t.trigger_type,
                    index: t.index,
                    metadata: &t.metadata,
                    auth_params: &empty,
                    env: &empty,
                    pod_identity: None,
                    metric_type: t.metric_type.as_deref(),
                    namespace: &spec.namespace,
                };
                scalers::metric(&input).ok().map(|m| {
                    let target = if m.metric_type == MetricType::Value {
                        0.0
                    } else {
                        m.target
                    };
                    (target, m.activation)
                })
            })
            .collect();
        ScaledJobEngine {
            spec: spec.clone(),
            targets,
            last: None,
            last_active_time: None,
        }
    }

    /// One poll: per-trigger readings, then the decision. Errors skip the trigger.
    pub fn poll(
        &mut self,
        t: i64,
        readings: &[Reading],
        running: i64,
        pending: i64,
    ) -> JobDecision {
        let mut error = false;
        let mut samples = Vec::with_capacity(self.targets.len());
        for (i, tg) in self.targets.iter().enumerate() {
            let reading = readings.get(i).copied().unwrap_or(Reading::Value(0.0));
            match (tg, reading.value()) {
                (Some((target, activation)), Some(v)) => samples.push(JobTriggerSample {
                    queue_length: v,
                    target: *target,
                    active: reading.active(*activation).unwrap_or(false),
                }),
                _ => error = true,
            }
        }
        let paused = self
            .spec
            .annotations
            .get("autoscaling.keda.sh/paused")
            .is_some_and(|v| !matches!(v.as_str(), "0" | "f" | "F" | "false" | "FALSE" | "False"));
        let mut why = String::new();
        let d = if paused {
            why.push_str("keda: ScaledJob paused: no Jobs created");
            JobDecision {
                is_active: false,
                error,
                queue_length: 0,
                max_scale: 0,
                effective_max_scale: 0,
                jobs_created: 0,
            }
        } else {
            decide(
                &self.spec,
                &samples,
                error,
                running,
                pending,
                Some(&mut why),
            )
        };
        if d.is_active {
            self.last_active_time = Some(t);
        }
        self.last = Some((d, why));
        d
    }

    /// Per trigger, its `(AverageValue target, activation)`; `None` for a trigger the core
    /// cannot read.
    pub fn targets(&self) -> &[Option<(f64, f64)>] {
        &self.targets
    }

    pub fn explain(&self) -> String {
        self.last
            .as_ref()
            .map(|(_, w)| w.clone())
            .unwrap_or_default()
    }
}
