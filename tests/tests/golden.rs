//! The native answers every binding must reproduce exactly: `tests/golden/lint.json` (the
//! diagnostics of every lint input, keyed by path under the repository), `tests/golden/fix.json`
//! (what `fix` makes of every lint input, with safe fixes only and with unsafe fixes too) and
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

/// One `fix` answer as the golden holds it: `text` is null when the input comes back unchanged
/// (the inputs are in the repository; copying every one twice would bury the fixes that matter),
/// and `remaining` lists only the codes (their full diagnostics are lint answers, which
/// lint.json already pins).
fn fix_answer(input: &str, r: &scalecore_bindings::FixResult) -> serde_json::Value {
    serde_json::json!({
        "text": (r.text != input).then_some(r.text.as_str()),
        "applied": r.applied,
        "remaining": r.remaining.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(),
        "converged": r.converged,
    })
}

#[test]
fn golden_fix_answers_are_current_and_settled() {
    let mut all = BTreeMap::new();
    let mut applied = 0;
    for (rel, text) in golden_lint_inputs() {
        let mut entry = serde_json::Map::new();
        for unsafe_fixes in [false, true] {
            let options = scalecore_bindings::FixRequestOptions {
                unsafe_fixes,
                ..Default::default()
            };
            let r = scalecore_bindings::fix(&text, &options).unwrap();
            // What is left is what a lint of the fixed text finds, and fixing it again
            // changes nothing: the answer is settled, not one round short.
            let lint = scalecore_bindings::lint(&r.text, &options.lint).unwrap();
            assert_eq!(
                r.remaining, lint,
                "{rel}: remaining is not the lint of the fixed text"
            );
            if r.converged {
                let again = scalecore_bindings::fix(&r.text, &options).unwrap();
                assert_eq!(
                    (again.applied, &again.text),
                    (0, &r.text),
                    "{rel}: fixing twice"
                );
            }
            assert_eq!(
                r.applied == 0,
                r.text == text,
                "{rel}: applied vs changed text"
            );
            if !unsafe_fixes {
                applied += r.applied;
            }
            let key = if unsafe_fixes { "unsafe" } else { "safe" };
            entry.insert(key.to_owned(), fix_answer(&text, &r));
        }
        all.insert(rel, serde_json::Value::Object(entry));
    }
    assert!(all.len() > 300, "lint inputs missing: {}", all.len());
    // The inputs hold findings with fixes (KEDA0101 at least), so the golden exercises them.
    assert!(applied > 0, "no safe fix applied to any input");
    check_or_write("fix.json", &serde_json::to_value(all).unwrap());
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
