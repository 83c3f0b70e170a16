//! Tests of the schema layer: one per rule here; the validation vectors and the KEDA docs
//! corpus in their own files.

mod corpus;
mod fixes;
mod vectors;

use std::path::{Path, PathBuf};

use super::quantity::is_quantity;
use super::tree::{schemas, Ty};
use crate::diagnostic::Diagnostic;
use crate::document::{parse_stream, Limits, Node};
use crate::rules::{Ctx, Report};
use crate::validate::{load, LintOptions};
use crate::version::KedaVersion;

/// The schema layer's diagnostics for every KEDA object of `text`.
pub(super) fn run(text: &str, version: KedaVersion) -> Vec<Diagnostic> {
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
            texts: &[text],
        };
        super::check(&ctx, &mut report);
    }
    out
}

pub(super) fn diags(text: &str) -> Vec<Diagnostic> {
    run(text, KedaVersion::DEFAULT)
}

pub(super) fn codes(d: &[Diagnostic]) -> Vec<(&str, &str)> {
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
    // A scaler parameter written beside `metadata` instead of under it.
    let d = diags(&so(
        "  scaleTargetRef:\n    name: x\n  triggers:\n  - type: kafka\n    topic: orders\n    metadata: {}\n",
    ));
    assert_eq!(codes(&d), [("KEDA0108", "spec.triggers[0].topic")]);
    assert!(d[0].message.contains("metadata.topic"), "{}", d[0].message);
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
        texts: &[&text],
    };
    let _ = schemas();
    let n: u32 = std::env::var("SPEED_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
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

// Shared by the vector and corpus tests.

pub(super) fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub(super) fn documents(text: &str) -> Vec<Node> {
    parse_stream(text, &Limits::default())
        .into_iter()
        .filter_map(|d| d.root)
        .collect()
}

pub(super) fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    files
}

/// Emits the YAML text of the last document of a stream (the object under test).
pub(super) fn last_document(text: &str) -> &str {
    text.rsplit("\n---").next().unwrap_or(text)
}

#[test]
fn yaml_booleans_in_metadata_are_explained() {
    let d = diags(&so(
        "  scaleTargetRef:\n    name: x\n  triggers:\n  - type: kafka\n    metadata:\n      allowIdleConsumers: yes\n",
    ));
    assert_eq!(
        codes(&d),
        [("KEDA0101", "spec.triggers[0].metadata.allowIdleConsumers")]
    );
    assert!(
        d[0].message
            .contains("YAML reads yes as a boolean, quote it: \"yes\""),
        "{}",
        d[0].message
    );
}

#[test]
fn odd_shapes_are_reported_not_panicked_on() {
    let cases = [
        ("spec: [1, 2]\n", vec![("KEDA0101", "spec")]),
        (
            "spec:\n  triggers: {a: b}\n  scaleTargetRef: x\n",
            vec![
                ("KEDA0101", "spec.triggers"),
                ("KEDA0101", "spec.scaleTargetRef"),
            ],
        ),
        (
            "spec:\n  1: x\n  scaleTargetRef: {name: a}\n  triggers: [{type: t, metadata: {}}]\n",
            vec![("KEDA0108", "spec.1")],
        ),
    ];
    for (body, want) in cases {
        let text = format!("{SO_HEAD}{body}");
        assert_eq!(codes(&diags(&text)), want, "{body}");
    }
    let text = "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: 5\nspec: {}\n";
    assert_eq!(
        codes(&diags(text)),
        [
            ("KEDA0101", "metadata"),
            ("KEDA0102", "spec"),
            ("KEDA0102", "spec")
        ]
    );
}

#[test]
fn every_release_walks_the_corpus() {
    let versions = [
        "2.0.0", "2.4.0", "2.12.0", "2.13.0", "2.14.0", "2.15.0", "2.17.0", "2.19.0", "2.20.0",
        "2.20.1",
    ];
    let mut dirs = vec![repo_root().join("tests/corpus/keda-docs")];
    dirs.push(repo_root().join("tests/vectors/validation"));
    for dir in dirs {
        for path in yaml_files(&dir) {
            let text = std::fs::read_to_string(&path).unwrap();
            for v in versions {
                // Older releases can only add unknown-field findings or drop constraint
                // findings; nothing may panic.
                let _ = run(&text, v.parse().unwrap());
            }
        }
    }
}

