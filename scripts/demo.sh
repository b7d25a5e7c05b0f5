#!/usr/bin/env bash
# Runs the action end to end on the services in examples/ and prints each report.
# It runs the committed bundle, dist/index.js, the way the GitHub runner does (INPUT_* variables,
# GITHUB_OUTPUT, GITHUB_STEP_SUMMARY), against a real Docker engine; setup-docker.sh installs one
# where missing, and the *-standin.sh scripts make node:18-alpine, python:3.11-slim and golang:1.19
# where no registry can be reached.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-docker.sh
bash scripts/node-standin.sh
bash scripts/python-standin.sh
bash scripts/golang-standin.sh

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run_example NAME KEY=VALUE... : the inputs, as a workflow's `with:` would give them
run_example() {
  local name=$1; shift
  : >"$work/summary"; : >"$work/output"
  local env=(GITHUB_ACTIONS=true GITHUB_OUTPUT="$work/output" GITHUB_STEP_SUMMARY="$work/summary"
             GITHUB_REPOSITORY=image-gate/examples INPUT_CONTEXT="examples/$name" INPUT_TAGS="image-gate-demo/$name:latest")
  for pair in "$@"; do env+=("INPUT_$(printf '%s' "${pair%%=*}" | tr '[:lower:]' '[:upper:]')=${pair#*=}"); done
  echo
  echo "################ examples/$name ($*)"
  local code=0
  env "${env[@]}" node dist/index.js >"$work/log" 2>&1 || code=$?
  echo "exit code $code; action log: the build, then:"
  sed -n '/^image-gate: /,/^::/p' "$work/log" | grep -v '^::'
  echo
  echo "---- job summary (Markdown) ----"
  cat "$work/summary"
}

run_example focus-flow-backend
run_example tynebase-backend "health-cmd=wget -q --spider http://127.0.0.1:8080/health" "max-size=500MB"
run_example booking-api "max-size=200MB"
run_example shortlinks "max-size=20MB"

echo
echo "focus-flow-backend is expected to fail the non-root check (it runs as root); tynebase-backend, booking-api and shortlinks to pass."
