//! The validation vectors (`tests/vectors/validation`), object by object.

use super::{codes, diags, documents, last_document, repo_root, run, yaml_files};
use crate::document::Node;

/// The CEL rule of the ScaledObject CRD is reported by the webhook layer (KEDA1004).
const CEL_REASON: &str = "crd:minReplicaCount-gt-maxReplicaCount";
/// A kind the CRDs do not define is the input layer's finding (KEDA0013), not the walker's.
const NO_SUCH_KIND: &str = "crd:no-such-kind";
/// An int32 field past int32: the API server stores it and KEDA's decoder fails on it; the
/// walker reports it from the CRD's `format: int32` (KEDA0115).
const DECODE_REASON: &str = "webhook:decode-error";

/// Whether the schema walker speaks for a vector's reason.
fn walker_reason(reason: &str) -> bool {
    reason.starts_with("crd:") && reason != CEL_REASON && reason != NO_SUCH_KIND
}

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
        let ours = walker_reason(reason);
        if reason == DECODE_REASON {
            rejected += 1;
            if codes(&d).iter().any(|(code, _)| *code != "KEDA0115") || d.is_empty() {
                failures.push(format!("{name} ({reason}): {:?}", codes(&d)));
            }
        } else if reason == NO_SUCH_KIND {
            // The walker has no schema for the kind: it must say nothing.
            rejected += 1;
            if !d.is_empty() {
                failures.push(format!("{name} ({reason}): {:?}", codes(&d)));
            }
        } else if ours {
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
        if !walker_reason(reason) {
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
    ("106", "2.12.0", &["KEDA0108", "KEDA0108"]),
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
