#!/usr/bin/env bash
# Checks the two npm tarballs `make dist-node` packed, by what is in them: the main package
# has its JavaScript, types, loader and both licences and no .node; the platform package has
# the addon, both licences and the third-party notices; the addon in it is stripped and needs
# glibc 2.17 at most (tests/dist/inspect.sh). Prints each tarball's file list.
# Args: MAIN_TGZ PLATFORM_TGZ
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 MAIN_TGZ PLATFORM_TGZ" >&2; exit 2; }
main=$1 platform=$2
repo="$(cd "$(dirname "$0")/../.." && pwd)"
addon=pleo-installations.linux-x64-gnu.node
status=0

# Fails (at the end) when the tarball lacks one of the files named.
needs() {
  local tgz=$1; shift
  local listing; listing=$(tar -tzf "$tgz")
  for file in "$@"; do
    grep -qxF "package/$file" <<<"$listing" || { echo "$(basename "$tgz") lacks $file" >&2; status=1; }
  done
}

echo "$(basename "$main"):"; tar -tzf "$main" | sed 's/^/  /'
needs "$main" package.json README.md LICENSE-MIT LICENSE-APACHE lib/index.js lib/index.d.ts \
  lib/index.mjs lib/testing.js lib/testing.d.ts lib/testing.mjs native/index.js native/index.d.ts
# (The listing is read whole first: grep -q leaving early would fail tar under pipefail.)
main_files=$(tar -tzf "$main")
if grep -q '\.node$' <<<"$main_files"; then
  echo "$(basename "$main") carries a .node: the binary belongs in the platform package" >&2
  status=1
fi

echo "$(basename "$platform"):"; tar -tzf "$platform" | sed 's/^/  /'
needs "$platform" package.json README.md LICENSE-MIT LICENSE-APACHE THIRD-PARTY-LICENSES.md "$addon"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if tar -xzf "$platform" -C "$work" "package/$addon" 2>/dev/null; then
  "$repo/tests/dist/inspect.sh" "$work/package/$addon" || status=1
  # A stripped binary has no symbol table (the release profile's strip = true).
  sections=$(readelf -S "$work/package/$addon")
  if grep -qw '\.symtab' <<<"$sections"; then
    echo "$addon in $(basename "$platform") is not stripped" >&2
    status=1
  fi
fi
exit $status
