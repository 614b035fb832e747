//! The error of the emulator's own Rust API (bad fault or seed descriptions).

use std::fmt;

/// Why the emulator refused a fault or seed description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MockError {
    message: String,
}

impl MockError {
    pub(crate) fn new(message: impl Into<String>) -> MockError {
        MockError {
            message: message.into(),
        }
    }

    /// What was wrong, in words.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for MockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MockError {}
