# The Python binding's targets; included by the root Makefile.
# A repo-local venv (py/.venv) holds maturin, pytest, mypy and requests (and httpx once
# `make bench-python` ran); `maturin develop` installs a debug build of the package into it
# for the tests.

PY_DIR := py
PY_VENV := $(PY_DIR)/.venv
PY := $(PY_VENV)/bin/python
PY_STAMP := $(PY_VENV)/.installed-tools
PY_TOOLS := maturin==1.16.0 pytest==9.2.0 mypy==2.4.1 requests==2.34.2
PY_FRESH := $(PY_DIR)/.fresh
PY_BENCH_STAMP := $(PY_VENV)/.installed-bench-tools
PY_BENCH_TOOLS := httpx==0.28.1
# apt-get needs root: sudo unless make already runs as root (another fragment may define it).
SUDO ?= $(if $(filter 0,$(shell id -u)),,sudo)
# The wheel is also checked on the oldest Python it claims (3.9) when the machine has one.
PY_OLDEST := $(or $(shell for p in python3.9 $(HOME)/.pyenv/versions/3.9*/bin/python3.9; do \
	$$p -c 'import sys; print(sys.executable)' 2>/dev/null && break; done),python3)

.PHONY: python-venv python-develop python-develop-release test-python test-python-wheel conformance-python demo-python bench-python

test: test-python conformance-python
demo: demo-python
bench: bench-python

$(PY_STAMP): $(PY_DIR)/python.mk
	python3 -c 'import ensurepip, venv' 2>/dev/null || \
		{ $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends python3-venv; }
	test -x $(PY) || python3 -m venv $(PY_VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check $(PY_TOOLS)
	touch $@

python-venv: $(PY_STAMP)

## A debug build of the package in py/.venv.
python-develop: $(PY_STAMP)
	cd $(PY_DIR) && VIRTUAL_ENV=$(CURDIR)/$(PY_VENV) .venv/bin/maturin develop --locked --quiet

## A release build of the package in py/.venv (for the bench and the soak).
python-develop-release: $(PY_STAMP)
	cd $(PY_DIR) && VIRTUAL_ENV=$(CURDIR)/$(PY_VENV) .venv/bin/maturin develop --release --locked --quiet

## pytest; mypy --strict on the package, the tests, a script using the whole public API and
## the examples; stubtest checks _native.pyi against the built module; then the artifacts.
test-python: python-develop
	$(PY) -m pytest -q $(PY_DIR)/tests
	cd $(PY_DIR) && .venv/bin/mypy --strict python/pleo_installations tests ../examples/python
	cd $(PY_DIR) && .venv/bin/python -m mypy.stubtest pleo_installations._native
	$(MAKE) --no-print-directory test-python-wheel

## The release abi3 wheel installs in a fresh venv of the oldest Python at hand and passes
## the suite there; `pip install ./py` works in another fresh venv.
test-python-wheel: $(PY_STAMP)
	rm -rf $(PY_FRESH) && mkdir -p $(PY_FRESH)
	$(PY_VENV)/bin/maturin build --release --locked --quiet -m $(PY_DIR)/Cargo.toml --out $(PY_FRESH)/wheels
	ls $(PY_FRESH)/wheels/*-abi3-*.whl
	$(PY_OLDEST) -m venv $(PY_FRESH)/wheel-venv
	$(PY_FRESH)/wheel-venv/bin/python --version
	$(PY_FRESH)/wheel-venv/bin/pip install --quiet --disable-pip-version-check $(PY_FRESH)/wheels/*.whl pytest==8.4.2
	$(PY_FRESH)/wheel-venv/bin/python $(PY_DIR)/tests/smoke.py
	$(PY_FRESH)/wheel-venv/bin/python -m pytest -q -p no:cacheprovider $(PY_DIR)/tests
	python3 -m venv $(PY_FRESH)/pip-venv
	$(PY_FRESH)/pip-venv/bin/pip install --quiet --disable-pip-version-check ./$(PY_DIR)
	$(PY_FRESH)/pip-venv/bin/python $(PY_DIR)/tests/smoke.py

## The conformance scenarios through the Python API (tests/conformance/python): the runner's
## own checks, mypy --strict on it, then one test per scenario, writing target/conformance/python.json.
PY_CONFORMANCE := tests/conformance/python
conformance-python: python-develop
	$(PY) -m pytest -q -W error -p no:cacheprovider $(PY_CONFORMANCE)/test_runner_checks.py
	cd $(PY_CONFORMANCE) && $(CURDIR)/$(PY_VENV)/bin/mypy --strict .
	$(PY) -m pytest -v -W error -p no:cacheprovider $(PY_CONFORMANCE)/runner.py

demo-python: python-develop
	$(PY) examples/python/lifecycle.py

$(PY_BENCH_STAMP): $(PY_STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check $(PY_BENCH_TOOLS)
	touch $@

## The SDK next to requests and httpx (tests/bench/results/python.md), with a release build of
## the package in py/.venv (the tests' `make python-develop` puts a debug build back).
bench-python: bench-floor $(PY_BENCH_STAMP) python-develop-release
	./tests/bench/run.sh python "Python: the SDK vs requests and httpx" $(SERVER_CORE) $(CLIENT_CORE) \
	    $(PY) py/bench/get_installation.py
