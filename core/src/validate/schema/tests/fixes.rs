//! The schema rules' fixes: what each one writes, and when it is safe, unsafe or absent.

use crate::diagnostic::{Applicability, Diagnostic};
use crate::fix::{apply, FixOptions};
use crate::validate::{lint, LintOptions};

const HEAD: &str = "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: orders\nspec:\n  scaleTargetRef:\n    name: orders\n";
const CRON: &str = "  triggers:\n  - type: cron\n    metadata:\n      timezone: UTC\n      start: 0 7 * * *\n      end: 0 19 * * *\n      desiredReplicas: \"5\"\n";

fn finding(text: &str, code: &str) -> Diagnostic {
    lint(text, &LintOptions::default())
        .into_iter()
        .find(|d| d.code == code)
        .unwrap_or_else(|| panic!("no {code} in {text}"))
}

/// The text after applying the finding's first fix alone, and that fix's applicability.
fn fixed(text: &str, code: &str) -> (String, Applicability) {
    let d = finding(text, code);
    let a = d.fixes.first().expect("a fix").applicability;
    let (out, n) = apply(text, &[d], FixOptions { unsafe_fixes: true });
    assert_eq!(n, 1);
    (out, a)
}

fn codes(text: &str) -> Vec<String> {
    lint(text, &LintOptions::default())
        .into_iter()
        .map(|d| d.code)
        .collect()
}

#[test]
fn a_plain_number_where_a_string_belongs_is_quoted() {
    let text = format!("{HEAD}{}", CRON.replace("\"5\"", "5"));
    let (out, a) = fixed(&text, "KEDA0101");
    assert_eq!(a, Applicability::Safe);
    assert!(out.contains("desiredReplicas: \"5\"\n"));
    assert!(!codes(&out).contains(&"KEDA0101".to_owned()));
}

#[test]
fn a_quoted_integer_where_an_integer_belongs_loses_its_quotes() {
    for (value, want) in [
        ("\"5\"", "5"),
        ("'12'", "12"),
        ("\"0\"", "0"),
        ("\"-1\"", "-1"),
    ] {
        let text = format!("{HEAD}  minReplicaCount: {value}\n{CRON}");
        let (out, a) = fixed(&text, "KEDA0101");
        assert_eq!(a, Applicability::Safe);
        assert!(
            out.contains(&format!("  minReplicaCount: {want}\n")),
            "{out}"
        );
        assert!(!codes(&out).contains(&"KEDA0101".to_owned()), "{out}");
    }
    // YAML 1.1 reads `010` as octal 8, `1_0` as 10 and `1e3` as a float: the text does not
    // spell the integer, so no fix guesses one.
    for value in [
        "\"010\"", "\"1_0\"", "\"1e3\"", "\"+5\"", "\"five\"", "\"\"", "!!str 5",
    ] {
        let text = format!("{HEAD}  minReplicaCount: {value}\n{CRON}");
        assert!(finding(&text, "KEDA0101").fixes.is_empty(), "{value}");
    }
}

#[test]
fn a_quoted_boolean_where_a_boolean_belongs_loses_its_quotes() {
    let text = format!("{HEAD}  advanced:\n    restoreToOriginalReplicaCount: \"true\"\n{CRON}");
    let (out, _) = fixed(&text, "KEDA0101");
    assert!(out.contains("restoreToOriginalReplicaCount: true\n"));
    let text = text.replace("\"true\"", "\"yes\"");
    assert!(finding(&text, "KEDA0101").fixes.is_empty());
}

#[test]
fn a_misspelt_field_is_renamed_to_the_one_candidate() {
    let text = format!("{HEAD}  pollingIntervall: 30\n{CRON}");
    let d = finding(&text, "KEDA0108");
    assert_eq!(d.fixes[0].title, "Rename to \"pollingInterval\"");
    let (out, a) = fixed(&text, "KEDA0108");
    assert_eq!(a, Applicability::Safe);
    assert!(out.contains("  pollingInterval: 30\n"));
    assert!(!codes(&out).contains(&"KEDA0108".to_owned()));
    // JSON keys stay quoted.
    let json = r#"{"apiVersion":"keda.sh/v1alpha1","kind":"ScaledObject","metadata":{"name":"o"},"spec":{"scaleTargetRef":{"name":"o"},"pollingIntervall":30,"triggers":[{"type":"cpu","metricType":"Utilization","metadata":{"value":"50"}}]}}"#;
    let (out, _) = fixed(json, "KEDA0108");
    assert!(out.contains(r#""pollingInterval":30"#), "{out}");
}

#[test]
fn a_rename_with_several_candidates_is_unsafe_and_none_would_duplicate_a_key() {
    // `minReplicaCoun` is near minReplicaCount, maxReplicaCount and idleReplicaCount.
    let text = format!("{HEAD}  minReplicaCoun: 1\n{CRON}");
    let d = finding(&text, "KEDA0108");
    assert!(d.message.contains("\"minReplicaCount\""), "{}", d.message);
    assert_eq!(d.fixes[0].applicability, Applicability::Unsafe);
    let (out, _) = fixed(&text, "KEDA0108");
    assert!(out.contains("  minReplicaCount: 1\n"));
    let text = format!("{HEAD}  pollingInterval: 30\n  pollingIntervall: 30\n{CRON}");
    assert!(finding(&text, "KEDA0108").fixes.is_empty());
}

#[test]
fn an_enum_value_in_the_wrong_case_gets_the_allowed_spelling() {
    let text = format!(
        "{HEAD}  fallback:\n    failureThreshold: 3\n    replicas: 2\n    behavior: 'currentreplicas'\n{CRON}"
    );
    let (out, a) = fixed(&text, "KEDA0103");
    assert_eq!(a, Applicability::Safe);
    assert!(out.contains("behavior: 'currentReplicas'\n"), "{out}");
    assert!(!codes(&out).contains(&"KEDA0103".to_owned()));
    // Near an allowed value but not only in case: the suggestion, as a guess.
    let near = text.replace("'currentreplicas'", "currentReplica");
    let d = finding(&near, "KEDA0103");
    assert!(
        d.message.contains("did you mean \"currentReplicas\""),
        "{}",
        d.message
    );
    let (out, a) = fixed(&near, "KEDA0103");
    assert_eq!(a, Applicability::Unsafe);
    assert!(out.contains("behavior: currentReplicas\n"), "{out}");
    let far = text.replace("'currentreplicas'", "zzz");
    assert!(finding(&far, "KEDA0103").fixes.is_empty());
}
