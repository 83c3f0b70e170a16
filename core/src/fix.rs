//! Applying the fixes that diagnostics carry: one fix per finding, none that touches text an
//! earlier one changes, then lint again, until a round changes nothing (as `ruff --fix` does).
//! A round that would make an input unreadable (more YAML errors than before) is dropped for
//! that input, so a wrong fix can cost a finding but never a file.

use crate::diagnostic::{Applicability, Diagnostic, Edit};
use crate::document::parse_stream;
use crate::validate::{lint_bundle_with, LintOptions};

/// Rounds before giving up on fixes that keep producing new fixes (one that undoes another).
pub const MAX_ROUNDS: usize = 10;

/// Which fixes to apply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FixOptions {
    /// Also apply fixes marked unsafe.
    pub unsafe_fixes: bool,
}

impl FixOptions {
    fn allows(self, a: Applicability) -> bool {
        a == Applicability::Safe || self.unsafe_fixes
    }
}

/// The outcome of fixing a set of inputs.
#[derive(Clone, Debug, PartialEq)]
pub struct Fixed {
    /// Every input after fixing, in input order.
    pub texts: Vec<String>,
    /// Fixes applied to each input, over all rounds.
    pub applied: Vec<usize>,
    /// What a lint of the fixed inputs reports, per input.
    pub remaining: Vec<Vec<Diagnostic>>,
    /// False when the last round still applied fixes (fixes that keep undoing each other).
    pub converged: bool,
}

impl Fixed {
    pub fn changed(&self) -> bool {
        self.applied.iter().any(|&n| n > 0)
    }
}

/// Fixes one input.
pub fn fix(text: &str, options: &LintOptions, fix_options: FixOptions) -> Fixed {
    fix_bundle(&[text], options, &[], fix_options)
}

/// Fixes several inputs linted together (references between them resolve, so a fix may use
/// what another input holds); `per_file` as for [`lint_bundle_with`].
pub fn fix_bundle(
    texts: &[&str],
    options: &LintOptions,
    per_file: &[&LintOptions],
    fix_options: FixOptions,
) -> Fixed {
    let mut texts: Vec<String> = texts.iter().map(|t| (*t).to_owned()).collect();
    let mut applied = vec![0; texts.len()];
    let lint = |texts: &[String]| {
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        lint_bundle_with(&refs, options, per_file)
    };
    let mut found = lint(&texts);
    for _ in 0..MAX_ROUNDS {
        let mut any = false;
        for (i, text) in texts.iter_mut().enumerate() {
            let Some(list) = found.get(i) else { continue };
            let (next, n) = apply(text, list, fix_options);
            if n > 0 && yaml_errors(&next, options) <= yaml_errors(text, options) {
                *text = next;
                applied[i] += n;
                any = true;
            }
        }
        if !any {
            return Fixed {
                texts,
                applied,
                remaining: found,
                converged: true,
            };
        }
        found = lint(&texts);
    }
    let converged = (0..texts.len()).all(|i| {
        found
            .get(i)
            .is_none_or(|list| apply(&texts[i], list, fix_options).1 == 0)
    });
    Fixed {
        texts,
        applied,
        remaining: found,
        converged,
    }
}

fn yaml_errors(text: &str, options: &LintOptions) -> usize {
    parse_stream(text, &options.limits)
        .iter()
        .map(|d| d.errors.len())
        .sum()
}

/// Applies to `text` the first allowed fix of each diagnostic found in it, skipping a fix
/// when one of its edits overlaps (or inserts at the same place as) an edit already taken,
/// and fixes whose edits do not fit the text. Returns the new text and the fixes applied.
pub fn apply(text: &str, diagnostics: &[Diagnostic], fix_options: FixOptions) -> (String, usize) {
    let mut taken: Vec<&Edit> = Vec::new();
    let mut count = 0;
    for d in diagnostics {
        let Some(fix) = d.fixes.iter().find(|f| fix_options.allows(f.applicability)) else {
            continue;
        };
        let fits = fix.edits.iter().all(|e| fits(text, e));
        let clashes = fix.edits.iter().enumerate().any(|(i, e)| {
            fix.edits[..i]
                .iter()
                .chain(taken.iter().copied())
                .any(|t| clash(e, t))
        });
        if fits && !clashes && !fix.edits.is_empty() {
            taken.extend(&fix.edits);
            count += 1;
        }
    }
    if count == 0 {
        return (text.to_owned(), 0);
    }
    crate::sort::sort_by_key(&mut taken, |e| e.span.start.offset);
    let mut out =
        String::with_capacity(text.len() + taken.iter().map(|e| e.new_text.len()).sum::<usize>());
    let mut at = 0;
    for e in taken {
        let (start, end) = (e.span.start.offset as usize, e.span.end.offset as usize);
        out.push_str(&text[at..start]);
        out.push_str(&e.new_text);
        at = end;
    }
    out.push_str(&text[at..]);
    (out, count)
}

