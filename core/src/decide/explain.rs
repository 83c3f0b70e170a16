//! The record each tick leaves behind, and its rendering as a reason chain. Recording is a
//! few stores into reused buffers; the words are only produced by [`Detail::render`].

use std::fmt::Write;

use crate::scalers::MetricType;

use super::fallback::TriggerEval;
use super::plan::Plan;
use super::{Action, Limit, Loop, Outcome};

/// One HPA metric's proposal (`computeStatusForExternalMetric`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Proposal {
    /// Trigger index; `None` for the composite metric.
    pub trigger: Option<usize>,
    pub usage: f64,
    pub target: f64,
    pub metric_type: MetricType,
    /// Pods in the ratio: status replicas (AverageValue), ready pods (Value), or the pods
    /// with a sample (cpu/memory).
    pub pods: i64,
    pub ratio: f64,
    pub within: bool,
    /// `None`: the metric is invalid this sync.
    pub replicas: Option<i64>,
    /// cpu/memory: how the pods were grouped and rebalanced (`GetResourceReplicas`).
    pub resource: Option<ResourceCalc>,
}

/// Why a rebalanced Resource proposal kept the current count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kept {
    /// The rebalanced ratio is inside the tolerance.
    Tolerance,
    /// The rebalanced ratio points the other way than the first one.
    Direction,
    /// The rebalanced count points the other way than the ratio (Utilization only).
    Count,
}

/// A Resource metric's pod groups and second pass.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ResourceCalc {
    pub cpu: bool,
    pub groups: super::PodGroups,
    /// What each pod without metrics was counted as (percent or value), when it was.
    pub missing_as: Option<f64>,
    /// Unready pods were counted as using 0 (a scale-up).
    pub unready_as_zero: bool,
    /// The rebalanced usage and ratio, over `counted` pods.
    pub new_usage: Option<f64>,
    pub new_ratio: Option<f64>,
    pub counted: i64,
    pub kept: Option<Kept>,
}

/// How the HPA normalised the combined proposal.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Normalisation {
    pub legacy: bool,
    pub desired: i64,
    pub stabilized: i64,
    pub up_rec: i64,
    pub down_rec: i64,
    /// The scale-up/down limit from the policies (behavior) or max(2c,4) (legacy).
    pub limit: Option<i64>,
    pub result: i64,
    pub reason: Limit,
}

/// What KEDA compared to decide a cooldown.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CooldownCheck {
    pub from: Option<i64>,
    pub period: i64,
    pub initial: bool,
}

#[derive(Clone, Debug)]
pub struct Detail {
    pub kind: Loop,
    pub t: i64,
    pub current: i64,
    pub triggers: Vec<TriggerEval>,
    pub composite: Option<f64>,
    pub composite_error: bool,
    pub proposals: Vec<Proposal>,
    pub norm: Option<Normalisation>,
    pub cooldown: CooldownCheck,
    pub outcome: Option<Outcome>,
}

impl Detail {
    pub fn new(triggers: usize) -> Detail {
        Detail {
            kind: Loop::Keda,
            t: 0,
            current: 0,
            triggers: vec![TriggerEval::default(); triggers],
            composite: None,
            composite_error: false,
            proposals: Vec::with_capacity(triggers + 1),
            norm: None,
            cooldown: CooldownCheck::default(),
            outcome: None,
        }
    }

    pub(crate) fn begin(&mut self, kind: Loop, t: i64, current: i64) {
        self.kind = kind;
        self.t = t;
        self.current = current;
        for e in &mut self.triggers {
            *e = TriggerEval::default();
        }
        self.composite = None;
        self.composite_error = false;
        self.proposals.clear();
        self.norm = None;
        self.cooldown = CooldownCheck::default();
        self.outcome = None;
    }

    pub(crate) fn finish(&mut self, o: Outcome) -> Outcome {
        self.outcome = Some(o);
        o
    }

    /// The reason chain for the last tick.
    pub fn render(&self, plan: &Plan) -> String {
        let mut s = String::with_capacity(160);
        let Some(o) = self.outcome else {
            return s;
        };
        let _ = match self.kind {
            Loop::Keda => self.render_keda(plan, &o, &mut s),
            Loop::Hpa => self.render_hpa(plan, &o, &mut s),
            Loop::Reconcile => render_reconcile(&o, &mut s),
        };
        s
    }

