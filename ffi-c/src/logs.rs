//! The process's log callback: the SDK's events (attempt, retry, give-up, refresh) and its
//! other log records handed to C, one line at a time.

use std::cell::Cell;
use std::ffi::{CString, c_char, c_int, c_void};
use std::sync::{PoisonError, RwLock};

use log::{Level, LevelFilter, Log, Metadata, Record};
use pleo_installations::Error;

use super::boundary::{Failure, boundary};
use super::status::pleo_status;

/// A level of the log callback: `PLEO_LOG_LEVEL_OFF` to `PLEO_LOG_LEVEL_DEBUG`.
pub type pleo_log_level = c_int;
/// No line.
pub const PLEO_LOG_LEVEL_OFF: pleo_log_level = 0;
/// Failures the SDK cannot recover from.
pub const PLEO_LOG_LEVEL_ERROR: pleo_log_level = 1;
/// A call given up (`give_up`), a failed token refresh, an unusable CA certificate.
pub const PLEO_LOG_LEVEL_WARN: pleo_log_level = 2;
/// Retries (`retry`) and token refreshes (`refresh`).
pub const PLEO_LOG_LEVEL_INFO: pleo_log_level = 3;
/// Every HTTP attempt (`attempt`).
pub const PLEO_LOG_LEVEL_DEBUG: pleo_log_level = 4;

/// Receives one log line of the SDK.
///
/// @param user_data  what was given to `pleo_set_log_callback`.
/// @param level      the line's level, `PLEO_LOG_LEVEL_ERROR` to `PLEO_LOG_LEVEL_DEBUG`.
/// @param line       e.g. `retry n=1 operation=introspect kind=server status=503
///                   delay_ms=500`; UTF-8, borrowed for the callback only. Never a secret.
///
/// Called on whichever thread the event happens (the SDK's own threads included), possibly
/// on several at once: it must be thread-safe and return quickly, as the call waits for it
/// (a token refresh's line comes while the client's refresh lock is held). It must not call
/// the SDK, nor wait for a thread that is calling `pleo_set_log_callback`.
pub type pleo_log_fn = Option<
    unsafe extern "C" fn(user_data: *mut c_void, level: pleo_log_level, line: *const c_char),
>;

/// The callback set, with what it was given.
struct Callback {
    function: unsafe extern "C" fn(*mut c_void, pleo_log_level, *const c_char),
    user_data: *mut c_void,
    max_level: LevelFilter,
}

// SAFETY: `user_data` is only handed back to the callback, which the caller of
// `pleo_set_log_callback` promises may run on any thread, on several at once.
unsafe impl Send for Callback {}
// SAFETY: as above.
unsafe impl Sync for Callback {}

/// The callback, read while it runs: setting another waits for every running one to return.
static CALLBACK: RwLock<Option<Callback>> = RwLock::new(None);

thread_local! {
    /// Whether this thread is inside the callback.
    static IN_CALLBACK: Cell<bool> = const { Cell::new(false) };
}

/// The `log` logger of the library, installed by the first `pleo_set_log_callback` that
/// turns logging on.
struct ToCallback;

static LOGGER: ToCallback = ToCallback;

impl Log for ToCallback {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target().starts_with("pleo_installations") && metadata.level() <= log::max_level()
    }

    fn log(&self, record: &Record<'_>) {
        if !self.enabled(record.metadata()) || IN_CALLBACK.with(Cell::get) {
            return;
        }
        let callback = CALLBACK.read().unwrap_or_else(PoisonError::into_inner);
        let Some(callback) = callback.as_ref() else {
            return;
        };
        if record.level() > callback.max_level {
            return;
        }
        let line = record.args().to_string().replace('\0', "?");
        let line = CString::new(line).unwrap_or_default();
        IN_CALLBACK.with(|inside| inside.set(true));
        // SAFETY: the function and its user data are the caller's, who promises that the
        // function may be called with them on any thread until `pleo_set_log_callback`
        // replaces it (which waits for this read lock); `line` lives until it returns.
        unsafe {
            (callback.function)(
                callback.user_data,
                level_number(record.level()),
                line.as_ptr(),
            )
        };
        IN_CALLBACK.with(|inside| inside.set(false));
    }

    fn flush(&self) {}
}

fn level_number(level: Level) -> pleo_log_level {
    match level {
        Level::Error => PLEO_LOG_LEVEL_ERROR,
        Level::Warn => PLEO_LOG_LEVEL_WARN,
        Level::Info => PLEO_LOG_LEVEL_INFO,
        Level::Debug | Level::Trace => PLEO_LOG_LEVEL_DEBUG,
    }
}

fn level_filter(level: pleo_log_level) -> Option<LevelFilter> {
    Some(match level {
        PLEO_LOG_LEVEL_OFF => LevelFilter::Off,
        PLEO_LOG_LEVEL_ERROR => LevelFilter::Error,
        PLEO_LOG_LEVEL_WARN => LevelFilter::Warn,
        PLEO_LOG_LEVEL_INFO => LevelFilter::Info,
        PLEO_LOG_LEVEL_DEBUG => LevelFilter::Debug,
        _ => return None,
    })
}

