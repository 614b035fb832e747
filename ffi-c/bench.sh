#!/usr/bin/env bash
# The C path's overhead over the core, against an emulator in its own process, the two
# pinned to separate cores (args: server core, client core); records the table in
# tests/bench/results/c-overhead.md.
set -euo pipefail
cd "$(dirname "$0")/.."
server_core=${1:-0}
client_core=${2:-1}

source tests/emulator.sh
# shellcheck disable=SC2046 # pin's output is a command prefix
start_mock "$release_cli" $(pin "$server_core")

mkdir -p tests/bench/results
out=tests/bench/results/c-overhead.md
{
    echo "# C binding overhead: \`pleo_get_installation\` vs the Rust core"
    echo
    machine "$server_core" "$client_core"
    echo "Run: $(date -u +%Y-%m-%dT%H:%MZ), \`make bench-c\`."
    echo
    PLEO_BASE_URL=$url PLEO_API_KEY=$api_key $(pin "$client_core") \
        cargo bench --quiet --locked -p pleo-installations-ffi --bench overhead
} | tee "$out"
