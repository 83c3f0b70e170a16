//! `scalecore._native`: the PyO3 extension under the `scalecore` Python package. It converts
//! arguments and answers at the edge and calls the bindings crate; the Python half
//! (`scalecore/`) holds the exceptions, `Trace` and the file helpers.

use std::borrow::Cow;
use std::path::PathBuf;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyList, PyString};
use scalecore_bindings::{FixRequestOptions, LintRequestOptions, Scenario};

mod convert;
mod diagnostic;
mod errors;
mod fixes;
mod from_py;
mod trace;

use diagnostic::Diagnostic;
use errors::{binding_error, raise, scenario_error, Location};
use fixes::{Edit, Fix, FixResult};
use trace::NativeTrace;

/// Text as given: `str`, or bytes that may not be UTF-8 (the core reports those).
enum Input<'a> {
    Text(Cow<'a, str>),
    Bytes(Cow<'a, [u8]>),
}

fn input<'a>(obj: &'a Bound<'_, PyAny>, what: &str) -> PyResult<Input<'a>> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(match s.to_cow() {
            Ok(text) => Input::Text(text),
            // Lone surrogates: hand the core the bytes so it reports where the text is not
            // UTF-8, as it does for a file.
            Err(_) => {
                let bytes = s.call_method1("encode", ("utf-8", "surrogatepass"))?;
                Input::Bytes(Cow::Owned(bytes.extract::<Vec<u8>>()?))
            }
        });
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(Input::Bytes(Cow::Borrowed(b.as_bytes())));
    }
    if obj.is_instance_of::<PyByteArray>() {
        return Ok(Input::Bytes(Cow::Owned(obj.extract::<Vec<u8>>()?)));
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be str or bytes, not {}",
        obj.get_type().name()?
    )))
}

fn path_text(path: Option<PathBuf>) -> Option<String> {
    path.map(|p| p.to_string_lossy().into_owned())
}

/// The lint options of `lint` and `fix`, as keyword arguments arrive.
#[allow(clippy::too_many_arguments)]
fn lint_options(
    py: Python<'_>,
    path: Option<String>,
    keda_version: Option<String>,
    strict_refs: bool,
    default_namespace: Option<String>,
    ignore: Option<Vec<String>>,
    select: Option<Vec<String>>,
    severity: Option<std::collections::BTreeMap<String, String>>,
) -> PyResult<LintRequestOptions> {
    let mut severities = std::collections::BTreeMap::new();
    for (code, s) in severity.unwrap_or_default() {
        let parsed =
            serde_json::from_value(serde_json::Value::String(s.clone())).map_err(|_| {
                binding_error(
                    py,
                    scalecore_bindings::BindingError::Request(format!(
                        "severity of {code} must be 'error', 'warning' or 'info', not {s:?}"
                    )),
                )
            })?;
        severities.insert(code, parsed);
    }
    Ok(LintRequestOptions {
        path,
        keda_version,
        strict_refs,
        default_namespace,
        ignore: ignore.unwrap_or_default(),
        select,
        severity: severities,
    })
}

/// Lints one YAML or JSON stream of KEDA documents and returns its diagnostics.
///
/// `text` is `str` or `bytes` (bytes that are not UTF-8 give a KEDA0002 diagnostic); `path`
/// is only shown (`Diagnostic.file`). `keda_version` picks the KEDA release whose rules apply
/// (default 2.20.2), `strict_refs` reports references to objects not in the input, and
/// `default_namespace` is the namespace of objects that name none. `ignore` lists codes never
/// reported, `select` the codes or code prefixes reported (default: all), and `severity`
/// maps codes to `"error"`, `"warning"` or `"info"`. Raises `OptionsError` for a bad option
/// (also an unknown code).
#[pyfunction]
#[pyo3(signature = (text, path=None, *, keda_version=None, strict_refs=false, default_namespace=None, ignore=None, select=None, severity=None))]
#[allow(clippy::too_many_arguments)]
fn lint<'py>(
    py: Python<'py>,
    text: &Bound<'py, PyAny>,
    path: Option<PathBuf>,
    keda_version: Option<String>,
    strict_refs: bool,
    default_namespace: Option<String>,
    ignore: Option<Vec<String>>,
    select: Option<Vec<String>>,
    severity: Option<std::collections::BTreeMap<String, String>>,
) -> PyResult<Bound<'py, PyList>> {
    let file = path_text(path);
    let options = lint_options(
        py,
        file.clone(),
        keda_version,
        strict_refs,
        default_namespace,
        ignore,
        select,
        severity,
    )?;
    let found = match input(text, "text")? {
        Input::Text(t) => py.detach(|| scalecore_bindings::lint(&t, &options)),
        Input::Bytes(b) => py.detach(|| scalecore_bindings::lint_bytes(&b, &options)),
    }
    .map_err(|e| binding_error(py, e))?;
    PyList::new(
        py,
        found
            .into_iter()
            .map(|d| Diagnostic::new(d, file.as_deref())),
    )
}

