#!/usr/bin/env bash
# Times the stedi pipeline against two baselines on generated data.
#
#   bench/run.sh [K...]        K is the --scale of stedi generate (default: 1 10 100)
#
# For each K it generates the data once, then times
#   (a) stedi ingest of the three landing folders + stedi run, into a fresh lake,
#   (b) the hand-written DuckDB SQL baseline (bench/baseline_pipeline.sql via run_sql),
#   (c) the pandas baseline (bench/pandas_pipeline.py with /usr/bin/python3),
# and prints wall and CPU seconds, peak RSS, input rows per second and the
# wall and CPU ratios a/b and a/c. It checks that all three produce the same
# machine_learning_curated row count as ground_truth.json predicts.
#
# Environment:
#   STEDI_BUILD_DIR     build folder with stedi and bench/run_sql (default: build)
#   BENCH_DIR           scratch folder for data, lakes and logs
#                       (default: ${TMPDIR:-/tmp}/stedi-bench); K = 100 uses about 2.1 GB
#   PANDAS_MAX_SCALE    largest K that pandas runs at (default: 100); it keeps
#                       every record in memory, 2.5 GB peak RSS at K = 100
#   MEMORY_LIMIT        if set, passed to stedi run --memory-limit and run_sql
#   KEEP_DATA=1         keep each K's data and lakes instead of removing them
# Figures are appended to $BENCH_DIR/results.tsv. Other load on the machine
# skews them: run it on an otherwise idle machine.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${STEDI_BUILD_DIR:-$root/build}
stedi=$build/stedi
run_sql=$build/bench/run_sql
python=/usr/bin/python3
work=${BENCH_DIR:-${TMPDIR:-/tmp}/stedi-bench}
pandas_max_scale=${PANDAS_MAX_SCALE:-100}
scales=("$@")
[[ ${#scales[@]} -gt 0 ]] || scales=(1 10 100)

die() { echo "run.sh: error: $*" >&2; exit 1; }
[[ -x $stedi ]] || die "$stedi not found; build first (scripts/build.sh)"
[[ -x $run_sql ]] || die "$run_sql not found; build with -DSTEDI_BUILD_BENCHMARKS=ON"
[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) not found; apt-get install time"
mkdir -p "$work"
results=$work/results.tsv

now() { date +%s.%N; }

# measure LOG COMMAND...: runs COMMAND under GNU time with stdout in LOG.out
# and stderr in LOG.err. Sets wall (s), cpu (user + system s) and rss (MB).
measure() {
  local log=$1
  shift
  local start end
  start=$(now)
  if ! /usr/bin/time -v -o "$log.time" "$@" >"$log.out" 2>"$log.err"; then
    echo "run.sh: error: failed: $*" >&2
    tail -5 "$log.err" >&2
    return 1
  fi
  end=$(now)
  wall=$(echo "$end - $start" | bc -l)
  cpu=$(awk -F': ' '/User time|System time/ {sum += $2} END {printf "%.2f", sum}' "$log.time")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$log.time")
}

# rows_of LOG: the machine_learning_curated count from a baseline's job<TAB>rows output.
rows_of() { awk -F'\t' '$1 == "machine_learning_curated" {print $2}' "$1.out"; }

ratio() { printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }

# report LABEL SYSTEM WALL CPU RSS ML_ROWS: prints one table row and appends
# it to results.tsv. Uses k and input_rows of the current scale.
report() {
  local label=$1 system=$2 wall=$3 cpu=$4 rss=$5 ml_rows=$6 per_second
  per_second=$(printf '%.0f' "$(echo "$input_rows / $wall" | bc -l)")
  printf '%-22s %9.2f %9.2f %10s %12s %10s\n' "$label" "$wall" "$cpu" "$rss" "$per_second" \
    "$ml_rows"
  printf '%s\t%s\t%.3f\t%.2f\t%s\t%s\t%s\t%s\n' "$k" "$system" "$wall" "$cpu" "$rss" \
    "$input_rows" "$per_second" "$ml_rows" >>"$results"
}

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores," \
  "$(free -g | awk '/^Mem:/ {print $2}') GiB RAM"
[[ -f $results ]] || printf 'scale\tsystem\twall_s\tcpu_s\tpeak_rss_mb\tinput_rows\trows_per_s\tml_rows\n' >"$results"

for k in "${scales[@]}"; do
  dir=$work/k$k
  rm -rf "$dir"
  mkdir -p "$dir"
  echo
  echo "== K = $k (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
  measure "$dir/generate" "$stedi" generate --out "$dir/data" --scale "$k" || exit 1
  bytes=$(du -sb "$dir/data" | cut -f1)
  echo "generated $(cat "$dir/generate.out" | sed 's/^generated //')"
  printf 'generate: %.2f s wall, %.0f MB/s, peak RSS %s MB\n' "$wall" \
    "$(echo "$bytes / 1000000 / $wall" | bc -l)" "$rss"
  input_rows=$("$python" -c "import json, sys; r = json.load(open(sys.argv[1]))['records']; \
print(sum(r.values()))" "$dir/data/ground_truth.json")
  expected=$("$python" -c "import json, sys; \
print(json.load(open(sys.argv[1]))['expected_job_rows']['machine_learning_curated'])" \
    "$dir/data/ground_truth.json")
  echo "input rows: $input_rows; machine_learning_curated expected: $expected"
  echo
  printf '%-22s %9s %9s %10s %12s %10s\n' system "wall s" "cpu s" "peak MB" "rows/s" "ml rows"

  # (a) stedi: ingest and run are timed together; peak RSS is the larger.
  limit_args=()
  [[ -n ${MEMORY_LIMIT:-} ]] && limit_args=(--memory-limit "$MEMORY_LIMIT")
  lake=$dir/lake
  measure "$dir/ingest" "$stedi" --lake "$lake" -q ingest "$dir/data/customer/landing" \
    "$dir/data/accelerometer/landing" "$dir/data/step_trainer/landing" || exit 1
  a_wall=$wall a_cpu=$cpu a_rss=$rss
  measure "$dir/run" "$stedi" --lake "$lake" -q run "${limit_args[@]}" || exit 1
  a_wall=$(echo "$a_wall + $wall" | bc -l)
  a_cpu=$(echo "$a_cpu + $cpu" | bc -l)
  ((rss > a_rss)) && a_rss=$rss
  a_rows=$("$stedi" --lake "$lake" -q query --format csv \
    "SELECT count(*) AS n FROM machine_learning_curated" | tail -1)
  report "a stedi ingest+run" stedi "$a_wall" "$a_cpu" "$a_rss" "$a_rows"

  # (b) DuckDB SQL baseline.
  sql_args=()
  [[ -n ${MEMORY_LIMIT:-} ]] && sql_args=(--memory-limit "$MEMORY_LIMIT" --temp-dir "$dir/spill")
  mkdir -p "$dir/sql-out"
  measure "$dir/sql" "$run_sql" "${sql_args[@]}" --var "DATA=$dir/data" \
    --var "OUT=$dir/sql-out" "$root/bench/baseline_pipeline.sql" || exit 1
  b_wall=$wall b_cpu=$cpu
  b_rows=$(rows_of "$dir/sql")
  report "b duckdb sql" duckdb_sql "$wall" "$cpu" "$rss" "$b_rows"

  # (c) pandas baseline.
  c_wall="" c_cpu="" c_rows=""
  if ! "$python" -c "import pandas" 2>/dev/null; then
    echo "c pandas               skipped: python3-pandas is not installed"
  elif [[ $(echo "$k > $pandas_max_scale" | bc -l) == 1 ]]; then
    echo "c pandas               skipped: K > PANDAS_MAX_SCALE ($pandas_max_scale)"
  else
    measure "$dir/pandas" "$python" "$root/bench/pandas_pipeline.py" "$dir/data" \
      "$dir/pandas-out" || exit 1
    c_wall=$wall c_cpu=$cpu
    c_rows=$(rows_of "$dir/pandas")
    report "c pandas" pandas "$wall" "$cpu" "$rss" "$c_rows"
    if grep -q "no Parquet engine" "$dir/pandas.err"; then
      echo "  (pandas wrote no Parquet: neither pyarrow nor fastparquet is installed)"
    fi
  fi

  echo
  echo "a/b wall: $(ratio "$a_wall" "$b_wall"), cpu: $(ratio "$a_cpu" "$b_cpu")"
  [[ -z $c_wall ]] || echo "a/c wall: $(ratio "$a_wall" "$c_wall"), cpu: $(ratio "$a_cpu" "$c_cpu")"
  agree=yes
  for count in "$a_rows" "$b_rows" ${c_rows:+"$c_rows"}; do
    [[ $count == "$expected" ]] || agree=no
  done
  echo "machine_learning_curated rows agree with ground truth ($expected): $agree"
  [[ ${KEEP_DATA:-0} == 1 ]] || rm -rf "$dir"
done
echo
echo "figures appended to $results"
