//! Fuzzing of the core with proptest: `call_json` (operation ids and requests), the
//! configuration JSON a `Client` is built from, and the decoding of responses. Cases run
//! per test: `PROPTEST_CASES` (256 unless set; `make soak` sets many more). A failing case
//! is saved under `core/tests/proptest-regressions/` and replayed first on every run.

mod call_json;
mod config;
mod decoding;
mod strategies;
