# shellcheck shell=bash disable=SC2034 # sets variables for the scripts that source it
# Sourced by the scripts that run the emulator in its own process (benchmarks, the C tests
# and examples). Paths are relative to the repository root.

# The CLI of a release build, which serves the emulator for the benchmarks.
release_cli="target/${CARGO_BUILD_TARGET:+$CARGO_BUILD_TARGET/}release/pleo-installations"

# `pin CORE`: the command prefix that pins to CORE, when the machine can (else nothing).
pin() {
    if command -v taskset >/dev/null && [ "$(nproc)" -gt 1 ]; then echo "taskset -c $1"; fi
}

# `start_mock BINARY [PREFIX...]` starts the emulator (`BINARY mock --port 0`, behind a
# command prefix such as `pin`'s; `--max-connections $MOCK_MAX_CONNECTIONS` when that is
# set), stops it when the script exits, and sets `url` and `api_key` from the line it prints.
start_mock() {
    local binary=$1
    shift
    if [ ! -x "$binary" ]; then
        echo "emulator: $binary is not built (is CARGO_BUILD_TARGET exported as make does?)" >&2
        exit 1
    fi
    # exec, so that the coprocess's pid is the emulator's own and the trap stops it.
    coproc MOCK { exec "$@" "$binary" mock --port 0 ${MOCK_MAX_CONNECTIONS:+--max-connections "$MOCK_MAX_CONNECTIONS"}; }
    trap 'kill "${MOCK_PID:-}" 2>/dev/null || true' EXIT
    local ready
    read -r ready <&"${MOCK[0]}"
    url=$(sed -E 's/.*"url":"([^"]+)".*/\1/' <<<"$ready")
    api_key=$(sed -E 's/.*"api_key":"([^"]+)".*/\1/' <<<"$ready")
}

# `machine SERVER_CORE CLIENT_CORE`: the line that describes the machine in a results file.
machine() {
    echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')," \
         "$(free -g | awk '/Mem:/{print $2}') GiB; emulator pinned to core $1, client to core $2."
}
