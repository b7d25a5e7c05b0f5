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
NODE_OPTIONS=--experimental-vm-modules npx jest --selectProjects unit e2e --json --outputFile="$fresh/jest.json" || status=$?

# The fault tests stop the Docker daemon, so they run alone, last, and only where this project's
# setup script runs dockerd (never a runner's system-managed daemon).
echo "== fault tests"
if [ -f /var/log/dockerd.log ] && pgrep -x dockerd >/dev/null && ! pgrep -x systemd >/dev/null; then
  IMAGE_GATE_FAULT_TESTS=1 NODE_OPTIONS=--experimental-vm-modules npx jest --selectProjects fault --runInBand --json --outputFile="$fresh/fault.json" || status=$?
else
  echo "skipped: dockerd is not the one scripts/setup-docker.sh started"
  echo '{"numPassedTests":0,"numFailedTests":0}' >"$fresh/fault.json"
fi

# One closing line a CI reader understands, whatever the runner printed.
# (a run that could not start writes no report: count it as one failure)
node -e '
  const fs = require("fs")
  const runs = process.argv.slice(1).map(f => (fs.existsSync(f) ? require(f) : { numPassedTests: 0, numFailedTests: 1 }))
  const sum = key => runs.reduce((n, r) => n + r[key], 0)
  console.log(`${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed`)
' "$fresh/jest.json" "$fresh/fault.json"
exit "$status"
