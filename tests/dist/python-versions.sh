#!/usr/bin/env bash
# The wheel in a fresh venv of every Python from 3.9 to 3.13 that pyenv has (skipping, with a
# message, those it lacks), then the sdist built by pip in one more fresh venv, as a user with
# Rust would. Part of `make dist-check`, on this machine. Args: DIST_DIR.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dist=$(realpath "$1")
pyenv_root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
for minor in 9 10 11 12 13; do
  python=$(printf '%s\n' "$pyenv_root"/versions/3."$minor".*/bin/python3."$minor" | sort -V | tail -n 1)
  [ -x "$python" ] || python=
  if [ -z "$python" ]; then
    echo "python 3.$minor: not installed by pyenv here, skipped"
    continue
  fi
  "$here/python.sh" "$dist" "$python" | tail -n 1
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sdists=("$dist"/pleo_installations-*.tar.gz)
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check "${sdists[0]}"
cd "$work"
"$work/venv/bin/python" "$here/../../py/tests/smoke.py"
echo "python: $(basename "${sdists[0]}") builds and works with pip on $("$work/venv/bin/python" --version)"
