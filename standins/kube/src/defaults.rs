//! Defaulting the API server applies on every write: `spec.replicas` for workloads, and a
//! Secret's write-only `stringData` folded into base64 `data`.

use base64::Engine;
use serde_json::{json, Value};

use crate::registry::ResourceType;

pub fn apply(rt: &ResourceType, object: &mut Value) {
    if rt.is_workload() {
        default_replicas(object);
    }
    if rt.group.is_empty() && rt.kind == "Secret" {
        fold_string_data(object);
    }
}

fn default_replicas(object: &mut Value) {
    if object
        .pointer("/spec/replicas")
        .is_some_and(|r| !r.is_null())
    {
        return;
    }
    if let Some(map) = object.as_object_mut() {
        let spec = map.entry("spec").or_insert(json!({}));
        if let Some(spec) = spec.as_object_mut() {
            spec.insert("replicas".to_string(), json!(1));
        }
    }
}

fn fold_string_data(object: &mut Value) {
    let Some(map) = object.as_object_mut() else {
        return;
    };
    let Some(Value::Object(string_data)) = map.remove("stringData") else {
        return;
    };
    let data = map.entry("data").or_insert(json!({}));
    if !data.is_object() {
        *data = json!({});
    }
    if let Some(data) = data.as_object_mut() {
        for (key, value) in string_data {
            let text = match value {
                Value::String(s) => s,
                other => other.to_string(),
            };
            let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
            data.insert(key, Value::String(encoded));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{by_api_version, RESOURCES};

    #[test]
    fn secret_string_data_is_folded_into_data() {
        let rt = &RESOURCES[by_api_version("v1", "Secret").unwrap()];
        let mut secret = json!({"data": {"a": "eA=="}, "stringData": {"connection": "Endpoint=sb://x/", "a": "y"}});
        apply(rt, &mut secret);
        assert_eq!(
            secret,
            json!({"data": {"a": "eQ==", "connection": "RW5kcG9pbnQ9c2I6Ly94Lw=="}})
        );
    }

    #[test]
    fn workloads_get_one_replica_by_default() {
        let rt = &RESOURCES[by_api_version("apps/v1", "Deployment").unwrap()];
        let mut d = json!({"spec": {"replicas": null}});
        apply(rt, &mut d);
        assert_eq!(d["spec"]["replicas"], 1);
        let mut d = json!({"spec": {"replicas": 0}});
        apply(rt, &mut d);
        assert_eq!(d["spec"]["replicas"], 0);
    }
}
