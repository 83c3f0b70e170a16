//! Every manifest of KEDA's own documentation, linted. Docs examples are meant to be valid,
//! so every error here must be one KEDA's code would raise too: each is listed, with the
//! reason, in `corpus/expected-errors.tsv`. A new error (a likely rule bug) or a listed one
//! that no longer fires fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use scalecore::{lint, LintOptions};
use scalecore_conformance::{files_in, root};

#[test]
fn keda_docs_corpus_errors_are_the_defended_ones() {
    let dir = root().join("corpus").join("keda-docs");
    let files = files_in(&dir, "yaml");
    assert!(files.len() > 200, "corpus missing: {}", files.len());
    let mut found = BTreeSet::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        let name = f
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        for d in lint(&text, &LintOptions::default()) {
            if d.is_error() {
                found.insert((name.clone(), d.code.clone()));
            }
        }
    }
    let listed_text = std::fs::read_to_string(root().join("corpus").join("expected-errors.tsv"))
        .unwrap_or_default();
    let listed: BTreeSet<(String, String)> = listed_text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut cols = l.split('\t');
            Some((cols.next()?.to_owned(), cols.next()?.to_owned()))
        })
        .collect();
    let new: Vec<_> = found.difference(&listed).collect();
    let gone: Vec<_> = listed.difference(&found).collect();
    assert!(
        new.is_empty() && gone.is_empty(),
        "errors not defended in expected-errors.tsv: {new:#?}\nlisted but no longer found: {gone:#?}"
    );
}
