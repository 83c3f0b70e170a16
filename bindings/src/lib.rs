//! The boundary every binding calls (CLI, Wasm, Python, Node): requests and answers as serde
//! types in the JSON contract of docs/formats.md and docs/scenario.md, so no binding re-implements logic and every one
//! gives the same answer. Bindings convert types and errors at their edge and call these.

use serde::{Deserialize, Serialize};

pub use scalecore::rules::RuleInfo;
pub use scalecore::{Applicability, Diagnostic, Edit, Fix, KedaVersion, Severity, Source};

/// Version of the JSON shapes below; bumped on any incompatible change.
pub const API_VERSION: u32 = 1;

/// The scalecore release.
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// Options of a lint request (all optional).
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
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
    /// Codes never reported (`["KEDA1020"]`).
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Codes or code prefixes reported (`["KEDA1", "KEDA3003"]`); absent reports all.
    #[serde(default)]
    pub select: Option<Vec<String>>,
    /// Severities that replace a rule's own, by code (`{"KEDA1020": "error"}`).
    #[serde(default)]
    pub severity: std::collections::BTreeMap<String, Severity>,
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
        o.ignore = self.ignore.clone();
        o.select = self.select.clone();
        o.severity = self.severity.clone();
        o.check_codes().map_err(BindingError::Request)?;
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
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct FileInput {
    pub path: String,
    pub text: String,
}

