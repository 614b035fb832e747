//! `_native.Client`: the core client behind its JSON door.

use pyo3::prelude::*;

use crate::error;

/// The `User-Agent` product token of this binding.
const SDK_COMPONENT: &str = concat!("pleo-installations-python/", env!("CARGO_PKG_VERSION"));

/// A core client; safe to share between threads, the GIL released during every call.
#[pyclass(frozen, module = "pleo_installations._native")]
pub(crate) struct Client {
    inner: pleo_installations::Client,
}

#[pymethods]
impl Client {
    /// Builds a client from the configuration JSON of the API contract.
    #[new]
    fn new(py: Python<'_>, config_json: &str) -> PyResult<Client> {
        let inner = pleo_installations::ClientBuilder::from_json(config_json)
            .and_then(|builder| builder.sdk_component(SDK_COMPONENT).build())
            .map_err(|e| error::to_py(py, &e))?;
        Ok(Client { inner })
    }

    /// Calls an operation by its operationId with a JSON request; returns the result JSON.
    fn call_json(
        &self,
        py: Python<'_>,
        operation_id: &str,
        request_json: &str,
    ) -> PyResult<String> {
        py.detach(|| self.inner.call_json(operation_id, request_json))
            .map_err(|e| error::to_py(py, &e))
    }

    /// The base URL the client calls.
    #[getter]
    fn base_url(&self) -> &str {
        self.inner.base_url()
    }
}
