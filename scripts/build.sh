#!/usr/bin/env bash
# Installs the dependencies (scripts/setup.sh) and builds stedi and its tests
# into build/ (override with STEDI_BUILD_DIR).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${STEDI_BUILD_DIR:-$root/build}

"$root/scripts/setup.sh"
echo "build: configuring $build_dir" >&2
cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
echo "build: compiling (this takes a few minutes the first time)" >&2
cmake --build "$build_dir" -j "$(nproc)"
echo "build: done, the binary is $build_dir/stedi" >&2