/// Applies the fixes of the findings in `text` until nothing changes, lints the result and
/// returns a `FixResult` (`text`, `applied`, `remaining`, `converged`).
///
/// Only safe fixes are applied unless `unsafe_fixes` is true. `text` is `str` or UTF-8
/// `bytes`; `path` and the other keyword arguments are those of `lint` (a finding that
/// `ignore` or `select` leaves out is not fixed either). Raises `OptionsError` for a bad
/// option and `ValueError` for bytes that are not UTF-8 (`lint` reports those as KEDA0002).
#[pyfunction]
#[pyo3(signature = (text, path=None, *, unsafe_fixes=false, keda_version=None, strict_refs=false, default_namespace=None, ignore=None, select=None, severity=None))]
#[allow(clippy::too_many_arguments)]
fn fix(
    py: Python<'_>,
    text: &Bound<'_, PyAny>,
    path: Option<PathBuf>,
    unsafe_fixes: bool,
    keda_version: Option<String>,
    strict_refs: bool,
    default_namespace: Option<String>,
    ignore: Option<Vec<String>>,
    select: Option<Vec<String>>,
    severity: Option<std::collections::BTreeMap<String, String>>,
) -> PyResult<FixResult> {
    let file = path_text(path);
    let lint = lint_options(
        py,
        file.clone(),
        keda_version,
        strict_refs,
        default_namespace,
        ignore,
        select,
        severity,
    )?;
    let options = FixRequestOptions { lint, unsafe_fixes };
    let text: Cow<'_, str> = match input(text, "text")? {
        Input::Text(t) => t,
        Input::Bytes(b) => match std::str::from_utf8(&b) {
            Ok(s) => Cow::Owned(s.to_owned()),
            Err(e) => {
                return Err(PyValueError::new_err(format!(
                    "text is not UTF-8 (invalid at byte {}), so it cannot be fixed; lint reports it as KEDA0002",
                    e.valid_up_to()
                )))
            }
        },
    };
    let fixed = py
        .detach(|| scalecore_bindings::fix(&text, &options))
        .map_err(|e| binding_error(py, e))?;
    Ok(FixResult::new(fixed, file.as_deref()))
}

/// Runs a scenario given as JSON text (str or UTF-8 bytes).
#[pyfunction]
#[pyo3(signature = (text, source=None))]
fn simulate_json(
    py: Python<'_>,
    text: &Bound<'_, PyAny>,
    source: Option<PathBuf>,
) -> PyResult<NativeTrace> {
    let source = path_text(source);
    let not_text = |message: String| {
        let at = Location {
            source: source.as_deref(),
            ..Location::default()
        };
        raise(py, "ScenarioError", message, at)
    };
    let text: Cow<'_, str> = match input(text, "scenario")? {
        Input::Text(t) => t,
        Input::Bytes(Cow::Borrowed(b)) => match std::str::from_utf8(b) {
            Ok(s) => Cow::Borrowed(s),
            Err(e) => {
                return Err(not_text(format!(
                    "scenario is not UTF-8 (invalid byte at offset {})",
                    e.valid_up_to()
                )))
            }
        },
        Input::Bytes(Cow::Owned(b)) => match String::from_utf8(b) {
            Ok(s) => Cow::Owned(s),
            Err(e) => {
                return Err(not_text(format!(
                    "scenario is not valid Unicode (invalid at offset {})",
                    e.utf8_error().valid_up_to()
                )))
            }
        },
    };
    let mut signal = None;
    let trace = py.detach(|| {
        scalecore_bindings::simulate_json_interruptible(&text, &mut || no_signal(&mut signal))
    });
    finish(py, trace, signal, source.as_deref())
}

