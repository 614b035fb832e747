//! Wire types, written from `openapi.yaml` (not shared with the client crate, so that the
//! client and the emulator check each other), and the validation of request bodies.

use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::response::ApiError;

/// The `InstallationStatus` enum of the spec.
pub(crate) const STATUSES: [&str; 5] = [
    "ACTIVATED",
    "INACTIVE",
    "AUTHORIZED",
    "PENDING_INTEGRATION",
    "ERROR",
];

/// The `InstallationErrorCode` enum of the spec.
pub(crate) const ERROR_CODES: [&str; 2] = ["NOT_ENTITLED", "AUTH_ERROR"];

/// `InstallationResponse`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InstallationResponse {
    pub(crate) id: Uuid,
    pub(crate) application_id: Uuid,
    pub(crate) resource: String,
    pub(crate) status: String,
    pub(crate) metadata: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error_code: Option<String>,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
}

/// `ExternalClientModel`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExternalClientModel {
    pub(crate) auth_method: &'static str,
    pub(crate) client_id: String,
    pub(crate) scope: String,
    #[serde(rename = "subjectURN")]
    pub(crate) subject_urn: String,
    pub(crate) application_name: String,
}

/// `ExternalClientModelDetails`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ExternalClientModelDetails {
    pub(crate) data: ExternalClientModel,
}

/// The body of every error the emulator produces itself.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ErrorBody {
    pub(crate) error: String,
    pub(crate) message: String,
    pub(crate) status: u16,
}

/// `CreateClientInstallationRequest`, validated.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct CreateRequest {
    pub(crate) status: Option<String>,
    pub(crate) metadata: Option<Map<String, Value>>,
}

/// `UpdateInstallationRequest`, validated.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct UpdateRequest {
    pub(crate) status: String,
    pub(crate) metadata: Option<Map<String, Value>>,
    pub(crate) error_code: Option<String>,
}

impl CreateRequest {
    /// Parses a POST body; an empty body counts as `{}`.
    pub(crate) fn parse(body: &[u8]) -> Result<CreateRequest, ApiError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(CreateRequest::default());
        }
        let object = object(body)?;
        Ok(CreateRequest {
            status: enum_field(&object, "status", &STATUSES, "invalid_status")?,
            metadata: metadata(&object)?,
        })
    }
}

impl UpdateRequest {
    /// Parses a PUT body; `status` is required.
    pub(crate) fn parse(body: &[u8]) -> Result<UpdateRequest, ApiError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::bad_request(
                "missing_body",
                "the request body is required: a JSON object with at least \"status\"",
            ));
        }
        let object = object(body)?;
        let status =
            enum_field(&object, "status", &STATUSES, "invalid_status")?.ok_or_else(|| {
                ApiError::bad_request(
                    "missing_field",
                    format!("\"status\" is required, one of {}", STATUSES.join(", ")),
                )
            })?;
        Ok(UpdateRequest {
            status,
            metadata: metadata(&object)?,
            error_code: enum_field(&object, "errorCode", &ERROR_CODES, "invalid_error_code")?,
        })
    }
}

/// The body as a JSON object.
fn object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(other) => Err(ApiError::bad_request(
            "invalid_body",
            format!(
                "the request body must be a JSON object, not {}",
                kind_of(&other)
            ),
        )),
        Err(e) => Err(ApiError::bad_request(
            "invalid_json",
            format!("the request body is not valid JSON: {e}"),
        )),
    }
}

/// An optional string field that must be one of `allowed`; `null` counts as absent.
fn enum_field(
    object: &Map<String, Value>,
    name: &str,
    allowed: &[&str],
    reason: &'static str,
) -> Result<Option<String>, ApiError> {
    match object.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if allowed.contains(&s.as_str()) => Ok(Some(s.clone())),
        Some(Value::String(s)) => Err(ApiError::bad_request(
            reason,
            format!("\"{name}\" is {s:?}, not one of {}", allowed.join(", ")),
        )),
        Some(other) => Err(ApiError::bad_request(
            "invalid_field",
            format!("\"{name}\" must be a string, not {}", kind_of(other)),
        )),
    }
}

/// The optional `metadata` object; its values may be any JSON; `null` counts as absent.
fn metadata(object: &Map<String, Value>) -> Result<Option<Map<String, Value>>, ApiError> {
    match object.get("metadata") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map.clone())),
        Some(other) => Err(ApiError::bad_request(
            "invalid_field",
            format!("\"metadata\" must be a JSON object, not {}", kind_of(other)),
        )),
    }
}

/// "a string", "an array"… for messages.
pub(crate) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_accepts_empty_and_ignores_unknown_fields() {
        assert_eq!(CreateRequest::parse(b"").unwrap(), CreateRequest::default());
        let parsed =
            CreateRequest::parse(br#"{"status":"AUTHORIZED","metadata":{"a":[1]},"x":1}"#).unwrap();
        assert_eq!(parsed.status.as_deref(), Some("AUTHORIZED"));
        assert_eq!(parsed.metadata.unwrap()["a"], serde_json::json!([1]));
    }

    #[test]
    fn update_requires_a_known_status() {
        let reason = |body: &[u8]| UpdateRequest::parse(body).unwrap_err().reason;
        assert_eq!(reason(b"{}"), "missing_field");
        assert_eq!(reason(b""), "missing_body");
        assert_eq!(reason(br#"{"status":"NOPE"}"#), "invalid_status");
        assert_eq!(reason(br#"{"status":1}"#), "invalid_field");
        assert_eq!(
            reason(br#"{"status":"ERROR","errorCode":"X"}"#),
            "invalid_error_code"
        );
        assert_eq!(
            reason(br#"{"status":"ERROR","metadata":[]}"#),
            "invalid_field"
        );
        assert_eq!(reason(b"[]"), "invalid_body");
        assert_eq!(reason(b"{"), "invalid_json");
    }
}
