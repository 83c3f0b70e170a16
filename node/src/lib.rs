//! The Node addon: converts JS values to `scalecore-bindings` requests and answers back to JS
//! objects; no logic of its own, so Node answers exactly what the native library answers.

pub mod cli;

use napi::bindgen_prelude::*;
use napi::{Env, ScopedTask, Unknown};
use napi_derive::napi;
use scalecore_bindings::{
    self as sb, EditorDiagnostic, EditorFixResult, FixRequestOptions, LintRequestOptions,
    PositionEncoding,
};

/// Options of `lint`; all optional.
#[napi(object)]
#[derive(Default)]
pub struct LintOptions {
    /// Shown in reports; not read.
    pub path: Option<String>,
    /// How `range` counts characters within a line (LSP `positionEncoding`); default `utf-16`.
    #[napi(ts_type = "'utf-16' | 'utf-8' | 'utf-32'")]
    pub position_encoding: Option<String>,
    /// KEDA release whose rules apply (`2.20`, `2.18.1`); default 2.20.2.
    pub keda_version: Option<String>,
    /// Report references to objects missing from the input.
    pub strict_refs: Option<bool>,
    /// Namespace of objects that name none; default `default`.
    pub default_namespace: Option<String>,
    /// Codes never reported (`['KEDA1020']`).
    pub ignore: Option<Vec<String>>,
    /// Codes or code prefixes reported (`['KEDA1', 'KEDA3003']`); absent reports all.
    pub select: Option<Vec<String>>,
    /// Severities that replace a rule's own, by code (`{ KEDA1020: 'error' }`).
    #[napi(ts_type = "Record<string, 'error' | 'warning' | 'info'>")]
    pub severity: Option<std::collections::HashMap<String, String>>,
}

/// Options of `fix`: those of `lint`, and whether unsafe fixes apply too.
#[napi(object)]
#[derive(Default)]
pub struct FixOptions {
    /// Also apply fixes whose `applicability` is `unsafe` (they may change behaviour).
    pub unsafe_fixes: Option<bool>,
    /// Shown in reports; not read.
    pub path: Option<String>,
    /// How the `range` of what is left counts characters; default `utf-16`.
    #[napi(ts_type = "'utf-16' | 'utf-8' | 'utf-32'")]
    pub position_encoding: Option<String>,
    /// KEDA release whose rules apply (`2.20`, `2.18.1`); default 2.20.2.
    pub keda_version: Option<String>,
    /// Report references to objects missing from the input.
    pub strict_refs: Option<bool>,
    /// Namespace of objects that name none; default `default`.
    pub default_namespace: Option<String>,
    /// Codes never reported, nor fixed (`['KEDA1020']`).
    pub ignore: Option<Vec<String>>,
    /// Codes or code prefixes reported and fixed (`['KEDA1', 'KEDA3003']`); absent: all.
    pub select: Option<Vec<String>>,
    /// Severities that replace a rule's own, by code (`{ KEDA1020: 'error' }`).
    #[napi(ts_type = "Record<string, 'error' | 'warning' | 'info'>")]
    pub severity: Option<std::collections::HashMap<String, String>>,
}

impl FixOptions {
    /// The lint options in it, and whether unsafe fixes apply.
    fn split(self) -> (LintOptions, bool) {
        let lint = LintOptions {
            path: self.path,
            position_encoding: self.position_encoding,
            keda_version: self.keda_version,
            strict_refs: self.strict_refs,
            default_namespace: self.default_namespace,
            ignore: self.ignore,
            select: self.select,
            severity: self.severity,
        };
        (lint, self.unsafe_fixes.unwrap_or(false))
    }
}

/// JS values of an answer: serde_json text handed to V8's `JSON.parse`, which builds the objects
/// faster than property-by-property napi calls (most of the cost of a long diagnostic list).
fn to_js<'env, T: serde::Serialize>(env: &'env Env, value: &T) -> Result<Unknown<'env>> {
    let text = serde_json::to_string(value).map_err(invalid)?;
    let json: Object = env.get_global()?.get_named_property("JSON")?;
    let parse: Function<String, Unknown> = json.get_named_property("parse")?;
    parse.call(text)
}

fn invalid(e: impl std::fmt::Display) -> Error {
    Error::new(Status::InvalidArg, e.to_string())
}

fn encoding(name: Option<String>) -> Result<PositionEncoding> {
    match name {
        None => Ok(PositionEncoding::default()),
        Some(name) => {
            serde_json::from_value(serde_json::Value::String(name.clone())).map_err(|_| {
                invalid(format!(
                    "positionEncoding must be 'utf-16', 'utf-8' or 'utf-32', not '{name}'"
                ))
            })
        }
    }
}

