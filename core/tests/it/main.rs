//! The core's integration tests against the emulator (the tests that change the process's environment, `proxies`, or fork it, `fork`, have binaries of their own).
//!
//! One test binary with a module per topic, so that the crate links its tests once.
#![allow(missing_docs)]

#[path = "../common/mod.rs"]
mod common;

mod async_calls;
mod errors;
mod events;
mod oauth;
mod operations;
mod raw_responses;
mod redaction;
mod retries;
mod threads;
mod timeouts;
mod tls;
mod token_answers;
mod token_files;
