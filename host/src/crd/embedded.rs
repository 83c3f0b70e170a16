//! The schema of a Kubernetes type embedded in a KEDA resource (a ScaledJob's `jobTargetRef`,
//! a batch/v1 JobSpec), as controller-gen writes it into KEDA's CRD.
//!
//! k8s-openapi's schemas carry the fields and their types, but not what the Go markers of
//! k8s.io/api add on top: list types (`+listType`, `+listMapKey`), atomic structs
//! (`+structType=atomic`, `+mapType=atomic`), `+default` values, the quantity grammar, and the
//! reduced ObjectMeta of an embedded template. Those are added here, type by type, then every
//! reference is inlined (a CRD schema holds no `$ref`).

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{json, Map, Value};

use super::scaled_object::QUANTITY_PATTERN;

const CORE: &str = "io.k8s.api.core.v1.";

/// Lists that are maps keyed by these fields (`+listType=map`); every other list is atomic.
const MAP_LISTS: &[(&str, &[&str])] = &[
    ("claims", &["name"]),
    ("containers", &["name"]),
    ("env", &["name"]),
    ("ephemeralContainers", &["name"]),
    ("hostAliases", &["ip"]),
    ("imagePullSecrets", &["name"]),
    ("initContainers", &["name"]),
    ("ports", &["containerPort", "protocol"]),
    ("resourceClaims", &["name"]),
    ("schedulingGates", &["name"]),
    (
        "topologySpreadConstraints",
        &["topologyKey", "whenUnsatisfiable"],
    ),
    ("volumeDevices", &["devicePath"]),
    ("volumeMounts", &["mountPath"]),
    ("volumes", &["name"]),
];

/// Lists of distinct values (`+listType=set`): (type, field).
const SET_LISTS: &[(&str, &str)] = &[
    (
        "io.k8s.api.batch.v1.PodFailurePolicyOnExitCodesRequirement",
        "values",
    ),
    (
        "io.k8s.api.core.v1.ContainerRestartRuleOnExitCodes",
        "values",
    ),
];

/// Structs replaced as a whole by a server-side apply (`+structType=atomic`), core/v1 unless
/// qualified.
const ATOMIC_TYPES: &[&str] = &[
    "ConfigMapEnvSource",
    "ConfigMapKeySelector",
    "ConfigMapProjection",
    "ConfigMapVolumeSource",
    "FileKeySelector",
    "LocalObjectReference",
    "NodeSelector",
    "NodeSelectorTerm",
    "ObjectFieldSelector",
    "ResourceFieldSelector",
    "SecretEnvSource",
    "SecretKeySelector",
    "SecretProjection",
    "TypedLocalObjectReference",
    "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector",
];

/// Maps replaced as a whole: (type, field).
const ATOMIC_MAPS: &[(&str, &str)] = &[("PodSpec", "nodeSelector")];

/// The types that embed a LocalObjectReference: `name` defaults to "" and is not required.
const NAMED_REFERENCES: &[&str] = &[
    "ConfigMapEnvSource",
    "ConfigMapKeySelector",
    "ConfigMapProjection",
    "ConfigMapVolumeSource",
    "LocalObjectReference",
    "SecretEnvSource",
    "SecretKeySelector",
    "SecretProjection",
];

/// `+default=` markers: (type, field, value).
fn defaults() -> [(&'static str, &'static str, Value); 12] {
    [
        ("ContainerPort", "protocol", json!("TCP")),
        ("GRPCAction", "service", json!("")),
        ("AzureDiskVolumeSource", "fsType", json!("ext4")),
        ("AzureDiskVolumeSource", "readOnly", json!(false)),
        ("ISCSIVolumeSource", "iscsiInterface", json!("default")),
        ("RBDVolumeSource", "keyring", json!("/etc/ceph/keyring")),
        ("RBDVolumeSource", "pool", json!("rbd")),
        ("RBDVolumeSource", "user", json!("admin")),
        ("ScaleIOVolumeSource", "fsType", json!("xfs")),
        (
            "ScaleIOVolumeSource",
            "storageMode",
            json!("ThinProvisioned"),
        ),
        ("FileKeySelector", "optional", json!(false)),
        (
            "PodFailurePolicyOnPodConditionsPattern",
            "status",
            json!("True"),
        ),
    ]
}

