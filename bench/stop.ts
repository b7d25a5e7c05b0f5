// How fast is the stop verdict, against Docker's own? On images whose PID 1 people really run,
// side by side in one run, median of REPS:
//   docker stop — `docker stop -t 30` on a second container of the same image (bench's own timing);
//   gate        — image-gate's stop: from the signal to the exit, or to the kill of a signal known lost;
//   after build — the whole gate after its build (run seconds − build seconds) against the app's own
//                 startup: the stop must not add the grace period it cannot end in anything but SIGKILL.
// Target: a graceful stop within 0.5 s of docker stop's; a lost signal known within 1 s (not 30);
// the gate after its build within the startup + 2 s.
// Run with `bash bench/run.sh stop`. It runs dist/index.js as the e2e tests do (real Docker).
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { fixture, removeImages, runAction, SERVE, standin } from '../__tests__/e2e/action.js'
import { dockerStop } from '../__tests__/e2e/oracle.js'

const TAG = 'image-gate-bench/stop'
const REPS = Number(process.env.BENCH_REPS ?? 3)
const TIMEOUT = 30
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const NON_ROOT = ["RUN echo 'app:x:10001:10001::/:/bin/sh' > /etc/passwd", 'USER 10001']

function nodeContext(server: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-bench-'))
  const probe = 'HEALTHCHECK --interval=1s --start-period=30s CMD wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1'
  writeFileSync(path.join(dir, 'Dockerfile'), ['FROM node:18-alpine', 'WORKDIR /app', 'COPY server.js ./', probe, 'USER node', 'CMD ["node", "server.js"]', ''].join('\n'))
  writeFileSync(path.join(dir, 'server.js'), server)
  return dir
}

async function main(): Promise<void> {
  standin('node')
  const listen = "const server = require('http').createServer((req, res) => res.end('ok')).listen(8080)\n"
  const tini = fixture([...NON_ROOT, SERVE[0], 'COPY tini /tini', 'ENTRYPOINT ["/tini", "--"]', SERVE[1]])
  copyFileSync('/usr/bin/tini-static', path.join(tini, 'tini'))
  const scenarios = [
    { name: 'node, no SIGTERM handler (Node resets its own)', context: nodeContext(listen), lost: true },
    { name: 'node, handler: server.close, exit 0', context: nodeContext(`${listen}process.on('SIGTERM', () => server.close(() => process.exit(0)))\n`), lost: false },
    { name: 'busybox httpd as PID 1, no handler', context: fixture([...NON_ROOT, SERVE[0], 'CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]']), lost: true },
    { name: 'tini, app traps TERM', context: tini, lost: false }
  ]
  console.log(`\nimage-gate stop bench (stop-timeout ${TIMEOUT}, median of ${REPS})\n`)
  console.log('| PID 1 | docker stop | gate | gate after build | startup + 2 s | met |')
  console.log('|---|---|---|---|---|---|')
  let failed = false
  for (const [i, s] of scenarios.entries()) {
    const tag = `${TAG}:${i}`
    const gate: number[] = []
    const afterBuild: number[] = []
    const budget: number[] = []
    let outcome = ''
    for (let r = 0; r < REPS; r++) {
      const run = await runAction({ context: s.context, tags: tag, 'stop-timeout': String(TIMEOUT) })
      const stop = run.report.runs[0].stop
      outcome = stop.outcome === 'killed' ? `killed (${stop.unhandled ? 'lost' : 'timeout'})` : `exit ${stop.exitCode}`
      gate.push(stop.outcome === 'killed' ? stop.waitedSeconds : stop.seconds)
      afterBuild.push(run.seconds - run.report.runs[0].build.seconds)
      budget.push(run.report.runs[0].health.startupSeconds + 2)
    }
    const oracle = dockerStop(tag, s.lost ? 3 : TIMEOUT) // a lost signal: docker stop would wait the whole timeout; 3 s proves the kill
    const docker = s.lost ? `killed after the timeout (exit ${oracle.exitCode})` : `${oracle.seconds.toFixed(2)} s (exit ${oracle.exitCode})`
    const met = median(afterBuild) <= median(budget) && (s.lost ? median(gate) < 1 : Math.abs(median(gate) - oracle.seconds) < 0.5)
    failed ||= !met
    console.log(`| ${s.name} | ${docker} | ${median(gate).toFixed(2)} s, ${outcome} | ${median(afterBuild).toFixed(2)} s | ${median(budget).toFixed(2)} s | ${met ? 'yes' : 'NO'} |`)
  }
  removeImages(TAG)
  if (failed) process.exitCode = 1
}

await main()
