//! The native answers every binding must reproduce exactly: `tests/golden/lint.json` (the
//! diagnostics of every lint input, keyed by path under the repository) and
//! `tests/golden/simulate.json` (the trace of every scenario). The Wasm, Python and Node
//! suites read these files and compare their own answers with them.
//! `SCALECORE_UPDATE_GOLDEN=1 cargo test -p scalecore-conformance --test golden` rewrites them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use scalecore_conformance::{golden_lint_inputs, golden_scenarios, repo_root};

fn check_or_write(name: &str, value: &serde_json::Value) {
    let path = repo_root().join("tests").join("golden").join(name);
    let text = serde_json::to_string_pretty(value).unwrap() + "\n";
    if std::env::var_os("SCALECORE_UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == text,
        "{} is stale: run SCALECORE_UPDATE_GOLDEN=1 cargo test -p scalecore-conformance --test golden",
        path.display()
    );
}

#[test]
fn golden_lint_answers_are_current() {
    let options = scalecore_bindings::LintRequestOptions::default();
    let mut all = BTreeMap::new();
    for (rel, text) in golden_lint_inputs() {
        let diags = scalecore_bindings::lint(&text, &options).unwrap();
        all.insert(rel, serde_json::to_value(diags).unwrap());
    }
    assert!(all.len() > 300, "lint inputs missing: {}", all.len());
    check_or_write("lint.json", &serde_json::to_value(all).unwrap());
}

#[test]
fn golden_traces_are_current_and_meet_their_expectations() {
    let mut all = BTreeMap::new();
    for (rel, text) in golden_scenarios() {
        let trace =
            scalecore_bindings::simulate_json(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert!(trace.mismatches.is_empty(), "{rel}: {:?}", trace.mismatches);
        all.insert(rel, serde_json::to_value(trace).unwrap());
    }
    assert!(all.len() >= 25, "scenarios missing: {}", all.len());
    check_or_write("simulate.json", &serde_json::to_value(all).unwrap());
}
