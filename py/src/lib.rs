//! The native half of the Python binding, `pleo_installations._native`: the core's JSON door
//! and the emulator, with the GIL released around every network call, which Ctrl-C
//! interrupts (`blocking`). The pure-Python package `pleo_installations` turns its JSON into
//! Python objects and exceptions.

mod blocking;
mod client;
mod error;
mod interpreter;
mod logging;
mod mock;
mod token_store;

use pyo3::prelude::*;

/// An RFC 3339 timestamp read by the core's reader (the one its models use), as
/// `(seconds since the Unix epoch, microsecond, UTC offset in seconds)`; `ValueError`
/// naming the text otherwise.
#[pyfunction]
fn parse_timestamp(text: &str) -> PyResult<(i64, u32, i32)> {
    let parsed = pleo_installations::parse_timestamp(text, "timestamp")
        .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.message().to_owned()))?;
    Ok((
        parsed.unix_timestamp(),
        parsed.microsecond(),
        parsed.offset().whole_seconds(),
    ))
}

/// The module `pleo_installations._native`.
#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("NativeError", m.py().get_type::<error::NativeError>())?;
    m.add_class::<client::Client>()?;
    m.add_class::<client::CallHandle>()?;
    m.add_class::<mock::MockServer>()?;
    m.add_class::<token_store::FileTokenStore>()?;
    m.add_function(wrap_pyfunction!(client::oauth_call, m)?)?;
    m.add_function(wrap_pyfunction!(parse_timestamp, m)?)?;
    logging::install(m.py());
    interpreter::watch_exit(m.py())?;
    Ok(())
}
