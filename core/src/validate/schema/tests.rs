//! Tests of the schema layer: one per rule, the validation vectors, and the KEDA docs corpus.

use std::path::{Path, PathBuf};

use super::tree::{schemas, Ty};
use super::walk::is_quantity;
use crate::diagnostic::Diagnostic;
use crate::document::{parse_stream, Limits, Node};
use crate::rules::{Ctx, Report};
use crate::validate::{load, LintOptions};
use crate::version::KedaVersion;

/// The schema layer's diagnostics for every KEDA object of `text`.
fn run(text: &str, version: KedaVersion) -> Vec<Diagnostic> {
    let options = LintOptions {
        keda_version: version,
        ..LintOptions::default()
    };
    let mut ignored = Vec::new();
    let bundle = load(&[text], &options, &mut Report::new(&mut ignored, version));
    let mut out = Vec::new();
    let mut report = Report::new(&mut out, version);
    for resource in bundle.resources.iter().filter(|r| r.is_keda()) {
        let ctx = Ctx {
            resource,
            bundle: &bundle,
            options: &options,
        };
        super::check(&ctx, &mut report);
    }
    out
}

fn diags(text: &str) -> Vec<Diagnostic> {
    run(text, KedaVersion::DEFAULT)
}

fn codes(d: &[Diagnostic]) -> Vec<(&str, &str)> {
    d.iter()
        .map(|d| (d.code.as_str(), d.path.as_str()))
        .collect()
}

const SO_HEAD: &str =
    "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: orders\n";

fn so(spec: &str) -> String {
    format!("{SO_HEAD}spec:\n{spec}")
}

const TRIGGERS: &str = "  triggers:\n  - type: cron\n    metadata:\n      timezone: UTC\n      start: 0 7 * * *\n      end: 0 19 * * *\n      desiredReplicas: \"5\"\n";

fn so_with(extra: &str) -> String {
    so(&format!(
        "  scaleTargetRef:\n    name: orders\n{extra}{TRIGGERS}"
    ))
}

#[test]
fn embedded_schemas_load() {
    let s = schemas().expect("embedded schemas parse");
    assert!(s.nodes.len() > 100);
    let root = s.root(&crate::document::Kind::ScaledObject).unwrap();
    let spec = s
        .node(s.node(root).unwrap().property("spec").unwrap())
        .unwrap();
    assert_eq!(spec.ty, Ty::Object);
    assert!(spec.required.iter().any(|r| &**r == "triggers"));
}

#[test]
fn valid_scaled_object_has_no_findings() {
    let d = diags(&so_with(
        "  minReplicaCount: 0\n  maxReplicaCount: 10\n  advanced:\n    horizontalPodAutoscalerConfig:\n      behavior:\n        scaleDown:\n          stabilizationWindowSeconds: 300\n          tolerance: \"0.05\"\n",
    ));
    assert!(d.is_empty(), "{d:#?}");
}

#[test]
fn wrong_type_in_trigger_metadata() {
    let d = diags(&so(
        "  scaleTargetRef:\n    name: orders\n  triggers:\n  - type: rabbitmq\n    metadata:\n      queueName: orders\n      messageCount: 5\n",
    ));
    assert_eq!(
        codes(&d),
        [("KEDA0101", "spec.triggers[0].metadata.messageCount")]
    );
    let m = &d[0];
    assert!(m.message.contains("must be a string"), "{}", m.message);
    assert!(m.message.contains("quote it: \"5\""), "{}", m.message);
    // Points at the value `5`.
    assert_eq!((m.line, m.column, m.end_column), (12, 21, 22));
}

#[test]
fn wrong_type_integer_and_int_or_string() {
    let d = diags(&so_with(
        "  maxReplicaCount: \"10\"\n  minReplicaCount: 1.0\n",
    ));
    assert_eq!(codes(&d), [("KEDA0101", "spec.maxReplicaCount")]);
    assert!(
        d[0].message.contains("remove the quotes"),
        "{}",
        d[0].message
    );
    let d = diags(&so_with(
        "  advanced:\n    horizontalPodAutoscalerConfig:\n      behavior:\n        scaleUp:\n          tolerance: 0.05\n        scaleDown:\n          tolerance: 1\n",
    ));
    assert_eq!(
        codes(&d),
        [(
            "KEDA0101",
            "spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleUp.tolerance"
        )]
    );
}

