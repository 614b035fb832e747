# The C binding's targets, included by the root Makefile: libpleo_installations.so / .a,
# the committed header kept fresh, tests in C and C++ (valgrind, AddressSanitizer), the
# conformance suite's C runner, `make install PREFIX=...`, the examples and the benchmark.

.PHONY: test-c c-deps bench-c-deps header-c check-header-c build-c install demo-c bench-c \
	conformance-c

test: test-c conformance-c
demo: demo-c
bench: bench-c

C_TARGET_DIR := target/$(CARGO_BUILD_TARGET)
C_DEBUG_DIR := $(C_TARGET_DIR)/debug
C_VERSION := $(VERSION)
C_MAJOR := $(firstword $(subst ., ,$(C_VERSION)))
# cbindgen, pinned, installed once into the repository (its path carries the version).
CBINDGEN_VERSION := 0.29.4
CBINDGEN := .tools/cbindgen-$(CBINDGEN_VERSION)/bin/cbindgen
CBINDGEN_ARGS := --config ffi-c/cbindgen.toml --crate pleo-installations-ffi ffi-c

## Everything the C binding's tests need beyond gcc: valgrind, pkg-config and, for the
## conformance runner, jansson's headers (through sudo unless run as root).
SUDO ?= $(if $(filter 0,$(shell id -u)),,sudo)
c-deps:
	@command -v valgrind >/dev/null && command -v pkg-config >/dev/null && pkg-config --exists jansson || \
	    { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends valgrind pkg-config libjansson-dev; }

$(CBINDGEN):
	$(CARGO) install cbindgen --version $(CBINDGEN_VERSION) --locked --root .tools/cbindgen-$(CBINDGEN_VERSION)

## Regenerates include/pleo_installations.h from ffi-c/src.
header-c: $(CBINDGEN)
	$(CBINDGEN) $(CBINDGEN_ARGS) --output include/pleo_installations.h

## Fails when the committed header differs from a fresh generation.
check-header-c: $(CBINDGEN)
	@$(CBINDGEN) $(CBINDGEN_ARGS) --output $(C_TARGET_DIR)/pleo_installations.h
	@diff -u include/pleo_installations.h $(C_TARGET_DIR)/pleo_installations.h || \
	    { echo "include/pleo_installations.h is stale: run 'make header-c' and commit it" >&2; exit 1; }

build-c:
	$(CARGO) build --locked -p pleo-installations-ffi -p pleo-installations-cli

test-c: c-deps check-header-c build-c
	./ffi-c/tests/run.sh $(C_DEBUG_DIR) $(C_VERSION)

## The conformance scenarios through the C API (tests/conformance/c/), against the CLI's
## emulator; the outcomes go to $CONFORMANCE_OUT/c.json (default target/conformance/).
conformance-c: c-deps build-c
	./tests/conformance/c/run.sh $(C_DEBUG_DIR)

## Runs examples/c/lifecycle.c and examples/cpp/lifecycle.cpp against the emulator.
demo-c: build-c
	./ffi-c/examples.sh $(C_DEBUG_DIR)

## Installs the library (with its soname links), both headers and pleo_installations.pc
## under PREFIX; from a release build unless C_PROFILE_DIR names another.
PREFIX ?= /usr/local
C_PROFILE_DIR ?= $(C_TARGET_DIR)/release
install:
	@if [ "$(C_PROFILE_DIR)" = "$(C_TARGET_DIR)/release" ]; then \
	    $(CARGO) build --locked --release -p pleo-installations-ffi; fi
	install -d $(PREFIX)/lib/pkgconfig $(PREFIX)/include
	install -m 0755 $(C_PROFILE_DIR)/libpleo_installations.so $(PREFIX)/lib/libpleo_installations.so.$(C_VERSION)
	ln -sf libpleo_installations.so.$(C_VERSION) $(PREFIX)/lib/libpleo_installations.so.$(C_MAJOR)
	ln -sf libpleo_installations.so.$(C_MAJOR) $(PREFIX)/lib/libpleo_installations.so
	install -m 0644 $(C_PROFILE_DIR)/libpleo_installations.a $(PREFIX)/lib/
	install -m 0644 include/pleo_installations.h include/pleo_installations.hpp $(PREFIX)/include/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(C_VERSION)|' ffi-c/pleo_installations.pc.in \
	    > $(PREFIX)/lib/pkgconfig/pleo_installations.pc

## libcurl's headers for the benchmark, from Debian's packages (through sudo unless root).
bench-c-deps:
	@echo '#include <curl/curl.h>' | gcc -E - >/dev/null 2>&1 || \
	    { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends libcurl4-openssl-dev; }

## The C API next to libcurl, and the C path's per-call overhead over the core
## (tests/bench/results/c.md). The program finds the release library next to it by soname.
C_BENCH_DIR := $(C_TARGET_DIR)/release/c-bench
bench-c: bench-floor bench-c-deps
	$(CARGO) build --release --locked -p pleo-installations-ffi
	$(CARGO) bench --locked -p pleo-installations-ffi --bench overhead --no-run
	mkdir -p $(C_BENCH_DIR) && ln -sf ../libpleo_installations.so $(C_BENCH_DIR)/libpleo_installations.so.$(C_MAJOR)
	gcc -std=c11 -O2 -Wall -Wextra -Werror -Iinclude ffi-c/benches/get_installation.c \
	    -o $(C_BENCH_DIR)/get_installation -L$(C_TARGET_DIR)/release -lpleo_installations -lcurl \
	    -lpthread -Wl,-rpath,'$$ORIGIN'
	./tests/bench/run.sh c "C: the SDK's C API vs libcurl" $(SERVER_CORE) $(CLIENT_CORE) \
	    ffi-c/bench.sh $(C_BENCH_DIR)/get_installation
