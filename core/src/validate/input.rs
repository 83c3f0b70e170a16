//! Rules about the input itself: could it be read, and is each document a Kubernetes object.

use crate::diagnostic::{Fix, Severity, Source};
use crate::document::{Node, ParseError, Resource, Span, Value, KEDA_API_VERSION};
use crate::rules::{Report, Rule, SAFE_FIX, SAFE_OR_UNSAFE_FIX};

const fn input_rule(
    code: &'static str,
    name: &'static str,
    severity: Severity,
    summary: &'static str,
    help: &'static str,
) -> Rule {
    Rule::walker(Source::Schema, code, name, severity, summary, help)
}

pub static SYNTAX: Rule = input_rule(
    "KEDA0001",
    "yaml-syntax",
    Severity::Error,
    "the document is not valid YAML or JSON",
    "fix the syntax at the position shown; kubectl cannot send this document",
);
pub static NOT_UTF8: Rule = input_rule(
    "KEDA0002",
    "not-utf8",
    Severity::Error,
    "the input is not UTF-8 text",
    "save the file as UTF-8",
);
pub static TOO_LARGE: Rule = input_rule(
    "KEDA0003",
    "input-too-large",
    Severity::Error,
    "the input is larger than the size limit",
    "split the stream into smaller files",
);
pub static TOO_DEEP: Rule = input_rule(
    "KEDA0004",
    "nesting-too-deep",
    Severity::Error,
    "mappings and sequences are nested deeper than the limit",
    "no Kubernetes object nests this deep; check for runaway brackets or generated input",
);
pub static ALIAS_BOMB: Rule = input_rule(
    "KEDA0005",
    "alias-expansion-limit",
    Severity::Error,
    "YAML aliases expand to more nodes than the limit (a billion-laughs document)",
    "write the repeated parts out, or use fewer nested aliases",
);
pub static DUPLICATE_KEY: Rule = Rule {
    fixes: SAFE_FIX,
    ..input_rule(
        "KEDA0006",
        "duplicate-key",
        Severity::Error,
        "a mapping defines the same key twice",
        "remove one of the two; kubectl refuses documents with duplicate keys",
    )
};
pub static BAD_ALIAS: Rule = input_rule(
    "KEDA0007",
    "unsupported-yaml",
    Severity::Error,
    "an alias to an unknown anchor, or a mapping key that is not a scalar",
    "quote values that hold template placeholders (`'{{ .Name }}'`), or render the template first",
);
pub static TOO_MANY_DOCUMENTS: Rule = input_rule(
    "KEDA0008",
    "too-many-documents",
    Severity::Error,
    "the stream holds more documents than the limit",
    "split the stream into smaller files",
);
pub static NOT_AN_OBJECT: Rule = input_rule(
    "KEDA0010",
    "not-a-kubernetes-object",
    Severity::Info,
    "the document is not a Kubernetes object (no apiVersion and kind); it is skipped",
    "add apiVersion and kind, or leave the file out of the paths linted",
);
pub static WRONG_API_VERSION: Rule = Rule {
    fixes: SAFE_OR_UNSAFE_FIX,
    ..input_rule(
        "KEDA0011",
        "keda-api-version",
        Severity::Error,
        "a KEDA kind with an apiVersion KEDA v2 does not serve",
        "use apiVersion: keda.sh/v1alpha1 (keda.k8s.io/v1alpha1 was KEDA v1)",
    )
};
pub static FINDINGS_LEFT_OUT: Rule = input_rule(
    "KEDA0012",
    "findings-left-out",
    Severity::Info,
    "the input has more findings than are reported for one input; the rest are left out",
    "fix the findings shown (often one mistake repeated across many documents) and lint again",
);

pub static UNKNOWN_KEDA_KIND: Rule = Rule {
    fixes: SAFE_OR_UNSAFE_FIX,
    ..input_rule(
        "KEDA0013",
        "unknown-keda-kind",
        Severity::Error,
        "a kind under keda.sh/v1alpha1 that KEDA does not have: kubectl finds no resource for it",
        "use ScaledObject, ScaledJob, TriggerAuthentication or ClusterTriggerAuthentication, spelt exactly (singular, this case, ASCII letters)",
    )
};

