//! KEDA's own scaler parse tables as manifests (`tests/vectors/scalers/<type>.yaml`, one
//! ScaledObject per row, annotated with the row's origin and KEDA's verdict): the linter
//! must give a scaler-layer error (KEDA2xxx, severity error) exactly on the rows KEDA
//! refuses. Rows where the verdict cannot be reached from the manifests alone are listed in
//! `UNREACHABLE` with the reason.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::PathBuf;

use scalecore::document::{parse_stream, Limits, Node};
use scalecore::{lint, LintOptions, Severity};

/// `file: row` → why the manifests cannot show what decides KEDA's verdict.
const UNREACHABLE: &[(&str, &str)] = &[];

#[test]
fn every_scaler_table_row_gets_keda_s_verdict() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/scalers");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let mut wrong = Vec::new();
    for path in files {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let diags = lint(&text, &LintOptions::default());
        let (mut agree, mut total) = (0, 0);
        for (i, doc) in parse_stream(&text, &Limits::default()).iter().enumerate() {
            let Some(root) = doc.root.as_ref() else {
                continue;
            };
            if root.get("kind").and_then(Node::text) != Some("ScaledObject") {
                continue;
            }
            let name = root
                .at(&["metadata", "name"])
                .and_then(Node::text)
                .unwrap()
                .to_owned();
            let note = |k: &str| {
                root.at(&["metadata", "annotations", k])
                    .and_then(Node::text)
                    .unwrap()
                    .to_owned()
            };
            let (origin, expect) = (
                note("vectors.scalecore/origin"),
                note("vectors.scalecore/expect"),
            );
            let errors: Vec<&str> = diags
                .iter()
                .filter(|d| {
                    d.document == i && d.code.starts_with("KEDA2") && d.severity == Severity::Error
                })
                .map(|d| d.message.as_str())
                .collect();
            total += 1;
            let refused = !errors.is_empty();
            if refused == (expect == "reject") {
                agree += 1;
            } else if !UNREACHABLE.iter().any(|(f, r)| *f == file && *r == name) {
                wrong.push(format!(
                    "{file} {name} ({origin}): KEDA {expect}s, lint {errors:?}"
                ));
            }
        }
        println!("{file}: {agree}/{total} rows agree with KEDA");
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// What the linter cannot see must never turn an accepted row into an error: each accepted
/// row linted again without its TriggerAuthentication and Secret (the authentication lives
/// only in the cluster), and again without its Deployment (the env is unknown).
#[test]
fn accepted_rows_stay_clean_when_sources_are_out_of_view() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/scalers");
    let mut wrong = Vec::new();
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        // Documents of one row are consecutive and share its name.
        let mut rows: Vec<(String, Vec<&str>)> = Vec::new();
        for doc in text.split("\n---\n").skip(1) {
            let name = doc
                .lines()
                .find_map(|l| l.strip_prefix("  name: "))
                .unwrap()
                .to_owned();
            match rows.last_mut() {
                Some((n, docs)) if *n == name => docs.push(doc),
                _ => rows.push((name, vec![doc])),
            }
        }
        for (name, docs) in rows {
            let Some(so) = docs.iter().find(|d| d.contains("\nkind: ScaledObject\n")) else {
                continue;
            };
            if !so.contains("vectors.scalecore/expect: accept") {
                continue;
            }
            let keep = |drop: &[&str]| -> String {
                docs.iter()
                    .filter(|d| !drop.iter().any(|k| d.contains(&format!("\nkind: {k}\n"))))
                    .map(|d| format!("---\n{d}\n"))
                    .collect()
            };
            for (what, bundle) in [
                ("authentication", keep(&["TriggerAuthentication", "Secret"])),
                ("workload", keep(&["Deployment"])),
            ] {
                checked += 1;
                let errors: Vec<String> = lint(&bundle, &LintOptions::default())
                    .into_iter()
                    .filter(|d| d.code.starts_with("KEDA2") && d.severity == Severity::Error)
                    .map(|d| d.message)
                    .collect();
                if !errors.is_empty() {
                    wrong.push(format!(
                        "{} {name} without its {what}: {errors:?}",
                        path.file_name().unwrap().to_string_lossy()
                    ));
                }
            }
        }
    }
    assert!(checked > 200, "{checked}");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Every trigger type KEDA's `scalers-schema.json` lists is held to rows of KEDA's own tables
/// (a type may share a file with its family, as redis-cluster does with redis).
#[test]
fn every_trigger_type_has_keda_s_rows() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("schemas/scalers-schema.json")).unwrap(),
    )
    .unwrap();
    let mut vectors = String::new();
    for entry in std::fs::read_dir(root.join("../tests/vectors/scalers")).unwrap() {
        vectors.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    let types: Vec<&str> = schema["scalers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["type"].as_str().unwrap())
        .collect();
    assert!(types.len() > 70, "{} types", types.len());
    let without: Vec<&&str> = types
        .iter()
        .filter(|t| !vectors.contains(&format!("  - type: {t}\n")))
        .collect();
    assert!(without.is_empty(), "no vector rows for {without:?}");
}
