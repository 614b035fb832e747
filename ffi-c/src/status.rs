//! `pleo_status`: what every fallible export returns, one value per error kind.

use std::ffi::{CStr, c_char, c_int};

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
}

/// Every status with its name: the one list the names come from (the enum above is the
/// ABI cbindgen reads; a test checks that this list holds each of its values once, in order).
const NAMES: [(pleo_status, &CStr); 16] = [
    (pleo_status::Ok, c"PLEO_STATUS_OK"),
    (
        pleo_status::InvalidArgument,
        c"PLEO_STATUS_INVALID_ARGUMENT",
    ),
    (pleo_status::Authentication, c"PLEO_STATUS_AUTHENTICATION"),
    (
        pleo_status::PermissionDenied,
        c"PLEO_STATUS_PERMISSION_DENIED",
    ),
    (pleo_status::NotFound, c"PLEO_STATUS_NOT_FOUND"),
    (pleo_status::Conflict, c"PLEO_STATUS_CONFLICT"),
    (pleo_status::BadRequest, c"PLEO_STATUS_BAD_REQUEST"),
    (pleo_status::RateLimited, c"PLEO_STATUS_RATE_LIMITED"),
    (pleo_status::Server, c"PLEO_STATUS_SERVER"),
    (pleo_status::Timeout, c"PLEO_STATUS_TIMEOUT"),
    (pleo_status::Connection, c"PLEO_STATUS_CONNECTION"),
    (pleo_status::Decode, c"PLEO_STATUS_DECODE"),
    (
        pleo_status::ReauthenticationRequired,
        c"PLEO_STATUS_REAUTHENTICATION_REQUIRED",
    ),
    (pleo_status::Internal, c"PLEO_STATUS_INTERNAL"),
    (pleo_status::NullArgument, c"PLEO_STATUS_NULL_ARGUMENT"),
    (pleo_status::Cancelled, c"PLEO_STATUS_CANCELLED"),
];

/// The name of a status, e.g. `"PLEO_STATUS_NOT_FOUND"`.
///
/// Takes an `int` so that any value is safe to pass: one that is not a `pleo_status`
/// gives `"PLEO_STATUS_UNKNOWN"`. The string is static: never free it. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn pleo_status_name(status: c_int) -> *const c_char {
    NAMES
        .iter()
        .find(|(known, _)| *known as c_int == status)
        .map_or(c"PLEO_STATUS_UNKNOWN", |(_, name)| *name)
        .as_ptr()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_is_named_once_in_order_after_its_variant() {
        for (index, (status, name)) in NAMES.iter().enumerate() {
            assert_eq!(*status as usize, index, "{name:?} out of order");
            let words = format!("{status:?}")
                .chars()
                .flat_map(|c| {
                    let upper = c.is_ascii_uppercase().then_some('_');
                    upper
                        .into_iter()
                        .chain(std::iter::once(c.to_ascii_uppercase()))
                })
                .collect::<String>();
            assert_eq!(name.to_str().unwrap(), format!("PLEO_STATUS{words}"));
        }
    }

    #[test]
    fn every_error_kind_has_its_own_status() {
        let statuses: Vec<pleo_status> =
            ErrorKind::ALL.iter().map(|k| pleo_status::of(*k)).collect();
        for (kind, status) in ErrorKind::ALL.iter().zip(&statuses) {
            let name = pleo_status_name(*status as c_int);
            // SAFETY: a static NUL-terminated string.
            let name = unsafe { CStr::from_ptr(name) }.to_str().unwrap();
            assert_eq!(
                name,
                format!("PLEO_STATUS_{}", kind.as_str().to_uppercase())
            );
        }
    }
}
