//! C strings in and out: reading arguments, handing results over, and freeing them.

use std::ffi::{CStr, CString, c_char};
use std::ptr;

use pleo_installations::Error;

use super::boundary::{Failure, guard};

/// The C string at `ptr`, or `None` for NULL: the one place a string argument is read.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn c_str<'a>(ptr: *const c_char) -> Option<&'a CStr> {
    // SAFETY: not NULL, and NUL-terminated for 'a, per this function's contract.
    (!ptr.is_null()).then(|| unsafe { CStr::from_ptr(ptr) })
}

/// The UTF-8 text of the string argument `name` (`None`: it was NULL).
pub(crate) fn text<'a>(arg: Option<&'a CStr>, name: &str) -> Result<&'a str, Failure> {
    let arg = arg.ok_or_else(|| Failure::Null(name.to_owned()))?;
    std::str::from_utf8(arg.to_bytes()).map_err(|e| {
        Failure::Sdk(Error::invalid_argument(format!(
            "{name} is not valid UTF-8 (at byte {})",
            e.valid_up_to()
        )))
    })
}

/// The out-parameter `name` (`None`: it was NULL), set to NULL, ready to receive a value on
/// success.
pub(crate) fn out_slot<'a, T>(
    slot: Option<&'a mut *mut T>,
    name: &str,
) -> Result<&'a mut *mut T, Failure> {
    let slot = slot.ok_or_else(|| Failure::Null(name.to_owned()))?;
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
        // SAFETY: per this export's contract, `string` came from `owned`'s
        // `CString::into_raw` and is freed once.
        guard((), || drop(unsafe { CString::from_raw(string) }));
    }
}
