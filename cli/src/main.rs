//! `pleo-installations`: the Installations API from the shell, its emulator, and a demo.

mod args;
mod demo;

use std::process::ExitCode;

use clap::Parser;
use pleo_installations::{Client, ClientBuilder, Config, Environment, Error, ErrorKind};
use pleo_installations_mock::{MockConfig, MockServer};
use serde_json::{Map, Value, json};

use args::{Cli, Command, Connection, EnvironmentArg};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Mock { port } => serve(port),
        Command::Demo => demo::run(),
        command => call(&cli.connection, command),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{}", error.to_json());
            if error.kind() == ErrorKind::InvalidArgument {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// Runs one API command and prints the server's JSON.
fn call(connection: &Connection, command: Command) -> Result<(), Error> {
    let (operation, request) = request(command)?;
    let result = client(connection)?.call_json(operation, &request.to_string())?;
    println!("{result}");
    Ok(())
}

fn client(connection: &Connection) -> Result<Client, Error> {
    let mut config = Config::default();
    config.base_url = connection.base_url.clone();
    config.environment = connection.environment.map(|e| match e {
        EnvironmentArg::Production => Environment::Production,
        EnvironmentArg::Staging => Environment::Staging,
    });
    config.api_key = connection.api_key.clone();
    config.access_token = connection.access_token.clone();
    config.timeout_ms = connection.timeout_ms;
    config.max_retries = connection.max_retries;
    ClientBuilder::from_config(config)
        .sdk_component(format!(
            "pleo-installations-cli/{}",
            env!("CARGO_PKG_VERSION")
        ))
        .build()
}

/// The operation id and request JSON of an API command.
fn request(command: Command) -> Result<(&'static str, Value), Error> {
    let mut body = Map::new();
    let mut put = |key: &str, value: Option<Value>| {
        if let Some(value) = value {
            body.insert(key.to_owned(), value);
        }
    };
    let operation = match command {
        Command::Get { company_id } => {
            put("company_id", company_id.map(Value::String));
            "getClientInstallation"
        }
        Command::Create { status, metadata } => {
            put("status", status.map(Value::String));
            put("metadata", metadata.as_deref().map(object).transpose()?);
            "createClientInstallation"
        }
        Command::Update {
            status,
            metadata,
            error_code,
        } => {
            put("status", Some(Value::String(status)));
            put("metadata", metadata.as_deref().map(object).transpose()?);
            put("errorCode", error_code.map(Value::String));
            "updateClientInstallation"
        }
        Command::Delete => "deleteClientInstallation",
        Command::Activate => "activateMyInstallation",
        Command::Complete => "completeInstallationExternalClientOnlyIdempotently",
        Command::Introspect => "introspect",
        Command::Wait { status, timeout_ms } => {
            put("statuses", Some(json!(status)));
            put("timeout_ms", Some(json!(timeout_ms)));
            pleo_installations::WAIT_FOR_STATUS
        }
        Command::Mock { .. } | Command::Demo => unreachable!("handled in main"),
    };
    Ok((operation, Value::Object(body)))
}

/// Parses `--metadata`, which must be a JSON object.
fn object(text: &str) -> Result<Value, Error> {
    match serde_json::from_str(text) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err(Error::invalid_argument("--metadata must be a JSON object")),
        Err(e) => Err(Error::invalid_argument(format!(
            "--metadata is not valid JSON: {e}"
        ))),
    }
}

/// Serves the emulator until the process is stopped.
fn serve(port: u16) -> Result<(), Error> {
    let config = MockConfig {
        port,
        ..MockConfig::default()
    };
    let server = MockServer::start_with(config).map_err(|e| {
        Error::new(
            ErrorKind::Connection,
            format!("could not listen on 127.0.0.1:{port}: {e}"),
        )
    })?;
    let app = server.oauth_client();
    let ready = json!({
        "url": server.url(),
        "api_key": server.api_key(),
        "access_token": server.access_token(),
        "oauth": {
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "redirect_uris": app.redirect_uris,
            "authorize_url": server.authorize_url(),
            "token_url": server.token_url(),
        },
    });
    println!("{ready}");
    loop {
        std::thread::park();
    }
}
