//! `_native.MockServer`: the emulator in-process, driven with the JSON of its admin API.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use pleo_installations::Uuid;
use pleo_installations_mock::{Fault, MockServer as Server, SeedInstallation};
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use serde_json::{Value, json};

/// A running emulator on 127.0.0.1; stopped by `shutdown()` or when collected.
#[pyclass(frozen, module = "pleo_installations._native")]
pub(crate) struct MockServer {
    server: Mutex<Option<Server>>,
}

impl MockServer {
    fn running(&self) -> PyResult<RunningServer<'_>> {
        let guard = self.server.lock().unwrap_or_else(|e| e.into_inner());
        if guard.is_none() {
            return Err(PyRuntimeError::new_err("the MockServer has been shut down"));
        }
        Ok(RunningServer(guard))
    }
}

/// The running server, borrowed from its mutex.
struct RunningServer<'a>(MutexGuard<'a, Option<Server>>);

impl std::ops::Deref for RunningServer<'_> {
    type Target = Server;

    fn deref(&self) -> &Server {
        self.0.as_ref().expect("checked by MockServer::running")
    }
}

fn json_arg(what: &str, text: &str) -> PyResult<Value> {
    serde_json::from_str(text).map_err(|e| PyValueError::new_err(format!("{what}: {e}")))
}

fn company(company_id: Option<&str>) -> PyResult<Option<Uuid>> {
    company_id
        .map(|id| {
            Uuid::parse_str(id)
                .map_err(|_| PyValueError::new_err(format!("company_id {id:?} is not a UUID")))
        })
        .transpose()
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

    /// The base URL, e.g. `http://127.0.0.1:41234`.
    #[getter]
    fn url(&self) -> PyResult<String> {
        Ok(self.running()?.url())
    }

    /// The API key it accepts.
    #[getter]
    fn api_key(&self) -> PyResult<String> {
        Ok(self.running()?.api_key())
    }

    /// The static bearer token it accepts.
    #[getter]
    fn access_token(&self) -> PyResult<String> {
        Ok(self.running()?.access_token())
    }

    /// The first OAuth client as JSON: `client_id`, `client_secret`, `redirect_uris`, ...
    fn oauth_client(&self) -> PyResult<String> {
        let client = self.running()?.oauth_client();
        Ok(json!({
            "client_id": client.client_id,
            "client_secret": client.client_secret,
            "redirect_uris": client.redirect_uris,
            "scope": client.scope,
        })
        .to_string())
    }

    /// Queues a fault given in the admin API's JSON form.
    fn push_fault(&self, fault_json: &str) -> PyResult<()> {
        let fault = Fault::from_json(&json_arg("fault", fault_json)?)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        self.running()?.push_fault(fault);
        Ok(())
    }

    /// Forgets every queued fault.
    fn clear_faults(&self) -> PyResult<()> {
        self.running()?.clear_faults();
        Ok(())
    }

    /// How many faults are still queued.
    fn pending_faults(&self) -> PyResult<usize> {
        Ok(self.running()?.pending_faults())
    }

    /// The API requests received so far, as a JSON array.
    fn journal(&self) -> PyResult<String> {
        serde_json::to_string(&self.running()?.journal())
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    /// Forgets the recorded requests.
    fn clear_journal(&self) -> PyResult<()> {
        self.running()?.clear_journal();
        Ok(())
    }

    /// Forgets installations, faults, journal and OAuth state.
    fn reset(&self) -> PyResult<()> {
        self.running()?.reset();
        Ok(())
    }

    /// Puts an installation in place (admin JSON form); returns it as the API would.
    fn seed(&self, seed_json: &str) -> PyResult<String> {
        let seed = SeedInstallation::from_json(&json_arg("installation", seed_json)?)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let installation = self
            .running()?
            .seed(seed)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(installation.to_string())
    }

    /// The installation of `credential`'s client as JSON, or `None`.
    #[pyo3(signature = (credential, company_id=None))]
    fn installation(&self, credential: &str, company_id: Option<&str>) -> PyResult<Option<String>> {
        let company_id = company(company_id)?;
        Ok(self
            .running()?
            .installation(credential, company_id)
            .map(|v| v.to_string()))
    }

    /// Plays the browser on the consent page; returns `{code, state, callback}` as JSON.
    fn consent(&self, authorize_url: &str) -> PyResult<String> {
        let consent = self
            .running()?
            .consent(authorize_url)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        serde_json::to_string(&consent).map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    /// A new token family for `client_id`: `(access_token, refresh_token)`.
    fn issue_tokens(&self, client_id: &str) -> PyResult<(String, String)> {
        self.running()?
            .try_issue_tokens(client_id)
            .map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// Moves the emulator's token clock forward by `seconds`.
    fn advance_clock(&self, seconds: f64) -> PyResult<()> {
        let by = Duration::try_from_secs_f64(seconds)
            .map_err(|e| PyValueError::new_err(format!("seconds {seconds}: {e}")))?;
        self.running()?.advance_clock(by);
        Ok(())
    }

    /// Makes every access token issued so far expire now.
    fn expire_access_tokens(&self) -> PyResult<()> {
        self.running()?.expire_access_tokens();
        Ok(())
    }

    /// How many requests the token endpoint received.
    fn token_requests(&self) -> PyResult<usize> {
        Ok(self.running()?.token_requests())
    }

    /// How many refresh grants succeeded.
    fn refresh_count(&self) -> PyResult<usize> {
        Ok(self.running()?.refresh_count())
    }

    /// Stops the emulator (again: nothing happens).
    fn shutdown(&self, py: Python<'_>) {
        let server = self.server.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(server) = server {
            py.detach(|| server.shutdown());
        }
    }
}
