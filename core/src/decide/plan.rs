//! What a ScaledObject spec means to the two loops, computed once: metric names, targets,
//! activation thresholds, the HPA's min/max and its behavior after API defaulting.

use std::collections::BTreeMap;

use crate::model::{Fallback, FallbackBehavior, ScaledObjectSpec, ScalingRules, SelectPolicy};
use crate::model::{Policy, Trigger};
use crate::scalers::{self, MetricType, TriggerInput};

use super::modifiers::Composite;

/// The controller's default downscale stabilization (`--horizontal-pod-autoscaler-downscale-stabilization`).
pub const DOWNSCALE_WINDOW: i64 = 300;
/// The cluster default tolerance (`--horizontal-pod-autoscaler-tolerance`).
pub const DEFAULT_TOLERANCE: f64 = 0.1;

/// One trigger as both loops see it.
#[derive(Clone, Debug)]
pub struct TriggerPlan {
    pub key: String,
    pub name: Option<String>,
    pub metric_name: String,
    pub metric_type: MetricType,
    pub target: f64,
    pub activation: f64,
    /// cpu/memory: an HPA Resource metric, ignored by the KEDA loop.
    pub resource: bool,
    /// A `cpu` trigger: the HPA sets running-but-unready pods aside only for cpu.
    pub cpu: bool,
    pub use_cached_metrics: bool,
    /// The scaler could not be built: every evaluation fails.
    pub build_error: Option<String>,
}

/// One direction's HPA scaling rules after defaulting.
#[derive(Clone, Debug, PartialEq)]
pub struct Rules {
    pub window: i64,
    pub select: SelectPolicy,
    pub policies: Vec<Policy>,
    pub longest_period: i64,
}

