//! The scenario (input of `simulate`) and the trace (its output), in the JSON shape every
//! binding shares (docs/scenario.md; JSON Schemas in docs/schemas/).

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
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario {
    /// YAML or JSON text (a stream); its first keda.sh/v1alpha1 ScaledObject or ScaledJob is
    /// simulated, and every document in it is linted into the trace's `diagnostics`.
    pub manifest: String,
    /// The state at t=0.
    #[serde(default)]
    pub initial: InitialSpec,
    /// The HPA controller's sync period, seconds (`--horizontal-pod-autoscaler-sync-period`);
    /// series and queue mode schedule an HPA sync this often from t=5, and refuse a value
    /// below 1.
    #[serde(default = "default_hpa_sync_period")]
    pub hpa_sync_period: i64,
    /// Explicit mode: the ticks, each naming its `loop`. Series mode: metric samples, none
    /// naming a loop. Both kinds in one scenario are refused.
    #[serde(default)]
    pub steps: Vec<Step>,
    /// Series and queue mode: the time of the last tick, seconds (default: series mode, the
    /// last sample's `t`; queue mode, `queue.duration`, else 900).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<i64>,
    /// Queue mode: a queue feeding one trigger, for capacity planning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<QueueModel>,
    /// Checks on the trace; one that does not hold is listed in the trace's `mismatches` (and
    /// makes `scalecore simulate` exit 1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expect: Vec<Expect>,
}

fn default_hpa_sync_period() -> i64 {
    15
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InitialSpec {
    /// The target's replicas at t=0.
    #[serde(default)]
    pub replicas: i64,
    /// The ScaledObject's `status.lastActiveTime`, seconds (null: never active).
    #[serde(default)]
    pub last_active_time: Option<i64>,
    /// The ScaledObject's creationTimestamp, seconds (null: -1, created just before t=0);
    /// `initialCooldownPeriod` counts from it.
    #[serde(default)]
    pub creation_time: Option<i64>,
}

/// One step: a tick (explicit mode) or a sample (series mode).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Step {
    /// Seconds since t=0.
    pub t: i64,
    /// Explicit mode: `keda` (a KEDA poll), `hpa` (an HPA sync), `reconcile` (the operator
    /// reconciling annotation changes) or `delete` (the ScaledObject deleted);
    /// `keda-scaledjob` is `keda`. Series mode: absent.
    #[serde(default, rename = "loop", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "json-schema", schemars(extend("enum" = ["keda", "hpa", "reconcile", "delete", "keda-scaledjob", null])))]
    pub loop_kind: Option<String>,
    /// Trigger values keyed by trigger `name`, else `s{index}`; a value holds until a later
    /// step sets another (cpu/memory: the mean utilization, percent, or value over the pods
    /// with a sample).
    #[serde(default)]
    pub metrics: BTreeMap<String, f64>,
    /// Triggers whose scaler call fails at this step (only this step).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    /// Overrides the observed `spec.replicas` at this step (otherwise: the last decision).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i64>,
    /// Pods Running and Ready (default: `replicas`); holds until a later step sets it.
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
    /// ScaledJob: Jobs not finished (default 0; holds until a later step sets it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub running_jobs: Option<i64>,
    /// ScaledJob: of those, Jobs whose pods are not running yet (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_jobs: Option<i64>,
}

/// An expected value after the step at `t` (of `loop`, when several share a time).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Expect {
    /// The time of the trace step checked (the last one at that time).
    pub t: i64,
    /// Which loop's step, when several share `t` (absent: the last step at `t`).
    #[serde(default, rename = "loop", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "json-schema", schemars(extend("enum" = ["keda", "hpa", "reconcile", "delete", null])))]
    pub loop_kind: Option<String>,
    /// The step's `replicas`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i64>,
    /// The step's `active`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

/// One trigger at one step.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TriggerTrace {
    /// The value served (the scaler's or the fallback's); absent on error.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "json-schema", schemars(with = "f64"))]
    pub value: Option<f64>,
    /// The value is above the trigger's activation threshold.
    pub active: bool,
    /// The scaler call failed (present only when true).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub error: bool,
    /// The fallback served the value (present only when true).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub fallback: bool,
    /// The fallback failure counter after the step (present only when not 0).
    #[serde(skip_serializing_if = "is_zero")]
    pub failures: i64,
}

fn is_zero(v: &i64) -> bool {
    *v == 0
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TraceStep {
    /// Seconds since t=0.
    pub t: i64,
    /// The loop that ran: `keda`, `hpa`, `reconcile` (also before a step whose annotations
    /// changed) or `delete`.
    #[serde(rename = "loop")]
    #[cfg_attr(feature = "json-schema", schemars(extend("enum" = ["keda", "hpa", "reconcile", "delete"])))]
    pub loop_kind: String,
    /// Desired replicas after the step (ScaledJob: Jobs created by the poll).
    pub replicas: i64,
    /// The ScaledObject is active (some trigger above its activation threshold).
    pub active: bool,
    /// The fallback replicas are in force.
    pub fallback: bool,
    /// How the step decided, in KEDA's and the HPA's terms.
    pub reason: String,
    /// Each trigger at this step, keyed by its `name`, else `s{index}`.
    pub triggers: BTreeMap<String, TriggerTrace>,
    /// Queue mode: messages waiting at the tick.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "json-schema", schemars(with = "f64"))]
    pub queue_length: Option<f64>,
    /// Queue mode: pods ready at the tick.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "json-schema", schemars(with = "i64"))]
    pub ready_pods: Option<i64>,
    /// Queue mode: age of the oldest waiting message, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "json-schema", schemars(with = "i64"))]
    pub oldest_wait_seconds: Option<i64>,
    /// Queue mode: pod-seconds used since t=0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "json-schema", schemars(with = "f64"))]
    pub pod_seconds: Option<f64>,
}

/// An `expect` entry that did not hold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Mismatch {
    /// The `t` of the `expect` entry.
    pub t: i64,
    /// `replicas` or `active`.
    #[cfg_attr(feature = "json-schema", schemars(extend("enum" = ["replicas", "active"])))]
    pub field: String,
    /// The value the entry expected.
    pub expected: serde_json::Value,
    /// The step's value; `null` when no step matched.
    pub actual: serde_json::Value,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Trace {
    /// Every tick, in time order (KEDA before the HPA at the same second).
    pub steps: Vec<TraceStep>,
    /// The manifest's findings (those that do not stop a simulation).
    pub diagnostics: Vec<Diagnostic>,
    /// The `expect` entries that did not hold (present only when some did not).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mismatches: Vec<Mismatch>,
    /// Queue mode: what the run cost and how long messages waited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "json-schema", schemars(with = "QueueSummary"))]
    pub queue: Option<QueueSummary>,
}
