//! A `call_json` request (an operation id and its JSON), parsed and checked before anything
//! starts; the checks of a wait.

use std::time::Duration;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;

use crate::call::Call;
use crate::clock::MAX_TIMEOUT;
use crate::error::{Error, Result};
use crate::models::{CreateInstallation, InstallationStatus, UpdateInstallation};
use crate::operation::Operation;
use crate::unique_keys;

/// The id of the SDK's own operation that waits for a status (not an API operation).
pub const WAIT_FOR_STATUS: &str = "waitForStatus";

/// The id of the SDK's own operation that refreshes the OAuth tokens now (request `{}`,
/// result `null`); `invalid_argument` for a client without OAuth.
pub const REFRESH_TOKENS: &str = "refreshTokens";

/// How long `waitForStatus` waits when the request names no `timeout_ms`.
const DEFAULT_WAIT: Duration = Duration::from_secs(60);

/// The request of `getClientInstallation`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GetRequest {
    company_id: Option<String>,
}

/// The request of an operation that takes nothing.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EmptyRequest {}

/// The request of `waitForStatus`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WaitRequest {
    statuses: Vec<String>,
    timeout_ms: Option<u64>,
}

/// A `call_json` request, parsed and checked: what to run.
pub(crate) enum Request {
    /// `refreshTokens`.
    Refresh,
    /// `waitForStatus`, its statuses checked.
    Wait(Vec<InstallationStatus>, Duration),
    /// One of the seven operations.
    Send(Call),
}

impl Request {
    /// Parses and checks a request, refusing a bad one (`invalid_argument`) before anything
    /// is started.
    pub(crate) fn parse(operation_id: &str, request_json: &str) -> Result<Request> {
        if operation_id == REFRESH_TOKENS {
            parse::<EmptyRequest>(operation_id, request_json)?;
            return Ok(Request::Refresh);
        }
        if operation_id == WAIT_FOR_STATUS {
            let request: WaitRequest = parse(operation_id, request_json)?;
            let statuses = request
                .statuses
                .iter()
                .map(|s| InstallationStatus::parse_known(s, "status"))
                .collect::<Result<Vec<_>>>()?;
            let timeout = request
                .timeout_ms
                .map_or(DEFAULT_WAIT, Duration::from_millis);
            check_wait(&statuses, timeout)?;
            return Ok(Request::Wait(statuses, timeout));
        }
        let operation = Operation::from_id(operation_id).ok_or_else(|| {
            let known: Vec<&str> = Operation::ALL.iter().map(|op| op.id()).collect();
            Error::invalid_argument(format!(
                "unknown operation {operation_id:?}; expected one of {}, {WAIT_FOR_STATUS}, {REFRESH_TOKENS}",
                known.join(", ")
            ))
        })?;
        let call = match operation {
            Operation::GetInstallation => {
                let request: GetRequest = parse(operation_id, request_json)?;
                Call::get(request.company_id.as_deref().map(company_id).transpose()?)
            }
            Operation::CreateInstallation => {
                Call::create(&parse::<CreateInstallation>(operation_id, request_json)?)?
            }
            Operation::UpdateInstallation => {
                Call::update(&parse::<UpdateInstallation>(operation_id, request_json)?)?
            }
            _ => {
                parse::<EmptyRequest>(operation_id, request_json)?;
                Call::bare(operation)
            }
        };
        Ok(Request::Send(call))
    }
}

/// Refuses a wait for no status, for a status the API does not know, or for no time or
/// more than a day.
pub(crate) fn check_wait(statuses: &[InstallationStatus], timeout: Duration) -> Result<()> {
    if statuses.is_empty() {
        return Err(Error::invalid_argument("statuses is empty"));
    }
    for status in statuses {
        status.require_known("status")?;
    }
    if timeout.is_zero() || timeout > MAX_TIMEOUT {
        return Err(Error::invalid_argument(format!(
            "the wait's timeout must be between 1 and {} milliseconds, got {}",
            MAX_TIMEOUT.as_millis(),
            timeout.as_millis()
        )));
    }
    Ok(())
}

/// Parses a request, which must be a JSON object; `""` and `null` stand for `{}`.
pub(crate) fn parse<T: DeserializeOwned>(operation_id: &str, json: &str) -> Result<T> {
    let invalid = |e: &dyn std::fmt::Display| {
        Error::invalid_argument(format!("invalid request JSON for {operation_id}: {e}"))
    };
    let text = match json.trim() {
        "" | "null" => "{}",
        text => text,
    };
    if !text.starts_with('{') {
        let value: Value = serde_json::from_str(text).map_err(|e| invalid(&e))?;
        return Err(Error::invalid_argument(format!(
            "request JSON for {operation_id} must be an object, not {}",
            json_type(&value)
        )));
    }
    unique_keys::check(text).map_err(|e| invalid(&e))?;
    // Straight from the text: a detour through a `Value` would rewrite some numbers
    // (`-0`, or a long run of zeros, in exponent form).
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let request = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| invalid(&e))?;
    deserializer.end().map_err(|e| invalid(&e))?;
    Ok(request)
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn company_id(value: &str) -> Result<Uuid> {
    Uuid::parse_str(value)
        .map_err(|_| Error::invalid_argument(format!("company_id {value:?} is not a UUID")))
}
