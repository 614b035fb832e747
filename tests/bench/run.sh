#!/usr/bin/env bash
# Runs the core latency benchmark against an emulator in its own process, the two pinned
# to separate cores (args: server core, client core), and records the table.
set -euo pipefail
cd "$(dirname "$0")/../.."
server_core=${1:-0}
client_core=${2:-1}

source tests/emulator.sh
# shellcheck disable=SC2046 # pin's output is a command prefix
start_mock "$release_cli" $(pin "$server_core")

mkdir -p tests/bench/results
out=tests/bench/results/core-latency.md
{
    echo "# Core latency: \`get_installation\` vs bare reqwest"
    echo
    machine "$server_core" "$client_core"
    echo "Run: $(date -u +%Y-%m-%dT%H:%MZ), \`make bench\`."
    echo
    PLEO_BASE_URL=$url PLEO_API_KEY=$api_key $(pin "$client_core") cargo bench --quiet --locked -p pleo-installations --bench latency
} | tee "$out"
