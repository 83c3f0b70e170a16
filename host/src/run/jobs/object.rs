//! A ScaledJob as the API server serves it, read through the core, and what KEDA's executor
//! derives from it: the Jobs it creates (`generateJobs`), which of its Jobs run, wait or have
//! finished (`isJobFinished`, `getPendingJobCount`), and which finished ones go
//! (`cleanUp`, oldest first beyond the history limits).

use std::collections::BTreeMap;

use scalecore::diagnostic::{Diagnostic, Source};
use scalecore::document::Kind;
use scalecore::model::{ScaledJobSpec, ScaledObjectSpec};
use scalecore::validate::{self, LintOptions};
use serde_json::{json, Map, Value};

use super::super::objects::{ScaledObject, TargetRef};

/// The label KEDA puts on every Job (and its pods) a ScaledJob creates, and lists them by.
pub const NAME_LABEL: &str = "scaledjob.keda.sh/name";
/// The ScaledJob generation a Job was created from.
pub const GENERATION_ANNOTATION: &str = "scaledjob.keda.sh/generation";
/// Comma-separated labels of the ScaledJob not copied onto its Jobs.
const EXCLUDED_LABELS_ANNOTATION: &str = "scaledjob.keda.sh/job-excluded-labels";
/// `defaultSuccessfulJobsHistoryLimit` and `defaultFailedJobsHistoryLimit`.
const DEFAULT_HISTORY_LIMIT: i64 = 100;

/// What the host needs of one ScaledJob.
#[derive(Clone, Debug)]
pub struct ScaledJob {
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub generation: i64,
    labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub spec: ScaledJobSpec,
    /// The triggers as the ScaledObject trigger code reads them: same namespace, triggers
    /// and `envSourceContainerName`; the "target" is the inline Job template.
    pub triggers: ScaledObject,
    /// `spec.jobTargetRef` (a batch/v1 JobSpec), as written.
    job_target: Value,
    pub successful_history_limit: i64,
    pub failed_history_limit: i64,
    /// `spec.rollout.strategy` (or the deprecated `spec.rolloutStrategy`) is `gradual`: Jobs
    /// of an earlier generation are left to finish.
    pub gradual_rollout: bool,
    /// `spec.rollout.propagationPolicy` is `foreground`.
    pub foreground_rollout: bool,
    /// Why KEDA would refuse it: the CRD schema, the webhook, or the controller's own checks.
    pub rejected: Option<String>,
}

fn text<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

