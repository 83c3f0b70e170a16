//! The JSON contract (docs/formats.md, docs/scenario.md) as TypeScript declarations: tsify writes these types into the
//! package's `.d.ts`. Values cross the boundary as the native `scalecore-bindings` types; these
//! mirrors exist for their declarations, and the tests below prove that every golden native
//! answer decodes into them with no unknown field and re-encodes unchanged, so the `.d.ts`
//! cannot drift from what the functions return.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tsify::Tsify;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

/// The layer of KEDA a rule stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Schema,
    Webhook,
    Scaler,
    Reference,
    Lint,
}

/// One finding. Lines and columns are 1-based, columns count Unicode scalar values, the end is
/// exclusive.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Diagnostic {
    pub code: String,
    pub severity: Severity,
    pub message: String,
    /// Dotted path of the node, e.g. `spec.triggers[0].metadata.queueName`.
    pub path: String,
    /// Index of the document in its input (0-based).
    pub document: u32,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    pub source: Source,
    /// Ways to resolve the finding, best first; absent when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixes: Option<Vec<Fix>>,
}

/// Whether a fix may be applied without a person looking at it: `safe` keeps what the author
/// meant (`fix` applies it), `unsafe` may change behaviour (only with `unsafeFixes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    Safe,
    Unsafe,
}

/// One way to resolve a finding: edits to the text it was found in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct Fix {
    /// Imperative, for a code action's title (`Quote the value`).
    pub title: String,
    pub applicability: Applicability,
    /// Non-overlapping, in position order.
    pub edits: Vec<Edit>,
}

/// Replace the text between two positions (a diagnostic's: 1-based, end exclusive) with
/// `newText`; an insertion when the two are equal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Edit {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub new_text: String,
}

/// A fix as `lint` returns it: each edit also has its LSP `range`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct EditorFix {
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<EditorEdit>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EditorEdit {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub new_text: String,
    pub range: LspRange,
}

/// An LSP position: 0-based line, character offset in the requested encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct LspPosition {
    pub line: u32,
    pub character: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct LspRange {
    pub start: LspPosition,
    pub end: LspPosition,
}

/// What `lint` returns: the contract plus an LSP range (also on each edit of its fixes).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EditorDiagnostic {
    pub code: String,
    pub severity: Severity,
    pub message: String,
    /// Dotted path of the node, e.g. `spec.triggers[0].metadata.queueName`.
    pub path: String,
    /// Index of the document in its input (0-based).
    pub document: u32,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    pub source: Source,
    /// Ways to resolve the finding, best first; absent when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixes: Option<Vec<EditorFix>>,
    pub range: LspRange,
}

/// What `fix` returns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct FixResult {
    /// The input after fixing.
    pub text: String,
    /// Fixes applied, over every round.
    pub applied: u32,
    /// What `lint` reports for `text` (ranges in the fixed text).
    pub remaining: Vec<EditorDiagnostic>,
    /// False when fixes kept changing the text until the round limit.
    pub converged: bool,
}

/// Options of `fix`: those of `lint`, and whether unsafe fixes apply too.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct FixOptions {
    /// Also apply fixes whose `applicability` is `unsafe`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsafe_fixes: Option<bool>,
    #[serde(flatten)]
    pub lint: LintOptions,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Tsify)]
pub enum PositionEncoding {
    #[serde(rename = "utf-16")]
    Utf16,
    #[serde(rename = "utf-8")]
    Utf8,
    #[serde(rename = "utf-32")]
    Utf32,
}

/// Options of `lint` (all optional).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LintOptions {
    /// Shown in reports; not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// KEDA release whose rules apply (`2.20`, `2.18.1`); default 2.20.2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keda_version: Option<String>,
    /// Report references to objects missing from the inputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strict_refs: Option<bool>,
    /// Namespace of objects that name none; default `default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_namespace: Option<String>,
    /// How `range` counts characters; default `utf-16` (JavaScript strings, CodeMirror, LSP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position_encoding: Option<PositionEncoding>,
    /// Codes never reported (`["KEDA1020"]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore: Option<Vec<String>>,
    /// Codes or code prefixes reported (`["KEDA1", "KEDA3003"]`); absent reports all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub select: Option<Vec<String>>,
    /// Severities that replace a rule's own, by code (`{"KEDA1020": "error"}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<BTreeMap<String, Severity>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct FileInput {
    pub path: String,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct FileReport {
    pub path: String,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    pub errors: u32,
    pub warnings: u32,
}

