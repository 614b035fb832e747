//! The core's `log` records forwarded to Python's `logging` (logger `pleo_installations` and
//! its children). The core never puts a secret in a record.

use log::LevelFilter;
use pyo3::Python;
use pyo3_log::{Caching, Logger};

/// Installs the bridge once per process; another `log` logger already installed wins.
pub(crate) fn install(py: Python<'_>) {
    // Levels are not cached: a level set on the Python logger later still applies.
    let Ok(logger) = Logger::new(py, Caching::Loggers) else {
        return;
    };
    let _ = logger
        .filter(LevelFilter::Off)
        .filter_target("pleo_installations".to_owned(), LevelFilter::Debug)
        .install();
}
