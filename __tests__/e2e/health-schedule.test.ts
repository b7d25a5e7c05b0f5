import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals'
import { execFile, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { checkRow, fixture, httpd, removeImages, row, runAction, takeLeftovers, type ActionRun } from './action.js'

// The unhealthy verdict at the image's own limit, against Docker itself (issue 29): the same image
// runs a second time with its HEALTHCHECK untouched while image-gate gates it, and Docker's own
// first verdict on it is the oracle. Docker starts each probe one interval after the last one
// ended, so with --interval=1s --retries=3 its third probe starts after 3 s plus the first two
// probes' runs: an app ready before that is healthy, and one never ready is unhealthy no sooner.

jest.setTimeout(120_000)
const TAG = 'image-gate-e2e/health-schedule'
const NON_ROOT = ["RUN echo 'app:x:10001:10001::/:/bin/sh' > /etc/passwd", 'USER 10001']
const PROBE = 'wget -q -O /dev/null http://127.0.0.1:8080/health || exit 1'
/** A container that runs and never listens, and stops on SIGTERM. */
const NEVER_READY = `CMD ["sh", "-c", "trap 'exit 0' TERM; sleep 600 & wait"]`
const run = promisify(execFile)
afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(() => removeImages(TAG))

interface OracleProbe {
  start: number
  end: number
  exitCode: number
}

/** Docker's own first verdict on a container of the image: when it came (its deciding probe's end) and that probe's start, seconds after start. */
interface Oracle {
  status: 'healthy' | 'unhealthy'
  seconds: number
  lastProbeStart: number
  probes: OracleProbe[]
}

/**
 * Runs `tag` as Docker would in production (its HEALTHCHECK untouched, no image-gate label) and
 * resolves with Docker's first health verdict, read the moment Docker announces it (its events),
 * so the probe that decided is the last in its log. The container goes once the verdict is in.
 */
async function dockerOracle(tag: string): Promise<Oracle> {
  const name = `image-gate-e2e-oracle-${process.pid}-${Date.now()}`
  const events = spawn('docker', ['events', '--filter', `container=${name}`, '--filter', 'event=health_status', '--format', '{{.Action}}'])
  let timer: NodeJS.Timeout | undefined
  const announced = new Promise<void>((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`Docker gave ${name} no verdict in 60 s`)), 60_000)
    events.stdout.on('data', (chunk: Buffer) => {
      if (/health_status: (healthy|unhealthy)/.test(chunk.toString())) resolve()
    })
  })
  try {
    // the event stream is up before the container exists (a verdict is never missed)
    await new Promise(resolve => setTimeout(resolve, 300))
    await run('docker', ['run', '--detach', '--name', name, tag])
    await announced
    const { stdout } = await run('docker', ['inspect', '--format', '{{json .State}}', name])
    const state = JSON.parse(stdout) as { StartedAt: string; Health: { Status: Oracle['status']; Log: { Start: string; End: string; ExitCode: number }[] } }
    const t0 = Date.parse(state.StartedAt)
    const probes = state.Health.Log.map(p => ({ start: (Date.parse(p.Start) - t0) / 1000, end: (Date.parse(p.End) - t0) / 1000, exitCode: p.ExitCode }))
    const last = probes[probes.length - 1]
    return { status: state.Health.Status, seconds: last.end, lastProbeStart: last.start, probes }
  } finally {
    clearTimeout(timer)
    events.kill()
    execFileSync('docker', ['rm', '--force', name], { stdio: 'ignore' })
  }
}

/**
 * Builds the context as the gate will (its build then comes from the cache), and runs Docker's
 * oracle and the gate on it at once: a probe's run depends on the machine's load at the moment
 * (a python probe took 0.3 to 4 s on two cores busy with other work), so the two are compared under the same load.
 */