#[test]
fn missing_required_points_at_parent_key() {
    let d = diags(&so(
        "  scaleTargetRef:\n    kind: Deployment\n  triggers:\n  - type: cpu\n",
    ));
    assert_eq!(
        codes(&d),
        [
            ("KEDA0102", "spec.scaleTargetRef"),
            ("KEDA0102", "spec.triggers[0]")
        ]
    );
    // `scaleTargetRef:` key on line 6, column 3.
    assert_eq!((d[0].line, d[0].column), (6, 3));
    assert!(d[0].message.contains("\"name\""));
    // The trigger item has no key: its first key `type` is shown.
    assert_eq!((d[1].line, d[1].column), (9, 5));
}

#[test]
fn null_fields_are_dropped_not_rejected() {
    // Optional null: pruned by the API server, fine.
    let d = diags(&so_with("  minReplicaCount: null\n  fallback: ~\n"));
    assert!(d.is_empty(), "{d:#?}");
    // Required null: pruned, then missing.
    let d = diags(&so(
        "  scaleTargetRef:\n    name: null\n  triggers:\n  - type: cpu\n    metadata: {}\n",
    ));
    assert_eq!(codes(&d), [("KEDA0102", "spec.scaleTargetRef")]);
    assert!(d[0].message.contains("null"), "{}", d[0].message);
    // Null list items are not pruned.
    let d = diags(&so("  scaleTargetRef:\n    name: x\n  triggers:\n  -\n"));
    assert_eq!(codes(&d), [("KEDA0109", "spec.triggers[0]")]);
    // A defaulted field may be null: the default replaces it.
    let d = diags(&so_with(
        "  fallback:\n    failureThreshold: 3\n    replicas: 2\n    behavior: null\n",
    ));
    assert!(d.is_empty(), "{d:#?}");
}

#[test]
fn enum_lists_values_and_suggests() {
    let d = diags(&so_with(
        "  fallback:\n    failureThreshold: 3\n    replicas: 2\n    behavior: currentreplicas\n",
    ));
    assert_eq!(codes(&d), [("KEDA0103", "spec.fallback.behavior")]);
    assert!(
        d[0].message.contains("\"static\", \"currentReplicas\""),
        "{}",
        d[0].message
    );
    assert!(
        d[0].message.contains("did you mean \"currentReplicas\""),
        "{}",
        d[0].message
    );
}

#[test]
fn enum_history_follows_releases() {
    let sj = |strategy: &str| {
        format!(
            "apiVersion: keda.sh/v1alpha1\nkind: ScaledJob\nmetadata:\n  name: j\nspec:\n  jobTargetRef:\n    template:\n      spec:\n        containers:\n        - name: c\n          image: busybox\n  scalingStrategy:\n    strategy: {strategy}\n{TRIGGERS}"
        )
    };
    assert!(diags(&sj("default")).is_empty());
    let old = run(&sj("default"), KedaVersion::new(2, 20, 1));
    assert_eq!(codes(&old), [("KEDA0103", "spec.scalingStrategy.strategy")]);
    assert!(
        old[0].message.contains("accepted from KEDA 2.20.2"),
        "{}",
        old[0].message
    );
    // Before 2.20 the CRD had no enum there.
    assert!(run(&sj("whatever"), KedaVersion::new(2, 19, 0)).is_empty());
    assert_eq!(
        codes(&diags(&sj("whatever"))),
        [("KEDA0103", "spec.scalingStrategy.strategy")]
    );

    let ta = |provider: &str| {
        format!("apiVersion: keda.sh/v1alpha1\nkind: TriggerAuthentication\nmetadata:\n  name: a\nspec:\n  podIdentity:\n    provider: {provider}\n")
    };
    assert!(run(&ta("azure"), KedaVersion::new(2, 14, 0)).is_empty());
    let d = diags(&ta("azure"));
    assert_eq!(codes(&d), [("KEDA0103", "spec.podIdentity.provider")]);
    assert!(
        d[0].message.contains("until KEDA 2.15.0"),
        "{}",
        d[0].message
    );
    assert!(!run(&ta("none"), KedaVersion::new(2, 13, 0)).is_empty());
    assert!(diags(&ta("none")).is_empty());
}

