//! Bounds on what one lint run reports, so a hostile input cannot make any output (CLI,
//! JSON, SARIF, bindings) carry an unbounded list.

use scalecore::document::Limits;
use scalecore::validate::{lint, lint_bundle, LintOptions};

/// `n` ScaledObjects on one Deployment: every one after the first is a KEDA3003.
fn same_target(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: s{i}\n  namespace: demo\nspec:\n  scaleTargetRef:\n    name: orders\n  triggers:\n  - type: cron\n    metadata:\n      timezone: UTC\n      start: 0 7 * * *\n      end: 0 19 * * *\n      desiredReplicas: '3'\n"
            )
        })
        .collect::<Vec<_>>()
        .join("---\n")
}

fn capped(max_findings: usize) -> LintOptions {
    LintOptions {
        limits: Limits {
            max_findings,
            ..Limits::default()
        },
        ..LintOptions::default()
    }
}

#[test]
fn findings_past_the_cap_become_one_final_note() {
    let text = same_target(30);
    let all = lint(&text, &LintOptions::default());
    let conflicts = all.iter().filter(|d| d.code == "KEDA3003").count();
    assert_eq!(conflicts, 29);
    let ds = lint(&text, &capped(10));
    assert_eq!(ds.len(), 11);
    assert_eq!(ds[..10], all[..10]);
    let note = &ds[10];
    assert_eq!(note.code, "KEDA0012");
    assert_eq!(note.severity, scalecore::Severity::Info);
    assert_eq!(
        note.message,
        format!(
            "{} more findings in this input are left out (at most 10 are reported per input)",
            all.len() - 10
        )
    );
    // The note stands where the first finding left out was.
    assert_eq!((note.document, note.line), (all[10].document, all[10].line));
    // Under the cap nothing changes.
    assert_eq!(lint(&text, &capped(all.len())), all);
}

#[test]
fn the_cap_is_per_input() {
    let text = same_target(8);
    let per_file = lint_bundle(&[&text, &text], &capped(3));
    assert_eq!(per_file.len(), 2);
    for list in &per_file {
        assert_eq!(list.len(), 4);
        assert_eq!(list.last().map(|d| d.code.as_str()), Some("KEDA0012"));
    }
}

#[test]
fn the_default_cap_holds_for_a_large_hostile_input() {
    // 6,000 objects on one workload, each with a finding of its own besides the conflict.
    let text = same_target(6_000).replace("desiredReplicas: '3'", "desiredReplicas: 'x'");
    let ds = lint(&text, &LintOptions::default());
    let limit = Limits::default().max_findings;
    assert_eq!(ds.len(), limit + 1);
    assert_eq!(ds.last().map(|d| d.code.as_str()), Some("KEDA0012"));
}