fn string_map(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

fn first_error(diagnostics: &[Diagnostic]) -> Option<String> {
    diagnostics
        .iter()
        .find(|d| d.is_error() && matches!(d.source, Source::Schema | Source::Webhook))
        .map(|d| format!("{}: {} ({})", d.code, d.message, d.path))
}

/// Reads a ScaledJob; `None` when it has no name (nothing the API serves).
pub fn scaled_job(obj: &Value, options: &LintOptions) -> Option<ScaledJob> {
    let name = text(obj, "/metadata/name")?.to_owned();
    let namespace = text(obj, "/metadata/namespace")
        .unwrap_or("default")
        .to_owned();
    let json = super::super::objects::written(obj);
    let mut rejected = first_error(&validate::lint(&json, options));
    let (bundle, _) = validate::load_bundle(&[json.as_str()], options);
    let resource = bundle
        .resources
        .iter()
        .find(|r| r.kind == Kind::ScaledJob)?;
    let spec = ScaledJobSpec::from_resource(resource);
    // The same reading of `spec.triggers` the ScaledObject path uses.
    let trigger_spec = ScaledObjectSpec::from_resource(resource);
    let job_target = obj.pointer("/spec/jobTargetRef").cloned();
    if rejected.is_none() {
        // The controller's own checks, in its order (`Reconcile`, `reconcileScaledJob`).
        rejected = if job_target.as_ref().is_none_or(Value::is_null) {
            Some("ScaledJob.spec.jobTargetRef not found".to_owned())
        } else if spec.triggers.iter().any(|t| t.metric_type.is_some()) {
            Some("Cannot set metricType in ScaledJob triggers".to_owned())
        } else {
            None
        };
    }
    let limit = |key: &str| {
        obj.pointer(&format!("/spec/{key}"))
            .and_then(Value::as_i64)
            .unwrap_or(DEFAULT_HISTORY_LIMIT)
    };
    let rollout = text(obj, "/spec/rolloutStrategy")
        .filter(|s| !s.is_empty())
        .or_else(|| text(obj, "/spec/rollout/strategy"));
    let env_source = text(obj, "/spec/envSourceContainerName")
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    Some(ScaledJob {
        uid: text(obj, "/metadata/uid").unwrap_or_default().to_owned(),
        generation: obj
            .pointer("/metadata/generation")
            .and_then(Value::as_i64)
            .unwrap_or(0),
        labels: string_map(obj.pointer("/metadata/labels")),
        annotations: spec.annotations.clone(),
        successful_history_limit: limit("successfulJobsHistoryLimit"),
        failed_history_limit: limit("failedJobsHistoryLimit"),
        gradual_rollout: rollout == Some("gradual"),
        foreground_rollout: text(obj, "/spec/rollout/propagationPolicy") == Some("foreground"),
        triggers: ScaledObject {
            namespace: namespace.clone(),
            name: name.clone(),
            uid: String::new(),
            generation: 0,
            spec: trigger_spec,
            target: TargetRef {
                api_version: "batch/v1".into(),
                kind: "Job".into(),
                name: String::new(),
                env_source_container_name: env_source,
            },
            last_active_time: None,
            original_replica_count: None,
            failures: BTreeMap::new(),
            rejected: Vec::new(),
        },
        job_target: job_target.unwrap_or(Value::Null),
        spec,
        rejected,
        namespace,
        name,
    })
}

impl ScaledJob {
    /// The inline template as a workload, for the trigger code's env resolution.
    pub fn workload(&self) -> Value {
        json!({"spec": {"template": self.job_target.get("template").cloned().unwrap_or(Value::Null)}})
    }

    /// One Job as KEDA's `generateJobs` builds it: `generateName` `<name>-`, KEDA's labels
    /// plus the ScaledJob's (less the excluded ones), the ScaledJob's annotations and its
    /// generation, the ScaledJob as controlling owner, `restartPolicy` OnFailure if unset.
    pub fn job(&self) -> Value {
        let mut labels: Map<String, Value> = [
            ("app.kubernetes.io/name", self.name.as_str()),
            ("app.kubernetes.io/version", env!("CARGO_PKG_VERSION")),
            ("app.kubernetes.io/part-of", self.name.as_str()),
            ("app.kubernetes.io/managed-by", "scalecore"),
            (NAME_LABEL, self.name.as_str()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), Value::from(v)))
        .collect();
        let excluded: Vec<&str> = self
            .annotations
            .get(EXCLUDED_LABELS_ANNOTATION)
            .map(|l| l.split(',').collect())
            .unwrap_or_default();
        for (k, v) in &self.labels {
            if !excluded.contains(&k.as_str()) {
                labels.insert(k.clone(), Value::from(v.as_str()));
            }
        }
        let mut annotations = Map::new();
        annotations.insert(
            GENERATION_ANNOTATION.into(),
            Value::from(self.generation.to_string()),
        );
        for (k, v) in &self.annotations {
            annotations.insert(k.clone(), Value::from(v.as_str()));
        }
        let mut spec = self.job_target.clone();
        if let Some(template) = spec.get_mut("template").and_then(Value::as_object_mut) {
            let meta = template
                .entry("metadata")
                .or_insert_with(|| json!({}))
                .as_object_mut();
            if let Some(meta) = meta {
                meta.insert("generateName".into(), format!("{}-", self.name).into());
                let labels = meta.entry("labels").or_insert_with(|| json!({}));
                if let Some(l) = labels.as_object_mut() {
                    l.insert(NAME_LABEL.into(), self.name.as_str().into());
                }
            }
            if let Some(pod) = template.get_mut("spec").and_then(Value::as_object_mut) {
                let unset = pod
                    .get("restartPolicy")
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty);
                if unset {
                    pod.insert("restartPolicy".into(), "OnFailure".into());
                }
            }
        }
        json!({
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {
                "generateName": format!("{}-", self.name),
                "namespace": self.namespace,
                "labels": labels,
                "annotations": annotations,
                "ownerReferences": [{
                    "apiVersion": "keda.sh/v1alpha1", "kind": "ScaledJob",
                    "name": self.name, "uid": self.uid,
                    "controller": true, "blockOwnerDeletion": true,
                }],
            },
            "spec": spec,
        })
    }
}

/// How a Job ended (`getFinishedJobConditionType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Finished {
    Complete,
    Failed,
}

/// One Job of the ScaledJob, as the executor looks at it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobView {
    pub name: String,
    pub finished: Option<Finished>,
    /// `status.completionTime` (RFC 3339, UTC: text order is time order; unset sorts first).
    pub completion_time: String,
    /// `metadata.annotations["scaledjob.keda.sh/generation"]`.
    pub generation: Option<String>,
}

