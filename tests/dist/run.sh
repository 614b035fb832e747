#!/usr/bin/env bash
# `make dist-check`: installs what `make dist` built as each audience would, on an older
# system than this one. A Debian 11 (bullseye, glibc 2.31, Python 3.9) root is made with
# debootstrap from Debian's packages, once (target/dist-check/); then, in that root, with no
# network but loopback and the repository mounted read-only, each language's check runs
# against the artefacts in dist/: tests/dist/python.sh (the wheel, with the root's Python 3.9),
# tests/dist/c.sh (the C archive, with CMake and with pkg-config) and tests/dist/node.sh (the
# two npm tarballs, with this machine's Node binary and npm). Last, on this machine,
# tests/dist/python-versions.sh installs the wheel into fresh venvs of every Python from 3.9
# to 3.13 that pyenv has, and the sdist into one. Needs root (debootstrap, chroot, mounts).
# Args: [DIST_DIR] (default dist).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
dist=$(realpath "${1:-dist}")
root=$repo/target/dist-check/bullseye
suite=bullseye
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# What the checks use inside the root: Python 3.9 with venv and pip, a C and C++ toolchain
# with CMake and pkg-config, libstdc++ for this machine's Node binary.
packages=python3,python3-venv,cmake,gcc,g++,make,pkg-config,libstdc++6,ca-certificates
stamp=$root/.made-with

[ "$(id -u)" = 0 ] || { echo "make dist-check needs root (debootstrap, chroot, mounts)" >&2; exit 1; }
ls "$dist"/*.whl "$dist"/*.tgz "$dist"/*-linux-gnu.tar.gz >/dev/null || {
  echo "no artefacts in $dist: run 'make dist' first" >&2; exit 1; }

if [ "$(cat "$stamp" 2>/dev/null)" != "$suite $packages" ]; then
  command -v debootstrap >/dev/null || { apt-get update && apt-get install -y --no-install-recommends debootstrap; }
  echo "== making a Debian $suite root in $root (about a minute)"
  rm -rf "$root" "$root.partial"
  mkdir -p "$(dirname "$root")"
  debootstrap --variant=minbase --include="$packages" "$suite" "$root.partial" "$mirror" >"$root.log" 2>&1 ||
    { tail -n 20 "$root.log" >&2; exit 1; }
  mv "$root.partial" "$root"
  echo "$suite $packages" >"$stamp"
fi

# This machine's Node and npm, as a user of that system would install them.
install -D -m 0755 "$(readlink -f "$(command -v node)")" "$root/usr/local/bin/node"
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
rm -rf "$root/usr/local/lib/node_modules/npm"
mkdir -p "$root/usr/local/lib/node_modules"
cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
mkdir -p "$root/src" "$root/dist"

echo "== inside Debian $suite: $(chroot "$root" ldd --version | head -n 1)"
# A private mount and network namespace: the mounts vanish with it, and only loopback exists.
# shellcheck disable=SC2016 # the script is expanded by the inner shell
unshare --mount --net -- bash -euo pipefail -c '
  root=$1 repo=$2 dist=$3
  ip link set lo up
  mount --bind "$repo" "$root/src" && mount -o remount,bind,ro "$root/src"
  mount --bind "$dist" "$root/dist" && mount -o remount,bind,ro "$root/dist"
  mount -t proc proc "$root/proc"
  mount --bind /dev "$root/dev"
  for check in python c node; do
    echo "== tests/dist/$check.sh (Debian bullseye root, no network)"
    chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8 \
      TMPDIR=/tmp bash "/src/tests/dist/$check.sh" /dist
  done
' dist-check "$root" "$repo" "$dist"

echo "== tests/dist/python-versions.sh (this machine, pyenv's Pythons)"
tests/dist/python-versions.sh "$dist"
echo "== dist-check: every artefact installed and worked"