/// One lint request, decoded from JS before any work starts (so a bad option throws at the
/// call, also for `lintAsync`).
struct LintRequest {
    text: String,
    options: LintRequestOptions,
    encoding: PositionEncoding,
}

impl LintRequest {
    fn new(text: String, options: Option<LintOptions>) -> Result<Self> {
        let o = options.unwrap_or_default();
        let encoding = encoding(o.position_encoding)?;
        let severity = o
            .severity
            .unwrap_or_default()
            .into_iter()
            .map(|(code, s)| {
                let parsed =
                    serde_json::from_value(serde_json::Value::String(s.clone())).map_err(|_| {
                        invalid(format!(
                            "severity of {code} must be 'error', 'warning' or 'info', not '{s}'"
                        ))
                    })?;
                Ok((code, parsed))
            })
            .collect::<Result<_>>()?;
        let options = LintRequestOptions {
            path: o.path,
            keda_version: o.keda_version,
            strict_refs: o.strict_refs.unwrap_or(false),
            default_namespace: o.default_namespace,
            ignore: o.ignore.unwrap_or_default(),
            select: o.select,
            severity,
        };
        // A bad keda version is a request error: report it now, not from the worker.
        options.to_core().map_err(invalid)?;
        Ok(LintRequest {
            text,
            options,
            encoding,
        })
    }

    fn run(&self) -> Result<Vec<EditorDiagnostic>> {
        sb::lint_for_editor(&self.text, &self.options, self.encoding).map_err(invalid)
    }
}

/// Lints one input (a YAML or JSON stream of KEDA documents). Each diagnostic is the JSON
/// contract (`code`, `severity`, `message`, `path`, `document`, 1-based `line`/`column`,
/// `endLine`/`endColumn`, `help`, `source`, `fixes`) plus an LSP `range` (0-based), also on
/// each edit of its fixes.
#[napi(ts_return_type = "Diagnostic[]")]
pub fn lint<'env>(
    env: &'env Env,
    text: String,
    options: Option<LintOptions>,
) -> Result<Unknown<'env>> {
    let found = LintRequest::new(text, options)?.run()?;
    to_js(env, &found)
}

/// One input of `lintFiles`.
#[napi(object)]
pub struct FileInput {
    /// Shown in the report; not read.
    pub path: String,
    /// The file's text (a YAML or JSON stream).
    pub text: String,
}

/// Lints several inputs together, so references between them resolve (a ScaledObject in
/// one file, its Deployment in another), as the CLI lints the files it is given. Returns
/// the CLI's JSON report `{files: [{path, diagnostics}], summary: {errors, warnings}}`; each
/// diagnostic is the JSON contract with its LSP `range` left out. Options are those of `lint`
/// (`path` and `positionEncoding` are not used).
#[napi(ts_return_type = "LintReport")]
pub fn lint_files<'env>(
    env: &'env Env,
    files: Vec<FileInput>,
    options: Option<LintOptions>,
) -> Result<Unknown<'env>> {
    let request = LintRequest::new(String::new(), options)?;
    let inputs: Vec<sb::FileInput> = files
        .into_iter()
        .map(|f| sb::FileInput {
            path: f.path,
            text: f.text,
        })
        .collect();
    let report = sb::lint_files(&inputs, &request.options).map_err(invalid)?;
    to_js(env, &report)
}

/// One fix request, decoded before any work starts (as for `lint`).
struct FixRequest {
    lint: LintRequest,
    unsafe_fixes: bool,
}

impl FixRequest {
    fn new(text: String, options: Option<FixOptions>) -> Result<Self> {
        let (lint, unsafe_fixes) = options.unwrap_or_default().split();
        Ok(FixRequest {
            lint: LintRequest::new(text, Some(lint))?,
            unsafe_fixes,
        })
    }

    fn run(&self) -> Result<EditorFixResult> {
        let options = FixRequestOptions {
            lint: self.lint.options.clone(),
            unsafe_fixes: self.unsafe_fixes,
        };
        sb::fix_for_editor(&self.lint.text, &options, self.lint.encoding).map_err(invalid)
    }
}

/// Applies the fixes of the findings in one input until nothing changes (safe fixes only
/// unless `unsafeFixes`), then lints the result: `{text, applied, remaining, converged}`,
/// where `remaining` is what `lint` reports for the fixed `text`.
#[napi(ts_return_type = "FixResult")]
pub fn fix<'env>(
    env: &'env Env,
    text: String,
    options: Option<FixOptions>,
) -> Result<Unknown<'env>> {
    let fixed = FixRequest::new(text, options)?.run()?;
    to_js(env, &fixed)
}

