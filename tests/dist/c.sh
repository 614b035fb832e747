#!/usr/bin/env bash
# The C archive as a user takes it: unpacked anywhere, the lifecycle examples built with
# CMake (find_package) and the C one with pkg-config, each run against the emulator the
# archive carries (`bin/pleo-installations mock`); the CMake package's version rule checked.
# Run by `make dist-check` inside the Debian 11 root (gcc, g++, cmake, make, pkg-config).
# Args: DIST_DIR.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
dist=$1
work=$(mktemp -d)
trap 'kill "${MOCK_PID:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

archives=("$dist"/pleo-installations-*-x86_64-linux-gnu.tar.gz)
[ -f "${archives[0]}" ] || { echo "no C archive in $dist" >&2; exit 1; }
tar -C "$work" -xzf "${archives[0]}"
prefix=$(echo "$work"/pleo-installations-*-x86_64-linux-gnu)
version=${prefix##*/pleo-installations-}
version=${version%-x86_64-linux-gnu}

# shellcheck source=../emulator.sh
source "$here/tests/emulator.sh"
start_mock "$prefix/bin/pleo-installations"
export PLEO_BASE_URL=$url PLEO_API_KEY=$api_key

cmake -S "$here/examples" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/cmake" >/dev/null
"$work/cmake/lifecycle" >/dev/null
"$work/cmake/lifecycle_cpp" >/dev/null
echo "c: examples/c and examples/cpp built with CMake against the archive ran"

# shellcheck disable=SC2046 # pkg-config's output is a list of flags
gcc -std=c11 -Wall -Wextra -Werror "$here/examples/c/lifecycle.c" -o "$work/lifecycle-pc" \
  $(PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --cflags --libs pleo_installations) \
  -Wl,-rpath,"$prefix/lib"
"$work/lifecycle-pc" >/dev/null
echo "c: examples/c built with pkg-config against the archive ran"

# find_package with a version: the archive's own is found, a newer major is refused.
mkdir -p "$work/wants"
for wanted in "$version" 99.0; do
  printf 'cmake_minimum_required(VERSION 3.16)\nproject(wants C)\nfind_package(PleoInstallations %s CONFIG REQUIRED)\n' \
    "$wanted" >"$work/wants/CMakeLists.txt"
  if cmake -S "$work/wants" -B "$work/wants/build-$wanted" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null 2>&1; then
    [ "$wanted" = "$version" ] || { echo "find_package(PleoInstallations $wanted) accepted $version" >&2; exit 1; }
  else
    [ "$wanted" != "$version" ] || { echo "find_package(PleoInstallations $wanted) refused its own version" >&2; exit 1; }
  fi
done
echo "c: $(basename "${archives[0]}") works ($(ldd --version | head -n 1))"
