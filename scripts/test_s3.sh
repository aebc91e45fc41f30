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
export STEDI_S3_PORT=${STEDI_S3_PORT:-$(free_port 7480)}
export STEDI_S3_MON_PORT=${STEDI_S3_MON_PORT:-$(free_port 3300)}
stop_server() {
  "$root/scripts/s3_server.sh" stop || true
  rm -rf "$state_dir"
}
trap stop_server EXIT

# The server prints `export NAME=value` lines: endpoint, keys and region.
eval "$("$root/scripts/s3_server.sh" start)"
# Profile files of the person running the tests must not change the result.
export AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_CONFIG_FILE=/dev/null
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL_S3

echo "test_s3: running the S3 tests against $STEDI_S3_ENDPOINT" >&2
"$tests" --gtest_filter='S3*' "$@"
echo "test_s3: running the S3 lake tests of the stedi binary" >&2
"$build_dir/tests/stedi_e2e_tests" --gtest_filter='S3*' "$@"
