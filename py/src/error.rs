//! How a core error crosses into Python: `NativeError(error_json, cause)`, which the Python
//! layer turns into the exception class of the error's kind, raised `from` the cause.

use std::error::Error as StdError;

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

create_exception!(
    _native,
    NativeError,
    PyException,
    "An SDK error: args are (error JSON, the Python exception that caused it or None)."
);

/// The Python exception for a core error: its JSON, and the exception a Python callback
/// (refresh hook, token store) raised if that is what failed the call. A callback's
/// `BaseException` that is not an `Exception` (`SystemExit`, `KeyboardInterrupt`) is not an
/// error of the call: it is raised again, unchanged.
pub(crate) fn to_py(py: Python<'_>, error: &pleo_installations::Error) -> PyErr {
    match python_cause(py, error) {
        Some(cause) if !cause.bind(py).is_instance_of::<PyException>() => {
            PyErr::from_value(cause.into_bound(py))
        }
        cause => with_cause(error, cause),
    }
}

/// The Python exception for an error of this binding (one the core did not make), raised
/// from `cause`.
pub(crate) fn with_cause(error: &pleo_installations::Error, cause: Option<Py<PyAny>>) -> PyErr {
    NativeError::new_err((error.to_json().to_string(), cause))
}

/// The Python exception somewhere in the error's chain of sources, if any.
fn python_cause(py: Python<'_>, error: &pleo_installations::Error) -> Option<Py<PyAny>> {
    let mut source = error.source();
    while let Some(current) = source {
        if let Some(py_err) = current.downcast_ref::<PyErr>() {
            return Some(py_err.clone_ref(py).into_value(py).into_any());
        }
        source = current.source();
    }
    None
}
