//! The fast reader against the full parser: over every YAML file in the repository, over
//! generated variants of them, and over random manifest-like text. Wherever the fast reader
//! answers, its answer (trees, spans, errors) must equal the full parser's.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::test_runner::TestRunner;

use super::generators::{fragment_text, manifest_text, mutated_manifest};

use super::{parse as fast, run};
use crate::document::parse::{parse_full, Limits};

/// Returns whether the fast reader answered; panics when it answered differently.
fn agree(text: &str) -> bool {
    let limits = Limits::default();
    let Some(quick) = fast(text, &limits) else {
        return false;
    };
    let full = parse_full(text, &limits);
    if quick != full {
        let (q, f) = (format!("{quick:#?}"), format!("{full:#?}"));
        let at = q
            .lines()
            .zip(f.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        let context = |s: &str| {
            s.lines()
                .skip(at.saturating_sub(12))
                .take(16)
                .collect::<Vec<_>>()
                .join("\n")
        };
        panic!(
            "fast reader disagrees on {text:?}\n--- fast:\n{}\n--- full:\n{}",
            context(&q),
            context(&f)
        );
    }
    true
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

fn repo_files(dirs: &[&str]) -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut paths = Vec::new();
    for d in dirs {
        yaml_files(&root.join(d), &mut paths);
    }
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| std::fs::read_to_string(&p).ok().map(|t| (p, t)))
        .collect()
}

const MANIFESTS: &[&str] = &["tests/vectors", "tests/corpus/keda-docs", "examples"];

#[test]
fn real_manifests_agree_and_mostly_take_the_fast_path() {
    let files = repo_files(MANIFESTS);
    assert!(files.len() > 300, "found only {} files", files.len());
    let fast_count = files.iter().filter(|(_, t)| agree(t)).count();
    let slow: Vec<_> = files
        .iter()
        .filter_map(|(p, t)| {
            let at = run(t, &Limits::default()).err()?;
            let line = t[..at].matches('\n').count() + 1;
            let text = t.lines().nth(line - 1).unwrap_or_default();
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            Some(format!("{name}:{line}: {text}"))
        })
        .collect();
    println!(
        "fast path: {fast_count} of {} manifests; full parser for: {slow:#?}",
        files.len()
    );
    // Manifests are the fast reader's reason to exist; most must take it.
    assert!(
        fast_count * 10 >= files.len() * 8,
        "{fast_count} of {}",
        files.len()
    );
}

#[test]
fn schemas_agree() {
    for (path, text) in repo_files(&["core/schemas"]) {
        let how = if agree(&text) { "fast" } else { "full" };
        println!("{how}: {}", path.display());
        for v in variants(&text) {
            agree(&v);
        }
        // The CRDs are long: cut at every 37th line (each cut reads the whole prefix).
        let cuts = text.match_indices('\n').map(|(i, _)| i + 1).step_by(37);
        let fast_cuts = cuts.filter(|&cut| agree(&text[..cut])).count();
        println!("  {fast_cuts} prefixes took the fast path");
    }
}

fn map_lines(text: &str, f: impl Fn(&str) -> String) -> String {
    text.split('\n').map(f).collect::<Vec<_>>().join("\n")
}

fn variants(text: &str) -> Vec<String> {
    vec![
        text.replace('\n', "\r\n"),
        map_lines(text, |l| format!("{l}  ")),
        map_lines(text, |l| format!("{l}\n# note")),
        map_lines(text, |l| {
            if l.trim().is_empty() || l.trim_start().starts_with('#') {
                l.to_owned()
            } else {
                format!("{l} # note")
            }
        }),
        map_lines(text, |l| {
            let n = l.len() - l.trim_start_matches(' ').len();
            format!("{}{}", " ".repeat(n * 2), &l[n..])
        }),
        map_lines(text, |l| {
            let n = l.len() - l.trim_start_matches(' ').len();
            format!("{}{}", " ".repeat(n + n / 2), &l[n..])
        }),
        map_lines(text, |l| l.replacen("- ", "-   ", 1)),
        map_lines(text, |l| l.replacen(": ", ":   ", 1)),
        text.trim_end().to_owned(),
        format!("---\n{text}\n...\n"),
        text.replace("\n---\n", "\n...\n---\n"),
    ]
}

#[test]
fn variants_of_real_manifests_agree() {
    for (_, text) in repo_files(MANIFESTS) {
        for v in variants(&text) {
            agree(&v);
        }
    }
}

/// Inputs cut at every line and structural character: each cut re-reads the prefix, so the
/// work is quadratic in a file's length. The scaler table vectors (`tests/vectors/scalers`,
/// up to 200 KB of near-identical documents) would take minutes and add no new shapes; every
/// hand-written manifest is far below this size.
const TRUNCATION_MAX_BYTES: usize = 16 * 1024;

#[test]
fn every_truncation_of_real_manifests_agrees() {
    let files = repo_files(MANIFESTS);
    let small: Vec<_> = files
        .iter()
        .filter(|(_, t)| t.len() <= TRUNCATION_MAX_BYTES)
        .collect();
    assert!(small.len() > 300, "only {} manifests to cut", small.len());
    for (_, text) in small {
        let mut cut = 0;
        while let Some(i) = text[cut..].find('\n') {
            cut += i + 1;
            agree(&text[..cut]);
            agree(&text[..cut - 1]);
        }
        // Cuts inside lines too, wherever the cut splits structure (not inside words).
        let b = text.as_bytes();
        let structural = |c: u8| b":-\"'#[]{},".contains(&c);
        for i in 2..text.len() {
            let after_indicator = b[i - 1] == b' ' && matches!(b[i - 2], b':' | b'-');
            if text.is_char_boundary(i)
                && (structural(b[i - 1]) || structural(b[i]) || after_indicator)
            {
                agree(&text[..i]);
            }
        }
    }
}

/// Runs `cases` random texts through [`agree`]; returns how many took the fast path, so a
/// generator that never reaches the fast reader fails its test instead of passing vacuously.
fn run_random(strategy: impl Strategy<Value = String>, cases: u32) -> u32 {
    let mut runner = TestRunner::new(ProptestConfig::with_cases(cases));
    let hits = std::cell::Cell::new(0u32);
    let result = runner.run(&strategy, |text| {
        if agree(&text) {
            hits.set(hits.get() + 1);
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    hits.get()
}

#[test]
fn random_fragments_agree() {
    let hits = run_random(fragment_text(), 4000);
    assert!(
        hits >= 100,
        "only {hits} of 4000 random texts took the fast path"
    );
}

#[test]
fn random_manifests_agree() {
    let text =
        (manifest_text(), any::<bool>()).prop_map(
            |(t, crlf)| {
                if crlf {
                    t.replace('\n', "\r\n")
                } else {
                    t
                }
            },
        );
    let hits = run_random(text, 2000);
    assert!(
        hits >= 1000,
        "only {hits} of 2000 random manifests took the fast path"
    );
}

#[test]
fn mutated_manifests_agree() {
    let hits = run_random(mutated_manifest(), 4000);
    assert!(
        hits >= 400,
        "only {hits} of 4000 mutated manifests took the fast path"
    );
}
