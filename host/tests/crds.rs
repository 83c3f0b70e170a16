#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The generated CRDs against KEDA's own (tests/keda-crds/, KEDA v2.20.2), the typed resources
//! against real manifests, and deploy/crds.yaml against the generator.

#[path = "../src/crd/mod.rs"]
mod crd;

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
    ]
    .map(keda_crd);
    assert_eq!(ours.len(), 3);
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
    "pattern",
    "anyOf",
    "x-kubernetes-int-or-string",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-list-type",
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
    // A guard on the walker itself: a renamed field, a lost enum member and a lost bound show up.
    let keda = json!({"type": "object", "properties": {
        "a": {"type": "integer", "minimum": 1},
        "b": {"type": "string", "enum": ["x", "y"]},
        "c": {"type": "array", "items": {"type": "object", "properties": {"d": {"type": "string"}}}}
    }});
    let ours = json!({"type": "object", "properties": {
        "a": {"type": "integer", "minimum": 1.0},
        "b": {"type": "string", "enum": ["y"]},
        "c": {"type": "array", "items": {"type": "object", "properties": {"e": {"type": "string"}}}}
    }});
    let mut diffs = Vec::new();
    walk("spec", &keda, &ours, &mut diffs);
    assert_eq!(
        diffs,
        [
            "spec.b: enum",
            "spec.c[].d: missing",
            "spec.c[].e: not in KEDA's"
        ]
    );
}

#[test]
fn no_field_is_nullable_and_no_enum_lists_null() {
    fn visit(v: &Value, path: &str) {
        match v {
            Value::Object(m) => {
                assert_ne!(m.get("nullable"), Some(&json!(true)), "{path}");
                if let Some(Value::Array(e)) = m.get("enum") {
                    assert!(e.iter().all(|x| !x.is_null()), "{path}");
                }
                for (k, c) in m {
                    visit(c, &format!("{path}.{k}"));
                }
            }
            Value::Array(a) => a.iter().for_each(|c| visit(c, path)),
            _ => {}
        }
    }
    for c in crds() {
        visit(&serde_json::to_value(&c).unwrap(), &c.spec.names.kind);
    }
}

// ---- the typed resources against manifests ----

/// Deserializes into `T` and serializes back: nothing may be lost or added.
fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(doc: &Value) -> T {
    let typed: T = serde_json::from_value(doc.clone()).unwrap();
    assert_eq!(&serde_json::to_value(&typed).unwrap(), doc);
    typed
}

#[test]
fn the_seed_manifests_read_into_the_typed_resources() {
    let docs = yaml_docs(&read("examples/seed/keda.yaml"));
    assert_eq!(docs.len(), 2);
    let ta: TriggerAuthentication = round_trip(&docs[0]);
    assert_eq!(ta.metadata.name.as_deref(), Some("orders-sb-auth"));
    assert_eq!(ta.metadata.namespace.as_deref(), Some("shop"));
    let identity = ta.spec.pod_identity.as_ref().unwrap();
    assert_eq!(identity.provider, PodIdentityProvider::AzureWorkload);
    assert_eq!(identity.identity_id, None);

    let so: ScaledObject = round_trip(&docs[1]);
    assert_eq!(so.metadata.name.as_deref(), Some("orders-worker"));
    let spec = &so.spec;
    assert_eq!(spec.scale_target_ref.name, "orders-worker");
    assert_eq!(spec.scale_target_ref.kind, None);
    assert_eq!(
        (
            spec.polling_interval,
            spec.cooldown_period,
            spec.min_replica_count,
            spec.max_replica_count
        ),
        (Some(30), Some(300), Some(0), Some(10))
    );
    assert_eq!(spec.triggers.len(), 1);
    let t = &spec.triggers[0];
    assert_eq!(t.type_, "azure-servicebus");
    assert_eq!(t.name.as_deref(), Some("orders"));
    assert_eq!(t.metadata["namespace"], "contoso-sb");
    assert_eq!(t.metadata["queueName"], "orders");
    assert_eq!(t.metadata["messageCount"], "5");
    let auth = t.authentication_ref.as_ref().unwrap();
    assert_eq!(auth.name, "orders-sb-auth");
    assert_eq!(auth.kind, None);
    assert!(so.status.is_none());
}

