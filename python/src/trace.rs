//! The native half of `scalecore.Trace`: the Rust trace, converted to Python on demand (a
//! long simulation's steps are only built into dicts when asked for).

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

use crate::convert::serde_to_py;
use crate::diagnostic::Diagnostic;

#[pyclass(frozen, module = "scalecore._native", name = "NativeTrace")]
pub struct NativeTrace {
    pub trace: scalecore_bindings::Trace,
}

#[pymethods]
impl NativeTrace {
    /// The steps as dicts, in the JSON contract's shape (optional fields only when set).
    /// Built field by field with interned keys: a long run has hundreds of thousands of
    /// steps, and going through a JSON value tree doubles the time. The golden tests compare
    /// the result with the native JSON, so the two shapes cannot drift apart.
    fn steps<'a, 'py>(&'a self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        // Trigger names and loop kinds repeat on every step: one Python string each.
        let mut names: Vec<(&str, Bound<'py, PyString>)> = Vec::new();
        let mut name_of = |name: &'a str| -> Bound<'py, PyString> {
            if let Some((_, s)) = names.iter().find(|(n, _)| *n == name) {
                return s.clone();
            }
            let s = PyString::new(py, name);
            names.push((name, s.clone()));
            s
        };
        for s in &self.trace.steps {
            let d = PyDict::new(py);
            d.set_item(intern!(py, "t"), s.t)?;
            d.set_item(intern!(py, "loop"), name_of(&s.loop_kind))?;
            d.set_item(intern!(py, "replicas"), s.replicas)?;
            d.set_item(intern!(py, "active"), s.active)?;
            d.set_item(intern!(py, "fallback"), s.fallback)?;
            d.set_item(intern!(py, "reason"), &s.reason)?;
            let triggers = PyDict::new(py);
            for (name, tr) in &s.triggers {
                let t = PyDict::new(py);
                if let Some(v) = tr.value {
                    t.set_item(intern!(py, "value"), v)?;
                }
                t.set_item(intern!(py, "active"), tr.active)?;
                if tr.error {
                    t.set_item(intern!(py, "error"), true)?;
                }
                if tr.fallback {
                    t.set_item(intern!(py, "fallback"), true)?;
                }
                if tr.failures != 0 {
                    t.set_item(intern!(py, "failures"), tr.failures)?;
                }
                triggers.set_item(name_of(name), t)?;
            }
            d.set_item(intern!(py, "triggers"), triggers)?;
            if let Some(v) = s.queue_length {
                d.set_item(intern!(py, "queueLength"), v)?;
            }
            if let Some(v) = s.ready_pods {
                d.set_item(intern!(py, "readyPods"), v)?;
            }
            if let Some(v) = s.oldest_wait_seconds {
                d.set_item(intern!(py, "oldestWaitSeconds"), v)?;
            }
            if let Some(v) = s.pod_seconds {
                d.set_item(intern!(py, "podSeconds"), v)?;
            }
            out.append(d)?;
        }
        Ok(out)
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
