//! Scalers: for each trigger type, how KEDA reads its metadata, which metric it gives the HPA
//! (name, target, activation), and which metadata mistakes stop it from being built.

use std::collections::BTreeMap;

/// How the HPA compares a metric with its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum MetricType {
    AverageValue,
    Value,
    Utilization,
}

/// Everything a scaler reads when KEDA builds it.
#[derive(Clone, Copy, Debug)]
pub struct TriggerInput<'a> {
    /// `triggers[].type`, e.g. `azure-servicebus`.
    pub trigger_type: &'a str,
    /// Position in `spec.triggers` (the `s<index>-` prefix of metric names).
    pub index: usize,
    pub metadata: &'a BTreeMap<String, String>,
    /// What the referenced (Cluster)TriggerAuthentication yields.
    pub auth_params: &'a BTreeMap<String, String>,
    /// The scale target container's environment, resolved.
    pub env: &'a BTreeMap<String, String>,
    /// `podIdentity.provider` of the authentication, if any.
    pub pod_identity: Option<&'a str>,
    /// `triggers[].metricType` as written.
    pub metric_type: Option<&'a str>,
    /// Namespace of the ScaledObject or ScaledJob.
    pub namespace: &'a str,
}

/// The metric a trigger gives the HPA.
#[derive(Clone, Debug, PartialEq)]
pub struct ScalerMetric {
    /// External metric name, `s<index>-<base>`; for cpu/memory the resource name.
    pub metric_name: String,
    pub metric_type: MetricType,
    /// The HPA target (per pod for AverageValue).
    pub target: f64,
    /// Active iff the metric value is strictly greater than this.
    pub activation: f64,
}

/// Why a scaler could not be built, and which metadata key is at fault.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ScalerError {
    pub key: Option<String>,
    pub message: String,
}

/// The metric a trigger produces. Placeholder until every scaler has its module: reads the
/// common target keys.
pub fn metric(input: &TriggerInput<'_>) -> Result<ScalerMetric, ScalerError> {
    let (target_key, activation_key, default_target) = match input.trigger_type {
        "azure-servicebus" => ("messageCount", "activationMessageCount", 5.0),
        "cpu" | "memory" => ("value", "", 0.0),
        _ => ("threshold", "activationThreshold", 0.0),
    };
    let number = |key: &str, default: f64| -> Result<f64, ScalerError> {
        match input.metadata.get(key).map(|v| v.trim()) {
            None | Some("") => Ok(default),
            Some(v) => v.parse().map_err(|_| ScalerError {
                key: Some(key.to_owned()),
                message: format!("{key}: {v:?} is not a number"),
            }),
        }
    };
    let metric_type = match input.metric_type {
        Some("Value") => MetricType::Value,
        Some("Utilization") => MetricType::Utilization,
        _ => MetricType::AverageValue,
    };
    Ok(ScalerMetric {
        metric_name: format!("s{}-{}", input.index, input.trigger_type),
        metric_type,
        target: number(target_key, default_target)?,
        activation: if activation_key.is_empty() {
            0.0
        } else {
            number(activation_key, 0.0)?
        },
    })
}