#[test]
fn minimum_and_maximum() {
    let d = diags(&so_with("  pollingInterval: 0\n  minReplicaCount: -1\n"));
    assert_eq!(
        codes(&d),
        [
            ("KEDA0104", "spec.pollingInterval"),
            ("KEDA0104", "spec.minReplicaCount")
        ]
    );
    assert!(
        d[0].message.contains("greater than or equal to 1"),
        "{}",
        d[0].message
    );
    // The minimums came with 2.20.0.
    assert!(run(
        &so_with("  pollingInterval: 0\n"),
        KedaVersion::new(2, 19, 0)
    )
    .is_empty());
    let d = diags(&so_with(
        "  advanced:\n    horizontalPodAutoscalerConfig:\n      behavior:\n        scaleDown:\n          stabilizationWindowSeconds: 3700\n",
    ));
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code, "KEDA0105");
    assert!(
        d[0].message.contains("less than or equal to 3600"),
        "{}",
        d[0].message
    );
}

#[test]
fn min_length_and_min_items() {
    let d = diags(&so("  scaleTargetRef:\n    name: \"\"\n  triggers: []\n"));
    assert_eq!(
        codes(&d),
        [
            ("KEDA0106", "spec.scaleTargetRef.name"),
            ("KEDA0107", "spec.triggers")
        ]
    );
    assert!(run(
        &so("  scaleTargetRef:\n    name: \"\"\n  triggers: []\n"),
        KedaVersion::new(2, 18, 0)
    )
    .is_empty());
}

#[test]
fn unknown_fields_with_suggestions() {
    let d = diags(&so_with("  minReplicas: 1\n"));
    assert_eq!(codes(&d), [("KEDA0108", "spec.minReplicas")]);
    assert!(
        d[0].message.contains("did you mean \"minReplicaCount\""),
        "{}",
        d[0].message
    );
    // The key's span.
    assert_eq!((d[0].line, d[0].column, d[0].end_column), (8, 3, 14));
    // A field newer than the selected release.
    let d = run(
        &so_with("  fallback:\n    failureThreshold: 3\n    replicas: 2\n    behavior: static\n"),
        KedaVersion::new(2, 16, 0),
    );
    assert_eq!(codes(&d), [("KEDA0108", "spec.fallback.behavior")]);
    assert!(d[0].message.contains("added in 2.17.0"), "{}", d[0].message);
    // Unknown metadata fields too; unknown keys inside trigger metadata are the scaler's
    // business (a map of strings).
    let d = diags(&format!(
        "{SO_HEAD}  lables: {{}}\nspec:\n  scaleTargetRef:\n    name: x\n{TRIGGERS}"
    ));
    assert_eq!(codes(&d), [("KEDA0108", "metadata.lables")]);
    assert!(d[0].message.contains("\"labels\""));
}

#[test]
fn scaled_job_metric_type_is_unknown_in_released_crd() {
    let text =
        "apiVersion: keda.sh/v1alpha1\nkind: ScaledJob\nmetadata:\n  name: j\nspec:\n  jobTargetRef:\n    template:\n      metadata:\n        labels: {a: b}\n        anything: 1\n      spec:\n        containers:\n        - name: c\n          image: busybox\n          ports:\n          - containerPort: 80\n  triggers:\n  - type: cron\n    metricType: Value\n    metadata: {}\n";
    // template.metadata keeps unknown fields (patch); ports.protocol has a default.
    assert_eq!(
        codes(&diags(text)),
        [("KEDA0108", "spec.triggers[0].metricType")]
    );
}

