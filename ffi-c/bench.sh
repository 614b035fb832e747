#!/usr/bin/env bash
# The C table's programs, run by tests/bench/run.sh (`make bench-c`) with the emulator's
# PLEO_BASE_URL and PLEO_API_KEY set: the C API next to libcurl (the program built from
# ffi-c/benches/get_installation.c, the argument), then the C path's overhead over the
# Rust core (ffi-c/benches/overhead.rs), which lands under the table.
set -euo pipefail
"$1"
echo
echo "## The C path's overhead over the Rust core"
echo
cargo bench --quiet --locked -p pleo-installations-ffi --bench overhead
