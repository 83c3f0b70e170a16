//! Runs every `tests/vectors/servicebus` case through the azure-servicebus parser and
//! compares each `parsed` field, regex match, aggregation and activity, or the error text.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use scalecore::document::{parse_stream, Limits, Node};
use scalecore::scalers::servicebus::{self, ServiceBusConfig};
use scalecore::scalers::TriggerInput;

fn vectors() -> Vec<(String, Node)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/servicebus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let doc = parse_stream(&text, &Limits::default()).remove(0);
            assert!(doc.errors.is_empty(), "{}: {:?}", p.display(), doc.errors);
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                doc.root.unwrap(),
            )
        })
        .collect()
}

fn string_map(node: Option<&Node>) -> BTreeMap<String, String> {
    node.and_then(Node::as_mapping)
        .map(|m| {
            m.iter()
                .map(|e| {
                    (
                        e.key_str().unwrap().to_owned(),
                        e.value.text().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn field(config: &ServiceBusConfig, key: &str) -> String {
    match key {
        "entityType" => config.entity_type.as_str().to_owned(),
        "queueName" => config.queue_name.clone(),
        "topicName" => config.topic_name.clone(),
        "subscriptionName" => config.subscription_name.clone(),
        "connection" => config.connection.clone(),
        "namespace" => config.namespace.clone(),
        "fullyQualifiedNamespace" => config.fully_qualified_namespace.clone(),
        "targetValue" => config.target_value.to_string(),
        "activationTargetValue" => config.activation_target_value.to_string(),
        "useRegex" => config.use_regex.to_string(),
        "operation" => config.operation.clone(),
        "metricTargetType" => config.metric_type.as_str().to_owned(),
        "metricName" => config.metric_name.clone(),
        other => panic!("unknown parsed field {other}"),
    }
}

#[test]
fn every_servicebus_vector() {
    let cases = vectors();
    assert!(cases.len() >= 49, "only {} vectors", cases.len());
    let mut failures = Vec::new();
    for (file, case) in &cases {
        let metadata = string_map(case.get("metadata"));
        let auth_params = string_map(case.get("authParams"));
        let env = string_map(case.get("env"));
        let provider = case.at(&["podIdentity", "provider"]).and_then(Node::text);
        let index = case.get("triggerIndex").and_then(Node::as_i64).unwrap_or(0) as usize;
        let input = TriggerInput {
            trigger_type: "azure-servicebus",
            index,
            metadata: &metadata,
            auth_params: &auth_params,
            env: &env,
            pod_identity: provider,
            metric_type: case.get("metricType").and_then(Node::text),
            namespace: "default",
        };
        let result = servicebus::parse(&input);
        // metric() needs only what decides scaling: connection and identity problems do not
        // stop it, every other problem does.
        let metric = scalecore::scalers::metric(&input);
        let identity_only = case
            .get("errorContains")
            .and_then(Node::as_sequence)
            .is_some_and(|w| {
                w.iter().all(|e| {
                    let t = e.text().unwrap_or("");
                    [
                        "connection",
                        "namespace",
                        "pod identity",
                        "cloud",
                        "endpointSuffix",
                    ]
                    .iter()
                    .any(|k| t.contains(k))
                })
            });
        assert_eq!(
            metric.is_ok(),
            result.is_ok() || identity_only,
            "{file}: metric() {metric:?}"
        );
        match (case.get("expect").and_then(Node::text), result) {
            (Some("ok"), Ok(config)) => {
                for e in case.get("parsed").and_then(Node::as_mapping).unwrap() {
                    let key = e.key_str().unwrap();
                    let want = e.value.text().unwrap_or("");
                    let got = field(&config, key);
                    if got != want {
                        failures.push(format!("{file}: {key}: got {got:?}, want {want:?}"));
                    }
                }
                let m = metric.unwrap();
                assert_eq!(m.metric_name, config.metric_name, "{file}");
                assert_eq!(m.target, config.target_value as f64, "{file}");
                if let Some(matches) = case.get("regexMatches").and_then(Node::as_mapping) {
                    for e in matches {
                        let name = e.key_str().unwrap();
                        let want = e.value.as_bool().unwrap();
                        if config.matches(name) != want {
                            failures.push(format!("{file}: regex on {name:?} should be {want}"));
                        }
                    }
                }
                if let Some(agg) = case.get("aggregation") {
                    let counts: Vec<i64> = agg
                        .get("counts")
                        .and_then(Node::as_sequence)
                        .unwrap()
                        .iter()
                        .map(|n| n.as_i64().unwrap())
                        .collect();
                    let want = agg.get("result").and_then(Node::as_i64).unwrap();
                    let got = config.aggregate(&counts);
                    if got != want {
                        failures.push(format!("{file}: aggregate {counts:?} = {got}, want {want}"));
                    }
                }
                if let Some(steps) = case.get("activity").and_then(Node::as_sequence) {
                    for s in steps {
                        let count = s.get("count").and_then(Node::as_i64).unwrap();
                        let want = s.get("active").and_then(Node::as_bool).unwrap();
                        if config.is_active(count) != want {
                            failures.push(format!("{file}: active({count}) should be {want}"));
                        }
                    }
                }
            }
            (Some("error"), Err(errors)) => {
                let joined: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
                let joined = joined.join("\n");
                for want in case
                    .get("errorContains")
                    .and_then(Node::as_sequence)
                    .unwrap_or(&[])
                {
                    let want = want.text().unwrap();
                    if !joined.contains(want) {
                        failures.push(format!("{file}: error {joined:?} lacks {want:?}"));
                    }
                }
                // A secret never appears in an error.
                for secret in auth_params.values().chain(env.values()) {
                    if secret.trim().len() > 8 {
                        assert!(!joined.contains(secret.trim()), "{file}: secret leaked");
                    }
                }
            }
            (want, Ok(_)) => failures.push(format!("{file}: expected {want:?}, parsed ok")),
            (want, Err(e)) => failures.push(format!("{file}: expected {want:?}, got {e:?}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
