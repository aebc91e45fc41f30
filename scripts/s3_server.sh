#!/usr/bin/env bash
# Runs a real S3 server for the tests: a single-node Ceph cluster (one
# monitor, one OSD on an in-memory object store) with the RADOS Gateway on
# 127.0.0.1. It runs without systemd, keeps all its state in one folder, and
# creates a test user whose keys it prints.
#
#   scripts/s3_server.sh start    install the Ceph packages if missing, start
#                                 the daemons, print the S3 settings as
#                                 `export NAME=value` lines on stdout (and
#                                 write them to $STEDI_S3_DIR/env)
#   scripts/s3_server.sh stop     stop the daemons this script started
#   scripts/s3_server.sh status   show whether they are running
#   scripts/s3_server.sh gateway-stop
#                                 stop only the gateway, as in an outage of
#                                 the S3 endpoint; the monitor and the OSD
#                                 keep running, so buckets and objects stay
#   scripts/s3_server.sh gateway-start
#                                 start the gateway again after gateway-stop,
#                                 on the same port with the same keys
#
# Settings (environment):
#   STEDI_S3_DIR       state folder, recreated on start (default $TMPDIR/stedi-s3)
#   STEDI_S3_PORT      S3 port of the gateway (default 7480)
#   STEDI_S3_MON_PORT  port of the Ceph monitor, msgr2 only (default 3300)
#
# The gateway enforces AWS Signature V4. Everything it stores lives in the
# memory of the OSD, so `stop` discards all buckets.
set -euo pipefail

state_dir=${STEDI_S3_DIR:-${TMPDIR:-/tmp}/stedi-s3}
s3_port=${STEDI_S3_PORT:-7480}
mon_port=${STEDI_S3_MON_PORT:-3300}
access_key=STEDITESTACCESSKEY01
secret_key=stedi-test-secret-key-0000000000000000001
# A second key of the same user. AWS keys never contain ':', but other S3
# servers' keys may, and a client that sends "key:secret" as one string
# splits such a key at the wrong place.
colon_access_key=STEDI:TEST:COLON:KEY
colon_secret_key=stedi-test-colon-secret-0000000000000001
region=us-east-1
conf=$state_dir/ceph.conf
pid_file=$state_dir/daemons.pid

log() { printf 's3_server: %s\n' "$*" >&2; }

# retry_until SECONDS DESCRIPTION COMMAND...: runs COMMAND every half second
# until it succeeds; fails after SECONDS.
retry_until() {
  local limit=$1 what=$2
  shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      log "timed out after ${limit}s waiting for $what; logs are in $state_dir/log"
      return 1
    fi
    sleep 0.5
  done
}

install_packages() {
  local packages=(radosgw ceph-mon ceph-osd ceph-common) missing=()
  for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return
  log "installing ${missing[*]}"
  local sudo=()
  ((EUID == 0)) || sudo=(sudo)
  "${sudo[@]}" apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends \
    "${missing[@]}" >/dev/null
}

port_in_use() { ss -Hltn "sport = :$1" | grep -q .; }

write_config() {
  local fsid=$1
  # With authentication off, the gateway requests msgr2 "secure" mode from
  # the monitor, which needs authentication, so it hangs. Allowing "crc"
  # mode avoids that.
  cat >"$conf" <<EOF
[global]
fsid = $fsid
mon host = [v2:127.0.0.1:$mon_port]
public addr = 127.0.0.1
public network = 127.0.0.0/8
ms bind msgr1 = false
ms bind ipv6 = false
ms mon client mode = crc secure
ms client mode = crc secure
auth cluster required = none
auth service required = none
auth client required = none
run dir = $state_dir/run
admin socket = $state_dir/run/\$cluster-\$name.asok
log file = $state_dir/log/\$name.log
log to stderr = false
err to stderr = true
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
mon data avail warn = 1
mon data avail crit = 0

[mon]
mon data = $state_dir/mon/\$cluster-\$id
mon cluster log file = $state_dir/log/cluster.log

[osd]
osd data = $state_dir/osd/\$cluster-\$id
osd objectstore = memstore
memstore device bytes = 2147483648
osd op num shards = 1
osd op num threads per shard = 2

[client.rgw.stedi]
rgw frontends = beast endpoint=127.0.0.1:$s3_port
rgw data = $state_dir/rgw
rgw thread pool size = 32
EOF
}

# run_daemon NAME COMMAND...: starts a daemon in the foreground mode of Ceph,
# in the background of this shell, and records its pid.
run_daemon() {
  local name=$1
  shift
  "$@" >"$state_dir/log/$name.out" 2>&1 &
  echo "$name $!" >>"$pid_file"
  log "started $name (pid $!)"
}

