//! Silencing findings: `# scalecore:ignore CODE[, CODE…] [-- reason]` comments in the input,
//! and the `ignore`, `select` and `severity` options. Applied to one input's sorted findings
//! before the findings cap, so a silenced flood does not crowd out what is left.

use crate::diagnostic::Diagnostic;
use crate::document::{Pos, Span};
use crate::validate::input::UNUSED_IGNORE;
use crate::validate::LintOptions;

const MARKER: &str = "scalecore:ignore";
/// Codes read from one comment.
const MAX_CODES: usize = 128;

/// Applies the inline ignores of `text`, then the options' `select`, `ignore` and severity
/// overrides, to the findings of one input.
pub fn apply(list: &mut Vec<Diagnostic>, text: &str, file: usize, options: &LintOptions) {
    // Most inputs carry no ignore comment: one substring search and nothing else.
    if text.contains(MARKER) {
        inline(list, text, file);
    }
    apply_options(list, options);
}

/// The `select`, `ignore` and severity options, for findings of an input that has no text
/// to read ignore comments from (not UTF-8, too large).
pub fn apply_options(list: &mut Vec<Diagnostic>, options: &LintOptions) {
    if options.select.is_some() || !options.ignore.is_empty() {
        // One pass for both (one copy of `retain` in the Wasm module).
        list.retain(|d| {
            options
                .select
                .as_ref()
                .is_none_or(|select| select.iter().any(|s| d.code.starts_with(s.as_str())))
                && !options.ignore.contains(&d.code)
        });
    }
    if !options.severity.is_empty() {
        for d in list.iter_mut() {
            if let Some(s) = options.severity.get(&d.code) {
                d.severity = *s;
            }
        }
    }
}

/// One `scalecore:ignore` comment.
struct Ignore<'t> {
    /// The line whose findings it silences.
    target: u32,
    codes: Vec<Code<'t>>,
    /// Where the marker is, for the note about a comment that names no code.
    at: Pos,
    /// Index of the document the comment is in.
    document: usize,
}

struct Code<'t> {
    code: &'t str,
    at: Pos,
    used: bool,
}

fn inline(list: &mut Vec<Diagnostic>, text: &str, file: usize) {
    let mut ignores = comments(text);
    if ignores.is_empty() {
        return;
    }
    list.retain(|d| {
        let mut silenced = false;
        // Targets never decrease (each is its own line or the next, lines increase), so a
        // binary search finds a finding's ignores: no findings-times-comments loop.
        let first = ignores.partition_point(|i| i.target < d.line);
        for ignore in ignores[first..]
            .iter_mut()
            .take_while(|i| i.target == d.line)
        {
            for c in ignore.codes.iter_mut().filter(|c| c.code == d.code) {
                c.used = true;
                silenced = true;
            }
        }
        !silenced
    });
    for ignore in &ignores {
        if ignore.codes.is_empty() {
            list.push(note(
                file,
                ignore.document,
                ignore.at,
                MARKER.len(),
                "this scalecore:ignore names no code; write the codes to silence, e.g. `# scalecore:ignore KEDA1020`".to_owned(),
            ));
        }
        for c in ignore.codes.iter().filter(|c| !c.used) {
            let why = if crate::rules::by_code(c.code).is_none() {
                format!("{} is not a scalecore code", c.code)
            } else {
                format!("no {} finding on the line it covers", c.code)
            };
            list.push(note(
                file,
                ignore.document,
                c.at,
                c.code.len(),
                format!("unused ignore of {}: {why}", c.code),
            ));
        }
    }
    crate::sort::sort_by(list, |a, b| {
        (a.document, a.line, a.column, &a.code).cmp(&(b.document, b.line, b.column, &b.code))
    });
}

fn note(file: usize, document: usize, at: Pos, len: usize, message: String) -> Diagnostic {
    let end = Pos {
        offset: at.offset + len as u32,
        line: at.line,
        column: at.column + len as u32,
    };
    Diagnostic {
        code: UNUSED_IGNORE.code.to_owned(),
        severity: UNUSED_IGNORE.severity,
        message,
        path: String::new(),
        document,
        line: at.line,
        column: at.column,
        end_line: end.line,
        end_column: end.column,
        help: Some(UNUSED_IGNORE.help.to_owned()),
        source: UNUSED_IGNORE.source,
        fixes: Vec::new(),
        span: Span::new(at, end),
        file,
    }
}