async function gateAndOracle(context: string, tag: string): Promise<{ gate: ActionRun; docker: Oracle }> {
  execFileSync('docker', ['buildx', 'build', '--load', '--quiet', '--tag', tag, context], { stdio: 'ignore' })
  const docker = dockerOracle(tag)
  docker.catch(() => undefined)
  const gate = await runAction({ context, tags: tag })
  return { gate, docker: await docker }
}

describe("the image's own limit follows Docker's probe schedule", () => {
  it('an app ready at ~2.8 s with --interval=1s --retries=3: healthy under Docker and under the gate', async () => {
    const context = fixture([...NON_ROOT, `HEALTHCHECK --interval=1s --retries=3 CMD ${PROBE}`, httpd(2.8)])
    const { gate, docker } = await gateAndOracle(context, `${TAG}:ready-2.8`)
    expect(docker.status).toBe('healthy')
    expect(gate.outputs.health).toBe('healthy')
    const h = gate.report.runs[0].health
    expect(h.startupSeconds).toBeGreaterThanOrEqual(2.8)
    expect(h.startupSeconds).toBeLessThan(3.8)
    expect(row(gate.summary, 'health')).toMatch(new RegExp(`^\\| ✅ \\| health \\| healthy after ${h.startupSeconds} s \\|`))
  })

  it('an app that never gets ready: unhealthy under both, the gate no sooner than Docker\'s last probe and no later than a second after its verdict', async () => {
    const context = fixture([...NON_ROOT, `HEALTHCHECK --interval=1s --retries=3 CMD ${PROBE}`, NEVER_READY])
    const { gate, docker } = await gateAndOracle(context, `${TAG}:never-ready`)
    expect(docker.status).toBe('unhealthy')
    expect(gate.outputs.health).toBe('unhealthy')
    const h = gate.report.runs[0].health
    expect(h.rule).toBe('image-limit')
    expectAgreement(h, docker)
    expect(checkRow(gate, 'health')).toMatchObject({ status: 'fail', value: 'unhealthy', limit: `healthy within ${h.limitSeconds} s (the image's HEALTHCHECK)` })
    expect(checkRow(gate, 'health').detail).toBe(
      `No probe passed within the image's own limit (interval 1 s, retries 3): Docker starts each probe one interval after the last one ended, so with probes of up to ${h.probeMs} ms its 3rd failed probe in a row would start at ${h.lastProbeSeconds} s and mark it unhealthy at ${h.limitSeconds} s; a fast-health probe that started at ${h.notReadyAtSeconds} s still failed (HEALTHCHECK: ${PROBE}). Last probe exited 1: wget: can't connect to remote host (127.0.0.1): Connection refused. The container printed nothing.`
    )
  })

  it('a probe that takes ~0.4 s and an app ready at ~3.4 s: each probe moves the next, so Docker still sees it ready, and so does the gate', async () => {
    // Docker's probes at about 1.1, 2.55 and 4 s: the third finds the app ready (at 3 s, where an
    // interval × retries rule says unhealthy, no probe has passed yet)
    const context = fixture([...NON_ROOT, `HEALTHCHECK --interval=1s --retries=3 CMD sleep 0.4; ${PROBE}`, httpd(3.4)])
    const { gate, docker } = await gateAndOracle(context, `${TAG}:slow-probe`)
    expect(docker.status).toBe('healthy')
    expect(gate.outputs.health).toBe('healthy')
    const h = gate.report.runs[0].health
    // the first passing probe asked once the app listened, after its 0.4 s
    expect(h.startupSeconds).toBeGreaterThanOrEqual(3.4)
    expect(h.startupSeconds).toBeLessThan(4.6)
    expect(h.probeTimes.slowestMs).toBeGreaterThanOrEqual(400)
  })
})

