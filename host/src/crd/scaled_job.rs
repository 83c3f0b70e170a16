//! `ScaledJob` (`sj`): Jobs created from a template as events wait, at most so many at once.

use k8s_openapi::api::batch::v1::JobSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Condition, ScaleTriggers, TriggerActivity};

/// Jobs to run for waiting events.
// kube's printcolumn(...) lists repeat `type_ = "string"`, which is no mistake.
#[allow(clippy::duplicated_attributes)]
#[derive(CustomResource, Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[kube(
    group = "keda.sh",
    version = "v1alpha1",
    kind = "ScaledJob",
    plural = "scaledjobs",
    singular = "scaledjob",
    shortname = "sj",
    namespaced,
    status = "ScaledJobStatus",
    derive = "PartialEq",
    printcolumn(name = "Min", type_ = "integer", json_path = ".spec.minReplicaCount"),
    printcolumn(name = "Max", type_ = "integer", json_path = ".spec.maxReplicaCount"),
    printcolumn(
        name = "Ready",
        type_ = "string",
        json_path = ".status.conditions[?(@.type==\"Ready\")].status"
    ),
    printcolumn(
        name = "Active",
        type_ = "string",
        json_path = ".status.conditions[?(@.type==\"Active\")].status"
    ),
    printcolumn(
        name = "Paused",
        type_ = "string",
        json_path = ".status.conditions[?(@.type==\"Paused\")].status"
    ),
    printcolumn(
        name = "Triggers",
        type_ = "string",
        json_path = ".status.triggersTypes"
    ),
    printcolumn(
        name = "Authentications",
        type_ = "string",
        json_path = ".status.authenticationsTypes"
    ),
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct ScaledJobSpec {
    /// The Job each event gets: labels, owner and generateName are added when it is created.
    #[schemars(schema_with = "job_spec_schema")]
    pub job_target_ref: JobSpec,
    /// Seconds between two polls of the triggers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub polling_interval: Option<i32>,
    /// Finished Jobs kept, oldest deleted first (default 100 each).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub successful_jobs_history_limit: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub failed_jobs_history_limit: Option<i32>,
    /// Container whose environment resolves `...FromEnv` trigger parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env_source_container_name: Option<String>,
    /// Jobs kept running at all times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub min_replica_count: Option<i32>,
    /// Jobs running at once, at most.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub max_replica_count: Option<i32>,
    /// Deprecated spelling of `rollout.strategy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout_strategy: Option<RolloutStrategy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout: Option<Rollout>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaling_strategy: Option<ScalingStrategy>,
    /// The event sources.
    #[schemars(length(min = 1))]
    pub triggers: Vec<ScaleTriggers>,
}

fn job_spec_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    super::embedded::schema::<JobSpec>()
}

/// What happens to running Jobs when the ScaledJob changes: `immediate` deletes them,
/// `gradual` lets them finish.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum RolloutStrategy {
    Gradual,
    Immediate,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Rollout {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<RolloutStrategy>,
    /// How the Jobs of an earlier generation are deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub propagation_policy: Option<PropagationPolicy>,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum PropagationPolicy {
    Foreground,
    Background,
}

/// How many Jobs one poll creates.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ScalingStrategy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<Strategy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_scaling_queue_length_deduction: Option<i32>,
    /// A decimal number, as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_scaling_running_job_percentage: Option<String>,
    /// Pod conditions that all have to be True for a Job to count as no longer pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_pod_conditions: Option<Vec<String>>,
    /// How several triggers combine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiple_scalers_calculation: Option<MultipleScalersCalculation>,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum Strategy {
    Default,
    Custom,
    Accurate,
    Eager,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum MultipleScalersCalculation {
    Min,
    Avg,
    Sum,
    Max,
}

/// What the controller reports back on a ScaledJob.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ScaledJobStatus {
    /// When a trigger was last active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_active_time: Option<Time>,
    /// Ready, Active, Fallback and Paused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    /// KEDA's field, spelt with a capital.
    #[serde(rename = "Paused", default, skip_serializing_if = "Option::is_none")]
    pub paused: Option<String>,
    /// Comma-separated trigger types (a printer column).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triggers_types: Option<String>,
    /// Comma-separated (Cluster)TriggerAuthentication names (a printer column).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentications_types: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_metric_names: Option<Vec<String>>,
    /// Per trigger: whether its last poll found it active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triggers_activity: Option<std::collections::BTreeMap<String, TriggerActivity>>,
}