/// Quoting state carried from one line to the next (quoted scalars may span lines).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quote {
    None,
    Single,
    Double,
}

/// Every `scalecore:ignore` comment of a YAML text. A `#` is a comment only outside quoted
/// scalars and block scalars, at the start of a line or after a space or tab, as YAML has it.
fn comments(text: &str) -> Vec<Ignore<'_>> {
    let mut out = Vec::new();
    let mut quote = Quote::None;
    // Indentation of the line that opened a block scalar (`|`, `>`); deeper lines are its text.
    let mut block: Option<usize> = None;
    let mut offset = 0usize;
    // Documents as the parser counts them: each `---` starts one, except a first `---` with
    // nothing but comments before it.
    let mut document = 0usize;
    let mut seen_content = false;
    for (index, raw) in text.split_inclusive('\n').enumerate() {
        let line_offset = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let indent = line.len() - line.trim_start_matches(' ').len();
        if let Some(parent) = block {
            if line.trim().is_empty() || indent > parent {
                continue;
            }
            block = None;
        }
        if quote == Quote::None {
            let marker = line.starts_with("---")
                && line[3..]
                    .chars()
                    .next()
                    .is_none_or(|c| c == ' ' || c == '\t');
            if marker {
                if seen_content {
                    document += 1;
                }
                seen_content = true;
            } else if !line.trim_start().is_empty() && !line.trim_start().starts_with('#') {
                seen_content = true;
            }
        }
        let mut comment = None;
        let mut prev: Option<char> = None;
        let mut content_end = line.len();
        let mut skip_quote = false;
        for (i, ch) in line.char_indices() {
            match quote {
                Quote::Single => {
                    // `''` inside a single-quoted scalar is an escaped quote.
                    if skip_quote {
                        skip_quote = false;
                    } else if ch == '\'' {
                        if line[i + 1..].starts_with('\'') {
                            skip_quote = true;
                        } else {
                            quote = Quote::None;
                        }
                    }
                }
                Quote::Double => {
                    if ch == '"' && !escaped(&line[..i]) {
                        quote = Quote::None;
                    }
                }
                Quote::None => match ch {
                    '#' if prev.is_none_or(|p| p == ' ' || p == '\t') => {
                        comment = Some(i);
                        content_end = i;
                        break;
                    }
                    // A quote opens a scalar only where a scalar can start, not inside a
                    // plain one (`it's`).
                    '\'' | '"' if starts_scalar(prev) => {
                        quote = if ch == '\'' {
                            Quote::Single
                        } else {
                            Quote::Double
                        };
                    }
                    _ => {}
                },
            }
            prev = Some(ch);
        }
        let content = line[..content_end].trim_end();
        if quote == Quote::None && opens_block(content) {
            block = Some(indent);
        }
        let Some(hash) = comment else { continue };
        let body = &line[hash + 1..];
        let trimmed = body.trim_start();
        let Some(rest) = trimmed.strip_prefix(MARKER) else {
            continue;
        };
        if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
            continue;
        }
        let line_no = index as u32 + 1;
        let marker_at = hash + 1 + (body.len() - trimmed.len());
        let pos = |byte: usize| Pos {
            offset: (line_offset + byte) as u32,
            line: line_no,
            column: line[..byte].chars().count() as u32 + 1,
        };
        let codes_start = marker_at + MARKER.len();
        let codes_text = &line[codes_start..];
        let codes_text = match codes_text.find(" --") {
            Some(r) => &codes_text[..r],
            None => codes_text,
        };
        let mut codes = Vec::new();
        let mut from = codes_start;
        // More codes than there are rules can only be noise; the rest of the comment is not read.
        for part in codes_text.split(',').take(MAX_CODES) {
            let code = part.trim();
            if !code.is_empty() {
                let lead = part.len() - part.trim_start().len();
                codes.push(Code {
                    code,
                    at: pos(from + lead),
                    used: false,
                });
            }
            from += part.len() + 1;
        }
        let alone = content.is_empty();
        out.push(Ignore {
            target: if alone { line_no + 1 } else { line_no },
            codes,
            at: pos(marker_at),
            document,
        });
    }
    out
}

