import { beforeEach, describe, expect, it, jest } from '@jest/globals'
import type { ContainerState } from '../../src/docker/container.js'
import type { Inputs } from '../../src/inputs/inputs.js'
import type { PlatformRun } from '../../src/report/report.js'
import { fakeSpawn, type Script } from './fake-spawn.js'
import { inputs, measuredRun } from './fixtures.js'

// The wait loop against a scripted Docker: spawn is faked (fake-spawn.ts), time and events too.

let script: Script = () => ({ exitCode: 0 })
const fake = fakeSpawn((program, args) => script(program, args))
const childProcess = await import('node:child_process')
jest.unstable_mockModule('node:child_process', () => ({ ...childProcess, spawn: fake.spawn }))
const { probeTimes, waitForHealth } = await import('../../src/health/wait-healthy.js')
const { Docker } = await import('../../src/docker/docker.js')
const { Processes } = await import('../../src/docker/command.js')
const { Container } = await import('../../src/docker/handle.js')

/** The health wait for container c1 of the report's image; its result goes into the report. */
async function waitFor(given: Inputs, report: PlatformRun, waiter: ReturnType<typeof fakeWaiter>): Promise<void> {
  report.health = await waitForHealth(new Container(new Docker(new Processes()), 'c1'), given, report.image, waiter)
}

const T0 = Date.parse('2026-11-22T10:00:00Z')
const at = (ms: number) => new Date(T0 + ms).toISOString()

function state(overrides: Partial<ContainerState>): ContainerState {
  return { Status: 'running', Running: true, ExitCode: 0, OOMKilled: false, Pid: 42, StartedAt: at(0), FinishedAt: '', ...overrides }
}

/** Docker answers `inspect` with the states in turn (the last one repeats) and `logs` with a tail. */
function scriptDocker(states: ContainerState[]) {
  const calls: string[][] = []
  script = (_program, args) => {
    calls.push(args)
    if (args[0] === 'inspect') return { exitCode: 0, stdout: JSON.stringify(states.length > 1 ? states.shift() : states[0]) }
    if (args[0] === 'logs') return { exitCode: 0, stdout: `${at(100)} listening\n${at(300)} crashed: EADDRINUSE\n`, stderr: `${at(200)} warn\n` }
    throw new Error(`unexpected docker ${args.join(' ')}`)
  }
  return calls
}

/** A waiter on a fake clock. `eventAfterMs`: an event wakes each wait that soon; else it times out. */
function fakeWaiter(eventAfterMs?: number, base = 0) {
  let now = base
  const waits: number[] = []
  return {
    now: () => now,
    wait: async (ms: number) => {
      waits.push(ms)
      now += eventAfterMs === undefined ? ms : Math.min(ms, eventAfterMs)
    },
    waits
  }
}

beforeEach(() => {
  fake.calls.length = 0
})

