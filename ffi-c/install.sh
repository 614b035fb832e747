#!/usr/bin/env bash
# The one install layout of the C library, used by `make install` and by `make dist-c`:
#   lib/libpleo_installations.so.VERSION, its soname link .so.MAJOR and the link .so,
#   lib/libpleo_installations.a, include/pleo_installations.h and .hpp,
#   lib/pkgconfig/pleo_installations.pc (relocatable: its prefix is found from its own place),
#   lib/cmake/PleoInstallations/ (the CMake package, relocatable too),
#   and, when a CLI is given, bin/pleo-installations.
# Args: PREFIX LIB_DIR VERSION [CLI]   (LIB_DIR holds libpleo_installations.so and .a)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
prefix=$1 lib_dir=$2 version=$3 cli=${4:-}
major=${version%%.*}
minor=${version#*.}
minor=${minor%%.*}

install -d "$prefix/lib/pkgconfig" "$prefix/lib/cmake/PleoInstallations" "$prefix/include"
install -m 0755 "$lib_dir/libpleo_installations.so" "$prefix/lib/libpleo_installations.so.$version"
ln -sfn "libpleo_installations.so.$version" "$prefix/lib/libpleo_installations.so.$major"
ln -sfn "libpleo_installations.so.$major" "$prefix/lib/libpleo_installations.so"
install -m 0644 "$lib_dir/libpleo_installations.a" "$prefix/lib/"
install -m 0644 "$here/include/pleo_installations.h" "$here/include/pleo_installations.hpp" "$prefix/include/"
fill() {
  sed -e "s|@VERSION@|$version|g" -e "s|@MAJOR@|$major|g" -e "s|@MINOR@|$minor|g" "$1" >"$2"
}
fill "$here/ffi-c/pleo_installations.pc.in" "$prefix/lib/pkgconfig/pleo_installations.pc"
fill "$here/ffi-c/cmake/PleoInstallationsConfig.cmake.in" "$prefix/lib/cmake/PleoInstallations/PleoInstallationsConfig.cmake"
fill "$here/ffi-c/cmake/PleoInstallationsConfigVersion.cmake.in" \
  "$prefix/lib/cmake/PleoInstallations/PleoInstallationsConfigVersion.cmake"
if [ -n "$cli" ]; then
  install -D -m 0755 "$cli" "$prefix/bin/pleo-installations"
fi