/// Whether the quote at the end of `before` is escaped by an odd run of backslashes.
fn escaped(before: &str) -> bool {
    before.bytes().rev().take_while(|b| *b == b'\\').count() % 2 == 1
}

/// A quoted scalar starts at the start of a line, after indentation, after `: `, `- `, `? `,
/// or inside a flow collection after `[`, `{`, `,` or (JSON) `:`.
fn starts_scalar(prev: Option<char>) -> bool {
    matches!(prev, None | Some(' ' | '\t' | '[' | '{' | ',' | ':'))
}

/// A line whose value is a block scalar indicator (`key: |`, `- >-`, `|2+`).
fn opens_block(content: &str) -> bool {
    let last = content.rsplit([' ', '\t']).next().unwrap_or("");
    let mut chars = last.chars();
    matches!(chars.next(), Some('|' | '>'))
        && chars.all(|c| matches!(c, '-' | '+' | '1'..='9'))
        && (content.len() == last.len()
            || content[..content.len() - last.len()]
                .trim_end()
                .ends_with([':', '-', '?']))
}

#[cfg(test)]
mod tests {
    use super::comments;
    use crate::{lint, LintOptions, Severity};

    /// Two ScaledObjects, each with minReplicaCount above maxReplicaCount (KEDA1004) on the
    /// line `min` of its document; `min` is the text of that line.
    fn two_docs(first_min: &str, second_min: &str) -> String {
        let doc = |name: &str, min: &str| {
            format!(
                "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: {name}\nspec:\n  scaleTargetRef:\n    name: {name}\n{min}\n  maxReplicaCount: 2\n  triggers:\n  - type: cpu\n    metricType: Utilization\n    metadata:\n      value: \"50\"\n"
            )
        };
        format!(
            "{}---\n{}",
            doc("orders", first_min),
            doc("billing", second_min)
        )
    }

    const MIN: &str = "  minReplicaCount: 5";

    fn found(text: &str) -> Vec<(String, u32)> {
        lint(text, &LintOptions::default())
            .into_iter()
            .map(|d| (d.code, d.line))
            .collect()
    }

    #[test]
    fn plain_input_reports_both() {
        let text = two_docs(MIN, MIN);
        assert_eq!(
            found(&text),
            [("KEDA1004".to_owned(), 8), ("KEDA1004".to_owned(), 23)]
        );
    }

    #[test]
    fn an_ignore_at_the_end_of_the_line_silences_that_line_only() {
        // The same code in the other document is still reported.
        let text = two_docs("  minReplicaCount: 5 # scalecore:ignore KEDA1004", MIN);
        assert_eq!(found(&text), [("KEDA1004".to_owned(), 23)]);
        let text = two_docs(MIN, "  minReplicaCount: 5 # scalecore:ignore KEDA1004");
        assert_eq!(found(&text), [("KEDA1004".to_owned(), 8)]);
    }

    #[test]
    fn an_ignore_alone_silences_the_line_below() {
        let text = two_docs(
            "  # scalecore:ignore KEDA1004 -- two replicas are enough here\n  minReplicaCount: 5",
            MIN,
        );
        assert_eq!(found(&text), [("KEDA1004".to_owned(), 24)]);
        // Two lines above is too far: the finding stays and the ignore is reported.
        let text = two_docs("  # scalecore:ignore KEDA1004\n\n  minReplicaCount: 5", MIN);
        let codes: Vec<_> = found(&text).into_iter().map(|(c, _)| c).collect();
        assert_eq!(codes, ["KEDA0014", "KEDA1004", "KEDA1004"]);
    }

