//! KEDA objects as the API server serves them, read through the core.
//!
//! A ScaledObject is handed to the core's own loader and webhook rules, so the host accepts
//! exactly what `scalecore lint` accepts and builds the same [`ScaledObjectSpec`] that
//! `scalecore simulate` runs: the cluster and the simulation agree by construction.

use std::collections::BTreeMap;

use scalecore::diagnostic::{Diagnostic, Source};
use scalecore::document::Kind;
use scalecore::model::ScaledObjectSpec;
use scalecore::validate::{self, LintOptions};
use serde_json::Value;

/// `spec.scaleTargetRef`, with KEDA's defaults (apps/v1 Deployment).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TargetRef {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub env_source_container_name: Option<String>,
}

impl TargetRef {
    /// The target's resource, plural inferred from the kind as the API server names it.
    pub fn api_resource(&self) -> kube::api::ApiResource {
        let (group, version) = self.group_version();
        kube::api::ApiResource::from_gvk(&kube::api::GroupVersionKind::gvk(
            group, version, &self.kind,
        ))
    }

    pub fn group_version(&self) -> (&str, &str) {
        match self.api_version.split_once('/') {
            Some((g, v)) => (g, v),
            None => ("", self.api_version.as_str()),
        }
    }
}

/// What the host needs of one ScaledObject.
#[derive(Clone, Debug)]
pub struct ScaledObject {
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub generation: i64,
    pub spec: ScaledObjectSpec,
    pub target: TargetRef,
    /// `status.lastActiveTime` (Unix seconds): a restart continues the cooldown from here.
    pub last_active_time: Option<i64>,
    pub original_replica_count: Option<i64>,
    /// `status.health[metricName].numberOfFailures`.
    pub failures: BTreeMap<String, i64>,
    /// What KEDA's admission webhook (or the CRD schema) would have refused.
    pub rejected: Vec<Diagnostic>,
}

fn text(v: &Value, path: &[&str]) -> Option<String> {
    let mut cur = v;
    for key in path {
        cur = cur.get(key)?;
    }
    cur.as_str().map(str::to_owned)
}

/// The document as the user wrote it, as JSON text: the server's bookkeeping (status, uid,
/// managedFields, ...) is not part of it.
pub fn written(obj: &Value) -> String {
    let mut doc = obj.clone();
    if let Some(m) = doc.get_mut("metadata").and_then(Value::as_object_mut) {
        m.retain(|k, _| matches!(k.as_str(), "name" | "namespace" | "labels" | "annotations"));
    }
    if let Some(o) = doc.as_object_mut() {
        o.remove("status");
    }
    doc.to_string()
}

/// Reads a ScaledObject; `None` when the object has no name (not something the API serves).
pub fn scaled_object(obj: &Value, options: &LintOptions) -> Option<ScaledObject> {
    let name = text(obj, &["metadata", "name"])?;
    let namespace = text(obj, &["metadata", "namespace"]).unwrap_or_else(|| "default".into());
    let json = written(obj);
    let rejected: Vec<Diagnostic> = validate::lint(&json, options)
        .into_iter()
        .filter(|d| d.is_error() && matches!(d.source, Source::Schema | Source::Webhook))
        .collect();
    let (bundle, _) = validate::load_bundle(&[json.as_str()], options);
    let resource = bundle
        .resources
        .iter()
        .find(|r| r.kind == Kind::ScaledObject)?;
    let spec = ScaledObjectSpec::from_resource(resource);
    let target = obj.pointer("/spec/scaleTargetRef");
    let field = |k: &str| target.and_then(|t| t.get(k)).and_then(Value::as_str);
    let target = TargetRef {
        api_version: field("apiVersion")
            .filter(|s| !s.is_empty())
            .unwrap_or("apps/v1")
            .to_owned(),
        kind: field("kind")
            .filter(|s| !s.is_empty())
            .unwrap_or("Deployment")
            .to_owned(),
        name: field("name").unwrap_or_default().to_owned(),
        env_source_container_name: field("envSourceContainerName")
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
    };
    Some(ScaledObject {
        uid: text(obj, &["metadata", "uid"]).unwrap_or_default(),
        generation: obj
            .pointer("/metadata/generation")
            .and_then(Value::as_i64)
            .unwrap_or(0),
        last_active_time: text(obj, &["status", "lastActiveTime"])
            .and_then(|t| super::clock::parse_rfc3339(&t)),
        original_replica_count: obj
            .pointer("/status/originalReplicaCount")
            .and_then(Value::as_i64),
        failures: obj
            .pointer("/status/health")
            .and_then(Value::as_object)
            .map(|h| {
                h.iter()
                    .filter_map(|(metric, v)| {
                        let n = v.get("numberOfFailures").and_then(Value::as_i64)?;
                        Some((metric.clone(), n))
                    })
                    .collect()
            })
            .unwrap_or_default(),
        namespace,
        name,
        spec,
        target,
        rejected,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_seed_scaled_object_with_defaults() {
        let so = json!({
            "apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
            "metadata": {"name": "orders", "namespace": "shop", "uid": "u1", "generation": 3,
                         "managedFields": [{"manager": "kubectl"}]},
            "spec": {"scaleTargetRef": {"name": "orders-worker"}, "minReplicaCount": 0,
                     "maxReplicaCount": 10, "cooldownPeriod": 300,
                     "triggers": [{"type": "azure-servicebus",
                                   "metadata": {"queueName": "orders", "messageCount": "5", "namespace": "sb"},
                                   "authenticationRef": {"name": "sb-auth"}}]},
            "status": {"lastActiveTime": "2023-11-14T22:13:20Z", "originalReplicaCount": 2,
                       "health": {"s0-azure-servicebus-orders": {"numberOfFailures": 2, "status": "Failing"}}}
        });
        let so = scaled_object(&so, &LintOptions::default()).unwrap();
        assert_eq!(so.target.api_version, "apps/v1");
        assert_eq!(so.target.kind, "Deployment");
        assert_eq!(so.target.name, "orders-worker");
        assert_eq!(so.spec.max_replica_count, 10);
        assert_eq!(so.spec.namespace, "shop");
        assert_eq!(so.last_active_time, Some(1_700_000_000));
        assert_eq!(so.original_replica_count, Some(2));
        assert_eq!(so.failures.get("s0-azure-servicebus-orders"), Some(&2));
        assert_eq!(so.generation, 3);
        assert!(so.rejected.is_empty(), "{:?}", so.rejected);
    }

    #[test]
    fn webhook_errors_are_kept() {
        let so = json!({
            "apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
            "metadata": {"name": "bad", "namespace": "shop"},
            "spec": {"scaleTargetRef": {"name": "w"}, "minReplicaCount": 5, "maxReplicaCount": 2,
                     "triggers": [{"type": "cpu", "metricType": "Utilization", "metadata": {"value": "50"}}]}
        });
        let so = scaled_object(&so, &LintOptions::default()).unwrap();
        assert!(
            so.rejected.iter().any(|d| d.code == "KEDA1004"),
            "{:?}",
            so.rejected
        );
    }
}
