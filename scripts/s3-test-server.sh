#!/usr/bin/env bash
# s3-test-server.sh — a throwaway S3-compatible server (versitygw) for
# hull's tests.
#
#   scripts/s3-test-server.sh install     # build the pinned versitygw once into the
#                                         # tools cache; print its path
#   scripts/s3-test-server.sh start DIR   # start it on a free loopback port, objects in DIR;
#                                         # print HULL_TEST_S3_* lines (eval-able)
#   scripts/s3-test-server.sh stop DIR    # stop the server and delete what start created
#
#   eval "$(scripts/s3-test-server.sh start "$dir")"
#   export HULL_TEST_S3_ENDPOINT HULL_TEST_S3_ACCESS_KEY_ID HULL_TEST_S3_SECRET_ACCESS_KEY HULL_TEST_S3_REGION
#
# versitygw (Apache-2.0) serves the S3 API over a plain folder (its posix
# backend) and checks request signatures: a wrong secret is refused with
# SignatureDoesNotMatch, as R2 and AWS refuse it. It runs with region
# "auto", as R2 does. It is a Go program, built with `go install` at the
# pinned version below into HULL_TOOLS_DIR (default ~/.cache/hull-tools),
# so a machine builds it once (about a minute) and later runs start at
# once. It stays out of hull's go.mod.
#
# Test policy: Go tests that need S3 read HULL_TEST_S3_ENDPOINT and FAIL
# when it is unset, so a CI run can never pass without exercising S3. For
# a local run without a server, set HULL_TEST_S3=off explicitly; those
# tests then skip and say so.
set -euo pipefail

VERSITYGW_VERSION=v1.8.0
ACCESS_KEY=hulltestkey
SECRET_KEY=hull-test-secret-0123456789

die() { echo "s3-test-server: $*" >&2; exit 1; }

tools_dir() { echo "${HULL_TOOLS_DIR:-${HOME:-/root}/.cache/hull-tools}/versitygw-$VERSITYGW_VERSION"; }

install() {
  local dir
  dir=$(tools_dir)
  if [ ! -x "$dir/versitygw" ]; then
    mkdir -p "$dir"
    echo "s3-test-server: building versitygw $VERSITYGW_VERSION into $dir (once per machine)" >&2
    GOBIN="$dir" GOFLAGS=-mod=mod go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION" >&2 ||
      die "go install github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION failed"
  fi
  echo "$dir/versitygw"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

env_lines() {
  echo "HULL_TEST_S3_ENDPOINT=http://127.0.0.1:$1"
  echo "HULL_TEST_S3_ACCESS_KEY_ID=$ACCESS_KEY"
  echo "HULL_TEST_S3_SECRET_ACCESS_KEY=$SECRET_KEY"
  echo "HULL_TEST_S3_REGION=auto"
}

start() {
  local dir=$1 bin port tries=0 pid
  bin=$(install)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ ! -e "$dir/pid" ] || die "$dir/pid exists: stop the old server first ($0 stop $dir)"
  mkdir -p "$dir/root"
  while :; do
    tries=$((tries + 1))
    [ "$tries" -le 5 ] || die "versitygw did not start: $(tail -n 20 "$dir/server.log" 2>/dev/null)"
    port=$((20000 + RANDOM % 40000))
    port_in_use "$port" && continue
    # setsid: the server outlives this script, in a session of its own.
    setsid "$bin" --access "$ACCESS_KEY" --secret "$SECRET_KEY" --region auto --port "127.0.0.1:$port" --quiet \
      posix "$dir/root" >"$dir/server.log" 2>&1 </dev/null &
    pid=$!
    for _ in $(seq 1 100); do
      port_in_use "$port" && break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
    if port_in_use "$port" && kill -0 "$pid" 2>/dev/null; then
      break
    fi
    kill "$pid" 2>/dev/null || true
  done
  echo "$pid" >"$dir/pid"
  echo "$port" >"$dir/port"
  echo "s3-test-server: versitygw $VERSITYGW_VERSION on 127.0.0.1:$port, objects in $dir/root" >&2
  env_lines "$port"
}

env_cmd() {
  local dir=$1
  [ -f "$dir/port" ] || die "no server in $dir (run: $0 start $dir)"
  env_lines "$(cat "$dir/port")"
}

stop() {
  local dir=$1 pid
  if [ -f "$dir/pid" ]; then
    pid=$(cat "$dir/pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir/root" "$dir/pid" "$dir/port" "$dir/server.log"
  echo "s3-test-server: stopped and removed the server in $dir" >&2
}

case "${1:-}" in
  install) [ $# -eq 1 ] || die "usage: $0 install"; install ;;
  start) [ $# -eq 2 ] || die "usage: $0 start DIR"; start "$2" ;;
  env) [ $# -eq 2 ] || die "usage: $0 env DIR"; env_cmd "$2" ;;
  stop) [ $# -eq 2 ] || die "usage: $0 stop DIR"; stop "$2" ;;
  *) die "usage: $0 install | start DIR | env DIR | stop DIR" ;;
esac
