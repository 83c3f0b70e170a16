//! The options decoder against the declared options (`types.rs`). The declarations of the
//! answers are generated from the Rust types that encode them (tests/tests/contract_types.rs).

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
}
