//! scalecore for JavaScript: `lint`, `lintFiles`, `fix`, `simulate`, `rules`, `version`, each a thin
//! conversion around `scalecore-bindings`. Findings about a document are data (a diagnostic
//! list); only a request that cannot be carried out (bad options, a malformed scenario) throws,
//! as a JS `Error` whose `kind` and `detail` say why.

pub mod types;

use scalecore_bindings as b;
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use wasm_bindgen::prelude::*;

/// The options `lint` accepts: the binding's own plus the editor's position encoding; `fix`
/// takes the same and `unsafeFixes` (one decoder for both keeps the web module small; `lint`
/// refuses `unsafeFixes`).
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct JsLintOptions {
    #[serde(default)]
    unsafe_fixes: Option<bool>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    keda_version: Option<String>,
    #[serde(default)]
    strict_refs: Option<bool>,
    #[serde(default)]
    default_namespace: Option<String>,
    #[serde(default)]
    position_encoding: Option<b::PositionEncoding>,
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    select: Option<Vec<String>>,
    #[serde(default)]
    severity: std::collections::BTreeMap<String, b::Severity>,
}

impl JsLintOptions {
    fn split(self) -> (b::LintRequestOptions, b::PositionEncoding) {
        (
            b::LintRequestOptions {
                path: self.path,
                keda_version: self.keda_version,
                strict_refs: self.strict_refs.unwrap_or(false),
                default_namespace: self.default_namespace,
                ignore: self.ignore,
                select: self.select,
                severity: self.severity,
            },
            self.position_encoding.unwrap_or_default(),
        )
    }
}

/// A JS `Error` carrying `kind` (`version`, `request`, `scenario`) and `detail`.
fn error(kind: &str, detail: &str) -> JsValue {
    let e = js_sys::Error::new(detail);
    e.set_name("ScalecoreError");
    let obj: &JsValue = e.as_ref();
    // Setting a property on a fresh Error cannot fail; a failure would only lose the extras.
    let _ = js_sys::Reflect::set(obj, &"kind".into(), &kind.into());
    let _ = js_sys::Reflect::set(obj, &"detail".into(), &detail.into());
    e.into()
}

fn binding_error(e: b::BindingError) -> JsValue {
    let kind = match e {
        b::BindingError::Version(_) => "version",
        b::BindingError::Request(_) => "request",
        b::BindingError::Scenario(_) => "scenario",
    };
    error(kind, &e.to_string())
}

/// Answers cross as JSON text parsed by the engine's `JSON.parse`: the exact native encoding,
/// plain objects for maps, and one call into JS instead of one per field (smaller and faster
/// than building the objects field by field from Wasm).
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value).map_err(|e| error("internal", &e.to_string()))?;
    js_sys::JSON::parse(&text)
}

/// `options` of `lint`/`lintFiles`; a misspelt key is an error (`deny_unknown_fields` names
/// it and the keys expected).
fn lint_options(
    value: Option<JsValue>,
) -> Result<(b::LintRequestOptions, b::PositionEncoding), JsValue> {
    let Some(value) = value else {
        return Ok(Default::default());
    };
    let options = from_js::<JsLintOptions>(value, "lint options")?;
    if options.unsafe_fixes.is_some() {
        return Err(error(
            "request",
            "invalid lint options: unsafeFixes is an option of fix, not of lint",
        ));
    }
    Ok(options.split())
}

/// Requests cross as JSON text too (`JSON.stringify`), read by the serde_json decoder the
/// module already has for scenarios: one decoder instead of a second, JS-object one.
fn from_js<T: DeserializeOwned + Default>(value: JsValue, what: &str) -> Result<T, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    let text = js_sys::JSON::stringify(&value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| error("request", &format!("invalid {what}: not JSON-serialisable")))?;
    serde_json::from_str(&text).map_err(|e| error("request", &format!("invalid {what}: {e}")))
}

/// Lints one input (a YAML or JSON stream); every diagnostic carries an LSP `range`.
#[wasm_bindgen(js_name = lint, unchecked_return_type = "EditorDiagnostic[]")]
pub fn lint(
    text: &str,
    #[wasm_bindgen(unchecked_param_type = "LintOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let (options, encoding) = lint_options(options)?;
    let diagnostics = b::lint_for_editor(text, &options, encoding).map_err(binding_error)?;
    to_js(&diagnostics)
}

/// Lints several inputs together, so references between them resolve.
#[wasm_bindgen(js_name = lintFiles, unchecked_return_type = "LintReport")]
pub fn lint_files(
    #[wasm_bindgen(unchecked_param_type = "FileInput[]")] files: JsValue,
    #[wasm_bindgen(unchecked_param_type = "LintOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let files: Vec<b::FileInput> = from_js(files, "files")?;
    let (options, _) = lint_options(options)?;
    let report = b::lint_files(&files, &options).map_err(binding_error)?;
    to_js(&report)
}

/// Applies the fixes of the findings in one input until nothing changes (safe fixes only
/// unless `unsafeFixes`), then lints the result: `{text, applied, remaining, converged}`.
#[wasm_bindgen(js_name = fix, unchecked_return_type = "FixResult")]
pub fn fix(
    text: &str,
    #[wasm_bindgen(unchecked_param_type = "FixOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let options = match options {
        Some(value) => from_js::<JsLintOptions>(value, "fix options")?,
        None => JsLintOptions::default(),
    };
    let unsafe_fixes = options.unsafe_fixes.unwrap_or(false);
    let (lint, encoding) = options.split();
    let request = b::FixRequestOptions { lint, unsafe_fixes };
    to_js(&b::fix_for_editor(text, &request, encoding).map_err(binding_error)?)
}

/// Runs a scenario given as an object or as JSON text.
#[wasm_bindgen(js_name = simulate, unchecked_return_type = "Trace")]
pub fn simulate(
    #[wasm_bindgen(unchecked_param_type = "Scenario | string")] scenario: JsValue,
) -> Result<JsValue, JsValue> {
    // Objects go through their JSON text, so both forms are read by the same strict decoder
    // (an unknown or misspelt field is an error either way).
    let text = match scenario.as_string() {
        Some(text) => text,
        None => js_sys::JSON::stringify(&scenario)
            .ok()
            .and_then(|s| s.as_string())
            .ok_or_else(|| {
                error(
                    "scenario",
                    "invalid scenario: not a JSON-serialisable object",
                )
            })?,
    };
    let trace = b::simulate_json(&text).map_err(binding_error)?;
    to_js(&trace)
}

/// Every rule (code, severity, summary, help, KEDA versions).
#[wasm_bindgen(js_name = rules, unchecked_return_type = "RuleInfo[]")]
pub fn rules() -> Result<JsValue, JsValue> {
    to_js(&b::rules())
}

/// The scalecore release.
#[wasm_bindgen(js_name = version)]
pub fn version() -> String {
    b::version().to_string()
}

/// Version of the JSON shapes; bumped on any incompatible change.
#[wasm_bindgen(js_name = apiVersion)]
pub fn api_version() -> u32 {
    b::API_VERSION
}

#[cfg(test)]
mod tests;