/// Sets the process's log callback: the SDK's lines up to `max_level` go to `callback`,
/// for every client. The lines are its events, worded the same in every language:
///
/// - `attempt n= operation= method= path= status= [kind=] elapsed_ms= request_id=` (DEBUG)
/// - `retry n= operation= kind= status= delay_ms=` (INFO)
/// - `give_up operation= attempts= kind= status= reason=max_retries|retry_after|deadline` (WARN)
/// - `refresh outcome=ok|adopted attempts=` (INFO), `refresh outcome=failed ...` (WARN)
///
/// and a few warnings about the CA store or a proxy variable. None carries a secret.
///
/// @param callback   the receiver; NULL turns logging off.
/// @param user_data  handed to every call of `callback`.
/// @param max_level  the most detailed level given; `PLEO_LOG_LEVEL_OFF` turns logging off.
/// @param error_json NULL, or receives the error JSON on failure.
/// @return `PLEO_STATUS_OK`; `PLEO_STATUS_INVALID_ARGUMENT` for a level that is not one of
///         the five or a call from inside the callback; `PLEO_STATUS_INTERNAL` when another
///         `log` logger of Rust is installed in the library (never, as shipped).
///
/// Once it returns, the previous callback is never called again: it waits for the running
/// calls of the previous one to return. Thread-safe.
///
/// # Safety
/// `callback`, when not NULL, must be a function that may be called with `user_data` on any
/// thread, on several at once, until the next `pleo_set_log_callback` returns; `error_json`
/// is NULL or points to storage for one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pleo_set_log_callback(
    callback: pleo_log_fn,
    user_data: *mut c_void,
    max_level: pleo_log_level,
    error_json: *mut *mut c_char,
) -> pleo_status {
    boundary("pleo_set_log_callback", error_json, || {
        if IN_CALLBACK.with(Cell::get) {
            return Err(Failure::Sdk(Error::invalid_argument(
                "pleo_set_log_callback was called from inside the log callback: call it from another place",
            )));
        }
        let max_level = level_filter(max_level).ok_or_else(|| {
            Failure::Sdk(Error::invalid_argument(format!(
                "max_level {max_level} is not a pleo_log_level (PLEO_LOG_LEVEL_OFF 0 to PLEO_LOG_LEVEL_DEBUG 4)"
            )))
        })?;
        let callback = callback
            .filter(|_| max_level != LevelFilter::Off)
            .map(|function| Callback {
                function,
                user_data,
                max_level,
            });
        if callback.is_some() && !installed() {
            return Err(Failure::Sdk(Error::new(
                pleo_installations::ErrorKind::Internal,
                "another Rust `log` logger is installed in this library: the log callback cannot be set",
            )));
        }
        let level = callback.as_ref().map_or(LevelFilter::Off, |c| c.max_level);
        *CALLBACK.write().unwrap_or_else(PoisonError::into_inner) = callback;
        log::set_max_level(level);
        Ok(())
    })
}

/// Installs [`LOGGER`] once; whether it is the library's logger.
fn installed() -> bool {
    static INSTALLED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *INSTALLED.get_or_init(|| log::set_logger(&LOGGER).is_ok())
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;
    use std::ptr;
    use std::sync::Mutex;

    use super::*;

    /// The lines `keep` received that hold `MARK`, with their levels.
    static KEPT: Mutex<Vec<(pleo_log_level, String)>> = Mutex::new(Vec::new());
    const MARK: &str = "logs-unit-test";

    unsafe extern "C" fn keep(_: *mut c_void, level: pleo_log_level, line: *const c_char) {
        // SAFETY: the library passes a NUL-terminated line that lives during this call.
        let line = unsafe { CStr::from_ptr(line) }.to_string_lossy();
        if line.contains(MARK) {
            KEPT.lock().unwrap().push((level, line.into_owned()));
        }
    }

    fn set(callback: pleo_log_fn, max_level: pleo_log_level) {
        // SAFETY: `keep` may run on any thread with any user data; no error JSON is asked for.
        let status =
            unsafe { pleo_set_log_callback(callback, ptr::null_mut(), max_level, ptr::null_mut()) };
        assert_eq!(status, pleo_status::Ok);
    }

    #[test]
    fn only_the_sdks_records_up_to_the_level_arrive_with_nul_replaced() {
        set(Some(keep), PLEO_LOG_LEVEL_INFO);
        log::info!(target: "pleo_installations::events", "{MARK} a\0b");
        log::debug!(target: "pleo_installations::events", "{MARK} too detailed");
        log::warn!(target: "pleo_installations::tls", "{MARK} another module of the SDK");
        log::error!(target: "rustls::client", "{MARK} not the SDK's");
        set(None, PLEO_LOG_LEVEL_DEBUG);
        log::error!(target: "pleo_installations::events", "{MARK} after logging was turned off");
        let kept = KEPT.lock().unwrap().clone();
        assert_eq!(
            kept,
            [
                (PLEO_LOG_LEVEL_INFO, format!("{MARK} a?b")),
                (
                    PLEO_LOG_LEVEL_WARN,
                    format!("{MARK} another module of the SDK")
                ),
            ]
        );
    }
}
