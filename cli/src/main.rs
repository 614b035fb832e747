//! `pleo-installations`: the Installations API from the shell, its emulator, and a demo.

mod args;
mod demo;

use std::io;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use std::sync::Arc;

use pleo_installations::oauth::{
    self, FileTokenStore, LockTimeout, OAuthCredentials, OAuthEndpoints, OAuthTokens,
    TokenStore as _,
};
use pleo_installations::{Client, ClientBuilder, Config, Environment, Error, ErrorKind, Secret};
use pleo_installations_mock::{MockConfig, MockServer};
use serde_json::{Value, json};

use args::{Cli, Command, Connection, OauthCommand};

/// How long `oauth exchange` waits for the lock of `--token-file` (as the store's `save`).
const TOKEN_FILE_WAIT: Duration = Duration::from_secs(30);

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Mock {
            port,
            max_connections,
        } => serve(port, max_connections),
        Command::Demo => demo::run(),
        Command::Oauth(command) => oauth_command(&cli.connection, command),
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
    let result = client(connection)?.call_json(operation, &request)?;
    println!("{result}");
    Ok(())
}

fn client(connection: &Connection) -> Result<Client, Error> {
    let mut config = Config::default();
    config.base_url = connection.base_url.clone();
    config.environment = connection.environment.map(Environment::from);
    config.api_key = connection.api_key.clone();
    config.access_token = connection.access_token.clone();
    config.timeout_ms = connection.timeout_ms;
    config.max_retries = connection.max_retries;
    let mut builder = ClientBuilder::from_config(config).sdk_component(format!(
        "pleo-installations-cli/{}",
        env!("CARGO_PKG_VERSION")
    ));
    let level = log::LevelFilter::from(connection.log_level);
    if level != log::LevelFilter::Off {
        builder = builder.log_sink(level, |level, line| {
            eprintln!(
                "pleo-installations {} {line}",
                level.as_str().to_lowercase()
            );
        });
    }
    if let Some(path) = &connection.token_file {
        let store = FileTokenStore::new(path);
        let tokens = stored_tokens(&store)?;
        let (client_id, client_secret) = oauth_client(connection)?;
        builder = builder
            .oauth(OAuthCredentials {
                client_id,
                client_secret,
                tokens,
                token_url: None,
            })
            .token_store(Arc::new(store));
    }
    builder.build()
}

/// The tokens in `--token-file`, read by the store (which refuses links and files others
/// may read); a missing file means no `oauth exchange` yet.
fn stored_tokens(store: &FileTokenStore) -> Result<OAuthTokens, Error> {
    store
        .load()
        .map_err(|e| token_file_error(store.path(), e.as_ref()))?
        .ok_or_else(|| {
            Error::invalid_argument(format!(
                "--token-file {} holds no tokens yet; run `oauth exchange` first",
                store.path().display()
            ))
        })
}

