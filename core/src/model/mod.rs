//! Owned, typed ScaledObject and ScaledJob specs, read tolerantly from a parsed document.
//!
//! The schema layer reports mistyped fields; here an absent or mistyped field simply takes
//! the default KEDA applies, so the decision engine always has something to run.

mod behavior;
mod read;

pub use behavior::{Behavior, Policy, PolicyType, ScalingRules, SelectPolicy};

use std::collections::BTreeMap;

use crate::document::{Node, Resource};
use read::{bool_at, i64_at, string_map, text_at};

/// `spec.fallback.behavior`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FallbackBehavior {
    Static,
    CurrentReplicas,
    CurrentReplicasIfHigher,
    CurrentReplicasIfLower,
    ScalingModifiers,
}

impl FallbackBehavior {
    pub fn from_name(s: &str) -> FallbackBehavior {
        match s {
            "currentReplicas" => FallbackBehavior::CurrentReplicas,
            "currentReplicasIfHigher" => FallbackBehavior::CurrentReplicasIfHigher,
            "currentReplicasIfLower" => FallbackBehavior::CurrentReplicasIfLower,
            "scalingModifiers" => FallbackBehavior::ScalingModifiers,
            _ => FallbackBehavior::Static,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            FallbackBehavior::Static => "static",
            FallbackBehavior::CurrentReplicas => "currentReplicas",
            FallbackBehavior::CurrentReplicasIfHigher => "currentReplicasIfHigher",
            FallbackBehavior::CurrentReplicasIfLower => "currentReplicasIfLower",
            FallbackBehavior::ScalingModifiers => "scalingModifiers",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Fallback {
    pub failure_threshold: i64,
    pub replicas: i64,
    pub behavior: FallbackBehavior,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct HpaConfig {
    pub name: Option<String>,
    /// `behavior` as written (API defaulting happens in `decide`).
    pub behavior: Option<Behavior>,
}

/// `advanced.scalingModifiers`; the numbers stay text, as KEDA parses them late.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScalingModifiers {
    pub formula: String,
    pub target: String,
    pub activation_target: String,
    pub metric_type: String,
}

impl ScalingModifiers {
    /// KEDA's `IsUsingModifiers`: any of the four fields non-empty.
    pub fn in_use(&self) -> bool {
        !(self.formula.is_empty()
            && self.target.is_empty()
            && self.activation_target.is_empty()
            && self.metric_type.is_empty())
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Advanced {
    pub restore_to_original_replica_count: bool,
    pub horizontal_pod_autoscaler_config: HpaConfig,
    pub scaling_modifiers: ScalingModifiers,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AuthenticationRef {
    pub name: String,
    pub kind: String,
}

/// One `spec.triggers[]` item.
#[derive(Clone, Debug, PartialEq)]
pub struct Trigger {
    pub index: usize,
    pub trigger_type: String,
    pub name: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub metric_type: Option<String>,
    pub use_cached_metrics: bool,
    pub authentication_ref: Option<AuthenticationRef>,
}

impl Trigger {
    /// cpu and memory triggers become HPA Resource metrics and never decide activity.
    pub fn is_resource(&self) -> bool {
        matches!(self.trigger_type.as_str(), "cpu" | "memory")
    }

    /// The key scenarios and traces use: the trigger `name`, else `s{index}`.
    pub fn key(&self) -> String {
        match &self.name {
            Some(n) if !n.is_empty() => n.clone(),
            _ => format!("s{}", self.index),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ScaledObjectSpec {
    pub name: String,
    pub namespace: String,
    pub annotations: BTreeMap<String, String>,
    pub polling_interval: i64,
    pub cooldown_period: i64,
    pub initial_cooldown_period: i64,
    /// Kept optional: unset and an explicit 0 differ in KEDA's validation.
    pub min_replica_count: Option<i64>,
    pub max_replica_count: i64,
    pub idle_replica_count: Option<i64>,
    pub fallback: Option<Fallback>,
    pub advanced: Advanced,
    pub triggers: Vec<Trigger>,
}

/// `spec.scalingStrategy` of a ScaledJob.
#[derive(Clone, Debug, PartialEq)]
pub struct ScalingStrategy {
    pub strategy: String,
    pub custom_scaling_queue_length_deduction: i64,
    pub custom_scaling_running_job_percentage: Option<String>,
    pub multiple_scalers_calculation: String,
    pub pending_pod_conditions: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ScaledJobSpec {
    pub name: String,
    pub namespace: String,
    pub annotations: BTreeMap<String, String>,
    pub polling_interval: i64,
    pub min_replica_count: Option<i64>,
    pub max_replica_count: i64,
    pub scaling_strategy: ScalingStrategy,
    pub triggers: Vec<Trigger>,
}

fn annotations(resource: &Resource) -> BTreeMap<String, String> {
    resource
        .root
        .at(&["metadata", "annotations"])
        .map(string_map)
        .unwrap_or_default()
}

fn triggers(spec: Option<&Node>) -> Vec<Trigger> {
    let Some(items) = spec
        .and_then(|s| s.get("triggers"))
        .and_then(Node::as_sequence)
    else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .map(|(index, t)| Trigger {
            index,
            trigger_type: text_at(t, &["type"]).unwrap_or_default(),
            name: text_at(t, &["name"]).filter(|n| !n.is_empty()),
            metadata: t.get("metadata").map(string_map).unwrap_or_default(),
            metric_type: text_at(t, &["metricType"]).filter(|m| !m.is_empty()),
            use_cached_metrics: bool_at(t, &["useCachedMetrics"]).unwrap_or(false),
            authentication_ref: t.get("authenticationRef").map(|a| AuthenticationRef {
                name: text_at(a, &["name"]).unwrap_or_default(),
                kind: text_at(a, &["kind"]).unwrap_or_default(),
            }),
        })
        .collect()
}

impl ScaledObjectSpec {
    pub fn from_resource(resource: &Resource) -> ScaledObjectSpec {
        let spec = resource.spec();
        let int = |key: &str| spec.and_then(|s| i64_at(s, &[key]));
        let fallback = spec.and_then(|s| s.get("fallback")).map(|f| Fallback {
            failure_threshold: i64_at(f, &["failureThreshold"]).unwrap_or(0),
            replicas: i64_at(f, &["replicas"]).unwrap_or(0),
            behavior: FallbackBehavior::from_name(&text_at(f, &["behavior"]).unwrap_or_default()),
        });
        let adv = spec.and_then(|s| s.get("advanced"));
        let modifiers = adv.and_then(|a| a.get("scalingModifiers"));
        let m = |key: &str| {
            modifiers
                .and_then(|n| text_at(n, &[key]))
                .unwrap_or_default()
        };
        let hpa = adv.and_then(|a| a.get("horizontalPodAutoscalerConfig"));
        ScaledObjectSpec {
            name: resource.name.clone().unwrap_or_default(),
            namespace: resource.namespace_or("default").to_owned(),
            annotations: annotations(resource),
            polling_interval: int("pollingInterval").unwrap_or(30),
            cooldown_period: int("cooldownPeriod").unwrap_or(300),
            initial_cooldown_period: int("initialCooldownPeriod").unwrap_or(0),
            min_replica_count: int("minReplicaCount"),
            max_replica_count: int("maxReplicaCount").unwrap_or(100),
            idle_replica_count: int("idleReplicaCount"),
            fallback,
            advanced: Advanced {
                restore_to_original_replica_count: adv
                    .and_then(|a| bool_at(a, &["restoreToOriginalReplicaCount"]))
                    .unwrap_or(false),
                horizontal_pod_autoscaler_config: HpaConfig {
                    name: hpa.and_then(|h| text_at(h, &["name"])),
                    behavior: hpa.and_then(|h| h.get("behavior")).map(Behavior::from_node),
                },
                scaling_modifiers: ScalingModifiers {
                    formula: m("formula"),
                    target: m("target"),
                    activation_target: m("activationTarget"),
                    metric_type: m("metricType"),
                },
            },
            triggers: triggers(spec),
        }
    }

    /// HPA `minReplicas`: minReplicaCount when > 0, else 1.
    pub fn hpa_min_replicas(&self) -> i64 {
        self.min_replica_count.filter(|m| *m > 0).unwrap_or(1)
    }

    /// HPA name: `advanced.horizontalPodAutoscalerConfig.name` or `keda-hpa-<name>`.
    pub fn hpa_name(&self) -> String {
        match &self.advanced.horizontal_pod_autoscaler_config.name {
            Some(n) if !n.is_empty() => n.clone(),
            _ => format!("keda-hpa-{}", self.name),
        }
    }
}

impl ScaledJobSpec {
    pub fn from_resource(resource: &Resource) -> ScaledJobSpec {
        let spec = resource.spec();
        let int = |key: &str| spec.and_then(|s| i64_at(s, &[key]));
        let st = spec.and_then(|s| s.get("scalingStrategy"));
        let st_text = |key: &str| st.and_then(|n| text_at(n, &[key]));
        ScaledJobSpec {
            name: resource.name.clone().unwrap_or_default(),
            namespace: resource.namespace_or("default").to_owned(),
            annotations: annotations(resource),
            polling_interval: int("pollingInterval").unwrap_or(30),
            min_replica_count: int("minReplicaCount"),
            max_replica_count: int("maxReplicaCount").unwrap_or(100),
            scaling_strategy: ScalingStrategy {
                strategy: st_text("strategy").unwrap_or_default(),
                custom_scaling_queue_length_deduction: st
                    .and_then(|n| i64_at(n, &["customScalingQueueLengthDeduction"]))
                    .unwrap_or(0),
                custom_scaling_running_job_percentage: st_text("customScalingRunningJobPercentage"),
                multiple_scalers_calculation: st_text("multipleScalersCalculation")
                    .unwrap_or_default(),
                pending_pod_conditions: st
                    .and_then(|n| n.get("pendingPodConditions"))
                    .and_then(Node::as_sequence)
                    .map(|s| {
                        s.iter()
                            .filter_map(|c| c.text().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default(),
            },
            triggers: triggers(spec),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::{load_bundle, LintOptions};

    fn so(yaml: &str) -> ScaledObjectSpec {
        let (bundle, _) = load_bundle(&[yaml], &LintOptions::default());
        let r = bundle.resources.first().expect("resource");
        ScaledObjectSpec::from_resource(r)
    }

    #[test]
    fn defaults_apply_when_fields_are_absent_or_mistyped() {
        let s = so("apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: w\nspec:\n  pollingInterval: soon\n  maxReplicaCount: [1]\n  triggers:\n  - type: prometheus\n    metadata:\n      threshold: '5'\n");
        assert_eq!(s.polling_interval, 30);
        assert_eq!(s.cooldown_period, 300);
        assert_eq!(s.initial_cooldown_period, 0);
        assert_eq!(s.max_replica_count, 100);
        assert_eq!(s.min_replica_count, None);
        assert_eq!(s.hpa_min_replicas(), 1);
        assert_eq!(s.hpa_name(), "keda-hpa-w");
        assert_eq!(s.triggers.first().map(Trigger::key).as_deref(), Some("s0"));
    }

    #[test]
    fn reads_every_field_keda_decides_with() {
        let s = so(r#"apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: w
  namespace: shop
  annotations:
    autoscaling.keda.sh/paused-scale-in: "true"
spec:
  minReplicaCount: 0
  idleReplicaCount: 0
  maxReplicaCount: 7
  fallback: {failureThreshold: 2, replicas: 4, behavior: currentReplicasIfHigher}
  advanced:
    restoreToOriginalReplicaCount: true
    horizontalPodAutoscalerConfig:
      name: custom
      behavior:
        scaleDown:
          stabilizationWindowSeconds: 60
          tolerance: 50m
          policies: [{type: Pods, value: 2, periodSeconds: 60}]
    scalingModifiers: {formula: "a + 1", target: "5", activationTarget: "2"}
  triggers:
  - type: azure-servicebus
    name: a
    useCachedMetrics: true
    metricType: Value
    authenticationRef: {name: sb}
    metadata: {queueName: q, messageCount: "5"}
"#);
        assert_eq!(s.namespace, "shop");
        assert_eq!(s.min_replica_count, Some(0));
        assert_eq!(s.idle_replica_count, Some(0));
        assert_eq!(s.max_replica_count, 7);
        let f = s.fallback.clone().expect("fallback");
        assert_eq!(
            (f.failure_threshold, f.replicas, f.behavior),
            (2, 4, FallbackBehavior::CurrentReplicasIfHigher)
        );
        assert!(s.advanced.restore_to_original_replica_count);
        assert_eq!(s.hpa_name(), "custom");
        let down = s
            .advanced
            .horizontal_pod_autoscaler_config
            .behavior
            .clone()
            .expect("behavior")
            .defaulted_scale_down(300);
        assert_eq!(down.stabilization_window_seconds, Some(60));
        assert_eq!(down.tolerance, Some(0.05));
        assert_eq!(down.policies.map(|p| p.len()), Some(1));
        assert!(s.advanced.scaling_modifiers.in_use());
        let t = s.triggers.first().expect("trigger");
        assert!(t.use_cached_metrics);
        assert_eq!(t.metric_type.as_deref(), Some("Value"));
        assert_eq!(
            t.authentication_ref.as_ref().map(|a| a.name.as_str()),
            Some("sb")
        );
        assert_eq!(
            t.metadata.get("messageCount").map(String::as_str),
            Some("5")
        );
        assert_eq!(
            s.annotations
                .get("autoscaling.keda.sh/paused-scale-in")
                .map(String::as_str),
            Some("true")
        );
    }

    #[test]
    fn scaled_job_strategy() {
        let (bundle, _) = load_bundle(
            &["apiVersion: keda.sh/v1alpha1\nkind: ScaledJob\nmetadata:\n  name: j\nspec:\n  maxReplicaCount: 10\n  minReplicaCount: 2\n  scalingStrategy:\n    strategy: custom\n    customScalingQueueLengthDeduction: 1\n    customScalingRunningJobPercentage: \"0.5\"\n    multipleScalersCalculation: sum\n    pendingPodConditions: [Ready]\n  triggers:\n  - type: prometheus\n    metadata: {threshold: '1'}\n"],
            &LintOptions::default(),
        );
        let j = ScaledJobSpec::from_resource(bundle.resources.first().expect("job"));
        assert_eq!(j.max_replica_count, 10);
        assert_eq!(j.min_replica_count, Some(2));
        assert_eq!(j.scaling_strategy.strategy, "custom");
        assert_eq!(j.scaling_strategy.custom_scaling_queue_length_deduction, 1);
        assert_eq!(
            j.scaling_strategy
                .custom_scaling_running_job_percentage
                .as_deref(),
            Some("0.5")
        );
        assert_eq!(j.scaling_strategy.multiple_scalers_calculation, "sum");
        assert_eq!(
            j.scaling_strategy.pending_pod_conditions,
            vec!["Ready".to_owned()]
        );
    }
}
