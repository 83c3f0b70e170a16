//! Python objects <-> JSON values, so dicts and lists cross the boundary in the same shape
//! the JSON contract gives them (no second description of the types on this side).

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use pyo3::IntoPyObjectExt;
use serde_json::{Map, Number, Value};

/// Deeper than any scenario needs; stops self-referencing containers.
pub const MAX_DEPTH: usize = 64;

/// Why a Python object is not JSON, and where in it (`steps[3].metrics.orders`).
pub struct NotJson {
    /// Path segments, innermost first (they are collected while unwinding).
    rev_path: Vec<String>,
    pub message: String,
}

impl NotJson {
    fn new(message: impl Into<String>) -> Self {
        NotJson {
            rev_path: Vec::new(),
            message: message.into(),
        }
    }

    fn at(mut self, segment: String) -> Self {
        self.rev_path.push(segment);
        self
    }

    /// The dotted path of the offending value (empty for the top level).
    pub fn path(&self) -> String {
        let mut out = String::new();
        for seg in self.rev_path.iter().rev() {
            if !seg.starts_with('[') && !out.is_empty() {
                out.push('.');
            }
            out.push_str(seg);
        }
        out
    }
}

/// Converts a dict/list/str/number/bool/None tree into a JSON value.
pub fn to_json(obj: &Bound<'_, PyAny>, depth: usize) -> Result<Value, NotJson> {
    if depth > MAX_DEPTH {
        return Err(NotJson::new(format!(
            "nesting deeper than {MAX_DEPTH} levels (a container that holds itself?)"
        )));
    }
    if let Ok(dict) = obj.cast::<PyDict>() {
        let mut map = Map::new();
        for (k, v) in dict.iter() {
            let key = match k.cast::<PyString>() {
                Ok(s) => s
                    .to_cow()
                    .map_err(|_| NotJson::new("key is not valid Unicode"))?
                    .into_owned(),
                Err(_) => {
                    return Err(NotJson::new(format!(
                        "keys must be strings, not {}",
                        type_name(&k)
                    )))
                }
            };
            let value = to_json(&v, depth + 1).map_err(|e| e.at(key.clone()))?;
            map.insert(key, value);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(list) = obj.cast::<PyList>() {
        return seq(list.iter(), list.len(), depth);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return s
            .to_cow()
            .map(|c| Value::String(c.into_owned()))
            .map_err(|_| NotJson::new("string is not valid Unicode (lone surrogate)"));
    }
    // bool before int: a Python bool is an int.
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        return int(obj);
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return float(f.value());
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        return seq(t.iter(), t.len(), depth);
    }
    // Numbers of other libraries (NumPy scalars) convert through __index__ / __float__.
    if obj.hasattr("__index__").unwrap_or(false) {
        return int(obj);
    }
    if let Ok(v) = obj.extract::<f64>() {
        return float(v);
    }
    Err(NotJson::new(format!(
        "{} is not a JSON value (use dict, list, str, int, float, bool or None)",
        type_name(obj)
    )))
}

fn seq<'py>(
    items: impl Iterator<Item = Bound<'py, PyAny>>,
    len: usize,
    depth: usize,
) -> Result<Value, NotJson> {
    let mut out = Vec::with_capacity(len);
    for (i, item) in items.enumerate() {
        out.push(to_json(&item, depth + 1).map_err(|e| e.at(format!("[{i}]")))?);
    }
    Ok(Value::Array(out))
}

fn int(obj: &Bound<'_, PyAny>) -> Result<Value, NotJson> {
    if let Ok(i) = obj.extract::<i64>() {
        return Ok(Value::Number(i.into()));
    }
    if let Ok(u) = obj.extract::<u64>() {
        return Ok(Value::Number(u.into()));
    }
    Err(NotJson::new("integer does not fit in 64 bits"))
}

fn float(v: f64) -> Result<Value, NotJson> {
    Number::from_f64(v)
        .map(Value::Number)
        .ok_or_else(|| NotJson::new(format!("{v} is not a JSON number")))
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_owned())
}

/// Converts a JSON value into Python dicts, lists, str, int, float, bool and None.
pub fn to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    match value {
        Value::Null => Ok(py.None().into_bound(py)),
        Value::Bool(b) => b.into_bound_py_any(py),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_bound_py_any(py)
            } else if let Some(u) = n.as_u64() {
                u.into_bound_py_any(py)
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_bound_py_any(py)
            }
        }
        Value::String(s) => s.as_str().into_bound_py_any(py),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            Ok(list.into_any())
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k.as_str(), to_py(py, v)?)?;
            }
            Ok(dict.into_any())
        }
    }
}

/// Serialises a contract type and converts it (one code path for every answer).
pub fn serde_to_py<'py, T: serde::Serialize>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    let json = serde_json::to_value(value)
        .map_err(|e| PyTypeError::new_err(format!("cannot convert answer: {e}")))?;
    to_py(py, &json)
}
