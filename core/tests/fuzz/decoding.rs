//! Decoding responses: a `200` whose body is shaped like an installation or an
//! introspection (fields missing, of another type, unknown fields, bad UUIDs and dates) or
//! is any text, served by the emulator; and any bytes decoded by the models directly. A body
//! is either passed through untouched, unknown fields included, or a `decode` error.

use pleo_installations::{Client, ErrorKind, Installation, Introspection, Uuid};
use pleo_installations_mock::{Fault, MockServer};
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::strategies::{check_error_json, cut_short, json_value};

/// The fields of an installation, each as the API sends it.
fn installation_fields() -> Vec<(&'static str, BoxedStrategy<Value>)> {
    let uuid = || {
        any::<u128>()
            .prop_map(|n| Value::from(Uuid::from_u128(n).to_string()))
            .boxed()
    };
    let date = || {
        prop::sample::select(vec![
            "2026-11-23T10:00:00.123Z",
            "2026-11-23T10:00:00+02:00",
            "2026-11-23 10:00:00",
            "2026-13-40T10:00:00Z",
        ])
        .prop_map(Value::from)
        .boxed()
    };
    let word = |words: Vec<&'static str>| prop::sample::select(words).prop_map(Value::from).boxed();
    vec![
        ("id", uuid()),
        ("applicationId", uuid()),
        ("resource", any::<String>().prop_map(Value::from).boxed()),
        (
            "status",
            word(vec!["ACTIVATED", "INACTIVE", "SUSPENDED", ""]),
        ),
        (
            "metadata",
            prop::collection::btree_map(any::<String>(), json_value(), 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect()))
                .boxed(),
        ),
        (
            "errorCode",
            word(vec!["NOT_ENTITLED", "AUTH_ERROR", "SOMETHING_NEW"]),
        ),
        ("createdAt", date()),
        ("updatedAt", date()),
    ]
}

/// The fields of an introspection: `data`, itself an object of the client's fields.
fn introspection_fields() -> Vec<(&'static str, BoxedStrategy<Value>)> {
    let word = |words: Vec<&'static str>| prop::sample::select(words).prop_map(Value::from).boxed();
    let data = shaped(vec![
        (
            "authMethod",
            word(vec!["API_KEY", "OAUTH2", "NONE", "MTLS"]),
        ),
        ("clientId", any::<String>().prop_map(Value::from).boxed()),
        ("scope", word(vec!["export:read export:write", ""])),
        (
            "applicationName",
            any::<String>().prop_map(Value::from).boxed(),
        ),
        (
            "subjectURN",
            word(vec![
                "urn:pleo:company:7c1e5a2b-3d4f-4e6a-9b8c-0d1e2f3a4b5c",
            ]),
        ),
    ]);
    vec![("data", data.boxed())]
}

/// An object with each field as documented (mostly), missing, or any JSON, plus unknown
/// fields.
fn shaped(fields: Vec<(&'static str, BoxedStrategy<Value>)>) -> impl Strategy<Value = Value> {
    let fields: Vec<_> = fields
        .into_iter()
        .map(|(key, valid)| {
            prop_oneof![
                6 => valid.prop_map(Some),
                1 => Just(None),
                1 => json_value().prop_map(Some),
            ]
            .prop_map(move |value| value.map(|v| (key.to_owned(), v)))
        })
        .collect();
    let unknown = prop::collection::btree_map("[a-zA-Z_]{1,12}", json_value(), 0..3);
    (fields, unknown).prop_map(|(fields, unknown)| {
        let mut object: Map<String, Value> = unknown.into_iter().collect();
        object.extend(fields.into_iter().flatten());
        Value::Object(object)
    })
}

/// A body for `operation`: shaped like its result, cut short, or any text.
fn body(fields: Vec<(&'static str, BoxedStrategy<Value>)>) -> impl Strategy<Value = String> {
    let shaped = shaped(fields).boxed();
    prop_oneof![
        8 => shaped.clone().prop_map(|v| v.to_string()),
        1 => shaped.prop_map(|v| cut_short(&v.to_string())),
        1 => any::<String>(),
    ]
}

/// Checks that a typed decode of `body` that succeeds kept its unknown fields in `extra`.
fn check_unknown_fields_kept(
    body: &Value,
    known: &[&str],
    extra: &Map<String, Value>,
) -> Result<(), TestCaseError> {
    for (key, value) in body.as_object().into_iter().flatten() {
        if !known.contains(&key.as_str()) {
            prop_assert_eq!(extra.get(key), Some(value), "unknown field {} lost", key);
        }
    }
    Ok(())
}

/// An emulator, and a client of it.
fn served() -> (MockServer, Client) {
    let server = MockServer::start().unwrap();
    let client = Client::builder()
        .base_url(server.url())
        .api_key(server.api_key())
        .build()
        .unwrap();
    (server, client)
}

/// Serves `body` with a `200` to `operation` and checks the outcome of `call_json`.
fn check_served<T: DeserializeOwned>(
    (server, client): &(MockServer, Client),
    operation: &str,
    body: &str,
) -> Result<(), TestCaseError> {
    server.push_fault(Fault::status(200).with_body(body).for_operation(operation));
    let outcome = client.call_json(operation, "{}");
    prop_assert_eq!(server.pending_faults(), 0);
    let typed = serde_json::from_str::<T>(body);
    match outcome {
        Ok(result) => {
            let result: Value = serde_json::from_str(&result).unwrap();
            prop_assert_eq!(
                Some(result),
                serde_json::from_str::<Value>(body).ok(),
                "not passed through untouched"
            );
            prop_assert!(typed.is_ok());
        }
        Err(error) => {
            let (kind, attempts) = check_error_json(&error.to_json().to_string())?;
            prop_assert_eq!(kind, ErrorKind::Decode, "{}", error);
            prop_assert_eq!(error.status(), Some(200));
            prop_assert_eq!(attempts, 1);
            prop_assert!(
                typed.is_err(),
                "decoded by the model, refused by the client: {}",
                body
            );
        }
    }
    Ok(())
}

#[test]
fn an_installation_body_is_passed_through_or_a_decode_error() {
    let served = served();
    proptest!(|(body in body(installation_fields()))| {
        check_served::<Installation>(&served, "getClientInstallation", &body)?;
    });
}

#[test]
fn an_introspection_body_is_passed_through_or_a_decode_error() {
    let served = served();
    proptest!(|(body in body(introspection_fields()))| {
        check_served::<Introspection>(&served, "introspect", &body)?;
    });
}

#[test]
fn the_models_decode_any_bytes_without_panicking_and_keep_unknown_fields() {
    let installation_bytes = prop_oneof![
        body(installation_fields()).prop_map(String::into_bytes),
        any::<Vec<u8>>(),
    ];
    proptest!(|(bytes in installation_bytes, flip in any::<(prop::sample::Index, u8)>())| {
        let mut bytes = bytes;
        if !bytes.is_empty() && flip.1 % 4 == 0 {
            let at = flip.0.index(bytes.len());
            bytes[at] = flip.1;
        }
        let value = serde_json::from_slice::<Value>(&bytes);
        if let Ok(installation) = serde_json::from_slice::<Installation>(&bytes) {
            let known = ["id", "applicationId", "resource", "status", "metadata", "errorCode", "createdAt", "updatedAt"];
            check_unknown_fields_kept(&value.unwrap(), &known, &installation.extra)?;
        }
    });
}
