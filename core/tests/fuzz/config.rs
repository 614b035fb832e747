//! Building a `Client` from any configuration JSON: a client or an `invalid_argument` error
//! JSON that quotes no secret; and a client built from any configuration object, its
//! addresses (and its API key) replaced by the emulator's, answers a call with a result or
//! a known error that quotes no secret (refused tokens and keys, tiny timeouts and all).

use pleo_installations::{Client, ClientBuilder, ErrorKind};
use pleo_installations_mock::MockServer;
use proptest::prelude::*;
use serde_json::Value;

use crate::strategies::{SECRET, check_error_json, config_object, config_text};

fn build(config: &str) -> pleo_installations::Result<Client> {
    ClientBuilder::from_json(config).and_then(ClientBuilder::build)
}

/// Checks the error JSON of `error` and that it quotes no secret; returns its kind and
/// attempts.
fn check_error(error: &pleo_installations::Error) -> Result<(ErrorKind, u64), TestCaseError> {
    let json = error.to_json().to_string();
    prop_assert!(!json.contains(SECRET), "{}", json);
    check_error_json(&json)
}

#[test]
fn any_configuration_builds_a_client_or_is_refused_without_quoting_a_secret() {
    proptest!(|(config in config_text())| {
        // A client built here could point anywhere: it is never called.
        if let Err(error) = build(&config) {
            let (kind, attempts) = check_error(&error)?;
            prop_assert_eq!(kind, ErrorKind::InvalidArgument, "{}", error);
            prop_assert_eq!(attempts, 0);
        }
    });
}

#[test]
fn a_client_of_any_configuration_aimed_at_the_emulator_answers_every_call() {
    let server = MockServer::start().unwrap();
    server.seed_installation(&server.api_key(), None, "ACTIVATED");
    proptest!(|(config in config_object())| {
        let mut config = config;
        let object = config.as_object_mut().unwrap();
        object.remove("environment");
        object.insert("base_url".into(), Value::from(server.url()));
        // The emulator's key, so that some calls succeed (a wrong one is its 401).
        if object.get("api_key") == Some(&Value::from(SECRET)) {
            object.insert("api_key".into(), Value::from(server.api_key()));
        }
        if let Some(oauth) = object.get_mut("oauth").and_then(Value::as_object_mut) {
            oauth.insert("token_url".into(), Value::from(server.token_url()));
        }
        if let Ok(client) = build(&config.to_string())
            && let Err(error) = client.call_json("getClientInstallation", "{}")
        {
            check_error(&error)?;
        }
    });
}
