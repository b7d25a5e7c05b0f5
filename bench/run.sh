#!/usr/bin/env bash
# The benches (not part of CI), on fixture images with real Docker:
#   health      health-verdict timings (bench/health.ts; about three minutes, most of it spent
#               proving how slow waiting on a 30 s interval is)
#   compressed  what the compressed size costs a run (bench/compressed.ts; about two minutes)
#   contents    what the contents scan adds to a run (bench/contents.ts; about two minutes)
#   platforms   native against emulated, and two platforms in one run against each alone
#               (bench/platforms.ts; about two minutes; needs scripts/setup-test-tools.sh)
#   stop        the stop verdict against docker stop's on node, busybox httpd and tini as PID 1,
#               and the gate after its build against the app's startup (bench/stop.ts; about a minute)
#   gate        the whole gate against a careful hand script (build, health, size, user, stop), paired,
#               on the engine DOCKER_HOST names: wall and CPU seconds, the ratio, where the time goes
#               (bench/gate.ts; about a minute)
# Usage: bash bench/run.sh [health|compressed|contents|platforms|stop|gate]   (all without an argument)
set -euo pipefail
cd "$(dirname "$0")/.."
benches=("${@:-health compressed contents platforms stop gate}")
bash scripts/setup-docker.sh
bash scripts/setup-test-tools.sh
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
npx tsc --outDir lib
for bench in ${benches[*]}; do
  case "$bench" in
    health | compressed | contents | platforms | stop | gate) node "lib/bench/$bench.js" ;;
    *) echo "unknown bench '$bench' (health, compressed, contents, platforms, stop or gate)" >&2; exit 2 ;;
  esac
done
