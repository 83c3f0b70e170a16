//! The scenario (input of `simulate`) and the trace (its output), in the JSON shape every
//! binding shares (docs/formats.md, "Scenario").

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;

use super::queue::{QueueModel, QueueSummary};

/// A ScaledObject or ScaledJob and what happens to it over time.
///
/// Explicit mode: every step names its `loop` (`keda`, `hpa`, `reconcile`, `delete`) and is
/// evaluated exactly there. Series mode: no step names a loop; steps are metric samples and
/// KEDA polls run every `pollingInterval` from t=0, HPA syncs every `hpaSyncPeriod` from t=5,
/// each reading the latest sample at or before its time, until `until` (default: the last
/// sample's time, or the queue model's `duration`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario {
    /// ScaledObject or ScaledJob YAML/JSON text; the first one found is simulated.
    pub manifest: String,
    #[serde(default)]
    pub initial: InitialSpec,
    #[serde(default = "default_hpa_sync_period")]
    pub hpa_sync_period: i64,
    #[serde(default)]
    pub steps: Vec<Step>,
    /// Series and queue mode: last tick time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<i64>,
    /// A queue feeding one trigger (capacity planning); see [`QueueModel`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<QueueModel>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expect: Vec<Expect>,
}

fn default_hpa_sync_period() -> i64 {
    15
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InitialSpec {
    #[serde(default)]
    pub replicas: i64,
    #[serde(default)]
    pub last_active_time: Option<i64>,
    /// The ScaledObject's creationTimestamp (default -1: created just before t=0).
    #[serde(default)]
    pub creation_time: Option<i64>,
}

/// One step: a tick (explicit mode) or a sample (series mode).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Step {
    pub t: i64,
    #[serde(default, rename = "loop", skip_serializing_if = "Option::is_none")]
    pub loop_kind: Option<String>,
    /// Trigger values keyed by trigger `name`, else `s{index}`.
    #[serde(default)]
    pub metrics: BTreeMap<String, f64>,
    /// Triggers whose scaler call fails at this step.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    /// Overrides the observed `spec.replicas`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i64>,
    /// Pods Running and Ready (default: `replicas`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_pods: Option<i64>,
    /// The target's `status.replicas`: every pod the HPA lists (default: `replicas`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_replicas: Option<i64>,
    /// cpu/memory: of the pods not ready, those still Pending (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_pods: Option<i64>,
    /// cpu/memory: of the ready pods, those the metrics API has no sample for (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pods_without_metrics: Option<i64>,
    /// Annotation changes from this step on; `null` removes a key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, Option<String>>>,
    /// ScaledJob: unfinished Jobs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub running_jobs: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_jobs: Option<i64>,
}

/// An expected value after the step at `t` (of `loop`, when several share a time).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Expect {
    pub t: i64,
    #[serde(default, rename = "loop", skip_serializing_if = "Option::is_none")]
    pub loop_kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

/// One trigger at one step.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TriggerTrace {
    /// The value served (the scaler's or the fallback's); absent on error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    pub active: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub error: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub fallback: bool,
    /// The fallback failure counter after the step.
    #[serde(skip_serializing_if = "is_zero")]
    pub failures: i64,
}

fn is_zero(v: &i64) -> bool {
    *v == 0
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceStep {
    pub t: i64,
    #[serde(rename = "loop")]
    pub loop_kind: String,
    /// Replicas after the step (ScaledJob: Jobs created by the poll).
    pub replicas: i64,
    pub active: bool,
    pub fallback: bool,
    pub reason: String,
    pub triggers: BTreeMap<String, TriggerTrace>,
    /// Queue mode: messages waiting at the tick.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_length: Option<f64>,
    /// Queue mode: pods ready at the tick.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_pods: Option<i64>,
    /// Queue mode: age of the oldest waiting message, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest_wait_seconds: Option<i64>,
    /// Queue mode: pod-seconds used since t=0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_seconds: Option<f64>,
}

/// An `expect` entry that did not hold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Mismatch {
    pub t: i64,
    pub field: String,
    pub expected: serde_json::Value,
    /// `null` when no step matched.
    pub actual: serde_json::Value,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Trace {
    pub steps: Vec<TraceStep>,
    pub diagnostics: Vec<Diagnostic>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mismatches: Vec<Mismatch>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<QueueSummary>,
}