/// What `lintFiles` returns (the CLI's JSON report).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct LintReport {
    pub files: Vec<FileReport>,
    pub summary: Summary,
}

/// A rule as data (`rules()`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RuleInfo {
    pub code: String,
    pub name: String,
    pub severity: Severity,
    pub source: Source,
    pub summary: String,
    pub help: String,
    pub since: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// The applicabilities of the fixes its findings can carry (empty: none).
    pub fixes: Vec<Applicability>,
}

/// Input of `simulate`: a ScaledObject or ScaledJob and what happens to it over time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario {
    /// ScaledObject or ScaledJob YAML/JSON text; the first one found is simulated.
    pub manifest: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial: Option<InitialSpec>,
    /// Seconds between HPA syncs; default 15.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hpa_sync_period: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<Step>>,
    /// Series and queue mode: last tick time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<QueueModel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<Vec<Expect>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InitialSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(type = "number | null")]
    pub last_active_time: Option<Option<i64>>,
    /// The ScaledObject's creationTimestamp (default -1: created just before t=0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(type = "number | null")]
    pub creation_time: Option<Option<i64>>,
}

/// One step: a tick (explicit mode, `loop` set) or a metric sample (series mode).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Step {
    pub t: i64,
    /// `keda`, `hpa`, `reconcile` or `delete`.
    #[serde(default, rename = "loop", skip_serializing_if = "Option::is_none")]
    pub loop_kind: Option<String>,
    /// Trigger values keyed by trigger `name`, else `s{index}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<BTreeMap<String, f64>>,
    /// Triggers whose scaler call fails at this step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_pods: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_replicas: Option<i64>,
    /// cpu/memory: of the pods not ready, those still Pending (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_pods: Option<i64>,
    /// cpu/memory: of the ready pods, those the metrics API has no sample for (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pods_without_metrics: Option<i64>,
    /// Annotation changes from this step on; `null` removes a key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, Option<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub running_jobs: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_jobs: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Expect {
    pub t: i64,
    #[serde(default, rename = "loop", skip_serializing_if = "Option::is_none")]
    pub loop_kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

/// Messages per second: constant, or a piecewise-constant series.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(untagged)]
pub enum ArrivalRate {
    Constant(f64),
    Series(Vec<RatePoint>),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct RatePoint {
    pub t: i64,
    pub rate: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct Burst {
    pub t: i64,
    pub messages: f64,
}

/// A queue feeding one trigger (capacity planning).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QueueModel {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_messages: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bursts: Option<Vec<Burst>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrival_rate: Option<ArrivalRate>,
    pub messages_per_pod_per_second: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_startup_seconds: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<i64>,
}

/// One trigger at one step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TriggerTrace {
    /// The value served (the scaler's or the fallback's); absent on error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    pub active: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<bool>,
    /// The fallback failure counter after the step (absent when 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failures: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TraceStep {
    pub t: i64,
    #[serde(rename = "loop")]
    pub loop_kind: String,
    /// Replicas after the step (ScaledJob: Jobs created by the poll).
    pub replicas: i64,
    pub active: bool,
    pub fallback: bool,
    pub reason: String,
    pub triggers: BTreeMap<String, TriggerTrace>,
    /// Queue mode: messages waiting at the tick.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_length: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_pods: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest_wait_seconds: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_seconds: Option<f64>,
}

/// An `expect` entry that did not hold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct Mismatch {
    pub t: i64,
    pub field: String,
    #[tsify(type = "number | boolean")]
    pub expected: serde_json_value::Scalar,
    /// `null` when no step matched.
    #[tsify(type = "number | boolean | null")]
    pub actual: Option<serde_json_value::Scalar>,
}

/// What the queue model measured over the run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QueueSummary {
    pub messages_arrived: f64,
    pub messages_processed: f64,
    pub messages_left: f64,
    pub pod_seconds: f64,
    pub mean_wait_seconds: f64,
    pub max_wait_seconds: f64,
    pub peak_queue_length: f64,
    pub peak_replicas: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_empty_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zero_replicas_at: Option<i64>,
}

/// What `simulate` returns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct Trace {
    pub steps: Vec<TraceStep>,
    pub diagnostics: Vec<Diagnostic>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mismatches: Option<Vec<Mismatch>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<QueueSummary>,
}

/// `expected`/`actual` of a mismatch: a replica count or an active flag.
mod serde_json_value {
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    #[serde(untagged)]
    pub enum Scalar {
        Int(i64),
        Bool(bool),
    }
}
