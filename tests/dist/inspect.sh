#!/usr/bin/env bash
# Checks a release binary and prints one line about it: its size and the highest glibc
# symbol version it references. Fails when that is above glibc 2.17 (manylinux2014, the
# oldest system the release supports). Args: FILE...
set -euo pipefail
status=0
for file in "$@"; do
  glibc=$(objdump -T "$file" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -n 1)
  size=$(stat -c %s "$file")
  printf '%-60s %10s bytes  needs glibc %s\n' "$(basename "$file")" "$size" "${glibc:-none}"
  if [ -n "$glibc" ] && [ "$(printf '%s\n2.17\n' "$glibc" | sort -V | tail -n 1)" != 2.17 ]; then
    echo "$file needs glibc $glibc, above 2.17" >&2
    status=1
  fi
done
exit $status
