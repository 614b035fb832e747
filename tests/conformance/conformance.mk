# The conformance suite (tests/conformance/README.md): each language's runner writes its
# outcomes to target/conformance/, then compare.py fails on any difference between them.
# The C, Python and Node runners' targets are in their bindings' fragments.

.PHONY: conformance conformance-rust conformance-matrix

test: conformance

conformance: conformance-matrix conformance-rust conformance-c conformance-python conformance-node
	python3 tests/conformance/compare.py

conformance-matrix:
	python3 tests/conformance/matrix.py --check

conformance-rust:
	$(CARGO) test --locked -p pleo-installations --test conformance
