//! The installation lifecycle with the typed API, against the emulator.
//!
//! `cargo run -p pleo-installations --example lifecycle` (uses `PLEO_BASE_URL` and
//! `PLEO_API_KEY` when set, else an emulator started in this process).

use std::time::Duration;

use pleo_installations::{
    Client, CreateInstallation, ErrorKind, InstallationStatus, UpdateInstallation,
};
use pleo_installations_mock::MockServer;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let local = match std::env::var("PLEO_BASE_URL") {
        Ok(_) => None,
        Err(_) => Some(MockServer::start()?),
    };
    let (base_url, api_key) = match &local {
        Some(server) => (server.url(), server.api_key()),
        None => (
            std::env::var("PLEO_BASE_URL")?,
            std::env::var("PLEO_API_KEY")?,
        ),
    };
    let client = Client::builder()
        .base_url(base_url)
        .api_key(api_key)
        .user_agent("lifecycle-example/1.0")
        .build()?;

    let created = client.create_installation(&CreateInstallation {
        status: Some(InstallationStatus::Authorized),
        metadata: None,
    })?;
    println!("created {} in {}", created.id, created.status);

    let activated = client.activate_installation()?;
    println!("activated: {}", activated.status);

    client.update_installation(&UpdateInstallation::new(
        InstallationStatus::PendingIntegration,
    ))?;
    let syncing = client.get_installation(None)?;
    println!("syncing: {}", syncing.status);

    client.update_installation(&UpdateInstallation::new(InstallationStatus::Activated))?;
    let ready = client.wait_for_status(&[InstallationStatus::Activated], Duration::from_secs(5))?;
    println!("ready: {}", ready.status);

    let who = client.introspect()?;
    println!(
        "authenticated as client {} ({})",
        who.data.client_id, who.data.auth_method
    );

    client.delete_installation()?;
    match client.get_installation(None) {
        Err(e) if e.kind() == ErrorKind::NotFound => println!("deleted: {e}"),
        other => return Err(format!("expected not_found, got {other:?}").into()),
    }
    Ok(())
}
