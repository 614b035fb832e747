//! The emulator's integration tests.
//!
//! One test binary with a module per topic, so that the crate links its tests once.
#![allow(missing_docs)]

#[path = "../common/mod.rs"]
mod common;

mod admin;
mod auth_and_validation;
mod faults;
mod journal_bounds;
mod journal_reads;
mod oauth;
mod operations;
mod server;
mod slow_clients;
