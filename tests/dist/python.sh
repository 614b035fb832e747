#!/usr/bin/env bash
# The wheel as a user installs it: into a fresh venv, from the file alone (no index, no
# Rust), then the smoke test and the lifecycle example against the embedded emulator.
# Run by `make dist-check` inside the Debian 11 root with its Python 3.9, and by
# tests/dist/python-versions.sh with each Python. Args: DIST_DIR [PYTHON] (default python3).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
dist=$1
python=${2:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

wheels=("$dist"/pleo_installations-*-cp39-abi3-manylinux*_x86_64.whl)
[ -f "${wheels[0]}" ] || { echo "no manylinux wheel in $dist" >&2; exit 1; }
"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-index "${wheels[0]}"
cd "$work"   # never import the package from the repository by accident
"$work/venv/bin/python" "$here/py/tests/smoke.py"
"$work/venv/bin/python" "$here/examples/python/lifecycle.py" >"$work/lifecycle.out"
tail -n 1 "$work/lifecycle.out"
echo "python: $(basename "${wheels[0]}") works on $("$work/venv/bin/python" --version) ($(ldd --version | head -n 1))"
