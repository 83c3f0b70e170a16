//! `scalecore.Fix`, `scalecore.Edit` and `scalecore.FixResult`: fixes as the diagnostics carry
//! them and what `scalecore.fix` answers, immutable, with the JSON contract as `to_dict()`.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use crate::diagnostic::Diagnostic;

/// Replace the text between two positions with `new_text` (an insertion when they are equal).
/// Positions are those of a diagnostic: 1-based lines and columns, columns counting Unicode
/// scalar values (Python's own `str` indices), the end exclusive.
#[pyclass(frozen, eq, hash, from_py_object, module = "scalecore", name = "Edit")]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Edit {
    #[pyo3(get)]
    line: u32,
    #[pyo3(get)]
    column: u32,
    #[pyo3(get)]
    end_line: u32,
    #[pyo3(get)]
    end_column: u32,
    #[pyo3(get)]
    new_text: String,
}

impl From<scalecore_bindings::Edit> for Edit {
    fn from(e: scalecore_bindings::Edit) -> Self {
        Edit {
            line: e.line,
            column: e.column,
            end_line: e.end_line,
            end_column: e.end_column,
            new_text: e.new_text,
        }
    }
}

#[pymethods]
impl Edit {
    #[new]
    fn py_new(line: u32, column: u32, end_line: u32, end_column: u32, new_text: String) -> Self {
        Edit {
            line,
            column,
            end_line,
            end_column,
            new_text,
        }
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let e = slf.get();
        let args = (
            e.line,
            e.column,
            e.end_line,
            e.end_column,
            e.new_text.as_str(),
        )
            .into_pyobject(slf.py())?;
        Ok((slf.get_type().into_any(), args))
    }

    /// The JSON contract: `line`, `column`, `endLine`, `endColumn`, `newText`.
    pub fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("line", self.line)?;
        d.set_item("column", self.column)?;
        d.set_item("endLine", self.end_line)?;
        d.set_item("endColumn", self.end_column)?;
        d.set_item("newText", &self.new_text)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "<Edit {}:{}-{}:{} {:?}>",
            self.line, self.column, self.end_line, self.end_column, self.new_text
        )
    }
}

const APPLICABILITIES: [&str; 2] = ["safe", "unsafe"];

/// One way to resolve a finding: edits to the text it was found in. `applicability` is
/// `"safe"` (keeps what the author meant; `fix` applies it) or `"unsafe"` (may change
/// behaviour; `fix(..., unsafe_fixes=True)` applies it, or a person picks it).
#[pyclass(frozen, eq, hash, from_py_object, module = "scalecore", name = "Fix")]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fix {
    #[pyo3(get)]
    title: String,
    #[pyo3(get)]
    applicability: &'static str,
    edits: Vec<Edit>,
}

impl From<scalecore_bindings::Fix> for Fix {
    fn from(f: scalecore_bindings::Fix) -> Self {
        Fix {
            title: f.title,
            applicability: match f.applicability {
                scalecore_bindings::Applicability::Safe => "safe",
                scalecore_bindings::Applicability::Unsafe => "unsafe",
            },
            edits: f.edits.into_iter().map(Edit::from).collect(),
        }
    }
}

#[pymethods]
impl Fix {
    #[new]
    fn py_new(title: String, applicability: &str, edits: Vec<Edit>) -> PyResult<Self> {
        let applicability = APPLICABILITIES
            .iter()
            .find(|a| **a == applicability)
            .copied()
            .ok_or_else(|| {
                PyValueError::new_err(format!(
                    "applicability must be one of {APPLICABILITIES:?}, not {applicability:?}"
                ))
            })?;
        Ok(Fix {
            title,
            applicability,
            edits,
        })
    }

    /// The edits, in position order (a tuple: fixes are immutable).
    #[getter]
    fn edits<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.edits.iter().cloned())
    }

    #[getter]
    fn is_safe(&self) -> bool {
        self.applicability == "safe"
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let f = slf.get();
        let args = (f.title.as_str(), f.applicability, f.edits(py)?).into_pyobject(py)?;
        Ok((slf.get_type().into_any(), args))
    }

    /// The JSON contract: `title`, `applicability`, `edits`.
    pub fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("title", &self.title)?;
        d.set_item("applicability", self.applicability)?;
        d.set_item("edits", dicts(py, &self.edits, |e, py| e.to_dict(py))?)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "<Fix {:?} {}, {} edit(s)>",
            self.title,
            self.applicability,
            self.edits.len()
        )
    }
}

/// A list of `to_dict()`s.
pub fn dicts<'py, T>(
    py: Python<'py>,
    items: &[T],
    to_dict: impl Fn(&T, Python<'py>) -> PyResult<Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for item in items {
        list.append(to_dict(item, py)?)?;
    }
    Ok(list)
}

/// What `scalecore.fix` answers: the fixed text, how many fixes were applied, what a lint of
/// the fixed text still reports, and whether fixing settled (false when fixes kept changing
/// the text until the round limit).
#[pyclass(frozen, eq, module = "scalecore", name = "FixResult")]
#[derive(Clone, Debug, PartialEq)]
pub struct FixResult {
    #[pyo3(get)]
    text: String,
    #[pyo3(get)]
    applied: usize,
    remaining: Vec<Diagnostic>,
    #[pyo3(get)]
    converged: bool,
}

impl FixResult {
    pub fn new(r: scalecore_bindings::FixResult, file: Option<&str>) -> Self {
        FixResult {
            text: r.text,
            applied: r.applied,
            remaining: r
                .remaining
                .into_iter()
                .map(|d| Diagnostic::new(d, file))
                .collect(),
            converged: r.converged,
        }
    }
}

#[pymethods]
impl FixResult {
    #[new]
    fn py_new(text: String, applied: usize, remaining: Vec<Diagnostic>, converged: bool) -> Self {
        FixResult {
            text,
            applied,
            remaining,
            converged,
        }
    }

    /// The diagnostics a lint of the fixed text reports (a new list on each access).
    #[getter]
    fn remaining<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.remaining.iter().cloned())
    }

    /// True when some fix changed the text.
    #[getter]
    fn changed(&self) -> bool {
        self.applied > 0
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let r = slf.get();
        let args = (r.text.as_str(), r.applied, r.remaining(py)?, r.converged).into_pyobject(py)?;
        Ok((slf.get_type().into_any(), args))
    }

    /// `text`, `applied`, `remaining` (diagnostics in the JSON contract), `converged`.
    pub fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("text", &self.text)?;
        d.set_item("applied", self.applied)?;
        d.set_item(
            "remaining",
            dicts(py, &self.remaining, |x, py| x.to_dict(py))?,
        )?;
        d.set_item("converged", self.converged)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "<FixResult applied={} remaining={} converged={}>",
            self.applied,
            self.remaining.len(),
            if self.converged { "True" } else { "False" }
        )
    }
}
