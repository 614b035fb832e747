//! `pleo-installations demo`: the whole lifecycle against an embedded emulator.

use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use pleo_installations::{
    Client, CreateInstallation, Error, ErrorKind, InstallationStatus, Metadata, Secret,
    UpdateInstallation, oauth,
};
use pleo_installations_mock::{Fault, MockConfig, MockOAuthClient, MockServer};
use serde_json::json;

/// Runs the demo, printing each step; fails if any step does not behave as shown.
pub fn run() -> Result<(), Error> {
    let server = MockServer::start()
        .map_err(|e| Error::new(ErrorKind::Connection, format!("emulator: {e}")))?;
    println!("Pleo Installations emulator at {}\n", server.url());
    let client = Client::builder()
        .base_url(server.url())
        .api_key(server.api_key())
        .build()?;

    step("1. create the installation (API-key flow)");
    show(&client.create_installation(&CreateInstallation::default())?);

    step("2. get it");
    show(&client.get_installation(None)?);

    step("3. the sync starts: PENDING_INTEGRATION with metadata");
    let started =
        metadata(json!({"syncStartedBy": "worker-1", "externalConfigurationId": "123456789"}));
    let update = UpdateInstallation::new(InstallationStatus::PendingIntegration).metadata(started);
    show(&client.update_installation(&update)?);

    step("4. a second worker finishes the sync while the first waits for ACTIVATED");
    let worker = {
        let client = client.clone();
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(600));
            let done = metadata(json!({"syncStartedBy": "worker-1", "syncedBy": "worker-2"}));
            let update = UpdateInstallation::new(InstallationStatus::Activated).metadata(done);
            client.update_installation(&update).map(drop)
        })
    };
    let activated =
        client.wait_for_status(&[InstallationStatus::Activated], Duration::from_secs(10))?;
    worker
        .join()
        .map_err(|_| Error::new(ErrorKind::Internal, "the second worker panicked"))??;
    show(&activated);

    step("5. introspect the credential");
    show(&client.introspect()?);

    step("6. the emulator answers 503 once; the client retries and succeeds");
    server.clear_journal();
    server.push_fault(Fault::status(503).for_operation("getClientInstallation"));
    let installation = client.get_installation(None)?;
    let seen = server.journal().len();
    println!("the emulator received {seen} GET requests (503, then 200)");
    show(&installation);

    step("7. delete it");
    client.delete_installation()?;
    println!("deleted");

    step("8. get it again: not_found");
    match client.get_installation(None) {
        Err(error) if error.kind() == ErrorKind::NotFound => println!("{}", error.to_json()),
        Err(error) => return Err(error),
        Ok(_) => {
            return Err(Error::new(
                ErrorKind::Internal,
                "the installation survived delete",
            ));
        }
    }
    oauth_flow()?;
    println!("\nDone: the lifecycle ran end to end.");
    Ok(())
}

/// The OAuth path: consent, code exchange, activation, expiry and a transparent refresh
/// whose rotated tokens reach the persistence hook.
fn oauth_flow() -> Result<(), Error> {
    let app = MockOAuthClient::default_client().with_needs_activation(true);
    let config = MockConfig {
        oauth_clients: vec![app.clone()],
        ..MockConfig::default()
    };
    let server = MockServer::start_with(config)
        .map_err(|e| Error::new(ErrorKind::Connection, format!("emulator: {e}")))?;
    let endpoints = oauth::OAuthEndpoints::at(&server.url());
    let redirect_uri = &app.redirect_uris[0];

    step("9. OAuth: send the user to Pleo's consent page (PKCE S256)");
    let started = oauth::authorization_url(
        &endpoints,
        &app.client_id,
        redirect_uri,
        &["export:read"],
        None,
    )?;
    println!("{}", started.url);
    let consent = server
        .consent(&started.url)
        .map_err(|e| Error::new(ErrorKind::Internal, format!("consent: {e}")))?;
    if consent.state.as_deref() != Some(started.state.as_str()) {
        return Err(Error::new(
            ErrorKind::Internal,
            "consent: the state did not come back",
        ));
    }
    println!("the user consented; the callback got a code and the state we sent");

    step("10. exchange the code for tokens (server side, Basic client auth)");
    let secret = Secret::new(app.client_secret.clone());
    let tokens = oauth::exchange_code(
        &endpoints,
        &app.client_id,
        &secret,
        &consent.code,
        &started.code_verifier,
        redirect_uri,
    )?;
    println!("received an access token and a refresh token ({tokens:?})");

    let persisted = Arc::new(Mutex::new(0));
    let counter = persisted.clone();
    let client = Client::builder()
        .base_url(server.url())
        .oauth(oauth::OAuthCredentials {
            client_id: app.client_id.clone(),
            client_secret: secret,
            tokens,
            token_url: None,
        })
        .on_tokens_refreshed(move |fresh| {
            *counter.lock().unwrap_or_else(|e| e.into_inner()) += 1;
            println!("persisted the rotated tokens before use: {fresh:?}");
            Ok(())
        })
        .build()?;

    step("11. the application needs configuration: the installation is AUTHORIZED");
    println!("status: {}", client.get_installation(None)?.status);

    step("12. the sync is done: activate");
    println!("status: {}", client.activate_installation()?.status);

    step("13. the access token expires; the next call refreshes it transparently");
    server.expire_access_tokens();
    let installation = client.get_installation(None)?;
    println!(
        "status: {} after {} refresh at the token endpoint, {} persisted",
        installation.status,
        server.refresh_count(),
        persisted.lock().unwrap_or_else(|e| e.into_inner())
    );
    Ok(())
}

fn step(title: &str) {
    println!("\n==> {title}");
}

fn show(value: &impl serde::Serialize) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(e) => println!("(unprintable: {e})"),
    }
}

fn metadata(value: serde_json::Value) -> Metadata {
    match value {
        serde_json::Value::Object(map) => map,
        _ => Metadata::new(),
    }
}
