#!/bin/sh
# Regenerates runtime/testdata/bundle from runtime/testdata/app with the
# official CLI's debug bundle (no server is contacted).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
e2e="$here/../../test/e2e"
rm -rf "$here/bundle" "$here/app/node_modules"
ln -s "$e2e/node_modules" "$here/app/node_modules"
trap 'rm -f "$here/app/node_modules"' EXIT
cd "$here/app"
CONVEX_SELF_HOSTED_URL=http://127.0.0.1:1 CONVEX_SELF_HOSTED_ADMIN_KEY=x \
  "$e2e/node_modules/.bin/convex" deploy --debug-bundle-path "$here/bundle" \
  --codegen disable --typecheck disable -y
# The CLI bundles schema.ts on its own (not split) and sends it with the
# push; the debug bundle leaves it out, so build it the same way here.
"$e2e/node_modules/.bin/esbuild" "$here/app/convex/schema.ts" --bundle --format=esm \
  --platform=browser --target=esnext --conditions=convex,module --minify-syntax \
  --minify-identifiers --keep-names --log-level=warning \
  --define:process.env.NODE_ENV='"production"' --outfile="$here/bundle/isolate/schema.js"
# fullConfig.json repeats every module's source; the tests read isolate/.
rm -f "$here/bundle/fullConfig.json"