impl JobView {
    pub fn from_value(job: &Value) -> JobView {
        let finished = job
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find_map(|c| {
                if c.get("status").and_then(Value::as_str) != Some("True") {
                    return None;
                }
                match c.get("type").and_then(Value::as_str) {
                    Some("Complete") => Some(Finished::Complete),
                    Some("Failed") => Some(Finished::Failed),
                    _ => None,
                }
            });
        JobView {
            name: text(job, "/metadata/name").unwrap_or_default().to_owned(),
            finished,
            completion_time: text(job, "/status/completionTime")
                .unwrap_or_default()
                .to_owned(),
            generation: job
                .pointer("/metadata/annotations")
                .and_then(|a| a.get(GENERATION_ANNOTATION))
                .and_then(Value::as_str)
                .map(str::to_owned),
        }
    }
}

/// Whether a Job's pods show it started: with `pendingPodConditions`, some pod has every one
/// of them True; without, some pod is Running or Succeeded.
pub fn started(pods: &[&Value], pending_pod_conditions: &[String]) -> bool {
    pods.iter().any(|pod| {
        if pending_pod_conditions.is_empty() {
            return matches!(text(pod, "/status/phase"), Some("Running" | "Succeeded"));
        }
        let conditions = pod
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        pending_pod_conditions.iter().all(|wanted| {
            conditions.iter().any(|c| {
                c.get("type").and_then(Value::as_str) == Some(wanted.as_str())
                    && c.get("status").and_then(Value::as_str) == Some("True")
            })
        })
    })
}

/// The name of the Job a pod belongs to (the Job controller's labels, old and new).
pub fn pod_job(pod: &Value) -> Option<&str> {
    let labels = pod.pointer("/metadata/labels")?;
    labels
        .get("batch.kubernetes.io/job-name")
        .or_else(|| labels.get("job-name"))
        .and_then(Value::as_str)
}

/// The finished Jobs `cleanUp` deletes: per outcome, the oldest by completion time beyond
/// the limit.
pub fn beyond_history(jobs: &[JobView], successful_limit: i64, failed_limit: i64) -> Vec<&JobView> {
    let mut out = Vec::new();
    for (kind, limit) in [
        (Finished::Complete, successful_limit),
        (Finished::Failed, failed_limit),
    ] {
        let mut done: Vec<&JobView> = jobs.iter().filter(|j| j.finished == Some(kind)).collect();
        done.sort_by(|a, b| a.completion_time.cmp(&b.completion_time));
        let excess = done
            .len()
            .saturating_sub(usize::try_from(limit.max(0)).unwrap_or(0));
        out.extend(done.into_iter().take(excess));
    }
    out
}

/// Marks the trigger values in a `KEDAJobsCreated` note.
const VALUES_MARK: &str = "; trigger values ";

/// KEDA's `Created N jobs`, then the value each trigger read (`?` for one that failed), in
/// trigger order: `Created 3 jobs; trigger values 0=12 1=?`.
pub fn created_note(n: i64, readings: &[scalecore::decide::Reading]) -> String {
    let mut note = format!("Created {n} jobs");
    if !readings.is_empty() {
        note.push_str(VALUES_MARK);
        let values: Vec<String> = readings
            .iter()
            .enumerate()
            .map(|(i, r)| match r.value() {
                Some(v) => format!("{i}={}", scalecore::decide::num(v)),
                None => format!("{i}=?"),
            })
            .collect();
        note.push_str(&values.join(" "));
    }
    note
}

