//! Unrendered templates: a Helm chart's `templates/*.yaml` is Go template text that becomes
//! YAML only once rendered, so its syntax errors say nothing about the manifests it produces.
//!
//! The rule is precise on purpose: an input is a template when its YAML does not parse (a
//! syntax error, a mapping as a key, an unknown alias or a duplicate key, which is how
//! `{{ … }}` and `{{- if }} … {{- else }}` branches read as YAML) and its text holds a Go
//! template action, `{{` followed by `}}`. Such an input gets one note at its first action and
//! nothing else; an input that parses is linted as usual even when its strings hold `{{`
//! (Prometheus and Alertmanager templates in ConfigMaps do).

use crate::diagnostic::{Severity, Source};
use crate::document::{ParseError, ParsedDocument, Pos, Span};
use crate::rules::{Check, Report, Rule};
use crate::version::KedaVersion;

pub static GO_TEMPLATE: Rule = Rule {
    code: "KEDA0009",
    name: "unrendered-template",
    severity: Severity::Info,
    source: Source::Schema,
    summary: "the input holds Go template actions ({{ … }}) and is YAML only once rendered; it is not linted",
    help: "lint the rendered chart: `helm template RELEASE CHART | scalecore lint -`",
    since: KedaVersion::OLDEST,
    until: None,
    fixes: &[],
    check: Check::Walker,
};

pub static RULES: &[&Rule] = &[&GO_TEMPLATE];

/// Where the first Go template action is, when `text` is an unrendered template.
pub fn first_action(text: &str, parsed: &[ParsedDocument]) -> Option<(usize, usize)> {
    let unparsable = parsed.iter().flat_map(|d| &d.errors).any(|e| {
        matches!(
            e,
            ParseError::Syntax { .. }
                | ParseError::ComplexKey { .. }
                | ParseError::UnknownAnchor { .. }
                | ParseError::DuplicateKey { .. }
        )
    });
    if !unparsable {
        return None;
    }
    let start = text.find("{{")?;
    let close = text.get(start + 2..)?.find("}}")? + start + 4;
    // A frame over the action where it fits on one line, else over its opening braces.
    let end = if text.get(start..close)?.contains('\n') {
        start + 2
    } else {
        close
    };
    Some((start, end))
}

/// The one note an unrendered template gets.
pub fn report(report: &mut Report<'_>, file: usize, text: &str, action: (usize, usize)) {
    let (start, end) = action;
    let span = Span::new(position(text, start), position(text, end));
    report.emit_at(
        &GO_TEMPLATE,
        file,
        0,
        span,
        "",
        "this file holds Go template actions (`{{ … }}`): it is YAML only once rendered, so it \
         is not linted",
    );
}

/// 1-based line and column (in Unicode scalar values) of byte `offset`.
fn position(text: &str, offset: usize) -> Pos {
    let before = text.get(..offset).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Pos {
        offset: u32::try_from(offset).unwrap_or(u32::MAX),
        line: u32::try_from(before.matches('\n').count() + 1).unwrap_or(u32::MAX),
        column: u32::try_from(before.get(line_start..).unwrap_or("").chars().count() + 1)
            .unwrap_or(u32::MAX),
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::{lint, LintOptions};

    const CHART_TEMPLATE: &str = "\
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: {{ include \"worker.fullname\" . }}
  labels:
    {{- include \"worker.labels\" . | nindent 4 }}
spec:
  scaleTargetRef:
    name: {{ .Values.name }}-worker
{{- if .Values.scaleToZero }}
  minReplicaCount: 0
{{- end }}
";

    #[test]
    fn a_chart_template_gets_one_note_and_nothing_else() {
        let found = lint(CHART_TEMPLATE, &LintOptions::default());
        assert_eq!(found.len(), 1, "{found:?}");
        let d = &found[0];
        assert_eq!(d.code, "KEDA0009");
        assert_eq!(d.severity, crate::diagnostic::Severity::Info);
        assert_eq!((d.line, d.column, d.end_line, d.end_column), (4, 9, 4, 42));
        assert!(d.help.as_deref().unwrap_or("").contains("helm template"));
    }

    #[test]
    fn yaml_that_parses_is_linted_even_with_braces_in_strings() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: alerts\ndata:\n  summary: \"{{ $labels.instance }} is down\"\n";
        assert!(lint(text, &LintOptions::default()).is_empty());
    }

    #[test]
    fn a_syntax_error_without_template_actions_stays_a_syntax_error() {
        let found = lint("a: [1,\n", &LintOptions::default());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].code, "KEDA0001");
        let found = lint("a: {{\nb: [\n", &LintOptions::default());
        assert!(found.iter().all(|d| d.code != "KEDA0009"), "{found:?}");
    }

    #[test]
    fn an_action_over_several_lines_is_marked_at_its_opening_braces() {
        let text = "kind: x\nname: é{{- /* a\ncomment */ -}}\n  bad: [\n";
        let found = lint(text, &LintOptions::default());
        assert_eq!(found.len(), 1, "{found:?}");
        let d = &found[0];
        assert_eq!((d.code.as_str(), d.line, d.column), ("KEDA0009", 2, 8));
        assert_eq!((d.end_line, d.end_column), (2, 10));
    }
}
