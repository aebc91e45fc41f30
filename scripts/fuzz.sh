#!/usr/bin/env bash
# Builds the libFuzzer target for the record parser with clang into
# build-fuzz/ and runs it: `scripts/fuzz.sh 20000` for a short fixed run (the
# test suite's), `scripts/fuzz.sh 0` to fuzz until stopped.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-20000}
build_dir=${STEDI_FUZZ_BUILD_DIR:-$root/build-fuzz}

if ! command -v clang++ >/dev/null 2>&1; then
  echo "fuzz: clang++ is not installed; run scripts/setup.sh" >&2
  exit 1
fi
cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTEDI_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$build_dir" --target record_parser_fuzz
corpus=$build_dir/fuzz/record_parser_corpus
mkdir -p "$corpus"
echo "fuzz: running the record parser on $runs inputs (0: until stopped)" >&2
if ((runs > 0)); then
  "$build_dir/fuzz/record_parser_fuzz" -runs="$runs" -seed=1 -max_len=4096 \
    "$corpus" "$root/tests/data/ingest"
else
  "$build_dir/fuzz/record_parser_fuzz" -max_len=65536 "$corpus" "$root/tests/data/ingest"
fi
