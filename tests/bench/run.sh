#!/usr/bin/env bash
# One language's benchmark table: starts the emulator (the release CLI) pinned to the server
# core, puts an installation in place, measures the floor (a raw keep-alive client) and then
# runs COMMAND, the language's benchmark program, both pinned to the client core with
# PLEO_BASE_URL and PLEO_API_KEY set; report.py renders what they print into
# tests/bench/results/NAME.md, which is also printed.
# Usage: tests/bench/run.sh NAME TITLE SERVER_CORE CLIENT_CORE COMMAND...
set -euo pipefail
cd "$(dirname "$0")/../.."
name=$1 title=$2 server_core=$3 client_core=$4
shift 4

# The plan every program follows (core/benches/get_installation/plan.rs describes it);
# any of these set in the environment wins, e.g. for a quick look while developing.
export BENCH_WARMUP_CALLS=${BENCH_WARMUP_CALLS:-200} BENCH_ROUNDS=${BENCH_ROUNDS:-5} \
    BENCH_ROUND_CALLS=${BENCH_ROUND_CALLS:-400} BENCH_CALLERS=${BENCH_CALLERS:-1 8 64} \
    BENCH_REPS=${BENCH_REPS:-3} BENCH_WARMUP_MS=${BENCH_WARMUP_MS:-250} \
    BENCH_WINDOW_MS=${BENCH_WINDOW_MS:-1000}

# Every caller may hold a connection of its own: the emulator serves up to 2048 at once.
export MOCK_MAX_CONNECTIONS=${MOCK_MAX_CONNECTIONS:-2048}
source tests/emulator.sh
# shellcheck disable=SC2046 # pin's output is a command prefix
start_mock "$release_cli" $(pin "$server_core")
"$release_cli" create --base-url "$url" --api-key "$api_key" >/dev/null
export PLEO_BASE_URL=$url PLEO_API_KEY=$api_key

raw=target/bench/$name.jsonl
mkdir -p target/bench tests/bench/results
{
    # shellcheck disable=SC2046
    $(pin "$client_core") cargo bench --quiet --locked -p pleo-installations \
        --bench get_installation -- floor
    # shellcheck disable=SC2046
    $(pin "$client_core") "$@"
} >"$raw"
python3 tests/bench/report.py --title "$title" --command "make bench-$name" \
    --machine "$(machine "$server_core" "$client_core")" <"$raw" |
    tee "tests/bench/results/$name.md"