    #[test]
    fn several_codes_and_a_reason() {
        let text = two_docs(
            "  minReplicaCount: 5 # scalecore:ignore KEDA1020,KEDA1004 , KEDA2001 -- on purpose",
            MIN,
        );
        let d = lint(&text, &LintOptions::default());
        let got: Vec<_> = d
            .iter()
            .map(|d| (d.code.as_str(), d.line, d.column))
            .collect();
        // KEDA1004 is silenced; the two codes that silence nothing are each reported at
        // their own column, and the reason is not read as a code.
        let line = "  minReplicaCount: 5 # scalecore:ignore KEDA1020,KEDA1004 , KEDA2001";
        let col = |code: &str| line.find(code).map(|i| i as u32 + 1).unwrap_or(0);
        assert_eq!(
            got,
            [
                ("KEDA0014", 8, col("KEDA1020")),
                ("KEDA0014", 8, col("KEDA2001")),
                ("KEDA1004", 23, 20)
            ]
        );
        assert!(
            d[0].message.contains("unused ignore of KEDA1020"),
            "{}",
            d[0].message
        );
        assert_eq!(d[0].severity, Severity::Info);
        assert_eq!(d[0].end_column - d[0].column, 8);
    }

    #[test]
    fn a_note_names_the_document_of_its_comment() {
        let text = two_docs(MIN, "  minReplicaCount: 5 # scalecore:ignore KEDA1020");
        let d = lint(&text, &LintOptions::default());
        let note: Vec<_> = d.iter().filter(|d| d.code == "KEDA0014").collect();
        assert_eq!((note.len(), note[0].document, note[0].line), (1, 1, 23));
        let text = format!(
            "# head\n---\n{}",
            two_docs(MIN, "  minReplicaCount: 5 # scalecore:ignore KEDA1020")
        );
        let d = lint(&text, &LintOptions::default());
        let finding = d.iter().find(|d| d.code == "KEDA1004" && d.line == 25);
        let note = d.iter().find(|d| d.code == "KEDA0014");
        assert_eq!(finding.map(|d| d.document), note.map(|d| d.document));
        assert_eq!(note.map(|d| d.document), Some(1));
    }

    #[test]
    fn an_unknown_code_or_no_code_is_reported() {
        let note = |min: &str| {
            let text = two_docs(min, MIN);
            let d = lint(&text, &LintOptions::default());
            assert_eq!(d.iter().filter(|d| d.code == "KEDA1004").count(), 2);
            let notes: Vec<_> = d.into_iter().filter(|d| d.code == "KEDA0014").collect();
            assert_eq!(notes.len(), 1, "{notes:?}");
            notes[0].message.clone()
        };
        let m = note("  minReplicaCount: 5 # scalecore:ignore KEDA1OO4");
        assert!(m.contains("KEDA1OO4 is not a scalecore code"), "{m}");
        let m = note("  minReplicaCount: 5 # scalecore:ignore");
        assert!(m.contains("names no code"), "{m}");
    }

    #[test]
    fn a_hash_inside_a_quoted_string_is_not_a_comment() {
        // Read as a comment, the continuation line would stand alone above minReplicaCount
        // and silence it; it is the second line of a double-quoted scalar.
        let text = two_docs(MIN, MIN).replacen(
            "    name: orders\n",
            "    name: \"orders\n      # scalecore:ignore KEDA1004\"\n",
            1,
        );
        let got = found(&text);
        assert!(got.contains(&("KEDA1004".to_owned(), 9)), "{got:?}");
        assert!(!got.iter().any(|(c, _)| c == "KEDA0014"), "{got:?}");
        // A quoted scalar at the end of a line.
        let text = two_docs(MIN, MIN).replacen(
            "metadata:\n  name: orders\n",
            "metadata:\n  name: orders\n  annotations:\n    note: 'it''s # scalecore:ignore KEDA1004'\n",
            1,
        );
        assert_eq!(
            found(&text),
            [("KEDA1004".to_owned(), 10), ("KEDA1004".to_owned(), 25)]
        );
    }

