//! Every fix that any lint input gets, applied on its own: the YAML stays readable, the
//! finding it fixes is gone, the result lints without a panic, and the rule's row in the table
//! lists the fix's kind (so `scalecore rules` and docs/rules.md tell the truth). Then every
//! row that lists a kind of fix has it exercised here at least once.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};

use scalecore::fix::{apply, fix, FixOptions};
use scalecore::{parse_stream, Applicability, Diagnostic, KedaVersion, LintOptions};
use scalecore_conformance::golden_lint_inputs;

fn yaml_errors(text: &str) -> usize {
    parse_stream(text, &Default::default())
        .iter()
        .map(|d| d.errors.len())
        .sum()
}

/// How many findings of a code at a path there are, per (code, document, path).
fn tally(ds: &[Diagnostic]) -> BTreeMap<(String, usize, String), usize> {
    let mut m = BTreeMap::new();
    for d in ds {
        *m.entry((d.code.clone(), d.document, d.path.clone()))
            .or_default() += 1;
    }
    m
}

#[test]
fn every_fix_alone_keeps_the_yaml_and_resolves_its_finding() {
    let all_fixes = FixOptions { unsafe_fixes: true };
    let mut seen: BTreeSet<(String, Applicability)> = BTreeSet::new();
    let mut count = 0;
    // The current release, and the one before, where removed parameters are still warnings.
    let releases = [KedaVersion::DEFAULT, KedaVersion::new(2, 19, 0)];
    let inputs = golden_lint_inputs();
    for (version, (rel, text)) in releases
        .iter()
        .flat_map(|v| inputs.iter().map(move |i| (*v, i)))
    {
        let options = LintOptions {
            keda_version: version,
            ..LintOptions::default()
        };
        let found = scalecore::lint(text, &options);
        let before_errors = yaml_errors(text);
        let before = tally(&found);
        for d in found.iter().filter(|d| !d.fixes.is_empty()) {
            let rule = scalecore::rules::by_code(&d.code).expect("a rule row");
            let rel = format!("{rel} (KEDA {version})");
            for f in &d.fixes {
                assert!(
                    rule.fixes.contains(&f.applicability),
                    "{rel}: {} carries a {:?} fix its row does not list",
                    d.code,
                    f.applicability
                );
                seen.insert((d.code.clone(), f.applicability));
                let mut one = d.clone();
                one.fixes = vec![f.clone()];
                let (out, n) = apply(text, &[one], all_fixes);
                assert_eq!(n, 1, "{rel}: {} fix {:?} did not apply", d.code, f.title);
                assert!(
                    yaml_errors(&out) <= before_errors,
                    "{rel}: {} fix {:?} broke the YAML:\n{out}",
                    d.code,
                    f.title
                );
                let after = tally(&scalecore::lint(&out, &options));
                let key = (d.code.clone(), d.document, d.path.clone());
                assert!(
                    after.get(&key).copied().unwrap_or(0) < before[&key],
                    "{rel}: {} at {} is still there after {:?}:\n{out}",
                    d.code,
                    d.path,
                    f.title
                );
                count += 1;
            }
        }
        // All fixes together, unsafe ones included, round after round.
        let fixed = fix(text, &options, all_fixes);
        assert!(fixed.converged, "{rel}: fixes keep changing the text");
        assert!(yaml_errors(&fixed.texts[0]) <= before_errors, "{rel}");
        let _ = scalecore::lint(&fixed.texts[0], &options);
    }
    assert!(count >= 10, "only {count} fixes exercised");
    for rule in scalecore::rules::all() {
        for a in rule.fixes {
            assert!(
                seen.contains(&(rule.code.to_owned(), *a)),
                "{} lists {a:?} fixes but no input exercises one (add a case to tests/vectors/fixes)",
                rule.code
            );
        }
    }
}

/// Inputs with a line left out here and there (broken indentation, half a mapping, a lost
/// `---`): fixing them, unsafe fixes included, never panics and never leaves more YAML errors
/// than it found, and the result lints.
#[test]
fn fixing_damaged_inputs_is_safe() {
    let options = LintOptions::default();
    let all_fixes = FixOptions { unsafe_fixes: true };
    let mut variants = 0;
    for (_, text) in golden_lint_inputs() {
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let step = (lines.len() / 4).max(1);
        for skip in (0..lines.len()).step_by(step) {
            let damaged: String = lines
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, l)| *l)
                .collect();
            let fixed = fix(&damaged, &options, all_fixes);
            assert!(
                yaml_errors(&fixed.texts[0]) <= yaml_errors(&damaged),
                "{damaged}"
            );
            let _ = scalecore::lint(&fixed.texts[0], &options);
            variants += 1;
        }
    }
    assert!(variants > 1000, "{variants}");
}
