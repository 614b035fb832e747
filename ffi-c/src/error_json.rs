//! `pleo_error_field`: one field of an error JSON, decoded, so that neither C callers nor
//! the C++ wrapper need a JSON parser of their own to read a message.

use std::ffi::c_char;

use pleo_installations::Error;
use serde_json::Value;

use super::boundary::boundary;
use super::status::pleo_status;
use super::strings::{c_str, out_slot, owned, text};

/// Reads one top-level field of an error JSON this library returned (any JSON object
/// works), decoded: a string field (`"kind"`, `"message"`, `"request_id"`, `"body"`) gives
/// its text in UTF-8, every JSON escape undone (`\uXXXX` surrogate pairs joined); any other
/// field gives its JSON text (`"status"` → `404`, `"retryable"` → `true`, `"retry_after"` →
/// `1.5`).
///
/// @param error_json  NUL-terminated error JSON; borrowed for the call only.
/// @param name        NUL-terminated field name, e.g. `"message"`; borrowed.
/// @param value       receives the field's value (free it with `pleo_string_free`), or NULL
///                    when the field is absent or `null`. A NUL character (`\u0000`) in a
///                    string is left out, since a C string cannot hold one.
/// @return `PLEO_STATUS_OK`, also for an absent field; `PLEO_STATUS_INVALID_ARGUMENT` when
///         `error_json` is not valid UTF-8 or not a JSON object (`*value` stays NULL);
///         `PLEO_STATUS_NULL_ARGUMENT` when a pointer is NULL.
///
/// Sends nothing; thread-safe.
///
/// # Safety
/// Each pointer is NULL or valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pleo_error_field(
    error_json: *const c_char,
    name: *const c_char,
    value: *mut *mut c_char,
) -> pleo_status {
    // SAFETY: per this export's contract, `error_json` and `name` are NULL or
    // NUL-terminated, and `value` NULL or writable storage for one pointer, all for the
    // whole call.
    let (json, name, value) = unsafe { (c_str(error_json), c_str(name), value.as_mut()) };
    boundary("pleo_error_field", std::ptr::null_mut(), || {
        let out = out_slot(value, "value")?;
        let (json, name) = (text(json, "error_json")?, text(name, "name")?);
        let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(json) else {
            return Err(Error::invalid_argument("error_json is not a JSON object").into());
        };
        *out = match fields.get(name) {
            None | Some(Value::Null) => std::ptr::null_mut(),
            Some(Value::String(text)) => owned(text.clone()),
            Some(other) => owned(other.to_string()),
        };
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use std::ffi::{CStr, CString};
    use std::ptr;

    use pleo_installations::ErrorKind;

    use super::super::strings::pleo_string_free;
    use super::*;

    /// The field `name` of `json` through the export: its status and value.
    fn field(json: &str, name: &str) -> (pleo_status, Option<String>) {
        let (json, name) = (CString::new(json).unwrap(), CString::new(name).unwrap());
        let mut value: *mut c_char = ptr::null_mut();
        // SAFETY: valid pointers.
        let status = unsafe { pleo_error_field(json.as_ptr(), name.as_ptr(), &mut value) };
        let text = (!value.is_null()).then(|| {
            // SAFETY: a string from this library, freed once below.
            unsafe { CStr::from_ptr(value) }
                .to_str()
                .unwrap()
                .to_owned()
        });
        // SAFETY: NULL or a string from this library.
        unsafe { pleo_string_free(value) };
        (status, text)
    }

    #[test]
    fn every_json_escape_is_decoded() {
        let json = r#"{"message":"q\" b\\ s\/ \b\f\n\r\t \u0001 \u00e9 \ud83d\ude00 \uFFFF","status":404,"request_id":null,"retryable":true}"#;
        let decoded = "q\" b\\ s/ \u{8}\u{c}\n\r\t \u{1} \u{e9} \u{1f600} \u{ffff}";
        assert_eq!(
            field(json, "message"),
            (pleo_status::Ok, Some(decoded.into()))
        );
        assert_eq!(field(json, "status"), (pleo_status::Ok, Some("404".into())));
        assert_eq!(
            field(json, "retryable"),
            (pleo_status::Ok, Some("true".into()))
        );
        assert_eq!(field(json, "request_id"), (pleo_status::Ok, None));
        assert_eq!(field(json, "kind"), (pleo_status::Ok, None));
    }

    #[test]
    fn an_error_of_the_library_reads_back_field_by_field() {
        let error = Error::new(ErrorKind::Conflict, "a \"b\"\r\n\u{0}c \u{1f600}");
        let json = error.to_json().to_string();
        assert_eq!(field(&json, "kind").1.as_deref(), Some("conflict"));
        assert_eq!(
            field(&json, "message").1.as_deref(),
            Some("a \"b\"\r\nc \u{1f600}")
        );
        assert_eq!(field(&json, "attempts").1.as_deref(), Some("0"));
    }

    #[test]
    fn malformed_json_is_refused_clearly() {
        for json in [
            r#"{"message":"\ud83d"}"#,
            r#"{"message":"\x"}"#,
            r#"{"message":"abc"#,
            r#"["message"]"#,
            "",
        ] {
            assert_eq!(
                field(json, "message"),
                (pleo_status::InvalidArgument, None),
                "{json}"
            );
        }
        let mut value: *mut c_char = ptr::null_mut();
        // SAFETY: NULL is allowed and reported.
        let status = unsafe { pleo_error_field(ptr::null(), c"message".as_ptr(), &mut value) };
        assert_eq!((status, value.is_null()), (pleo_status::NullArgument, true));
        // SAFETY: as above.
        let status =
            unsafe { pleo_error_field(c"{}".as_ptr(), c"message".as_ptr(), ptr::null_mut()) };
        assert_eq!(status, pleo_status::NullArgument);
    }
}