pub static UNUSED_IGNORE: Rule = input_rule(
    "KEDA0014",
    "unused-ignore",
    Severity::Info,
    "a `# scalecore:ignore` comment silences nothing: no finding of the codes it names starts on the line it covers",
    "remove the comment, or correct its codes; it covers its own line, or the line below when it stands alone",
);

pub static RULES: &[&Rule] = &[
    &SYNTAX,
    &NOT_UTF8,
    &TOO_LARGE,
    &TOO_DEEP,
    &ALIAS_BOMB,
    &DUPLICATE_KEY,
    &BAD_ALIAS,
    &TOO_MANY_DOCUMENTS,
    &NOT_AN_OBJECT,
    &WRONG_API_VERSION,
    &FINDINGS_LEFT_OUT,
    &UNKNOWN_KEDA_KIND,
    &UNUSED_IGNORE,
];

/// Keeps the first `limit` findings of one input (sorted by position) and replaces the rest
/// with one note, at the first one left out, that says how many there were. Bounds what
/// every output and binding has to carry for a hostile input.
pub fn cap_findings(list: &mut Vec<crate::diagnostic::Diagnostic>, limit: usize) {
    if list.len() <= limit {
        return;
    }
    let left_out = list.len() - limit;
    list.truncate(limit + 1);
    let Some(first) = list.pop() else {
        return;
    };
    let at = Span::new(first.span.start, first.span.start);
    list.push(crate::diagnostic::Diagnostic {
        code: FINDINGS_LEFT_OUT.code.to_owned(),
        severity: FINDINGS_LEFT_OUT.severity,
        message: format!(
            "{left_out} more findings in this input are left out (at most {limit} are reported per input)"
        ),
        path: String::new(),
        document: first.document,
        line: first.line,
        column: first.column,
        end_line: first.line,
        end_column: first.column,
        help: Some(FINDINGS_LEFT_OUT.help.to_owned()),
        source: FINDINGS_LEFT_OUT.source,
        fixes: Vec::new(),
        span: at,
        file: first.file,
    });
}

pub fn parse_error<'r>(
    report: &'r mut Report<'_>,
    file: usize,
    document: usize,
    doc: Span,
    e: &ParseError,
) -> Option<&'r mut crate::diagnostic::Diagnostic> {
    let rule = match e {
        ParseError::TooLarge { .. } => &TOO_LARGE,
        ParseError::NotUtf8 { .. } => &NOT_UTF8,
        ParseError::Syntax { .. } => &SYNTAX,
        ParseError::TooDeep { .. } => &TOO_DEEP,
        ParseError::AliasBomb { .. } => &ALIAS_BOMB,
        ParseError::UnknownAnchor { .. } | ParseError::ComplexKey { .. } => &BAD_ALIAS,
        ParseError::TooManyDocuments { .. } => &TOO_MANY_DOCUMENTS,
        ParseError::DuplicateKey { .. } => &DUPLICATE_KEY,
    };
    let span = e.span().unwrap_or(Span::new(doc.start, doc.start));
    let span = if span.start.line == 0 {
        first_position()
    } else {
        span
    };
    report.emit_at(rule, file, document, span, "", e.to_string())
}

/// A key repeated with the very value it already has (a copy left behind): removing the
/// repetition changes nothing a reader could see. Two different values get no fix, since
/// which one was meant is a guess.
pub fn duplicate_key_fix(text: &str, root: Option<&Node>, e: &ParseError) -> Option<Fix> {
    let ParseError::DuplicateKey {
        key,
        span,
        first_line,
    } = e
    else {
        return None;
    };
    // The parser bounds the nesting, and an explicit stack keeps the walk off the call stack.
    let mut stack = vec![root?];
    while let Some(node) = stack.pop() {
        match &node.value {
            Value::Mapping(entries) => {
                if let Some(i) = entries.iter().position(|en| en.key.span == *span) {
                    let first = entries.iter().position(|en| en.key_str() == Some(key))?;
                    let (a, b) = (entries.get(first)?, entries.get(i)?);
                    if first == i || !a.value.same_json(&b.value) {
                        return None;
                    }
                    let edit = crate::validate::edits::delete_entry(text, entries, i)?;
                    return Some(Fix::safe(
                        format!(
                            "Remove the repeated {key:?} (the same value as on line {first_line})"
                        ),
                        vec![edit],
                    ));
                }
                stack.extend(entries.iter().map(|en| &en.value));
            }
            Value::Sequence(items) => stack.extend(items.iter()),
            Value::Scalar(_) => {}
        }
    }
    None
}