/// The trigger values of a note `created_note` wrote (`None` per failed trigger); `None`
/// for any other note. At most `triggers` values are read.
pub fn created_values(note: &str, triggers: usize) -> Option<Vec<Option<f64>>> {
    let (_, values) = note.split_once(VALUES_MARK)?;
    let mut out = vec![None; triggers];
    for item in values.split(' ').take(triggers) {
        let (i, v) = item.split_once('=')?;
        let i: usize = i.parse().ok()?;
        let slot = out.get_mut(i)?;
        *slot = match v {
            "?" => None,
            v => Some(v.parse::<f64>().ok().filter(|v| v.is_finite())?),
        };
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sj(extra: Value) -> Value {
        let mut v = json!({
            "apiVersion": "keda.sh/v1alpha1", "kind": "ScaledJob",
            "metadata": {"name": "orders", "namespace": "shop", "uid": "u1", "generation": 4,
                         "labels": {"team": "a", "secret-ish": "x"},
                         "annotations": {"scaledjob.keda.sh/job-excluded-labels": "secret-ish"}},
            "spec": {"jobTargetRef": {"template": {"spec": {"containers": [{"name": "c", "image": "busybox"}]}}},
                     "maxReplicaCount": 5,
                     "triggers": [{"type": "azure-queue", "metadata": {"queueName": "q", "accountName": "a"}}]}
        });
        if let (Some(spec), Some(extra)) = (v["spec"].as_object_mut(), extra.as_object()) {
            for (k, x) in extra {
                spec.insert(k.clone(), x.clone());
            }
        }
        v
    }

    #[test]
    fn reads_a_scaled_job_with_keda_defaults() {
        let j = scaled_job(&sj(json!({})), &LintOptions::default()).unwrap();
        assert_eq!(j.rejected, None);
        assert_eq!(j.spec.max_replica_count, 5);
        assert_eq!(j.spec.polling_interval, 30);
        assert_eq!(
            (j.successful_history_limit, j.failed_history_limit),
            (100, 100)
        );
        assert!(!j.gradual_rollout);
        assert_eq!(j.triggers.spec.triggers.len(), 1);
        assert_eq!(j.triggers.namespace, "shop");
    }

    #[test]
    fn refuses_what_keda_refuses() {
        let mt = sj(
            json!({"triggers": [{"type": "azure-queue", "metricType": "Value",
                                        "metadata": {"queueName": "q", "accountName": "a"}}]}),
        );
        let j = scaled_job(&mt, &LintOptions::default()).unwrap();
        assert!(j.rejected.is_some(), "metricType is refused");
        let mut none = sj(json!({}));
        none["spec"].as_object_mut().unwrap().remove("jobTargetRef");
        assert!(scaled_job(&none, &LintOptions::default())
            .unwrap()
            .rejected
            .is_some());
    }

    #[test]
    fn jobs_carry_keda_labels_owner_and_generation() {
        let j = scaled_job(&sj(json!({})), &LintOptions::default()).unwrap();
        let job = j.job();
        assert_eq!(job["metadata"]["generateName"], "orders-");
        assert_eq!(
            job["metadata"]["labels"]["scaledjob.keda.sh/name"],
            "orders"
        );
        assert_eq!(job["metadata"]["labels"]["team"], "a");
        assert!(job["metadata"]["labels"].get("secret-ish").is_none());
        assert_eq!(
            job["metadata"]["annotations"]["scaledjob.keda.sh/generation"],
            "4"
        );
        let owner = &job["metadata"]["ownerReferences"][0];
        assert_eq!(
            (owner["kind"].as_str(), owner["uid"].as_str()),
            (Some("ScaledJob"), Some("u1"))
        );
        assert_eq!(owner["controller"], true);
        let template = &job["spec"]["template"];
        assert_eq!(
            template["metadata"]["labels"]["scaledjob.keda.sh/name"],
            "orders"
        );
        assert_eq!(template["spec"]["restartPolicy"], "OnFailure");
    }

    #[test]
    fn history_keeps_the_newest_of_each_outcome() {
        let job = |name: &str, finished, t: &str| JobView {
            name: name.into(),
            finished,
            completion_time: t.into(),
            generation: None,
        };
        let jobs = [
            job("c3", Some(Finished::Complete), "2026-01-01T00:03:00Z"),
            job("c1", Some(Finished::Complete), "2026-01-01T00:01:00Z"),
            job("c2", Some(Finished::Complete), "2026-01-01T00:02:00Z"),
            job("f1", Some(Finished::Failed), "2026-01-01T00:01:00Z"),
            job("r", None, ""),
        ];
        let names = |v: Vec<&JobView>| v.into_iter().map(|j| j.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(beyond_history(&jobs, 1, 1)), ["c1", "c2"]);
        assert_eq!(names(beyond_history(&jobs, 5, 0)), ["f1"]);
        assert!(beyond_history(&jobs, 100, 100).is_empty());
    }

    #[test]
    fn a_job_has_started_once_a_pod_runs_or_meets_the_conditions() {
        let running = json!({"status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}]}});
        let pending = json!({"status": {"phase": "Pending"}});
        assert!(started(&[&pending, &running], &[]));
        assert!(!started(&[&pending], &[]));
        assert!(!started(&[&running], &["Ready".into()]));
        let ready = json!({"status": {"phase": "Running", "conditions": [
            {"type": "Ready", "status": "True"}, {"type": "PodScheduled", "status": "True"}]}});
        assert!(started(&[&ready], &["Ready".into(), "PodScheduled".into()]));
    }

    #[test]
    fn created_notes_carry_the_trigger_values() {
        use scalecore::decide::Reading;
        let note = created_note(
            3,
            &[Reading::Value(12.0), Reading::Error, Reading::Value(0.5)],
        );
        assert_eq!(note, "Created 3 jobs; trigger values 0=12 1=? 2=0.5");
        assert_eq!(
            created_values(&note, 3),
            Some(vec![Some(12.0), None, Some(0.5)])
        );
        assert_eq!(created_values("Created 3 jobs", 1), None);
        assert_eq!(
            created_values("Created 1 jobs; trigger values 7=1", 1),
            None
        );
        assert_eq!(
            created_values("Created 1 jobs; trigger values 0=NaN", 1),
            None
        );
    }
}
