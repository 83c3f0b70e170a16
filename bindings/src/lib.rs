//! The boundary every binding calls (CLI, Wasm, Python, Node): requests and answers as serde
//! types in the JSON contract of DESIGN.md, so no binding re-implements logic and every one
//! gives the same answer. Bindings convert types and errors at their edge and call these.

use serde::{Deserialize, Serialize};

pub use scalecore::rules::RuleInfo;
pub use scalecore::{Diagnostic, KedaVersion, Severity, Source};

/// Version of the JSON shapes below; bumped on any incompatible change.
pub const API_VERSION: u32 = 1;

/// The scalecore release.
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// Options of a lint request (all optional).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LintRequestOptions {
    /// Shown in reports; not read.
    #[serde(default)]
    pub path: Option<String>,
    /// KEDA release whose rules apply (`2.20`, `2.18.1`); default 2.20.2.
    #[serde(default)]
    pub keda_version: Option<String>,
    /// Report references to objects missing from the inputs.
    #[serde(default)]
    pub strict_refs: bool,
    /// Namespace of objects that name none; default `default`.
    #[serde(default)]
    pub default_namespace: Option<String>,
}

/// A request that could not be carried out (not a finding about the document: those are
/// diagnostics).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BindingError {
    #[error("{0}")]
    Version(#[from] scalecore::version::VersionError),
    #[error("invalid request: {0}")]
    Request(String),
    #[error("{0}")]
    Scenario(String),
}

impl LintRequestOptions {
    pub fn to_core(&self) -> Result<scalecore::LintOptions, BindingError> {
        let mut o = scalecore::LintOptions::default();
        if let Some(v) = &self.keda_version {
            o.keda_version = v.parse()?;
        }
        o.strict_refs = self.strict_refs;
        if let Some(ns) = &self.default_namespace {
            o.default_namespace = ns.clone();
        }
        Ok(o)
    }
}

/// Lints one input (a YAML or JSON stream).
pub fn lint(text: &str, options: &LintRequestOptions) -> Result<Vec<Diagnostic>, BindingError> {
    Ok(scalecore::lint(text, &options.to_core()?))
}

/// Lints raw bytes: input that is not UTF-8 becomes a diagnostic, not an error.
pub fn lint_bytes(
    bytes: &[u8],
    options: &LintRequestOptions,
) -> Result<Vec<Diagnostic>, BindingError> {
    let core = options.to_core()?;
    Ok(scalecore::validate::lint_bytes(bytes, &core))
}

/// One input of a multi-file lint.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct FileInput {
    pub path: String,
    pub text: String,
}

/// `{"files":[{"path", "diagnostics"}], "summary":{"errors","warnings"}}`: the CLI's JSON.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
pub struct LintReport {
    pub files: Vec<FileReport>,
    pub summary: Summary,
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct FileReport {
    pub path: String,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
}

impl LintReport {
    /// Groups per-file diagnostics and counts them.
    pub fn new(paths: Vec<String>, per_file: Vec<Vec<Diagnostic>>) -> Self {
        let mut summary = Summary::default();
        let files = paths
            .into_iter()
            .zip(per_file)
            .map(|(path, diagnostics)| {
                for d in &diagnostics {
                    match d.severity {
                        Severity::Error => summary.errors += 1,
                        Severity::Warning => summary.warnings += 1,
                        Severity::Info => {}
                    }
                }
                FileReport { path, diagnostics }
            })
            .collect();
        LintReport { files, summary }
    }
}

/// Lints several inputs together, so references between them resolve.
pub fn lint_files(
    files: &[FileInput],
    options: &LintRequestOptions,
) -> Result<LintReport, BindingError> {
    let core = options.to_core()?;
    let texts: Vec<&str> = files.iter().map(|f| f.text.as_str()).collect();
    let per_file = scalecore::validate::lint_bundle(&texts, &core);
    Ok(LintReport::new(
        files.iter().map(|f| f.path.clone()).collect(),
        per_file,
    ))
}

/// Every rule, for docs, editors and `scalecore rules`.
pub fn rules() -> Vec<RuleInfo> {
    scalecore::rules::all()
        .into_iter()
        .map(|r| r.info())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_version_is_an_error_not_a_diagnostic() {
        let o = LintRequestOptions {
            keda_version: Some("banana".into()),
            ..Default::default()
        };
        assert!(matches!(lint("a: 1", &o), Err(BindingError::Version(_))));
    }

    #[test]
    fn report_counts_by_severity() {
        let files = vec![FileInput {
            path: "x.yaml".into(),
            text: "a: [1\n".into(),
        }];
        let r = lint_files(&files, &LintRequestOptions::default()).unwrap();
        assert_eq!(r.summary.errors, 1);
        assert_eq!(r.files[0].diagnostics[0].code, "KEDA0001");
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["files"][0]["path"], "x.yaml");
        assert_eq!(json["files"][0]["diagnostics"][0]["severity"], "error");
        assert_eq!(json["files"][0]["diagnostics"][0]["source"], "schema");
    }
}
