//! The `.d.ts` (from `types`) against the native answers: every golden diagnostic list and trace
//! decodes into the declared types with no unknown field and re-encodes to the same JSON.

use std::path::PathBuf;

use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;

use super::types;

fn golden(name: &str) -> serde_json::Map<String, Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/golden")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    match serde_json::from_str(&text).unwrap() {
        Value::Object(m) => m,
        other => panic!("{name} is not an object: {other}"),
    }
}

fn round_trip<T: DeserializeOwned + Serialize>(what: &str, v: &Value) {
    let typed: T = serde_json::from_value(v.clone())
        .unwrap_or_else(|e| panic!("{what} does not match the declared type: {e}"));
    assert_eq!(&serde_json::to_value(&typed).unwrap(), v, "{what} changed");
}

#[test]
fn every_golden_lint_answer_matches_the_declared_diagnostic() {
    let g = golden("lint.json");
    assert!(g.len() > 100);
    let mut seen = 0;
    for (path, list) in &g {
        round_trip::<Vec<types::Diagnostic>>(path, list);
        seen += list.as_array().map_or(0, Vec::len);
    }
    assert!(seen > 100, "only {seen} diagnostics");
}

#[test]
fn every_golden_fix_answer_matches_the_declared_fix_result() {
    let g = golden("fix.json");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut applied = 0;
    for path in g.keys() {
        let text = std::fs::read_to_string(root.join(path)).unwrap();
        for unsafe_fixes in [false, true] {
            let o =
                serde_json::json!({ "unsafeFixes": unsafe_fixes, "positionEncoding": "utf-16" });
            let js: super::JsLintOptions = serde_json::from_value(o.clone()).unwrap();
            let declared: types::FixOptions = serde_json::from_value(o).unwrap();
            assert_eq!(declared.unsafe_fixes, Some(unsafe_fixes));
            let (lint, encoding) = js.split();
            let request = scalecore_bindings::FixRequestOptions { lint, unsafe_fixes };
            let r = scalecore_bindings::fix_for_editor(&text, &request, encoding).unwrap();
            applied += r.applied;
            round_trip::<types::FixResult>(path, &serde_json::to_value(&r).unwrap());
        }
    }
    assert!(applied > 0, "no golden input had a fix applied");
}

#[test]
fn every_golden_trace_matches_the_declared_trace() {
    let g = golden("simulate.json");
    assert!(g.len() >= 20);
    for (path, trace) in &g {
        round_trip::<types::Trace>(path, trace);
    }
}

#[test]
fn every_scenario_decodes_as_the_declared_scenario() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    for path in golden("simulate.json").keys() {
        let text = std::fs::read_to_string(root.join(path)).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        let _: types::Scenario = serde_json::from_value(v)
            .unwrap_or_else(|e| panic!("{path} does not match the declared Scenario: {e}"));
    }
}

#[test]
fn editor_diagnostics_and_rules_match_their_declarations() {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/seed/keda.yaml"),
    )
    .unwrap()
    .replace(
        "provider: azure-workload",
        "provider: azure-workload\n    identityId: \"\"",
    )
    .replace("messageCount: \"5\"", "messageCount: 5");
    let (o, enc) = serde_json::from_str::<super::JsLintOptions>(r#"{"positionEncoding":"utf-16"}"#)
        .unwrap()
        .split();
    let d = scalecore_bindings::lint_for_editor(&text, &o, enc).unwrap();
    assert!(
        d.iter().any(|d| !d.fixes.is_empty()),
        "no finding with a fix"
    );
    round_trip::<Vec<types::EditorDiagnostic>>("editor", &serde_json::to_value(&d).unwrap());
    round_trip::<Vec<types::RuleInfo>>(
        "rules",
        &serde_json::to_value(scalecore_bindings::rules()).unwrap(),
    );
}

#[test]
fn lint_options_reject_unknown_keys() {
    assert!(
        serde_json::from_str::<super::JsLintOptions>(r#"{"kedaVersion":"2.18","bogus":1}"#)
            .is_err()
    );
    let (o, enc) = serde_json::from_str::<super::JsLintOptions>(
        r#"{"kedaVersion":"2.18","strictRefs":true,"positionEncoding":"utf-8"}"#,
    )
    .unwrap()
    .split();
    assert_eq!(o.keda_version.as_deref(), Some("2.18"));
    assert!(o.strict_refs);
    assert_eq!(enc, scalecore_bindings::PositionEncoding::Utf8);
}

#[test]
fn lint_options_carry_ignore_select_and_severity() {
    let json = r#"{"ignore":["KEDA1020"],"select":["KEDA1"],"severity":{"KEDA1004":"warning"}}"#;
    let (o, _) = serde_json::from_str::<super::JsLintOptions>(json)
        .unwrap()
        .split();
    assert_eq!(o.ignore, ["KEDA1020"]);
    assert_eq!(o.select, Some(vec!["KEDA1".to_owned()]));
    assert_eq!(
        o.severity.get("KEDA1004"),
        Some(&scalecore_bindings::Severity::Warning)
    );
    // The declared TypeScript shape accepts the same object.
    serde_json::from_str::<types::LintOptions>(json).unwrap();
}
