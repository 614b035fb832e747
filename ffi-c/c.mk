# The C binding's targets, included by the root Makefile: libpleo_installations.so / .a,
# the committed header kept fresh, tests in C and C++ (valgrind, AddressSanitizer), the
# conformance suite's C runner, `make install PREFIX=...`, the examples and the benchmark.

.PHONY: dist-c docs-c c-docs-deps test-c c-deps bench-c-deps header-c check-header-c build-c install demo-c bench-c \
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

## Everything the C binding's tests need beyond gcc: valgrind, pkg-config, CMake and, for the
## conformance runner, jansson's headers (through sudo unless run as root).
SUDO ?= $(if $(filter 0,$(shell id -u)),,sudo)
c-deps:
	@command -v valgrind >/dev/null && command -v pkg-config >/dev/null && command -v cmake >/dev/null && \
	    pkg-config --exists jansson || \
	    { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends valgrind pkg-config cmake libjansson-dev; }

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

## Installs the library (with its soname links), both headers, pleo_installations.pc and the
## CMake package under PREFIX (ffi-c/install.sh, the layout the C archive has too); from a
## release build unless C_PROFILE_DIR names another.
PREFIX ?= /usr/local
C_PROFILE_DIR ?= $(C_TARGET_DIR)/release
install:
	@if [ "$(C_PROFILE_DIR)" = "$(C_TARGET_DIR)/release" ]; then \
	    $(CARGO) build --locked --release -p pleo-installations-ffi; fi
	ffi-c/install.sh $(PREFIX) $(C_PROFILE_DIR) $(C_VERSION)

## The C archive into dist/: the library (.so with its soname links, .a), both headers, the
## pkg-config and CMake files, the CLI (whose `mock` is the emulator), the README and the
## licences, laid out as a prefix; every binary built for glibc 2.17 and checked for it.
C_DIST_NAME := pleo-installations-$(VERSION)-x86_64-linux-gnu
C_DIST_STAGE := target/dist-c/$(C_DIST_NAME)
C_ARCHIVE := $(DIST)/$(C_DIST_NAME).tar.gz
dist-c: $(DIST_TOOLS_STAMP) $(THIRD_PARTY_LICENSES)
	$(ZIGBUILD) -p pleo-installations-ffi -p pleo-installations-cli
	rm -rf $(dir $(C_DIST_STAGE)) && mkdir -p $(C_DIST_STAGE) $(DIST)
	ffi-c/install.sh $(C_DIST_STAGE) $(DIST_RELEASE) $(VERSION) $(DIST_RELEASE)/pleo-installations
	cp ffi-c/README.md LICENSE-MIT LICENSE-APACHE $(THIRD_PARTY_LICENSES) $(C_DIST_STAGE)/
	strip --strip-debug $(C_DIST_STAGE)/lib/libpleo_installations.a  # std's debug info; the .so is stripped by the profile
	tests/dist/inspect.sh $(C_DIST_STAGE)/lib/libpleo_installations.so.$(VERSION) $(C_DIST_STAGE)/bin/pleo-installations
	readelf -d $(C_DIST_STAGE)/lib/libpleo_installations.so.$(VERSION) | grep -q 'SONAME.*\[libpleo_installations.so.$(C_MAJOR)\]' \
	    || { echo "the library's soname is not libpleo_installations.so.$(C_MAJOR)" >&2; exit 1; }
	tar --owner=0 --group=0 --numeric-owner -C $(dir $(C_DIST_STAGE)) -czf $(C_ARCHIVE) $(C_DIST_NAME)
	tar -tzvf $(C_ARCHIVE)
	tests/dist/check-size.sh $(C_ARCHIVE) 15000000

## API reference of the C header (Doxygen, ffi-c/Doxyfile) into target/docs/c/; a warning fails it.
docs: docs-c
docs-c: c-docs-deps
	rm -rf $(DOCS)/c && mkdir -p $(DOCS)/c
	VERSION=$(VERSION) doxygen ffi-c/Doxyfile

c-docs-deps:
	@command -v doxygen >/dev/null || \
	    { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends doxygen; }

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
