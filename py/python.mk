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

.PHONY: dist-python docs-python python-venv python-develop python-develop-release test-python test-python-wheel conformance-python demo-python bench-python

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

## The SDK next to http.client, requests and httpx (tests/bench/results/python.md), and the
## AsyncClient next to httpx.AsyncClient (python-async.md), with a release build of the
## package in py/.venv (the tests' `make python-develop` puts a debug build back).
bench-python: bench-floor $(PY_BENCH_STAMP) python-develop-release
	./tests/bench/run.sh python "Python: the SDK vs http.client, requests and httpx" \
	    $(SERVER_CORE) $(CLIENT_CORE) $(PY) py/bench/get_installation.py
	./tests/bench/run.sh python-async "Python asyncio: AsyncClient vs httpx.AsyncClient" \
	    $(SERVER_CORE) $(CLIENT_CORE) $(PY) py/bench/async_get_installation.py

## The release artefacts into dist/: the abi3 wheel for manylinux2014 (glibc 2.17, built
## with zig as linker; auditwheel must agree on the tag) and the sdist, each carrying
## LICENSE-MIT, LICENSE-APACHE and the third-party licences, and within their budgets.
PY_WHEEL := $(DIST)/pleo_installations-$(VERSION)-cp39-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl
PY_SDIST := $(DIST)/pleo_installations-$(VERSION).tar.gz
PY_DIST_CHECK := target/dist-python
dist-python: $(DIST_TOOLS_STAMP) $(THIRD_PARTY_LICENSES)
	rm -f $(DIST)/pleo_installations-* && mkdir -p $(DIST)
	cp $(THIRD_PARTY_LICENSES) $(PY_DIR)/THIRD-PARTY-LICENSES.md
	PATH="$(DIST_BIN):$$PATH" CARGO_TARGET_DIR=$(DIST_TARGET_DIR) $(DIST_BIN)/maturin build --release \
	    --locked --quiet --zig --compatibility manylinux2014 -m $(PY_DIR)/Cargo.toml --out $(DIST)
	$(DIST_BIN)/maturin sdist -m $(PY_DIR)/Cargo.toml --out $(DIST)
	$(DIST_BIN)/auditwheel show $(PY_WHEEL) | tr -s ' \n' ' ' | grep -q 'consistent with the following platform tag: "manylinux_2_17_x86_64"' \
	    || { $(DIST_BIN)/auditwheel show $(PY_WHEEL); echo "$(PY_WHEEL) is not manylinux_2_17" >&2; exit 1; }
	rm -rf $(PY_DIST_CHECK) && mkdir -p $(PY_DIST_CHECK) && cd $(PY_DIST_CHECK) && unzip -q $(CURDIR)/$(PY_WHEEL)
	tests/dist/inspect.sh $(PY_DIST_CHECK)/pleo_installations/_native.abi3.so
	for f in LICENSE-MIT LICENSE-APACHE THIRD-PARTY-LICENSES.md; do \
	    test -s $(PY_DIST_CHECK)/pleo_installations-$(VERSION).dist-info/licenses/$$f || { echo "the wheel lacks $$f" >&2; exit 1; }; \
	    tar -tzf $(PY_SDIST) | grep -qx "pleo_installations-$(VERSION)/$$f" || { echo "the sdist lacks $$f" >&2; exit 1; }; done
	tests/dist/check-size.sh $(PY_WHEEL) 3000000
	tests/dist/check-size.sh $(PY_SDIST) 3000000

## API reference of the package (pdoc) into target/docs/python/, from a debug build; a
## warning fails it.
PY_DOCS_STAMP := $(PY_VENV)/.installed-docs-tools
PY_DOCS_TOOLS := pdoc==16.0.0
$(PY_DOCS_STAMP): $(PY_STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check $(PY_DOCS_TOOLS)
	touch $@

docs: docs-python
docs-python: python-develop $(PY_DOCS_STAMP)
	rm -rf $(DOCS)/python
	$(PY) -W error -m pdoc -o $(DOCS)/python pleo_installations pleo_installations.testing
