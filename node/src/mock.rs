//! The emulator in-process, for tests of the binding and of users' code.

use std::time::Duration;

use napi_derive::napi;
use pleo_installations_mock::{Fault, MockServer, SeedInstallation};
use serde_json::{Value, json};

/// A running emulator of the Installations API and its OAuth server on 127.0.0.1.
#[napi]
pub struct NativeMockServer {
    server: Option<MockServer>,
}

/// A `napi::Error` naming what was wrong.
fn fail(message: impl std::fmt::Display) -> napi::Error {
    napi::Error::from_reason(message.to_string())
}

/// Parses a JSON argument, naming it when it is not JSON.
fn parse(what: &str, json: &str) -> napi::Result<Value> {
    serde_json::from_str(json).map_err(|e| fail(format!("{what} is not valid JSON: {e}")))
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

    fn running(&self) -> napi::Result<&MockServer> {
        self.server
            .as_ref()
            .ok_or_else(|| fail("the emulator was stopped"))
    }

    /// `{url, apiKey, accessToken, authorizeUrl, tokenUrl, oauthClient: {clientId,
    /// clientSecret, redirectUri}}` as JSON.
    #[napi(catch_unwind)]
    pub fn info(&self) -> napi::Result<String> {
        let server = self.running()?;
        let client = server.oauth_clients().into_iter().next();
        Ok(json!({
            "url": server.url(),
            "apiKey": server.api_key(),
            "accessToken": server.access_token(),
            "authorizeUrl": server.authorize_url(),
            "tokenUrl": server.token_url(),
            "oauthClient": client.map(|c| json!({
                "clientId": c.client_id,
                "clientSecret": c.client_secret,
                "redirectUri": c.redirect_uris.first(),
            })),
        })
        .to_string())
    }

    /// Queues faults: one in the admin API's form, or an array of them (all or nothing).
    #[napi(catch_unwind)]
    pub fn push_faults(&self, faults_json: String) -> napi::Result<()> {
        let server = self.running()?;
        let faults = Fault::list_from_json(&parse("the fault", &faults_json)?).map_err(fail)?;
        faults
            .into_iter()
            .for_each(|fault| server.push_fault(fault));
        Ok(())
    }

    /// Forgets the queued faults.
    #[napi(catch_unwind)]
    pub fn clear_faults(&self) -> napi::Result<()> {
        self.running()?.clear_faults();
        Ok(())
    }

    /// How many faults are still queued.
    #[napi(catch_unwind)]
    pub fn pending_faults(&self) -> napi::Result<u32> {
        Ok(u32::try_from(self.running()?.pending_faults()).unwrap_or(u32::MAX))
    }

    /// The requests received, as the admin API's JSON array.
    #[napi(catch_unwind)]
    pub fn journal(&self) -> napi::Result<String> {
        serde_json::to_string(&self.running()?.journal()).map_err(fail)
    }

    /// Forgets the journal.
    #[napi(catch_unwind)]
    pub fn clear_journal(&self) -> napi::Result<()> {
        self.running()?.clear_journal();
        Ok(())
    }

    /// Puts an installation in place from `{credential, company_id?, status, metadata?,
    /// errorCode?}`; returns it as JSON.
    #[napi(catch_unwind)]
    pub fn seed(&self, seed_json: String) -> napi::Result<String> {
        let server = self.running()?;
        let seed =
            SeedInstallation::from_json(&parse("the installation", &seed_json)?).map_err(fail)?;
        Ok(server.seed(seed).map_err(fail)?.to_string())
    }

    /// The installation of `credential`'s client in its own company, as JSON (`null` if none).
    #[napi(catch_unwind)]
    pub fn installation(&self, credential: String) -> napi::Result<String> {
        Ok(self
            .running()?
            .installation(&credential, None)
            .unwrap_or(Value::Null)
            .to_string())
    }

    /// Forgets installations, faults, journal and OAuth state.
    #[napi(catch_unwind)]
    pub fn reset(&self) -> napi::Result<()> {
        self.running()?.reset();
        Ok(())
    }

    /// A new token family for an OAuth client, as after a code exchange:
    /// `{access_token, refresh_token}` as JSON.
    #[napi(catch_unwind)]
    pub fn issue_tokens(&self, client_id: String) -> napi::Result<String> {
        let (access_token, refresh_token) =
            self.running()?.try_issue_tokens(&client_id).map_err(fail)?;
        Ok(json!({ "access_token": access_token, "refresh_token": refresh_token }).to_string())
    }

    /// Plays the user's browser on the consent page of `authorize_url`:
    /// `{callback, code, state}` as JSON.
    #[napi(catch_unwind)]
    pub fn consent(&self, authorize_url: String) -> napi::Result<String> {
        let consent = self.running()?.consent(&authorize_url).map_err(fail)?;
        serde_json::to_string(&consent).map_err(fail)
    }

    /// Moves the clock of token and code expiry forward.
    #[napi(catch_unwind)]
    pub fn advance_clock(&self, ms: u32) -> napi::Result<()> {
        self.running()?
            .advance_clock(Duration::from_millis(u64::from(ms)));
        Ok(())
    }

    /// Expires every access token issued so far.
    #[napi(catch_unwind)]
    pub fn expire_access_tokens(&self) -> napi::Result<()> {
        self.running()?.expire_access_tokens();
        Ok(())
    }

    /// `{tokenRequests, refreshes}` as JSON.
    #[napi(catch_unwind)]
    pub fn oauth_stats(&self) -> napi::Result<String> {
        let server = self.running()?;
        Ok(json!({ "tokenRequests": server.token_requests(), "refreshes": server.refresh_count() }).to_string())
    }

    /// Stops the emulator and cuts open connections; stopping twice does nothing.
    #[napi(catch_unwind)]
    pub fn stop(&mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown();
        }
    }
}
