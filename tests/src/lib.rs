//! Loading the shared vectors (tests/vectors) for the suites that run them.

use std::path::{Path, PathBuf};

/// The folder holding this crate (and the vectors).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Files in `tests/vectors/<kind>` with the given extension, sorted.
pub fn vector_files(kind: &str, ext: &str) -> Vec<PathBuf> {
    files_in(&root().join("vectors").join(kind), ext)
}

pub fn files_in(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().and_then(|e| e.to_str()) == Some(ext))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// A validation case: header fields and the documents after it.
pub struct ValidationCase {
    pub name: String,
    pub expect_reject: bool,
    pub reason: String,
    pub case: String,
    /// The stream without the header document.
    pub manifests: String,
    /// Number of object documents (the last one is the object submitted).
    pub objects: usize,
}

/// Splits a case file into its header and its objects.
pub fn validation_case(path: &Path) -> Option<ValidationCase> {
    let text = std::fs::read_to_string(path).ok()?;
    let docs = scalecore::document::parse_stream(&text, &Default::default());
    let header = docs.first()?.root.as_ref()?;
    let field = |k: &str| {
        header
            .get(k)
            .and_then(|n| n.text())
            .unwrap_or("")
            .to_owned()
    };
    let second = docs.get(1)?;
    let start = second.span.start.offset as usize;
    let manifests = text.get(start..)?.to_owned();
    Some(ValidationCase {
        name: path.file_name()?.to_string_lossy().into_owned(),
        expect_reject: field("expect") == "reject",
        reason: field("reason"),
        case: field("case"),
        manifests,
        objects: docs.len() - 1,
    })
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    root().join("..")
}

/// Reads every file with `ext` under the given repository folders, keyed by its path
/// relative to the repository root (with `/`), sorted.
fn read_all(folders: &[&str], ext: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for folder in folders {
        for p in files_in(&repo_root().join(folder), ext) {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
            if let (Some(name), Ok(text)) = (name, std::fs::read_to_string(&p)) {
                out.push((format!("{folder}/{name}"), text));
            }
        }
    }
    out.sort();
    out
}

/// Inputs whose diagnostics every binding must reproduce (tests/golden/lint.json).
pub fn golden_lint_inputs() -> Vec<(String, String)> {
    read_all(
        &[
            "tests/vectors/validation",
            "tests/vectors/fixes",
            "tests/vectors/scalers",
            "tests/vectors/templates",
            "tests/corpus/keda-docs",
            "examples/seed",
        ],
        "yaml",
    )
}

/// Scenarios whose traces every binding must reproduce (tests/golden/simulate.json).
pub fn golden_scenarios() -> Vec<(String, String)> {
    read_all(&["tests/vectors/scenarios", "examples"], "json")
}
