#!/usr/bin/env bash
# Bundles the action (dist/index.js) and the command line (dist/cli/index.js) into OUT (default dist).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-dist}
npx ncc build src/index.ts -o "$out" --license licenses.txt --quiet
npx ncc build src/cli/index.ts -o "$out/cli" --quiet
chmod +x "$out/cli/index.js"
