//! `scalecore.Diagnostic`: one finding, immutable, with the JSON contract as `to_dict()`.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use pyo3::IntoPyObjectExt;

use crate::fixes::{dicts, Fix};

/// A finding about one node of a KEDA document.
#[pyclass(
    frozen,
    eq,
    hash,
    from_py_object,
    module = "scalecore",
    name = "Diagnostic"
)]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    #[pyo3(get)]
    code: String,
    #[pyo3(get)]
    severity: &'static str,
    #[pyo3(get)]
    message: String,
    #[pyo3(get)]
    path: String,
    #[pyo3(get)]
    document: usize,
    #[pyo3(get)]
    line: u32,
    #[pyo3(get)]
    column: u32,
    #[pyo3(get)]
    end_line: u32,
    #[pyo3(get)]
    end_column: u32,
    #[pyo3(get)]
    help: Option<String>,
    #[pyo3(get)]
    source: &'static str,
    /// Ways to resolve the finding, best first.
    fixes: Vec<Fix>,
    /// The file the text came from (`lint(text, path=...)`); not part of the JSON contract.
    #[pyo3(get)]
    file: Option<String>,
}

impl Diagnostic {
    pub fn new(d: scalecore_bindings::Diagnostic, file: Option<&str>) -> Self {
        Diagnostic {
            code: d.code,
            severity: d.severity.as_str(),
            message: d.message,
            path: d.path,
            document: d.document,
            line: d.line,
            column: d.column,
            end_line: d.end_line,
            end_column: d.end_column,
            help: d.help,
            source: d.source.as_str(),
            fixes: d.fixes.into_iter().map(Fix::from).collect(),
            file: file.map(str::to_owned),
        }
    }
}

const SEVERITIES: [&str; 3] = ["error", "warning", "info"];
const SOURCES: [&str; 5] = ["schema", "webhook", "scaler", "reference", "lint"];

fn known(value: &str, names: &[&'static str], what: &str) -> PyResult<&'static str> {
    names.iter().find(|n| **n == value).copied().ok_or_else(|| {
        PyValueError::new_err(format!("{what} must be one of {names:?}, not {value:?}"))
    })
}

#[pymethods]
impl Diagnostic {
    /// Diagnostics come from `lint`; the constructor exists for pickling and for tests.
    #[new]
    #[pyo3(signature = (code, severity, message, path, document, line, column, end_line, end_column, help=None, source="lint", file=None, fixes=None))]
    #[allow(clippy::too_many_arguments)]
    fn py_new(
        code: String,
        severity: &str,
        message: String,
        path: String,
        document: usize,
        line: u32,
        column: u32,
        end_line: u32,
        end_column: u32,
        help: Option<String>,
        source: &str,
        file: Option<String>,
        fixes: Option<Vec<Fix>>,
    ) -> PyResult<Self> {
        Ok(Diagnostic {
            code,
            severity: known(severity, &SEVERITIES, "severity")?,
            message,
            path,
            document,
            line,
            column,
            end_line,
            end_column,
            help,
            source: known(source, &SOURCES, "source")?,
            fixes: fixes.unwrap_or_default(),
            file,
        })
    }

    /// Pickles (multiprocessing pools return diagnostics from worker processes).
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let d = slf.get();
        // Thirteen arguments: more than PyO3 converts as one Rust tuple.
        let args = PyTuple::new(
            py,
            [
                d.code.as_str().into_bound_py_any(py)?,
                d.severity.into_bound_py_any(py)?,
                d.message.as_str().into_bound_py_any(py)?,
                d.path.as_str().into_bound_py_any(py)?,
                d.document.into_bound_py_any(py)?,
                d.line.into_bound_py_any(py)?,
                d.column.into_bound_py_any(py)?,
                d.end_line.into_bound_py_any(py)?,
                d.end_column.into_bound_py_any(py)?,
                d.help.as_deref().into_bound_py_any(py)?,
                d.source.into_bound_py_any(py)?,
                d.file.as_deref().into_bound_py_any(py)?,
                d.fixes(py)?.into_any(),
            ],
        )?;
        Ok((slf.get_type().into_any(), args))
    }

    /// Ways to resolve the finding, best first (a tuple; empty when there is none).
    #[getter]
    fn fixes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.fixes.iter().cloned())
    }

    /// The JSON contract: camelCase keys, `help` and `fixes` only when present.
    pub fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("code", &self.code)?;
        d.set_item("severity", self.severity)?;
        d.set_item("message", &self.message)?;
        d.set_item("path", &self.path)?;
        d.set_item("document", self.document)?;
        d.set_item("line", self.line)?;
        d.set_item("column", self.column)?;
        d.set_item("endLine", self.end_line)?;
        d.set_item("endColumn", self.end_column)?;
        if let Some(help) = &self.help {
            d.set_item("help", help)?;
        }
        d.set_item("source", self.source)?;
        if !self.fixes.is_empty() {
            d.set_item("fixes", dicts(py, &self.fixes, |f, py| f.to_dict(py))?)?;
        }
        Ok(d)
    }

    #[getter]
    fn is_error(&self) -> bool {
        self.severity == "error"
    }

    fn __repr__(&self) -> String {
        let at = match &self.file {
            Some(f) => format!("{f}:{}:{}", self.line, self.column),
            None => format!("{}:{}", self.line, self.column),
        };
        let path = if self.path.is_empty() {
            String::new()
        } else {
            format!(" {}", self.path)
        };
        format!(
            "<Diagnostic {} {} at {at}{path}: {}>",
            self.code, self.severity, self.message
        )
    }

    /// `file:line:column: severity CODE: message`, as compilers print it.
    fn __str__(&self) -> String {
        let file = self.file.as_deref().unwrap_or("<input>");
        format!(
            "{file}:{}:{}: {} {}: {}",
            self.line, self.column, self.severity, self.code, self.message
        )
    }
}
