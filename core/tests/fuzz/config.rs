//! Building a `Client` from any configuration JSON: a client (never called: it could point
//! anywhere) or an `invalid_argument` error JSON that quotes no secret.

use pleo_installations::{ClientBuilder, ErrorKind};
use proptest::prelude::*;

use crate::strategies::{SECRET, check_error_json, config_text};

#[test]
fn any_configuration_builds_a_client_or_is_refused_without_quoting_a_secret() {
    proptest!(|(config in config_text())| {
        if let Err(error) = ClientBuilder::from_json(&config).and_then(ClientBuilder::build) {
            let json = error.to_json().to_string();
            let (kind, attempts) = check_error_json(&json)?;
            prop_assert_eq!(kind, ErrorKind::InvalidArgument, "{}", json);
            prop_assert_eq!(attempts, 0);
            prop_assert!(!json.contains(SECRET), "{}", json);
        }
    });
}
