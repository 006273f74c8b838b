#!/usr/bin/env bash
# Runs every hull test on a fresh Debian machine: installs what the tests
# need (PostgreSQL and Chromium from Debian, the pinned npm packages, the
# pinned versitygw S3 server built with go install), checks that the
# embedded dashboard build matches its source, starts a throwaway
# PostgreSQL cluster and S3 server, runs the Go suites (with -race on
# the concurrent packages), the end-to-end suite against the official
# convex client and CLI (Chromium for the React app and the dashboard)
# and the Cloudflare kit's suite (test/worker: the Worker in workerd, the
# image in an empty root under chroot), then the runtime conformance suite
# and part of the end-to-end suite again on the V8 engine (cgo, -tags
# hull_v8; a C++ compiler from Debian), then tears everything down.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

log() { printf '\n==> %s\n' "$*"; }

missing=()
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql)
command -v chromium >/dev/null || missing+=(chromium)
command -v g++ >/dev/null || missing+=(g++)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} (Debian packages)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

log "installing pinned npm packages (test/e2e)"
(cd test/e2e && npm ci --no-audit --no-fund --loglevel=error)
log "installing pinned npm packages (deploy/cloudflare: wrangler, miniflare/workerd, TypeScript)"
(cd deploy/cloudflare && npm ci --no-audit --no-fund --loglevel=error)

log "checking the embedded dashboard build (dashboard/dist) against dashboard/src"
bash scripts/check-dashboard.sh

log "building the pinned S3 test server (versitygw; cached after the first run)"
bash scripts/s3-test-server.sh install >/dev/null

pgdir=$(mktemp -d /tmp/hull-pg.XXXXXX)
s3dir=$(mktemp -d /tmp/hull-s3.XXXXXX)
cleanup() {
  bash scripts/pg-test-server.sh stop "$pgdir" >/dev/null 2>&1 || true
  bash scripts/s3-test-server.sh stop "$s3dir" >/dev/null 2>&1 || true
  rm -rf "$pgdir" "$s3dir"
}
trap cleanup EXIT
log "starting a throwaway PostgreSQL cluster"
eval "$(bash scripts/pg-test-server.sh start "$pgdir")"
export HULL_TEST_POSTGRES_URL
log "starting a throwaway S3 server (versitygw, signatures checked)"
eval "$(bash scripts/s3-test-server.sh start "$s3dir")"
export HULL_TEST_S3_ENDPOINT HULL_TEST_S3_ACCESS_KEY_ID HULL_TEST_S3_SECRET_ACCESS_KEY HULL_TEST_S3_REGION

log "gofmt and go vet"
unformatted=$(gofmt -l $(git ls-files '*.go' | grep -v '^third_party/'))
if [ -n "$unformatted" ]; then
  echo "gofmt -w these files:" >&2
  echo "$unformatted" >&2
  exit 1
fi
go vet ./...

log "building hull"
mkdir -p bin
# The container image's flags (deploy/cloudflare/Dockerfile), so the
# image test's own build of them is a cache hit.
CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -trimpath -ldflags="-s -w" -o bin/hull ./cmd/hull
export HULL_BIN="$root/bin/hull"

log "go test ./..."
go test -count=1 -timeout 20m ./...

log "go test -race (concurrent packages)"
CGO_ENABLED=1 go test -count=1 -race -timeout 20m ./persistence/... ./database/... ./server/ ./server/sync/... ./runtime/quickjs/... ./runtime/node/... ./app/... ./blob/...

log "end-to-end tests (official convex client and CLI)"
(cd test/e2e && npm test)

log "Cloudflare kit tests (the Worker in workerd via Miniflare, hull cloudflare init, the image in an empty root)"
(cd test/worker && node --test --test-concurrency=1 .)

# The V8 engine: the same runtime suite (every test runs on the build's
# default engine, V8 here), the binary's boot path, races in the binding,
# and the end-to-end files that exercise the engine most, on SQLite (the
# engine does not touch storage). V8's static library comes through the
# module proxy (github.com/tommie/v8go/deps/linux_amd64 in go.mod).
log "V8 engine: vet, build, runtime conformance suite (CGO_ENABLED=1, -tags hull_v8)"
export CGO_ENABLED=1
go vet -tags hull_v8 ./runtime/... ./cmd/... ./bench/runtime
go build -tags hull_v8 -o bin/hull-v8 ./cmd/hull
go test -count=1 -tags hull_v8 -timeout 20m ./runtime/... ./cmd/hull/...
go test -count=1 -race -tags hull_v8 -timeout 10m -skip HardLimits ./runtime/v8/

log "end-to-end tests on the V8 binary"
# On SQLite only: the engine does not touch storage, and the pass above
# ran every file on PostgreSQL (an empty URL plus =off is how the suite
# is told to skip it).
(cd test/e2e && HULL_BIN="$root/bin/hull-v8" HULL_TEST_POSTGRES_URL= HULL_TEST_POSTGRES=off HULL_E2E_FAST_ENGINE=1 node --test --test-concurrency=1 \
  tests/first_light.test.mjs tests/libs.test.mjs tests/live.test.mjs tests/bad_input.test.mjs tests/convex_auth.test.mjs)