describe('waitForHealth', () => {
  it('returns as soon as Docker says healthy, with startup time from Docker timestamps', async () => {
    scriptDocker([
      state({ Health: { Status: 'starting', Log: [] } }),
      state({ Health: { Status: 'starting', Log: [{ Start: at(1000), End: at(1050), ExitCode: 1, Output: 'refused' }] } }),
      state({
        Health: {
          Status: 'healthy',
          Log: [
            { Start: at(1000), End: at(1050), ExitCode: 1, Output: 'refused' },
            { Start: at(2000), End: at(2350), ExitCode: 0, Output: 'ok' }
          ]
        }
      })
    ])
    const report = measuredRun()
    const calls = fake.calls
    const waiter = fakeWaiter(50) // Docker's events wake the wait 50 ms after each change
    await waitFor(inputs(), report, waiter)
    expect(report.health).toMatchObject({ verdict: 'healthy', source: 'image', startupSeconds: 2.4 })
    expect(calls.filter(c => c.args[0] === 'inspect')).toHaveLength(3) // one look per event, no polling
    expect(waiter.now()).toBe(100)
  })

  it('stops at once when the container exits, with exit code and merged log tail', async () => {
    const calls = scriptDocker([state({ Running: false, Status: 'exited', ExitCode: 3, FinishedAt: at(1500), Health: { Status: 'starting' } })])
    const report = measuredRun()
    await waitFor(inputs(), report, fakeWaiter())
    expect(report.health).toMatchObject({ verdict: 'exited', exitCode: 3, oomKilled: false, waitedSeconds: 0 })
    expect(report.health.logTail).toEqual(['listening', 'warn', 'crashed: EADDRINUSE'])
    expect(calls.map(c => c[0])).toEqual(['inspect', 'logs'])
    expect(report.health.ranSeconds).toBe(1.5)
  })

  it('reports Docker\'s unhealthy with the last probe output', async () => {
    scriptDocker([
      state({ Health: { Status: 'unhealthy', Log: [{ Start: at(1), End: at(2), ExitCode: 1, Output: 'wget: server returned error: HTTP/1.1 500\n' }] } })
    ])
    const report = measuredRun()
    await waitFor(inputs(), report, fakeWaiter())
    expect(report.health.verdict).toBe('unhealthy')
    expect(report.health.probes).toEqual([{ exitCode: 1, output: 'wget: server returned error: HTTP/1.1 500' }])
  })

  it('waits health-timeout plus the retries for Docker\'s verdict, then says timeout', async () => {
    scriptDocker([state({ Health: { Status: 'starting', Log: [] } })])
    const report = measuredRun()
    const waiter = fakeWaiter()
    await waitFor(inputs({ healthTimeout: 10 }), report, waiter)
    expect(report.health.verdict).toBe('timeout')
    // 10 s start period + 3 retries × 1 s + 5 s grace, looking at least every 2 s meanwhile
    expect(waiter.now()).toBe(18_000)
    expect(Math.max(...waiter.waits)).toBe(2000)
  })

  it('with fast-health: false, waits exactly health-timeout on the image\'s own settings', async () => {
    scriptDocker([state({ Health: { Status: 'starting', Log: [] } })])
    const waiter = fakeWaiter()
    await waitFor(inputs({ healthTimeout: 10, fastHealth: false }), measuredRun(), waiter)
    expect(waiter.now()).toBe(10_000)
  })

  it('without any health check, watches briefly and reports missing', async () => {
    scriptDocker([state({})])
    const report = measuredRun()
    report.image.healthcheck = undefined
    report.health = { verdict: 'skipped' }
    const waiter = fakeWaiter()
    await waitFor(inputs(), report, waiter)
    expect(report.health.verdict).toBe('missing')
    expect(waiter.now()).toBe(3000)
    // a worker that kept running may still log an error every second: its log is kept to show
    expect(report.health.logTail).toEqual(['listening', 'warn', 'crashed: EADDRINUSE'])
  })

  it('uses health-cmd when given', async () => {
    scriptDocker([state({ Health: { Status: 'healthy', Log: [{ Start: at(900), End: at(1000), ExitCode: 0, Output: '' }] } })])
    const report = measuredRun()
    report.image.healthcheck = undefined
    report.health = { verdict: 'skipped' }
    await waitFor(inputs({ healthCmd: 'wget -q --spider http://127.0.0.1:8080/health' }), report, fakeWaiter())
    expect(report.health).toMatchObject({ verdict: 'healthy', source: 'health-cmd', command: 'wget -q --spider http://127.0.0.1:8080/health', startupSeconds: 1 })
  })

  describe('deciding unhealthy early, from the probes Docker ran', () => {
    // a clock on Docker's own time line, so "seconds after start" can be compared
    const onDockerTime = () => fakeWaiter(undefined, T0)
    const probe = (startMs: number, exitCode: number, output: string) => ({ Start: at(startMs), End: at(startMs + 50), ExitCode: exitCode, Output: output })

    it('a probe whose program is missing: unhealthy at that probe, naming the program', async () => {
      scriptDocker([state({ Health: { Status: 'starting', Log: [probe(1000, 127, '/bin/sh: curl: not found\n')] } })])
      const report = measuredRun()
      const waiter = onDockerTime()
      await waitFor(inputs(), report, waiter)
      expect(report.health).toMatchObject({ verdict: 'unhealthy', rule: 'cannot-run', cannotRun: { program: 'curl', why: 'missing' } })
      expect(waiter.waits).toEqual([]) // decided on the first look
    })

    it('a 404 page is a failing check, not a missing program: the wait goes on to its limit', async () => {
      scriptDocker([state({ Health: { Status: 'starting', Log: [probe(1020, 1, 'wget: server returned error: HTTP/1.1 404 Not Found')] } })])
      // the image's own limit: interval 30 s, retries 3, from a monitor 0.92 s after start (its
      // first probe less the wait's 0.1 s), each probe 50 ms: 0.92 + 3 × 30 + 3 × 0.05 = 91.07 s
      const report = measuredRun()
      const waiter = onDockerTime()
      await waitFor(inputs({ healthTimeout: 10 }), report, waiter)
      expect(report.health).toMatchObject({ verdict: 'timeout', limitSeconds: 91.1 })
      expect(report.health.rule).toBeUndefined()
      expect(waiter.now() - T0).toBe(18_000)
    })

    it('no image limit with fast-health: false (Docker itself decides there)', async () => {
      const always = Array.from({ length: 5 }, (_, i) => probe(1000 * (i + 1), 1, 'refused'))
      for (const given of [inputs({ healthTimeout: 10, healthCmd: 'exit 1', fastHealth: false }), inputs({ healthTimeout: 10, fastHealth: false })]) {
        scriptDocker([state({ Health: { Status: 'starting', Log: always } })])
        const report = measuredRun()
        Object.assign(report.image, { healthcheckInterval: 1, healthcheckRetries: 1 })
        await waitFor(given, report, onDockerTime())
        expect(report.health.verdict).toBe('timeout')
        expect(report.health.limitSeconds).toBeUndefined()
      }
    })

    /** How the wait's probes ran: the first's start, then one every `periodMs` (50 ms each, then the wait's 0.1 s and Docker's own gap). */
    interface Probing {
      firstMs: number
      periodMs: number
    }
    const EVERY_200: Probing = { firstMs: 300, periodMs: 200 }
    /** 0.25 s apart: 50 ms probes, 0.1 s of Docker's between them (no probe starts right at a moment Docker's schedule has) */
    const EVERY_250: Probing = { firstMs: 320, periodMs: 250 }

    /** Docker's state at `t` ms: the probes ended by then, the last five kept (as Docker does), passing from `passFromMs` on. */
    function stateAt(t: number, passFromMs = Infinity, { firstMs, periodMs }: Probing = EVERY_200): ContainerState {
      const log = []
      for (let start = firstMs; start + 50 <= t; start += periodMs) log.push(probe(start, start >= passFromMs ? 0 : 1, start >= passFromMs ? 'ok' : 'wget: server returned error: HTTP/1.1 500'))
      return state({ Health: { Status: log.some(p => p.ExitCode === 0) ? 'healthy' : 'starting', Log: log.slice(-5) } })
    }

    /** The states looks every `everyMs` see. */
    function probingStates(untilMs: number, passFromMs = Infinity, everyMs = 200, probing: Probing = EVERY_200): ContainerState[] {
      const states: ContainerState[] = []
      for (let t = 0; t <= untilMs; t += everyMs) states.push(stateAt(t, passFromMs, probing))
      return states
    }

    it("the image's own limit: interval 1 s, retries 2: unhealthy once a probe that started after Docker's second would start has failed", async () => {
      scriptDocker(probingStates(10_000, Infinity, 250, EVERY_250))
      const report = measuredRun()
      Object.assign(report.image, { healthcheckInterval: 1, healthcheckRetries: 2, healthcheckStartPeriod: 0 })
      const waiter = fakeWaiter(250, T0)
      await waitFor(inputs(), report, waiter)
      // Docker's monitor 0.22 s after start (the first probe at 0.32 s less the wait's 0.1 s), 50 ms
      // probes, 0.1 s between them: its first probe at 1.22 s, its second at 2.37 s, unhealthy at 2.42 s;
      // the wait's probe at 2.32 s is before that, the one at 2.57 s failed (it ended at 2.62 s)
      expect(report.health).toMatchObject({ verdict: 'unhealthy', rule: 'image-limit', limitSeconds: 2.4, lastProbeSeconds: 2.4, notReadyAtSeconds: 2.6, probeMs: 50 })
      expect(waiter.now() - T0).toBe(2750) // the first look after that probe ended
    })

    it("Docker 28's start interval: a start period of 3 s is probed every 5 s, so its first probe at 5.2 s already counts", async () => {
      scriptDocker(probingStates(10_000, Infinity, 250, EVERY_250))
      const report = measuredRun()
      Object.assign(report.image, { healthcheckInterval: 1, healthcheckRetries: 2, healthcheckStartPeriod: 3 })
      const waiter = fakeWaiter(250, T0)
      report.health = await waitForHealth(new Container(new Docker(new Processes()), 'c1'), inputs(), report.image, waiter, { api: '1.51', version: '28.5.2' })
      // on the wait's own start interval (0.1 s, API 1.51): the monitor at 0.22 s, Docker's probes at 5.22 and 6.37 s
      expect(report.health).toMatchObject({ verdict: 'unhealthy', rule: 'image-limit', limitSeconds: 6.4, lastProbeSeconds: 6.4, startPeriodIntervalSeconds: 5 })
      expect(report.health.notReadyAtSeconds).toBe(6.6)
    })

    it('a health-cmd that always fails: unhealthy after health-start-period and 3 retries a second apart, counting every failure seen', async () => {
      scriptDocker(probingStates(10_000, Infinity, 250, EVERY_250))
      const report = measuredRun()
      report.image.healthcheck = undefined
      const waiter = fakeWaiter(250, T0) // an event (a probe) every 250 ms
      await waitFor(inputs({ healthCmd: 'wget -q -O /dev/null http://127.0.0.1:8080/health', healthStartPeriod: 2 }), report, waiter)
      // a second after each probe ended, from a monitor at 0.22 s: 1.22 s (in the start period),
      // 2.37, 3.52 and 4.67 s count, unhealthy at 4.72 s; the wait's probe at 4.82 s failed
      expect(report.health).toMatchObject({ verdict: 'unhealthy', rule: 'start-period', limitSeconds: 4.7, lastProbeSeconds: 4.7, notReadyAtSeconds: 4.8, startPeriodSeconds: 2 })
      expect(waiter.now() - T0).toBe(5000)
      // the probes started from 2 s on and ended by 5 s: 2.07, 2.32, ... 4.82 s, though Docker kept only five
      expect(report.health.failedProbes).toBe(12)
      expect(report.health.probes).toHaveLength(5)
    })

    it('a health-cmd on a slow starter: healthy when it answers within the start period, timed from the first pass', async () => {
      scriptDocker(probingStates(10_000, 4100, 250, EVERY_250))
      const report = measuredRun()
      report.image.healthcheck = undefined
      const waiter = fakeWaiter(250, T0)
      await waitFor(inputs({ healthCmd: 'wget -q -O /dev/null http://127.0.0.1:8080/health', healthStartPeriod: 5 }), report, waiter)
      // the limit it was not held to: 1.22, 2.37, 3.52 and 4.67 s in the start period, 5.82, 6.97 and 8.12 s count
      expect(report.health).toMatchObject({ verdict: 'healthy', startupSeconds: 4.4, notReadyAtSeconds: 4.1, limitSeconds: 8.2 })
      expect(report.health.lastProbeSeconds).toBeUndefined()
    })

    it('the first pass and the failure before it are kept when Docker has rotated them out of its five', async () => {
      // looked at 1 s (failures to 0.9 s) and 2 s after start: by then Docker keeps only the passes from 1.1 s
      scriptDocker(probingStates(3000, 1100, 1000))
      const report = measuredRun()
      await waitFor(inputs(), report, fakeWaiter(1000, T0))
      expect(report.health).toMatchObject({ verdict: 'healthy', startupSeconds: 1.2, notReadyAtSeconds: 0.9 })
    })

    it("with fast-health: false, a healthy verdict keeps when the app was last seen not ready", async () => {
      scriptDocker([
        state({ Health: { Status: 'healthy', Log: [probe(30_000, 1, 'refused'), probe(60_000, 0, 'ok')] } })
      ])
      const report = measuredRun()
      await waitFor(inputs({ fastHealth: false }), report, onDockerTime())
      expect(report.health).toMatchObject({ verdict: 'healthy', startupSeconds: 60.1, notReadyAtSeconds: 30, intervalSeconds: 30 })
    })
  })

  it("looks for probes at most every 250 ms, but at once on Docker's verdict", async () => {
    // a probe every 0.2 s, each with its start and end event; Docker says healthy at 1.02 s
    const events: { at: number; action: string }[] = []
    for (let t = 100; t < 3000; t += 200) events.push({ at: t, action: 'exec_start' }, { at: t + 50, action: 'exec_die' })
    events.push({ at: 1020, action: 'health_status' })
    events.sort((a, b) => a.at - b.at)
    let now = 0
    const waiter = {
      now: () => now,
      count: (action: string) => events.filter(e => e.at <= now && e.action === action).length,
      lastAt: (action: string) => events.filter(e => e.at <= now && e.action === action).at(-1)?.at,
      wait: async (ms: number) => {
        const next = events.find(e => e.at > now)
        now = next && next.at <= now + ms ? next.at : now + ms
      }
    }
    const looks: number[] = []
    script = (_program, args) => {
      if (args[0] !== 'inspect') throw new Error(`unexpected docker ${args.join(' ')}`)
      looks.push(now)
      const healthy = now >= 1020
      return { exitCode: 0, stdout: JSON.stringify(state({ StartedAt: new Date(T0).toISOString(), Health: { Status: healthy ? 'healthy' : 'starting', Log: healthy ? [{ Start: at(1000), End: at(1010), ExitCode: 0, Output: '' }] : [] } })) }
    }
    const report = measuredRun()
    report.health = await waitForHealth(new Container(new Docker(new Processes()), 'c1'), inputs(), report.image, waiter)
    expect(report.health.verdict).toBe('healthy')
    expect(looks.at(-1)).toBe(1020) // the verdict's event is looked at when it comes
    const gaps = looks.slice(1, -1).map((t, i) => t - looks[i])
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(250)
    expect(looks.length).toBeLessThanOrEqual(6) // not one per event (10 probe events by then)
  })

  it("times passing probes from Docker's own stamps: median and slowest", () => {
    const probe = (startMs: number, ms: number, exitCode = 0) => ({ Start: at(startMs), End: at(startMs + ms), ExitCode: exitCode, Output: '' })
    expect(probeTimes([probe(1000, 12), probe(2000, 30), probe(3000, 900, 1), probe(4000, 14)])).toEqual({ passing: 3, medianMs: 14, slowestMs: 30 })
    expect(probeTimes([probe(1000, 12), probe(2000, 20)])).toEqual({ passing: 2, medianMs: 16, slowestMs: 20 })
    expect(probeTimes([probe(1000, 5, 1)])).toBeUndefined()
    expect(probeTimes(undefined)).toBeUndefined()
  })
})

