#!/usr/bin/env bash
# The memory soak of `make soak`: SOAK_CALLS (100 000) get_installation calls per binding
# (Rust, C, Python, Node), one client each, against one emulator in its own process (pinned
# to one core, the client to the other, when the machine can); writes tests/soak/results.md
# and fails when a binding's resident memory grew by more than SOAK_BOUND_MIB (8) MiB.
# Args: the release profile directory (target/<triple>/release), the Python with the
# package installed, and the Node addon to load.
set -euo pipefail
cd "$(dirname "$0")/../.."
release=$1
python=$2
addon=$3

source tests/emulator.sh
# shellcheck disable=SC2046 # pin's output is a command prefix
start_mock "$release_cli" $(pin 0)
"$release_cli" --base-url "$url" --api-key "$api_key" create >/dev/null # the installation read

# The C program finds the library next to it by its soname, as the C tests do.
c_dir=$release/soak
mkdir -p "$c_dir"
ln -sf ../libpleo_installations.so "$c_dir/libpleo_installations.so.0"
# shellcheck disable=SC2016 # a literal $ORIGIN for the linker
gcc -std=c11 -O2 -Wall -Wextra -Werror -Iinclude tests/soak/soak.c -o "$c_dir/soak" \
    -L"$release" -lpleo_installations -Wl,-rpath,'$ORIGIN'

export PLEO_BASE_URL=$url PLEO_API_KEY=$api_key
client=$(pin 1)
rows=$(mktemp)
trap 'kill "$MOCK_PID" 2>/dev/null || true; rm -f "$rows"' EXIT
for binding in Rust C Python Node; do
    echo "== $binding: ${SOAK_CALLS:-100000} calls" >&2
    case $binding in
        Rust) $client "$release/examples/soak" ;;
        C) $client "$c_dir/soak" ;;
        Python) $client "$python" tests/soak/soak.py ;;
        Node) NAPI_RS_NATIVE_LIBRARY_PATH=$addon $client node --expose-gc tests/soak/soak.js ;;
    esac >>"$rows"
done
"$python" tests/soak/report.py "${SOAK_BOUND_MIB:-8}" tests/soak/results.md "$(machine 0 1)" <"$rows"
