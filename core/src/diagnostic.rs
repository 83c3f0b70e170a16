//! The diagnostic: one finding about one node, in the stable JSON shape outside tools read.

use serde::{Deserialize, Serialize};

use crate::document::{Pos, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// KEDA (or the API server) would reject it, or it can never work.
    Error,
    /// Accepted, but wrong or risky.
    Warning,
    /// Worth knowing; never fails a run.
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// Which layer of KEDA (or of experience) a rule stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The CRD's OpenAPI schema and CEL rules, applied by the API server.
    Schema,
    /// KEDA's validating admission webhook.
    Webhook,
    /// A scaler's metadata parsing in the operator.
    Scaler,
    /// References between documents (authentication, workloads, HPAs).
    Reference,
    /// What experience teaches: accepted by KEDA, wrong in practice.
    Lint,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Schema => "schema",
            Source::Webhook => "webhook",
            Source::Scaler => "scaler",
            Source::Reference => "reference",
            Source::Lint => "lint",
        }
    }
}

/// One finding. Serialises to the JSON contract:
/// `{code, severity, message, path, document, line, column, endLine, endColumn, help, source,
/// fixes}` (`help` and `fixes` only when there are any).
/// Lines and columns are 1-based, columns count Unicode scalar values, the end is exclusive.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Diagnostic {
    /// The rule: `KEDA` and four digits (docs/rules.md).
    #[cfg_attr(feature = "json-schema", schemars(regex(pattern = r"^KEDA[0-9]{4}$")))]
    pub code: String,
    /// The rule's severity, or the one configured for its code.
    pub severity: Severity,
    /// What is wrong, in KEDA's words where KEDA has them.
    pub message: String,
    /// Dotted path of the node (`spec.triggers[0].metadata.queueName`); empty for the document.
    pub path: String,
    /// Index of the document in its input (0-based).
    pub document: usize,
    /// 1-based line of the start.
    pub line: u32,
    /// 1-based column of the start, in Unicode scalar values.
    pub column: u32,
    /// 1-based line of the end.
    pub end_line: u32,
    /// 1-based column just past the end (exclusive), in Unicode scalar values.
    pub end_column: u32,
    /// What to do, when there is something to say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "json-schema", schemars(with = "String"))]
    pub help: Option<String>,
    /// The layer of KEDA the rule stands for.
    pub source: Source,
    /// Changes that resolve the finding, best first; a client applies at most one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "json-schema", schemars(length(min = 1)))]
    pub fixes: Vec<Fix>,
    /// Byte range in the input, for editors that want offsets (not part of the JSON contract).
    #[serde(skip)]
    pub span: Span,
    /// Which input of a bundle the diagnostic belongs to (not part of the JSON contract).
    #[serde(skip)]
    pub file: usize,
}

impl Diagnostic {
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Whether a fix may be applied without a person looking at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Keeps what the author meant: `scalecore lint --fix` applies it.
    Safe,
    /// Probably right, but may change behaviour (a guessed spelling, a changed value): only
    /// with `--unsafe-fixes`, or when a person picks it in an editor.
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// One way to resolve a finding: text edits to the input the finding is in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Fix {
    /// Imperative, for a code action's title (`Quote the value`).
    pub title: String,
    /// `safe` or `unsafe`.
    pub applicability: Applicability,
    /// Non-overlapping edits, in position order.
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn new(title: impl Into<String>, applicability: Applicability, edits: Vec<Edit>) -> Fix {
        let mut edits = edits;
        crate::sort::sort_by_key(&mut edits, |e| (e.span.start.offset, e.span.end.offset));
        Fix {
            title: title.into(),
            applicability,
            edits,
        }
    }

    pub fn safe(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix::new(title, Applicability::Safe, edits)
    }

    pub fn unsafe_(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix::new(title, Applicability::Unsafe, edits)
    }
}

/// Replace the text between two positions (the same positions as a diagnostic's: 1-based,
/// end exclusive) with `newText`; an insertion when the two are equal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Edit {
    /// 1-based line of the start.
    pub line: u32,
    /// 1-based column of the start, in Unicode scalar values.
    pub column: u32,
    /// 1-based line of the end.
    pub end_line: u32,
    /// 1-based column just past the end (exclusive), in Unicode scalar values.
    pub end_column: u32,
    /// The text that replaces the range (empty: a deletion).
    pub new_text: String,
    /// Byte range in the input (not part of the JSON contract).
    #[serde(skip)]
    pub span: Span,
}

impl Edit {
    pub fn replace(span: Span, new_text: impl Into<String>) -> Edit {
        Edit {
            line: span.start.line,
            column: span.start.column,
            end_line: span.end.line,
            end_column: span.end.column,
            new_text: new_text.into(),
            span,
        }
    }

    pub fn insert(at: Pos, text: impl Into<String>) -> Edit {
        Edit::replace(Span::new(at, at), text)
    }

    pub fn delete(span: Span) -> Edit {
        Edit::replace(span, String::new())
    }
}
