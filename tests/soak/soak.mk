# `make soak`, the long part of the reliability suite, included by the root Makefile and
# not part of `make test` (tests/soak/README.md): the fuzz suites at SOAK_FUZZ_CASES cases,
# the C tests with 16 threads x 1 000 calls under valgrind, and 100 000 calls per binding
# with the growth of resident memory bounded by SOAK_BOUND_MIB.

SOAK_FUZZ_CASES ?= 10000
SOAK_BOUND_MIB ?= 8
SOAK_RELEASE := target/$(CARGO_BUILD_TARGET)/release

.PHONY: soak soak-fuzz soak-valgrind soak-memory

soak: soak-fuzz soak-valgrind soak-memory

## The proptest suites of the core and the C entry points, many more cases than make test's.
soak-fuzz:
	PROPTEST_CASES=$(SOAK_FUZZ_CASES) $(CARGO) test --locked -p pleo-installations -p pleo-installations-ffi --test fuzz

## The C suite with its 16-thread test at full size (1 000 calls per thread) under valgrind.
soak-valgrind:
	VALGRIND_CALLS=1000 $(MAKE) --no-print-directory test-c

## 100 000 calls per binding against the emulator, release builds; writes tests/soak/results.md.
soak-memory: python-develop-release node-build-release
	$(CARGO) build --release --locked -p pleo-installations-cli -p pleo-installations-ffi
	$(CARGO) build --release --locked -p pleo-installations --example soak
	SOAK_BOUND_MIB=$(SOAK_BOUND_MIB) ./tests/soak/run.sh $(SOAK_RELEASE) $(PY) \
	  $(abspath $(NODE_RELEASE))/pleo-installations.linux-x64-gnu.node