/// A ScaledObject using every field of KEDA's schema, status included.
const FULL_SCALED_OBJECT: &str = r#"
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: full, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: StatefulSet, name: db, envSourceContainerName: main}
  pollingInterval: 15
  cooldownPeriod: 120
  initialCooldownPeriod: 60
  idleReplicaCount: 0
  minReplicaCount: 1
  maxReplicaCount: 20
  fallback: {failureThreshold: 3, replicas: 6, behavior: currentReplicasIfHigher}
  advanced:
    restoreToOriginalReplicaCount: true
    horizontalPodAutoscalerConfig:
      name: db-hpa
      behavior:
        scaleDown:
          stabilizationWindowSeconds: 60
          selectPolicy: Min
          tolerance: 50m
          policies: [{type: Percent, value: 50, periodSeconds: 30}]
        scaleUp:
          stabilizationWindowSeconds: 0
          selectPolicy: Max
          tolerance: "0.05"
          policies: [{type: Pods, value: 4, periodSeconds: 15}]
    scalingModifiers:
      formula: "orders + backlog"
      target: "10"
      activationTarget: "1"
      metricType: Value
  triggers:
    - type: azure-servicebus
      name: orders
      metricType: AverageValue
      useCachedMetrics: true
      metadata: {queueName: orders, messageCount: "5"}
      authenticationRef: {name: sb, kind: ClusterTriggerAuthentication}
    - type: cpu
      metricType: Utilization
      metadata: {value: "60"}
status:
  scaleTargetKind: apps/v1.StatefulSet
  scaleTargetGVKR: {group: apps, version: v1, kind: StatefulSet, resource: statefulsets}
  originalReplicaCount: 2
  lastActiveTime: "2026-01-02T03:04:05Z"
  externalMetricNames: [s0-azure-servicebus-orders]
  resourceMetricNames: [cpu]
  compositeScalerName: full-composite
  conditions:
    - {type: Ready, status: "True", reason: ScaledObjectReady, message: ok}
    - {type: Active, status: "False"}
  health:
    s0-azure-servicebus-orders: {numberOfFailures: 0, status: Happy}
  pausedReplicaCount: 3
  hpaName: keda-hpa-full
  triggersTypes: azure-servicebus,cpu
  authenticationsTypes: sb
  triggersActivity:
    orders: {isActive: true}
"#;

