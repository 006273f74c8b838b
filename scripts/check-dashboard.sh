#!/usr/bin/env bash
# Rebuilds the built-in dashboard from dashboard/src with the pinned
# packages and fails when the committed build in dashboard/dist (what the
# binary embeds) differs from it. The build is deterministic, so any
# difference means someone changed src/ or the lock file without
# rebuilding: run `cd dashboard && npm ci && npm run build` and commit
# dist/.
set -euo pipefail
cd "$(dirname "$0")/../dashboard"

npm ci --no-audit --no-fund --loglevel=error
npx tsc --noEmit
out=$(mktemp -d /tmp/hull-dashboard.XXXXXX)
trap 'rm -rf "$out"' EXIT
npx vite build --outDir "$out" --emptyOutDir --logLevel warn
if ! diff -r "$out" dist; then
  echo "dashboard/dist is stale: run (cd dashboard && npm ci && npm run build) and commit dashboard/dist" >&2
  exit 1
fi
echo "dashboard/dist matches a fresh build of dashboard/src"
