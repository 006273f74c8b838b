#!/bin/sh
# Regenerates bench/runtime/authapp/bundle from convex/ with the official
# CLI's debug bundle (no server is contacted); the packages are pinned in
# package-lock.json.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
npm ci --no-audit --no-fund --loglevel=error
rm -rf "$here/bundle"
CONVEX_SELF_HOSTED_URL=http://127.0.0.1:1 CONVEX_SELF_HOSTED_ADMIN_KEY=x \
  ./node_modules/.bin/convex deploy --debug-bundle-path "$here/bundle" \
  --codegen disable --typecheck disable -y
rm -f "$here/bundle/fullConfig.json"
