#!/usr/bin/env bash
# Health-verdict timings on fixture images (see bench/health.ts). Not part of CI: it takes about
# two minutes, most of it spent proving how slow waiting on a 30 s interval is.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-docker.sh
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
npx tsc --outDir lib
node lib/bench/health.js
