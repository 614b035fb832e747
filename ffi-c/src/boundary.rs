//! The panic boundary every export runs in, and the failures an export reports.

use std::ffi::c_char;
use std::panic::{self, AssertUnwindSafe};
use std::ptr;

use pleo_installations::Error;

use super::status::pleo_status;
use super::strings::owned;

/// Why an export failed.
pub(crate) enum Failure {
    /// A required pointer argument, named here, was NULL.
    Null(String),
    /// The SDK refused or failed the call.
    Sdk(Error),
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        Failure::Sdk(error)
    }
}

/// Runs the body of the export `name`: its failure, or a panic, becomes a status and (when
/// `error_json` is not NULL) an error JSON written there. `*error_json` is NULL on success.
pub(crate) fn boundary(
    name: &str,
    error_json: *mut *mut c_char,
    body: impl FnOnce() -> Result<(), Failure>,
) -> pleo_status {
    if !error_json.is_null() {
        // SAFETY: the caller passes NULL or a pointer to writable storage for one pointer.
        unsafe { *error_json = ptr::null_mut() };
    }
    let failure = match panic::catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return pleo_status::Ok,
        Ok(Err(failure)) => failure,
        Err(payload) => Failure::Sdk(Error::from_panic(name, payload.as_ref())),
    };
    let (status, error) = match failure {
        Failure::Null(argument) => (
            pleo_status::NullArgument,
            Error::invalid_argument(format!("{name}: {argument} is NULL")),
        ),
        Failure::Sdk(error) => (pleo_status::of(error.kind()), error),
    };
    if !error_json.is_null() {
        // SAFETY: as above.
        unsafe { *error_json = owned(error.to_json().to_string()) };
    }
    status
}

/// Runs an export that returns no status (a free function, a constant), giving `fallback`
/// if it panics.
pub(crate) fn guard<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    panic::catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

#[cfg(test)]
mod tests {
    use std::ffi::CString;

    use super::*;

    #[test]
    fn a_panic_becomes_an_internal_error_naming_the_export() {
        let mut error: *mut c_char = ptr::null_mut();
        let status = boundary("pleo_test", &mut error, || panic!("boom"));
        assert_eq!(status, pleo_status::Internal);
        // SAFETY: set by `boundary` to a string from `owned`.
        let json = unsafe { CString::from_raw(error) };
        let text = json.to_str().unwrap();
        assert!(text.contains(r#""kind":"internal""#), "{text}");
        assert!(text.contains("pleo_test: a bug in the SDK: boom"), "{text}");
    }

    #[test]
    fn a_guarded_panic_gives_the_fallback() {
        assert_eq!(guard(7, || panic!("boom")), 7);
        assert_eq!(guard(7, || 8), 8);
    }
}
