//! `pleo_status`: what every fallible export returns, one value per error kind.

use std::ffi::{c_char, c_int};

use pleo_installations::ErrorKind;

/// The outcome of a call. The numbers are part of the ABI and never change.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum pleo_status {
    /// Success: the out-parameters hold the result.
    Ok = 0,
    /// Bad configuration or request, caught before sending (bad JSON, invalid UTF-8,
    /// unknown operation or configuration key, missing credential).
    InvalidArgument = 1,
    /// HTTP 401.
    Authentication = 2,
    /// HTTP 403.
    PermissionDenied = 3,
    /// HTTP 404.
    NotFound = 4,
    /// HTTP 409.
    Conflict = 5,
    /// HTTP 400, 422 and any other 4xx.
    BadRequest = 6,
    /// HTTP 429, after retries.
    RateLimited = 7,
    /// HTTP 5xx, after retries.
    Server = 8,
    /// A connect or read timeout, or the call's overall deadline.
    Timeout = 9,
    /// Could not connect, connection reset, TLS failure.
    Connection = 10,
    /// A 2xx response whose body is not the documented JSON.
    Decode = 11,
    /// The OAuth refresh token was rejected, expired or revoked: authorise again.
    ReauthenticationRequired = 12,
    /// A bug in the SDK (a caught panic).
    Internal = 13,
    /// A required pointer argument was NULL.
    NullArgument = 14,
    /// The call was cancelled by `pleo_client_cancel` before it ended.
    Cancelled = 15,
}

impl pleo_status {
    /// The status of an error kind (a kind added to the core later is `Internal`).
    pub(crate) fn of(kind: ErrorKind) -> pleo_status {
        match kind {
            ErrorKind::InvalidArgument => pleo_status::InvalidArgument,
            ErrorKind::Authentication => pleo_status::Authentication,
            ErrorKind::PermissionDenied => pleo_status::PermissionDenied,
            ErrorKind::NotFound => pleo_status::NotFound,
            ErrorKind::Conflict => pleo_status::Conflict,
            ErrorKind::BadRequest => pleo_status::BadRequest,
            ErrorKind::RateLimited => pleo_status::RateLimited,
            ErrorKind::Server => pleo_status::Server,
            ErrorKind::Timeout => pleo_status::Timeout,
            ErrorKind::Connection => pleo_status::Connection,
            ErrorKind::Decode => pleo_status::Decode,
            ErrorKind::ReauthenticationRequired => pleo_status::ReauthenticationRequired,
            ErrorKind::Cancelled => pleo_status::Cancelled,
            _ => pleo_status::Internal,
        }
    }

    /// The status's name as a NUL-terminated static string.
    fn name(self) -> &'static [u8] {
        match self {
            pleo_status::Ok => b"PLEO_STATUS_OK\0",
            pleo_status::InvalidArgument => b"PLEO_STATUS_INVALID_ARGUMENT\0",
            pleo_status::Authentication => b"PLEO_STATUS_AUTHENTICATION\0",
            pleo_status::PermissionDenied => b"PLEO_STATUS_PERMISSION_DENIED\0",
            pleo_status::NotFound => b"PLEO_STATUS_NOT_FOUND\0",
            pleo_status::Conflict => b"PLEO_STATUS_CONFLICT\0",
            pleo_status::BadRequest => b"PLEO_STATUS_BAD_REQUEST\0",
            pleo_status::RateLimited => b"PLEO_STATUS_RATE_LIMITED\0",
            pleo_status::Server => b"PLEO_STATUS_SERVER\0",
            pleo_status::Timeout => b"PLEO_STATUS_TIMEOUT\0",
            pleo_status::Connection => b"PLEO_STATUS_CONNECTION\0",
            pleo_status::Decode => b"PLEO_STATUS_DECODE\0",
            pleo_status::ReauthenticationRequired => b"PLEO_STATUS_REAUTHENTICATION_REQUIRED\0",
            pleo_status::Internal => b"PLEO_STATUS_INTERNAL\0",
            pleo_status::NullArgument => b"PLEO_STATUS_NULL_ARGUMENT\0",
            pleo_status::Cancelled => b"PLEO_STATUS_CANCELLED\0",
        }
    }
}

/// The name of a status, e.g. `"PLEO_STATUS_NOT_FOUND"`.
///
/// Takes an `int` so that any value is safe to pass: one that is not a `pleo_status`
/// gives `"PLEO_STATUS_UNKNOWN"`. The string is static: never free it. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn pleo_status_name(status: c_int) -> *const c_char {
    const STATUSES: [pleo_status; 16] = [
        pleo_status::Ok,
        pleo_status::InvalidArgument,
        pleo_status::Authentication,
        pleo_status::PermissionDenied,
        pleo_status::NotFound,
        pleo_status::Conflict,
        pleo_status::BadRequest,
        pleo_status::RateLimited,
        pleo_status::Server,
        pleo_status::Timeout,
        pleo_status::Connection,
        pleo_status::Decode,
        pleo_status::ReauthenticationRequired,
        pleo_status::Internal,
        pleo_status::NullArgument,
        pleo_status::Cancelled,
    ];
    let name = STATUSES
        .into_iter()
        .find(|s| *s as c_int == status)
        .map_or(&b"PLEO_STATUS_UNKNOWN\0"[..], pleo_status::name);
    name.as_ptr().cast()
}
