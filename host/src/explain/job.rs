//! `scalecore explain scaledjob/NAME`: how many Jobs KEDA would create now and why. A
//! ScaledJob has no HPA and KEDA serves no metric for it, so the queue length comes from the
//! newest `KEDAJobsCreated` Event `scalecore run` wrote (it records the trigger values) or from
//! `--value`; the Jobs, their pods, the status and the Events are read from the cluster, and
//! the core's ScaledJob engine is replayed on them.

use std::fmt::Write;

use kube::api::ListParams;
use kube::core::Request;
use scalecore::decide::scaledjob::ScaledJobEngine;
use scalecore::decide::{num, Reading};
use scalecore::validate::LintOptions;
use serde::Serialize;
use serde_json::Value;

use super::live::{self, EventView, LIST_LIMIT};
use super::report::Disagreement;
use super::ExplainError;
use crate::run::clock::rfc3339;
use crate::run::jobs::object::{
    beyond_history, created_values, pod_job, scaled_job, started, Finished, JobView, NAME_LABEL,
};

/// Pods listed in the report, at most.
const PODS_SHOWN: usize = 20;

#[derive(Clone, Debug, Serialize)]
pub struct JobObjectView {
    pub kind: &'static str,
    pub namespace: String,
    pub name: String,
    /// `spec.scalingStrategy.strategy` (`default` when unset).
    pub strategy: String,
    pub min_replica_count: i64,
    pub max_replica_count: i64,
    pub polling_interval: i64,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct JobCounts {
    /// Not Complete nor Failed (`getRunningJobCount`).
    pub running: i64,
    /// Running, but no pod has started (`getPendingJobCount`, with `pendingPodConditions`).
    pub pending: i64,
    pub succeeded: i64,
    pub failed: i64,
    pub successful_jobs_history_limit: i64,
    pub failed_jobs_history_limit: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct PodView {
    pub name: String,
    pub job: String,
    pub phase: String,
    /// Counts as started for the pending count.
    pub started: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct TriggerView {
    pub trigger: String,
    /// `None`: unknown, or the trigger failed when it was recorded.
    pub value: Option<f64>,
    /// The AverageValue target (`queueLength`, `messageCount`, ...).
    pub target: Option<f64>,
    pub activation: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct QueueView {
    /// `--value`, `event KEDAJobsCreated` (recorded by `scalecore run`), or `unknown`.
    pub source: &'static str,
    /// When the values were recorded (the Event's time).
    pub at: Option<String>,
    pub age_seconds: Option<i64>,
    pub triggers: Vec<TriggerView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct JobDecisionView {
    pub active: bool,
    /// Jobs the engine creates at this poll.
    pub create: i64,
    /// `ceil(queueLength)` of the combined triggers.
    pub queue_length: i64,
    /// `ceil(queueLength / targetAverageValue)`, capped at maxReplicaCount.
    pub max_scale: i64,
    /// What the strategy leaves room for.
    pub effective_max_scale: i64,
    /// The engine's arithmetic, as `simulate` prints it.
    pub reason: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ConditionView {
    #[serde(rename = "type")]
    pub type_: String,
    pub status: String,
    pub reason: String,
    pub message: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct JobReport {
    pub object: JobObjectView,
    pub now: String,
    pub summary: String,
    pub paused: bool,
    /// Why KEDA refuses the ScaledJob, if it does.
    pub refused: Option<String>,
    pub conditions: Vec<ConditionView>,
    pub jobs: JobCounts,
    /// Pods of the running Jobs (the first few).
    pub pods: Vec<PodView>,
    pub queue: QueueView,
    /// The replayed poll; `None` when the queue length is unknown or KEDA refuses it.
    pub decision: Option<JobDecisionView>,
    /// Finished Jobs the next poll deletes (beyond the history limits), oldest first.
    pub cleanup: Vec<String>,
    pub disagreements: Vec<Disagreement>,
    pub notes: Vec<String>,
    pub events: Vec<EventView>,
}

/// `--value N` (a ScaledJob with one trigger) or `--value INDEX=N`, every trigger given.
fn flag_values(values: &[String], triggers: usize) -> Result<Vec<f64>, ExplainError> {
    let usage = |why: String| ExplainError::Usage(format!("--value: {why}"));
    let mut out = vec![None; triggers];
    for v in values {
        let (index, n) = match v.split_once('=') {
            Some((i, n)) => (
                i.trim()
                    .parse::<usize>()
                    .map_err(|_| usage(format!("{i:?} is not a trigger index")))?,
                n,
            ),
            None if triggers == 1 => (0, v.as_str()),
            None => {
                return Err(usage(format!(
                    "the ScaledJob has {triggers} triggers: give INDEX=N for each"
                )))
            }
        };
        let n = n
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite() && *n >= 0.0)
            .ok_or_else(|| usage(format!("{n:?} is not a queue length")))?;
        *out.get_mut(index).ok_or_else(|| {
            usage(format!(
                "trigger {index} does not exist ({triggers} triggers)"
            ))
        })? = Some(n);
    }
    out.iter()
        .enumerate()
        .map(|(i, v)| v.ok_or_else(|| usage(format!("no value for trigger {i}"))))
        .collect()
}

fn condition_views(sj: &Value) -> Vec<ConditionView> {
    let s = |c: &Value, k: &str| {
        c.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    sj.pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| ConditionView {
            type_: s(c, "type"),
            status: s(c, "status"),
            reason: s(c, "reason"),
            message: s(c, "message"),
        })
        .collect()
}

/// A labelled list in `namespace`; true as second when the server had more than one page.
async fn list_labelled(
    client: &kube::Client,
    path: String,
    name: &str,
    what: &str,
) -> Result<(Vec<Value>, bool), live::ReadError> {
    let params = ListParams::default()
        .labels(&format!("{NAME_LABEL}={name}"))
        .limit(LIST_LIMIT);
    let v = live::send(client, Request::new(path).list(&params), what).await?;
    let more = v
        .pointer("/metadata/continue")
        .and_then(Value::as_str)
        .is_some_and(|c| !c.is_empty());
    let items = match v.get("items") {
        Some(Value::Array(items)) => items.clone(),
        _ => Vec::new(),
    };
    Ok((items, more))
}

/// Explains ScaledJob `namespace/name` at `now` (Unix seconds); `values` are the `--value`
/// flags.
pub async fn explain_job(
    client: &kube::Client,
    namespace: &str,
    name: &str,
    now: i64,
    values: &[String],
) -> Result<JobReport, ExplainError> {
    let obj = live::get(
        client,
        &format!("/apis/keda.sh/v1alpha1/namespaces/{namespace}/scaledjobs"),
        name,
        &format!("ScaledJob {namespace}/{name}"),
    )
    .await?;
    let sj = scaled_job(&obj, &LintOptions::default())
        .ok_or_else(|| ExplainError::Invalid("it has no name".into()))?;
    let triggers = sj.spec.triggers.len();
    let flags = if values.is_empty() {
        None
    } else {
        Some(flag_values(values, triggers)?)
    };
    let mut notes = Vec::new();
    let (jobs, more) = list_labelled(
        client,
        format!("/apis/batch/v1/namespaces/{namespace}/jobs"),
        name,
        "the ScaledJob's Jobs",
    )
    .await?;
    let (pods, more_pods) = list_labelled(
        client,
        format!("/api/v1/namespaces/{namespace}/pods"),
        name,
        "the pods of the ScaledJob's Jobs",
    )
    .await
    .unwrap_or_else(|e| {
        notes.push(format!(
            "{e}; every running Job counts as pending, as KEDA counts when it cannot list pods"
        ));
        (Vec::new(), false)
    });
    if more || more_pods {
        notes.push(format!(
            "more than {LIST_LIMIT} Jobs or pods: only the first {LIST_LIMIT} are counted"
        ));
    }
    let events = live::all_events(client, namespace, &[name]).await;

    // The counts, as the executor takes them.
    let views: Vec<JobView> = jobs.iter().map(JobView::from_value).collect();
    let conditions = &sj.spec.scaling_strategy.pending_pod_conditions;
    let mut counts = JobCounts {
        successful_jobs_history_limit: sj.successful_history_limit,
        failed_jobs_history_limit: sj.failed_history_limit,
        ..JobCounts::default()
    };
    let mut pod_views = Vec::new();
    for j in &views {
        match j.finished {
            Some(Finished::Complete) => counts.succeeded += 1,
            Some(Finished::Failed) => counts.failed += 1,
            None => {
                counts.running += 1;
                let of_job: Vec<&Value> = pods
                    .iter()
                    .filter(|p| pod_job(p) == Some(j.name.as_str()))
                    .collect();
                if !started(&of_job, conditions) {
                    counts.pending += 1;
                }
                for p in of_job {
                    pod_views.push(PodView {
                        name: p
                            .pointer("/metadata/name")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                        job: j.name.clone(),
                        phase: p
                            .pointer("/status/phase")
                            .and_then(Value::as_str)
                            .unwrap_or("Unknown")
                            .to_owned(),
                        started: started(&[p], conditions),
                    });
                }
            }
        }
    }
    pod_views.truncate(PODS_SHOWN);
    let cleanup: Vec<String> =
        beyond_history(&views, sj.successful_history_limit, sj.failed_history_limit)
            .into_iter()
            .map(|j| j.name.clone())
            .collect();

    // The queue length: the user's, else the newest value `scalecore run` recorded.
    let mut engine = ScaledJobEngine::new(&sj.spec);
    let recorded = events
        .iter()
        .filter(|e| e.reason == "KEDAJobsCreated")
        .find_map(|e| Some((created_values(&e.message, triggers)?, e)));
    let (source, at, age, readings): (_, _, _, Option<Vec<Option<f64>>>) = match (&flags, recorded)
    {
        (Some(v), _) => (
            "--value",
            None,
            None,
            Some(v.iter().copied().map(Some).collect()),
        ),
        (None, Some((v, e))) => (
            "event KEDAJobsCreated",
            e.time.clone(),
            e.t.map(|t| now.saturating_sub(t)),
            Some(v),
        ),
        (None, None) => ("unknown", None, None, None),
    };
    let trigger_views: Vec<TriggerView> = sj
        .spec
        .triggers
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let target = engine.targets().get(i).copied().flatten();
            TriggerView {
                trigger: match &t.name {
                    Some(n) if !n.is_empty() => format!("{i} {} ({n})", t.trigger_type),
                    _ => format!("{i} {}", t.trigger_type),
                },
                value: readings.as_ref().and_then(|r| r.get(i).copied().flatten()),
                target: target.map(|t| t.0),
                activation: target.map(|t| t.1),
            }
        })
        .collect();
    let paused = crate::run::jobs::paused(&engine.spec.annotations);
    let decision = match (&sj.rejected, &readings) {
        (None, Some(r)) => {
            let readings: Vec<Reading> = r
                .iter()
                .map(|v| v.map_or(Reading::Error, Reading::Value))
                .collect();
            let d = engine.poll(now, &readings, counts.running, counts.pending);
            Some(JobDecisionView {
                active: d.is_active,
                create: d.jobs_created,
                queue_length: d.queue_length,
                max_scale: d.max_scale,
                effective_max_scale: d.effective_max_scale,
                reason: engine.explain(),
            })
        }
        _ => None,
    };

    let conditions = condition_views(&obj);
    let condition = |t: &str| conditions.iter().find(|c| c.type_ == t);
    let mut disagreements = Vec::new();
    let max = sj.spec.max_replica_count;
    if counts.running > max {
        disagreements.push(Disagreement {
            what: format!(
                "{} Jobs are running, more than maxReplicaCount {max}",
                counts.running
            ),
            likely_cause: "maxReplicaCount was lowered while they ran, or Jobs of an earlier \
                           generation are left to finish (rollout gradual); KEDA creates none \
                           until fewer run"
                .into(),
        });
    }
    if let Some(r) = condition("Ready").filter(|c| c.status == "False") {
        let likely = match r.reason.as_str() {
            "ScaledJobCheckFailed" => {
                "the controller refused the ScaledJob: no Jobs are created until it is fixed"
            }
            "TriggerError" => {
                "every trigger failed at the last poll (authentication, network or the queue \
                 itself): no Jobs are created while they fail"
            }
            _ => "the controller reported a problem: see the message and the Events",
        };
        disagreements.push(Disagreement {
            what: format!("Ready=False ({}): {}", r.reason, r.message),
            likely_cause: likely.into(),
        });
    }
    if let Some(p) = condition("Paused") {
        if (p.status == "True") != paused {
            disagreements.push(Disagreement {
                what: format!(
                    "the Paused condition is {} but the annotation says {}",
                    p.status,
                    if paused { "paused" } else { "not paused" }
                ),
                likely_cause: "the annotation changed since the controller last looked".into(),
            });
        }
    }
    if let (Some(d), Some(a), false) = (&decision, condition("Active"), paused) {
        let status_active = a.status == "True";
        if status_active != d.active && (a.status == "True" || a.status == "False") {
            disagreements.push(Disagreement {
                what: format!(
                    "Active={} in the status, the replay is {}",
                    a.status,
                    if d.active { "active" } else { "inactive" }
                ),
                likely_cause: "the queue changed since the value used here; pass the current \
                               one with --value"
                    .into(),
            });
        }
    }
    if !cleanup.is_empty() && paused {
        notes.push(
            "a paused ScaledJob is not polled: the finished Jobs beyond the history limits stay \
             until it is unpaused"
                .into(),
        );
    }
    if let (Some(age), "event KEDAJobsCreated") = (age, source) {
        notes.push(format!(
            "the queue length is the one `scalecore run` recorded {age} s ago, when it last \
             created Jobs; give the current one with --value N"
        ));
    }

    let summary = summary(
        &sj.spec.max_replica_count,
        &counts,
        paused,
        &sj.rejected,
        &decision,
        &conditions,
    );
    let mut shown = events;
    shown.truncate(live::EVENTS_KEPT);
    Ok(JobReport {
        object: JobObjectView {
            kind: "ScaledJob",
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            strategy: match sj.spec.scaling_strategy.strategy.as_str() {
                "" => "default".into(),
                s => s.to_owned(),
            },
            min_replica_count: sj.spec.min_replica_count.unwrap_or(0),
            max_replica_count: max,
            polling_interval: sj.spec.polling_interval,
        },
        now: rfc3339(now),
        summary,
        paused,
        refused: sj.rejected.clone(),
        conditions,
        jobs: counts,
        pods: pod_views,
        queue: QueueView {
            source,
            at,
            age_seconds: age,
            triggers: trigger_views,
        },
        decision,
        cleanup,
        disagreements,
        notes,
        events: shown,
    })
}

fn summary(
    max: &i64,
    counts: &JobCounts,
    paused: bool,
    refused: &Option<String>,
    decision: &Option<JobDecisionView>,
    conditions: &[ConditionView],
) -> String {
    let running = format!(
        "{} running ({} pending), maxReplicaCount {max}",
        jobs(counts.running),
        counts.pending
    );
    if let Some(why) = refused {
        return format!("KEDA refuses this ScaledJob ({why}): it creates no Jobs; {running}");
    }
    if paused {
        return format!(
            "Paused (annotation autoscaling.keda.sh/paused): KEDA polls nothing and creates no \
             Jobs; {running}"
        );
    }
    let not_ready = conditions
        .iter()
        .find(|c| c.type_ == "Ready" && c.status == "False")
        .map(|c| format!("; the controller reports Ready=False ({})", c.reason))
        .unwrap_or_default();
    match decision {
        None => format!(
            "{running}. The queue length is unknown: KEDA serves no metric for a ScaledJob and \
             `scalecore run` has recorded none; pass it with --value N (or --value INDEX=N per \
             trigger) to see how many Jobs would be created{not_ready}"
        ),
        Some(d) if !d.active => format!(
            "Inactive: no trigger is above its activation, so no Jobs are created; \
             {running}{not_ready}"
        ),
        Some(d) if d.create == 0 && counts.running >= *max => format!(
            "maxReplicaCount reached: {running}, so no Jobs are created for queue length {}{not_ready}",
            d.queue_length
        ),
        Some(d) => format!(
            "Creates {} now for queue length {}: {running}{not_ready}",
            jobs(d.create),
            d.queue_length
        ),
    }
}

/// `1 Job`, `2 Jobs`.
fn jobs(n: i64) -> String {
    format!("{n} Job{}", if n == 1 { "" } else { "s" })
}

impl JobReport {
    pub fn text(&self) -> String {
        let mut s = String::with_capacity(1024);
        let _ = self.write_text(&mut s);
        s
    }

    fn write_text(&self, s: &mut String) -> std::fmt::Result {
        let o = &self.object;
        writeln!(
            s,
            "ScaledJob {}/{} (strategy {}, maxReplicaCount {}, pollingInterval {} s), at {}",
            o.namespace, o.name, o.strategy, o.max_replica_count, o.polling_interval, self.now
        )?;
        writeln!(s, "\n{}.", self.summary)?;
        let j = &self.jobs;
        writeln!(
            s,
            "\nJobs: {} running ({} pending), {} succeeded (history limit {}), {} failed (history limit {})",
            j.running,
            j.pending,
            j.succeeded,
            j.successful_jobs_history_limit,
            j.failed,
            j.failed_jobs_history_limit
        )?;
        for p in &self.pods {
            writeln!(
                s,
                "  pod {} of {}: {}{}",
                p.name,
                p.job,
                p.phase,
                if p.started { "" } else { " (pending)" }
            )?;
        }
        let q = &self.queue;
        write!(s, "\nQueue length ({}", q.source)?;
        if let (Some(at), Some(age)) = (&q.at, q.age_seconds) {
            write!(s, ", {at}, {age} s ago")?;
        }
        writeln!(s, "):")?;
        for t in &q.triggers {
            let value = t.value.map_or("?".to_owned(), num);
            let target = t.target.map_or("?".to_owned(), num);
            let activation = t.activation.map_or("?".to_owned(), num);
            writeln!(
                s,
                "  {} = {value}, target {target}, activation {activation}",
                t.trigger
            )?;
        }
        if let Some(d) = &self.decision {
            writeln!(s, "\nReplayed now:\n  {}", d.reason)?;
        }
        if !self.cleanup.is_empty() {
            writeln!(
                s,
                "\nHistory cleanup due (beyond the limits, oldest first): {}",
                self.cleanup.join(", ")
            )?;
        }
        if !self.conditions.is_empty() {
            writeln!(s, "\nConditions:")?;
            for c in &self.conditions {
                writeln!(s, "  {}={} {}: {}", c.type_, c.status, c.reason, c.message)?;
            }
        }
        super::report::write_tail(s, &self.disagreements, "Notes", &self.notes, &self.events)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_flags() {
        assert_eq!(flag_values(&["12".into()], 1).unwrap(), [12.0]);
        assert_eq!(
            flag_values(&["1=3".into(), "0=2.5".into()], 2).unwrap(),
            [2.5, 3.0]
        );
        assert!(flag_values(&["12".into()], 2).is_err(), "ambiguous");
        assert!(
            flag_values(&["0=1".into()], 2).is_err(),
            "trigger 1 missing"
        );
        assert!(flag_values(&["2=1".into()], 2).is_err(), "no trigger 2");
        assert!(flag_values(&["-1".into()], 1).is_err());
        assert!(flag_values(&["inf".into()], 1).is_err());
    }
}
