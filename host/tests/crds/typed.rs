//! The typed resources against manifests: the seed, and one of each kind using every field
//! KEDA's schemas declare.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::crd::*;
use super::{keda_crd, read, yaml_docs};

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

/// The codes of the rules that mirror the CRD schema (and YAML itself), by file.
fn schema_errors() -> std::collections::BTreeMap<String, BTreeSet<String>> {
    let mut out = std::collections::BTreeMap::<String, BTreeSet<String>>::new();
    for line in read("tests/corpus/expected-errors.tsv").lines() {
        let mut cols = line.split('\t');
        let (Some(file), Some(code)) = (cols.next(), cols.next()) else {
            continue;
        };
        if code.starts_with("KEDA00") || code.starts_with("KEDA01") {
            out.entry(file.to_owned())
                .or_default()
                .insert(code.to_owned());
        }
    }
    out
}

/// Reads one KEDA document into its typed resource; `None` for other kinds.
fn typed(doc: &Value) -> Option<Result<(), String>> {
    if doc["apiVersion"] != "keda.sh/v1alpha1" {
        return None;
    }
    let v = doc.clone();
    let r = match doc["kind"].as_str()? {
        "ScaledObject" => serde_json::from_value::<ScaledObject>(v).map(drop),
        "TriggerAuthentication" => serde_json::from_value::<TriggerAuthentication>(v).map(drop),
        "ClusterTriggerAuthentication" => {
            serde_json::from_value::<ClusterTriggerAuthentication>(v).map(drop)
        }
        _ => return None,
    };
    Some(r.map_err(|e| e.to_string()))
}

#[test]
fn keda_s_documentation_examples_read_as_the_api_server_reads_them() {
    // Every example KEDA's schema accepts reads into the typed resources; every example the
    // schema refuses for a wrong type, a missing required field or a value outside an enum
    // fails to read in at least one document.
    let refused = schema_errors();
    let dir = super::repo().join("tests/corpus/keda-docs");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    let (mut read_ok, mut refused_ok, mut problems) = (0, 0, Vec::new());
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let codes = refused.get(&name).cloned().unwrap_or_default();
        if codes.iter().any(|c| c.starts_with("KEDA00")) {
            continue; // not YAML a Kubernetes client can send
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(docs) = serde_saphyr::from_multiple::<Value>(&text) else {
            // An unrendered template (KEDA0009) is not YAML until Helm renders it.
            if !text.contains("{{") {
                problems.push(format!("{name}: does not parse"));
            }
            continue;
        };
        let results: Vec<_> = docs.iter().filter_map(typed).collect();
        if results.is_empty() {
            continue; // only kinds the host does not read (ScaledJob, Secret, ...)
        }
        let typed_refusal = ["KEDA0101", "KEDA0102", "KEDA0103"];
        if codes.iter().any(|c| typed_refusal.contains(&c.as_str())) {
            if results.iter().any(Result::is_err) {
                refused_ok += 1;
            } else {
                problems.push(format!("{name}: read although KEDA refuses it ({codes:?})"));
            }
        } else {
            for r in &results {
                match r {
                    Ok(()) => read_ok += 1,
                    Err(e) => problems.push(format!("{name}: {e}")),
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(read_ok > 150, "{read_ok}");
    assert!(refused_ok > 10, "{refused_ok}");
    eprintln!("{read_ok} documents read, {refused_ok} refused files refused");
}

#[test]
fn null_map_values_are_dropped_as_the_api_server_drops_them() {
    let mut so = one_doc(FULL_SCALED_OBJECT);
    so["spec"]["triggers"][0]["metadata"]["restApiTemplate"] = Value::Null;
    let so: ScaledObject = serde_json::from_value(so).unwrap();
    let keys: Vec<_> = so.spec.triggers[0].metadata.keys().collect();
    assert_eq!(keys, ["messageCount", "queueName"]);

    let mut ta = one_doc(FULL_TRIGGER_AUTHENTICATION);
    ta["spec"]["oauth2"]["tokenUrlParams"]["resource"] = Value::Null;
    let ta: TriggerAuthentication = serde_json::from_value(ta).unwrap();
    let params = ta.spec.oauth2.unwrap().token_url_params.unwrap();
    assert_eq!(params.keys().collect::<Vec<_>>(), ["audience"]);

    // A null where a string is required is missing, as on the server: refused.
    let mut so = one_doc(FULL_SCALED_OBJECT);
    so["spec"]["scaleTargetRef"]["name"] = Value::Null;
    assert!(serde_json::from_value::<ScaledObject>(so).is_err());
}
