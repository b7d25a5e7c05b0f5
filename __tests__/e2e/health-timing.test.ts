import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals'
import { fixture, httpd, removeImages, row, runAction, takeLeftovers } from './action.js'

// How fast and how finely the health wait times an app (issue 21): the probes run every 0.1 s
// while the app starts, so a server ready in milliseconds passes a 1 s budget; and a health-cmd
// that always fails is failed after its start period and three retries, not after health-timeout.

jest.setTimeout(120_000)
const TAG = 'image-gate-e2e/health-timing'
const NON_ROOT = ["RUN echo 'app:x:10001:10001::/:/bin/sh' > /etc/passwd", 'USER 10001']
const PROBE = 'wget -q -O /dev/null http://127.0.0.1:8080/health'
afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(() => removeImages(TAG))

describe('startup, known to a fraction of a second', () => {
  it.each([
    ["the image's own HEALTHCHECK with a 30 s interval", [`HEALTHCHECK --interval=30s --timeout=5s CMD ${PROBE} || exit 1`], {}],
    ['health-cmd', [], { 'health-cmd': PROBE }]
  ])('a static server ready in milliseconds passes max-startup-time: 1 (%s)', async (_how, lines, given) => {
    const run = await runAction({ context: fixture([...NON_ROOT, ...lines, httpd()]), tags: `${TAG}:static`, 'max-startup-time': '1', ...given })
    expect(run.outputs).toMatchObject({ health: 'healthy', passed: 'true' })
    const h = run.report.runs[0].health
    expect(h.startIntervalSeconds).toBe(0.1)
    // the first probe runs a few tenths of a second after start (Docker starts its monitor after the container)
    expect(h.startupSeconds).toBeLessThan(0.8)
    expect(row(run.summary, 'startup')).toBe(`| ✅ | startup | ${h.startupSeconds} s, probed every 0.1 s | ≤ 1 s | Container start to the first passing health probe (probed every 0.1 s while starting). |`)
  })

  it('an app ready after ~1.5 s fails a 1 s budget, a probe having failed after it', async () => {
    const run = await runAction({ context: fixture([...NON_ROOT, httpd(1.5)]), tags: `${TAG}:late`, 'max-startup-time': '1', 'health-cmd': PROBE })
    expect(run.outputs).toMatchObject({ health: 'healthy', passed: 'false' })
    const h = run.report.runs[0].health
    expect(h.startupSeconds).toBeGreaterThanOrEqual(1.5)
    expect(h.startupSeconds).toBeLessThan(2.5)
    // the last failing probe began after the budget, and at most a probe's step before the pass
    expect(h.notReadyAtSeconds).toBeGreaterThanOrEqual(1)
    expect(h.startupSeconds - h.notReadyAtSeconds).toBeLessThan(0.6)
    expect(row(run.summary, 'startup')).toMatch(
      new RegExp(`^\\| ❌ \\| startup \\| ${h.startupSeconds} s, probed every 0.1 s \\| ≤ 1 s \\| Healthy [\\d.]+ s later than max-startup-time: a probe still failed ${h.notReadyAtSeconds} s after start\\.`)
    )
  })
})

describe('health-cmd: a start period, then the retries', () => {
  it('a probe that fails from the first second (a 404) is unhealthy seconds after the start period, not after health-timeout', async () => {
    const run = await runAction({ context: fixture([...NON_ROOT, httpd()]), tags: `${TAG}:always-fails`, 'health-cmd': 'wget -q -O /dev/null http://127.0.0.1:8080/not-found', 'health-start-period': '10' })
    expect(run.outputs).toMatchObject({ health: 'unhealthy', passed: 'false' })
    const h = run.report.runs[0].health
    // health-start-period 10 s, then 3 failed probes, each a second after the last one ended: the
    // first to count starts after 10 s (Docker's monitor, and the probes before, moved it), the third
    // a little over 2 s later
    expect(h).toMatchObject({ rule: 'start-period', startPeriodSeconds: 10 })
    expect(h.lastProbeSeconds).toBeGreaterThanOrEqual(12)
    expect(h.limitSeconds).toBeLessThan(13.5)
    expect(h.notReadyAtSeconds).toBeGreaterThanOrEqual(h.lastProbeSeconds)
    expect(h.verdictSeconds).toBeGreaterThanOrEqual(h.notReadyAtSeconds)
    expect(h.verdictSeconds).toBeLessThan(16)
    expect(h.failedProbes).toBeGreaterThanOrEqual(3)
    expect(row(run.summary, 'health')).toContain(
      `| ❌ | health | unhealthy | healthy within ${h.limitSeconds} s (health-start-period 10 s + retries) | The probe failed ${h.failedProbes} times after the start period and never passed: unhealthy at ${h.limitSeconds} s, on health-start-period 10 s, then 3 failed probes a second apart (each a second after the last one ended; the probes took up to ${h.probeMs} ms; a fast-health probe that started at ${h.notReadyAtSeconds} s still failed). Raise health-start-period if the app needs longer to start (health-cmd: wget -q -O /dev/null http://127.0.0.1:8080/not-found). Last probe exited 1: wget: server returned error: HTTP/1.1 404 Not Found.`
    )
    expect(run.seconds).toBeLessThan(60)
  })

  it.each([
    ['6', 'healthy'],
    ['1', 'unhealthy']
  ])('a slow starter (ready after ~4 s) with health-start-period %s: %s', async (startPeriod, verdict) => {
    const run = await runAction({ context: fixture([...NON_ROOT, httpd(4)]), tags: `${TAG}:slow`, 'health-cmd': PROBE, 'health-start-period': startPeriod })
    expect(run.outputs.health).toBe(verdict)
    const h = run.report.runs[0].health
    if (verdict === 'healthy') {
      expect(h.startupSeconds).toBeGreaterThanOrEqual(4)
      expect(h.startupSeconds).toBeLessThan(5)
    } else {
      // 1 s start period, then 3 failed probes a second after each other ended: past 3 s, before the app listens
      expect(h.rule).toBe('start-period')
      expect(h.limitSeconds).toBeGreaterThan(3)
      expect(h.verdictSeconds).toBeLessThan(4)
      expect(row(run.summary, 'health')).toContain(`after the start period and never passed: unhealthy at ${h.limitSeconds} s, on health-start-period 1 s`)
    }
  })
})