#[test]
fn quantities_and_duplicates_in_job_template() {
    let text = "apiVersion: keda.sh/v1alpha1\nkind: ScaledJob\nmetadata:\n  name: j\nspec:\n  jobTargetRef:\n    template:\n      spec:\n        containers:\n        - name: c\n          image: busybox\n          resources:\n            limits:\n              cpu: 500m\n              memory: lots\n        - name: c\n          image: busybox\n  triggers:\n  - type: cron\n    metadata: {}\n";
    let d = diags(text);
    assert_eq!(
        codes(&d),
        [
            (
                "KEDA0110",
                "spec.jobTargetRef.template.spec.containers[0].resources.limits.memory"
            ),
            ("KEDA0111", "spec.jobTargetRef.template.spec.containers[1]")
        ]
    );
    for q in ["1", "500m", "0.5", ".5", "5.", "1Gi", "-2e3", "+1E", "1e-3"] {
        assert!(is_quantity(q), "{q}");
    }
    for q in ["", ".", "1GiB", "1 Gi", "e3", "1e", "1.2.3", "Mi"] {
        assert!(!is_quantity(q), "{q}");
    }
}

#[test]
fn metadata_name_namespace_labels() {
    let text = "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  namespace: Demo\n  labels:\n    app: -bad\n    bad key: x\nspec:\n  scaleTargetRef:\n    name: x\n  triggers:\n  - type: cpu\n    metadata: {}\n";
    let d = diags(text);
    assert_eq!(
        codes(&d),
        [
            ("KEDA0112", "metadata.name"),
            ("KEDA0113", "metadata.namespace"),
            ("KEDA0114", "metadata.labels.app"),
            ("KEDA0114", "metadata.labels[bad key]")
        ]
    );
    // Missing name reported at the `metadata` key.
    assert_eq!((d[0].line, d[0].column), (3, 1));
    let d = diags(&so_with("").replace("name: orders\nspec", "name: Orders_1\nspec"));
    assert_eq!(codes(&d), [("KEDA0112", "metadata.name")]);
    let generated = so_with("").replace("  name: orders\nspec", "  generateName: orders-\nspec");
    assert!(diags(&generated).is_empty());
    // Cluster-scoped: a namespace is cleared by the API server, not refused.
    let cta = "apiVersion: keda.sh/v1alpha1\nkind: ClusterTriggerAuthentication\nmetadata:\n  name: a\n  namespace: Not_Valid\nspec: {}\n";
    assert!(diags(cta).is_empty());
}

#[test]
fn root_spec_required_except_scaled_job() {
    let d =
        diags("apiVersion: keda.sh/v1alpha1\nkind: TriggerAuthentication\nmetadata:\n  name: a\n");
    assert_eq!(codes(&d), [("KEDA0102", "")]);
    assert!(d[0].message.contains("\"spec\""));
    let d = diags("apiVersion: keda.sh/v1alpha1\nkind: ScaledJob\nmetadata:\n  name: a\n");
    assert!(d.is_empty(), "{d:#?}");
}

#[test]
fn secrets_are_not_repeated() {
    let text = "apiVersion: keda.sh/v1alpha1\nkind: TriggerAuthentication\nmetadata:\n  name: a\nspec:\n  secretTargetRef: \"Endpoint=sb://x/;SharedAccessKey=abc\"\n";
    let d = diags(text);
    assert_eq!(codes(&d), [("KEDA0101", "spec.secretTargetRef")]);
    assert!(
        !d[0].message.contains("SharedAccessKey"),
        "{}",
        d[0].message
    );
}

// ---- vectors ---------------------------------------------------------------------------

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn documents(text: &str) -> Vec<Node> {
    parse_stream(text, &Limits::default())
        .into_iter()
        .filter_map(|d| d.root)
        .collect()
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    files
}

/// Emits the YAML text of the last document of a stream (the object under test).
fn last_document(text: &str) -> &str {
    text.rsplit("\n---").next().unwrap_or(text)
}

/// The CEL rule of the ScaledObject CRD is reported by the webhook layer (KEDA1004).
const CEL_REASON: &str = "crd:minReplicaCount-gt-maxReplicaCount";

