//! Building responses: JSON bodies, the error body, and the headers every response carries.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{ALLOW, CONTENT_TYPE, HeaderValue};
use hyper::{Method, Response, StatusCode};
use serde::Serialize;

use crate::models::ErrorBody;

/// The response type of every handler.
pub(crate) type HttpResponse = Response<Full<Bytes>>;

/// The content type the API answers with.
pub(crate) const JSON: &str = "application/json;charset=UTF-8";

/// The header that carries a unique id on every response.
pub(crate) const REQUEST_ID: &str = "x-request-id";

/// An error the emulator answers itself, with the body
/// `{"error": reason, "message": message, "status": code}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) reason: &'static str,
    pub(crate) message: String,
}

impl ApiError {
    pub(crate) fn new(
        status: StatusCode,
        reason: &'static str,
        message: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            reason,
            message: message.into(),
        }
    }

    /// A 400 with a specific reason.
    pub(crate) fn bad_request(reason: &'static str, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, reason, message)
    }

    /// A 405 for a known path that does not take `method`; see [`with_allow`].
    pub(crate) fn method_not_allowed(method: &Method, path: &str, allow: &str) -> Self {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!("{path} does not take {method}; it takes {allow}"),
        )
    }

    /// A 404 for a missing installation.
    pub(crate) fn no_installation(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// The response carrying this error.
    pub(crate) fn into_response(self) -> HttpResponse {
        let body = ErrorBody {
            error: self.reason.to_owned(),
            message: self.message,
            status: self.status.as_u16(),
        };
        json(self.status, &body)
    }
}

/// `response` with the `Allow` header a 405 carries.
pub(crate) fn with_allow(mut response: HttpResponse, allow: &'static str) -> HttpResponse {
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static(allow));
    response
}

/// A JSON response with the API's content type.
pub(crate) fn json(status: StatusCode, value: &impl Serialize) -> HttpResponse {
    // Serializing our own types into a Vec cannot fail; fall back to `null` regardless.
    let body = serde_json::to_vec(value).unwrap_or_else(|_| b"null".to_vec());
    raw(status, JSON, body)
}

/// A response with the given content type and body.
pub(crate) fn raw(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> HttpResponse {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// A response without a body (for 204).
pub(crate) fn empty(status: StatusCode) -> HttpResponse {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}

/// The snake_case form of a status's canonical reason, e.g. `service_unavailable` for 503.
pub(crate) fn reason_of(status: StatusCode) -> String {
    let text = status.canonical_reason().unwrap_or("error");
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_owned()
}

/// A fresh, unique request id.
pub(crate) fn new_request_id() -> String {
    format!("mock-{}", uuid::Uuid::new_v4().simple())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_snake_case() {
        assert_eq!(
            reason_of(StatusCode::SERVICE_UNAVAILABLE),
            "service_unavailable"
        );
        assert_eq!(reason_of(StatusCode::IM_A_TEAPOT), "i_m_a_teapot");
        assert_eq!(reason_of(StatusCode::from_u16(599).unwrap()), "error");
    }
}
