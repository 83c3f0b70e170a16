//! The native half of `scalecore.Trace`: the Rust trace, converted to Python on demand (a
//! long simulation's steps are only built into dicts when asked for).

use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::convert::serde_to_py;
use crate::diagnostic::Diagnostic;

#[pyclass(frozen, module = "scalecore._native", name = "NativeTrace")]
pub struct NativeTrace {
    pub trace: scalecore_bindings::Trace,
}

#[pymethods]
impl NativeTrace {
    fn steps<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        serde_to_py(py, &self.trace.steps)
    }

    fn diagnostics<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(
            py,
            self.trace
                .diagnostics
                .iter()
                .map(|d| Diagnostic::new(d.clone(), None)),
        )
    }

    fn mismatches<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        serde_to_py(py, &self.trace.mismatches)
    }

    fn queue<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        serde_to_py(py, &self.trace.queue)
    }

    /// The whole trace as the JSON the CLI prints (`scalecore simulate --format json`).
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        serde_json::to_string(&self.trace).map_err(|e| {
            crate::errors::raise(py, "ScalecoreError", e.to_string(), Default::default())
        })
    }

    fn __len__(&self) -> usize {
        self.trace.steps.len()
    }
}
