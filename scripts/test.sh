#!/usr/bin/env bash
# Runs every hull test on a fresh Debian machine: installs what the tests
# need (PostgreSQL and Chromium from Debian, the pinned npm packages),
# starts a throwaway PostgreSQL cluster, runs the Go suites (with -race on
# the concurrent packages) and the end-to-end suite against the official
# convex client and CLI (Chromium for the React app), then tears
# everything down.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

log() { printf '\n==> %s\n' "$*"; }

missing=()
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql)
command -v chromium >/dev/null || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} (Debian packages)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

log "installing pinned npm packages (test/e2e)"
(cd test/e2e && npm ci --no-audit --no-fund --loglevel=error)

pgdir=$(mktemp -d /tmp/hull-pg.XXXXXX)
cleanup() { bash scripts/pg-test-server.sh stop "$pgdir" >/dev/null 2>&1 || true; rm -rf "$pgdir"; }
trap cleanup EXIT
log "starting a throwaway PostgreSQL cluster"
eval "$(bash scripts/pg-test-server.sh start "$pgdir")"
export HULL_TEST_POSTGRES_URL

log "go vet"
go vet ./...

log "building hull"
mkdir -p bin
CGO_ENABLED=0 go build -o bin/hull ./cmd/hull
export HULL_BIN="$root/bin/hull"

log "go test ./..."
go test -count=1 -timeout 20m ./...

log "go test -race (concurrent packages)"
CGO_ENABLED=1 go test -count=1 -race -timeout 20m ./persistence/... ./database/... ./server/sync/... ./runtime/quickjs/... ./runtime/node/...

log "end-to-end tests (official convex client and CLI)"
(cd test/e2e && npm test)
