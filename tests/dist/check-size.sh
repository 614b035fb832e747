#!/usr/bin/env bash
# Fails when a release artefact is larger than its budget (issue 14's sizes). Args: FILE MAX_BYTES
set -euo pipefail
size=$(stat -c %s "$1")
printf '%-60s %10s bytes (budget %s)\n' "$(basename "$1")" "$size" "$2"
[ "$size" -le "$2" ] || { echo "$1 is $size bytes, over its budget of $2" >&2; exit 1; }