/// `{"files":[{"path", "diagnostics"}], "summary":{"errors","warnings"}}`: the CLI's JSON.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct LintReport {
    /// Every input, in the order given.
    pub files: Vec<FileReport>,
    /// Counts over all inputs.
    pub summary: Summary,
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct FileReport {
    /// The input's path as given (`<stdin>` for standard input).
    pub path: String,
    /// Its findings, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct Summary {
    /// Findings of severity `error`.
    pub errors: usize,
    /// Findings of severity `warning`.
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

/// A rule with the address of its row in docs/rules.md (an LSP diagnostic's
/// `codeDescription.href`).
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleDoc {
    #[serde(flatten)]
    pub info: RuleInfo,
    pub url: String,
}

/// Every rule with its documentation address, for editors.
pub fn rule_docs() -> Vec<RuleDoc> {
    scalecore::rules::all()
        .into_iter()
        .map(|r| RuleDoc {
            info: r.info(),
            url: r.doc_url(),
        })
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
    fn ignore_select_and_severity_options_arrive_as_json() {
        let text = "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: a\nspec:\n  scaleTargetRef:\n    name: a\n  minReplicaCount: 5\n  maxReplicaCount: 2\n  triggers:\n  - type: cpu\n    metricType: Utilization\n    metadata:\n      value: '50'\n";
        let plain = lint(text, &LintRequestOptions::default()).unwrap();
        assert_eq!(plain.len(), 1);
        assert_eq!(plain[0].code, "KEDA1004");
        let o: LintRequestOptions =
            serde_json::from_str(r#"{"severity":{"KEDA1004":"warning"}}"#).unwrap();
        assert_eq!(lint(text, &o).unwrap()[0].severity, Severity::Warning);
        let o: LintRequestOptions = serde_json::from_str(r#"{"ignore":["KEDA1004"]}"#).unwrap();
        assert!(lint(text, &o).unwrap().is_empty());
        let o: LintRequestOptions = serde_json::from_str(r#"{"select":["KEDA3"]}"#).unwrap();
        assert!(lint(text, &o).unwrap().is_empty());
        let o: LintRequestOptions = serde_json::from_str(r#"{"select":["KEDA1"]}"#).unwrap();
        assert_eq!(lint(text, &o).unwrap().len(), 1);
        // A misspelt code is a request error that names it, not a silent no-op.
        let o: LintRequestOptions = serde_json::from_str(r#"{"ignore":["KEDA1O04"]}"#).unwrap();
        match lint(text, &o) {
            Err(BindingError::Request(m)) => assert!(m.contains("KEDA1O04"), "{m}"),
            other => panic!("{other:?}"),
        }
        assert!(
            serde_json::from_str::<LintRequestOptions>(r#"{"severity":{"KEDA1004":"fatal"}}"#)
                .is_err()
        );
        assert!(serde_json::from_str::<LintRequestOptions>(r#"{"ignores":[]}"#).is_err());
    }

    #[test]
    fn rule_docs_are_the_rules_with_their_row_in_the_rules_page() {
        let docs = rule_docs();
        assert_eq!(docs.len(), rules().len());
        let d = docs.iter().find(|d| d.info.code == "KEDA0101").unwrap();
        assert!(d.url.ends_with("/docs/rules.md#keda0101"), "{}", d.url);
        let json = serde_json::to_value(d).unwrap();
        assert_eq!(json["code"], "KEDA0101");
        assert_eq!(json["url"], d.url.as_str());
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

pub use scalecore::simulate::{Scenario, ScenarioError, Trace};

/// Runs a scenario given as JSON text (docs/scenario.md).
pub fn simulate_json(scenario: &str) -> Result<Trace, BindingError> {
    scalecore::simulate::simulate_json(scenario).map_err(|e| BindingError::Scenario(e.to_string()))
}

/// Runs a scenario already decoded (from a JS object or a Python dict).
pub fn simulate(scenario: &Scenario) -> Result<Trace, BindingError> {
    scalecore::simulate::simulate(scenario).map_err(|e| BindingError::Scenario(e.to_string()))
}

/// How editor positions count characters within a line (LSP `positionEncoding`).
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub enum PositionEncoding {
    #[default]
    #[serde(rename = "utf-16")]
    Utf16,
    #[serde(rename = "utf-8")]
    Utf8,
    #[serde(rename = "utf-32")]
    Utf32,
}

/// An LSP position: 0-based line, and character offset in the chosen encoding.
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct LspPosition {
    pub line: u32,
    pub character: u32,
}

#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct LspRange {
    pub start: LspPosition,
    pub end: LspPosition,
}

/// A diagnostic as editors want it: the JSON contract plus an LSP `range`, on the
/// diagnostic and on each edit of its fixes.
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct EditorDiagnostic {
    /// Its `fixes` are moved to the field below (with ranges), so they are not sent twice.
    #[serde(flatten)]
    pub diagnostic: Diagnostic,
    pub range: LspRange,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<EditorFix>,
}

/// A fix whose edits carry LSP ranges (a code action's `WorkspaceEdit`, ready to send).
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct EditorFix {
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<EditorEdit>,
}

#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct EditorEdit {
    #[serde(flatten)]
    pub edit: Edit,
    pub range: LspRange,
}

/// The LSP position of a byte offset of `text`.
pub fn lsp_position(text: &str, offset: usize, encoding: PositionEncoding) -> LspPosition {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.bytes().filter(|&b| b == b'\n').count() as u32;
    let in_line = &text[line_start..offset];
    let character = match encoding {
        PositionEncoding::Utf8 => in_line.len(),
        PositionEncoding::Utf16 => in_line.encode_utf16().count(),
        PositionEncoding::Utf32 => in_line.chars().count(),
    } as u32;
    LspPosition { line, character }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The LSP range of a diagnostic found in `text`.
pub fn lsp_range(text: &str, d: &Diagnostic, encoding: PositionEncoding) -> LspRange {
    LspRange {
        start: lsp_position(text, d.span.start.offset as usize, encoding),
        end: lsp_position(text, d.span.end.offset as usize, encoding),
    }
}

/// The LSP positions of many byte offsets of `text` (as `lsp_position` of each), in one walk
/// over the text: converting each from byte 0 made thousands of findings on a large file
/// quadratic, and a line index alone would not help a minified JSON file of one line.
pub fn lsp_positions(
    text: &str,
    offsets: &[usize],
    encoding: PositionEncoding,
) -> Vec<LspPosition> {
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    let at = |i: usize| offsets.get(i).copied().unwrap_or(0);
    scalecore::sort::sort_by_key(&mut order, |&i| at(i));
    let mut out = vec![LspPosition::default(); offsets.len()];
    let mut chars = text.char_indices().peekable();
    let mut here = LspPosition::default();
    for i in order {
        let target = floor_char_boundary(text, at(i).min(text.len()));
        while let Some(&(pos, c)) = chars.peek() {
            if pos >= target {
                break;
            }
            chars.next();
            if c == '\n' {
                here.line += 1;
                here.character = 0;
            } else {
                here.character += match encoding {
                    PositionEncoding::Utf8 => c.len_utf8(),
                    PositionEncoding::Utf16 => c.len_utf16(),
                    PositionEncoding::Utf32 => 1,
                } as u32;
            }
        }
        if let Some(slot) = out.get_mut(i) {
            *slot = here;
        }
    }
    out
}

/// Lints one input and adds LSP ranges (what the Node and Wasm packages return).
pub fn lint_for_editor(
    text: &str,
    options: &LintRequestOptions,
    encoding: PositionEncoding,
) -> Result<Vec<EditorDiagnostic>, BindingError> {
    Ok(editor_diagnostics(text, lint(text, options)?, encoding))
}

/// Adds LSP ranges to diagnostics found in `text`.
pub fn editor_diagnostics(
    text: &str,
    found: Vec<Diagnostic>,
    encoding: PositionEncoding,
) -> Vec<EditorDiagnostic> {
    // Every range, the diagnostics' and their edits', converted in one walk over the text.
    let spans = |d: &Diagnostic| {
        std::iter::once(d.span)
            .chain(d.fixes.iter().flat_map(|f| f.edits.iter().map(|e| e.span)))
            .collect::<Vec<_>>()
    };
    let offsets: Vec<usize> = found
        .iter()
        .flat_map(spans)
        .flat_map(|s| [s.start.offset as usize, s.end.offset as usize])
        .collect();
    let mut positions = lsp_positions(text, &offsets, encoding).into_iter();
    let mut range = move || {
        let start = positions.next().unwrap_or_default();
        let end = positions.next().unwrap_or_default();
        LspRange { start, end }
    };
    found
        .into_iter()
        .map(|mut d| {
            let at = range();
            let fixes = std::mem::take(&mut d.fixes)
                .into_iter()
                .map(|f| EditorFix {
                    title: f.title,
                    applicability: f.applicability,
                    edits: f
                        .edits
                        .into_iter()
                        .map(|edit| EditorEdit {
                            edit,
                            range: range(),
                        })
                        .collect(),
                })
                .collect();
            EditorDiagnostic {
                range: at,
                diagnostic: d,
                fixes,
            }
        })
        .collect()
}

/// The byte offset of an LSP position in `text` (a position past the end of its line, or of
/// the text, is the line's end, or the text's).
pub fn byte_offset(text: &str, position: LspPosition, encoding: PositionEncoding) -> usize {
    let mut start = 0;
    for _ in 0..position.line {
        match text.get(start..).and_then(|rest| rest.find('\n')) {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let line = text.get(start..).unwrap_or_default();
    let line = line.split('\n').next().unwrap_or_default();
    let mut units = 0;
    for (i, c) in line.char_indices() {
        if units >= position.character as usize {
            return start + i;
        }
        units += match encoding {
            PositionEncoding::Utf8 => c.len_utf8(),
            PositionEncoding::Utf16 => c.len_utf16(),
            PositionEncoding::Utf32 => 1,
        };
    }
    start + line.len()
}

/// One step of a path into a document: a mapping key or a sequence index.
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum PathSegment {
    Key(String),
    Index(usize),
}

/// The field under a position: what an editor needs to explain it from the schema.
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PathAt {
    /// 0-based index of the document in the stream.
    pub document: usize,
    /// The document's `apiVersion` and `kind`, when they are strings.
    pub api_version: Option<String>,
    pub kind: Option<String>,
    /// Keys and indexes from the document's root to the field (`["spec", "triggers", 0, "type"]`).
    pub path: Vec<PathSegment>,
    /// Whether the position is on the field's key (else on its scalar value).
    pub on_key: bool,
    /// The key's or the value's range.
    pub range: LspRange,
}

/// The field at `position` of `text` (a YAML or JSON stream): the key under it, or the key of
/// the scalar value under it. `None` between fields, on a comment, or in a document that does
/// not parse far enough to reach the position.
pub fn path_at(text: &str, position: LspPosition, encoding: PositionEncoding) -> Option<PathAt> {
    use scalecore::document::{parse_stream, Limits, Node, Value};
    let offset = byte_offset(text, position, encoding) as u32;
    let within = |n: &Node| n.span.start.offset <= offset && offset <= n.span.end.offset;
    let docs = parse_stream(text, &Limits::default());
    let (document, root) = docs.iter().enumerate().find_map(|(i, d)| {
        let root = d.root.as_ref()?;
        within(root).then_some((i, root))
    })?;
    let string_field = |key: &str| root.get(key).and_then(Node::as_str).map(str::to_owned);
    let mut path = Vec::new();
    let mut node = root;
    // A loop, not recursion: the parser's depth limit bounds it, and no stack is at stake.
    let (on_key, span) = loop {
        match &node.value {
            Value::Mapping(entries) => {
                let mut next = None;
                for e in entries {
                    let Some(key) = e.key_str() else { continue };
                    if within(&e.key) {
                        path.push(PathSegment::Key(key.to_owned()));
                        return Some(PathAt {
                            document,
                            api_version: string_field("apiVersion"),
                            kind: string_field("kind"),
                            path,
                            on_key: true,
                            range: span_range(text, e.key.span, encoding),
                        });
                    }
                    if within(&e.value) {
                        next = Some((PathSegment::Key(key.to_owned()), &e.value));
                    }
                }
                let (segment, child) = next?;
                path.push(segment);
                node = child;
            }
            Value::Sequence(items) => {
                let (i, child) = items.iter().enumerate().find(|(_, n)| within(n))?;
                path.push(PathSegment::Index(i));
                node = child;
            }
            Value::Scalar(_) if !path.is_empty() => break (false, node.span),
            Value::Scalar(_) => return None,
        }
    };
    Some(PathAt {
        document,
        api_version: string_field("apiVersion"),
        kind: string_field("kind"),
        path,
        on_key,
        range: span_range(text, span, encoding),
    })
}

fn span_range(text: &str, span: scalecore::document::Span, encoding: PositionEncoding) -> LspRange {
    let [start, end] = [span.start.offset, span.end.offset];
    let mut positions = lsp_positions(text, &[start as usize, end as usize], encoding).into_iter();
    LspRange {
        start: positions.next().unwrap_or_default(),
        end: positions.next().unwrap_or_default(),
    }
}

#[cfg(test)]
mod path_tests {
    use super::*;

    const SO: &str = "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: a # the name\nspec:\n  triggers:\n    - type: cpu\n      metadata:\n        value: \"60\"\n";

    fn at(text: &str, line: u32, character: u32) -> Option<PathAt> {
        path_at(
            text,
            LspPosition { line, character },
            PositionEncoding::Utf16,
        )
    }

    fn keys(p: &PathAt) -> String {
        let parts: Vec<String> = p
            .path
            .iter()
            .map(|s| match s {
                PathSegment::Key(k) => k.clone(),
                PathSegment::Index(i) => i.to_string(),
            })
            .collect();
        parts.join(".")
    }

    #[test]
    fn keys_values_and_sequence_items_name_their_field() {
        let on_key = at(SO, 6, 8).unwrap();
        assert_eq!(keys(&on_key), "spec.triggers.0.type");
        assert!(on_key.on_key);
        assert_eq!(on_key.kind.as_deref(), Some("ScaledObject"));
        assert_eq!(on_key.api_version.as_deref(), Some("keda.sh/v1alpha1"));
        let r = on_key.range;
        assert_eq!(
            (r.start.line, r.start.character, r.end.character),
            (6, 6, 10)
        );
        // The key's last character still counts (the cursor sits after it).
        assert!(at(SO, 6, 10).unwrap().on_key);
        let on_value = at(SO, 8, 17).unwrap();
        assert_eq!(keys(&on_value), "spec.triggers.0.metadata.value");
        assert!(!on_value.on_key);
        assert_eq!(at(SO, 4, 1).map(|p| keys(&p)).as_deref(), Some("spec"));
    }

    #[test]
    fn nothing_between_fields_on_comments_or_past_the_end() {
        assert_eq!(at(SO, 3, 16), None, "a comment");
        assert_eq!(at(SO, 40, 0), None);
        assert_eq!(at("", 0, 0), None);
        assert_eq!(at("just a scalar", 0, 2), None);
    }

    #[test]
    fn positions_count_in_the_requested_encoding_and_documents_in_the_stream() {
        // "é" is one UTF-16 unit and two UTF-8 bytes; "😀" two units and four bytes.
        let text = "a: 1\n---\nkind: ScaledJob\nx: {\"😀é\": 2, k: 3}\n";
        // `k` is at UTF-16 unit 14, UTF-8 byte 17, character 13.
        let found = [
            (14, PositionEncoding::Utf16),
            (17, PositionEncoding::Utf8),
            (13, PositionEncoding::Utf32),
        ]
        .map(|(character, encoding)| path_at(text, LspPosition { line: 3, character }, encoding));
        for p in found {
            let p = p.unwrap();
            assert_eq!((p.document, keys(&p).as_str(), p.on_key), (1, "x.k", true));
            assert_eq!(p.kind.as_deref(), Some("ScaledJob"));
        }
        let json = "{\"kind\": \"ScaledObject\", \"spec\": {\"pollingInterval\": 30}}";
        let p = at(json, 0, 38).unwrap();
        assert_eq!(keys(&p), "spec.pollingInterval");
        assert!(p.on_key);
    }

    #[test]
    fn byte_offsets_clamp_to_line_and_text() {
        assert_eq!(
            byte_offset(
                "ab\ncd",
                LspPosition {
                    line: 0,
                    character: 9
                },
                PositionEncoding::Utf16
            ),
            2
        );
        assert_eq!(
            byte_offset(
                "ab\ncd",
                LspPosition {
                    line: 1,
                    character: 1
                },
                PositionEncoding::Utf16
            ),
            4
        );
        assert_eq!(
            byte_offset(
                "ab\ncd",
                LspPosition {
                    line: 7,
                    character: 0
                },
                PositionEncoding::Utf16
            ),
            5
        );
        assert_eq!(
            byte_offset(
                "é😀x",
                LspPosition {
                    line: 0,
                    character: 3
                },
                PositionEncoding::Utf16
            ),
            6
        );
    }
}

/// Options of a fix request: the lint options, and whether unsafe fixes apply too.
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FixRequestOptions {
    #[serde(flatten)]
    pub lint: LintRequestOptions,
    #[serde(default)]
    pub unsafe_fixes: bool,
}

/// What `fix` returns: the fixed text, how many fixes were applied, and what a lint of the
/// fixed text still reports.
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FixResult {
    pub text: String,
    pub applied: usize,
    pub remaining: Vec<Diagnostic>,
    /// False when fixes kept changing the text until the round limit.
    pub converged: bool,
}

/// Applies the fixes of one input's findings until nothing changes, then lints it again.
pub fn fix(text: &str, options: &FixRequestOptions) -> Result<FixResult, BindingError> {
    let core = options.lint.to_core()?;
    let fixed = scalecore::fix::fix(
        text,
        &core,
        scalecore::fix::FixOptions {
            unsafe_fixes: options.unsafe_fixes,
        },
    );
    Ok(FixResult {
        text: fixed.texts.into_iter().next().unwrap_or_default(),
        applied: fixed.applied.into_iter().sum(),
        remaining: fixed.remaining.into_iter().next().unwrap_or_default(),
        converged: fixed.converged,
    })
}

/// `fix` for editors: what is left carries LSP ranges in the fixed text (the Node and Wasm
/// packages return this).
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EditorFixResult {
    pub text: String,
    pub applied: usize,
    pub remaining: Vec<EditorDiagnostic>,
    pub converged: bool,
}

pub fn fix_for_editor(
    text: &str,
    options: &FixRequestOptions,
    encoding: PositionEncoding,
) -> Result<EditorFixResult, BindingError> {
    let r = fix(text, options)?;
    Ok(EditorFixResult {
        remaining: editor_diagnostics(&r.text, r.remaining, encoding),
        text: r.text,
        applied: r.applied,
        converged: r.converged,
    })
}

#[cfg(test)]
mod editor_tests {
    use super::*;

    #[test]
    fn lsp_positions_count_utf16_code_units() {
        let text = "a: 1\n𝄞é: x\n";
        let x = text.find('x').unwrap();
        assert_eq!(
            lsp_position(text, x, PositionEncoding::Utf16),
            LspPosition {
                line: 1,
                character: 5
            }
        );
        assert_eq!(
            lsp_position(text, x, PositionEncoding::Utf8),
            LspPosition {
                line: 1,
                character: 8
            }
        );
        assert_eq!(
            lsp_position(text, x, PositionEncoding::Utf32),
            LspPosition {
                line: 1,
                character: 4
            }
        );
    }

    #[test]
    fn positions_in_one_walk_agree_with_each_from_byte_zero() {
        // Multi-byte text: 2-, 3- and 4-byte characters (the last two UTF-16 units), CRLF,
        // an empty line and a long line; every offset, in and between characters, and past
        // the end.
        let mut text = String::from("a: 1\r\n𝄞é: \"x€\"\n\n- ü𝄞𝄞\n");
        text.push_str(&"ß𝄞k".repeat(50));
        text.push_str("\nend");
        let offsets: Vec<usize> = (0..text.len() + 3).rev().collect();
        for encoding in [
            PositionEncoding::Utf8,
            PositionEncoding::Utf16,
            PositionEncoding::Utf32,
        ] {
            let batch = lsp_positions(&text, &offsets, encoding);
            for (&o, got) in offsets.iter().zip(&batch) {
                assert_eq!(*got, lsp_position(&text, o, encoding), "{o} {encoding:?}");
            }
        }
    }

    /// `cargo test --release -p scalecore-bindings -- --ignored --nocapture lsp_benchmark`
    #[test]
    #[ignore]
    fn lsp_benchmark() {
        // 3.9 MB of multi-byte YAML, 10,000 findings spread over it (20,000 offsets).
        let line = "  description: \"ünïcødé 𝄞 text to make the line long enough\"\n";
        let text = line.repeat(3_900_000 / line.len());
        let offsets: Vec<usize> = (0..20_000).map(|i| i * (text.len() / 20_000)).collect();
        let start = std::time::Instant::now();
        let batch = lsp_positions(&text, &offsets, PositionEncoding::Utf16);
        let one_walk = start.elapsed();
        let start = std::time::Instant::now();
        let each: Vec<LspPosition> = offsets
            .iter()
            .map(|&o| lsp_position(&text, o, PositionEncoding::Utf16))
            .collect();
        let from_zero = start.elapsed();
        assert_eq!(batch, each);
        println!(
            "{} bytes, {} offsets: one walk {one_walk:?}, each from byte 0 {from_zero:?}",
            text.len(),
            offsets.len()
        );
        // End to end: 5,000 ScaledObjects with two findings each, padded with multi-byte
        // comments to 3.9 MB.
        let pad = "# ünïcødé 𝄞 padding to make a large file\n".repeat(11);
        let doc = |i: usize| {
            format!("{pad}apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: s{i}\nspec:\n  scaleTargetRef:\n    name: orders\n  triggers:\n  - type: cron\n    metadata:\n      timezone: UTC\n      start: 0 7 * * *\n      end: 0 19 * * *\n      desiredReplicas: 'x'\n")
        };
        let text = (0..5_000).map(doc).collect::<Vec<_>>().join("---\n");
        let o = LintRequestOptions::default();
        let start = std::time::Instant::now();
        let plain = lint(&text, &o).unwrap();
        let lint_only = start.elapsed();
        let start = std::time::Instant::now();
        let editor = lint_for_editor(&text, &o, PositionEncoding::Utf16).unwrap();
        let with_ranges = start.elapsed();
        println!(
            "{} bytes, {} findings: lint {lint_only:?}, lint with LSP ranges {with_ranges:?}",
            text.len(),
            editor.len().min(plain.len())
        );
    }

    #[test]
    fn editor_ranges_are_those_of_each_diagnostic() {
        let text = "# ünïcødé 𝄞\n".to_owned()
            + &(0..40)
                .map(|i| format!("apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: s{i}\nspec:\n  scaleTargetRef:\n    name: wörk\n  triggers: []\n"))
                .collect::<Vec<_>>()
                .join("---\n");
        let found = lint_for_editor(
            &text,
            &LintRequestOptions::default(),
            PositionEncoding::Utf16,
        )
        .unwrap();
        assert!(found.len() > 40);
        for d in &found {
            assert_eq!(
                d.range,
                lsp_range(&text, &d.diagnostic, PositionEncoding::Utf16)
            );
        }
    }

    #[test]
    fn editor_diagnostics_carry_contract_and_range() {
        let text = "a: 1\nb: [\n";
        let d = lint_for_editor(
            text,
            &LintRequestOptions::default(),
            PositionEncoding::Utf16,
        )
        .unwrap();
        let v = serde_json::to_value(&d[0]).unwrap();
        assert_eq!(v["code"], "KEDA0001");
        assert_eq!(v["line"], d[0].range.start.line + 1);
        assert!(v["range"]["start"]["character"].is_u64());
    }

    #[test]
    fn every_answer_carries_at_most_the_capped_findings() {
        // 6,000 ScaledObjects on one workload, each with a bad trigger besides the conflict.
        let text = (0..6_000)
            .map(|i| format!("apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: s{i}\nspec:\n  scaleTargetRef:\n    name: orders\n  triggers:\n  - type: cron\n    metadata:\n      timezone: UTC\n      start: 0 7 * * *\n      end: 0 19 * * *\n      desiredReplicas: 'x'\n"))
            .collect::<Vec<_>>()
            .join("---\n");
        let limit = scalecore::Limits::default().max_findings;
        let o = LintRequestOptions::default();
        let editor = lint_for_editor(&text, &o, PositionEncoding::Utf16).unwrap();
        assert_eq!(editor.len(), limit + 1);
        assert_eq!(editor[limit].diagnostic.code, "KEDA0012");
        let files = [FileInput {
            path: "many.yaml".into(),
            text,
        }];
        let report = lint_files(&files, &o).unwrap();
        assert_eq!(report.files[0].diagnostics.len(), limit + 1);
        assert!(report.summary.errors <= limit);
    }

    #[test]
    fn simulate_errors_are_binding_errors() {
        assert!(matches!(simulate_json("{"), Err(BindingError::Scenario(_))));
    }
}

// --- Typed scenario errors (for bindings that raise an error carrying its location) ---

/// Runs a decoded scenario, keeping the error's structure (JSON line/column, manifest
/// position, step index) instead of flattening it into [`BindingError::Scenario`].
pub fn simulate_detailed(scenario: &Scenario) -> Result<Trace, ScenarioError> {
    scalecore::simulate::simulate(scenario)
}

/// Runs a scenario given as JSON text, keeping the error's structure.
pub fn simulate_json_detailed(scenario: &str) -> Result<Trace, ScenarioError> {
    scalecore::simulate::simulate_json(scenario)
}

/// [`simulate_detailed`] that asks `keep_going` now and then whether to go on (a host's
/// signal check); `false` ends it with [`ScenarioError::Interrupted`].
pub fn simulate_interruptible(
    scenario: &Scenario,
    keep_going: &mut dyn FnMut() -> bool,
) -> Result<Trace, ScenarioError> {
    scalecore::simulate::simulate_interruptible(scenario, keep_going)
}

/// [`simulate_json_detailed`] with the check of [`simulate_interruptible`].
pub fn simulate_json_interruptible(
    scenario: &str,
    keep_going: &mut dyn FnMut() -> bool,
) -> Result<Trace, ScenarioError> {
    let scenario = scalecore::simulate::scenario_from_json(scenario)?;
    scalecore::simulate::simulate_interruptible(&scenario, keep_going)
}

#[cfg(test)]
mod detailed_tests {
    use super::*;

    #[test]
    fn detailed_errors_keep_their_location() {
        match simulate_json_detailed("{\n  \"manifest\": 3\n}") {
            Err(ScenarioError::Json { line, .. }) => assert_eq!(line, 2),
            other => panic!("expected a JSON error, got {other:?}"),
        }
        let s = Scenario {
            manifest: "kind: ConfigMap\n".into(),
            ..Default::default()
        };
        assert_eq!(simulate_detailed(&s), Err(ScenarioError::NoScaledObject));
    }
}

/// JSON Schemas (draft 2020-12) of the shapes every binding shares, generated from the types
/// above: `docs/schemas/*.schema.json` and `scalecore schema NAME`. Inputs (the scenario) are
/// described as they are read, outputs (trace, report, diagnostic) as they are written: a
/// field left out when empty is optional there.
#[cfg(feature = "json-schema")]
pub mod schema {
    use schemars::generate::SchemaSettings;
    use schemars::JsonSchema;

    /// The names of [`by_name`], in the order `docs/schemas/` lists them.
    pub const NAMES: [&str; 4] = ["scenario", "trace", "report", "diagnostic"];

    fn input<T: JsonSchema>() -> serde_json::Value {
        SchemaSettings::draft2020_12()
            .for_deserialize()
            .into_generator()
            .into_root_schema_for::<T>()
            .to_value()
    }

    fn output<T: JsonSchema>() -> serde_json::Value {
        SchemaSettings::draft2020_12()
            .for_serialize()
            .into_generator()
            .into_root_schema_for::<T>()
            .to_value()
    }

    /// The scenario, input of `simulate` (docs/scenario.md).
    pub fn scenario() -> serde_json::Value {
        input::<super::Scenario>()
    }

    /// The trace, output of `simulate` (docs/scenario.md, "Trace").
    pub fn trace() -> serde_json::Value {
        output::<super::Trace>()
    }

    /// `scalecore lint --format json` (docs/formats.md).
    pub fn report() -> serde_json::Value {
        output::<super::LintReport>()
    }

    /// One finding, as `lint` in every binding returns them (docs/formats.md, "Diagnostic").
    pub fn diagnostic() -> serde_json::Value {
        output::<super::Diagnostic>()
    }

    /// Every named shape of the contract, by type name, as `$defs` entries whose `$ref`s point
    /// at one another (`#/$defs/NAME`): what the TypeScript declarations and the Python types of
    /// the packages are generated from (tests/tests/contract_types.rs). Inputs are described as
    /// they are read, outputs as they are written, as in the schemas above.
    pub fn contract() -> serde_json::Map<String, serde_json::Value> {
        let mut read = SchemaSettings::draft2020_12()
            .for_deserialize()
            .into_generator();
        read.subschema_for::<super::Scenario>();
        read.subschema_for::<super::LintRequestOptions>();
        read.subschema_for::<super::FixRequestOptions>();
        read.subschema_for::<super::FileInput>();
        read.subschema_for::<super::PositionEncoding>();
        let mut written = SchemaSettings::draft2020_12()
            .for_serialize()
            .into_generator();
        written.subschema_for::<super::Trace>();
        written.subschema_for::<super::LintReport>();
        written.subschema_for::<super::FixResult>();
        written.subschema_for::<super::EditorDiagnostic>();
        written.subschema_for::<super::EditorFixResult>();
        written.subschema_for::<super::RuleInfo>();
        written.subschema_for::<super::RuleDoc>();
        written.subschema_for::<super::PathAt>();
        let mut all = read.take_definitions(true);
        for (name, schema) in written.take_definitions(true) {
            if let Some(before) = all.get(&name) {
                assert_eq!(before, &schema, "{name}: read and written differently");
            }
            all.insert(name, schema);
        }
        all
    }

    /// The schema called `name` (one of [`NAMES`]).
    pub fn by_name(name: &str) -> Option<serde_json::Value> {
        match name {
            "scenario" => Some(scenario()),
            "trace" => Some(trace()),
            "report" => Some(report()),
            "diagnostic" => Some(diagnostic()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod fix_tests {
    use super::*;

    const UNQUOTED: &str = "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: é-a\nspec:\n  scaleTargetRef:\n    name: a\n  triggers:\n  - type: cpu\n    metricType: Utilization\n    metadata:\n      value: 50\n";

    #[test]
    fn fix_options_arrive_as_json_and_unknown_keys_are_refused() {
        let o: FixRequestOptions =
            serde_json::from_str(r#"{"unsafeFixes":true,"ignore":["KEDA0112"]}"#).unwrap();
        assert!(o.unsafe_fixes);
        assert_eq!(o.lint.ignore, ["KEDA0112"]);
        assert!(serde_json::from_str::<FixRequestOptions>(r#"{"unsafeFix":true}"#).is_err());
    }

    #[test]
    fn fix_quotes_a_number_where_kedas_metadata_wants_a_string() {
        let r = fix(UNQUOTED, &FixRequestOptions::default()).unwrap();
        assert_eq!(r.applied, 1);
        assert!(r.converged);
        assert!(r.text.ends_with("      value: \"50\"\n"), "{}", r.text);
        assert!(
            r.remaining.iter().all(|d| d.code != "KEDA0101"),
            "{:?}",
            r.remaining
        );
    }

    #[test]
    fn editor_fixes_carry_lsp_ranges_of_their_edits() {
        let found = lint_for_editor(
            UNQUOTED,
            &LintRequestOptions::default(),
            PositionEncoding::Utf16,
        )
        .unwrap();
        let d = found
            .iter()
            .find(|d| d.diagnostic.code == "KEDA0101")
            .unwrap();
        let edit = &d.fixes[0].edits[0];
        assert_eq!(edit.edit.new_text, "\"50\"");
        assert_eq!(edit.range, d.range);
        assert_eq!(
            edit.range.start,
            LspPosition {
                line: 11,
                character: 13
            }
        );
        let json = serde_json::to_value(d).unwrap();
        assert_eq!(json["fixes"][0]["applicability"], "safe");
        assert_eq!(json["fixes"][0]["title"], d.fixes[0].title);
        assert_eq!(
            json["fixes"][0]["edits"][0]["range"]["end"]["character"],
            15
        );
        assert_eq!(json["fixes"][0]["edits"][0]["endColumn"], 16);
        let back: EditorDiagnostic = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(serde_json::to_value(&back).unwrap(), json);
    }

    #[test]
    fn editor_fix_ranges_what_is_left_in_the_fixed_text() {
        // The fix lengthens the line by two quotes; the finding left after it on that line must
        // be ranged in the fixed text, not the original.
        let text = UNQUOTED.replace(
            "metadata:\n      value: 50\n",
            "metadata: {value: 50, x: [1]}\n",
        );
        let o = FixRequestOptions::default();
        let plain = fix(&text, &o).unwrap();
        let editor = fix_for_editor(&text, &o, PositionEncoding::Utf16).unwrap();
        assert_eq!(
            (&editor.text, editor.applied, editor.converged),
            (&plain.text, plain.applied, plain.converged)
        );
        assert!(editor.applied > 0 && !editor.remaining.is_empty());
        let contract: Vec<&Diagnostic> = editor.remaining.iter().map(|d| &d.diagnostic).collect();
        assert_eq!(contract, plain.remaining.iter().collect::<Vec<_>>());
        for (e, d) in editor.remaining.iter().zip(&plain.remaining) {
            assert_eq!(e.range, lsp_range(&plain.text, d, PositionEncoding::Utf16));
        }
        let left = editor
            .remaining
            .iter()
            .find(|d| d.diagnostic.path.ends_with(".x"))
            .unwrap();
        let before = lint(&text, &o.lint).unwrap();
        let was = before.iter().find(|d| d.path.ends_with(".x")).unwrap();
        assert_eq!(
            left.range.start.character,
            was.column + 1,
            "shifted by the quotes"
        );
        let json = serde_json::to_value(&editor).unwrap();
        assert!(json["remaining"][0]["range"]["start"]["line"].is_u64());
    }
}
