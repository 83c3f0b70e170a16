//! Every validation vector through the native linter: errors on the submitted object (the
//! last document) exactly when KEDA rejects it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use scalecore::{lint, LintOptions};
use scalecore_conformance::{validation_case, vector_files};

const ABSENCE_CASES: &[&str] = &["020-", "021-", "029-"];

#[test]
fn validation_vectors_match_keda_verdicts() {
    let files = vector_files("validation", "yaml");
    assert!(files.len() > 50, "vectors missing: {}", files.len());
    let mut failures = Vec::new();
    for f in &files {
        let Some(case) = validation_case(f) else {
            failures.push(format!("{}: unreadable case file", f.display()));
            continue;
        };
        // These verdicts hinge on an object being absent from the cluster (spec §13): the
        // inputs stand for the whole namespace, which is what --strict-refs says.
        let options = LintOptions {
            strict_refs: ABSENCE_CASES.iter().any(|c| case.name.starts_with(c)),
            ..LintOptions::default()
        };
        let diags = lint(&case.manifests, &options);
        // The object submitted is the last document; earlier ones stand for the cluster.
        let last = case.objects - 1;
        let errors: Vec<_> = diags
            .iter()
            .filter(|d| d.is_error() && d.document == last)
            .collect();
        // Admission accepts these and the scaler fails afterwards: the linter must say so,
        // as an error where KEDA never builds the scaler, else as a warning.
        if case.reason.starts_with("ok:runtime-error") {
            if !diags.iter().any(|d| d.document == last) {
                failures.push(format!(
                    "{} ({}): nothing reported on the submitted object",
                    case.name, case.reason
                ));
            }
            continue;
        }
        if errors.is_empty() == case.expect_reject {
            failures.push(format!(
                "{} (expect {}, {}): got {:?}",
                case.name,
                if case.expect_reject {
                    "reject"
                } else {
                    "accept"
                },
                case.reason,
                errors
                    .iter()
                    .map(|d| format!("{} {} @{}", d.code, d.message, d.path))
                    .collect::<Vec<_>>()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases disagree:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}