    fn render_triggers(&self, plan: &Plan, hpa: bool, s: &mut String) -> std::fmt::Result {
        let mut first = true;
        for (e, t) in self.triggers.iter().zip(&plan.triggers) {
            if !e.evaluated {
                continue;
            }
            s.push_str(if first { "" } else { "; " });
            first = false;
            if e.placeholder {
                write!(
                    s,
                    "{}: error, failures {} > threshold -> nil for the formula",
                    t.key, e.failures
                )?;
            } else if e.fallback {
                write!(
                    s,
                    "{}: error, failures {} > threshold {} -> fallback replicas {} -> served {}",
                    t.key,
                    e.failures,
                    plan.fallback.as_ref().map_or(0, |f| f.failure_threshold),
                    num(e.fallback_replicas),
                    num(e.value.unwrap_or(0.0))
                )?;
            } else if e.error {
                write!(s, "{}: error", t.key)?;
                if plan.fallback_valid {
                    let threshold = plan.fallback.as_ref().map_or(0, |f| f.failure_threshold);
                    if e.failures > threshold {
                        write!(
                            s,
                            ", failures {} > threshold {threshold} but metricType Value with 0 ready pods: fallback fails",
                            e.failures
                        )?;
                    } else {
                        write!(s, ", failures {} <= threshold {threshold}", e.failures)?;
                    }
                }
            } else if let Some(v) = e.value {
                if e.cached {
                    write!(s, "{}={} (cached from the last poll)", t.key, num(v))?;
                } else if hpa {
                    write!(s, "{}={}", t.key, num(v))?;
                } else {
                    let cmp = if e.active { ">" } else { "<=" };
                    write!(
                        s,
                        "{}={} {} activation {}",
                        t.key,
                        num(v),
                        cmp,
                        num(t.activation)
                    )?;
                }
            }
        }
        if let Some(c) = &plan.composite {
            if let Some(v) = self.composite {
                write!(s, "; formula {} -> {}", c.formula, num(v))?;
            } else if self.composite_error {
                s.push_str("; composite metric unavailable (a trigger errored)");
            }
        }
        Ok(())
    }

    fn render_keda(&self, plan: &Plan, o: &Outcome, s: &mut String) -> std::fmt::Result {
        s.push_str("keda: ");
        if !o.evaluated {
            s.push_str("scale loop stopped (paused): nothing evaluated");
            return Ok(());
        }
        self.render_triggers(plan, false, s)?;
        if let (Some(c), Some(v)) = (&plan.composite, self.composite) {
            match &c.activation_target {
                Ok(at) => {
                    let cmp = if v > *at { ">" } else { "not >" };
                    write!(
                        s,
                        "; composite {} {cmp} activationTarget {}",
                        num(v),
                        num(*at)
                    )?;
                }
                Err(e) => write!(s, "; {e}")?,
            }
        }
        let state = match (o.active, o.error) {
            (true, false) => "active",
            (true, true) => "active with a trigger error",
            (false, true) => "inactive (trigger error)",
            (false, false) => "inactive",
        };
        write!(s, " => {state}")?;
        let c = self.current;
        match o.action {
            Action::ScaleFromZero => write!(
                s,
                "; current {c} -> KEDA scales to {}; lastActiveTime := {}",
                o.replicas, self.t
            ),
            Action::ScaleToZero | Action::ScaleToIdle => {
                let what = if o.action == Action::ScaleToIdle {
                    "idleReplicaCount"
                } else {
                    "minReplicaCount"
                };
                self.render_cooldown(true, s)?;
                write!(s, " -> KEDA scales {c} -> {} ({what})", o.replicas)
            }
            Action::Cooldown => self.render_cooldown(false, s),
            Action::ScaleToMin => write!(s, "; current {c} < minReplicaCount -> {}", o.replicas),
            Action::PausedScaleIn => s.write_str("; paused-scale-in: no scale to zero/idle"),
            Action::PausedScaleOut => s.write_str("; paused-scale-out: no scale from zero/idle"),
            _ if o.active && o.error => s.write_str(
                "; Ready=Unknown PartialTriggerError, lastActiveTime not refreshed; HPA owns replicas",
            ),
            _ if o.active => write!(s, "; lastActiveTime := {}; HPA owns replicas ({c})", self.t),
            _ if o.error && plan.fallback.as_ref().is_some_and(|f| f.replicas != 0) => {
                s.write_str("; waiting for fallback failureThreshold: no scaling")
            }
            _ if o.error => s.write_str("; Ready=False TriggerError: never scales to zero while erroring"),
            _ => write!(s, "; nothing to do (current {c})"),
        }
    }

