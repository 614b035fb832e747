//! The C ABI of the Pleo Installations SDK: `libpleo_installations.so` / `.a`, described by
//! `include/pleo_installations.h` (generated from this crate by cbindgen).
//!
//! Every export is a thin layer over [`pleo_installations::Client::call_json`]: JSON
//! strings in, JSON strings out, a [`pleo_status`] for every fallible call. Each export runs
//! inside one panic boundary (module `boundary`), checks every pointer, and never lets a Rust
//! panic unwind into the host.

// The Rust names are the C names of the header (`pleo_client`, `pleo_status`).
#![allow(non_camel_case_types)]

// The panic boundary catches panics only when they unwind; with `panic = "abort"` a bug
// would take the host process down.
#[cfg(panic = "abort")]
compile_error!("pleo-installations-ffi must be built with panic = \"unwind\"");

// Modules refer to each other through `super::`, not `crate::`: the overhead benchmark
// compiles this file as a module of its own.

// Every module below receives raw pointers from C or exports unmangled symbols, which is
// what `unsafe_code` forbids elsewhere in the workspace; each unsafe block names its
// safety argument.
#[allow(unsafe_code)]
mod boundary;
#[allow(unsafe_code)]
mod client;
#[allow(unsafe_code)]
mod error_json;
#[allow(unsafe_code)]
mod hooks;
#[allow(unsafe_code)]
mod logs;
#[allow(unsafe_code)]
mod oauth;
#[allow(unsafe_code)]
mod status;
#[allow(unsafe_code)]
mod strings;
#[allow(unsafe_code)]
mod version;

pub use client::*;
pub use error_json::*;
pub use hooks::*;
pub use logs::*;
pub use oauth::*;
pub use status::*;
pub use strings::*;
pub use version::*;
