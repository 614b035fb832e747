#!/usr/bin/env bash
# Builds examples/c/lifecycle.c and examples/cpp/lifecycle.cpp against the debug library
# and runs both against `pleo-installations mock`. Args: target/<triple>/debug.
set -euo pipefail
cd "$(dirname "$0")/.."
lib_dir=$1
out=$lib_dir/c-examples
mkdir -p "$out"
ln -sf ../libpleo_installations.so "$out/libpleo_installations.so.0"
# shellcheck disable=SC2016,SC2054 # a linker flag: its commas and a literal $ORIGIN
link=(-L"$lib_dir" -lpleo_installations -Wl,-rpath,'$ORIGIN')
gcc -std=c11 -Wall -Wextra -Werror -Iinclude examples/c/lifecycle.c -o "$out/lifecycle" "${link[@]}"
g++ -std=c++17 -Wall -Wextra -Werror -Iinclude examples/cpp/lifecycle.cpp -o "$out/lifecycle_cpp" "${link[@]}"

source tests/emulator.sh
start_mock "$lib_dir/pleo-installations"
export PLEO_BASE_URL=$url PLEO_API_KEY=$api_key
echo "== examples/c/lifecycle.c"
"$out/lifecycle"
echo "== examples/cpp/lifecycle.cpp"
"$out/lifecycle_cpp"