start() {
  install_packages
  [[ -f $pid_file ]] && stop
  for port in "$s3_port" "$mon_port"; do
    if port_in_use "$port"; then
      log "port $port on 127.0.0.1 is already in use; set STEDI_S3_PORT or STEDI_S3_MON_PORT"
      exit 1
    fi
  done
  rm -rf "$state_dir"
  mkdir -p "$state_dir"/{mon,osd/ceph-0,run,log,rgw}
  local fsid
  fsid=$(cat /proc/sys/kernel/random/uuid)
  write_config "$fsid"
  local ceph=(ceph -c "$conf" --connect-timeout 3)

  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" \
    "$state_dir/monmap" >/dev/null
  ceph-mon -c "$conf" -i a --mkfs --monmap "$state_dir/monmap"
  run_daemon mon.a ceph-mon -c "$conf" -i a -f
  retry_until 60 "the monitor" "${ceph[@]}" mon stat

  local osd_uuid osd_id
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  osd_id=$("${ceph[@]}" osd new "$osd_uuid")
  ceph-osd -c "$conf" -i "$osd_id" --mkfs --osd-uuid "$osd_uuid" \
    >"$state_dir/log/osd-mkfs.out" 2>&1
  run_daemon "osd.$osd_id" ceph-osd -c "$conf" -i "$osd_id" -f
  retry_until 60 "osd.$osd_id to come up" \
    bash -c "${ceph[*]} osd dump | grep -q '^osd.$osd_id up'"

  start_gateway

  radosgw-admin -c "$conf" user create --uid=stedi-test --display-name="stedi test" \
    --access-key="$access_key" --secret-key="$secret_key" >"$state_dir/log/user.json"
  radosgw-admin -c "$conf" key create --uid=stedi-test --key-type=s3 \
    --access-key="$colon_access_key" --secret-key="$colon_secret_key" >>"$state_dir/log/user.json"
  log "S3 gateway ready on http://127.0.0.1:$s3_port after ${SECONDS}s"
  tee "$state_dir/env" <<EOF
export STEDI_S3_ENDPOINT=http://127.0.0.1:$s3_port
export AWS_ENDPOINT_URL=http://127.0.0.1:$s3_port
export AWS_ACCESS_KEY_ID=$access_key
export AWS_SECRET_ACCESS_KEY=$secret_key
export AWS_REGION=$region
export STEDI_S3_COLON_ACCESS_KEY_ID=$colon_access_key
export STEDI_S3_COLON_SECRET_ACCESS_KEY=$colon_secret_key
EOF
}

# Starts radosgw and waits until it responds on the S3 port. The listener
# must be this radosgw, because another server started on the same port at
# the same moment would otherwise respond in its place.
start_gateway() {
  run_daemon rgw.stedi radosgw -c "$conf" -n client.rgw.stedi -f
  local pid=$!
  retry_until 120 "the gateway on port $s3_port" curl -sf -o /dev/null "http://127.0.0.1:$s3_port/"
  if ! ss -Hltnp "sport = :$s3_port" | grep -q "pid=$pid,"; then
    log "port $s3_port answers, but not from the radosgw started here (pid $pid)"
    return 1
  fi
}

# stop_daemons ENTRIES: stops the daemons of the "NAME PID" lines in ENTRIES,
# in that order: TERM, then KILL after 10 s.
stop_daemons() {
  local entries=$1 name pid
  while read -r name pid; do
    kill -0 "$pid" 2>/dev/null && kill "$pid" 2>/dev/null && log "stopping $name (pid $pid)"
  done <<<"$entries"
  local deadline=$((SECONDS + 10))
  while read -r name pid; do
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      kill -9 "$pid" 2>/dev/null || true
      log "killed $name (pid $pid) after 10s"
    fi
  done <<<"$entries"
}

# Stops the daemons in reverse start order.
stop() {
  if [[ ! -f $pid_file ]]; then
    log "not running (no $pid_file)"
    return 0
  fi
  stop_daemons "$(tac "$pid_file")"
  rm -f "$pid_file"
}

# Stops the gateway and drops its line from the pid file. The monitor and
# the OSD keep running.
gateway_stop() {
  if [[ ! -f $pid_file ]]; then
    log "not running (no $pid_file); run $0 start"
    return 1
  fi
  local gateway
  gateway=$(grep '^rgw\.stedi ' "$pid_file" || true)
  if [[ -z $gateway ]]; then
    log "the gateway is already stopped"
    return 0
  fi
  stop_daemons "$gateway"
  grep -v '^rgw\.stedi ' "$pid_file" >"$pid_file.new" || true
  mv "$pid_file.new" "$pid_file"
  log "gateway stopped; the monitor and the OSD keep the data"
}

# Starts the gateway again over the running monitor and OSD.
gateway_start() {
  if [[ ! -f $pid_file ]]; then
    log "not running (no $pid_file); run $0 start"
    return 1
  fi
  local name pid
  while read -r name pid; do
    if [[ $name == rgw.stedi ]] && kill -0 "$pid" 2>/dev/null; then
      log "the gateway is already running (pid $pid)"
      return 0
    fi
    if [[ $name != rgw.stedi ]] && ! kill -0 "$pid" 2>/dev/null; then
      log "$name (pid $pid) is not running, so the data is lost; run $0 start"
      return 1
    fi
  done <"$pid_file"
  # A gateway that exited by itself left its line behind.
  grep -v '^rgw\.stedi ' "$pid_file" >"$pid_file.new" || true
  mv "$pid_file.new" "$pid_file"
  if port_in_use "$s3_port"; then
    log "port $s3_port on 127.0.0.1 is already in use; stop what listens there"
    return 1
  fi
  start_gateway
  log "S3 gateway ready on http://127.0.0.1:$s3_port"
}

status() {
  if [[ ! -f $pid_file ]]; then
    echo "stopped"
    return 3
  fi
  local down=0
  while read -r name pid; do
    if kill -0 "$pid" 2>/dev/null; then
      echo "$name running (pid $pid)"
    else
      echo "$name not running (pid $pid exited)"
      down=1
    fi
  done <"$pid_file"
  return $((down ? 1 : 0))
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  status) status ;;
  gateway-stop) gateway_stop ;;
  gateway-start) gateway_start ;;
  *)
    echo "usage: $0 start|stop|status|gateway-stop|gateway-start" >&2
    exit 2
    ;;
esac