fn qualified(name: &str) -> String {
    if name.starts_with("io.") {
        name.to_owned()
    } else {
        format!("{CORE}{name}")
    }
}

/// The schema of `T` with the markers above, every reference inlined.
pub fn schema<T: JsonSchema>() -> Schema {
    let mut generator = SchemaGenerator::new(SchemaSettings::openapi3().with(|s| {
        s.inline_subschemas = false;
        s.meta_schema = None;
    }));
    let root = generator.subschema_for::<T>();
    let mut defs = generator.take_definitions(false);
    for (name, def) in defs.iter_mut() {
        mark(name, def);
    }
    let mut value = root.to_value();
    inline(&mut value, &defs, 0);
    Schema::try_from(value).unwrap_or_default()
}

fn field<'a>(def: &'a mut Value, name: &str) -> Option<&'a mut Map<String, Value>> {
    def.get_mut("properties")?.get_mut(name)?.as_object_mut()
}

/// Adds the markers of one type's definition.
fn mark(name: &str, def: &mut Value) {
    if name == "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" {
        // controller-gen's embedded ObjectMeta: what a template may set.
        let strings = json!({"type": "object", "additionalProperties": {"type": "string"}});
        *def = json!({"type": "object", "properties": {
            "annotations": strings, "finalizers": {"type": "array", "items": {"type": "string"}},
            "labels": strings, "name": {"type": "string"}, "namespace": {"type": "string"}}});
        return;
    }
    if name == "io.k8s.apimachinery.pkg.api.resource.Quantity" {
        if let Some(d) = def.as_object_mut() {
            d.insert("pattern".into(), QUANTITY_PATTERN.into());
        }
        return;
    }
    let fields: Vec<String> = def
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    for f in &fields {
        let set = SET_LISTS.contains(&(name, f.as_str()));
        let Some(prop) = field(def, f) else { continue };
        if prop.get("type").and_then(Value::as_str) != Some("array") {
            continue;
        }
        match MAP_LISTS.iter().find(|(n, _)| n == f) {
            Some((_, keys)) => {
                prop.insert("x-kubernetes-list-type".into(), "map".into());
                prop.insert("x-kubernetes-list-map-keys".into(), json!(keys));
            }
            None => {
                let kind = if set { "set" } else { "atomic" };
                prop.insert("x-kubernetes-list-type".into(), kind.into());
            }
        }
    }
    if ATOMIC_TYPES.iter().any(|t| qualified(t) == name) {
        if let Some(d) = def.as_object_mut() {
            d.insert("x-kubernetes-map-type".into(), "atomic".into());
        }
    }
    for (t, f) in ATOMIC_MAPS {
        if qualified(t) == name {
            if let Some(p) = field(def, f) {
                p.insert("x-kubernetes-map-type".into(), "atomic".into());
            }
        }
    }
    if NAMED_REFERENCES.iter().any(|t| qualified(t) == name) {
        if let Some(p) = field(def, "name") {
            p.insert("default".into(), "".into());
        }
        if let Some(required) = def.get_mut("required").and_then(Value::as_array_mut) {
            required.retain(|r| r != "name");
            if required.is_empty() {
                if let Some(d) = def.as_object_mut() {
                    d.remove("required");
                }
            }
        }
    }
    for (t, f, v) in defaults() {
        if qualified(t) == name || t == name {
            if let Some(p) = field(def, f) {
                p.insert("default".into(), v);
            }
        }
    }
}

/// Replaces every `{"$ref": ...}` by its (marked) definition, keeping the reference's own
/// keywords (its description). Kubernetes' types hold no cycle; `depth` guards anyway.
fn inline(node: &mut Value, defs: &Map<String, Value>, depth: usize) {
    if depth > 64 {
        *node = json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true});
        return;
    }
    match node {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.remove("$ref") {
                let name = r.rsplit('/').next().unwrap_or_default();
                if let Some(Value::Object(def)) = defs.get(name) {
                    for (k, v) in def {
                        map.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                }
                inline(node, defs, depth + 1);
                return;
            }
            for v in map.values_mut() {
                inline(v, defs, depth);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| inline(v, defs, depth)),
        _ => {}
    }
}
