#!/usr/bin/env bash
# Runs the S3 tests against a real S3 server: starts a Ceph RADOS Gateway on
# 127.0.0.1 (scripts/s3_server.sh), runs every unit test whose name starts
# with S3, and stops the gateway on exit, also when a test fails.
#
# Uses the unit test binary in build/ (STEDI_BUILD_DIR overrides), building
# it first when it is missing. Extra arguments go to the test binary, e.g.
#   scripts/test_s3.sh --gtest_filter='S3ClientTest.*'
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${STEDI_BUILD_DIR:-$root/build}
tests=$build_dir/tests/stedi_unit_tests

if [[ ! -x $tests ]]; then
  "$root/scripts/build.sh"
fi

# free_port FIRST: the first TCP port from FIRST on that nothing listens on.
free_port() {
  local port=$1
  while ss -Hltn "sport = :$port" | grep -q .; do port=$((port + 1)); done
  echo "$port"
}

state_dir=$(mktemp -d "${TMPDIR:-/tmp}/stedi-s3-test.XXXXXX")
export STEDI_S3_DIR=$state_dir
# Another gateway may run on the default ports; take the next free ones.
# Two runs of this script choose their ports and start their servers one
# after the other, so they never both take a port that looked free.
exec {port_lock}>"${TMPDIR:-/tmp}/stedi-s3-ports.lock"
flock "$port_lock"
export STEDI_S3_PORT=${STEDI_S3_PORT:-$(free_port 7480)}
export STEDI_S3_MON_PORT=${STEDI_S3_MON_PORT:-$(free_port 3300)}
keep_state=0
stop_server() {
  "$root/scripts/s3_server.sh" stop || true
  ((keep_state)) || rm -rf "$state_dir"
}
trap stop_server EXIT

# The server prints `export NAME=value` lines: endpoint, keys and region.
if ! server_env=$("$root/scripts/s3_server.sh" start); then
  if [[ -d $state_dir/log ]]; then
    keep_state=1
    echo "test_s3: error: the S3 gateway did not start; its logs are in $state_dir/log" >&2
  else
    echo "test_s3: error: the S3 gateway did not start; see the s3_server messages above" >&2
  fi
  exit 1
fi
eval "$server_env"
flock -u "$port_lock"
# Profile files of the person running the tests must not change the result.
export AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_CONFIG_FILE=/dev/null
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL_S3

echo "test_s3: running the S3 tests against $STEDI_S3_ENDPOINT" >&2
"$tests" --gtest_filter='S3*' "$@"
echo "test_s3: running the S3 lake tests of the stedi binary" >&2
"$build_dir/tests/stedi_e2e_tests" --gtest_filter='S3*' "$@"
