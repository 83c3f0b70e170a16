//! PATCH bodies by content type: JSON merge (RFC 7386), strategic merge (as merge), JSON patch
//! (RFC 6902) and server-side apply (merged like a merge patch; ownership is in `fields`).

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchKind {
    Merge,
    Strategic,
    Json,
    Apply,
}

/// Why a patch could not be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatchError {
    /// The body is not valid for its content type (400).
    Malformed(String),
    /// The body is well formed but cannot be applied, e.g. a failed `test` op (422).
    Unprocessable(String),
}

impl PatchKind {
    /// The patch kind named by a `Content-Type` header (parameters such as charset ignored).
    pub fn from_content_type(content_type: &str) -> Option<Self> {
        let mime = content_type.split(';').next().unwrap_or("").trim();
        match mime {
            "application/merge-patch+json" => Some(PatchKind::Merge),
            "application/strategic-merge-patch+json" => Some(PatchKind::Strategic),
            "application/json-patch+json" => Some(PatchKind::Json),
            "application/apply-patch+yaml" | "application/apply-patch+json" => {
                Some(PatchKind::Apply)
            }
            _ => None,
        }
    }
}

/// Parses a merge-style body (merge, strategic, apply): a JSON object.
pub fn parse_object(body: &[u8], kind: PatchKind) -> Result<Value, PatchError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        if kind == PatchKind::Apply {
            PatchError::Malformed(format!(
                "apply bodies must be JSON (YAML is not modelled by this stand-in): {e}"
            ))
        } else {
            PatchError::Malformed(format!("invalid JSON in patch body: {e}"))
        }
    })?;
    if !value.is_object() {
        return Err(PatchError::Malformed(
            "a merge patch body must be a JSON object".to_string(),
        ));
    }
    Ok(value)
}

/// Applies `body` (already read, not yet parsed) of `kind` to `doc`.
pub fn apply(doc: &mut Value, kind: PatchKind, body: &[u8]) -> Result<(), PatchError> {
    match kind {
        PatchKind::Json => {
            let ops: json_patch::Patch = serde_json::from_slice(body)
                .map_err(|e| PatchError::Malformed(format!("invalid JSON patch: {e}")))?;
            json_patch_ops(doc, &ops)
        }
        PatchKind::Merge | PatchKind::Strategic | PatchKind::Apply => {
            let patch = parse_object(body, kind)?;
            merge(doc, &patch);
            Ok(())
        }
    }
}

/// Applies RFC 6902 operations all or nothing. As the API server does, a `test` for `null`
/// passes when the path is absent (kube-runtime's finalizer helper relies on it).
fn json_patch_ops(doc: &mut Value, ops: &json_patch::Patch) -> Result<(), PatchError> {
    let mut work = doc.clone();
    for op in &ops.0 {
        if let json_patch::PatchOperation::Test(test) = op {
            if test.value.is_null() && work.pointer(test.path.as_str()).is_none() {
                continue;
            }
        }
        json_patch::patch(&mut work, std::slice::from_ref(op))
            .map_err(|e| PatchError::Unprocessable(e.to_string()))?;
    }
    *doc = work;
    Ok(())
}

/// RFC 7386 merge; strategic-merge directives (`$patch`, `$retainKeys`) are dropped rather than
/// interpreted.
pub fn merge(doc: &mut Value, patch: &Value) {
    let Some(patch_map) = patch.as_object() else {
        *doc = patch.clone();
        return;
    };
    if !doc.is_object() {
        *doc = Value::Object(serde_json::Map::new());
    }
    if let Some(doc_map) = doc.as_object_mut() {
        for (key, value) in patch_map {
            if key.starts_with('$') {
                continue;
            }
            if value.is_null() {
                doc_map.remove(key);
            } else {
                merge(doc_map.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rfc7386_examples() {
        let mut doc = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge(&mut doc, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(doc, json!({"a": "z", "c": {"d": "e"}}));
        let mut doc = json!({"a": [1, 2]});
        merge(&mut doc, &json!({"a": [3], "b": {"c": null, "d": 1}}));
        assert_eq!(doc, json!({"a": [3], "b": {"d": 1}}));
    }

    #[test]
    fn json_patch_ops_and_failed_test() {
        let mut doc = json!({"spec": {"replicas": 1, "list": [1]}});
        let ops = br#"[{"op":"test","path":"/spec/replicas","value":1},
                       {"op":"replace","path":"/spec/replicas","value":4},
                       {"op":"add","path":"/spec/list/-","value":2},
                       {"op":"remove","path":"/spec/list/0"}]"#;
        apply(&mut doc, PatchKind::Json, ops).unwrap();
        assert_eq!(doc, json!({"spec": {"replicas": 4, "list": [2]}}));
        let failing = br#"[{"op":"test","path":"/spec/replicas","value":1}]"#;
        assert!(matches!(
            apply(&mut doc, PatchKind::Json, failing),
            Err(PatchError::Unprocessable(_))
        ));
        assert!(matches!(
            apply(&mut doc, PatchKind::Json, b"{"),
            Err(PatchError::Malformed(_))
        ));
    }

    #[test]
    fn test_for_null_passes_on_an_absent_path_and_failures_change_nothing() {
        let mut doc = json!({"metadata": {"name": "so"}});
        let add_finalizer = br#"[{"op":"test","path":"/metadata/finalizers","value":null},
                                 {"op":"add","path":"/metadata/finalizers","value":["keda"]}]"#;
        apply(&mut doc, PatchKind::Json, add_finalizer).unwrap();
        assert_eq!(doc["metadata"]["finalizers"], json!(["keda"]));
        // Now present, the same test fails, and the earlier ops of a failing patch are undone.
        let again = br#"[{"op":"add","path":"/metadata/x","value":1},
                         {"op":"test","path":"/metadata/finalizers","value":null}]"#;
        assert!(apply(&mut doc, PatchKind::Json, again).is_err());
        assert!(doc["metadata"].get("x").is_none());
    }

    #[test]
    fn content_types() {
        assert_eq!(
            PatchKind::from_content_type("application/apply-patch+yaml; charset=utf-8"),
            Some(PatchKind::Apply)
        );
        assert_eq!(PatchKind::from_content_type("application/json"), None);
    }
}
