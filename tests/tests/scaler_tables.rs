//! KEDA's own scaler parse tables (the validation vectors whose `source` is a
//! `pkg/scalers/*_test.go` table row): a row KEDA refuses must give a scaler-layer error
//! (KEDA2xxx) on the ScaledObject, a row it accepts none. Prints the agreement per scaler
//! (`cargo test -p scalecore-conformance --test scaler_tables -- --nocapture`; set
//! `SCALER_TABLES_DEBUG` to see every diagnostic).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use scalecore::{lint, LintOptions, Severity};
use scalecore_conformance::{validation_case, vector_files};

/// Rows where the linter knowingly differs from KEDA's test, with the reason.
const KNOWN: &[(&str, &str)] = &[];

#[test]
fn keda_scaler_tables_agree() {
    let mut per_scaler: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    for f in vector_files("validation", "yaml") {
        let text = std::fs::read_to_string(&f).unwrap();
        if !text.contains("source: \"pkg/scalers/") {
            continue;
        }
        let case = validation_case(&f).unwrap();
        let scaler = case.case.split(' ').next().unwrap_or("").to_owned();
        let refused = case.reason.starts_with("ok:runtime-error");
        let last = case.objects - 1;
        let all = lint(&case.manifests, &LintOptions::default());
        if std::env::var("SCALER_TABLES_DEBUG").is_ok() {
            for d in &all {
                println!("{}: {} {:?} {}", case.name, d.code, d.severity, d.message);
            }
        }
        let errors: Vec<String> = all
            .into_iter()
            .filter(|d| {
                d.document == last && d.severity == Severity::Error && d.code.starts_with("KEDA2")
            })
            .map(|d| format!("{} {}", d.code, d.message))
            .collect();
        let agrees = errors.is_empty() != refused;
        let entry = per_scaler.entry(scaler).or_default();
        entry.1 += 1;
        if agrees {
            entry.0 += 1;
        } else if !KNOWN.iter().any(|(name, _)| case.name.starts_with(name)) {
            failures.push(format!(
                "{} ({}): {:?}",
                case.name,
                if refused {
                    "KEDA refuses"
                } else {
                    "KEDA accepts"
                },
                errors
            ));
        }
    }
    for (scaler, (agree, total)) in &per_scaler {
        println!("{scaler}: {agree}/{total}");
    }
    assert!(!per_scaler.is_empty());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