/// The error for a failure to use `--token-file` (reading, locking or writing it), with
/// the kind of what failed: the store refusing the file (not tokens, a link, open to
/// others) and an I/O error on the path the user gave (no such directory, no permission,
/// a directory) are `invalid_argument`, a lock not free in time is a `timeout`, else
/// `internal`.
fn token_file_error(path: &Path, error: &(dyn std::error::Error + 'static)) -> Error {
    let (kind, text) = if let Some(sdk) = error.downcast_ref::<Error>() {
        (ErrorKind::InvalidArgument, sdk.message().to_owned())
    } else if error.is::<LockTimeout>() {
        (ErrorKind::Timeout, error.to_string())
    } else if let Some(io) = error.downcast_ref::<io::Error>() {
        let bad_path = matches!(
            io.kind(),
            io::ErrorKind::NotFound
                | io::ErrorKind::PermissionDenied
                | io::ErrorKind::IsADirectory
                | io::ErrorKind::NotADirectory
                | io::ErrorKind::ReadOnlyFilesystem
                | io::ErrorKind::InvalidFilename
                | io::ErrorKind::InvalidData
        );
        let kind = if bad_path {
            ErrorKind::InvalidArgument
        } else {
            ErrorKind::Internal
        };
        (kind, io.to_string())
    } else {
        (ErrorKind::Internal, error.to_string())
    };
    Error::new(kind, format!("--token-file {}: {text}", path.display()))
}

/// The OAuth client id and secret, which token-file and `oauth` commands need.
fn oauth_client(connection: &Connection) -> Result<(String, Secret), Error> {
    match (&connection.oauth_client_id, &connection.oauth_client_secret) {
        (Some(id), Some(secret)) => Ok((id.clone(), Secret::new(secret.clone()))),
        _ => Err(Error::invalid_argument(
            "OAuth needs --oauth-client-id and --oauth-client-secret (or PLEO_OAUTH_CLIENT_ID and PLEO_OAUTH_CLIENT_SECRET)",
        )),
    }
}

/// The OAuth endpoints for the configured base URL or environment.
fn endpoints(connection: &Connection) -> OAuthEndpoints {
    let environment = connection
        .environment
        .map(Environment::from)
        .unwrap_or_default();
    OAuthEndpoints::for_api_url(
        connection
            .base_url
            .as_deref()
            .unwrap_or(environment.base_url()),
    )
}

/// Runs an `oauth` command and prints its JSON.
fn oauth_command(connection: &Connection, command: OauthCommand) -> Result<(), Error> {
    let endpoints = endpoints(connection);
    match command {
        OauthCommand::AuthorizeUrl {
            redirect_uri,
            scope,
            state,
        } => {
            let client_id = connection
                .oauth_client_id
                .as_deref()
                .ok_or_else(|| Error::invalid_argument("--oauth-client-id is required"))?;
            let scopes: Vec<&str> = scope.iter().map(String::as_str).collect();
            let started = oauth::authorization_url(
                &endpoints,
                client_id,
                &redirect_uri,
                &scopes,
                state.as_deref(),
            )?;
            let printed = json!({
                "url": started.url,
                "code_verifier": started.code_verifier.expose(),
                "state": started.state,
            });
            println!("{printed}");
        }
        OauthCommand::Refresh => {
            if connection.token_file.is_none() {
                return Err(Error::invalid_argument("oauth refresh needs --token-file"));
            }
            client(connection)?.refresh_tokens()?;
            println!("{}", json!({"refreshed": connection.token_file}));
        }
        OauthCommand::Exchange {
            code,
            code_verifier,
            redirect_uri,
        } => {
            let (client_id, client_secret) = oauth_client(connection)?;
            let store = connection.token_file.as_deref().map(FileTokenStore::new);
            if let Some(store) = &store {
                // Where the tokens go must be usable before the single-use code is spent.
                drop(
                    store
                        .lock(TOKEN_FILE_WAIT)
                        .map_err(|e| token_file_error(store.path(), e.as_ref()))?,
                );
            }
            let tokens = oauth::exchange_code(
                &endpoints,
                &client_id,
                &client_secret,
                &code,
                &Secret::new(code_verifier),
                &redirect_uri,
            )?;
            let printed_tokens = tokens.to_json();
            let printed = match &store {
                Some(store) => {
                    store
                        .save(&tokens)
                        .map_err(|e| token_file_error(store.path(), e.as_ref()))?;
                    json!({"stored": store.path(), "expires_at": printed_tokens["expires_at"]})
                }
                None => printed_tokens,
            };
            println!("{printed}");
        }
    }
    Ok(())
}

/// The operation id and request JSON of an API command. `--metadata` goes into it as the
/// caller wrote it, so that its numbers keep every digit and its keys their order.
fn request(command: Command) -> Result<(&'static str, String), Error> {
    let mut fields: Vec<String> = Vec::new();
    let mut put_json = |key: &str, json: Option<String>| {
        if let Some(json) = json {
            fields.push(format!("{}:{json}", Value::from(key)));
        }
    };
    let text = |value: Option<String>| value.map(|v| Value::String(v).to_string());
    let operation = match command {
        Command::Get { company_id } => {
            put_json("company_id", text(company_id));
            "getClientInstallation"
        }
        Command::Create { status, metadata } => {
            put_json("status", text(status));
            put_json("metadata", metadata.as_deref().map(object).transpose()?);
            "createClientInstallation"
        }
        Command::Update {
            status,
            metadata,
            error_code,
        } => {
            put_json("status", text(Some(status)));
            put_json("metadata", metadata.as_deref().map(object).transpose()?);
            put_json("errorCode", text(error_code));
            "updateClientInstallation"
        }
        Command::Delete => "deleteClientInstallation",
        Command::Activate => "activateMyInstallation",
        Command::Complete => "completeInstallationExternalClientOnlyIdempotently",
        Command::Introspect => "introspect",
        Command::Wait { status, timeout_ms } => {
            put_json("statuses", Some(json!(status).to_string()));
            put_json("timeout_ms", Some(timeout_ms.to_string()));
            pleo_installations::WAIT_FOR_STATUS
        }
        Command::Mock { .. } | Command::Demo | Command::Oauth(_) => {
            unreachable!("handled in main")
        }
    };
    Ok((operation, format!("{{{}}}", fields.join(","))))
}

/// Checks `--metadata`, which must be one JSON object, and gives it back as written. Its
/// syntax is checked without building a value, which would round numbers past 64 bits.
fn object(text: &str) -> Result<String, Error> {
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
        return Err(Error::invalid_argument(format!(
            "--metadata is not valid JSON: {e}"
        )));
    }
    let text = text.trim();
    if !text.starts_with('{') {
        return Err(Error::invalid_argument("--metadata must be a JSON object"));
    }
    Ok(text.to_owned())
}

/// Serves the emulator until the process is stopped.
fn serve(port: u16, max_connections: usize) -> Result<(), Error> {
    let config = MockConfig {
        port,
        max_connections,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_goes_into_the_request_as_written() {
        let metadata = r#"{"n": 18446744073709551617, "f": 1.50, "z": {"b": 1, "a": 2e400}}"#;
        let (operation, json) = request(Command::Update {
            status: "ACTIVATED".into(),
            metadata: Some(format!(" {metadata}\n")),
            error_code: Some("E\"1".into()),
        })
        .unwrap();
        assert_eq!(operation, "updateClientInstallation");
        assert_eq!(
            json,
            format!(r#"{{"status":"ACTIVATED","metadata":{metadata},"errorCode":"E\"1"}}"#)
        );
        let (_, json) = request(Command::Get { company_id: None }).unwrap();
        assert_eq!(json, "{}");
        for bad in ["[1]", r#"{"a": 1} {"b": 2}"#, "{", ""] {
            let error = request(Command::Create {
                status: None,
                metadata: Some(bad.into()),
            })
            .unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidArgument, "{bad}");
        }
    }
}
