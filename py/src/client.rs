//! `_native.Client`: the core client behind its JSON door.

use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;

use pleo_installations::oauth::OAuthTokens;
use pyo3::prelude::*;

use crate::token_store::{FileTokenStore, PyTokenStore};
use crate::{blocking, error, interpreter};

/// The `User-Agent` product token of this binding.
const SDK_COMPONENT: &str = concat!("pleo-installations-python/", env!("CARGO_PKG_VERSION"));

/// A core client; safe to share between threads, the GIL released during every call, which
/// Ctrl-C interrupts on the main thread (see `blocking`).
#[pyclass(frozen, module = "pleo_installations._native")]
pub(crate) struct Client {
    inner: pleo_installations::Client,
}

#[pymethods]
impl Client {
    /// Builds a client from the configuration JSON of the API contract (what it leaves unset
    /// is read from `PLEO_API_KEY`, `PLEO_ACCESS_TOKEN` and `PLEO_BASE_URL` by the core's
    /// rule), with an optional refresh hook (called with the tokens' JSON) and an optional
    /// token store: a `FileTokenStore`, or a Python object (see `token_store.rs`). The core
    /// builds as a call runs (seeding a store may wait for its lock; see `blocking`), and a
    /// panic there is an error of kind `internal`.
    #[new]
    #[pyo3(signature = (config_json, on_tokens_refreshed=None, token_store=None))]
    fn new(
        py: Python<'_>,
        config_json: &str,
        on_tokens_refreshed: Option<Py<PyAny>>,
        token_store: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Client> {
        let mut builder = pleo_installations::ClientBuilder::from_json(config_json)
            .map_err(|e| error::to_py(py, &e))?
            .env_fallbacks()
            .sdk_component(SDK_COMPONENT);
        if let Some(hook) = on_tokens_refreshed {
            let hook = Arc::new(hook);
            builder = builder.on_tokens_refreshed(move |tokens: &OAuthTokens| {
                let tokens_json = tokens.to_json().to_string();
                let hook = Arc::clone(&hook);
                // On the calling thread, as a Python callback is expected to run.
                blocking::on_caller(move |py| hook.call1(py, (tokens_json,)))??;
                Ok(())
            });
        }
        if let Some(store) = token_store {
            builder = match store.cast::<FileTokenStore>() {
                Ok(file) => builder.token_store(file.get().inner.clone()),
                Err(_) => builder.token_store(Arc::new(PyTokenStore::new(store.unbind()))),
            };
        }
        let inner = blocking::run(py, move || {
            panic::catch_unwind(AssertUnwindSafe(|| builder.build())).unwrap_or_else(|payload| {
                Err(pleo_installations::Error::from_panic(
                    "Client",
                    payload.as_ref(),
                ))
            })
        })?
        .map_err(|e| error::to_py(py, &e))?;
        Ok(Client { inner })
    }

    /// Calls an operation by its operationId with a JSON request; returns the result JSON.
    /// Ctrl-C interrupts the wait (see `blocking`).
    fn call_json(
        &self,
        py: Python<'_>,
        operation_id: String,
        request_json: String,
    ) -> PyResult<String> {
        let inner = self.inner.clone();
        blocking::run(py, move || inner.call_json(&operation_id, &request_json))?
            .map_err(|e| error::to_py(py, &e))
    }

    /// Starts an operation on the core's runtime and returns at once, for asyncio: the
    /// result reaches `deliver(ok, payload)` (`ok` true: the result JSON; false: the
    /// exception to raise), called exactly once from an SDK thread with the GIL held (pass
    /// `loop.call_soon_threadsafe` bound to a settling function). The handle cancels the call.
    fn start_json(&self, operation_id: &str, request_json: &str, deliver: Py<PyAny>) -> CallHandle {
        let handle = self
            .inner
            .as_async()
            .start_json(operation_id, request_json, move |result| {
                let delivered = interpreter::attach(|py| {
                    let payload = match result {
                        Ok(json) => (true, json.into_pyobject(py)?.into_any().unbind()),
                        Err(e) => (false, error::to_py(py, &e).into_value(py).into_any()),
                    };
                    deliver.call1(py, payload).map(drop)
                });
                // A loop closed before the call ended can no longer be told: nothing awaits it.
                if let Ok(Err(e)) = delivered {
                    log::debug!("an asyncio call's result was not delivered: {e}");
                }
            });
        CallHandle { inner: handle }
    }

    /// The base URL the client calls.
    #[getter]
    fn base_url(&self) -> &str {
        self.inner.base_url()
    }
}

/// Cancels a call started by `Client.start_json`.
#[pyclass(frozen, module = "pleo_installations._native")]
pub(crate) struct CallHandle {
    inner: pleo_installations::CallHandle,
}

#[pymethods]
impl CallHandle {
    /// Cancels the call: its request is abandoned, and `deliver` gets kind `cancelled`
    /// unless the call already ended.
    fn cancel(&self) {
        self.inner.cancel();
    }
}

/// Calls an OAuth helper (`authorizationUrl`, `exchangeCode`, `codeChallenge`,
/// `newCodeVerifier`) with a JSON request; returns the result JSON. Ctrl-C interrupts the
/// wait (see `blocking`).
#[pyfunction]
pub(crate) fn oauth_call(
    py: Python<'_>,
    function: String,
    request_json: String,
) -> PyResult<String> {
    blocking::run(py, move || {
        pleo_installations::oauth::call_json(&function, &request_json)
    })?
    .map_err(|e| error::to_py(py, &e))
}
