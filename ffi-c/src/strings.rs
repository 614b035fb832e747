//! C strings in and out: reading arguments, handing results over, and freeing them.

use std::ffi::{CStr, CString, c_char};
use std::ptr;

use pleo_installations::Error;

use super::boundary::{Failure, guard};

/// Reads the NUL-terminated UTF-8 argument `name`.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn arg<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err(Failure::Null(name.to_owned()));
    }
    // SAFETY: not NULL, and NUL-terminated per the caller's contract.
    let bytes = unsafe { CStr::from_ptr(ptr) }.to_bytes();
    std::str::from_utf8(bytes).map_err(|e| {
        Failure::Sdk(Error::invalid_argument(format!(
            "{name} is not valid UTF-8 (at byte {})",
            e.valid_up_to()
        )))
    })
}

/// The out-parameter `name`, set to NULL, ready to receive a value on success.
///
/// # Safety
/// `ptr` is NULL or points to writable storage for one pointer that outlives `'a`.
pub(crate) unsafe fn out_slot<'a, T>(
    ptr: *mut *mut T,
    name: &str,
) -> Result<&'a mut *mut T, Failure> {
    // SAFETY: NULL or valid per the caller's contract.
    let slot = unsafe { ptr.as_mut() }.ok_or_else(|| Failure::Null(name.to_owned()))?;
    *slot = ptr::null_mut();
    Ok(slot)
}

/// `text` as a C string. JSON never holds a NUL byte (it escapes them), nor do tokens, so
/// dropping any is a formality that spares a panic path.
pub(crate) fn c_string(text: String) -> CString {
    CString::new(text.replace('\0', "")).unwrap_or_default()
}

/// Hands `text` to C; it is freed with [`pleo_string_free`].
pub(crate) fn owned(text: String) -> *mut c_char {
    c_string(text).into_raw()
}

/// Frees a string returned by this library (a result or an error JSON). NULL is ignored.
/// Thread-safe: a string may be freed on any thread.
///
/// # Safety
/// `string` is NULL or a string this library returned that was not freed yet; it must not
/// be used afterwards. Never pass memory from `malloc` or a string literal.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pleo_string_free(string: *mut c_char) {
    if !string.is_null() {
        // SAFETY: made by `CString::into_raw` in `owned`, per the caller's contract.
        guard((), || drop(unsafe { CString::from_raw(string) }));
    }
}