pub struct FixTask(FixRequest);

impl<'task> ScopedTask<'task> for FixTask {
    type Output = EditorFixResult;
    type JsValue = Unknown<'task>;

    fn compute(&mut self) -> Result<Self::Output> {
        self.0.run()
    }

    fn resolve(&mut self, env: &'task Env, output: Self::Output) -> Result<Self::JsValue> {
        to_js(env, &output)
    }
}

/// `fix` on a worker thread of libuv's pool.
#[napi(ts_return_type = "Promise<FixResult>")]
pub fn fix_async(text: String, options: Option<FixOptions>) -> Result<AsyncTask<FixTask>> {
    Ok(AsyncTask::new(FixTask(FixRequest::new(text, options)?)))
}

pub struct LintTask(LintRequest);

impl<'task> ScopedTask<'task> for LintTask {
    type Output = Vec<EditorDiagnostic>;
    type JsValue = Unknown<'task>;

    fn compute(&mut self) -> Result<Self::Output> {
        self.0.run()
    }

    fn resolve(&mut self, env: &'task Env, output: Self::Output) -> Result<Self::JsValue> {
        to_js(env, &output)
    }
}

/// `lint` on a worker thread of libuv's pool (large inputs, busy event loops).
#[napi(ts_return_type = "Promise<Diagnostic[]>")]
pub fn lint_async(text: String, options: Option<LintOptions>) -> Result<AsyncTask<LintTask>> {
    Ok(AsyncTask::new(LintTask(LintRequest::new(text, options)?)))
}

/// A scenario as JSON text or as a JS object (read by serde straight from the JS values).
fn scenario_from(env: &Env, scenario: Either<String, Object>) -> Result<sb::Scenario> {
    match scenario {
        Either::A(text) => serde_json::from_str(&text).map_err(|e| e.to_string()),
        Either::B(object) => env.from_js_value(object).map_err(|e| e.reason.clone()),
    }
    .map_err(|e| invalid(format!("invalid scenario: {e}")))
}

fn run_scenario(scenario: &sb::Scenario) -> Result<sb::Trace> {
    sb::simulate(scenario).map_err(invalid)
}

/// Runs a scenario (docs/scenario.md: `{manifest, initial, hpaSyncPeriod, steps, expect}`)
/// and returns the trace `{steps, diagnostics, mismatches?, queue?}`.
#[napi(ts_return_type = "Trace")]
pub fn simulate<'env>(
    env: &'env Env,
    #[napi(ts_arg_type = "string | Scenario")] scenario: Either<String, Object>,
) -> Result<Unknown<'env>> {
    let trace = run_scenario(&scenario_from(env, scenario)?)?;
    to_js(env, &trace)
}

pub struct SimulateTask(sb::Scenario);

impl<'task> ScopedTask<'task> for SimulateTask {
    type Output = sb::Trace;
    type JsValue = Unknown<'task>;

    fn compute(&mut self) -> Result<Self::Output> {
        run_scenario(&self.0)
    }

    fn resolve(&mut self, env: &'task Env, output: Self::Output) -> Result<Self::JsValue> {
        to_js(env, &output)
    }
}

/// `simulate` on a worker thread (long series, queue models).
#[napi(ts_return_type = "Promise<Trace>")]
pub fn simulate_async(
    env: &Env,
    #[napi(ts_arg_type = "string | Scenario")] scenario: Either<String, Object>,
) -> Result<AsyncTask<SimulateTask>> {
    Ok(AsyncTask::new(SimulateTask(scenario_from(env, scenario)?)))
}

/// The field at an LSP position of `text` (YAML or JSON): its document's `apiVersion` and
/// `kind`, the keys and indexes from the root (`['spec', 'triggers', 0, 'type']`), whether the
/// position is on the key or on a scalar value, and that key's or value's range. `null` between
/// fields, on comments, past the end, or where the text does not parse.
#[napi(ts_return_type = "PathAt | null")]
pub fn path_at<'env>(
    env: &'env Env,
    text: String,
    #[napi(ts_arg_type = "LspPosition")] position: Object,
    #[napi(ts_arg_type = "'utf-16' | 'utf-8' | 'utf-32'")] position_encoding: Option<String>,
) -> Result<Unknown<'env>> {
    let position: sb::LspPosition = env
        .from_js_value(position)
        .map_err(|e| invalid(format!("invalid position: {}", e.reason)))?;
    let found = sb::path_at(&text, position, encoding(position_encoding)?);
    to_js(env, &found)
}

