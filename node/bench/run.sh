#!/usr/bin/env bash
# Runs the Node benchmark against an emulator in its own process, the two pinned to
# separate cores (args: server core, client core), and records the table.
set -euo pipefail
cd "$(dirname "$0")/../.."
server_core=${1:-0}
client_core=${2:-1}

source tests/emulator.sh
# shellcheck disable=SC2046 # pin's output is a command prefix
start_mock "$release_cli" $(pin "$server_core")

mkdir -p tests/bench/results
out=tests/bench/results/node-latency.md
{
    echo "# Node latency and throughput: \`getInstallation()\` vs Node's built-in \`fetch\`"
    echo
    machine "$server_core" "$client_core"
    echo "Node $(node --version), release build of the addon."
    echo "Run: $(date -u +%Y-%m-%dT%H:%MZ), \`make bench-node\`."
    echo
    $(pin "$client_core") node node/bench/latency.mjs "$url" "$api_key"
} | tee "$out"
