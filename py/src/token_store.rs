//! A token store written in Python, adapted to the core's `TokenStore`. The Python side
//! (`pleo_installations.oauth._NativeTokenStore`) speaks JSON: `load() -> str | None`,
//! `lock(wait_seconds) -> held` (with `release()`), `compare_and_swap(expected, tokens_json)
//! -> bool`, each run on the calling thread. A Python exception is passed through as the
//! source of the SDK's error. Once the interpreter exits, the store fails with
//! `interpreter::Exiting`.
//! Also the core's file store, for Python.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use pleo_installations::oauth::{self, LockTimeout, OAuthTokens, StoreError, TokenStore};
use pleo_installations::{Error, Secret};
use pyo3::exceptions::PyTimeoutError;
use pyo3::prelude::*;

use crate::{blocking, error};

/// A Python token store; every method runs on the calling thread (see
/// `blocking::on_caller`), attached for the duration of its Python call.
pub(crate) struct PyTokenStore(Arc<Py<PyAny>>);

impl PyTokenStore {
    pub(crate) fn new(store: Py<PyAny>) -> PyTokenStore {
        PyTokenStore(Arc::new(store))
    }

    /// Runs `f` with the store, on the calling thread.
    fn call<R: Send + 'static>(
        &self,
        f: impl FnOnce(Python<'_>, &Py<PyAny>) -> Result<R, StoreError> + Send + 'static,
    ) -> Result<R, StoreError> {
        let store = Arc::clone(&self.0);
        blocking::on_caller(move |py| f(py, &store))?
    }
}

/// A lock taken from a Python store, released when dropped.
struct Held(Option<Py<PyAny>>);

impl Drop for Held {
    fn drop(&mut self) {
        let Some(held) = self.0.take() else { return };
        // Once the interpreter exits, the lock goes with the process.
        let _ = blocking::on_caller(move |py| {
            if let Err(e) = held.call_method0(py, "release") {
                // Nowhere to return it from a drop: report it the way Python reports an
                // exception raised in __del__.
                e.write_unraisable(py, Some(held.bind(py)));
            }
        });
    }
}

impl TokenStore for PyTokenStore {
    fn load(&self) -> Result<Option<OAuthTokens>, StoreError> {
        let json: Option<String> =
            self.call(|py, store| Ok(store.call_method0(py, "load")?.extract(py)?))?;
        Ok(json
            .map(|text| OAuthTokens::from_json_str(&text))
            .transpose()?)
    }

    fn lock(&self, wait: Duration) -> Result<Box<dyn Send + '_>, StoreError> {
        self.call(
            move |py, store| match store.call_method1(py, "lock", (wait.as_secs_f64(),)) {
                Ok(held) => Ok(Box::new(Held(Some(held))) as Box<dyn Send>),
                Err(e) if e.is_instance_of::<PyTimeoutError>(py) => {
                    Err(Box::new(LockTimeout(wait)) as StoreError)
                }
                Err(e) => Err(Box::new(e) as StoreError),
            },
        )
    }

    fn compare_and_swap(
        &self,
        expected: &Secret,
        tokens: &OAuthTokens,
    ) -> Result<bool, StoreError> {
        let expected = expected.expose().to_owned();
        let tokens_json = tokens.to_json().to_string();
        self.call(move |py, store| {
            Ok(store
                .call_method1(py, "compare_and_swap", (expected, tokens_json))?
                .extract::<bool>(py)?)
        })
    }
}

/// The core's token store in a JSON file, shared by processes without a round trip through
/// Python: `_native.Client` uses it directly.
#[pyclass(frozen, module = "pleo_installations._native")]
pub(crate) struct FileTokenStore {
    pub(crate) inner: Arc<oauth::FileTokenStore>,
}

/// A failure of the file store as the SDK's error (see `Error::from_store`); an I/O error
/// is also its cause, as the `OSError` subclass Python would raise.
fn store_error(py: Python<'_>, error: StoreError) -> PyErr {
    let cause = error.downcast_ref::<std::io::Error>().map(|io| {
        PyErr::from(std::io::Error::new(io.kind(), io.to_string()))
            .into_value(py)
            .into_any()
    });
    error::with_cause(&Error::from_store(error), cause)
}

#[pymethods]
impl FileTokenStore {
    /// A store in the file at `path` (created on the first write).
    #[new]
    fn new(path: PathBuf) -> FileTokenStore {
        FileTokenStore {
            inner: Arc::new(oauth::FileTokenStore::new(path)),
        }
    }

    /// Where the tokens are stored.
    #[getter]
    fn path(&self) -> String {
        self.inner.path().to_string_lossy().into_owned()
    }

    /// The stored tokens as JSON, or `None` when there is no file.
    fn load(&self, py: Python<'_>) -> PyResult<Option<String>> {
        let inner = self.inner.clone();
        let tokens = blocking::run(py, move || inner.load())?.map_err(|e| store_error(py, e))?;
        Ok(tokens.map(|tokens| tokens.to_json().to_string()))
    }

    /// Writes the tokens (JSON) under the file's lock, without comparing.
    fn save(&self, py: Python<'_>, tokens_json: &str) -> PyResult<()> {
        let tokens = OAuthTokens::from_json_str(tokens_json).map_err(|e| error::to_py(py, &e))?;
        let inner = self.inner.clone();
        blocking::run(py, move || inner.save(&tokens))?.map_err(|e| store_error(py, e))
    }
}
