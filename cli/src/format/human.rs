use std::io::IsTerminal;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use scalecore::{Applicability, Diagnostic, Severity};
use scalecore_bindings::LintReport;

/// rustc-style code frames, then a one-line summary.
/// Whether standard output takes colours.
pub fn color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

pub fn render_with(report: &LintReport, texts: &[String], color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    let mut infos = 0usize;
    let (mut safe, mut unsafe_) = (0usize, 0usize);
    for (file, text) in report.files.iter().zip(texts) {
        let lines = LineIndex::new(text);
        for d in &file.diagnostics {
            if d.severity == Severity::Info {
                infos += 1;
            }
            if d.fixes
                .iter()
                .any(|f| f.applicability == Applicability::Safe)
            {
                safe += 1;
            } else if !d.fixes.is_empty() {
                unsafe_ += 1;
            }
            out.push_str(&renderer.render(&frame(&file.path, &lines, d)));
            out.push_str("\n\n");
        }
    }
    let s = report.summary;
    let files = report.files.len();
    out.push_str(&format!(
        "{} {}, {} {}{} in {} {}\n",
        s.errors,
        plural(s.errors, "error", "errors"),
        s.warnings,
        plural(s.warnings, "warning", "warnings"),
        if infos > 0 {
            format!(", {infos} {}", plural(infos, "note", "notes"))
        } else {
            String::new()
        },
        files,
        plural(files, "file", "files"),
    ));
    match (safe, unsafe_) {
        (0, 0) => {}
        (n, 0) => out.push_str(&format!("{n} fixable with `scalecore lint --fix`\n")),
        (0, m) => out.push_str(&format!(
            "{m} fixable with `scalecore lint --fix --unsafe-fixes` (read what they change)\n"
        )),
        (n, m) => out.push_str(&format!(
            "{n} fixable with `scalecore lint --fix`, {m} more with --unsafe-fixes\n"
        )),
    }
    out
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// Where each line of a file starts, found once per file: a frame then costs the lines it
/// shows, not the whole file (a stream with thousands of findings rendered each frame from the
/// full text, quadratic in the number of findings).
struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    /// 0-based line holding byte `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// The whole lines that `start..end` touches: (first line, 1-based; byte range).
    fn excerpt(&self, start: usize, end: usize) -> (usize, usize, usize) {
        let first = self.line_of(start);
        let last = self.line_of(end);
        let from = self.starts.get(first).copied().unwrap_or(0);
        let to = self
            .starts
            .get(last + 1)
            .map_or(self.text.len(), |&next| next.saturating_sub(1))
            .max(end);
        (first + 1, from, to)
    }
}

fn frame<'a>(path: &'a str, lines: &LineIndex<'a>, d: &'a Diagnostic) -> Vec<Group<'a>> {
    let text = lines.text;
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::NOTE,
    };
    let start = (d.span.start.offset as usize).min(text.len());
    let end = (d.span.end.offset as usize).clamp(start, text.len());
    let end = trim_trailing_newlines(text, start, end);
    let label = if d.path.is_empty() {
        String::new()
    } else {
        d.path.clone()
    };
    let title = level.primary_title(d.message.as_str()).id(d.code.as_str());
    let group = if text.is_empty() {
        title.element(annotate_snippets::Origin::path(path))
    } else {
        let (line, from, to) = lines.excerpt(start, end);
        // Offsets off a character boundary cannot be cut at; the whole text still renders.
        let (line, from, shown) = match text.get(from..to) {
            Some(shown) => (line, from, shown),
            None => (1, 0, text),
        };
        title.element(
            Snippet::source(shown)
                .line_start(line)
                .path(path)
                .annotation(
                    AnnotationKind::Primary
                        .span(start - from..end - from)
                        .label(label),
                ),
        )
    };
    let mut groups = vec![group];
    if let Some(help) = &d.help {
        groups.push(Group::with_title(
            Level::HELP.secondary_title(help.as_str()),
        ));
    }
    // The fix --fix would apply: the first safe one, else the first (unsafe) one.
    let fix = d
        .fixes
        .iter()
        .find(|f| f.applicability == Applicability::Safe)
        .or_else(|| d.fixes.first());
    if let Some(f) = fix {
        let how = match f.applicability {
            Applicability::Safe => "--fix",
            Applicability::Unsafe => "--fix --unsafe-fixes",
        };
        groups.push(Group::with_title(
            Level::HELP.secondary_title(format!("[*] fix available ({how}): {}", f.title)),
        ));
    }
    groups
}