    #[test]
    fn ignores_come_before_select_severity_and_the_cap() {
        let text = two_docs("  minReplicaCount: 5 # scalecore:ignore KEDA1004", MIN);
        let mut o = LintOptions::default();
        o.limits.max_findings = 1;
        // With the ignore applied first, the one finding left fits under the cap.
        let d = lint(&text, &o);
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].code.as_str(), d[0].line), ("KEDA1004", 23));
        let text = two_docs(MIN, MIN);
        let mut o = LintOptions::default();
        o.severity.insert("KEDA1004".into(), Severity::Warning);
        assert!(lint(&text, &o)
            .iter()
            .all(|d| d.severity == Severity::Warning));
        o.ignore.push("KEDA1004".into());
        assert!(lint(&text, &o).is_empty());
        let o = LintOptions {
            select: Some(vec!["KEDA2".into()]),
            ..LintOptions::default()
        };
        assert!(lint(&text, &o).is_empty());
        let o = LintOptions {
            select: Some(vec!["KEDA1".into()]),
            ..LintOptions::default()
        };
        assert_eq!(lint(&text, &o).len(), 2);
        // An unused-ignore note is itself a code that the options can leave out.
        let text = two_docs("  minReplicaCount: 5 # scalecore:ignore KEDA1020", MIN);
        let o = LintOptions {
            ignore: vec!["KEDA0014".into()],
            ..LintOptions::default()
        };
        assert!(lint(&text, &o).iter().all(|d| d.code == "KEDA1004"));
    }

    #[test]
    fn a_flood_of_ignores_is_capped_like_any_finding() {
        let mut text = "# scalecore:ignore KEDA1004, KEDA1004\n".repeat(50_000);
        text.push_str(&two_docs(MIN, MIN));
        text.push_str(&format!(
            "# scalecore:ignore {}\n",
            "KEDA1, ".repeat(10_000)
        ));
        let d = lint(&text, &LintOptions::default());
        // 100,000 unused codes, the two findings, and 128 of the last comment's codes.
        assert_eq!(d.len(), 10_001);
        assert_eq!(d[10_000].code, "KEDA0012");
        assert!(
            d[10_000].message.starts_with("90130 more findings"),
            "{}",
            d[10_000].message
        );
    }

    #[test]
    fn option_codes_are_checked() {
        let mut o = LintOptions::default();
        assert!(o.check_codes().is_ok());
        o.ignore.push("KEDA9999".into());
        assert!(o.check_codes().unwrap_err().contains("KEDA9999"));
        let o = LintOptions {
            select: Some(vec!["KEDA1".into(), "KEDA10".into()]),
            ..LintOptions::default()
        };
        assert!(o.check_codes().is_ok());
        let o = LintOptions {
            select: Some(vec!["X".into()]),
            ..LintOptions::default()
        };
        assert!(o.check_codes().is_err());
    }

    fn targets(text: &str) -> Vec<(u32, Vec<&str>)> {
        comments(text)
            .into_iter()
            .map(|i| (i.target, i.codes.iter().map(|c| c.code).collect()))
            .collect()
    }

    #[test]
    fn trailing_and_alone_comments() {
        let text = "a: 1 # scalecore:ignore KEDA1020\n# scalecore:ignore KEDA1, KEDA2 -- on purpose\nb: 2\n";
        assert_eq!(
            targets(text),
            vec![(1, vec!["KEDA1020"]), (3, vec!["KEDA1", "KEDA2"])]
        );
    }

    #[test]
    fn hashes_in_scalars_are_not_comments() {
        let text = concat!(
            "a: \"x # scalecore:ignore KEDA1\"\n",
            "b: 'it''s # scalecore:ignore KEDA2'\n",
            "c: x#scalecore:ignore KEDA3\n",
            "d: \"multi\n  line # scalecore:ignore KEDA4\"\n",
            "e: |\n  # scalecore:ignore KEDA5\n  text\n",
            "f: it's # scalecore:ignore KEDA6\n",
            "g: \"q\\\" # scalecore:ignore KEDA7\"\n",
            "h: {\"k\":\"v # scalecore:ignore KEDA8\"}\n",
        );
        assert_eq!(targets(text), vec![(9, vec!["KEDA6"])]);
    }

    #[test]
    fn other_comments_are_left_alone() {
        assert!(targets("a: 1 # see scalecore:ignore KEDA1\n# scalecore:ignored\n").is_empty());
    }
}