#[test]
fn validation_vectors() {
    let dir = repo_root().join("tests/vectors/validation");
    let (mut rejected, mut accepted, mut silent) = (0, 0, 0);
    let mut failures = Vec::new();
    for path in yaml_files(&dir) {
        let text = std::fs::read_to_string(&path).unwrap();
        let docs = documents(&text);
        let header = &docs[0];
        let expect = header.get("expect").and_then(Node::as_str).unwrap();
        let reason = header.get("reason").and_then(Node::as_str).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let d = diags(last_document(&text));
        let ours = reason.starts_with("crd:") && reason != CEL_REASON;
        if ours {
            assert_eq!(expect, "reject", "{name}");
            rejected += 1;
            if d.is_empty() {
                failures.push(format!(
                    "{name}: {reason} but the schema layer found nothing"
                ));
            }
        } else {
            // Accepted objects, and objects the webhook rejects: the API server let them
            // through, so the schema layer must be silent.
            if expect == "accept" {
                accepted += 1;
            } else {
                silent += 1;
            }
            if !d.is_empty() {
                failures.push(format!("{name} ({reason}): {:?}", codes(&d)));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    eprintln!("vectors: {rejected} crd rejections found, {accepted} accepts and {silent} webhook rejections clean");
    assert!(rejected >= 7 && accepted >= 40);
}

/// The rule each `crd:` reason of the vectors stands for.
fn rule_for_reason(reason: &str) -> &'static str {
    if reason.ends_with("-enum") {
        "KEDA0103"
    } else if reason.contains("minimum") {
        "KEDA0104"
    } else if reason.contains("maximum") {
        "KEDA0105"
    } else if reason.contains("must-be-strings") {
        "KEDA0101"
    } else {
        "unknown reason"
    }
}

#[test]
fn validation_vectors_report_the_reason_rule() {
    let dir = repo_root().join("tests/vectors/validation");
    for path in yaml_files(&dir) {
        let text = std::fs::read_to_string(&path).unwrap();
        let docs = documents(&text);
        let reason = docs[0].get("reason").and_then(Node::as_str).unwrap();
        if !reason.starts_with("crd:") || reason == CEL_REASON {
            continue;
        }
        let d = diags(last_document(&text));
        let want = rule_for_reason(reason);
        assert!(
            d.iter().all(|d| d.code == want),
            "{}: {reason} -> {:?}",
            path.display(),
            codes(&d)
        );
    }
}

/// The "other versions" column of the case index (§13): what the schema layer says when the
/// selected release predates a constraint or a field.
const OTHER_VERSIONS: &[(&str, &str, &[&str])] = &[
    ("041", "2.11.0", &[]),
    ("041", "2.12.0", &["KEDA0105"]),
    ("074", "2.19.0", &[]),
    ("074", "2.20.0", &["KEDA0104"]),
    ("098", "2.19.0", &[]),
    ("122", "2.14.0", &[]),
    ("122", "2.15.0", &["KEDA0103"]),
    ("124", "2.19.0", &[]),
    ("125", "2.16.0", &["KEDA0108"]),
    ("065", "2.19.0", &["KEDA0103"]),
    ("097", "2.20.1", &["KEDA0103"]),
    ("097", "2.19.0", &[]),
    ("100", "2.13.0", &["KEDA0108"]),
    ("103", "2.13.0", &["KEDA0108", "KEDA0108"]),
    ("106", "2.12.0", &["KEDA0108"]),
    ("113", "2.19.0", &["KEDA0108"]),
    ("116", "2.18.0", &["KEDA0108"]),
    ("119", "2.19.2", &["KEDA0108"]),
    ("134", "2.0.0", &["KEDA0101"]),
];

#[test]
fn validation_vectors_in_other_releases() {
    let dir = repo_root().join("tests/vectors/validation");
    let files = yaml_files(&dir);
    for (case, version, want) in OTHER_VERSIONS {
        let path = files
            .iter()
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(case))
            .unwrap();
        let text = std::fs::read_to_string(path).unwrap();
        let d = run(last_document(&text), version.parse().unwrap());
        let got: Vec<&str> = d.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(&got, want, "case {case} at {version}: {d:#?}");
    }
}

/// Schema findings on the manifests of KEDA's own documentation. Each one was read and
/// judged: a field the CRD lacks, a value of the wrong type, or a placeholder.
const CORPUS_FINDINGS: &[(&str, &str, &str)] = &[
    ("authentication--01.yaml", "KEDA0101", "metadata.name"),
    (
        "authentication--01.yaml",
        "KEDA0101",
        "spec.scaleTargetRef.name",
    ),
    (
        "authentication--01.yaml",
        "KEDA0101",
        "spec.triggers[0].metadata.host",
    ),
    ("authentication--02.yaml", "KEDA0101", "metadata.name"),
    (
        "authentication--02.yaml",
        "KEDA0103",
        "spec.podIdentity.provider",
    ),
    (
        "authentication--02.yaml",
        "KEDA0103",
        "spec.podIdentity.identityOwner",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.secretTargetRef[0].parameter",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.secretTargetRef[0].name",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.secretTargetRef[0].key",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.env[0].parameter",
    ),
    ("authentication--02.yaml", "KEDA0101", "spec.env[0].name"),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.env[0].containerName",
    ),
    ("authentication--02.yaml", "KEDA0101", "spec.filePath"),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.hashiCorpVault.address",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.hashiCorpVault.namespace",
    ),
    (
        "authentication--02.yaml",
        "KEDA0103",
        "spec.hashiCorpVault.authentication",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.hashiCorpVault.role",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.hashiCorpVault.mount",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.hashiCorpVault.credential.token",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.hashiCorpVault.credential.serviceAccount",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.hashiCorpVault.secrets[0].parameter",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.hashiCorpVault.secrets[0].key",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.hashiCorpVault.secrets[0].path",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.azureKeyVault.vaultUri",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.azureKeyVault.credentials.clientId",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.azureKeyVault.credentials.clientSecret.valueFrom.secretKeyRef.name",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.azureKeyVault.credentials.clientSecret.valueFrom.secretKeyRef.key",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.azureKeyVault.credentials.tenantId",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.azureKeyVault.cloud.keyVaultResourceURL",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.azureKeyVault.cloud.activeDirectoryEndpoint",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.azureKeyVault.secrets[0].parameter",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.azureKeyVault.secrets[0].name",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.azureKeyVault.secrets[0].version",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.awsSecretManager.credentials.accessKey.valueFrom.secretKeyRef.name",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.awsSecretManager.credentials.accessSecretKey.valueFrom.secretKeyRef.name",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.awsSecretManager.region",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.awsSecretManager.secrets[0].parameter",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.awsSecretManager.secrets[0].name",
    ),
    (
        "authentication--02.yaml",
        "KEDA0108",
        "spec.awsSecretManager.secrets[0].version",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.awsSecretManager.secrets[0].secretKey",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.gcpSecretManager.secrets[0].parameter",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.gcpSecretManager.secrets[0].id",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.gcpSecretManager.secrets[0].version",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.gcpSecretManager.credentials.clientSecret.valueFrom.secretKeyRef.name",
    ),
    (
        "authentication--02.yaml",
        "KEDA0101",
        "spec.gcpSecretManager.credentials.clientSecret.valueFrom.secretKeyRef.key",
    ),
    ("authentication--05.yaml", "KEDA0101", "metadata.name"),
    ("authentication--05.yaml", "KEDA0102", ""),
    ("aws--04.yaml", "KEDA0102", "spec.podIdentity"),
    (
        "aws-sqs--05.yaml",
        "KEDA0101",
        "spec.triggers[0].metadata.scaleOnInFlight",
    ),
    ("azure-event-hub--02.yaml", "KEDA0112", "metadata.name"),
    ("cloud-events--04.yaml", "KEDA0112", "metadata.name"),
    (
        "external-push--02.yaml",
        "KEDA0101",
        "spec.triggers[0].metadata.unsafeSsl",
    ),
    ("file-path--01.yaml", "KEDA0101", "spec.filePath"),
    (
        "github-runner--03.yaml",
        "KEDA0101",
        "spec.jobTargetRef.template.spec.containers[0].env[5].valueFrom.secretKeyRef.name",
    ),
    (
        "github-runner--04.yaml",
        "KEDA0101",
        "spec.jobTargetRef.template.spec.containers[0].env[5].valueFrom.secretKeyRef.name",
    ),
    ("hashicorp-vault--02.yaml", "KEDA0101", "metadata.name"),
    (
        "hashicorp-vault--02.yaml",
        "KEDA0101",
        "spec.hashiCorpVault.address",
    ),
    (
        "hashicorp-vault--02.yaml",
        "KEDA0101",
        "spec.hashiCorpVault.credential.token",
    ),
    (
        "hashicorp-vault--02.yaml",
        "KEDA0101",
        "spec.hashiCorpVault.secrets[0].path",
    ),
    (
        "hashicorp-vault--02.yaml",
        "KEDA0108",
        "spec.hashiCorpVault.secrets[0].pki_data",
    ),
    (
        "hashicorp-vault--02.yaml",
        "KEDA0101",
        "spec.hashiCorpVault.secrets[1].path",
    ),
    (
        "hashicorp-vault--02.yaml",
        "KEDA0108",
        "spec.hashiCorpVault.secrets[1].pki_data",
    ),
    (
        "hashicorp-vault--02.yaml",
        "KEDA0101",
        "spec.hashiCorpVault.secrets[2].path",
    ),
    (
        "hashicorp-vault--02.yaml",
        "KEDA0108",
        "spec.hashiCorpVault.secrets[2].pki_data",
    ),
    ("hashicorp-vault--02.yaml", "KEDA0101", "metadata.name"),
    (
        "hashicorp-vault--02.yaml",
        "KEDA0101",
        "spec.scaleTargetRef.name",
    ),
    (
        "hashicorp-vault--02.yaml",
        "KEDA0101",
        "spec.triggers[0].authenticationRef.name",
    ),
    ("migration--02.yaml", "KEDA0101", "metadata.name"),
    ("migration--02.yaml", "KEDA0101", "spec.scaleTargetRef.name"),
    (
        "migration--02.yaml",
        "KEDA0101",
        "spec.scaleTargetRef.envSourceContainerName",
    ),
    ("migration--02.yaml", "KEDA0102", "spec"),
    ("migration--04.yaml", "KEDA0101", "metadata.name"),
    ("migration--04.yaml", "KEDA0102", "spec.jobTargetRef"),
    ("migration--04.yaml", "KEDA0102", "spec"),
    (
        "mssql--03.yaml",
        "KEDA0101",
        "spec.triggers[0].metadata.targetValue",
    ),
    (
        "mssql--04.yaml",
        "KEDA0101",
        "spec.triggers[0].metadata.targetValue",
    ),
    (
        "openstack-metric--02.yaml",
        "KEDA0101",
        "spec.triggers[0].metadata.granularity",
    ),
    (
        "openstack-metric--02.yaml",
        "KEDA0101",
        "spec.triggers[0].metadata.threshold",
    ),
    (
        "openstack-metric--02.yaml",
        "KEDA0101",
        "spec.triggers[0].metadata.timeout",
    ),
    (
        "postgresql--03.yaml",
        "KEDA0101",
        "spec.triggers[0].metadata.targetQueryValue",
    ),
    (
        "postgresql--04.yaml",
        "KEDA0101",
        "spec.triggers[0].metadata.targetQueryValue",
    ),
    (
        "prometheus--09.yaml",
        "KEDA0101",
        "spec.triggers[0].metadata.awsRegion",
    ),
    (
        "pulsar--02.yaml",
        "KEDA0101",
        "spec.triggers[0].metadata.isPartitionedTopic",
    ),
    (
        "rabbitmq-queue--11.yaml",
        "KEDA0101",
        "spec.advanced.scalingModifiers.target",
    ),
    ("scaledjob-spec--01.yaml", "KEDA0101", "metadata.name"),
    (
        "scaledjob-spec--01.yaml",
        "KEDA0101",
        "metadata.labels.my-label",
    ),
    (
        "scaledjob-spec--01.yaml",
        "KEDA0101",
        "metadata.annotations[autoscaling.keda.sh/paused]",
    ),
    (
        "scaledjob-spec--01.yaml",
        "KEDA0101",
        "metadata.annotations.my-annotation",
    ),
    ("scaledjob-spec--01.yaml", "KEDA0102", "spec.jobTargetRef"),
    (
        "scaledjob-spec--01.yaml",
        "KEDA0101",
        "spec.envSourceContainerName",
    ),
    ("scaledjob-spec--01.yaml", "KEDA0102", "spec"),
    ("scaledobject-spec--01.yaml", "KEDA0101", "metadata.name"),
    (
        "scaledobject-spec--01.yaml",
        "KEDA0101",
        "spec.scaleTargetRef.apiVersion",
    ),
    (
        "scaledobject-spec--01.yaml",
        "KEDA0101",
        "spec.scaleTargetRef.kind",
    ),
    (
        "scaledobject-spec--01.yaml",
        "KEDA0101",
        "spec.scaleTargetRef.name",
    ),
    (
        "scaledobject-spec--01.yaml",
        "KEDA0101",
        "spec.scaleTargetRef.envSourceContainerName",
    ),
    (
        "scaledobject-spec--01.yaml",
        "KEDA0101",
        "spec.fallback.behavior",
    ),
    (
        "scaledobject-spec--01.yaml",
        "KEDA0101",
        "spec.advanced.restoreToOriginalReplicaCount",
    ),
    (
        "scaledobject-spec--01.yaml",
        "KEDA0101",
        "spec.advanced.horizontalPodAutoscalerConfig.name",
    ),
    ("scaledobject-spec--01.yaml", "KEDA0102", "spec"),
    (
        "selenium-grid-scaler--08.yaml",
        "KEDA0101",
        "spec.triggers[0].metadata.nodeMaxSessions",
    ),
];

