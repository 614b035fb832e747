//! Attaching to Python from threads that may outlive the interpreter.
//!
//! A call abandoned to Ctrl-C (see `blocking`) goes on on its worker thread, and may log,
//! call the refresh hook or a token store after the interpreter began to exit. Attaching
//! then would panic (the interpreter is gone) or end the thread inside CPython, so from the
//! moment Python runs its `atexit` callbacks the binding no longer attaches from its own
//! threads: log records are dropped and callbacks fail with [`Exiting`].

use std::sync::atomic::{AtomicBool, Ordering};

use pyo3::prelude::*;
use pyo3::types::PyCFunction;

static EXITING: AtomicBool = AtomicBool::new(false);

/// The error of a callback that could not run because the interpreter is exiting.
#[derive(Debug)]
pub(crate) struct Exiting;

impl std::fmt::Display for Exiting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the Python interpreter is exiting")
    }
}

impl std::error::Error for Exiting {}

/// Whether the interpreter has begun to exit.
pub(crate) fn exiting() -> bool {
    EXITING.load(Ordering::Acquire)
}

/// Runs `f` attached to the interpreter, unless it is exiting.
pub(crate) fn attach<R>(f: impl for<'py> FnOnce(Python<'py>) -> R) -> Result<R, Exiting> {
    if exiting() {
        return Err(Exiting);
    }
    Ok(Python::attach(f))
}

/// Registers the `atexit` callback that marks the interpreter as exiting.
pub(crate) fn watch_exit(py: Python<'_>) -> PyResult<()> {
    let mark = PyCFunction::new_closure(py, None, None, |_, _| {
        EXITING.store(true, Ordering::Release);
    })?;
    py.import("atexit")?.call_method1("register", (mark,))?;
    Ok(())
}
