#!/usr/bin/env bash
# Crash-safety test: kills `stedi ingest` and `stedi run` with SIGKILL at
# moments spread over their running time, then checks that the catalog is
# intact, every table is readable and matches its catalog row count, and
# that the next ingest and run end with exactly the figures of an
# uninterrupted run.
#
# Usage: scripts/crash_test.sh [KILLS]   (default 50)
# Environment: STEDI_BINARY (default build/stedi); STEDI_REAL_DATA, a folder
# with customer/, accelerometer/ and step_trainer/ (default: sample data
# made by `stedi generate`).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kills=${1:-50}
stedi=${STEDI_BINARY:-$root/build/stedi}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

log() { printf 'crash_test: %s\n' "$*" >&2; }
fail() { log "FAILED: $*"; exit 1; }

if [[ -n ${STEDI_REAL_DATA:-} ]]; then
  data=$STEDI_REAL_DATA
else
  data=$work/sample
  "$stedi" generate --out "$data" --seed 7 >/dev/null
fi
inputs=("$data/customer" "$data/accelerometer" "$data/step_trainer")

# table,rows of every table, in the catalog's order.
figures() { "$stedi" --lake "$1" tables --format csv | cut -d, -f1,4; }

# Elapsed seconds of a command, with millisecond resolution.
elapsed() {
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}

log "baseline: uninterrupted ingest and run"
baseline=$work/baseline
ingest_ms=$(elapsed "$stedi" --lake "$baseline" ingest "${inputs[@]}")
run_ms=$(elapsed "$stedi" --lake "$baseline" run)
expected=$(figures "$baseline")
log "ingest took ${ingest_ms} ms, run ${run_ms} ms"

# check_consistent LAKE: the catalog passes SQLite's integrity check, no
# table refers to a missing file, and each table's rows match the catalog.
check_consistent() {
  local lake=$1
  local integrity
  integrity=$(sqlite3 "$lake/_catalog/catalog.db" 'PRAGMA integrity_check')
  [[ $integrity == ok ]] || fail "catalog integrity check: $integrity"
  local table rows actual
  while IFS=, read -r table rows; do
    [[ $table == table ]] && continue
    actual=$("$stedi" --lake "$lake" query --format csv "SELECT count(*) AS n FROM $table" |
      tail -n 1) || fail "table $table is not readable"
    [[ $actual == "$rows" ]] || fail "table $table has $actual rows, the catalog says $rows"
  done < <(figures "$lake")
}

# kill_after MS COMMAND...: runs COMMAND and sends SIGKILL after MS milliseconds.
kill_after() {
  local ms=$1
  shift
  "$@" >/dev/null 2>&1 &
  local pid=$!
  sleep "$(awk -v ms="$ms" 'BEGIN { printf "%.3f", ms / 1000 }')"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

for ((i = 0; i < kills; i++)); do
  lake=$work/lake-$i
  # Spread the kill moments from 0 to 120% of each command's running time.
  if ((i % 2 == 0)); then
    delay=$(((ingest_ms * 12 * i) / (10 * kills) + 1))
    kill_after "$delay" "$stedi" --lake "$lake" ingest "${inputs[@]}"
    what="ingest after ${delay} ms"
  else
    "$stedi" --lake "$lake" ingest "${inputs[@]}" >/dev/null
    delay=$(((run_ms * 12 * i) / (10 * kills) + 1))
    kill_after "$delay" "$stedi" --lake "$lake" run
    what="run after ${delay} ms"
  fi
  if [[ -f $lake/_catalog/catalog.db ]]; then check_consistent "$lake"; fi
  "$stedi" --lake "$lake" ingest "${inputs[@]}" >/dev/null 2>&1 || fail "ingest after killed $what"
  "$stedi" --lake "$lake" run >/dev/null 2>&1 || fail "run after killed $what"
  [[ $(figures "$lake") == "$expected" ]] || fail "figures after killed $what differ:
$(figures "$lake")"
  check_consistent "$lake"
  if "$stedi" --lake "$lake" runs --format csv | cut -d, -f3 | grep -qx running; then
    fail "a run is still marked running after killed $what"
  fi
  log "kill $((i + 1))/$kills ($what): consistent, next run matches"
  rm -rf "$lake"
done
log "$kills passed, 0 failed"