/// A TriggerAuthentication using every field of KEDA's schema.
const FULL_TRIGGER_AUTHENTICATION: &str = r#"
apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata: {name: full, namespace: shop}
spec:
  # The same full identity everywhere one may appear (an anchor, then aliases).
  podIdentity: &identity
    provider: aws
    identityId: id
    identityTenantId: tenant
    identityAuthorityHost: https://login.example
    roleArn: arn:aws:iam::1:role/r
    identityOwner: workload
    externalID: ext
  secretTargetRef: [{parameter: connection, name: sb-secret, key: conn}]
  env: [{parameter: region, name: AWS_REGION, containerName: main}]
  configMapTargetRef: [{parameter: host, name: cfg, key: host}]
  hashiCorpVault:
    address: https://vault.example:8200
    namespace: ns
    authentication: kubernetes
    role: keda
    mount: kubernetes
    credential: {token: t, serviceAccount: /var/run/token, serviceAccountName: vault-sa}
    secrets:
      - {parameter: password, key: pw, path: secret/data/db, type: secretV2}
      - parameter: cert
        key: certificate
        path: pki/issue/r
        type: pki
        pkiData: {commonName: a, altNames: b, ipSans: c, uriSans: d, otherSans: e, ttl: 1h, format: pem}
  azureKeyVault:
    vaultUri: https://v.vault.azure.net
    credentials:
      clientId: cid
      tenantId: tid
      clientSecret: {valueFrom: {secretKeyRef: {name: kv, key: secret}}}
    podIdentity: *identity
    cloud: {type: Private, keyVaultResourceURL: https://vault.example, activeDirectoryEndpoint: https://login.example}
    secrets: [{parameter: conn, name: sb-conn, version: "1"}]
  awsSecretManager:
    credentials:
      accessKey: {valueFrom: {secretKeyRef: {name: aws, key: id}}}
      accessSecretKey: {valueFrom: {secretKeyRef: {name: aws, key: secret}}}
      accessToken: {valueFrom: {secretKeyRef: {name: aws, key: token}}}
    podIdentity: *identity
    region: eu-west-1
    secrets: [{parameter: p, name: db-password, versionId: v1, versionStage: AWSCURRENT, secretKey: k}]
  gcpSecretManager:
    secrets: [{parameter: p, id: projects/x/secrets/y, version: latest}]
    credentials: {clientSecret: {valueFrom: {secretKeyRef: {name: gcp, key: json}}}}
    podIdentity: *identity
  boundServiceAccountToken: [{parameter: token, serviceAccountName: reader}]
  filePath: /etc/keda/auth.json
  oauth2:
    type: clientCredentials
    clientId: client
    clientSecret: {valueFrom: {secretKeyRef: {name: oauth, key: secret}}}
    tokenUrl: https://login.example/token
    scopes: [read, write]
    tokenUrlParams: {audience: api}
status: {scaledobjects: full, scaledjobs: ""}
"#;

fn one_doc(text: &str) -> Value {
    let mut docs = yaml_docs(text);
    assert_eq!(docs.len(), 1);
    docs.remove(0)
}

#[test]
fn a_scaled_object_with_every_field_round_trips() {
    let so: ScaledObject = round_trip(&one_doc(FULL_SCALED_OBJECT));
    let fallback = so.spec.fallback.as_ref().unwrap();
    assert_eq!(fallback.behavior, FallbackBehavior::CurrentReplicasIfHigher);
    let advanced = so.spec.advanced.as_ref().unwrap();
    let modifiers = advanced.scaling_modifiers.as_ref().unwrap();
    assert_eq!(modifiers.metric_type, Some(ModifierMetricType::Value));
    let hpa = advanced.horizontal_pod_autoscaler_config.as_ref().unwrap();
    let down = hpa.behavior.as_ref().unwrap().scale_down.as_ref().unwrap();
    assert_eq!(down.stabilization_window_seconds, Some(60));
    assert_eq!(
        so.spec.triggers[0]
            .authentication_ref
            .as_ref()
            .unwrap()
            .kind,
        Some(AuthenticationRefKind::ClusterTriggerAuthentication)
    );
    let status = so.status.as_ref().unwrap();
    assert_eq!(
        status.scale_target_gvkr.as_ref().unwrap().resource,
        "statefulsets"
    );
    assert_eq!(
        status.health.as_ref().unwrap()["s0-azure-servicebus-orders"].number_of_failures,
        Some(0)
    );
    assert_eq!(status.conditions.as_ref().unwrap()[1].status, "False");
}

#[test]
fn a_trigger_authentication_with_every_field_round_trips() {
    let doc = one_doc(FULL_TRIGGER_AUTHENTICATION);
    let ta: TriggerAuthentication = round_trip(&doc);
    let vault = ta.spec.hashi_corp_vault.as_ref().unwrap();
    assert_eq!(vault.authentication, VaultAuthentication::Kubernetes);
    assert_eq!(vault.secrets[1].type_, Some(VaultSecretType::Pki));
    assert_eq!(
        ta.spec.pod_identity.as_ref().unwrap().identity_owner,
        Some(IdentityOwner::Workload)
    );
    assert_eq!(
        ta.spec.oauth2.as_ref().unwrap().type_,
        OAuth2GrantType::ClientCredentials
    );
    // The cluster-scoped kind carries the very same spec.
    let mut cluster_doc = doc;
    cluster_doc["kind"] = json!("ClusterTriggerAuthentication");
    cluster_doc["metadata"] = json!({"name": "full"});
    let cta: ClusterTriggerAuthentication = round_trip(&cluster_doc);
    assert_eq!(*cta.spec, ta.spec);
    assert_eq!(cta.spec.file_path.as_deref(), Some("/etc/keda/auth.json"));
}

/// Every property path of a document, `[]` for list items and `{}` for map values.
fn doc_paths(v: &Value, path: &str, out: &mut BTreeSet<String>, maps: &BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                let key = if maps.contains(path) {
                    "{}"
                } else {
                    k.as_str()
                };
                let p = format!("{path}.{key}");
                out.insert(p.clone());
                doc_paths(c, &p, out, maps);
            }
        }
        Value::Array(a) => {
            let p = format!("{path}[]");
            a.iter().for_each(|c| doc_paths(c, &p, out, maps));
        }
        _ => {}
    }
}

