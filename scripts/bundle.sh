#!/usr/bin/env bash
# Bundles the action (dist/index.js) and the command line (dist/cli/index.js) into OUT (default dist),
# and writes action.yml's inputs and the README's input table from the input table
# (scripts/generate-docs.ts) into DOCS (default the checkout itself; CI passes a scratch folder and
# compares, as it does for dist/).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-dist}
docs=${2:-.}
npx ncc build src/index.ts -o "$out" --license licenses.txt --quiet
npx ncc build src/cli/index.ts -o "$out/cli" --quiet
chmod +x "$out/cli/index.js"
generator=$(mktemp -d)
trap 'rm -rf "$generator"' EXIT
npx ncc build scripts/generate-docs.ts -o "$generator" --quiet
node "$generator/index.js" . "$docs"
