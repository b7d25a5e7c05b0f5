#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs (Docker engine with buildx where
# missing, npm packages), type-checks, checks that dist/ is the bundle of src/, then runs the unit
# tests and the end-to-end tests (the bundled action against the real engine).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-docker.sh
[ -x /bin/busybox ] && command -v dumb-init >/dev/null 2>&1 || {
  echo "test.sh: the fixtures need busybox-static and dumb-init (apt-get install busybox-static dumb-init)" >&2
  exit 1
}

echo "== npm ci"
npm ci --no-audit --no-fund --loglevel=error

echo "== type-check"
npx tsc --noEmit

echo "== dist/ matches the sources"
fresh=$(mktemp -d)
trap 'rm -rf "$fresh"' EXIT
bash scripts/bundle.sh "$fresh/dist"
if ! diff -r -q dist "$fresh/dist" >/dev/null; then
  diff -r -q dist "$fresh/dist" || true
  echo "dist/ is not the bundle of src/: run 'npm run bundle' and commit dist/" >&2
  exit 1
fi

echo "== unit and end-to-end tests"
status=0
NODE_OPTIONS=--experimental-vm-modules npx jest --json --outputFile="$fresh/jest.json" || status=$?
# One closing line a CI reader understands, whatever the runner printed.
node -e 'const r = require(process.argv[1]); console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`)' "$fresh/jest.json"
exit "$status"
