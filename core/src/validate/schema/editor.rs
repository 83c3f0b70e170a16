//! Generator of the editor schemas in `docs/schemas/keda/` (test-only code): the release CRDs'
//! `openAPIV3Schema` as plain JSON Schema (draft-07, which yaml-language-server and VS Code
//! read), one file per kind plus `keda.json`, which picks the kind by `apiVersion`/`kind`.
//!
//! `cargo test -p scalecore editor_schemas_are_current` fails when a committed file is not what
//! the CRDs produce; run it with `SCALECORE_REGEN_SCHEMAS=1` to rewrite them. Descriptions are
//! kept (they are what an editor shows on hover); the version gates of `crds.json` are not, so
//! the editor schema is the newest release's and scalecore's lint stays the judge of versions.

use serde_json::{json, Map, Value};

use super::compile::{apply, load_crd, object_meta, patches};
use super::tree::KINDS;

const DRAFT: &str = "http://json-schema.org/draft-07/schema#";

/// The file of one kind in `docs/schemas/keda/`.
pub(super) fn file_name(kind: &str) -> String {
    format!("{}.json", kind.to_ascii_lowercase())
}

/// One OpenAPI v3 (structural, Kubernetes) schema node as JSON Schema.
///
/// Kubernetes prunes unknown fields and scalecore reports them, so an object that lists its
/// properties (and does not preserve unknown fields) gets `additionalProperties: false`: a
/// misspelt field is then an editor error too. The `x-kubernetes-*` extensions have no JSON
/// Schema meaning and go; so do the Go integer widths (`int32`, `int64` are not JSON Schema
/// formats), whose bounds the lint checks.
fn convert(s: &Value) -> Result<Value, String> {
    let o = s.as_object().ok_or("schema is not an object")?;
    let mut n = Map::new();
    let preserve = o.get("x-kubernetes-preserve-unknown-fields") == Some(&json!(true));
    for (key, v) in o {
        match key.as_str() {
            "properties" => {
                let mut p = Map::new();
                for (name, sub) in v.as_object().ok_or("properties is not a map")? {
                    p.insert(name.clone(), convert(sub)?);
                }
                n.insert(key.clone(), Value::Object(p));
            }
            "items" | "additionalProperties" if v.is_object() => {
                n.insert(key.clone(), convert(v)?);
            }
            "anyOf" | "allOf" | "oneOf" => {
                let list = v.as_array().ok_or("anyOf is not a list")?;
                let converted = list.iter().map(convert).collect::<Result<Vec<_>, _>>()?;
                n.insert(key.clone(), Value::Array(converted));
            }
            "format" if v == "int32" || v == "int64" => {}
            k if k.starts_with("x-kubernetes-") => {}
            "description"
            | "type"
            | "required"
            | "enum"
            | "minimum"
            | "maximum"
            | "minLength"
            | "maxLength"
            | "minItems"
            | "maxItems"
            | "pattern"
            | "default"
            | "format"
            | "additionalProperties" => {
                n.insert(key.clone(), v.clone());
            }
            other => return Err(format!("unsupported schema keyword {other}")),
        }
    }
    if n.contains_key("properties") && !n.contains_key("additionalProperties") && !preserve {
        n.insert("additionalProperties".into(), json!(false));
    }
    // The API server drops a null value of a field that is not nullable before it validates,
    // and scalecore accepts it: `kind:` with only a comment after it is no error in the
    // cluster, so it is none in the editor either.
    match n.get("type").cloned() {
        Some(Value::String(t)) => {
            n.insert("type".into(), json!([t, "null"]));
            if let Some(Value::Array(values)) = n.get_mut("enum") {
                values.push(Value::Null);
            }
        }
        _ => {
            if let Some(Value::Array(any)) = n.get_mut("anyOf") {
                any.push(json!({"type": "null"}));
            }
        }
    }
    Ok(Value::Object(n))
}

/// ObjectMeta as the API server checks it for a custom resource (scalecore's KEDA0112,
/// KEDA0113): a name or generateName, the name a DNS subdomain, the namespace a DNS label.
fn metadata() -> Result<Value, String> {
    const LABEL: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    let mut meta = convert(&object_meta())?;
    let props = meta
        .pointer_mut("/properties")
        .and_then(Value::as_object_mut)
        .ok_or("ObjectMeta has no properties")?;
    props.insert(
        "name".into(),
        json!({
            "description": "A lowercase RFC 1123 subdomain: at most 253 characters, dot-separated labels of lowercase letters, digits and '-', each starting and ending with a letter or digit.",
            "type": "string",
            "maxLength": 253,
            "pattern": format!("^{LABEL}(\\.{LABEL})*$")
        }),
    );
    props.insert(
        "namespace".into(),
        json!({
            "description": "A lowercase RFC 1123 label: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit.",
            "type": "string",
            "maxLength": 63,
            "pattern": format!("^{LABEL}$")
        }),
    );
    let obj = meta.as_object_mut().ok_or("ObjectMeta is not an object")?;
    obj.insert("type".into(), json!("object"));
    obj.insert(
        "anyOf".into(),
        json!([{"required": ["name"]}, {"required": ["generateName"]}]),
    );
    Ok(meta)
}

