// How fast is the health verdict? On fixture images, side by side in one run:
//   floor   — when the app was really ready (or dead), measured independently of image-gate:
//             the bench polls the container's HTTP port from the host every 50 ms;
//   verdict — container start → image-gate's verdict (report.health.verdictSeconds);
//   slow    — the same with fast-health: false, i.e. waiting on the image's own 30 s interval.
// Run with `bash bench/run.sh`. It runs dist/index.js as the e2e tests do (real Docker).
import { execFileSync } from 'node:child_process'
import { fixture, httpd, removeImages, runAction, SERVE } from '../__tests__/e2e/action.js'

const TAG = 'image-gate-bench/health'
const REPS = Number(process.env.BENCH_REPS ?? 3)
const NON_ROOT = ["RUN echo 'app:x:10001:10001::/:/bin/sh' > /etc/passwd", 'USER 10001']

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim()
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/** Starts the image and polls its port from the engine's network: seconds from container start to the first HTTP 200. */
async function readyFloor(image: string): Promise<number> {
  const name = `image-gate-bench-${process.pid}`
  docker('run', '-d', '--name', name, '--no-healthcheck', image)
  try {
    const ip = docker('inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', name)
    const started = Date.parse(docker('inspect', '-f', '{{.State.StartedAt}}', name))
    const netns = process.env.IMAGE_GATE_ENGINE_NETNS
    // an engine in a network namespace of its own (scripts/second-engine.sh): poll from in there
    const readyAt = netns ? Number(execFileSync('nsenter', [`--net=/run/netns/${netns}`, 'node', '-e', POLL, ip], { encoding: 'utf8' })) : await firstOk(ip)
    return (readyAt - started) / 1000
  } finally {
    docker('rm', '-f', name)
  }
}

/** Polls http://IP:8080/health every 50 ms for up to 60 s; the time of the first 200, ms since the epoch. */
async function firstOk(ip: string): Promise<number> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise(r => setTimeout(r, 50))) {
    const ok = await fetch(`http://${ip}:8080/health`, { signal: AbortSignal.timeout(500) }).then(r => r.ok, () => false)
    if (ok) return Date.now()
  }
  throw new Error('never ready')
}

/** firstOk as a script of its own (argv[1]: the IP), to run inside the engine's namespace. */
const POLL = `(${firstOk.toString()})(process.argv[1]).then(t => console.log(t))`

interface Row {
  scenario: string
  floor: string
  verdict: string
  slow: string
  target: string
  met: boolean
}

