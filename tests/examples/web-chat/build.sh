#!/usr/bin/env bash
# Fixture of the browser test (ctest webchat_build): type-checks the example's page and bundles
# it (public/app.js) with esbuild, after the fixture sdk_js has built sdk/js/dist, what the example's file:
# dependency on @confab/client resolves to. scripts/install-deps.sh has run `npm ci` here.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
for dir in examples/web-chat tests/examples/web-chat; do
  if [ ! -d "$root/$dir/node_modules" ]; then
    echo "$dir/node_modules is missing: run scripts/install-deps.sh (it runs npm ci there)" >&2
    exit 1
  fi
done
# esbuild strips types without checking them: tsc does, so a type error fails here.
(cd "$root/examples/web-chat" && npm run --silent typecheck && npm run --silent build)
