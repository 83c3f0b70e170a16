//! The diagnostic: one finding about one node, in the stable JSON shape outside tools read.

use serde::{Deserialize, Serialize};

use crate::document::Span;

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
/// `{code, severity, message, path, document, line, column, endLine, endColumn, help, source}`.
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