/// Line 1, column 1: where whole-input problems are reported.
fn first_position() -> Span {
    let p = crate::document::Pos {
        offset: 0,
        line: 1,
        column: 1,
    };
    Span::new(p, p)
}

pub fn not_an_object(report: &mut Report<'_>, file: usize, document: usize, doc: Span) {
    let span = if doc.start.line == 0 {
        first_position()
    } else {
        doc
    };
    report.emit_at(
        &NOT_AN_OBJECT,
        file,
        document,
        span,
        "",
        "this document is not a mapping, so it is not a Kubernetes object",
    );
}

/// Documents without `apiVersion`/`kind`, and KEDA kinds under another API group.
pub fn check_identity(report: &mut Report<'_>, r: &Resource) {
    let kind_node = r.root.get("kind");
    let api_node = r.root.get("apiVersion");
    if kind_node.is_none() || api_node.is_none() {
        report.emit(
            &NOT_AN_OBJECT,
            r,
            Span::new(r.root.span.start, r.root.span.start),
            "",
            "no apiVersion and kind: not a Kubernetes object, skipped",
        );
        return;
    }
    if !r.kind.is_keda() && r.api_version == KEDA_API_VERSION {
        unknown_kind(report, r, kind_node);
        return;
    }
    if r.kind.is_keda() && r.api_version != KEDA_API_VERSION {
        let span = api_node.map_or(r.root.span, |n| n.span);
        let hint = if r.api_version.starts_with("keda.k8s.io") {
            " (keda.k8s.io was KEDA v1, which KEDA v2 does not read)"
        } else {
            ""
        };
        // Another version of KEDA's own group holds a v2 object with a wrong version; any
        // other group (keda.k8s.io is KEDA v1, whose spec differs) may need more than this.
        let fix = api_node
            .and_then(|n| crate::validate::edits::replace_string(n, KEDA_API_VERSION))
            .map(|edit| {
                let title = format!("Change apiVersion to {KEDA_API_VERSION}");
                if r.api_version.starts_with("keda.sh/") {
                    Fix::safe(title, vec![edit])
                } else {
                    Fix::unsafe_(title, vec![edit])
                }
            });
        let d = report.emit(
            &WRONG_API_VERSION,
            r,
            span,
            "apiVersion",
            format!(
                "{} has apiVersion {:?}; KEDA serves {} only{}",
                r.kind.name(),
                r.api_version,
                KEDA_API_VERSION,
                hint
            ),
        );
        if let (Some(d), Some(fix)) = (d, fix) {
            d.fixes.push(fix);
        }
    }
}

const KEDA_KINDS: [&str; 4] = [
    "ScaledObject",
    "ScaledJob",
    "TriggerAuthentication",
    "ClusterTriggerAuthentication",
];

