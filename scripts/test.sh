#!/usr/bin/env bash
# Builds stedi and runs every test with CTest: unit tests, end-to-end tests
# of the CLI and, when STEDI_REAL_DATA names the STEDI starter data folder,
# the real-data tests.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${STEDI_BUILD_DIR:-$root/build}

"$root/scripts/build.sh"
echo "test: running ctest in $build_dir" >&2
ctest --test-dir "$build_dir" --output-on-failure -j 2
