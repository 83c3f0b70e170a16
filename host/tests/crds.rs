#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The generated CRDs against KEDA's own (tests/keda-crds/, KEDA v2.20.2), the typed resources
//! against real manifests, and deploy/crds.yaml against the generator.

// `run` (the `scalecore crds` command) is the binary's to call.
#[allow(dead_code)]
#[path = "../src/crd/mod.rs"]
mod crd;
#[path = "crds/deploy.rs"]
mod deploy;
#[path = "crds/typed.rs"]
mod typed;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crd::*;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use serde_json::{json, Value};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(repo().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn yaml_docs(text: &str) -> Vec<Value> {
    serde_saphyr::from_multiple::<Value>(text)
        .unwrap()
        .into_iter()
        .filter(|d| !d.is_null())
        .collect()
}

fn keda_crd(file: &str) -> Value {
    let mut docs = yaml_docs(&read(&format!("tests/keda-crds/{file}")));
    assert_eq!(docs.len(), 1, "{file}");
    docs.remove(0)
}

/// Ours and KEDA's, as JSON, kind by kind.
fn pairs() -> Vec<(Value, Value)> {
    let ours: Vec<Value> = crds()
        .iter()
        .map(|c| serde_json::to_value(c).unwrap())
        .collect();
    let keda = [
        "keda.sh_scaledobjects.yaml",
        "keda.sh_triggerauthentications.yaml",
        "keda.sh_clustertriggerauthentications.yaml",
        "keda.sh_scaledjobs.yaml",
    ]
    .map(keda_crd);
    assert_eq!(ours.len(), 4);
    ours.into_iter().zip(keda).collect()
}

#[test]
fn names_scope_and_versions_match_keda() {
    for (ours, keda) in pairs() {
        let kind = keda["spec"]["names"]["kind"].clone();
        assert_eq!(ours["metadata"]["name"], keda["metadata"]["name"], "{kind}");
        assert_eq!(ours["spec"]["group"], "keda.sh");
        assert_eq!(ours["spec"]["group"], keda["spec"]["group"], "{kind}");
        // kind, listKind, plural, singular, shortNames (same order too).
        assert_eq!(ours["spec"]["names"], keda["spec"]["names"], "{kind}");
        assert_eq!(ours["spec"]["scope"], keda["spec"]["scope"], "{kind}");
        let (ov, kv) = (&ours["spec"]["versions"], &keda["spec"]["versions"]);
        assert_eq!(ov.as_array().unwrap().len(), 1, "{kind}");
        assert_eq!(kv.as_array().unwrap().len(), 1, "{kind}");
        for key in [
            "name",
            "served",
            "storage",
            "subresources",
            "additionalPrinterColumns",
        ] {
            assert_eq!(ov[0][key], kv[0][key], "{kind}: {key}");
        }
        assert_eq!(ov[0]["name"], "v1alpha1");
        assert_eq!(ov[0]["subresources"], json!({"status": {}}), "{kind}");
    }
}

#[test]
fn the_names_are_keda_s() {
    let names: Vec<(String, String, Vec<String>)> = crds()
        .into_iter()
        .map(|c| {
            (
                c.spec.names.plural,
                c.spec.scope,
                c.spec.names.short_names.unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            (
                "scaledobjects".into(),
                "Namespaced".into(),
                vec!["so".into()]
            ),
            (
                "triggerauthentications".into(),
                "Namespaced".into(),
                vec!["ta".into(), "triggerauth".into()]
            ),
            (
                "clustertriggerauthentications".into(),
                "Cluster".into(),
                vec!["cta".into(), "clustertriggerauth".into()]
            ),
            ("scaledjobs".into(), "Namespaced".into(), vec!["sj".into()]),
        ]
    );
}

/// Schema keywords compared node by node (descriptions are ours, not KEDA's).
const KEYWORDS: &[&str] = &[
    "type",
    "format",
    "enum",
    "default",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "minItems",
    "pattern",
    "anyOf",
    "x-kubernetes-int-or-string",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-list-type",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-map-type",
    "x-kubernetes-validations",
];

/// Numbers compare by value (`0` and `0.0`), enums and required lists as sets.
fn normal(keyword: &str, v: &Value) -> Value {
    match (keyword, v) {
        (_, Value::Number(n)) => json!(n.as_f64()),
        ("enum" | "required", Value::Array(items)) => {
            let set: BTreeSet<String> = items.iter().map(Value::to_string).collect();
            json!(set)
        }
        _ => v.clone(),
    }
}

fn walk(path: &str, keda: &Value, ours: &Value, diffs: &mut Vec<String>) {
    for &k in KEYWORDS.iter().chain(&["required"]) {
        let (a, b) = (keda.get(k), ours.get(k));
        if a.map(|v| normal(k, v)) != b.map(|v| normal(k, v)) {
            diffs.push(format!("{path}: {k}"));
        }
    }
    let empty = serde_json::Map::new();
    let kp = keda
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let op = ours
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    for (name, k) in kp {
        match op.get(name) {
            Some(o) => walk(&format!("{path}.{name}"), k, o, diffs),
            None => diffs.push(format!("{path}.{name}: missing")),
        }
    }
    for name in op.keys().filter(|n| !kp.contains_key(*n)) {
        diffs.push(format!("{path}.{name}: not in KEDA's"));
    }
    for (key, suffix) in [("items", "[]"), ("additionalProperties", "{}")] {
        match (keda.get(key), ours.get(key)) {
            (Some(k), Some(o)) => walk(&format!("{path}{suffix}"), k, o, diffs),
            (None, None) => {}
            _ => diffs.push(format!("{path}: {key}")),
        }
    }
}

#[test]
fn every_keda_property_is_ours_with_the_same_schema() {
    let mut report = Vec::new();
    for (ours, keda) in pairs() {
        let kind = keda["spec"]["names"]["kind"].as_str().unwrap().to_owned();
        let schema = |crd: &Value| crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"].clone();
        let (k, o) = (schema(&keda), schema(&ours));
        let mut diffs = Vec::new();
        // The root: apiVersion, kind, metadata, spec, status; spec required.
        walk("", &strip_children(&k), &strip_children(&o), &mut diffs);
        for part in ["spec", "status"] {
            assert!(
                k["properties"].get(part).is_some(),
                "{kind}: KEDA has {part}"
            );
            walk(
                part,
                &k["properties"][part],
                &o["properties"][part],
                &mut diffs,
            );
        }
        if !diffs.is_empty() {
            report.push(format!("{kind}:\n  {}", diffs.join("\n  ")));
        }
    }
    assert!(report.is_empty(), "differences:\n{}", report.join("\n"));
}

/// The root node with spec and status reduced to their type (they are walked on their own).
fn strip_children(root: &Value) -> Value {
    let mut r = root.clone();
    for part in ["spec", "status"] {
        if let Some(p) = r["properties"].get_mut(part) {
            *p = json!({"type": p["type"].clone()});
        }
    }
    r
}

#[test]
fn the_walk_sees_a_difference() {
    // A guard on the walker itself: a renamed field, a lost enum member and a lost bound show
    // up; `1` and `1.0` are the same bound.
    let keda = json!({"type": "object", "properties": {
        "a": {"type": "integer", "minimum": 1},
        "b": {"type": "string", "enum": ["x", "y"]},
        "c": {"type": "array", "items": {"type": "object", "properties": {"d": {"type": "string"}}}},
        "f": {"type": "integer", "minimum": 0}
    }});
    let ours = json!({"type": "object", "properties": {
        "a": {"type": "integer", "minimum": 1.0},
        "b": {"type": "string", "enum": ["y"]},
        "c": {"type": "array", "items": {"type": "object", "properties": {"e": {"type": "string"}}}},
        "f": {"type": "integer"}
    }});
    let mut diffs = Vec::new();
    walk("spec", &keda, &ours, &mut diffs);
    assert_eq!(
        diffs,
        [
            "spec.b: enum",
            "spec.c[].d: missing",
            "spec.c[].e: not in KEDA's",
            "spec.f: minimum"
        ]
    );
}

/// The schema keywords a v1 CRD may use that our types need; `nullable` is not among them
/// (KEDA's CRDs mark nothing nullable) and neither are `$ref`, `title`, `const` or `oneOf`.
const ACCEPTED_KEYWORDS: &[&str] = &[
    "type",
    "format",
    "enum",
    "default",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "minItems",
    "pattern",
    "anyOf",
    "properties",
    "items",
    "additionalProperties",
    "required",
    "description",
    "x-kubernetes-int-or-string",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-list-type",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-map-type",
    "x-kubernetes-validations",
];

#[test]
fn the_schemas_use_only_keywords_the_api_server_accepts_and_no_null() {
    fn visit(schema: &Value, path: &str, seen: &mut BTreeSet<String>) {
        let Some(m) = schema.as_object() else {
            panic!("{path}: not a schema");
        };
        for (k, v) in m {
            assert!(ACCEPTED_KEYWORDS.contains(&k.as_str()), "{path}: {k}");
            seen.insert(k.clone());
            match k.as_str() {
                "properties" => {
                    for (name, p) in v.as_object().unwrap() {
                        visit(p, &format!("{path}.{name}"), seen);
                    }
                }
                "items" | "additionalProperties" => visit(v, &format!("{path}[]"), seen),
                "anyOf" => v
                    .as_array()
                    .unwrap()
                    .iter()
                    .for_each(|s| visit(s, path, seen)),
                "enum" => assert!(v.as_array().unwrap().iter().all(|x| !x.is_null()), "{path}"),
                _ => {}
            }
        }
    }
    let mut seen = BTreeSet::new();
    for c in crds() {
        let v = serde_json::to_value(&c).unwrap();
        let schema = &v["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
        visit(schema, &c.spec.names.kind, &mut seen);
    }
    // The walk reached the nested nodes (the rule sits on spec, enums deeper down).
    assert!(seen.contains("x-kubernetes-validations") && seen.contains("enum"));
}

#[test]
fn deploy_crds_yaml_is_the_generator_s_output() {
    let generated = crds_yaml().unwrap();
    let path = repo().join("deploy/crds.yaml");
    if std::env::var_os("SCALECORE_UPDATE_CRDS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(
        saved == generated,
        "deploy/crds.yaml is stale: run `SCALECORE_UPDATE_CRDS=1 cargo test -p scalecore-host --test crds`"
    );
}

#[test]
fn the_yaml_stream_reads_back_as_the_same_crds() {
    let docs: Vec<CustomResourceDefinition> = yaml_docs(&crds_yaml().unwrap())
        .into_iter()
        .map(|d| serde_json::from_value(d).unwrap())
        .collect();
    assert_eq!(docs, crds());
}
