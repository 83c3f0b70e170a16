//! Deployments and StatefulSets: the `/scale` view and a tiny controller that makes
//! `.status` replica counts follow `spec.replicas`.

use serde_json::{json, Map, Value};

use crate::fields::Operation;
use crate::registry::{self, ResourceType};
use crate::status::ApiError;
use crate::store::{Key, Store};

/// `spec.replicas`, defaulting to 1 as the API server does when it is absent.
pub fn spec_replicas(object: &Value) -> i64 {
    object
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1)
}

/// `spec.selector.matchLabels` in the string form `Scale.status.selector` carries.
fn selector_string(object: &Value) -> String {
    let Some(labels) = object
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
    else {
        return String::new();
    };
    let mut pairs: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
        .collect();
    pairs.sort();
    pairs.join(",")
}

/// The autoscaling/v1 `Scale` view of a workload.
pub fn to_scale(object: &Value) -> Value {
    let meta = object.get("metadata").cloned().unwrap_or(json!({}));
    let mut scale_meta = Map::new();
    for field in [
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "creationTimestamp",
    ] {
        if let Some(v) = meta.get(field) {
            scale_meta.insert(field.to_string(), v.clone());
        }
    }
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": scale_meta,
        "spec": {"replicas": spec_replicas(object)},
        "status": {
            "replicas": object.pointer("/status/replicas").and_then(Value::as_i64).unwrap_or(0),
            "selector": selector_string(object),
        },
    })
}

/// Reads the replica count out of a written `Scale`.
pub fn replicas_from_scale(rt: &ResourceType, name: &str, scale: &Value) -> Result<i64, ApiError> {
    match scale.pointer("/spec/replicas") {
        None | Some(Value::Null) => Ok(0),
        Some(v) => match v.as_i64() {
            Some(n) if (0..=i64::from(i32::MAX)).contains(&n) => Ok(n),
            _ => Err(ApiError::invalid(
                rt,
                name,
                format!("spec.replicas: Invalid value: {v}: must be greater than or equal to 0"),
            )),
        },
    }
}

/// The status the controller converges to: every replica ready. Zero counts are left out, as
/// the API server omits them.
fn converged_status(rt: &ResourceType, object: &Value) -> Value {
    let replicas = spec_replicas(object);
    let mut status = object
        .get("status")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let counts: &[&str] = if rt.kind == "StatefulSet" {
        &[
            "replicas",
            "readyReplicas",
            "availableReplicas",
            "currentReplicas",
            "updatedReplicas",
        ]
    } else {
        &[
            "replicas",
            "readyReplicas",
            "availableReplicas",
            "updatedReplicas",
        ]
    };
    for field in counts {
        if replicas == 0 {
            status.remove(*field);
        } else {
            status.insert(field.to_string(), json!(replicas));
        }
    }
    if replicas == 0 {
        status.remove("unavailableReplicas");
    }
    if let Some(generation) = object.pointer("/metadata/generation") {
        status.insert("observedGeneration".to_string(), generation.clone());
    }
    Value::Object(status)
}

/// Brings one workload's status in line with its spec; a no-op when it already is.
pub fn reconcile(store: &mut Store, key: &Key) -> Result<(), ApiError> {
    let Some(rt) = registry::get(key.res).filter(|rt| rt.is_workload()) else {
        return Ok(());
    };
    let Some(current) = store.get(key) else {
        return Ok(());
    };
    if current.pointer("/metadata/deletionTimestamp").is_some() {
        return Ok(());
    }
    let status = converged_status(rt, current);
    if current.get("status") == Some(&status) {
        return Ok(());
    }
    let mut new = current.clone();
    if let Some(map) = new.as_object_mut() {
        map.insert("status".to_string(), status);
    }
    let manager = if rt.kind == "StatefulSet" {
        "statefulset-controller"
    } else {
        "deployment-controller"
    };
    store.commit_update(key, new, manager, Operation::Update)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_view_and_status_convergence() {
        let deployment = json!({
            "metadata": {"name": "web", "namespace": "ns", "resourceVersion": "7", "generation": 2},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"tier": "fe", "app": "web"}}},
            "status": {"replicas": 1, "conditions": []},
        });
        let scale = to_scale(&deployment);
        assert_eq!(scale["spec"]["replicas"], 3);
        assert_eq!(scale["status"]["replicas"], 1);
        assert_eq!(scale["status"]["selector"], "app=web,tier=fe");
        assert_eq!(scale["metadata"]["resourceVersion"], "7");

        let rt = &registry::RESOURCES[registry::by_api_version("apps/v1", "Deployment").unwrap()];
        let status = converged_status(rt, &deployment);
        assert_eq!(status["readyReplicas"], 3);
        assert_eq!(status["observedGeneration"], 2);
        assert_eq!(status["conditions"], json!([]));
        let mut zero = deployment.clone();
        zero["spec"]["replicas"] = json!(0);
        let status = converged_status(rt, &zero);
        assert!(status.get("replicas").is_none());
        assert!(status.get("readyReplicas").is_none());
        assert!(replicas_from_scale(rt, "web", &json!({"spec": {"replicas": -1}})).is_err());
    }
}