describe('the start period, as each engine probes it', () => {
  it("--start-period=2s --interval=1s --retries=2 and an app ready at ~4.75 s: the gate says what this engine's Docker says", async () => {
    // Docker 27 and later probe the start period every 5 s (no --start-interval): the first probe,
    // at ~5.15 s, passes. Before 25 there is no start interval: probes at ~1, 2.05 and 3.1 s, the
    // last two counted, so it is unhealthy at ~3.2 s, with room for probes slowed by a loaded machine.
    const context = fixture([...NON_ROOT, `HEALTHCHECK --interval=1s --start-period=2s --retries=2 CMD ${PROBE}`, httpd(4.75)])
    const { gate, docker } = await gateAndOracle(context, `${TAG}:start-period`)
    const major = Number(execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8' }).split('.')[0])
    if (major >= 27) expect(docker.status).toBe('healthy')
    if (major < 25) expect(docker.status).toBe('unhealthy')
    expect(gate.outputs.health).toBe(docker.status)
    const h = gate.report.runs[0].health
    if (docker.status === 'unhealthy') {
      expectAgreement(h, docker)
      expect(h.startPeriodIntervalSeconds).toBeUndefined()
    }
  })
})

describe('a real runtime: python probing itself', () => {
  it('python3 as PID 1 that never listens, probed with urllib: unhealthy under both, the python probes\' runs counted', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-fixture-'))
    const probe = `python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8080/health', timeout=3)"`
    writeFileSync(
      path.join(dir, 'Dockerfile'),
      [
        'FROM python:3.11-slim',
        'USER 65534',
        `HEALTHCHECK --interval=1s --retries=3 CMD ${probe}`,
        `CMD ["python3", "-c", "import signal, sys, time; signal.signal(signal.SIGTERM, lambda *_: sys.exit(0)); time.sleep(600)"]`,
        ''
      ].join('\n')
    )
    const { gate, docker } = await gateAndOracle(dir, `${TAG}:python`)
    expect(docker.status).toBe('unhealthy')
    expect(gate.outputs.health).toBe('unhealthy')
    const h = gate.report.runs[0].health
    expect(h.rule).toBe('image-limit')
    expectAgreement(h, docker)
    // each python probe starts an interpreter: tens of ms at least, counted into the schedule (3 s
    // without them)
    expect(h.probeMs).toBeGreaterThanOrEqual(20)
    expect(h.lastProbeSeconds).toBeGreaterThan(3)
    expect(h.limitSeconds).toBeGreaterThan(h.lastProbeSeconds)
    expect(checkRow(gate, 'health').detail).toContain(
      `: Docker starts each probe one interval after the last one ended, so with probes of up to ${h.probeMs} ms its 3rd failed probe in a row would start at ${h.lastProbeSeconds} s and mark it unhealthy at ${h.limitSeconds} s; a fast-health probe that started at ${h.notReadyAtSeconds} s still failed (HEALTHCHECK: ${probe}).`
    )
  })
})

/**
 * The gate's unhealthy verdict against Docker's: decided on a probe that started no earlier than
 * Docker's last counted probe, no later than about a second after Docker's verdict, with the limit
 * it shows near it. Two containers' schedules differ, run to run, by how much their probes' runs
 * vary with the machine's load (a busybox wget 40 to 400 ms, a python probe 0.3 to 4 s on two
 * cores busy with other work): by at least a quarter of a second, or by that spread.
 */
function expectAgreement(h: ActionRun['report']['runs'][number]['health'], docker: Oracle): void {
  const runs = docker.probes.map(p => p.end - p.start)
  const slack = Math.max(0.25, Math.max(...runs, h.probeMs / 1000) - Math.min(...runs))
  expect(h.notReadyAtSeconds).toBeGreaterThanOrEqual(docker.lastProbeStart - slack)
  expect(h.verdictSeconds).toBeLessThanOrEqual(docker.seconds + 1 + slack)
  expect(Math.abs(h.limitSeconds - docker.seconds)).toBeLessThan(2 * slack)
  expect(h.failedProbes).toBeGreaterThanOrEqual(3)
}
