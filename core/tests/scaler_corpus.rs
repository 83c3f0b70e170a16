//! The scaler layer against manifests nobody here wrote: every `expect: accept` validation
//! vector (except those whose scaler fails after admission) must give no KEDA2xxx error, and every KEDA2xxx error on KEDA's documentation
//! examples must be one listed (with the reason KEDA's code gives) below.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::PathBuf;

use scalecore::{lint, LintOptions, Severity};

fn files(dir: &str) -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    v.sort();
    v
}

/// `file: code path` for every scaler-layer error.
fn scaler_errors(path: &PathBuf) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    lint(&text, &LintOptions::default())
        .into_iter()
        .filter(|d| d.code.starts_with("KEDA2") && d.severity == Severity::Error)
        .map(|d| format!("{name}: {} {} {}", d.code, d.path, d.message))
        .collect()
}

#[test]
fn accept_vectors_have_no_scaler_errors() {
    let mut found = Vec::new();
    for path in files("../tests/vectors/validation") {
        let text = std::fs::read_to_string(&path).unwrap();
        // ok:runtime-error cases are admitted and then fail in the scaler: errors expected.
        if !text.contains("expect: accept") || text.contains("reason: ok:runtime-error") {
            continue;
        }
        found.extend(scaler_errors(&path));
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// Errors on KEDA's docs examples that KEDA's code confirms (see the report for reasons).
const KEPT: &[&str] = &[
    // artemis-queue tags `username`/`password` without `optional`; the TriggerAuthentication
    // of this TLS example supplies only ca/cert/key.
    "artemis--04.yaml: KEDA2002 spec.triggers[0].metadata artemis-queue trigger: missing required parameter \"password\"",
    "artemis--04.yaml: KEDA2002 spec.triggers[0].metadata artemis-queue trigger: missing required parameter \"username\"",
    // queueName, topicName and subscriptionName together ("queueName OR topicName" in
    // comments): Validate() returns "subscription name provided with queue name".
    "azure-service-bus--02.yaml: KEDA2003 spec.triggers[0].metadata.subscriptionName",
    // The example's Secret leaves `apiKey` and `appKey` empty (placeholders): the Datadog API
    // path of NewDatadogScaler then fails on the app key first.
    "datadog--05.yaml: KEDA2002 spec.triggers[0].metadata datadog trigger: error parsing Datadog metadata: missing AppKey",
    // cassandra's `keyspace` is a required typed-config parameter; the examples omit it.
    "cassandra--02.yaml: KEDA2002 spec.triggers[0].metadata cassandra trigger: missing required parameter \"keyspace\"",
    "cassandra--03.yaml: KEDA2002 spec.triggers[0].metadata cassandra trigger: missing required parameter \"keyspace\"",
    // The example's Secret leaves apiKey empty (a placeholder): the typed config misses it
    // and Validate() then finds "" is not a JWT; KEDA joins both.
    "predictkube--02.yaml: KEDA2002 spec.triggers[0].metadata predictkube trigger: missing required parameter \"apiKey\" in [authParams]",
    "predictkube--02.yaml: KEDA2002 spec.triggers[0].metadata predictkube trigger: invalid apiKey",
    // authModes bearer while the TriggerAuthentication gives only username and password:
    // authentication.Config's Validate() wants a bearer token.
    "pulsar--05.yaml: KEDA2002 spec.triggers[0].metadata pulsar trigger: bearer token=<empty> is required when bearer auth is enabled",
    // couchdb reads `host`; the example writes `hostname`, and its TriggerAuthentication
    // gives only username and password: no connection string, no host, Validate() refuses.
    "couchdb--02.yaml: KEDA2002 spec.triggers[0].metadata couchdb trigger: no host given",
    // minMetricValue carries the `deprecated` tag (removed in v2.20): setting it is an error.
    "huawei-cloudeye--02.yaml: KEDA2004 spec.triggers[0].metadata.minMetricValue",
    // `host: RabbitMqHost` (a Secret key name where hostFromEnv or a TriggerAuthentication
    // was meant): protocol auto reads the scheme of that text, finds none, and Validate()
    // refuses.
    "scaling-jobs--03.yaml: KEDA2003 spec.triggers[0].metadata.host rabbitmq trigger: unknown host URL scheme: ``",
    // The placeholder `<queue-depth>` is not a number.
    "ibm-mq--02.yaml: KEDA2003 spec.triggers[0].metadata.queueDepth",
    "ibm-mq--03.yaml: KEDA2003 spec.triggers[0].metadata.queueDepth",
    // The placeholder host `<ibm-host>` has no scheme and no leading slash: Validate()'s
    // url.ParseRequestURI refuses it.
    "ibm-mq--02.yaml: KEDA2003 spec.triggers[0].metadata.host ibmmq trigger: invalid URL: parse \"<ibm-host>\": invalid URI for request",
    "ibm-mq--03.yaml: KEDA2003 spec.triggers[0].metadata.host ibmmq trigger: invalid URL: parse \"<ibm-host>\": invalid URI for request",
    // The Secret's tenantId is the placeholder AZURE_AD_TENANT_ID: NewClientSecretCredential
    // refuses a tenant with `_` when the Log Analytics client is built.
    "azure-log-analytics--02.yaml: KEDA2003 spec.triggers[0].metadata azure-log-analytics trigger: invalid tenantID.",
];

#[test]
fn docs_corpus_errors_are_defensible() {
    let mut found = Vec::new();
    for path in files("../tests/corpus/keda-docs") {
        found.extend(scaler_errors(&path));
    }
    for f in &found {
        println!("{f}");
    }
    let unexpected: Vec<&String> = found
        .iter()
        .filter(|f| !KEPT.iter().any(|k| f.starts_with(k)))
        .collect();
    let stale: Vec<&&str> = KEPT
        .iter()
        .filter(|k| !found.iter().any(|f| f.starts_with(**k)))
        .collect();
    assert!(
        unexpected.is_empty() && stale.is_empty(),
        "unexpected:\n{}\nno longer found:\n{:?}",
        unexpected
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        stale
    );
}

/// Warnings are allowed, but a flood of them means a rule is wrong: they stay few.
#[test]
fn docs_corpus_scaler_warnings_stay_few() {
    let mut warnings = Vec::new();
    for path in files("../tests/corpus/keda-docs") {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for d in lint(&text, &LintOptions::default()) {
            if d.code.starts_with("KEDA2") && d.severity == Severity::Warning {
                warnings.push(format!("{name}: {} {} {}", d.code, d.path, d.message));
            }
        }
    }
    for w in &warnings {
        println!("{w}");
    }
    assert!(warnings.len() <= 25, "{} warnings", warnings.len());
}

#[test]
#[ignore = "prints every scaler-layer finding on the validation vectors"]
fn print_validation_vector_findings() {
    for path in files("../tests/vectors/validation") {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for d in lint(&text, &LintOptions::default()) {
            if d.code.starts_with("KEDA2") {
                println!(
                    "{name}: {} {:?} {} {}",
                    d.code, d.severity, d.path, d.message
                );
            }
        }
    }
}

#[test]
#[ignore = "timing; run with --release"]
fn time_typical_scaled_object() {
    let text = "apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: orders
  namespace: demo
spec:
  scaleTargetRef:
    name: orders
  minReplicaCount: 0
  maxReplicaCount: 10
  triggers:
  - type: azure-servicebus
    metadata:
      queueName: orders
      messageCount: '5'
    authenticationRef:
      name: sb-auth
";
    let options = LintOptions::default();
    let _ = lint(text, &options);
    let without = text.replace("type: azure-servicebus", "type: external");
    let n = 2000;
    for round in 0..3 {
        for (label, t) in [("servicebus", text), ("no scaler module", without.as_str())] {
            let start = std::time::Instant::now();
            for _ in 0..n {
                std::hint::black_box(lint(std::hint::black_box(t), &options));
            }
            println!(
                "round {round} {label}: {:?} per ScaledObject",
                start.elapsed() / n
            );
        }
    }
}