/// Runs a scenario given as Python objects (a dict in the JSON shape).
#[pyfunction]
#[pyo3(signature = (scenario, source=None))]
fn simulate_object(
    py: Python<'_>,
    scenario: &Bound<'_, PyAny>,
    source: Option<PathBuf>,
) -> PyResult<NativeTrace> {
    let source = path_text(source);
    let decoded = from_py::from_object::<Scenario>(scenario).map_err(|e| {
        let path = e.path();
        let at = Location {
            source: source.as_deref(),
            within: (!path.is_empty()).then(|| path.clone()),
            ..Location::default()
        };
        let message = if path.is_empty() {
            format!("scenario is not valid: {}", e.message)
        } else {
            format!("scenario is not valid: {path}: {}", e.message)
        };
        raise(py, "ScenarioError", message, at)
    })?;
    let mut signal = None;
    let raised = &mut signal;
    // The decoded scenario moves into the run, so even dropping it happens without the GIL.
    let trace = py.detach(move || {
        scalecore_bindings::simulate_interruptible(&decoded, &mut || no_signal(raised))
    });
    finish(py, trace, signal, source.as_deref())
}

/// A run's check: Python's pending signals are handled (Ctrl-C raises KeyboardInterrupt in
/// the handler); the run goes on unless a handler raised, whose exception is kept.
fn no_signal(raised: &mut Option<PyErr>) -> bool {
    match Python::attach(|py| py.check_signals()) {
        Ok(()) => true,
        Err(e) => {
            *raised = Some(e);
            false
        }
    }
}

/// The trace, or the exception a signal handler raised during the run, or the scenario's
/// error.
fn finish(
    py: Python<'_>,
    trace: Result<scalecore_bindings::Trace, scalecore_bindings::ScenarioError>,
    signal: Option<PyErr>,
    source: Option<&str>,
) -> PyResult<NativeTrace> {
    match (trace, signal) {
        (Err(scalecore_bindings::ScenarioError::Interrupted), Some(e)) => Err(e),
        (trace, _) => Ok(NativeTrace {
            trace: trace.map_err(|e| scenario_error(py, e, source))?,
        }),
    }
}

/// Runs the `scalecore` command line (lint, simulate, rules) with `argv`, program name
/// first, writing to the process's standard output and error; returns the exit status, or
/// raises what a signal handler raised during a simulation (KeyboardInterrupt).
#[pyfunction]
fn cli(py: Python<'_>, argv: Vec<String>) -> PyResult<u8> {
    let mut signal = None;
    let raised = &mut signal;
    let status = py.detach(move || scalecore_cli::main(argv, &mut || no_signal(raised)));
    match signal {
        Some(e) => Err(e),
        None => Ok(status),
    }
}

/// Every rule: code, name, severity, source, summary, help, since (and until).
#[pyfunction]
fn rules(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    convert::serde_to_py(py, &scalecore_bindings::rules())
}

/// The scalecore release.
#[pyfunction]
fn version() -> &'static str {
    scalecore_bindings::version()
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Diagnostic>()?;
    m.add_class::<Edit>()?;
    m.add_class::<Fix>()?;
    m.add_class::<FixResult>()?;
    m.add_class::<NativeTrace>()?;
    m.add_function(wrap_pyfunction!(lint, m)?)?;
    m.add_function(wrap_pyfunction!(fix, m)?)?;
    m.add_function(wrap_pyfunction!(simulate_json, m)?)?;
    m.add_function(wrap_pyfunction!(simulate_object, m)?)?;
    m.add_function(wrap_pyfunction!(rules, m)?)?;
    m.add_function(wrap_pyfunction!(cli, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    m.add("API_VERSION", scalecore_bindings::API_VERSION)?;
    Ok(())
}