/// A kind no KEDA CRD defines: `kubectl apply` fails with "no matches for kind", and any
/// other tool that writes it gets a 404. Plurals, lower case and look-alike letters are the
/// usual causes, so the message names the nearest kind.
fn unknown_kind(report: &mut Report<'_>, r: &Resource, kind_node: Option<&Node>) {
    let kind = r.kind.name();
    // The edit distance is quadratic; a kind longer than any real one gets no suggestion.
    let nearest = if kind.chars().count() <= 64 {
        crate::validate::schema::closest(kind, KEDA_KINDS.into_iter()).or_else(|| {
            // A plural or a look-alike letter far from the rest still has a nearest kind.
            KEDA_KINDS.into_iter().find(|k| {
                kind.to_ascii_lowercase()
                    .starts_with(&k.to_ascii_lowercase())
            })
        })
    } else {
        None
    };
    let mut message = format!(
        "no matches for kind {kind:?} in version {KEDA_API_VERSION:?}: KEDA defines {}",
        KEDA_KINDS.join(", ")
    );
    if let Some(n) = nearest {
        message.push_str(&format!("; did you mean {n}?"));
    }
    if !kind.is_ascii() {
        message.push_str(" (the kind holds a non-ASCII letter)");
    }
    let span = kind_node.map_or(r.root.span, |n| n.span);
    // The same kind in another case is certainly it; a plural or a look-alike is a guess.
    let fix = nearest.zip(kind_node).and_then(|(n, node)| {
        let edit = crate::validate::edits::replace_string(node, n)?;
        let title = format!("Change the kind to {n}");
        Some(if n.eq_ignore_ascii_case(kind) {
            Fix::safe(title, vec![edit])
        } else {
            Fix::unsafe_(title, vec![edit])
        })
    });
    let d = report.emit(&UNKNOWN_KEDA_KIND, r, span, "kind", message);
    if let (Some(d), Some(fix)) = (d, fix) {
        d.fixes.push(fix);
    }
}

#[cfg(test)]
mod tests {
    use super::UNKNOWN_KEDA_KIND;
    use crate::{lint, LintOptions};

    fn kind_diags(kind: &str) -> Vec<(String, String, String)> {
        let text = format!(
            "apiVersion: keda.sh/v1alpha1\nkind: {kind}\nmetadata:\n  name: orders\nspec:\n  scaleTargetRef:\n    name: orders\n  triggers:\n  - type: cpu\n    metricType: Utilization\n    metadata:\n      value: '50'\n"
        );
        lint(&text, &LintOptions::default())
            .into_iter()
            .filter(|d| d.code == UNKNOWN_KEDA_KIND.code)
            .map(|d| (d.code, d.path, d.message))
            .collect()
    }

    #[test]
    fn unknown_keda_kinds_name_the_nearest() {
        for (kind, nearest) in [
            ("ScaledObjects", "ScaledObject"),
            ("scaledobject", "ScaledObject"),
            // A Cyrillic 'е' in place of the Latin 'e'.
            ("ScaledObj\u{435}ct", "ScaledObject"),
            ("ScaledJobs", "ScaledJob"),
            ("TriggerAuthentications", "TriggerAuthentication"),
            (
                "clustertriggerauthentication",
                "ClusterTriggerAuthentication",
            ),
        ] {
            let d = kind_diags(kind);
            assert_eq!(d.len(), 1, "{kind}: {d:?}");
            assert_eq!(d[0].1, "kind");
            assert!(
                d[0].2.contains(&format!("did you mean {nearest}?")),
                "{kind}: {}",
                d[0].2
            );
            assert!(d[0].2.contains("no matches for kind"), "{}", d[0].2);
        }
        assert!(kind_diags("ScaledObj\u{435}ct")[0].2.contains("non-ASCII"));
        // Real kinds, and other groups' kinds, are not this rule's business.
        assert!(kind_diags("ScaledObject").is_empty());
        let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n";
        assert!(!lint(cm, &LintOptions::default())
            .iter()
            .any(|d| d.code == UNKNOWN_KEDA_KIND.code));
        // A hostile, very long kind is still reported, without a suggestion.
        let long = "X".repeat(10_000);
        let d = kind_diags(&long);
        assert_eq!(d.len(), 1);
        assert!(!d[0].2.contains("did you mean"));
    }