/// Every rule: code, name, severity, source, summary, help, since/until KEDA release, and the
/// `url` of its row in docs/rules.md.
#[napi(ts_return_type = "RuleInfo[]")]
pub fn rules(env: &Env) -> Result<Unknown<'_>> {
    to_js(env, &sb::rule_docs())
}

/// The scalecore release.
#[napi]
pub fn version() -> &'static str {
    sb::version()
}

/// Version of the JSON shapes; bumped on any incompatible change.
#[napi]
pub const API_VERSION: u32 = sb::API_VERSION;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn request(options: LintOptions) -> Result<LintRequest> {
        LintRequest::new("a: [1\n".into(), Some(options))
    }

    #[test]
    fn options_become_the_binding_request() {
        let r = request(LintOptions {
            path: Some("so.yaml".into()),
            position_encoding: Some("utf-32".into()),
            keda_version: Some("2.18".into()),
            strict_refs: Some(true),
            default_namespace: Some("shop".into()),
            ignore: Some(vec!["KEDA1020".into()]),
            select: Some(vec!["KEDA0".into()]),
            severity: Some([("KEDA0001".to_owned(), "warning".to_owned())].into()),
        })
        .unwrap();
        assert_eq!(r.options.ignore, ["KEDA1020"]);
        assert_eq!(r.options.select, Some(vec!["KEDA0".to_owned()]));
        assert_eq!(
            r.run().unwrap()[0].diagnostic.severity,
            sb::Severity::Warning
        );
        assert_eq!(r.encoding, PositionEncoding::Utf32);
        assert_eq!(r.options.path.as_deref(), Some("so.yaml"));
        assert!(r.options.strict_refs);
        assert_eq!(r.options.default_namespace.as_deref(), Some("shop"));
        assert_eq!(r.run().unwrap()[0].diagnostic.code, "KEDA0001");
    }

    #[test]
    fn fix_options_carry_lint_options_and_unsafe_fixes() {
        let text = "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: a\nspec:\n  scaleTargetRef:\n    name: a\n  minReplicaCount: 1\n  triggers:\n  - type: cpu\n    metricType: Utilization\n    metadata:\n      value: 50\n";
        let r = FixRequest::new(text.into(), None).unwrap();
        assert!(!r.unsafe_fixes);
        let fixed = r.run().unwrap();
        assert_eq!(fixed.applied, 1);
        assert!(fixed.text.ends_with("value: \"50\"\n"));
        let r = FixRequest::new(
            text.into(),
            Some(FixOptions {
                unsafe_fixes: Some(true),
                ignore: Some(vec!["KEDA0101".into()]),
                position_encoding: Some("utf-8".into()),
                ..Default::default()
            }),
        )
        .unwrap();
        assert!(r.unsafe_fixes);
        assert_eq!(r.lint.encoding, PositionEncoding::Utf8);
        // An ignored finding is not fixed either.
        assert_eq!(r.run().unwrap().applied, 0);
        let bad = FixRequest::new(
            text.into(),
            Some(FixOptions {
                keda_version: Some("banana".into()),
                ..Default::default()
            }),
        );
        assert!(bad.err().unwrap().reason.contains("banana"));
    }

    #[test]
    fn no_options_means_utf16_and_defaults() {
        let r = LintRequest::new(String::new(), None).unwrap();
        assert_eq!(r.encoding, PositionEncoding::Utf16);
        assert_eq!(r.options, LintRequestOptions::default());
    }

    #[test]
    fn bad_requests_are_invalid_arguments() {
        let bad_encoding = request(LintOptions {
            position_encoding: Some("utf-7".into()),
            ..Default::default()
        });
        let e = bad_encoding.err().unwrap();
        assert_eq!(e.status, Status::InvalidArg);
        assert!(e.reason.contains("utf-7"));
        let bad_version = request(LintOptions {
            keda_version: Some("banana".into()),
            ..Default::default()
        });
        assert!(bad_version.err().unwrap().reason.contains("banana"));
        let bad_severity = request(LintOptions {
            severity: Some([("KEDA0001".to_owned(), "fatal".to_owned())].into()),
            ..Default::default()
        });
        assert!(bad_severity.err().unwrap().reason.contains("fatal"));
        let bad_code = request(LintOptions {
            ignore: Some(vec!["KEDA1O20".into()]),
            ..Default::default()
        });
        assert!(bad_code.err().unwrap().reason.contains("KEDA1O20"));
    }
}
