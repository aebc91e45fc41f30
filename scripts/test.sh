#!/usr/bin/env bash
# Builds stedi and runs every test: a short fixed run of the record parser's
# fuzzer, then CTest with the unit tests, the end-to-end tests of the CLI,
# the crash-safety test and, when STEDI_REAL_DATA names the STEDI starter
# data folder, the real-data tests.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${STEDI_BUILD_DIR:-$root/build}

"$root/scripts/build.sh"
echo "test: fuzzing the record parser for a fixed number of inputs" >&2
"$root/scripts/fuzz.sh" 20000
echo "test: running ctest in $build_dir" >&2
ctest --test-dir "$build_dir" --output-on-failure -j 2
