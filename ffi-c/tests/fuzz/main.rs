//! Fuzzing of the C entry points with proptest, called as a C program calls them: any bytes
//! (invalid UTF-8, empty, 64 KiB long) or NULL as the configuration of `pleo_client_new`,
//! the operation id and request of `pleo_client_call` and the per-operation exports, the
//! statuses of `pleo_wait_for_status`, the function and request of `pleo_oauth_call`, and the
//! error JSON and field name of `pleo_error_field`.
//!
//! Every status is one the header names, never `PLEO_STATUS_INTERNAL` (a caught panic);
//! `PLEO_STATUS_OK` comes with a result JSON and no error, any other status with an error
//! JSON of its kind and no result; every string is freed, and a call refused before sending
//! sent nothing and leaves no byte allocated on its thread. Cases: `PROPTEST_CASES` (256 unless set).
#![allow(missing_docs)]
// Calls the C exports through raw pointers, as a C program does.
#![allow(unsafe_code)]

mod allocations;
mod exports;

// The crate builds only a cdylib and a staticlib (an rlib would collide with the core's),
// so the test compiles the exports in itself, as the benchmark does.
#[path = "../../src/lib.rs"]
#[allow(dead_code, unused_imports)]
mod ffi;

#[path = "../../../core/tests/fuzz/strategies.rs"]
#[allow(dead_code)]
mod strategies;