/// The schema of one kind, with `apiVersion` and `kind` fixed to KEDA's.
fn kind_schema(dir: &std::path::Path, kind: &str) -> Result<Value, String> {
    let mut crd = load_crd(dir, kind)?;
    for op in patches(kind) {
        apply(&mut crd, &op)?;
    }
    let mut schema = convert(&crd)?;
    let props = schema
        .pointer_mut("/properties")
        .and_then(Value::as_object_mut)
        .ok_or("root has no properties")?;
    props.insert("metadata".into(), metadata()?);
    for (field, value) in [("apiVersion", "keda.sh/v1alpha1"), ("kind", kind)] {
        let mut fixed = json!({"type": "string", "const": value});
        if let Some(d) = props.get(field).and_then(|f| f.get("description")) {
            fixed["description"] = d.clone();
        }
        props.insert(field.into(), fixed);
    }
    let root = schema.as_object_mut().ok_or("root is not an object")?;
    root.insert("type".into(), json!("object"));
    let required = root.entry("required").or_insert_with(|| json!([]));
    let list = required.as_array_mut().ok_or("required is not a list")?;
    for field in ["metadata", "kind", "apiVersion"] {
        if !list.iter().any(|f| f == field) {
            list.insert(0, json!(field));
        }
    }
    let mut out = Map::new();
    out.insert("$schema".into(), json!(DRAFT));
    out.insert(
        "title".into(),
        json!(format!("KEDA {kind} (keda.sh/v1alpha1, KEDA v2.20.2)")),
    );
    out.extend(std::mem::take(root));
    Ok(Value::Object(out))
}

/// `keda.json`: a document whose `apiVersion`/`kind` name a KEDA kind is checked against that
/// kind's file; any other `keda.sh` kind is an error (a misspelt kind); other documents
/// (a Deployment in the same file) are left alone.
fn combined() -> Value {
    let mut cases: Vec<Value> = KINDS
        .iter()
        .map(|kind| {
            json!({
                "if": {
                    "properties": {
                        "apiVersion": {"const": "keda.sh/v1alpha1"},
                        "kind": {"const": kind}
                    },
                    "required": ["apiVersion", "kind"]
                },
                "then": {"$ref": format!("./{}", file_name(kind))}
            })
        })
        .collect();
    cases.push(json!({
        "if": {
            "properties": {"apiVersion": {"type": "string", "pattern": "^keda\\.sh/"}},
            "required": ["apiVersion"]
        },
        "then": {
            "properties": {
                "apiVersion": {"enum": ["keda.sh/v1alpha1"]},
                "kind": {"enum": KINDS}
            },
            "required": ["kind"]
        }
    }));
    json!({
        "$schema": DRAFT,
        "title": "KEDA documents (ScaledObject, ScaledJob, TriggerAuthentication, ClusterTriggerAuthentication)",
        "description": "Picks the KEDA kind's schema by apiVersion and kind; other documents are not checked.",
        "type": "object",
        "allOf": cases
    })
}

/// Every editor schema as (file name, text).
pub(super) fn generate(dir: &std::path::Path) -> Result<Vec<(String, String)>, String> {
    let mut files = Vec::new();
    for kind in KINDS {
        let text =
            serde_json::to_string_pretty(&kind_schema(dir, kind)?).map_err(|e| e.to_string())?;
        files.push((file_name(kind), text + "\n"));
    }
    let text = serde_json::to_string_pretty(&combined()).map_err(|e| e.to_string())?;
    files.push(("keda.json".into(), text + "\n"));
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_schemas_are_current() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let fresh = match generate(&root.join("schemas")) {
            Ok(f) => f,
            Err(e) => panic!("cannot convert the CRDs: {e}"),
        };
        let target = root.join("../docs/schemas/keda");
        if std::env::var_os("SCALECORE_REGEN_SCHEMAS").is_some() {
            std::fs::create_dir_all(&target).unwrap();
            for (name, text) in &fresh {
                std::fs::write(target.join(name), text).unwrap();
            }
        }
        for (name, text) in &fresh {
            let committed = std::fs::read_to_string(target.join(name)).unwrap_or_default();
            assert!(
                &committed == text,
                "docs/schemas/keda/{name} is stale: run \
                 SCALECORE_REGEN_SCHEMAS=1 cargo test -p scalecore editor_schemas_are_current"
            );
        }
    }

    #[test]
    fn fields_keep_their_crd_description_and_unknown_fields_are_closed() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
        let so = kind_schema(&root, "ScaledObject").unwrap();
        let max = &so["properties"]["spec"]["properties"]["maxReplicaCount"];
        assert_eq!(max["type"], json!(["integer", "null"]));
        assert!(max.get("format").is_none());
        let spec = &so["properties"]["spec"];
        assert_eq!(spec["additionalProperties"], false);
        assert!(spec["properties"]["scaleTargetRef"]["description"]
            .as_str()
            .is_some_and(|d| !d.is_empty()));
        // Trigger metadata is a string map, not a closed object.
        let metadata = &spec["properties"]["triggers"]["items"]["properties"]["metadata"];
        assert_eq!(
            metadata["additionalProperties"]["type"],
            json!(["string", "null"])
        );
        let name = &so["properties"]["metadata"]["properties"]["name"];
        assert_eq!(name["maxLength"], 253);
        assert_eq!(so["properties"]["kind"]["const"], "ScaledObject");
        assert_eq!(so["required"][0], "apiVersion");
    }
}
