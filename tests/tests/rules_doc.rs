//! docs/rules.md is generated from the rule table; it must not go stale.
//! Regenerate with `cargo run -p scalecore-host -- rules --format markdown > docs/rules.md`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use scalecore_conformance::root;

#[test]
fn rules_doc_is_current() {
    let path = root().join("..").join("docs").join("rules.md");
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    let fresh = scalecore::rules::markdown();
    assert!(
        current == fresh,
        "docs/rules.md is stale: run `cargo run -p scalecore-host -- rules --format markdown > docs/rules.md`"
    );
}

#[test]
fn every_code_is_unique_and_well_formed() {
    let rules = scalecore::rules::all();
    let mut codes: Vec<&str> = rules.iter().map(|r| r.code).collect();
    let n = codes.len();
    codes.dedup();
    assert_eq!(codes.len(), n, "duplicate rule codes");
    for r in rules {
        assert!(
            r.code.len() == 8
                && r.code.starts_with("KEDA")
                && r.code[4..].bytes().all(|b| b.is_ascii_digit()),
            "bad code {}",
            r.code
        );
        assert!(!r.summary.is_empty(), "{} has no summary", r.code);
    }
}
