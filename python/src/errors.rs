//! Raises the exceptions defined in `scalecore/_errors.py`, with their location.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use scalecore_bindings::{BindingError, ScenarioError};

/// Where an error happened; every field is optional.
#[derive(Default)]
pub struct Location<'a> {
    /// The file the input came from.
    pub source: Option<&'a str>,
    /// `"scenario"`, `"manifest"` or a dotted path inside the scenario.
    pub within: Option<String>,
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub step: Option<usize>,
    pub t: Option<i64>,
}

/// Builds an instance of `scalecore.<class>` (falls back to RuntimeError if the Python half
/// of the package is missing, which only a broken install can cause).
pub fn raise(py: Python<'_>, class: &str, message: String, at: Location<'_>) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let cls = py.import("scalecore._errors")?.getattr(class)?;
        let kw = PyDict::new(py);
        kw.set_item("source", at.source)?;
        kw.set_item("within", at.within)?;
        kw.set_item("line", at.line)?;
        kw.set_item("column", at.column)?;
        kw.set_item("step", at.step)?;
        kw.set_item("t", at.t)?;
        Ok(PyErr::from_value(cls.call((message.clone(),), Some(&kw))?))
    };
    build().unwrap_or_else(|e| PyRuntimeError::new_err(format!("{message} ({e})")))
}

pub fn binding_error(py: Python<'_>, e: BindingError) -> PyErr {
    match e {
        BindingError::Scenario(m) => raise(py, "ScenarioError", m, Location::default()),
        other => raise(py, "OptionsError", other.to_string(), Location::default()),
    }
}

/// A scenario that could not be run, with the location the core reports.
pub fn scenario_error(py: Python<'_>, e: ScenarioError, source: Option<&str>) -> PyErr {
    let mut at = Location {
        source,
        ..Location::default()
    };
    match &e {
        ScenarioError::Json { line, column, .. } if *line > 0 => {
            at.within = Some("scenario".into());
            at.line = Some(*line as u64);
            at.column = Some(*column as u64);
        }
        ScenarioError::Manifest { line, column, .. } => {
            at.within = Some("manifest".into());
            at.line = Some(u64::from(*line));
            at.column = Some(u64::from(*column));
        }
        ScenarioError::UnknownLoop { index, t, .. }
        | ScenarioError::UnknownTrigger { index, t, .. }
        | ScenarioError::NotForScaledJob { index, t, .. } => {
            at.step = Some(*index);
            at.t = Some(*t);
        }
        ScenarioError::MixedModes { series, .. } => at.step = Some(*series),
        _ => {}
    }
    raise(py, "ScenarioError", e.to_string(), at)
}
