#!/usr/bin/env bash
# Runs the Node benchmark against an emulator in its own process, the two pinned to
# separate cores (args: server core, client core), and records the table.
set -euo pipefail
cd "$(dirname "$0")/../.."
server_core=${1:-0}
client_core=${2:-1}

# The command prefix that pins to a core, when the machine can.
pin() {
    if command -v taskset >/dev/null && [ "$(nproc)" -gt 1 ]; then echo "taskset -c $1"; fi
}

# exec, so that the coprocess's pid is the emulator's own and the trap below stops it.
coproc MOCK { exec $(pin "$server_core") "target/${CARGO_BUILD_TARGET:+$CARGO_BUILD_TARGET/}release/pleo-installations" mock --port 0; }
trap 'kill "$MOCK_PID" 2>/dev/null || true' EXIT
read -r ready <&"${MOCK[0]}"
url=$(sed -E 's/.*"url":"([^"]+)".*/\1/' <<<"$ready")
key=$(sed -E 's/.*"api_key":"([^"]+)".*/\1/' <<<"$ready")

mkdir -p tests/bench/results
out=tests/bench/results/node-latency.md
{
    echo "# Node latency and throughput: \`getInstallation()\` vs Node's built-in \`fetch\`"
    echo
    echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'),"\
         "$(free -g | awk '/Mem:/{print $2}') GiB; emulator pinned to core $server_core, Node to core $client_core;"\
         "Node $(node --version), release build of the addon."
    echo "Run: $(date -u +%Y-%m-%dT%H:%MZ), \`make bench-node\`."
    echo
    $(pin "$client_core") node node/bench/latency.mjs "$url" "$key"
} | tee "$out"
