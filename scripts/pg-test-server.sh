#!/usr/bin/env bash
# pg-test-server.sh — a throwaway PostgreSQL cluster for hull's tests.
#
#   scripts/pg-test-server.sh start DIR   # initdb into DIR, start on a free loopback port,
#                                         # print HULL_TEST_POSTGRES_URL=... (eval-able)
#   scripts/pg-test-server.sh env DIR     # print the same line for a running cluster
#   scripts/pg-test-server.sh stop DIR    # stop the server and delete what start created
#   scripts/pg-test-server.sh pause DIR   # stop the server, keeping its data (an outage)
#   scripts/pg-test-server.sh resume DIR  # start a paused server again on the same port
#
#   eval "$(scripts/pg-test-server.sh start "$dir")"; export HULL_TEST_POSTGRES_URL
#
# The cluster comes from Debian's postgresql package (PostgreSQL 15:
# apt-get install -y postgresql). As root, initdb and the server run as the
# postgres user (initdb refuses root) in DIR, which is handed to that user;
# as any other user they run as that user. The server listens on 127.0.0.1
# only, keeps its unix socket inside DIR, trusts local connections, and is
# reached as postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable.
# Tests create their own databases on it.
#
# Durability: fsync stays ON by default, so commit latencies (and the
# numbers bench/storage prints) are those of a real server. Set
# HULL_PG_FSYNC=off before start for faster, non-durable test runs; the
# crash tests kill the client, never the server, so they hold either way.
#
# Test policy: Go tests that need PostgreSQL read HULL_TEST_POSTGRES_URL and
# FAIL when it is unset, so a CI run can never pass without exercising
# PostgreSQL. For a local run without a server, set HULL_TEST_POSTGRES=off
# explicitly; those tests then skip and say so.
#
# Environment: PG_BIN (default: the newest /usr/lib/postgresql/*/bin,
# preferring 15), HULL_PG_FSYNC (on|off, default on).
set -euo pipefail

die() { echo "pg-test-server: $*" >&2; exit 1; }

pg_bin() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  if [ -x /usr/lib/postgresql/15/bin/initdb ]; then echo /usr/lib/postgresql/15/bin; return; fi
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$d" ] && [ -x "$d/initdb" ] || die "no PostgreSQL server binaries; run: apt-get install -y postgresql"
  echo "$d"
}

# as_owner runs a command as the cluster owner: postgres when we are root.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

url_line() { echo "HULL_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$1/postgres?sslmode=disable"; }

start() {
  local dir=$1 bin fsync=${HULL_PG_FSYNC:-on}
  bin=$(pg_bin)
  case "$fsync" in on|off) ;; *) die "HULL_PG_FSYNC must be on or off, not $fsync" ;; esac
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ ! -e "$dir/data" ] || die "$dir/data exists: stop the old cluster first ($0 stop $dir)"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || die "no postgres user; run: apt-get install -y postgresql"
    chown postgres:postgres "$dir"
    chmod 700 "$dir"
    as_owner test -w "$dir" || die "the postgres user cannot write $dir (is a parent directory private?)"
  fi
  as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
    die "initdb failed: $(cat "$dir/initdb.log")"
  local port tries=0
  while :; do
    tries=$((tries + 1))
    port=$((20000 + RANDOM % 40000))
    port_in_use "$port" && continue
    if launch "$dir" "$port" "$fsync"; then
      break
    fi
    [ "$tries" -lt 5 ] || die "server did not start: $(tail -n 20 "$dir/server.log" 2>/dev/null)"
  done
  echo "$port" >"$dir/port"
  echo "$fsync" >"$dir/fsync"
  echo "pg-test-server: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, data in $dir/data, fsync=$fsync" >&2
  url_line "$port"
}

# launch starts the server of DIR on PORT.
launch() {
  local dir=$1 port=$2 fsync=$3
  as_owner "$(pg_bin)/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=$fsync -c max_connections=200" \
    start >/dev/null 2>&1
}

pause() {
  local dir=$1
  [ -f "$dir/port" ] || die "no cluster in $dir (run: $0 start $dir)"
  [ -f "$dir/data/postmaster.pid" ] || die "the server in $dir is not running"
  as_owner "$(pg_bin)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || die "pg_ctl stop failed"
  echo "pg-test-server: paused the server in $dir (data kept)" >&2
}

resume() {
  local dir=$1
  [ -f "$dir/port" ] || die "no cluster in $dir (run: $0 start $dir)"
  launch "$dir" "$(cat "$dir/port")" "$(cat "$dir/fsync" 2>/dev/null || echo on)" ||
    die "server did not start again: $(tail -n 20 "$dir/server.log" 2>/dev/null)"
  echo "pg-test-server: resumed the server in $dir on port $(cat "$dir/port")" >&2
}

env_line() {
  local dir=$1
  [ -f "$dir/port" ] || die "no cluster in $dir (run: $0 start $dir)"
  url_line "$(cat "$dir/port")"
}

stop() {
  local dir=$1 bin
  bin=$(pg_bin)
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 ||
      as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir/data" "$dir/port" "$dir/fsync" "$dir/server.log" "$dir/initdb.log"
  echo "pg-test-server: stopped and removed the cluster in $dir" >&2
}

usage="usage: $0 start|env|stop|pause|resume DIR"
[ $# -eq 2 ] || die "$usage"
case "$1" in
  start) start "$2" ;;
  env) env_line "$2" ;;
  stop) stop "$2" ;;
  pause) pause "$2" ;;
  resume) resume "$2" ;;
  *) die "$usage" ;;
esac
