//! proptest strategies shared by the fuzz suites of the core (`core/tests/fuzz`) and of the
//! C binding (`ffi-c/tests/fuzz`, which includes this file by path): operation ids, request
//! and configuration JSON close to the valid ones, arbitrary text, and error-JSON checks.
//!
//! "Close to valid" means the right keys with values of every shape: wrong JSON types,
//! numbers no integer type holds, bad UUIDs, statuses the API does not know, unknown keys, deep nesting.

use pleo_installations::{ErrorKind, Operation, REFRESH_TOKENS, WAIT_FOR_STATUS};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Every id `call_json` knows: the seven API operations and the SDK's own two.
pub fn known_operation_ids() -> Vec<&'static str> {
    let mut ids: Vec<&str> = Operation::ALL.iter().map(|op| op.id()).collect();
    ids.extend([WAIT_FOR_STATUS, REFRESH_TOKENS]);
    ids
}

/// A known operation id, one slightly off (case, padding, a suffix), or any text.
pub fn operation_id() -> impl Strategy<Value = String> {
    let known = prop::sample::select(known_operation_ids());
    prop_oneof![
        4 => known.clone().prop_map(str::to_owned),
        1 => known.clone().prop_map(str::to_uppercase),
        1 => (known, prop::sample::select(vec![" ", "\n", "\0", "x", ":", "é"]))
            .prop_map(|(id, extra)| format!("{id}{extra}")),
        1 => any::<String>(),
    ]
}

/// Any JSON value, a few levels deep, with the numbers and strings that break parsers.
pub fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from), // NaN and infinities become null
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(any::<String>(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A status: one the API knows, one it does not, or not a string at all.
fn status() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "ACTIVATED", "INACTIVE", "AUTHORIZED", "PENDING_INTEGRATION", "ERROR",
        ])
        .prop_map(Value::from),
        1 => prop::sample::select(vec!["activated", "SUSPENDED", "", " ACTIVATED", "ACTIVATED\0"])
            .prop_map(Value::from),
        1 => json_value(),
    ]
}

/// An error code: known, unknown, or another JSON type.
fn error_code() -> impl Strategy<Value = Value> {
    prop_oneof![
        2 => prop::sample::select(vec!["NOT_ENTITLED", "AUTH_ERROR"]).prop_map(Value::from),
        1 => prop::sample::select(vec!["not_entitled", "OTHER", ""]).prop_map(Value::from),
        1 => json_value(),
    ]
}

/// A company id: a UUID in every spelling `Uuid::parse_str` might take, a broken one, or
/// another type.
fn company_id() -> impl Strategy<Value = Value> {
    let uuid = any::<u128>().prop_map(|n| pleo_installations::Uuid::from_u128(n).to_string());
    prop_oneof![
        2 => uuid.clone().prop_map(Value::from),
        1 => uuid.clone().prop_map(|u| Value::from(u.replace('-', ""))),
        1 => uuid.clone().prop_map(|u| Value::from(format!("{{{u}}}"))),
        1 => uuid.clone().prop_map(|u| Value::from(format!("urn:uuid:{u}"))),
        1 => uuid.clone().prop_map(|u| Value::from(u[..35].to_owned())),
        1 => uuid.prop_map(|u| Value::from(u.replacen('a', "g", 1) + "&x=1")),
        1 => json_value(),
    ]
}

/// A wait's `timeout_ms`: valid and short, zero, past a day, the largest `u64`, past it,
/// negative, fractional, or another type.
fn timeout_ms() -> impl Strategy<Value = Value> {
    prop_oneof![
        2 => (1u64..30).prop_map(Value::from),
        1 => Just(json!(0)),
        1 => Just(json!(86_400_001)),
        1 => Just(json!(u64::MAX)),
        1 => Just(json!(1e30)),
        1 => Just(json!(-1)),
        1 => Just(json!(1.5)),
        1 => json_value(),
    ]
}

/// Every key of any operation's request.
const REQUEST_KEYS: [&str; 6] = [
    "company_id",
    "status",
    "metadata",
    "errorCode",
    "statuses",
    "timeout_ms",
];

/// The keys of `operation_id`'s request (none for an operation that takes nothing).
fn request_keys(operation_id: &str) -> &'static [&'static str] {
    match operation_id {
        "getClientInstallation" => &["company_id"],
        "createClientInstallation" => &["status", "metadata"],
        "updateClientInstallation" => &["status", "metadata", "errorCode"],
        WAIT_FOR_STATUS => &["statuses", "timeout_ms"],
        _ => &[],
    }
}

