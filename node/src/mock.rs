//! The emulator in-process, driven through its admin API's JSON door
//! (`lib/testing.js` builds the JavaScript methods on it).

use napi_derive::napi;
use pleo_installations_mock::MockServer;

/// A running emulator of the Installations API and its OAuth server on 127.0.0.1.
#[napi]
pub struct NativeMockServer {
    server: Option<MockServer>,
}

/// A `napi::Error` naming what was wrong.
fn fail(message: impl std::fmt::Display) -> napi::Error {
    napi::Error::from_reason(message.to_string())
}

#[napi]
impl NativeMockServer {
    /// Starts an emulator on a free port (about a millisecond).
    #[napi(factory, catch_unwind)]
    pub fn start() -> napi::Result<Self> {
        let server =
            MockServer::start().map_err(|e| fail(format!("the emulator did not start: {e}")))?;
        Ok(NativeMockServer {
            server: Some(server),
        })
    }

    /// The admin API in-process: `method` and `path` (`/__mock/...`) as over HTTP, `body`
    /// JSON text (`""` for none); the answer's JSON text, or an error with the message the
    /// HTTP API would answer.
    #[napi(catch_unwind)]
    pub fn admin(&self, method: String, path: String, body: String) -> napi::Result<String> {
        let server = self
            .server
            .as_ref()
            .ok_or_else(|| fail("the emulator was stopped"))?;
        server.admin_json(&method, &path, &body).map_err(fail)
    }

    /// Stops the emulator and cuts open connections; stopping twice does nothing.
    #[napi(catch_unwind)]
    pub fn stop(&mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown();
        }
    }
}