#[test]
fn keda_docs_corpus() {
    let dir = repo_root().join("tests/corpus/keda-docs");
    let mut found = Vec::new();
    for path in yaml_files(&dir) {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for d in diags(&text) {
            eprintln!(
                "{name}:{}:{} {} {} {}",
                d.line, d.column, d.code, d.path, d.message
            );
            found.push((name.clone(), d.code.clone(), d.path.clone()));
        }
    }
    let expected: Vec<(String, String, String)> = CORPUS_FINDINGS
        .iter()
        .map(|(f, c, p)| ((*f).to_owned(), (*c).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn status_is_reset_so_only_unknown_fields_count() {
    let text = format!(
        "{}status:\n  originalReplicaCount: \"three\"\n  conditions:\n  - type: Ready\n  hpaNmae: x\n",
        so_with("")
    );
    assert_eq!(codes(&diags(&text)), [("KEDA0108", "status.hpaNmae")]);
}

#[test]
fn lint_reports_schema_findings() {
    let text = std::fs::read_to_string(
        repo_root().join("tests/vectors/validation/134-so-trigger-metadata-not-string.yaml"),
    )
    .unwrap();
    let d = crate::validate::lint(last_document(&text), &LintOptions::default());
    let schema: Vec<_> = d.iter().filter(|d| d.code.starts_with("KEDA01")).collect();
    assert_eq!(schema.len(), 1, "{d:#?}");
    assert_eq!(schema[0].path, "spec.triggers[0].metadata.threshold");
    assert_eq!(schema[0].source, crate::diagnostic::Source::Schema);
}

/// `cargo test -p scalecore --release schema_walk_speed -- --ignored --nocapture`
#[test]
#[ignore]
fn schema_walk_speed() {
    let text = so_with(
        "  pollingInterval: 15\n  minReplicaCount: 1\n  maxReplicaCount: 20\n  fallback:\n    failureThreshold: 3\n    replicas: 5\n  advanced:\n    horizontalPodAutoscalerConfig:\n      behavior:\n        scaleDown:\n          stabilizationWindowSeconds: 300\n          policies:\n          - type: Percent\n            value: 50\n            periodSeconds: 60\n",
    )
    .replace(
        "  triggers:\n",
        "  triggers:\n  - type: azure-servicebus\n    name: orders\n    metadata:\n      queueName: orders\n      messageCount: \"5\"\n      namespace: shop\n    authenticationRef:\n      name: sb-auth\n",
    );
    let options = LintOptions::default();
    let mut ignored = Vec::new();
    let bundle = load(
        &[&text],
        &options,
        &mut Report::new(&mut ignored, options.keda_version),
    );
    let resource = &bundle.resources[0];
    let ctx = Ctx {
        resource,
        bundle: &bundle,
        options: &options,
    };
    let _ = schemas();
    let n = 20_000;
    let start = std::time::Instant::now();
    let mut out = Vec::new();
    for _ in 0..n {
        let mut report = Report::new(&mut out, options.keda_version);
        super::check(&ctx, &mut report);
    }
    assert!(out.is_empty(), "{out:#?}");
    eprintln!(
        "schema layer: {:.2} µs per ScaledObject",
        start.elapsed().as_secs_f64() * 1e6 / n as f64
    );
}
