#!/usr/bin/env bash
# Builds stedi, generates sample STEDI data, lands it in ./lake and runs every
# job: the first command of the README. Set STEDI_SKIP_BUILD=1 and
# STEDI_BINARY to reuse a binary that is already built.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

if [[ ${STEDI_SKIP_BUILD:-0} != 1 ]]; then
  "$root/scripts/build.sh"
fi
stedi=${STEDI_BINARY:-${STEDI_BUILD_DIR:-$root/build}/stedi}
lake=${STEDI_LAKE:-lake}
sample=${STEDI_SAMPLE_DIR:-sample-data}

if [[ -d $sample ]]; then
  echo "+ reusing the sample data in $sample (delete the folder to generate it again)"
else
  echo "+ stedi generate --out $sample --seed 42"
  "$stedi" generate --out "$sample" --seed 42
fi
echo "+ stedi --lake $lake ingest $sample/customer $sample/accelerometer $sample/step_trainer"
"$stedi" --lake "$lake" ingest "$sample/customer" "$sample/accelerometer" "$sample/step_trainer"
echo "+ stedi --lake $lake run"
"$stedi" --lake "$lake" run
echo
echo "Explore the lake with SQL, for example:"
echo "  $stedi --lake $lake query 'SELECT count(*) FROM machine_learning_curated'"
