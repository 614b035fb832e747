#!/usr/bin/env bash
# Builds the C and C++ tests against the debug libpleo_installations and runs them against
# one emulator: the C tests under valgrind and under AddressSanitizer, the C++ tests under
# AddressSanitizer, then an install into a temporary prefix built against with pkg-config and
# with CMake (find_package), the examples run against the emulator.
# Args: the cargo profile directory (target/<triple>/debug) and the workspace version the
# library must report. Calls per thread under valgrind: $VALGRIND_CALLS (default 100:
# valgrind serialises the 16 threads).
set -euo pipefail
cd "$(dirname "$0")/../.."
lib_dir=$1
version=${2:?usage: run.sh PROFILE_DIR VERSION}
out=$lib_dir/c-tests
mkdir -p "$out"
# The test programs find the library next to them by its soname.
ln -sf ../libpleo_installations.so "$out/libpleo_installations.so.0"

cflags=(-Wall -Wextra -Werror -g -Iinclude -DPLEO_EXPECTED_VERSION="\"$version\"")
# shellcheck disable=SC2016,SC2054 # a linker flag: its commas and a literal $ORIGIN
link=(-L"$lib_dir" -lpleo_installations -Wl,-rpath,'$ORIGIN' -lpthread)
asan=(-fsanitize=address -fno-omit-frame-pointer)
c_sources=(ffi-c/tests/c/test_ffi.c ffi-c/tests/c/http.c)
gcc -std=c11 -O1 "${cflags[@]}" "${c_sources[@]}" -o "$out/test_ffi" "${link[@]}"
gcc -std=c11 -O1 "${cflags[@]}" "${asan[@]}" "${c_sources[@]}" -o "$out/test_ffi_asan" "${link[@]}"
logs_sources=(ffi-c/tests/c/test_logs.c ffi-c/tests/c/http.c)
gcc -std=c11 -O1 "${cflags[@]}" "${logs_sources[@]}" -o "$out/test_logs" "${link[@]}"
gcc -std=c11 -O1 "${cflags[@]}" "${asan[@]}" "${logs_sources[@]}" -o "$out/test_logs_asan" "${link[@]}"
# The C++ tests set emulator faults through the C tests' HTTP client, compiled as C.
gcc -std=c11 -O1 "${cflags[@]}" "${asan[@]}" -c ffi-c/tests/c/http.c -o "$out/http_asan.o"
g++ -std=c++17 -O1 "${cflags[@]}" "${asan[@]}" ffi-c/tests/cpp/test_hpp.cpp "$out/http_asan.o" \
    -o "$out/test_hpp_asan" "${link[@]}"

source tests/emulator.sh
start_mock "$lib_dir/pleo-installations"

echo "== C tests under valgrind (16 threads x ${VALGRIND_CALLS:-100} calls)"
valgrind -q --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --error-exitcode=1 \
    "$out/test_ffi" "$url" "${VALGRIND_CALLS:-100}"
echo "== C tests under AddressSanitizer (16 threads x 1000 calls)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 "$out/test_ffi_asan" "$url" 1000
echo "== the log callback under valgrind, then under AddressSanitizer"
timeout 300 valgrind -q --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --error-exitcode=1 "$out/test_logs" "$url"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 timeout 120 "$out/test_logs_asan" "$url"
echo "== C++ tests under AddressSanitizer"
ASAN_OPTIONS=detect_leaks=1 timeout 120 "$out/test_hpp_asan" "$url"

echo "== TLS: a loopback HTTPS server signed by the test CA, trusted through ca_bundle and SSL_CERT_FILE"
coproc TLS_SERVER { exec python3 tests/fixtures/tls/serve.py; }
read -r https_url <&"${TLS_SERVER[0]}"
ca=tests/fixtures/tls/ca.crt
ASAN_OPTIONS=detect_leaks=1 "$out/test_ffi_asan" tls "$https_url" "$ca"
SSL_CERT_FILE=$ca ASAN_OPTIONS=detect_leaks=1 "$out/test_ffi_asan" tls "$https_url"
kill "$TLS_SERVER_PID"

echo "== make install into a temporary prefix, then a program built with pkg-config"
prefix=$(mktemp -d)
trap 'kill "$MOCK_PID" 2>/dev/null || true; rm -rf "$prefix"' EXIT
make --no-print-directory -s install PREFIX="$prefix" C_PROFILE_DIR="$lib_dir" >/dev/null
test -L "$prefix/lib/libpleo_installations.so" -a -L "$prefix/lib/libpleo_installations.so.0"
test -f "$prefix/lib/libpleo_installations.a" -a -f "$prefix/include/pleo_installations.hpp"
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
cat >"$prefix/version.c" <<'C'
#include <pleo_installations.h>
#include <stdio.h>
#include <string.h>
int main(void) { puts(pleo_version()); return strcmp(pleo_status_name(PLEO_STATUS_OK), "PLEO_STATUS_OK") != 0; }
C
# shellcheck disable=SC2046 # pkg-config's output is a list of flags
gcc "$prefix/version.c" -o "$prefix/version" $(pkg-config --cflags --libs pleo_installations) \
    -Wl,-rpath,"$prefix/lib"
test "$("$prefix/version")" = "$version"
# shellcheck disable=SC2046
gcc "$prefix/version.c" -o "$prefix/version-static" $(pkg-config --cflags pleo_installations) \
    "$prefix/lib/libpleo_installations.a" $(pkg-config --static --libs-only-l pleo_installations | sed "s/-lpleo_installations//")
test "$("$prefix/version-static")" = "$version"

echo "== the examples built with CMake against the install (find_package), run against the emulator"
cmake -S examples -B "$prefix/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_FLAGS="-Wall -Wextra -Werror" \
    -DCMAKE_CXX_FLAGS="-Wall -Wextra -Werror" >/dev/null
cmake --build "$prefix/cmake-build" >/dev/null
PLEO_BASE_URL=$url PLEO_API_KEY=$api_key "$prefix/cmake-build/lifecycle" >/dev/null
PLEO_BASE_URL=$url PLEO_API_KEY=$api_key "$prefix/cmake-build/lifecycle_cpp" >/dev/null
echo "C binding: all tests passed"