async function main(): Promise<void> {
  const rows: Row[] = []

  // 1. an app ready after ~4 s, HEALTHCHECK interval 30 s
  const slowStart = fixture([...NON_ROOT, SERVE[0], httpd(4)])
  const verdicts: number[] = []
  for (let i = 0; i < REPS; i++) {
    const run = await runAction({ context: slowStart, tags: `${TAG}:ready-4s` })
    if (run.outputs.health !== 'healthy') throw new Error(`expected healthy, got ${run.outputs.health}`)
    verdicts.push(run.report.runs[0].health.verdictSeconds)
  }
  const floors: number[] = []
  for (let i = 0; i < REPS; i++) floors.push(await readyFloor(`${TAG}:ready-4s`))
  const slow = await runAction({ context: slowStart, tags: `${TAG}:ready-4s`, 'fast-health': 'false', 'health-timeout': '60' })
  rows.push({
    scenario: 'app ready after ~4 s, image interval 30 s',
    floor: `${median(floors).toFixed(2)} s ready`,
    verdict: `${median(verdicts).toFixed(2)} s`,
    slow: `${slow.report.runs[0].health.verdictSeconds.toFixed(2)} s`,
    target: 'verdict < 6 s',
    met: median(verdicts) < 6
  })

  // 2. a container that exits 1 s after start
  const dies = fixture([...NON_ROOT, SERVE[0], 'CMD ["sh", "-c", "sleep 1; echo fatal >&2; exit 3"]'])
  const lags: number[] = []
  let ran = 0
  for (let i = 0; i < REPS; i++) {
    const h = (await runAction({ context: dies, tags: `${TAG}:dies` })).report.runs[0].health
    if (h.verdict !== 'exited') throw new Error(`expected exited, got ${h.verdict}`)
    ran = h.ranSeconds
    lags.push(h.verdictSeconds - h.ranSeconds)
  }
  rows.push({
    scenario: 'container exits 1 s after start',
    floor: `${ran.toFixed(2)} s exit`,
    verdict: `exit + ${median(lags).toFixed(2)} s`,
    slow: 'same (no probe needed)',
    target: 'within 1 s of the exit',
    met: median(lags) < 1
  })

  // 3. a HEALTHCHECK that always fails (health-timeout 1: a start period of 1 s, then 3 retries)
  const failing = fixture([...NON_ROOT, 'HEALTHCHECK --interval=30s CMD exit 1', SERVE[1]])
  const failVerdicts: number[] = []
  for (let i = 0; i < REPS; i++) {
    const h = (await runAction({ context: failing, tags: `${TAG}:failing`, 'health-timeout': '1' })).report.runs[0].health
    if (h.verdict !== 'unhealthy') throw new Error(`expected unhealthy, got ${h.verdict}`)
    failVerdicts.push(h.verdictSeconds)
  }
  const slowFail = await runAction({ context: failing, tags: `${TAG}:failing`, 'fast-health': 'false', 'health-timeout': '120' })
  rows.push({
    scenario: 'HEALTHCHECK always fails (health-timeout: 1)',
    floor: 'first probe fails at ~1 s',
    verdict: `${median(failVerdicts).toFixed(2)} s`,
    slow: `${slowFail.report.runs[0].health.verdictSeconds.toFixed(2)} s (${slowFail.outputs.health})`,
    target: 'verdict < 5 s',
    met: median(failVerdicts) < 5
  })

  // 4. an always-failing check on the image's own settings (interval 1 s, retries 2), default inputs:
  //    Docker on those settings says unhealthy at 2 s; the verdict should come within 1 s of that
  const ownLimit = fixture([...NON_ROOT, 'HEALTHCHECK --interval=1s --retries=2 CMD wget -q -O /dev/null http://127.0.0.1:9999/', SERVE[1]])
  const limitLags: number[] = []
  let limit = 0
  for (let i = 0; i < REPS; i++) {
    const h = (await runAction({ context: ownLimit, tags: `${TAG}:own-limit` })).report.runs[0].health
    if (h.verdict !== 'unhealthy' || h.rule !== 'image-limit') throw new Error(`expected unhealthy on the image's limit, got ${h.verdict} (${h.rule})`)
    limit = h.limitSeconds
    limitLags.push(h.verdictSeconds - h.limitSeconds)
  }
  rows.push({
    scenario: 'HEALTHCHECK always fails, interval 1 s, retries 2 (default inputs)',
    floor: `image's own limit ${limit} s`,
    verdict: `limit + ${median(limitLags).toFixed(2)} s`,
    slow: 'n/a',
    target: 'within 1 s of the limit',
    met: median(limitLags) <= 1
  })

  // 5. the probe's program is missing (curl in a busybox image): a verdict at the first probe
  const noCurl = fixture([...NON_ROOT, 'HEALTHCHECK --interval=30s CMD curl -f http://127.0.0.1:8080/health || exit 1', SERVE[1]])
  const missing: number[] = []
  for (let i = 0; i < REPS; i++) {
    const h = (await runAction({ context: noCurl, tags: `${TAG}:no-curl` })).report.runs[0].health
    if (h.verdict !== 'unhealthy' || h.rule !== 'cannot-run') throw new Error(`expected unhealthy (cannot run), got ${h.verdict} (${h.rule})`)
    missing.push(h.verdictSeconds)
  }
  rows.push({
    scenario: 'probe program missing (curl in a busybox image)',
    floor: 'first probe at ~1 s',
    verdict: `${median(missing).toFixed(2)} s`,
    slow: 'n/a',
    target: '≤ 1.5 s after start',
    met: median(missing) <= 1.5
  })

  removeImages(TAG)
  console.log(`\nimage-gate health bench (median of ${REPS}; "slow" = fast-health: false, one run)\n`)
  console.log('| scenario | the truth | verdict (fast-health) | fast-health: false | target | met |')
  console.log('|---|---|---|---|---|---|')
  for (const r of rows) console.log(`| ${r.scenario} | ${r.floor} | ${r.verdict} | ${r.slow} | ${r.target} | ${r.met ? 'yes' : 'NO'} |`)
  if (rows.some(r => !r.met)) process.exitCode = 1
}

await main()
