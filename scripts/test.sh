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

status=0
echo "== unit tests"
NODE_OPTIONS=--experimental-vm-modules npx jest --selectProjects unit --json --outputFile="$fresh/unit.json" || status=$?

# One file at a time: the tests share one engine, check that no container of image-gate's is left
# after each case, and time verdicts, which other files' builds running alongside would disturb
# (jest runs files in parallel on a machine with more than two cores, as GitHub's runners have).
echo "== end-to-end tests"
NODE_OPTIONS=--experimental-vm-modules npx jest --selectProjects e2e --runInBand --json --outputFile="$fresh/e2e.json" || status=$?

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
' "$fresh/unit.json" "$fresh/e2e.json" "$fresh/fault.json"
exit "$status"
