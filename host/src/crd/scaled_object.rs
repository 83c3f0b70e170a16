//! `ScaledObject` (`so`): what to scale, between which bounds, on which triggers.

use std::collections::BTreeMap;

use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscalerBehavior;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ScaledObjectStatus;

/// The desired scaling of one workload.
// kube's printcolumn(...) lists repeat `type_ = "string"`, which is no mistake.
#[allow(clippy::duplicated_attributes)]
#[derive(CustomResource, Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[kube(
    group = "keda.sh",
    version = "v1alpha1",
    kind = "ScaledObject",
    plural = "scaledobjects",
    singular = "scaledobject",
    shortname = "so",
    namespaced,
    status = "ScaledObjectStatus",
    derive = "PartialEq",
    printcolumn(
        name = "ScaleTargetKind",
        type_ = "string",
        json_path = ".status.scaleTargetKind"
    ),
    printcolumn(
        name = "ScaleTargetName",
        type_ = "string",
        json_path = ".spec.scaleTargetRef.name"
    ),
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
        name = "Fallback",
        type_ = "string",
        json_path = ".status.conditions[?(@.type==\"Fallback\")].status"
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
// The one cross-field rule KEDA's CRD itself enforces (100 is KEDA's default maxReplicaCount).
#[schemars(extend("x-kubernetes-validations" = [{
    "message": "minReplicaCount must be less than or equal to maxReplicaCount",
    "rule": "!has(self.minReplicaCount) || self.minReplicaCount <= (has(self.maxReplicaCount) ? self.maxReplicaCount : 100)"
}]))]
pub struct ScaledObjectSpec {
    /// The workload whose `/scale` subresource is written.
    pub scale_target_ref: ScaleTarget,
    /// Seconds between two polls of the triggers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub polling_interval: Option<i32>,
    /// Seconds of inactivity after which the workload goes to zero (or idleReplicaCount).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub cooldown_period: Option<i32>,
    /// Seconds after creation before the first scale to zero.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub initial_cooldown_period: Option<i32>,
    /// Replicas while no trigger is active (below minReplicaCount).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub idle_replica_count: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub min_replica_count: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub max_replica_count: Option<i32>,
    /// Replicas to hold while a trigger keeps failing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<Fallback>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advanced: Option<AdvancedConfig>,
    /// The event sources; every one yields one external metric.
    #[schemars(length(min = 1))]
    pub triggers: Vec<ScaleTriggers>,
}

/// The workload to scale; a missing apiVersion/kind means an `apps/v1` Deployment.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ScaleTarget {
    #[schemars(length(min = 1))]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Container whose environment resolves `...FromEnv` trigger parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env_source_container_name: Option<String>,
}

/// The replica count held after `failureThreshold` consecutive failed polls.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Fallback {
    #[schemars(range(min = 0))]
    pub failure_threshold: i32,
    #[schemars(range(min = 0))]
    pub replicas: i32,
    #[serde(default)]
    pub behavior: FallbackBehavior,
}

/// How `fallback.replicas` combines with the replicas running when the fallback starts.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum FallbackBehavior {
    #[default]
    Static,
    CurrentReplicas,
    CurrentReplicasIfHigher,
    CurrentReplicasIfLower,
    ScalingModifiers,
}

/// Advanced options: the HPA's name and behaviour, the restore on deletion, a composite metric.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AdvancedConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub horizontal_pod_autoscaler_config: Option<HorizontalPodAutoscalerConfig>,
    /// On deletion, put the workload back to the replicas it had before KEDA took it over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore_to_original_replica_count: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaling_modifiers: Option<ScalingModifiers>,
}

/// The HPA's name and scaling behaviour.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct HorizontalPodAutoscalerConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "hpa_behavior_schema")]
    pub behavior: Option<HorizontalPodAutoscalerBehavior>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The grammar of a resource quantity (`100m`, `1.5Gi`, `2e3`), as the API server checks it.
pub(super) const QUANTITY_PATTERN: &str = r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$";

/// The HPA behaviour's schema with what the built-in HPA type declares beyond k8s-openapi's
/// schema, as KEDA's CRD carries it: the policies are atomic lists, and a tolerance (an
/// integer or a string) matches the quantity grammar.
fn hpa_behavior_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let mut schema = generator.subschema_for::<Option<HorizontalPodAutoscalerBehavior>>();
    for direction in ["scaleUp", "scaleDown"] {
        let Some(rules) = schema
            .get_mut("properties")
            .and_then(|p| p.get_mut(direction))
            .and_then(|r| r.get_mut("properties"))
            .and_then(serde_json::Value::as_object_mut)
        else {
            continue;
        };
        if let Some(policies) = rules.get_mut("policies").and_then(|p| p.as_object_mut()) {
            policies.insert("x-kubernetes-list-type".into(), "atomic".into());
        }
        if let Some(tolerance) = rules.get_mut("tolerance").and_then(|t| t.as_object_mut()) {
            tolerance.insert("pattern".into(), QUANTITY_PATTERN.into());
        }
    }
    schema
}

/// One composite metric computed by a formula from the triggers' metrics.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ScalingModifiers {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formula: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activation_target: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_type: Option<ModifierMetricType>,
}

/// The metric target types a composite metric may use.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModifierMetricType {
    AverageValue,
    Value,
}

/// One event source; it yields one external metric.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ScaleTriggers {
    /// The scaler, e.g. `azure-servicebus`.
    #[serde(rename = "type")]
    #[schemars(length(min = 1))]
    pub type_: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The scaler's parameters; every value is a string.
    #[serde(deserialize_with = "super::nulls::string_map")]
    pub metadata: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_ref: Option<AuthenticationRef>,
    /// `AverageValue` (default), `Value` or `Utilization`; KEDA's webhook checks it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_cached_metrics: Option<bool>,
}

/// The (Cluster)TriggerAuthentication the trigger takes its parameters from.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationRef {
    pub name: String,
    /// Missing means TriggerAuthentication (in the ScaledObject's namespace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<AuthenticationRefKind>,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthenticationRefKind {
    TriggerAuthentication,
    ClusterTriggerAuthentication,
}
