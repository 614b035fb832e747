#!/usr/bin/env bash
# Builds the C conformance runner against the debug libpleo_installations, with
# AddressSanitizer (leaks included) and UndefinedBehaviorSanitizer; shows that it can fail
# (its pattern unit tests, the must-fail/ scenarios, a malformed scenario file); then runs
# every scenario of tests/conformance/scenarios against one emulator (`pleo-installations
# mock` in its own process), writing $CONFORMANCE_OUT/c.json (default target/conformance/).
# Arg: the cargo profile directory (target/<triple>/debug).
set -euo pipefail
cd "$(dirname "$0")/../../.."
lib_dir=${1:?usage: run.sh PROFILE_DIR}
here=tests/conformance/c
out=$lib_dir/conformance-c
mkdir -p "$out"
# The runner finds the library next to it by its soname.
ln -sf ../libpleo_installations.so "$out/libpleo_installations.so.0"

read -ra jansson_cflags <<<"$(pkg-config --cflags jansson)"
read -ra jansson_libs <<<"$(pkg-config --libs jansson)"
# shellcheck disable=SC2054 # the commas are in compiler flags
cflags=(-std=c11 -Wall -Wextra -Werror -g -O1 -Iinclude -Iffi-c/tests/c "${jansson_cflags[@]}"
        -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
gcc "${cflags[@]}" "$here"/{pattern_test,pattern,text}.c -o "$out/pattern_test" "${jansson_libs[@]}"
# shellcheck disable=SC2016 # a literal $ORIGIN for the linker
gcc "${cflags[@]}" "$here"/{runner,steps,calls,logs,admin,pattern,text}.c ffi-c/tests/c/http.c \
    -o "$out/runner" -L"$lib_dir" -lpleo_installations -Wl,-rpath,'$ORIGIN' "${jansson_libs[@]}"
export ASAN_OPTIONS=detect_leaks=1

echo "== the C runner's pattern tests"
"$out/pattern_test"

source tests/emulator.sh
start_mock "$lib_dir/pleo-installations"
scratch=$(mktemp -d)
trap 'kill "$MOCK_PID" 2>/dev/null || true; rm -rf "$scratch"' EXIT

echo "== the C runner fails each must-fail scenario at its last step"
if CONFORMANCE_FILTER='' CONFORMANCE_OUT=$scratch "$out/runner" "$url" "$here/must-fail" >"$scratch/must-fail.log"; then
    cat "$scratch/must-fail.log"
    echo "the must-fail scenarios passed" >&2
    exit 1
fi
python3 - "$scratch/c.json" "$here"/must-fail/*.json <<'PY' || { cat "$scratch/must-fail.log"; exit 1; }
import json, pathlib, sys
outcomes = json.loads(pathlib.Path(sys.argv[1]).read_text())
wrong = []
for path in map(pathlib.Path, sys.argv[2:]):
    for scenario in json.loads(path.read_text())["scenarios"]:
        key = f"{path.stem}/{scenario['name']}"
        seen = outcomes.get(key, [])
        if len(seen) != len(scenario["steps"]) or "failed" not in seen[-1]:
            wrong.append(f"{key}: expected to fail at its last step, saw {seen}")
print("\n".join(wrong) or f"{len(outcomes)} must-fail scenarios failed where they should")
sys.exit(1 if wrong else 0)
PY

echo "== the C runner names a malformed scenario file, and leaves no stale outcomes"
mkdir "$scratch/malformed"
printf '{"scenarios": [\n  {"name": "x", "steps": [],}\n]}\n' >"$scratch/malformed/broken.json"
status=0
CONFORMANCE_OUT=$scratch "$out/runner" "$url" "$scratch/malformed" >/dev/null 2>"$scratch/malformed.err" || status=$?
if [ "$status" != 2 ] || ! grep -q 'broken.json:2:' "$scratch/malformed.err" || [ -e "$scratch/c.json" ]; then
    echo "a malformed file: exit status $status, $(cat "$scratch/malformed.err")" >&2
    exit 1
fi
cat "$scratch/malformed.err"

echo "== every scenario through the C API"
# A call that never returns must not hang CI: the scenario after the last line printed is
# the one that hung.
status=0
timeout 900 "$out/runner" "$url" || status=$?
if [ "$status" = 124 ]; then echo "the C runner was still running after 900 s" >&2; fi
exit "$status"
