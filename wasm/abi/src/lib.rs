//! scalecore as an import-free Wasm module: UTF-8 JSON in and out through linear memory, for
//! hosts without wasm-bindgen (wasmtime, wazero, .NET, browsers by hand). The contract is in
//! `wasm/ABI.md`; the functions here are the JSON-in/JSON-out core of it, the exports at the
//! bottom only move bytes.

use scalecore_bindings as b;
use serde::{Deserialize, Serialize};

/// Version of this ABI (exports and envelopes); bumped on any incompatible change.
pub const ABI_VERSION: u32 = 1;

#[derive(Serialize)]
struct ErrorEnvelope<'a> {
    error: ErrorBody<'a>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    kind: &'a str,
    message: String,
}

fn error_json(kind: &str, message: String) -> Vec<u8> {
    let envelope = ErrorEnvelope {
        error: ErrorBody { kind, message },
    };
    // Serialising two strings cannot fail; fall back to a fixed envelope all the same.
    serde_json::to_vec(&envelope)
        .unwrap_or_else(|_| br#"{"error":{"kind":"internal","message":""}}"#.to_vec())
}

fn binding_error(e: b::BindingError) -> Vec<u8> {
    let kind = match e {
        b::BindingError::Version(_) => "version",
        b::BindingError::Request(_) => "request",
        b::BindingError::Scenario(_) => "scenario",
    };
    error_json(kind, e.to_string())
}

fn to_json<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_else(|e| error_json("internal", e.to_string()))
}

