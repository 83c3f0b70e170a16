//! The KEDA loop and the HPA replayed with the core's engine from what the cluster shows, and
//! the answer: which rule holds the replicas, what happens next, where the cluster disagrees.

use scalecore::decide::state::{Recommendation, ScaleEvent};
use scalecore::decide::{
    Action, Initial, Limit, Loop, Observed, Outcome, Reading, ScaledObjectEngine,
};
use serde_json::Value;

use super::live::{quantity, EventView, Live, Served};
use super::report::{Disagreement, LoopView, MetricView, Next, ObjectView, Report, Rule};
use crate::run::clock::{parse_rfc3339, rfc3339};
use crate::run::objects::ScaledObject;

/// The HPA controller's default `--horizontal-pod-autoscaler-sync-period`.
pub const HPA_SYNC_PERIOD: i64 = 15;
/// How far ahead `next` looks for a change, with the metrics as they are now.
const LOOKAHEAD: i64 = 3600;

fn s<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

fn condition<'a>(obj: &'a Value, kind: &str) -> Option<&'a Value> {
    obj.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
}

/// `(status, reason, message, lastTransitionTime)` of a condition.
fn cond(obj: &Value, kind: &str) -> Option<(String, String, String, Option<i64>)> {
    let c = condition(obj, kind)?;
    let f = |k: &str| {
        c.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    Some((
        f("status"),
        f("reason"),
        f("message"),
        c.get("lastTransitionTime")
            .and_then(Value::as_str)
            .and_then(parse_rfc3339),
    ))
}

/// The value the HPA last saw for a metric, from its `status.currentMetrics`.
fn hpa_current(hpa: &Value, metric: &str, resource: Option<&str>) -> Option<f64> {
    let items = hpa.pointer("/status/currentMetrics")?.as_array()?;
    items.iter().find_map(|m| match resource {
        Some(r) => {
            let res = m.get("resource")?;
            (res.get("name")?.as_str()? == r).then_some(())?;
            let cur = res.get("current")?;
            cur.get("averageUtilization")
                .and_then(Value::as_f64)
                .or_else(|| {
                    cur.get("averageValue")
                        .and_then(Value::as_str)
                        .and_then(quantity)
                })
        }
        None => {
            let ext = m.get("external")?;
            (ext.pointer("/metric/name")?.as_str()? == metric).then_some(())?;
            let cur = ext.get("current")?;
            cur.get("averageValue")
                .or_else(|| cur.get("value"))
                .and_then(Value::as_str)
                .and_then(quantity)
        }
    })
}

/// `(time, new size, old size when the message says)` of the scale writes the Events report,
/// oldest first: the HPA's `New size: N` and KEDA's `from A to B`.
fn rescales(events: &[EventView]) -> Vec<(i64, i64, Option<i64>)> {
    let mut out: Vec<(i64, i64, Option<i64>)> = events
        .iter()
        .filter_map(|e| {
            let t = e.t?;
            let m = &e.message;
            if let Some(rest) = m.split("New size: ").nth(1) {
                let n = leading_number(rest)?;
                return Some((t, n, None));
            }
            let rest = m.split(" from ").nth(1)?;
            let mut words = rest.split_whitespace();
            let from = leading_number(words.next()?)?;
            (words.next()? == "to").then_some(())?;
            let to = leading_number(words.next()?)?;
            Some((t, to, Some(from)))
        })
        .collect();
    out.sort_by_key(|r| r.0);
    out
}

/// `12` of `12,` / `12:` / `12; reason`.
fn leading_number(word: &str) -> Option<i64> {
    word.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// The value `key=V` the newest Event of `object` reports (`scalecore run` writes the reason
/// chain into its Events), with the Event's time.
fn value_in_events(events: &[EventView], object: &str, key: &str) -> Option<(f64, String)> {
    let needle = format!("{key}=");
    events.iter().filter(|e| e.object == object).find_map(|e| {
        let at = e.message.find(&needle)?;
        // A whole key, not the tail of another one.
        let before = e.message[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return None;
        }
        let rest = &e.message[at + needle.len()..];
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let v: f64 = rest[..end].parse().ok().filter(|v: &f64| v.is_finite())?;
        Some((v, e.time.clone().unwrap_or_default()))
    })
}

struct Inputs {
    readings: Vec<Reading>,
    metrics: Vec<MetricView>,
    disagreements: Vec<Disagreement>,
}

fn readings(so: &ScaledObject, engine: &ScaledObjectEngine, live: &Live) -> Inputs {
    let plan = engine.plan();
    let mut out = Inputs {
        readings: Vec::with_capacity(plan.triggers.len()),
        metrics: Vec::new(),
        disagreements: Vec::new(),
    };
    let health = live.scaled_object.pointer("/status/health");
    for t in &plan.triggers {
        let failing = health
            .and_then(|h| h.get(&t.metric_name))
            .and_then(|h| h.get("status"))
            .and_then(Value::as_str)
            == Some("Failing");
        let served = live
            .metrics
            .iter()
            .find(|(m, _)| *m == t.metric_name)
            .map(|(_, s)| s.clone());
        let from_hpa = live.hpa.as_ref().and_then(|h| {
            let res = t.resource.then_some(if t.cpu { "cpu" } else { "memory" });
            hpa_current(h, &t.metric_name, res)
        });
        if let (true, Some(Served::Error(e))) = (failing, &served) {
            out.disagreements.push(missing_metric(&t.metric_name, e));
        }
        let (reading, value, source, error) = if failing {
            let n = so.failures.get(&t.metric_name).copied().unwrap_or(0);
            (
                Reading::Error,
                None,
                "status.health",
                Some(format!("the scaler is failing ({n} failures in a row)")),
            )
        } else if t.resource {
            match from_hpa {
                Some(v) => (
                    Reading::Value(v),
                    Some(v),
                    "hpa status.currentMetrics",
                    None,
                ),
                None => (
                    Reading::Error,
                    None,
                    "none",
                    Some("the HPA reports no current value".into()),
                ),
            }
        } else {
            match (served, from_hpa) {
                (Some(Served::Value(v)), _) => {
                    (Reading::Value(v), Some(v), "external.metrics.k8s.io", None)
                }
                (Some(Served::Error(e)), Some(v)) => {
                    out.disagreements.push(missing_metric(&t.metric_name, &e));
                    (
                        Reading::Value(v),
                        Some(v),
                        "hpa status.currentMetrics",
                        Some(e),
                    )
                }
                (Some(Served::Error(e)), None) => {
                    out.disagreements.push(missing_metric(&t.metric_name, &e));
                    (Reading::Error, None, "none", Some(e))
                }
                (None, Some(v)) => (
                    Reading::Value(v),
                    Some(v),
                    "hpa status.currentMetrics",
                    None,
                ),
                (None, None) => (Reading::Error, None, "none", Some("not read".into())),
            }
        };
        let from_events = live.scalecore_manages && live.hpa.is_none() && !failing;
        let (reading, value, source, error) = match reading {
            Reading::Error if from_events => match value_in_events(&live.events, &so.name, &t.key) {
                Some((v, time)) => (
                    Reading::Value(v),
                    Some(v),
                    "event",
                    Some(format!(
                        "scalecore run serves no external metrics: the value its Event of {time} reports"
                    )),
                ),
                None => (reading, value, source, error),
            },
            _ => (reading, value, source, error),
        };
        out.readings.push(reading);
        out.metrics.push(MetricView {
            trigger: t.key.clone(),
            metric: t.metric_name.clone(),
            metric_type: format!("{:?}", t.metric_type),
            value,
            source,
            error,
            target: t.target,
            activation: t.activation,
        });
    }
    out
}

fn missing_metric(metric: &str, error: &str) -> Disagreement {
    let cause = if error.starts_with("404") {
        "KEDA's metrics server does not serve this ScaledObject's metric: KEDA's metrics API server \
         (APIService v1beta1.external.metrics.k8s.io) is not running or not registered, or KEDA \
         does not manage this ScaledObject (`scalecore run` scales the target itself and serves no \
         external metrics)"
    } else if error.starts_with("500") || error.starts_with("503") {
        "the scaler fails when KEDA's metrics server asks it: see the ScaledObject's Events and \
         status.health"
    } else {
        "the external metrics API could not be read with these credentials"
    };
    Disagreement {
        what: format!("external.metrics.k8s.io has no value for {metric}: {error}"),
        likely_cause: cause.into(),
    }
}

/// Rebuilds the HPA controller's memory the API does not show: the recommendation the
/// stabilization window holds and the scale events the policies count. Returns what was
/// estimated, in words.
fn restore_hpa_memory(
    engine: &mut ScaledObjectEngine,
    live: &Live,
    current: i64,
    now: i64,
) -> Vec<String> {
    let mut notes = Vec::new();
    let hpa = live.hpa.as_ref();
    let last_scale = hpa
        .and_then(|h| s(h, "/status/lastScaleTime"))
        .and_then(parse_rfc3339);
    let stabilized_since = hpa
        .and_then(|h| cond(h, "AbleToScale"))
        .filter(|c| c.1 == "ScaleDownStabilized")
        .and_then(|c| c.3);
    let scales = rescales(&live.events);
    let held_since = match (stabilized_since, last_scale, scales.last()) {
        // The window began holding at this transition: the last higher recommendation was
        // made at the sync before it.
        (Some(t), _, _) => {
            let t = t - HPA_SYNC_PERIOD;
            notes.push(format!(
                "the HPA's recommendation of {current} is taken as made at {} (one sync before its \
                 AbleToScale=ScaleDownStabilized transition); the controller keeps the exact history in memory only",
                rfc3339(t)
            ));
            Some(t)
        }
        (None, Some(t), _) => {
            notes.push(format!(
                "the HPA's recommendation of {current} is taken as made at its lastScaleTime {}; \
                 it may have been repeated later, so the window may end later",
                rfc3339(t)
            ));
            Some(t)
        }
        (None, None, Some(&(t, n, _))) if n == current => {
            notes.push(format!(
                "the recommendation of {current} is taken as made at the last scale Event ({}); \
                 it may have been repeated later, so the window may end later",
                rfc3339(t)
            ));
            Some(t)
        }
        _ => None,
    };
    // An HPA that exists has been synced before: its controller's memory is not empty, even
    // when nothing here tells what it holds.
    engine.state_mut().hpa.initialized = hpa.is_some() || held_since.is_some();
    let window = engine
        .plan()
        .behavior
        .as_ref()
        .map_or(scalecore::decide::plan::DOWNSCALE_WINDOW, |b| b.down.window);
    let Some(held_since) = held_since.filter(|t| *t <= now) else {
        return notes;
    };
    if held_since + window < now {
        // Out of the window already: it holds nothing, and nothing was estimated.
        notes.clear();
    }
    let longest = engine
        .plan()
        .behavior
        .as_ref()
        .map_or(0, |b| b.up.longest_period.max(b.down.longest_period));
    let memory = &mut engine.state_mut().hpa;
    memory.recommendations.push(Recommendation {
        t: held_since,
        replicas: current,
    });
    let mut prev: Option<i64> = None;
    let mut counted = 0;
    for &(t, to, from) in &scales {
        let from = from.or(prev);
        prev = Some(to);
        let Some(from) = from else { continue };
        if t > now || now - t > longest {
            continue;
        }
        let event = ScaleEvent {
            t,
            change: (to - from).abs(),
            outdated: false,
        };
        if to > from {
            memory.up_events.push(event);
        } else if to < from {
            memory.down_events.push(event);
        }
        counted += 1;
    }
    if counted > 0 {
        notes.push(format!(
            "the scale-up/down policies count the {counted} scale write(s) the Events report in their periods"
        ));
    }
    notes
}

fn loop_view(o: &Outcome, reason: String) -> LoopView {
    LoopView {
        action: o.action.name(),
        replicas: o.replicas,
        active: o.active,
        fallback: o.fallback,
        desired: o.prenormalized,
        stabilized: o.stabilized,
        limit: o.limit.map(Limit::name),
        reason,
    }
}

/// A rule that holds for as long as its cause stays.
fn fixed(rule: &'static str, replicas: i64, text: String) -> Rule {
    Rule {
        rule,
        replicas: Some(replicas),
        seconds_left: None,
        until: None,
        estimated: false,
        text,
    }
}

fn rule(
    rule: &'static str,
    replicas: Option<i64>,
    until: Option<i64>,
    now: i64,
    estimated: bool,
    text: String,
) -> Rule {
    Rule {
        rule,
        replicas,
        seconds_left: until.map(|u| (u - now).max(0)),
        until: until.map(rfc3339),
        estimated,
        text,
    }
}

/// The first change the two loops make from `now` on, metrics as they are now.
fn next(
    mut engine: ScaledObjectEngine,
    readings: &[Reading],
    ready_ratio: Option<(i64, i64)>,
    now: i64,
    estimated: bool,
) -> Option<Next> {
    let polling = engine.plan().polling_interval.max(1);
    // Both loops' next ticks are due within one period; they are taken as due now.
    let (mut keda_t, mut hpa_t) = (now, now);
    while keda_t.min(hpa_t) <= now + LOOKAHEAD {
        let current = engine.state().replicas;
        // Pods that were not ready stay so; new pods are taken as ready.
        let ready = ready_ratio.map(|(ready, total)| current - (total - ready).clamp(0, current));
        let observed = Observed {
            ready_pods: ready,
            ..Observed::replicas(current)
        };
        let (t, o) = if keda_t <= hpa_t {
            let t = keda_t;
            keda_t += polling;
            (t, engine.keda_poll(t, readings, observed))
        } else {
            let t = hpa_t;
            hpa_t += HPA_SYNC_PERIOD;
            (t, engine.hpa_sync(t, readings, observed))
        };
        if o.replicas != current {
            return Some(Next {
                in_seconds: t - now,
                at: rfc3339(t),
                loop_: o.kind.name(),
                from: current,
                to: o.replicas,
                reason: engine.explain(),
                estimated,
            });
        }
        if !engine.state().loop_running && !engine.state().hpa_exists {
            return None;
        }
    }
    None
}

/// Replays the ScaledObject at `now` (Unix seconds) from what was read.
pub fn replay(so: &ScaledObject, live: &Live, now: i64) -> Report {
    let obj = &live.scaled_object;
    let hpa_name = so.spec.hpa_name();
    let mut disagreements = Vec::new();
    let mut estimates = Vec::new();
    let spec_replicas = live
        .scale
        .as_ref()
        .and_then(|s| s.pointer("/spec/replicas"))
        .and_then(Value::as_i64);
    let hpa_current_replicas = live
        .hpa
        .as_ref()
        .and_then(|h| h.pointer("/status/currentReplicas"))
        .and_then(Value::as_i64);
    if let Some(e) = &live.scale_error {
        disagreements.push(Disagreement {
            what: format!(
                "{} {}'s /scale could not be read: {e}",
                so.target.kind, so.target.name
            ),
            likely_cause:
                "the scaleTargetRef names a missing object, or a kind without a /scale subresource"
                    .into(),
        });
    }
    let current = spec_replicas.or(hpa_current_replicas).unwrap_or(0);
    let status_replicas = live
        .scale
        .as_ref()
        .and_then(|s| s.pointer("/status/replicas"))
        .and_then(Value::as_i64);
    // The pods when the selector finds any, else the workload's own count.
    let ready = match live.pods_total {
        Some(n) if n > 0 => live.pods_ready,
        _ => live.target_ready.or(live.pods_ready),
    };
    let observed = Observed {
        replicas: current,
        ready_pods: ready,
        status_replicas,
        pending_pods: live.pods_pending,
        pods_without_metrics: None,
    };
    let creation = s(obj, "/metadata/creationTimestamp")
        .and_then(parse_rfc3339)
        .unwrap_or(i64::MIN / 2);
    let mut engine = ScaledObjectEngine::new(
        &so.spec,
        Initial {
            replicas: current,
            last_active_time: so.last_active_time,
            creation_time: creation,
        },
    );
    let inputs = readings(so, &engine, live);
    if live.scalecore_manages && live.hpa.is_none() {
        estimates.push(
            "scalecore run manages this ScaledObject: it plays the HPA in its own process and serves no \
             external metrics, so the metric values and the HPA's history come from its Events"
                .into(),
        );
    } else {
        disagreements.extend(inputs.disagreements);
    }
    let failures: Vec<i64> = engine
        .plan()
        .triggers
        .iter()
        .zip(&inputs.readings)
        .map(|(t, r)| {
            let n = so.failures.get(&t.metric_name).copied().unwrap_or(0);
            // The replayed poll counts the current failure again.
            if *r == Reading::Error {
                (n - 1).max(0)
            } else {
                n
            }
        })
        .collect();
    engine.restore_failures(&failures);
    let mut holding = Vec::new();
    let plan = engine.plan().clone();
    let paused = plan.pause.stops_loop();
    if paused {
        // A paused object has no HPA, so nothing asks KEDA's metrics server for its metrics.
        disagreements.retain(|d: &Disagreement| !d.what.starts_with("external.metrics.k8s.io"));
    }
    if !paused {
        estimates.extend(restore_hpa_memory(&mut engine, live, current, now));
    }

    let before = engine.clone();
    // What KEDA's poll compared for its cooldown: (from, period, initialCooldownPeriod).
    let mut cooldown = None;
    let (keda, keda_reason, hpa_outcome) = if paused {
        let o = engine.reconcile(now, &so.spec.annotations, observed);
        let text = match plan.pause.paused_replicas.as_ref() {
            Some(Ok(n)) => format!(
                "the annotation autoscaling.keda.sh/paused-replicas: \"{n}\" stops KEDA's loop and deletes the HPA; the target is held at {n}"
            ),
            Some(Err(e)) => format!("autoscaling.keda.sh/paused-replicas is not a number ({e}): KEDA refuses it"),
            None => format!(
                "the annotation autoscaling.keda.sh/paused: \"true\" stops KEDA's loop and deletes the HPA; the replicas stay at {}",
                o.replicas
            ),
        };
        holding.push(fixed("paused", o.replicas, text));
        (o, engine.explain(), None)
    } else {
        let o = engine.keda_poll(now, &inputs.readings, observed);
        let reason = engine.explain();
        cooldown = engine.detail().cooldown.from.map(|from| {
            let c = engine.detail().cooldown;
            (from, c.period, c.initial)
        });
        let hpa = engine.state().hpa_exists.then(|| {
            let observed = Observed {
                replicas: o.replicas,
                ..observed
            };
            let h = engine.hpa_sync(now, &inputs.readings, observed);
            (h, engine.explain())
        });
        (o, reason, hpa)
    };

    if let (Action::Cooldown, Some((from, period, initial))) = (keda.action, cooldown) {
        let (what, since) = if initial {
            ("initialCooldownPeriod", "creation")
        } else {
            ("cooldownPeriod", "lastActiveTime")
        };
        let until = from.saturating_add(period);
        let to = plan.idle.unwrap_or(plan.min);
        holding.push(rule(
            "cooldown",
            Some(current),
            Some(until),
            now,
            false,
            format!(
                "every trigger is inactive, but KEDA waits for the {what} ({period} s) after {since} before it scales {current} -> {to}"
            ),
        ));
    }
    if !paused
        && !keda.active
        && !keda.error
        && current == plan.idle.unwrap_or(plan.min)
        && keda.action != Action::Cooldown
    {
        let text = format!(
            "no trigger is above its activation threshold, so KEDA keeps the target at {current}"
        );
        holding.push(fixed("activation", current, text));
    }
    if keda.fallback {
        let f = plan.fallback.as_ref();
        holding.push(rule(
            "fallback",
            f.map(|f| f.replicas),
            None,
            now,
            false,
            format!(
                "a trigger failed more than failureThreshold {} times in a row: the metric is served as fallback.replicas {}",
                f.map_or(0, |f| f.failure_threshold),
                f.map_or(0, |f| f.replicas)
            ),
        ));
    }
    if let Some((h, _)) = &hpa_outcome {
        hpa_rules(&engine, &plan, h, now, &mut holding);
    }

    if let Some(hpa) = &live.hpa {
        if let (Some(desired), Some((h, _))) = (
            hpa.pointer("/status/desiredReplicas")
                .and_then(Value::as_i64),
            &hpa_outcome,
        ) {
            if desired != h.replicas && h.action != Action::HpaDisabled {
                disagreements.push(Disagreement {
                    what: format!(
                        "the HPA's status.desiredReplicas is {desired}; the engine computes {} from the metrics read now",
                        h.replicas
                    ),
                    likely_cause: "the metric moved since the HPA's last sync (every 15 s), or the \
                                   controller's recommendation history differs from the estimate here"
                        .into(),
                });
            }
        }
        if let Some((st, reason, message, _)) =
            cond(hpa, "ScalingActive").filter(|c| c.0 == "False")
        {
            let cause = match reason.as_str() {
                "FailedGetExternalMetric" => {
                    "KEDA's metrics server did not answer the metric: the scaler errors (see the \
                     ScaledObject's Events and status.health) or keda-operator-metrics-apiserver \
                     is unreachable"
                }
                "ScalingDisabled" => {
                    "the target is at 0 replicas: the HPA does nothing until KEDA activates it"
                }
                _ => "see the HPA's message",
            };
            disagreements.push(Disagreement {
                what: format!("the HPA reports ScalingActive={st} ({reason}): {message}"),
                likely_cause: cause.into(),
            });
        }
        if let (Some(a), Some(b)) = (hpa_current_replicas, spec_replicas) {
            if a != b {
                disagreements.push(Disagreement {
                    what: format!(
                        "the HPA's status.currentReplicas is {a}, the target's spec.replicas is {b}"
                    ),
                    likely_cause:
                        "the target was scaled after the HPA's last sync (by KEDA, or by hand)"
                            .into(),
                });
            }
        }
    } else if !paused && !live.scalecore_manages {
        disagreements.push(Disagreement {
            what: format!("there is no HPA {hpa_name}"),
            likely_cause:
                "KEDA has not created it (see the ScaledObject's Ready condition and Events), or \
                           `scalecore run` manages this ScaledObject and plays the HPA itself"
                    .into(),
        });
    }
    if let Some((st, reason, message, _)) = cond(obj, "Ready").filter(|c| c.0 != "True") {
        disagreements.push(Disagreement {
            what: format!("the ScaledObject is Ready={st} ({reason}): {message}"),
            likely_cause: "KEDA cannot build or query a scaler: see its Events".into(),
        });
    }

    let ready_ratio = ready.zip(live.pods_total.filter(|n| *n > 0).or(Some(current)));
    let upcoming = if paused {
        None
    } else {
        next(
            before,
            &inputs.readings,
            ready_ratio,
            now,
            !estimates.is_empty(),
        )
    };
    let engine_replicas = hpa_outcome
        .as_ref()
        .map_or(keda.replicas, |(h, _)| h.replicas);
    let summary = summary(so, current, ready, &holding, engine_replicas);
    Report {
        object: ObjectView {
            kind: "ScaledObject",
            namespace: so.namespace.clone(),
            name: so.name.clone(),
            target: format!("{} {}", so.target.kind, so.target.name),
            hpa: live.hpa.as_ref().map(|_| hpa_name.clone()),
        },
        now: rfc3339(now),
        replicas: current,
        ready,
        engine_replicas,
        summary,
        metrics: inputs.metrics,
        keda: loop_view(&keda, keda_reason),
        hpa: hpa_outcome.map(|(h, r)| loop_view(&h, r)),
        holding,
        next: upcoming,
        disagreements,
        estimates,
        events: live.events.clone(),
    }
}

fn hpa_rules(
    engine: &ScaledObjectEngine,
    plan: &scalecore::decide::Plan,
    h: &Outcome,
    now: i64,
    holding: &mut Vec<Rule>,
) {
    if h.kind != Loop::Hpa {
        return;
    }
    match h.action {
        Action::HpaDisabled => {
            let text = "the target is at 0 and the HPA's minReplicas is above 0: the HPA is \
                        disabled and KEDA alone scales 0 <-> 1";
            holding.push(fixed("hpa_disabled", h.replicas, text.into()));
            return;
        }
        Action::HpaNoMetrics => {
            let text = "a metric is missing and the valid ones do not ask for more: the HPA \
                        keeps the replicas";
            holding.push(fixed("missing_metric", h.replicas, text.into()));
            return;
        }
        _ => {}
    }
    let Some(n) = engine.detail().norm else {
        if h.replicas >= plan.hpa_max {
            holding.push(fixed(
                "max_replicas",
                plan.hpa_max,
                format!("maxReplicaCount is {}", plan.hpa_max),
            ));
        }
        return;
    };
    let (down_window, up_window) = match &plan.behavior {
        Some(b) => (b.down.window, b.up.window),
        None => (scalecore::decide::plan::DOWNSCALE_WINDOW, 0),
    };
    let held = |replicas: i64, window: i64| {
        engine
            .state()
            .hpa
            .recommendations
            .iter()
            .filter(|r| r.t < now && r.t + window > now && r.replicas == replicas)
            .map(|r| r.t)
            .max()
    };
    if n.stabilized > n.desired {
        let since = held(n.stabilized, down_window);
        holding.push(rule(
            "stabilization_window",
            Some(n.stabilized),
            since.map(|t| t + down_window),
            now,
            true,
            format!(
                "the metrics ask for {} but the scale-down stabilization window ({down_window} s) holds the highest recent recommendation, {}",
                n.desired, n.stabilized
            ),
        ));
    } else if n.stabilized < n.desired {
        let since = held(n.stabilized, up_window);
        holding.push(rule(
            "stabilization_window",
            Some(n.stabilized),
            since.map(|t| t + up_window),
            now,
            true,
            format!(
                "the metrics ask for {} but the scale-up stabilization window ({up_window} s) holds the lowest recent recommendation, {}",
                n.desired, n.stabilized
            ),
        ));
    }
    match n.reason {
        Limit::ScaleUpLimit => holding.push(fixed(
            "scale_up_policy",
            n.result,
            format!(
                "the scale-up policies allow at most {} now (wanted {})",
                n.limit.unwrap_or(n.result),
                n.stabilized
            ),
        )),
        Limit::ScaleDownLimit => holding.push(fixed(
            "scale_down_policy",
            n.result,
            format!(
                "the scale-down policies allow no fewer than {} now (wanted {})",
                n.limit.unwrap_or(n.result),
                n.stabilized
            ),
        )),
        Limit::TooManyReplicas => holding.push(fixed(
            "max_replicas",
            n.result,
            format!(
                "the metrics ask for {} but maxReplicaCount is {}",
                n.stabilized, plan.hpa_max
            ),
        )),
        Limit::TooFewReplicas => holding.push(fixed(
            "min_replicas",
            n.result,
            format!(
                "the metrics ask for {} but the HPA's minReplicas is {}",
                n.stabilized, plan.hpa_min
            ),
        )),
        Limit::DesiredWithinRange => {}
    }
}

fn summary(
    so: &ScaledObject,
    current: i64,
    ready: Option<i64>,
    holding: &[Rule],
    engine: i64,
) -> String {
    let ready = ready.map_or(String::new(), |r| format!(" ({r} ready)"));
    let mut s = format!(
        "{} {} has {current} replica(s){ready}",
        so.target.kind, so.target.name
    );
    if holding.is_empty() {
        if engine == current {
            s.push_str(": the metrics ask for exactly this");
        } else {
            s.push_str(&format!("; the next sync moves it to {engine}"));
        }
    } else {
        let names: Vec<&str> = holding.iter().map(|r| r.rule).collect();
        s.push_str(&format!(", held by: {}", names.join(", ")));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(t: i64, message: &str) -> EventView {
        EventView {
            t: Some(t),
            time: None,
            object: "o".into(),
            type_: "Normal".into(),
            reason: "SuccessfulRescale".into(),
            message: message.into(),
            reporter: "horizontal-pod-autoscaler".into(),
        }
    }

    #[test]
    fn values_from_scalecore_run_events() {
        let events = [
            event(
                30,
                "New size: 3; reason: hpa: orders=12.5 | s0-queue: ceil(12.5/5)=3",
            ),
            event(20, "New size: 2; reason: hpa: my-orders=7"),
        ];
        assert_eq!(
            value_in_events(&events, "o", "orders").map(|v| v.0),
            Some(12.5)
        );
        assert_eq!(value_in_events(&events[1..], "o", "orders"), None);
        assert_eq!(value_in_events(&events, "other", "orders"), None);
    }

    #[test]
    fn rescale_events_in_the_hpa_and_keda_wordings() {
        let events = [
            event(
                30,
                "New size: 4; reason: external metric s0-queue above target",
            ),
            event(
                10,
                "Scaled apps/v1.Deployment shop/w from 0 to 1, triggered by azure-servicebus",
            ),
            event(
                50,
                "Deactivated Deployment shop/w from 3 to 0: keda: inactive",
            ),
            event(40, "no size here"),
        ];
        assert_eq!(
            rescales(&events),
            vec![(10, 1, Some(0)), (30, 4, None), (50, 0, Some(3))]
        );
    }
}
