#!/usr/bin/env bash
# Installs what building stedi needs on Debian 12: the Debian packages below and
# DuckDB 1.4.4. A DuckDB already on the machine (duckdb.h and libduckdb.so under
# /usr/local or /usr) is used as it is; otherwise the header and the shared
# library come from two npm tarballs, checked against their sha512 integrity,
# and are unpacked into .deps/duckdb, which git ignores.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
deps_dir=${STEDI_DEPS_DIR:-$root/.deps}

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libsimdjson-dev libcli11-dev libfmt-dev libspdlog-dev nlohmann-json3-dev
  libsqlite3-dev sqlite3 zlib1g-dev libssl-dev libcurl4-openssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev python3 python3-pandas
)

# npm package, version and the sha512 integrity the registry publishes for it.
duckdb_lib_pkg=@duckdb/node-bindings-linux-x64@1.4.4-r.4
duckdb_lib_sri=sha512-jBTL/WvfwxLToFa/pVHfT6elMtltJGnc3wSuxZD9OfMltit9YUdVFS37vBFQzXMT1Z8OWjtSjMh+zPKxOwHLHA==
duckdb_hdr_pkg=duckdb@1.4.4
duckdb_hdr_sri=sha512-hEJJ5hyVF0VLj3dmOLpsWrQR0b3d4Ykqtygm6iUXjHJDDnSqg/USKxcb5qvNrOhFYPgktayU6dXCtgPqcmmpog==

log() { printf 'setup: %s\n' "$*" >&2; }

install_packages() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  # Node.js may come from outside Debian; only a machine without npm needs Debian's.
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  if ((${#missing[@]} == 0)); then
    log "Debian packages: all ${#packages[@]} present"
    return
  fi
  log "Debian packages: installing ${missing[*]}"
  local sudo=()
  ((EUID == 0)) || sudo=(sudo)
  "${sudo[@]}" apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends \
    "${missing[@]}" >/dev/null
}

system_duckdb() {
  for prefix in /usr/local /usr; do
    if [[ -f $prefix/include/duckdb.h ]] &&
      ls "$prefix"/lib/libduckdb.so "$prefix"/lib/*/libduckdb.so >/dev/null 2>&1; then
      echo "$prefix"
      return 0
    fi
  done
  return 1
}

# fetch_tarball PACKAGE SRI DEST_DIR: npm pack into DEST_DIR, verify, print the path.
fetch_tarball() {
  local pkg=$1 sri=$2 dest=$3
  local name
  name=$(cd "$dest" && npm pack --silent "$pkg" 2>/dev/null | tail -n 1)
  local actual
  actual="sha512-$(openssl dgst -sha512 -binary "$dest/$name" | base64 -w 0)"
  if [[ $actual != "$sri" ]]; then
    log "integrity check failed for $pkg: expected $sri, got $actual"
    exit 1
  fi
  echo "$dest/$name"
}

install_duckdb() {
  local prefix
  if prefix=$(system_duckdb); then
    log "DuckDB: using the one installed under $prefix"
    return
  fi
  local out=$deps_dir/duckdb
  if [[ -f $out/include/duckdb.h && -f $out/lib/libduckdb.so ]]; then
    log "DuckDB: already unpacked in $out"
    return
  fi
  log "DuckDB: fetching $duckdb_lib_pkg and $duckdb_hdr_pkg with npm pack"
  local tmp
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  local lib_tgz hdr_tgz
  lib_tgz=$(fetch_tarball "$duckdb_lib_pkg" "$duckdb_lib_sri" "$tmp")
  hdr_tgz=$(fetch_tarball "$duckdb_hdr_pkg" "$duckdb_hdr_sri" "$tmp")
  mkdir -p "$out/include" "$out/lib"
  tar -xzf "$lib_tgz" -C "$tmp" package/libduckdb.so
  mv "$tmp/package/libduckdb.so" "$out/lib/"
  tar -xzf "$hdr_tgz" -C "$tmp" package/src/duckdb/src/include/duckdb.h
  mv "$tmp/package/src/duckdb/src/include/duckdb.h" "$out/include/"
  log "DuckDB: unpacked into $out"
}

install_packages
install_duckdb