/// `lint`: the input is the manifest text itself (a YAML or JSON stream), linted with the
/// default options; the answer is the diagnostic list. Bytes that are not UTF-8 are a
/// diagnostic, like any other problem with the document.
pub fn lint_json(input: &[u8]) -> Vec<u8> {
    match b::lint_bytes(input, &b::LintRequestOptions::default()) {
        Ok(diagnostics) => to_json(&diagnostics),
        Err(e) => binding_error(e),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LintRequest {
    text: String,
    #[serde(default)]
    options: b::LintRequestOptions,
}

/// `lint_request`: `{"text": "...", "options": {"kedaVersion", "strictRefs", ...}}`.
pub fn lint_request_json(input: &[u8]) -> Vec<u8> {
    let request: LintRequest = match serde_json::from_slice(input) {
        Ok(r) => r,
        Err(e) => return error_json("request", format!("invalid lint request: {e}")),
    };
    match b::lint(&request.text, &request.options) {
        Ok(diagnostics) => to_json(&diagnostics),
        Err(e) => binding_error(e),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixRequest {
    text: String,
    #[serde(default)]
    options: FixOptions,
}

/// `b::FixRequestOptions` spelt out: its `#[serde(flatten)]` decoder made the module about 8 KB
/// larger gzipped, this one costs little more than `lint_request`'s.
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FixOptions {
    #[serde(default)]
    unsafe_fixes: bool,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    keda_version: Option<String>,
    #[serde(default)]
    strict_refs: bool,
    #[serde(default)]
    default_namespace: Option<String>,
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    select: Option<Vec<String>>,
    #[serde(default)]
    severity: std::collections::BTreeMap<String, b::Severity>,
}

impl From<FixOptions> for b::FixRequestOptions {
    fn from(o: FixOptions) -> Self {
        b::FixRequestOptions {
            lint: b::LintRequestOptions {
                path: o.path,
                keda_version: o.keda_version,
                strict_refs: o.strict_refs,
                default_namespace: o.default_namespace,
                ignore: o.ignore,
                select: o.select,
                severity: o.severity,
            },
            unsafe_fixes: o.unsafe_fixes,
        }
    }
}

/// `fix`: `{"text": "...", "options": {"unsafeFixes", "kedaVersion", ...}}`; the answer is
/// `{"text", "applied", "remaining", "converged"}`.
pub fn fix_request_json(input: &[u8]) -> Vec<u8> {
    let request: FixRequest = match serde_json::from_slice(input) {
        Ok(r) => r,
        Err(e) => return error_json("request", format!("invalid fix request: {e}")),
    };
    match b::fix(&request.text, &request.options.into()) {
        Ok(fixed) => to_json(&fixed),
        Err(e) => binding_error(e),
    }
}

/// `simulate`: the input is a Scenario as JSON; the answer is its Trace.
pub fn simulate_json(input: &[u8]) -> Vec<u8> {
    let text = match std::str::from_utf8(input) {
        Ok(t) => t,
        Err(e) => return error_json("scenario", format!("scenario is not UTF-8: {e}")),
    };
    match b::simulate_json(text) {
        Ok(trace) => to_json(&trace),
        Err(e) => binding_error(e),
    }
}

/// `rules`: every rule as JSON (no input).
pub fn rules_json() -> Vec<u8> {
    to_json(&b::rules())
}

#[cfg(target_arch = "wasm32")]
mod exports {
    //! The raw ABI. Buffers are `len` bytes with alignment 1, allocated by `alloc` (inputs) or
    //! by the module (answers); the host frees both with `free(ptr, len)`. An answer is returned
    //! as one i64: pointer in the high 32 bits, length in the low 32.

    use std::alloc::{alloc as raw_alloc, dealloc, Layout};

    fn layout(len: usize) -> Option<Layout> {
        Layout::array::<u8>(len).ok()
    }

    #[no_mangle]
    pub extern "C" fn alloc(len: usize) -> *mut u8 {
        match layout(len) {
            // A zero-length buffer needs no memory; any non-null aligned pointer will do.
            Some(l) if len > 0 => unsafe { raw_alloc(l) },
            Some(_) => std::ptr::NonNull::<u8>::dangling().as_ptr(),
            None => std::ptr::null_mut(),
        }
    }

    /// # Safety (host contract)
    /// `ptr`/`len` come from `alloc` or from an answer, and are freed once.
    #[no_mangle]
    pub unsafe extern "C" fn free(ptr: *mut u8, len: usize) {
        if let Some(l) = layout(len) {
            if len > 0 && !ptr.is_null() {
                dealloc(ptr, l);
            }
        }
    }

    fn answer(bytes: Vec<u8>) -> u64 {
        let boxed = bytes.into_boxed_slice();
        let len = boxed.len() as u64;
        let ptr = Box::into_raw(boxed) as *mut u8 as usize as u64;
        (ptr << 32) | len
    }

    /// # Safety (host contract)
    /// `ptr`/`len` is a buffer the host filled; it stays the host's to free.
    unsafe fn input<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
        if len == 0 || ptr.is_null() {
            &[]
        } else {
            std::slice::from_raw_parts(ptr, len)
        }
    }

    #[no_mangle]
    pub unsafe extern "C" fn lint(ptr: *const u8, len: usize) -> u64 {
        answer(super::lint_json(input(ptr, len)))
    }

    #[no_mangle]
    pub unsafe extern "C" fn lint_request(ptr: *const u8, len: usize) -> u64 {
        answer(super::lint_request_json(input(ptr, len)))
    }

    #[no_mangle]
    pub unsafe extern "C" fn fix(ptr: *const u8, len: usize) -> u64 {
        answer(super::fix_request_json(input(ptr, len)))
    }

    #[no_mangle]
    pub unsafe extern "C" fn simulate(ptr: *const u8, len: usize) -> u64 {
        answer(super::simulate_json(input(ptr, len)))
    }

    #[no_mangle]
    pub extern "C" fn rules() -> u64 {
        answer(super::rules_json())
    }

    #[no_mangle]
    pub extern "C" fn abi_version() -> u32 {
        super::ABI_VERSION
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn parse(bytes: Vec<u8>) -> Value {
        serde_json::from_slice(&bytes).unwrap()
    }

    #[test]
    fn lint_answers_the_diagnostic_list() {
        let v = parse(lint_json(b"a: [1\n"));
        assert_eq!(v[0]["code"], "KEDA0001");
        // The unclosed sequence is found where the input ends.
        assert_eq!(v[0]["line"], 2);
    }

    #[test]
    fn invalid_utf8_is_a_diagnostic_not_an_error() {
        let v = parse(lint_json(&[0xff, 0xfe, b'a']));
        assert!(v.is_array(), "{v}");
        assert!(!v.as_array().unwrap().is_empty());
    }

    #[test]
    fn lint_request_applies_options_and_reports_bad_ones() {
        let v = parse(lint_request_json(
            br#"{"text":"a: 1","options":{"kedaVersion":"banana"}}"#,
        ));
        assert_eq!(v["error"]["kind"], "version");
        let v = parse(lint_request_json(br#"{"text":"a: [1"}"#));
        assert_eq!(v[0]["code"], "KEDA0001");
        let v = parse(lint_request_json(b"{"));
        assert_eq!(v["error"]["kind"], "request");
    }

    #[test]
    fn fix_request_applies_fixes_and_reports_bad_requests() {
        let text = "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: a\nspec:\n  scaleTargetRef:\n    name: a\n  minReplicaCount: 1\n  triggers:\n  - type: cpu\n    metricType: Utilization\n    metadata:\n      value: 50\n";
        let request = serde_json::json!({"text": text, "options": {"unsafeFixes": false}});
        let v = parse(fix_request_json(request.to_string().as_bytes()));
        assert_eq!(v["applied"], 1);
        assert_eq!(v["text"], text.replace("50", "\"50\""));
        assert_eq!(v["converged"], true);
        assert!(v["remaining"].is_array());
        let ignored = serde_json::json!({"text": text, "options": {"ignore": ["KEDA0101"]}});
        let v = parse(fix_request_json(ignored.to_string().as_bytes()));
        assert_eq!(
            (v["applied"].as_u64(), v["text"].as_str()),
            (Some(0), Some(text))
        );
        let v = parse(fix_request_json(
            br#"{"text":"a: 1","options":{"unsafeFix":true}}"#,
        ));
        assert_eq!(v["error"]["kind"], "request");
        let v = parse(fix_request_json(
            br#"{"text":"a: 1","options":{"kedaVersion":"banana"}}"#,
        ));
        assert_eq!(v["error"]["kind"], "version");
        // Every option of lint_request reaches fix too (the two decoders are separate).
        let every = br#"{"text":"a: 1","options":{"path":"p","kedaVersion":"2.18","strictRefs":true,"defaultNamespace":"n","ignore":["KEDA0101"],"select":["KEDA0"],"severity":{"KEDA0101":"info"},"unsafeFixes":true}}"#;
        assert_eq!(parse(fix_request_json(every))["applied"], 0);
    }

    #[test]
    fn simulate_errors_are_envelopes() {
        let v = parse(simulate_json(b"{"));
        assert_eq!(v["error"]["kind"], "scenario");
        let v = parse(simulate_json(&[0xff]));
        assert_eq!(v["error"]["kind"], "scenario");
    }

    #[test]
    fn rules_are_listed() {
        let v = parse(rules_json());
        assert!(v.as_array().unwrap().len() > 20);
    }
}