/// Block mappings end where the next line starts; a frame reads better ending at the value.
fn trim_trailing_newlines(text: &str, start: usize, end: usize) -> usize {
    let slice = text.get(start..end).unwrap_or("");
    start + slice.trim_end_matches(['\n', '\r', ' ']).len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use scalecore_bindings::{lint_files, FileInput, LintRequestOptions};

    fn render_files(files: &[(&str, &str)]) -> String {
        let inputs: Vec<FileInput> = files
            .iter()
            .map(|(p, t)| FileInput {
                path: (*p).to_owned(),
                text: (*t).to_owned(),
            })
            .collect();
        let report = lint_files(&inputs, &LintRequestOptions::default()).unwrap();
        let texts: Vec<String> = files.iter().map(|(_, t)| (*t).to_owned()).collect();
        render_with(&report, &texts, false)
    }

    #[test]
    fn code_frames_for_a_broken_scaled_object() {
        let so = "\
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: orders-worker
spec:
  scaleTargetRef:
    name: orders-worker
  minReplicaCount: 5
  maxReplicaCount: 2
  triggers:
    - type: azure-service-bus
      metadata:
        queueName: orders
        messageCount: 5
";
        insta::assert_snapshot!(render_files(&[("so.yaml", so)]));
    }

    #[test]
    fn workload_identity_without_identity_id() {
        let seed = include_str!("../../../examples/seed/keda.yaml");
        insta::assert_snapshot!(render_files(&[("keda.yaml", seed)]));
    }

    #[test]
    fn clean_input_prints_only_the_summary() {
        insta::assert_snapshot!(render_files(&[(
            "cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
        )]));
    }

    fn broken_stream(count: usize) -> String {
        (0..count)
            .map(|i| {
                format!(
                    "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: w{i}\n\
                     spec:\n  scaleTargetRef:\n    name: w{i}\n  minReplicaCount: 5\n  \
                     maxReplicaCount: 2\n"
                )
            })
            .collect::<Vec<_>>()
            .join("---\n")
    }

    #[test]
    fn a_frame_is_cut_from_the_lines_it_shows() {
        let text = "a: 1\nb:\n  c: 2\nd: 3";
        let lines = LineIndex::new(text);
        let c = text.find("c:").unwrap();
        assert_eq!(lines.excerpt(c, c + 4), (3, 8, 14));
        // Over two lines: both, and only both.
        let b = text.find("b:").unwrap();
        assert_eq!(lines.excerpt(b, c + 4), (2, 5, 14));
        // The last line has no newline after it.
        let d = text.find("d:").unwrap();
        assert_eq!(lines.excerpt(d, text.len()), (4, 15, text.len()));
    }

    /// Eight times the findings take about eight times as long, not sixty-four (each frame
    /// once scanned the whole stream). The bound is loose; the fastest of three runs is taken.
    #[test]
    fn rendering_grows_linearly_with_the_findings() {
        let time = |count: usize| {
            let text = broken_stream(count);
            let inputs = [FileInput {
                path: "s.yaml".to_owned(),
                text: text.clone(),
            }];
            let report = lint_files(&inputs, &LintRequestOptions::default()).unwrap();
            assert!(report.summary.errors >= count);
            let texts = [text];
            (0..3)
                .map(|_| {
                    let start = std::time::Instant::now();
                    let out = render_with(&report, &texts, false);
                    assert!(out.len() > count * 100);
                    start.elapsed()
                })
                .min()
                .unwrap()
        };
        let small = time(150);
        let large = time(1200);
        assert!(
            large < small * 25,
            "150 documents: {small:?}, 1200 documents: {large:?}"
        );
    }
}
