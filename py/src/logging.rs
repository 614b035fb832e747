//! The core's `log` records forwarded to Python's `logging` (logger `pleo_installations` and
//! its children). The core never puts a secret in a record. Once the interpreter exits,
//! records are dropped (see `interpreter`).

use log::{LevelFilter, Log, Metadata, Record};
use pyo3::Python;
use pyo3_log::{Caching, Logger};

use crate::interpreter;

/// The most detailed level forwarded.
const LEVEL: LevelFilter = LevelFilter::Debug;

/// Installs the bridge once per process; another `log` logger already installed wins.
pub(crate) fn install(py: Python<'_>) {
    // Levels are not cached: a level set on the Python logger later still applies.
    let Ok(logger) = Logger::new(py, Caching::Loggers) else {
        return;
    };
    let logger = logger
        .filter(LevelFilter::Off)
        .filter_target("pleo_installations".to_owned(), LEVEL);
    if log::set_boxed_logger(Box::new(UntilExit(logger))).is_ok() {
        log::set_max_level(LEVEL);
    }
}

/// pyo3-log's logger, until the interpreter exits.
struct UntilExit(Logger);

impl Log for UntilExit {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        !interpreter::exiting() && self.0.enabled(metadata)
    }

    fn log(&self, record: &Record<'_>) {
        if !interpreter::exiting() {
            self.0.log(record);
        }
    }

    fn flush(&self) {
        self.0.flush();
    }
}
