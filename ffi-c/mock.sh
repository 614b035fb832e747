# Sourced by the C binding's scripts: `start_mock BINARY [PIN...]` starts the emulator
# (`pleo-installations mock --port 0`, optionally behind a command such as taskset), stops
# it when the script exits, and sets `url` and `api_key` from the line it prints.
start_mock() {
    local binary=$1
    shift
    # exec, so that the coprocess's pid is the emulator's own and the trap stops it.
    coproc MOCK { exec "$@" "$binary" mock --port 0; }
    trap 'kill "$MOCK_PID" 2>/dev/null || true' EXIT
    local ready
    read -r ready <&"${MOCK[0]}"
    url=$(sed -E 's/.*"url":"([^"]+)".*/\1/' <<<"$ready")
    api_key=$(sed -E 's/.*"api_key":"([^"]+)".*/\1/' <<<"$ready")
}