/// Every property path a schema declares, and the paths that are maps (additionalProperties).
fn schema_paths(s: &Value, path: &str, out: &mut BTreeSet<String>, maps: &mut BTreeSet<String>) {
    if let Some(props) = s.get("properties").and_then(Value::as_object) {
        for (k, c) in props {
            let p = format!("{path}.{k}");
            out.insert(p.clone());
            schema_paths(c, &p, out, maps);
        }
    }
    if let Some(items) = s.get("items") {
        schema_paths(items, &format!("{path}[]"), out, maps);
    }
    if let Some(values) = s.get("additionalProperties").filter(|v| v.is_object()) {
        maps.insert(path.to_owned());
        let p = format!("{path}.{{}}");
        out.insert(p.clone());
        schema_paths(values, &p, out, maps);
    }
}

#[test]
fn the_full_manifests_cover_every_property_of_keda_s_schemas() {
    // The round trips above only prove something if the manifests use every field KEDA has.
    for (file, text) in [
        ("keda.sh_scaledobjects.yaml", FULL_SCALED_OBJECT),
        (
            "keda.sh_triggerauthentications.yaml",
            FULL_TRIGGER_AUTHENTICATION,
        ),
    ] {
        let keda = keda_crd(file);
        let schema = &keda["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
        let (mut declared, mut maps) = (BTreeSet::new(), BTreeSet::new());
        schema_paths(schema, "", &mut declared, &mut maps);
        let mut used = BTreeSet::new();
        doc_paths(&one_doc(text), "", &mut used, &maps);
        used.retain(|p| !p.starts_with(".metadata."));
        let unknown: Vec<_> = used.difference(&declared).collect();
        assert!(unknown.is_empty(), "{file}: not KEDA's: {unknown:?}");
        let unused: Vec<_> = declared
            .difference(&used)
            .filter(|p| !p.starts_with(".metadata."))
            .collect();
        assert!(unused.is_empty(), "{file}: not exercised: {unused:?}");
    }
}

#[test]
fn documents_keda_refuses_are_refused() {
    let mut so = one_doc(FULL_SCALED_OBJECT);
    so["spec"]["fallback"]["behavior"] = json!("sometimes");
    assert!(serde_json::from_value::<ScaledObject>(so).is_err());

    let mut so = one_doc(FULL_SCALED_OBJECT);
    so["spec"].as_object_mut().unwrap().remove("scaleTargetRef");
    assert!(serde_json::from_value::<ScaledObject>(so).is_err());

    let mut so = one_doc(FULL_SCALED_OBJECT);
    so["spec"]["triggers"][0]["metadata"]["messageCount"] = json!(5);
    assert!(serde_json::from_value::<ScaledObject>(so).is_err());

    // `azure` (AAD pod identity) was removed from KEDA; only the listed providers remain.
    let mut ta = one_doc(FULL_TRIGGER_AUTHENTICATION);
    ta["spec"]["podIdentity"]["provider"] = json!("azure");
    assert!(serde_json::from_value::<TriggerAuthentication>(ta).is_err());
}

#[test]
fn a_missing_fallback_behavior_reads_as_static() {
    let mut so = one_doc(FULL_SCALED_OBJECT);
    so["spec"]["fallback"] = json!({"failureThreshold": 3, "replicas": 6});
    let so: ScaledObject = serde_json::from_value(so).unwrap();
    assert_eq!(so.spec.fallback.unwrap().behavior, FallbackBehavior::Static);
}

// ---- deploy/crds.yaml ----

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