/// A value for the request key `key`, of the right shape or not.
fn request_value(key: &str) -> BoxedStrategy<Value> {
    match key {
        "company_id" => company_id().boxed(),
        "status" => status().boxed(),
        "metadata" => mostly(
            prop::collection::btree_map(any::<String>(), json_value(), 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ),
        "errorCode" => error_code().boxed(),
        "statuses" => mostly(prop::collection::vec(status(), 0..4).prop_map(Value::from)),
        "timeout_ms" => timeout_ms().boxed(),
        _ => json_value().boxed(),
    }
}

/// A request object for `operation_id`: each of its keys present or not, sometimes with
/// the key of another operation or an unknown one.
fn request_object(operation_id: &str) -> impl Strategy<Value = Value> {
    let own: Vec<_> = request_keys(operation_id)
        .iter()
        .map(|key| {
            prop::option::weighted(0.7, request_value(key))
                .prop_map(|v| v.map(|v| (key.to_string(), v)))
        })
        .collect();
    let foreign = prop::sample::select(REQUEST_KEYS.to_vec())
        .prop_flat_map(|key| (Just(key.to_owned()), request_value(key)));
    let unknown = (any::<String>(), json_value());
    (
        own,
        prop::option::weighted(0.15, foreign),
        prop::option::weighted(0.1, unknown),
    )
        .prop_map(|(own, foreign, unknown)| object(own.into_iter().chain([foreign, unknown])))
}

/// Request text for `operation_id`: mostly a near-valid object, else any JSON, broken JSON,
/// numbers no type holds, deep nesting, or any text at all.
fn request_text(operation_id: &str) -> impl Strategy<Value = String> {
    prop_oneof![
        12 => request_object(operation_id).prop_map(|v| v.to_string()),
        2 => json_value().prop_map(|v| v.to_string()),
        1 => request_object(operation_id).prop_map(|v| cut_short(&v.to_string())),
        1 => prop::sample::select(vec![
            "", " ", "null", "{}", "[]", "\"{}\"", "{\"timeout_ms\": 1e400}",
            "{\"company_id\": 123456789012345678901234567890}", "{\"statuses\":[\"ACTIVATED\"],\"timeout_ms\":-0}",
            "{} {}", "{\"status\":\"ACTIVATED\",\"status\":\"INACTIVE\"}", "\u{feff}{}",
        ])
        .prop_map(str::to_owned),
        1 => deeply_nested(),
        2 => any::<String>(),
    ]
}

/// An operation id and a request: mostly a known operation with a request near its own,
/// else any id with a request near some operation's.
pub fn call() -> impl Strategy<Value = (String, String)> {
    let known = prop::sample::select(known_operation_ids())
        .prop_flat_map(|id| (Just(id.to_owned()), request_text(id)));
    let anything = (operation_id(), prop::sample::select(known_operation_ids()))
        .prop_flat_map(|(id, like)| (Just(id), request_text(like)));
    prop_oneof![3 => known, 1 => anything]
}

/// The first half of `text` (at a character boundary): JSON that breaks off.
pub fn cut_short(text: &str) -> String {
    text.chars().take(text.chars().count() / 2).collect()
}

/// JSON nested `depth` levels deep, as text (serde_json refuses past 128).
fn deeply_nested() -> impl Strategy<Value = String> {
    (100usize..3000, any::<bool>()).prop_map(|(depth, arrays)| {
        if arrays {
            format!("{}{}", "[".repeat(depth), "]".repeat(depth))
        } else {
            format!(
                "{}null{}",
                r#"{"metadata":"#.repeat(depth),
                "}".repeat(depth)
            )
        }
    })
}

/// The value of every secret in [`config_text`]: no error message may quote it.
pub const SECRET: &str = "fuzz-secret-value";

/// An optional `(key, value)` of an object under construction, present with probability
/// `presence`.
fn field(
    key: &'static str,
    presence: f64,
    value: BoxedStrategy<Value>,
) -> impl Strategy<Value = Option<(String, Value)>> {
    prop::option::weighted(presence, value).prop_map(move |v| v.map(|v| (key.to_owned(), v)))
}

/// Mostly `value`, sometimes any JSON in its place.
fn mostly(value: impl Strategy<Value = Value> + 'static) -> BoxedStrategy<Value> {
    prop_oneof![6 => value, 1 => json_value()].boxed()
}

/// The JSON object of the fields that are present.
fn object(fields: impl IntoIterator<Item = Option<(String, Value)>>) -> Value {
    Value::Object(fields.into_iter().flatten().collect::<Map<String, Value>>())
}

/// A count (of milliseconds, seconds, retries): mostly below `max`, else past every bound.
fn count(max: u64) -> BoxedStrategy<Value> {
    prop_oneof![
        6 => (0..max).prop_map(Value::from),
        1 => Just(json!(u64::MAX)),
        1 => Just(json!(-1)),
        1 => Just(json!(1e300)),
    ]
    .boxed()
}

/// A configuration object: the documented keys with values of every shape, and unknown
/// keys. Secrets are [`SECRET`]; addresses are loopback, or refused.
pub fn config_object() -> impl Strategy<Value = Value> {
    let url = prop::sample::select(vec![
        "http://127.0.0.1:1",
        "https://127.0.0.1",
        "http://example.com",
        "ftp://127.0.0.1",
        "127.0.0.1",
        "",
        "http://[::1]:9/v1/",
        "https://user:pass@127.0.0.1",
    ])
    .prop_map(Value::from);
    let environment =
        prop::sample::select(vec!["production", "staging", "dev", ""]).prop_map(Value::from);
    let secret = || mostly(Just(json!(SECRET)));
    let expires_at = prop::sample::select(vec![
        "2030-01-01T00:00:00Z",
        "1970-01-01T00:00:00Z",
        "0000-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999999Z",
        "2030-01-01T00:00:00+23:59",
        "2030-13-01",
        "now",
    ])
    .prop_map(Value::from);
    let oauth = (
        field("client_id", 0.9, mostly(Just(json!("fuzz-client")))),
        field("client_secret", 0.9, secret()),
        field("access_token", 0.9, secret()),
        field("refresh_token", 0.9, secret()),
        field("expires_at", 0.4, mostly(expires_at)),
        field("expires_in", 0.4, mostly(count(100_000))),
        field("token_url", 0.5, mostly(url.clone())),
        prop::option::weighted(0.1, (any::<String>(), json_value())),
    )
        .prop_map(|(a, b, c, d, e, f, g, unknown)| object([a, b, c, d, e, f, g, unknown]));
    (
        field("base_url", 0.5, mostly(url)),
        field("environment", 0.3, mostly(environment)),
        field("api_key", 0.4, secret()),
        field("access_token", 0.3, secret()),
        field("oauth", 0.4, mostly(oauth)),
        (
            field("timeout_ms", 0.3, count(100_000)),
            field("connect_timeout_ms", 0.3, count(100_000)),
            field("total_timeout_ms", 0.3, count(100_000)),
            field("max_retries", 0.3, count(12)),
            field("user_agent", 0.3, mostly(Just(json!("erp-sync/2.1")))),
        ),
        prop::option::weighted(0.1, (any::<String>(), json_value())),
    )
        .prop_map(|(a, b, c, d, e, (f, g, h, i, j), unknown)| {
            object([a, b, c, d, e, f, g, h, i, j, unknown])
        })
}

/// Configuration JSON: mostly a [`config_object`], else any JSON or any text.
pub fn config_text() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => config_object().prop_map(|v| v.to_string()),
        1 => json_value().prop_map(|v| v.to_string()),
        1 => any::<String>(),
    ]
}

/// Checks that `text` is the error JSON every binding exposes, with a known kind other than
/// `internal` (a caught panic); returns its kind and `attempts`.
pub fn check_error_json(text: &str) -> Result<(ErrorKind, u64), TestCaseError> {
    let error: Value = serde_json::from_str(text)
        .map_err(|e| TestCaseError::fail(format!("error JSON does not parse: {e}: {text}")))?;
    let kind = error["kind"].as_str().unwrap_or_default();
    let kind = ErrorKind::ALL
        .into_iter()
        .find(|k| k.as_str() == kind)
        .ok_or_else(|| TestCaseError::fail(format!("unknown kind in {text}")))?;
    prop_assert_ne!(kind, ErrorKind::Internal, "a panic was caught: {}", text);
    prop_assert!(error["message"].is_string(), "{}", text);
    prop_assert!(error["retryable"].is_boolean(), "{}", text);
    prop_assert!(
        error["status"].is_null() || error["status"].is_u64(),
        "{}",
        text
    );
    let attempts = error["attempts"].as_u64();
    prop_assert!(attempts.is_some(), "{}", text);
    Ok((kind, attempts.unwrap_or_default()))
}