    #[test]
    fn the_kind_is_respelt_safely_only_when_case_is_all_that_differs() {
        use crate::diagnostic::Applicability::{Safe, Unsafe};
        for (kind, want) in [
            ("scaledobject", Safe),
            ("ScaledObjects", Unsafe),
            ("ScaledObj\u{435}ct", Unsafe),
        ] {
            let text = format!(
                "apiVersion: keda.sh/v1alpha1\nkind: {kind}\nmetadata:\n  name: orders\nspec:\n  scaleTargetRef:\n    name: orders\n  triggers:\n  - type: cpu\n    metricType: Utilization\n    metadata:\n      value: '50'\n"
            );
            let d = lint(&text, &LintOptions::default())
                .into_iter()
                .find(|d| d.code == UNKNOWN_KEDA_KIND.code)
                .unwrap();
            assert_eq!(d.fixes[0].applicability, want, "{kind}");
            let options = crate::fix::FixOptions { unsafe_fixes: true };
            let (out, n) = crate::fix::apply(&text, &[d], options);
            assert_eq!(n, 1);
            assert!(out.contains("\nkind: ScaledObject\n"), "{out}");
            assert!(!lint(&out, &LintOptions::default())
                .iter()
                .any(|d| d.code == UNKNOWN_KEDA_KIND.code));
        }
        // Nothing near: no fix.
        let long = "X".repeat(100);
        let text = format!("apiVersion: keda.sh/v1alpha1\nkind: {long}\nmetadata:\n  name: o\n");
        assert!(lint(&text, &LintOptions::default())
            .iter()
            .all(|d| d.fixes.is_empty()));
    }

    #[test]
    fn a_wrong_api_version_is_replaced_safely_only_within_kedas_group() {
        use crate::diagnostic::Applicability::{Safe, Unsafe};
        for (api, want) in [
            ("keda.sh/v1", Safe),
            ("'keda.sh/v1beta1'", Safe),
            ("keda.k8s.io/v1alpha1", Unsafe),
        ] {
            let text = format!(
                "apiVersion: {api}\nkind: ScaledObject\nmetadata:\n  name: orders\nspec:\n  scaleTargetRef:\n    name: orders\n  triggers:\n  - type: cron\n    metadata:\n      timezone: UTC\n      start: 0 7 * * *\n      end: 0 19 * * *\n      desiredReplicas: '3'\n"
            );
            let d = lint(&text, &LintOptions::default())
                .into_iter()
                .find(|d| d.code == super::WRONG_API_VERSION.code)
                .unwrap();
            assert_eq!(d.fixes[0].applicability, want, "{api}");
            let options = crate::fix::FixOptions { unsafe_fixes: true };
            let (out, _) = crate::fix::apply(&text, &[d], options);
            assert!(
                out.starts_with("apiVersion: keda.sh/v1alpha1\n")
                    || out.starts_with("apiVersion: 'keda.sh/v1alpha1'\n"),
                "{out}"
            );
            assert!(lint(&out, &LintOptions::default()).is_empty(), "{out}");
        }
    }

    #[test]
    fn a_key_repeated_with_the_same_value_loses_the_repetition() {
        let text = "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: orders\nspec:\n  scaleTargetRef:\n    name: orders\n  maxReplicaCount: 10\n  triggers:\n  - type: cron\n    metadata:\n      timezone: UTC\n      start: 0 7 * * *\n      end: 0 19 * * *\n      desiredReplicas: '3'\n  maxReplicaCount: 10\n";
        let d = lint(text, &LintOptions::default())
            .into_iter()
            .find(|d| d.code == super::DUPLICATE_KEY.code)
            .unwrap();
        assert_eq!(
            d.fixes[0].applicability,
            crate::diagnostic::Applicability::Safe
        );
        let (out, n) = crate::fix::apply(text, &[d], crate::fix::FixOptions::default());
        assert_eq!(n, 1);
        assert_eq!(
            out,
            text.replacen("  maxReplicaCount: 10\n", "", 2)
                .replace("  triggers:", "  maxReplicaCount: 10\n  triggers:")
        );
        assert!(lint(&out, &LintOptions::default()).is_empty(), "{out}");
        // Two values: which one was meant is for a person to say.
        let two = text.replacen(
            "maxReplicaCount: 10\n  triggers",
            "maxReplicaCount: 5\n  triggers",
            1,
        );
        let d = lint(&two, &LintOptions::default())
            .into_iter()
            .find(|d| d.code == super::DUPLICATE_KEY.code)
            .unwrap();
        assert!(d.fixes.is_empty());
    }
}