    fn render_cooldown(&self, passed: bool, s: &mut String) -> std::fmt::Result {
        let cd = self.cooldown;
        let (what, from) = match cd.from {
            Some(f) if cd.initial => ("creation", f),
            Some(f) => ("lastActiveTime", f),
            None => return Ok(()),
        };
        let period = if cd.initial {
            "initialCooldownPeriod"
        } else {
            "cooldown"
        };
        let end = from.saturating_add(cd.period);
        if passed {
            write!(
                s,
                "; {what} {from} + {period} {} = {end} < {}",
                cd.period, self.t
            )
        } else {
            write!(
                s,
                "; cooling down: {what} {from} + {period} {} = {end} is not < {}",
                cd.period, self.t
            )
        }
    }

    fn render_hpa(&self, plan: &Plan, o: &Outcome, s: &mut String) -> std::fmt::Result {
        s.push_str("hpa: ");
        let c = self.current;
        match o.action {
            Action::NotEvaluated => return s.write_str("HPA deleted (paused): no sync"),
            Action::HpaDisabled => {
                return s
                    .write_str("replicas 0 and minReplicas > 0: ScalingDisabled, KEDA owns 0<->1")
            }
            _ => {}
        }
        if self.proposals.is_empty() {
            let why = if c > plan.hpa_max {
                "above maxReplicas"
            } else {
                "below minReplicas"
            };
            return write!(s, "current {c} {why} -> {}", o.replicas);
        }
        let before = s.len();
        self.render_triggers(plan, true, s)?;
        // cpu/memory alone: KEDA serves nothing, the HPA reads the pods itself.
        if s.len() > before {
            s.push_str(" | ");
        }
        for (k, p) in self.proposals.iter().enumerate() {
            if k > 0 {
                s.push_str("; ");
            }
            let name = match p.trigger.and_then(|i| plan.triggers.get(i)) {
                Some(t) => t.metric_name.as_str(),
                None => "composite-metric",
            };
            if let Some(rc) = &p.resource {
                render_resource(name, p, rc, plan, s)?;
                continue;
            }
            let Some(r) = p.replicas else {
                write!(s, "{name}: KEDA returned an error")?;
                continue;
            };
            match (p.metric_type, p.within) {
                (MetricType::Value, true) => write!(
                    s,
                    "{name}: Value {}/{}={:.4} inside tolerance -> keep {r}",
                    num(p.usage),
                    num(p.target),
                    p.ratio
                )?,
                (MetricType::Value, false) => write!(
                    s,
                    "{name}: Value {}/{}={:.4} -> ceil({:.4}*{} ready pods)={r}",
                    num(p.usage),
                    num(p.target),
                    p.ratio,
                    p.ratio,
                    p.pods
                )?,
                (_, true) => write!(
                    s,
                    "{name}: {}/({}*{} pods)={:.4} inside tolerance [{},{}] -> keep {r}",
                    num(p.usage),
                    num(p.target),
                    p.pods,
                    p.ratio,
                    num(1.0 - plan.tolerance.0),
                    num(1.0 + plan.tolerance.1)
                )?,
                (_, false) => write!(s, "{name}: ceil({}/{})={r}", num(p.usage), num(p.target))?,
            }
        }
        if o.action == Action::HpaNoMetrics {
            return s.write_str(" => missing metrics: no scaling, no recommendation stored");
        }
        let Some(n) = self.norm else {
            return Ok(());
        };
        write!(s, " => desired {}", n.desired)?;
        if n.legacy {
            write!(s, "; stabilized max over 300s = {}", n.stabilized)?;
            let up = super::rules::legacy_scale_up_limit(c);
            match n.reason {
                Limit::ScaleUpLimit => {
                    write!(s, "; scale-up limit max(2*{c},4)={up} -> {}", n.result)
                }
                Limit::TooManyReplicas => write!(s, " > max {} -> {}", plan.hpa_max, n.result),
                Limit::TooFewReplicas => write!(s, " < min {} -> {}", plan.hpa_min, n.result),
                _ => write!(s, " -> {}", n.result),
            }
        } else {
            if n.stabilized != n.desired {
                write!(
                    s,
                    "; stabilized: current {c} into [{}, {}] -> {}",
                    n.up_rec, n.down_rec, n.stabilized
                )?;
            }
            match (n.reason, n.limit) {
                (Limit::ScaleUpLimit, Some(l)) => {
                    write!(s, "; scale-up policies limit {l} -> {}", n.result)
                }
                (Limit::ScaleDownLimit, Some(l)) => {
                    write!(s, "; scale-down policies limit {l} -> {}", n.result)
                }
                (Limit::TooManyReplicas, _) => write!(s, " > max {} -> {}", plan.hpa_max, n.result),
                (Limit::TooFewReplicas, _) => write!(s, " < min {} -> {}", plan.hpa_min, n.result),
                _ => write!(s, " -> {}", n.result),
            }
        }
    }
}