fn fits(text: &str, e: &Edit) -> bool {
    let (start, end) = (e.span.start.offset as usize, e.span.end.offset as usize);
    start <= end && end <= text.len() && text.is_char_boundary(start) && text.is_char_boundary(end)
}

/// Two edits clash when their ranges share text, or both start at one place (the order of two
/// insertions there, or of an insertion and a replacement, would be a guess).
fn clash(a: &Edit, b: &Edit) -> bool {
    let (a0, a1) = (a.span.start.offset, a.span.end.offset);
    let (b0, b1) = (b.span.start.offset, b.span.end.offset);
    a0 == b0 || (a0 < b1 && b0 < a1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Fix;
    use crate::document::{Pos, Span};

    fn pos(text: &str, offset: usize) -> Pos {
        let before = &text[..offset];
        let line = before.matches('\n').count() as u32 + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
        Pos {
            offset: offset as u32,
            line,
            column,
        }
    }

    /// An edit as (start offset, end offset, new text).
    type At<'a> = (usize, usize, &'a str);

    fn finding(text: &str, fixes: Vec<(Applicability, Vec<At<'_>>)>) -> Diagnostic {
        let mut d = crate::lint("a: [1\n", &LintOptions::default()).remove(0);
        d.fixes = fixes
            .into_iter()
            .map(|(a, edits)| {
                let edits = edits
                    .into_iter()
                    .map(|(s, e, t)| Edit::replace(Span::new(pos(text, s), pos(text, e)), t))
                    .collect();
                Fix::new("t", a, edits)
            })
            .collect();
        d
    }

    #[test]
    fn applies_edits_in_position_order_whatever_the_finding_order() {
        let text = "a: 1\nb: 2\n";
        let late = finding(text, vec![(Applicability::Safe, vec![(8, 9, "\"2\"")])]);
        let early = finding(text, vec![(Applicability::Safe, vec![(3, 4, "\"1\"")])]);
        let (out, n) = apply(text, &[late, early], FixOptions::default());
        assert_eq!((out.as_str(), n), ("a: \"1\"\nb: \"2\"\n", 2));
    }

    #[test]
    fn unsafe_fixes_only_when_asked() {
        let text = "a: 1\n";
        let d = finding(text, vec![(Applicability::Unsafe, vec![(3, 4, "2")])]);
        assert_eq!(
            apply(text, std::slice::from_ref(&d), FixOptions::default()).1,
            0
        );
        let (out, n) = apply(text, &[d], FixOptions { unsafe_fixes: true });
        assert_eq!((out.as_str(), n), ("a: 2\n", 1));
    }

    #[test]
    fn the_first_allowed_fix_of_a_finding_is_the_one_applied() {
        let text = "a: 1\n";
        let d = finding(
            text,
            vec![
                (Applicability::Unsafe, vec![(3, 4, "x")]),
                (Applicability::Safe, vec![(3, 4, "y")]),
            ],
        );
        assert_eq!(apply(text, &[d], FixOptions::default()).0, "a: y\n");
    }

    #[test]
    fn overlapping_and_same_place_fixes_are_left_for_the_next_round() {
        let text = "abcdef";
        let a = finding(text, vec![(Applicability::Safe, vec![(1, 4, "X")])]);
        let inside = finding(text, vec![(Applicability::Safe, vec![(2, 3, "Y")])]);
        let same_start = finding(text, vec![(Applicability::Safe, vec![(1, 1, "Z")])]);
        let touching = finding(text, vec![(Applicability::Safe, vec![(4, 4, "W")])]);
        let (out, n) = apply(
            text,
            &[a, inside, same_start, touching],
            FixOptions::default(),
        );
        assert_eq!((out.as_str(), n), ("aXWef", 2));
    }

    #[test]
    fn a_fix_whose_edits_do_not_fit_the_text_is_skipped() {
        let text = "é: 1\n";
        let mut d = finding(text, vec![(Applicability::Safe, vec![(0, 2, "e")])]);
        // Inside the two bytes of `é`, then past the end.
        d.fixes[0].edits[0].span.end.offset = 1;
        assert_eq!(
            apply(text, std::slice::from_ref(&d), FixOptions::default()).1,
            0
        );
        d.fixes[0].edits[0].span.end.offset = 99;
        assert_eq!(apply(text, &[d], FixOptions::default()).1, 0);
    }

    #[test]
    fn fixing_an_input_with_nothing_to_fix_changes_nothing() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../examples/seed/keda.yaml"
        ))
        .unwrap();
        let fixed = fix(&text, &LintOptions::default(), FixOptions::default());
        assert!(fixed.converged && !fixed.changed());
        assert_eq!(fixed.texts, vec![text.clone()]);
        assert_eq!(
            fixed.remaining[0],
            crate::lint(&text, &LintOptions::default())
        );
    }
}