#[test]
fn kubernetes_name_syntax() {
    use super::{dns_label, dns_subdomain, label_value, qualified_name};
    assert!(dns_subdomain("orders-scaler.v2").is_none());
    assert!(dns_subdomain("Orders").is_some());
    assert!(dns_subdomain("a..b").is_some());
    assert!(dns_subdomain(&"a".repeat(254)).is_some());
    assert!(dns_label("demo-1").is_none());
    assert!(dns_label("a.b").is_some());
    assert!(dns_label(&"a".repeat(64)).is_some());
    assert!(qualified_name("app.kubernetes.io/name").is_none());
    assert!(qualified_name("autoscaling.keda.sh/paused-replicas").is_none());
    assert!(qualified_name("/x").is_some());
    assert!(qualified_name("a/b/c").is_some());
    assert!(label_value("").is_none());
    assert!(label_value("v1.2_3").is_none());
    assert!(label_value("-a").is_some());
}

#[test]
fn integers_beyond_go_int32_fail_in_keda() {
    // apis/keda/v1alpha1 (v2.20.2): these are *int32; the CRD says format: int32, which the
    // API server does not enforce.
    let d = diags(&so_with(
        "  pollingInterval: 2147483648\n  cooldownPeriod: 9999999999\n  initialCooldownPeriod: 3000000000\n  idleReplicaCount: 2147483647\n  minReplicaCount: 2147483650\n  maxReplicaCount: 99999999999999999999\n  fallback:\n    failureThreshold: 4294967296\n    replicas: 3\n",
    ));
    let got: Vec<_> = codes(&d)
        .into_iter()
        .filter(|(c, _)| *c == "KEDA0115")
        .collect();
    assert_eq!(
        got,
        [
            ("KEDA0115", "spec.pollingInterval"),
            ("KEDA0115", "spec.cooldownPeriod"),
            ("KEDA0115", "spec.initialCooldownPeriod"),
            ("KEDA0115", "spec.minReplicaCount"),
            ("KEDA0115", "spec.maxReplicaCount"),
            ("KEDA0115", "spec.fallback.failureThreshold"),
        ]
    );
    let first = d
        .iter()
        .find(|x| x.code == "KEDA0115")
        .map(|x| x.message.clone());
    assert_eq!(
        first.as_deref(),
        Some(
            "spec.pollingInterval is 2147483648, outside int32 (-2147483648 to 2147483647): the \
             API server stores it, but KEDA's webhook and operator cannot decode the object \
             (json: cannot unmarshal number 2147483648 into a Go struct field of type int32)"
        )
    );
    assert!(d.iter().all(|x| x.severity == crate::Severity::Error));
    // The smallest int32 and the behavior's int32 fields.
    let d = diags(&so_with(
        "  minReplicaCount: -2147483648\n  advanced:\n    horizontalPodAutoscalerConfig:\n      behavior:\n        scaleUp:\n          policies:\n          - type: Pods\n            value: 5000000000\n            periodSeconds: 15\n",
    ));
    assert!(
        codes(&d).contains(&(
            "KEDA0115",
            "spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleUp.policies[0].value"
        )),
        "{:?}",
        codes(&d)
    );
    assert!(!codes(&d).contains(&("KEDA0115", "spec.minReplicaCount")));
    // ScaledJob's int32 counts.
    let job = "apiVersion: keda.sh/v1alpha1\nkind: ScaledJob\nmetadata:\n  name: j\nspec:\n  jobTargetRef:\n    template:\n      spec:\n        containers:\n        - name: c\n          image: x\n  maxReplicaCount: 2147483648\n  successfulJobsHistoryLimit: 1\n  triggers:\n  - type: cron\n    metadata:\n      timezone: UTC\n      start: 0 7 * * *\n      end: 0 19 * * *\n      desiredReplicas: \"5\"\n";
    assert_eq!(
        codes(&diags(job))
            .into_iter()
            .filter(|(c, _)| *c == "KEDA0115")
            .collect::<Vec<_>>(),
        [("KEDA0115", "spec.maxReplicaCount")]
    );
}