fn render_resource(
    name: &str,
    p: &Proposal,
    rc: &ResourceCalc,
    plan: &Plan,
    s: &mut String,
) -> std::fmt::Result {
    let g = rc.groups;
    let unit = if p.metric_type == MetricType::Utilization {
        "%"
    } else {
        ""
    };
    write!(s, "{name}: ")?;
    if g.unready > 0 || g.missing > 0 {
        write!(s, "{} pods with metrics", g.with_metrics)?;
        if g.unready > 0 {
            let what = if rc.cpu { "not ready" } else { "pending" };
            write!(s, ", {} {what} set aside", g.unready)?;
        }
        if g.missing > 0 {
            write!(s, ", {} without metrics", g.missing)?;
        }
        s.push_str("; ");
    }
    let Some(r) = p.replicas else {
        if g.with_metrics <= 0 {
            return s.write_str("no metrics for any ready pod: invalid");
        }
        return s.write_str("no metrics: invalid");
    };
    write!(
        s,
        "{}{unit}/{}{unit}={:.4}",
        num(p.usage),
        num(p.target),
        p.ratio
    )?;
    let (Some(nu), Some(nr)) = (rc.new_usage, rc.new_ratio) else {
        if p.within {
            return write!(
                s,
                " inside tolerance [{},{}] -> keep {r}",
                num(1.0 - plan.tolerance.0),
                num(1.0 + plan.tolerance.1)
            );
        }
        return write!(s, " -> ceil({:.4}*{} pods)={r}", p.ratio, g.with_metrics);
    };
    let dir = if p.ratio > 1.0 {
        "scale-up"
    } else {
        "scale-down"
    };
    write!(s, "; rebalanced for a {dir}:")?;
    if let Some(m) = rc.missing_as {
        write!(s, " without metrics as {}{unit},", num(m))?;
    }
    if rc.unready_as_zero {
        write!(s, " unready as 0{unit},")?;
    }
    write!(
        s,
        " {}{unit}/{}{unit}={nr:.4} over {} pods",
        num(nu),
        num(p.target),
        rc.counted
    )?;
    match rc.kept {
        Some(Kept::Tolerance) => write!(s, " inside tolerance -> keep {r}"),
        Some(Kept::Direction) => write!(s, " changes direction -> keep {r}"),
        Some(Kept::Count) => write!(
            s,
            " but ceil({nr:.4}*{})={} goes the other way -> keep {r}",
            rc.counted,
            super::hpa::ceil_replicas(nr * rc.counted as f64)
        ),
        None => write!(s, " -> ceil({nr:.4}*{})={r}", rc.counted),
    }
}

fn render_reconcile(o: &Outcome, s: &mut String) -> std::fmt::Result {
    match o.action {
        Action::PausedReplicas => write!(
            s,
            "reconcile: paused-replicas: loop stopped, HPA deleted, replicas -> {}",
            o.replicas
        ),
        Action::NotEvaluated => write!(
            s,
            "reconcile: paused: loop stopped, HPA deleted, replicas frozen at {}",
            o.replicas
        ),
        Action::Restore => write!(s, "delete: restoreToOriginalReplicaCount -> {}", o.replicas),
        _ if o.evaluated => write!(
            s,
            "reconcile: not paused: HPA (re)created, scale loop running ({} replicas)",
            o.replicas
        ),
        _ => write!(s, "reconcile: {} replicas", o.replicas),
    }
}

/// A number without a trailing `.0`.
pub fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}
