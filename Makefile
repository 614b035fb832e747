# The two commands of the README: `make demo` and `make test` (and the long `make soak`,
# tests/soak/soak.mk). Everything a fresh machine of this kind needs beyond the Rust
# toolchain is installed by the targets themselves.

CARGO ?= cargo
# Every cargo, maturin and napi call builds for the host triple explicitly: napi's CLI always
# passes --target, and with the same triple everywhere all of them share target/<triple>/.
export CARGO_BUILD_TARGET ?= $(shell rustc -vV | sed -n 's/^host: //p')
# pyo3 links libpython into a plain `cargo build` of the Python extension unless told it is
# an extension module (as maturin does); with this, no libpython3.x-dev is needed, and cargo
# and maturin share one build of pyo3.
export PYO3_BUILD_EXTENSION_MODULE := 1
SERVER_CORE ?= 0
CLIENT_CORE ?= 1

.PHONY: demo demo-rust test lint unit bench bench-floor bench-rust build clean

## Walk the installation lifecycle against the embedded emulator, in every language.
demo: demo-rust

demo-rust:
	$(CARGO) run --quiet -p pleo-installations-cli -- demo
	$(CARGO) run --quiet -p pleo-installations --example lifecycle

## Everything CI checks: formatting, lints, then every test.
test: lint unit

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	$(CARGO) clippy --locked -p pleo-installations --test conformance -- -D warnings

unit:
	$(CARGO) test --workspace --locked

build:
	$(CARGO) build --workspace --release --locked

## Each language's table of get_installation's latency and throughput: its SDK, its usual
## HTTP client(s) and the floor (a raw keep-alive client) against one emulator, the emulator
## and the clients pinned to separate cores (tests/bench/run.sh; results in tests/bench/results/).
bench: bench-rust

## The emulator (the release CLI) and the floor (core/benches/get_installation) every table needs.
bench-floor:
	$(CARGO) build --release --locked -p pleo-installations-cli
	$(CARGO) bench --locked -p pleo-installations --bench get_installation --no-run

bench-rust: bench-floor
	./tests/bench/run.sh rust "Rust: the SDK vs reqwest" $(SERVER_CORE) $(CLIENT_CORE) \
	    $(CARGO) bench --quiet --locked -p pleo-installations --bench get_installation -- sdk reqwest

clean:
	$(CARGO) clean

# Each binding adds its own targets to test, demo and bench in its fragment.
-include ffi-c/c.mk py/python.mk node/node.mk
include tests/conformance/conformance.mk
# `make soak` uses the bindings' targets, so it comes after them.
-include tests/soak/soak.mk
