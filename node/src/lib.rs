//! The native half of the Node binding: a client whose calls run on the core's runtime and
//! resolve a Promise with the core's JSON (cancelled through a `NativeCall`), JavaScript
//! callbacks the core can call from its threads, its events handed to JavaScript, the OAuth
//! helpers and the emulator. The idiomatic API is the JavaScript layer in `lib/`; everything
//! here speaks JSON strings, like every binding of the core.

mod callbacks;
mod client;
mod logs;
mod mock;
mod oauth;

use pleo_installations::Error;

/// A core error as the rejection the JS layer turns into a `PleoError`: its JSON as message,
/// with `js_callback`, the mark of the JavaScript error, when a JS callback failed.
fn rejection(error: Error) -> napi::Error {
    let mut json = error.to_json();
    let failed_callback = std::error::Error::source(&error)
        .and_then(|source| source.downcast_ref::<callbacks::CallbackFailed>());
    if let Some(failed) = failed_callback {
        json["js_callback"] = failed.to_string().into();
    }
    napi::Error::from_reason(json.to_string())
}