impl Rules {
    fn from(r: &ScalingRules) -> Rules {
        let policies = r.policies.clone().unwrap_or_default();
        Rules {
            window: r.stabilization_window_seconds.unwrap_or(0),
            select: r.select_policy.unwrap_or(SelectPolicy::Max),
            longest_period: policies.iter().map(|p| p.period_seconds).max().unwrap_or(0),
            policies,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct HpaBehavior {
    pub up: Rules,
    pub down: Rules,
}

/// Pause-related annotations, as KEDA reads them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pause {
    pub paused: bool,
    /// `paused-replicas`: present means paused; `Err` holds a value that is not an int32.
    pub paused_replicas: Option<Result<i64, String>>,
    pub scale_in: bool,
    pub scale_out: bool,
    pub force_activation: bool,
}

/// Go `strconv.ParseBool`, with anything unparsable counting as true (KEDA's reading).
fn bool_annotation(v: Option<&String>) -> bool {
    match v.map(String::as_str) {
        None => false,
        Some("0" | "f" | "F" | "false" | "FALSE" | "False") => false,
        Some(_) => true,
    }
}

impl Pause {
    pub fn from_annotations(a: &BTreeMap<String, String>) -> Pause {
        Pause {
            paused: bool_annotation(a.get("autoscaling.keda.sh/paused")),
            paused_replicas: a.get("autoscaling.keda.sh/paused-replicas").map(|v| {
                v.trim()
                    .parse::<i32>()
                    .map(i64::from)
                    .map_err(|_| v.clone())
            }),
            scale_in: bool_annotation(a.get("autoscaling.keda.sh/paused-scale-in")),
            scale_out: bool_annotation(a.get("autoscaling.keda.sh/paused-scale-out")),
            force_activation: bool_annotation(a.get("autoscaling.keda.sh/force-activation")),
        }
    }

    /// The scale loop stops and the HPA is deleted.
    pub fn stops_loop(&self) -> bool {
        self.paused || self.paused_replicas.is_some()
    }
}

#[derive(Clone, Debug)]
pub struct Plan {
    pub polling_interval: i64,
    pub cooldown: i64,
    pub initial_cooldown: i64,
    /// `minReplicaCount or 0`.
    pub min: i64,
    pub idle: Option<i64>,
    pub hpa_min: i64,
    pub hpa_max: i64,
    pub fallback: Option<Fallback>,
    /// `HasValidFallback`.
    pub fallback_valid: bool,
    pub triggers: Vec<TriggerPlan>,
    pub composite: Option<Composite>,
    pub written_behavior: Option<crate::model::Behavior>,
    /// `None` = the legacy path (no behavior on the HPA).
    pub behavior: Option<HpaBehavior>,
    /// (scale-down, scale-up).
    pub tolerance: (f64, f64),
    pub pause: Pause,
    pub restore_to_original_replica_count: bool,
}

fn trigger_plan(t: &Trigger, namespace: &str) -> TriggerPlan {
    let empty = BTreeMap::new();
    let input = TriggerInput {
        trigger_type: &t.trigger_type,
        index: t.index,
        metadata: &t.metadata,
        auth_params: &empty,
        env: &empty,
        pod_identity: None,
        metric_type: t.metric_type.as_deref(),
        namespace,
    };
    let (metric, build_error) = match scalers::metric(&input) {
        Ok(m) => (Some(m), None),
        Err(e) => (None, Some(e.message)),
    };
    TriggerPlan {
        key: t.key(),
        name: t.name.clone(),
        metric_name: metric
            .as_ref()
            .map(|m| m.metric_name.clone())
            .unwrap_or_else(|| format!("s{}-{}", t.index, t.trigger_type)),
        metric_type: metric
            .as_ref()
            .map_or(MetricType::AverageValue, |m| m.metric_type),
        target: metric.as_ref().map_or(0.0, |m| m.target),
        activation: metric.as_ref().map_or(0.0, |m| m.activation),
        resource: t.is_resource(),
        cpu: t.trigger_type == "cpu",
        use_cached_metrics: t.use_cached_metrics,
        build_error,
    }
}

impl Plan {
    pub fn new(spec: &ScaledObjectSpec) -> Plan {
        let triggers: Vec<TriggerPlan> = spec
            .triggers
            .iter()
            .map(|t| trigger_plan(t, &spec.namespace))
            .collect();
        let composite = Composite::new(&spec.advanced.scaling_modifiers, &triggers);
        let fallback_valid = spec.fallback.as_ref().is_some_and(|f| {
            f.failure_threshold >= 0
                && f.replicas >= 0
                && (!spec.advanced.scaling_modifiers.in_use()
                    || spec
                        .advanced
                        .scaling_modifiers
                        .target
                        .trim()
                        .parse::<i64>()
                        .is_ok_and(|t| t > 0))
        });
        let mut plan = Plan {
            polling_interval: spec.polling_interval.max(1),
            cooldown: spec.cooldown_period,
            initial_cooldown: spec.initial_cooldown_period,
            min: spec.min_replica_count.unwrap_or(0),
            idle: spec.idle_replica_count,
            hpa_min: spec.hpa_min_replicas(),
            hpa_max: spec.max_replica_count,
            fallback: spec.fallback.clone(),
            fallback_valid,
            triggers,
            composite,
            written_behavior: spec
                .advanced
                .horizontal_pod_autoscaler_config
                .behavior
                .clone(),
            behavior: None,
            tolerance: (DEFAULT_TOLERANCE, DEFAULT_TOLERANCE),
            pause: Pause::default(),
            restore_to_original_replica_count: spec.advanced.restore_to_original_replica_count,
        };
        plan.set_annotations(&spec.annotations);
        plan
    }

    /// Re-reads the pause annotations and rebuilds the HPA behavior KEDA would write:
    /// paused-scale-in/out inject `selectPolicy: Disabled`, which also turns a legacy HPA
    /// into a behavior HPA.
    pub fn set_annotations(&mut self, annotations: &BTreeMap<String, String>) {
        self.pause = Pause::from_annotations(annotations);
        let mut written = self.written_behavior.clone();
        if self.pause.scale_in {
            let b = written.get_or_insert_with(Default::default);
            b.scale_down
                .get_or_insert_with(Default::default)
                .select_policy = Some(SelectPolicy::Disabled);
        }
        if self.pause.scale_out {
            let b = written.get_or_insert_with(Default::default);
            b.scale_up
                .get_or_insert_with(Default::default)
                .select_policy = Some(SelectPolicy::Disabled);
        }
        match written {
            Some(b) => {
                let up = b.defaulted_scale_up();
                let down = b.defaulted_scale_down(DOWNSCALE_WINDOW);
                self.tolerance = (
                    down.tolerance.unwrap_or(DEFAULT_TOLERANCE),
                    up.tolerance.unwrap_or(DEFAULT_TOLERANCE),
                );
                self.behavior = Some(HpaBehavior {
                    up: Rules::from(&up),
                    down: Rules::from(&down),
                });
            }
            None => {
                self.tolerance = (DEFAULT_TOLERANCE, DEFAULT_TOLERANCE);
                self.behavior = None;
            }
        }
    }

    pub fn fallback_behavior(&self) -> Option<FallbackBehavior> {
        self.fallback.as_ref().map(|f| f.behavior)
    }

    /// Index of a trigger by its scenario key (`name`, else `s{index}`).
    pub fn trigger_index(&self, key: &str) -> Option<usize> {
        self.triggers.iter().position(|t| t.key == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn annotations(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (format!("autoscaling.keda.sh/{k}"), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn pause_annotations_read_like_parse_bool_with_true_fallback() {
        assert!(Pause::from_annotations(&annotations(&[("paused", "true")])).paused);
        assert!(Pause::from_annotations(&annotations(&[("paused", "yes please")])).paused);
        assert!(!Pause::from_annotations(&annotations(&[("paused", "False")])).paused);
        let p = Pause::from_annotations(&annotations(&[("paused-replicas", "3")]));
        assert_eq!(p.paused_replicas, Some(Ok(3)));
        assert!(p.stops_loop());
        let p = Pause::from_annotations(&annotations(&[("paused-replicas", "three")]));
        assert!(matches!(p.paused_replicas, Some(Err(_))));
    }

    #[test]
    fn paused_scale_in_switches_the_hpa_to_the_behavior_path() {
        let mut plan = Plan::new(&crate::model::ScaledObjectSpec {
            name: "w".into(),
            namespace: "default".into(),
            annotations: BTreeMap::new(),
            polling_interval: 30,
            cooldown_period: 300,
            initial_cooldown_period: 0,
            min_replica_count: None,
            max_replica_count: 10,
            idle_replica_count: None,
            fallback: None,
            advanced: Default::default(),
            triggers: vec![],
        });
        assert!(plan.behavior.is_none());
        plan.set_annotations(&annotations(&[("paused-scale-in", "true")]));
        let b = plan.behavior.clone().expect("behavior");
        assert_eq!(b.down.select, SelectPolicy::Disabled);
        assert_eq!(b.down.window, DOWNSCALE_WINDOW);
        assert_eq!(b.up.policies.len(), 2);
        plan.set_annotations(&BTreeMap::new());
        assert!(plan.behavior.is_none());
    }
}
