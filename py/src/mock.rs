//! `_native.MockServer`: the emulator in-process, driven through its admin API's JSON door
//! (`pleo_installations.testing` builds the Python methods on it).

use std::sync::Mutex;

use pleo_installations_mock::MockServer as Server;
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;

/// A running emulator on 127.0.0.1; stopped by `stop()` or when collected.
#[pyclass(frozen, module = "pleo_installations._native")]
pub(crate) struct MockServer {
    server: Mutex<Option<Server>>,
}

#[pymethods]
impl MockServer {
    /// Starts an emulator on a free port.
    #[new]
    fn new() -> PyResult<MockServer> {
        let server = Server::start().map_err(|e| PyOSError::new_err(e.to_string()))?;
        Ok(MockServer {
            server: Mutex::new(Some(server)),
        })
    }

    /// The admin API in-process: `method` and `path` (`/__mock/...`) as over HTTP, `body`
    /// JSON text (`""` for none); the answer's JSON text, or `ValueError` with the message
    /// the HTTP API would answer.
    fn admin(&self, py: Python<'_>, method: &str, path: &str, body: &str) -> PyResult<String> {
        // The lock is taken with the GIL released: a caller holding it may be waiting for
        // the GIL itself.
        py.detach(|| {
            let guard = self.server.lock().unwrap_or_else(|e| e.into_inner());
            let server = guard
                .as_ref()
                .ok_or_else(|| PyRuntimeError::new_err("the MockServer has been stopped"))?;
            server
                .admin_json(method, path, body)
                .map_err(|e| PyValueError::new_err(e.message().to_owned()))
        })
    }

    /// Stops the emulator and cuts its connections (again: nothing happens).
    fn stop(&self, py: Python<'_>) {
        py.detach(|| {
            let server = self.server.lock().unwrap_or_else(|e| e.into_inner()).take();
            if let Some(server) = server {
                server.shutdown();
            }
        });
    }
}
