import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals'
import { fixture, httpd, removeImages, row, runAction, SERVE, takeLeftovers } from './action.js'

// Health verdicts and smoke commands on real containers: each verdict, its timing, its message.

jest.setTimeout(120_000)
const TAG = 'image-gate-e2e/health'
const NON_ROOT = ["RUN echo 'app:x:10001:10001::/:/bin/sh' > /etc/passwd", 'USER 10001']
const HTTPD = httpd()
afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(() => removeImages(TAG))

// A failing image gets its verdict as fast as a healthy one: on the image's own limit, or at the
// first probe when the probe's program cannot run at all (issue 11). Generous bounds; bench/ has
// the measured figures.
describe('failing fast', () => {
  it("an always-failing check with interval 1 s and retries 2: unhealthy on the image's own limit, with default inputs", async () => {
    const run = await runAction({
      context: fixture([...NON_ROOT, 'HEALTHCHECK --interval=1s --retries=2 CMD wget -q -O /dev/null http://127.0.0.1:9999/health', HTTPD]),
      tags: `${TAG}:fails-fast`
    })
    expect(run.outputs).toMatchObject({ health: 'unhealthy', passed: 'false' })
    const h = run.report.runs[0].health
    // Docker's second probe starts a second after the first ended, itself a second after the monitor started
    expect(h.rule).toBe('image-limit')
    expect(h.lastProbeSeconds).toBeGreaterThanOrEqual(2)
    expect(h.limitSeconds).toBeLessThan(3)
    expect(h.verdictSeconds).toBeLessThan(15)
    expect(row(run.summary, 'health')).toContain(
      `| ❌ | health | unhealthy | healthy within ${h.limitSeconds} s (the image&#39;s HEALTHCHECK) | No probe passed within the image&#39;s own limit (interval 1 s, retries 2): Docker starts each probe one interval after the last one ended, so with probes of up to ${h.probeMs} ms its 2nd failed probe in a row would start at ${h.lastProbeSeconds} s and mark it unhealthy at ${h.limitSeconds} s; a fast-health probe that started at ${h.notReadyAtSeconds} s still failed`
    )
    expect(run.seconds).toBeLessThan(60)
  })

  it.each([
    ['shell form', 'HEALTHCHECK --interval=30s CMD curl -f http://127.0.0.1:8080/health || exit 1', '/bin/sh: curl: not found'],
    ['exec form', 'HEALTHCHECK --interval=30s CMD ["curl", "-f", "http://127.0.0.1:8080/health"]', 'executable file not found in $PATH']
  ])('a HEALTHCHECK calling curl in an image without it (%s): unhealthy at the first probe, naming curl and what to use', async (_form, healthcheck, docker) => {
    const run = await runAction({ context: fixture([...NON_ROOT, healthcheck, HTTPD]), tags: `${TAG}:no-curl` })
    expect(run.outputs.health).toBe('unhealthy')
    expect(run.report.runs[0].health).toMatchObject({ rule: 'cannot-run', cannotRun: { program: 'curl', why: 'missing' } })
    expect(run.report.runs[0].health.verdictSeconds).toBeLessThan(15)
    const health = row(run.summary, 'health')
    // busybox has wget (and no python or node): that is what is suggested, on the port httpd listens on
    expect(health).toContain('The probe could not run: `curl` is not in the image (or not on its PATH) (HEALTHCHECK: ')
    expect(health).toContain(
      'Suggested instead, from what the image has (wget; it listens on 8080): `HEALTHCHECK CMD wget -q --spider http://127.0.0.1:8080/health` (point /health at the app&#39;s health endpoint). Or: install curl in the final stage.'
    )
    expect(run.report.runs[0].health.probes[0].output).toContain(docker)
  })

  it('a 404 page is not a missing program: the app answered, the check failed, and the detail says so', async () => {
    const run = await runAction({
      context: fixture([...NON_ROOT, 'HEALTHCHECK --interval=1s --retries=3 CMD wget -q -O /dev/null http://127.0.0.1:8080/not-found', HTTPD]),
      tags: `${TAG}:404`
    })
    expect(run.outputs.health).toBe('unhealthy')
    expect(run.report.runs[0].health.rule).toBe('image-limit')
    expect(run.report.runs[0].health.cannotRun).toBeUndefined()
    expect(run.summary).toContain('404 Not Found')
    expect(row(run.summary, 'health')).not.toContain('could not run')
  })
})

describe('health verdicts', () => {
  it('healthy: an app ready after ~3 s with a 30 s interval gets its verdict within seconds of ready', async () => {
    const run = await runAction({
      context: fixture([...NON_ROOT, SERVE[0], httpd(3)]),
      tags: `${TAG}:slow-start`
    })
    expect(run.outputs.health).toBe('healthy')
    const h = run.report.runs[0].health
    expect(h.startupSeconds).toBeGreaterThanOrEqual(3)
    expect(h.verdictSeconds).toBeLessThan(h.startupSeconds + 1) // probes every 0.1 s while starting, verdict on the event
    expect(h.verdictSeconds).toBeLessThan(10)
  })

  it('healthy the image\'s way with fast-health: false (its own interval, no overrides)', async () => {
    const run = await runAction({
      context: fixture([...NON_ROOT, 'HEALTHCHECK --interval=3s CMD wget -q -O /dev/null http://127.0.0.1:8080/health', HTTPD]),
      tags: `${TAG}:own-interval`,
      'fast-health': 'false'
    })
    expect(run.outputs.health).toBe('healthy')
    // the first probe runs one interval after start
    expect(run.report.runs[0].health.startupSeconds).toBeGreaterThanOrEqual(3)
  })

  it('timeout: a probe that never finishes, with the wait bounded', async () => {
    const run = await runAction({
      context: fixture([...NON_ROOT, 'HEALTHCHECK --timeout=60s CMD sleep 600', HTTPD]),
      tags: `${TAG}:hang`,
      'health-timeout': '2'
    })
    expect(run.outputs).toMatchObject({ health: 'timeout', passed: 'false' })
    expect(row(run.summary, 'health')).toContain('| ❌ | health | not healthy after 2 s | healthy within 2 s | Docker had no verdict')
    // 2 s start period + 3 retries + 5 s grace = 10 s, then out
    expect(run.report.runs[0].health.waitedSeconds).toBeGreaterThanOrEqual(9.5)
    expect(run.report.runs[0].health.waitedSeconds).toBeLessThan(20)
  })

  it('unhealthy: every probe output Docker kept is in the summary', async () => {
    const run = await runAction({
      context: fixture([...NON_ROOT, 'HEALTHCHECK CMD echo "probe at $(date +%s): 503 from /health" && exit 1', HTTPD]),
      tags: `${TAG}:unhealthy`,
      'health-timeout': '1'
    })
    expect(run.outputs.health).toBe('unhealthy')
    expect(run.report.runs[0].health.probes.length).toBeGreaterThanOrEqual(3)
    expect(run.summary).toMatch(/<details><summary>Last (\d health probes|health probe) \(last \d+ lines\)<\/summary>/)
    expect(run.summary).toMatch(/\[exit 1\] probe at \d+: 503 from \/health\n\[exit 1\] probe at \d+: 503 from \/health/)
    // an always-failing check with health-timeout 1: start period, then 3 failures 1 s apart
    expect(run.report.runs[0].health.verdictSeconds).toBeLessThan(10)
  })

  it('exited: verdict within about a second of the exit, with exit code and logs', async () => {
    const run = await runAction({
      context: fixture([...NON_ROOT, SERVE[0], 'CMD ["sh", "-c", "echo starting; sleep 2; echo \\"fatal: port in use\\" >&2; exit 7"]']),
      tags: `${TAG}:dies-later`
    })
    const h = run.report.runs[0].health
    expect(h).toMatchObject({ verdict: 'exited', exitCode: 7, oomKilled: false })
    expect(h.ranSeconds).toBeGreaterThanOrEqual(2)
    expect(h.verdictSeconds - h.ranSeconds).toBeLessThan(1.5)
    expect(h.logTail).toEqual(['starting', 'fatal: port in use'])
    expect(row(run.summary, 'health')).toContain(`| ❌ | health | exited (code 7) | healthy within 120 s | The container stopped ${h.ranSeconds} s after start`)
  })

  it('HEALTHCHECK NONE counts as missing, and the message names both fixes', async () => {
    const run = await runAction({ context: fixture([...NON_ROOT, 'HEALTHCHECK NONE', HTTPD]), tags: `${TAG}:none` })
    expect(run.outputs).toMatchObject({ health: 'missing', passed: 'false' })
    expect(row(run.summary, 'health')).toContain('Add a HEALTHCHECK instruction to the final stage of the Dockerfile, or set the health-cmd input.')
  })

  it('health-cmd fills in for an image without HEALTHCHECK, probed every 0.1 s while starting', async () => {
    const run = await runAction({
      context: fixture([...NON_ROOT, HTTPD]),
      tags: `${TAG}:no-check`,
      'health-cmd': 'wget -q -O /dev/null http://127.0.0.1:8080/health'
    })
    expect(run.outputs.health).toBe('healthy')
    expect(run.report.runs[0].health.startupSeconds).toBeLessThan(5)
    expect(row(run.summary, 'health')).toContain('health-cmd: wget -q -O /dev/null http://127.0.0.1:8080/health')
  })

  it('probe latency: the health row times the passing probes; max-probe-time judges the slowest', async () => {
    const slowProbe = fixture([...NON_ROOT, 'HEALTHCHECK CMD sleep 0.3 && wget -q -O /dev/null http://127.0.0.1:8080/health', HTTPD])
    const run = await runAction({ context: slowProbe, tags: `${TAG}:slow-probe`, 'max-probe-time': '100' })
    expect(run.outputs).toMatchObject({ health: 'healthy', passed: 'false' })
    const times = run.report.runs[0].health.probeTimes
    expect(times.slowestMs).toBeGreaterThanOrEqual(300)
    expect(times.slowestMs).toBeLessThan(3000)
    // then the memory used once healthy (memory.test.ts has the figures)
    expect(row(run.summary, 'health')).toMatch(/\. Probe \d+ ms (\(1 passing probe\)|median, \d+ ms slowest \(\d passing probes\))\. [\d.]+ (kB|MB) of memory used once healthy\. \|$/)
    expect(row(run.summary, 'probe-time')).toMatch(new RegExp(`^\\| ❌ \\| probe-time \\| ${times.slowestMs} ms \\| ≤ 100 ms \\| ${times.slowestMs - 100} ms over max-probe-time`))
    expect(run.stdout).toContain(`image-gate: 1 of 7 checks failed: probe-time (${times.slowestMs} ms)`)
  })

  it('max-startup-time is its own check', async () => {
    const run = await runAction({
      context: fixture([...NON_ROOT, SERVE[0], httpd(3)]),
      tags: `${TAG}:slow-start`,
      'max-startup-time': '1'
    })
    expect(run.outputs).toMatchObject({ health: 'healthy', passed: 'false' })
    expect(run.report.runs[0].checks.filter(c => c.status === 'fail').map(c => c.name)).toEqual(['startup'])
    expect(row(run.summary, 'startup')).toMatch(/^\| ❌ \| startup \| [\d.]+ s, probed every 0.1 s \| ≤ 1 s \| Healthy [\d.]+ s later than max-startup-time: a probe still failed [\d.]+ s after start/)
  })
})

describe('smoke commands', () => {
  it('pass when they exit 0 or stay up, fail with logs when they crash, each in its own row', async () => {
    const run = await runAction({
      context: fixture([...NON_ROOT, ...SERVE]),
      tags: `${TAG}:smoke`,
      // the second is a worker that stops on SIGTERM: still running at the end, it is stopped and timed
      'smoke-commands': ['sh -c "echo migrated; exit 0"', `sh -c "trap 'exit 0' TERM; sleep 600 & wait"`, `sh -c 'echo "worker: cannot reach queue" >&2; exit 3'`].join('\n'),
      'smoke-seconds': '2'
    })
    expect(run.outputs.passed).toBe('false')
    const smoke = run.report.runs[0].checks.filter(c => c.name === 'smoke')
    expect(smoke.map(c => [c.status, c.value.replace(/[\d.]+ s( after SIGTERM)?$/, 'N s$1')])).toEqual([
      ['pass', 'exited 0 after N s'],
      ['pass', 'running after 2 s; exited 0, N s after SIGTERM'],
      ['fail', 'exited (code 3) after N s']
    ])
    expect(run.report.runs[0].smoke[1].stop).toMatchObject({ outcome: 'exited', signal: 'SIGTERM', exitCode: 0 })
    expect(run.report.runs[0].smoke[1].stop.seconds).toBeLessThan(2)
    expect(run.summary).toContain('<details><summary>Smoke log: sh -c echo &quot;worker: cannot reach queue&quot; &gt;&amp;2; exit 3 (last 1 line)</summary>')
    expect(run.summary).toContain('worker: cannot reach queue')
    expect(run.outputs.health).toBe('healthy')
  })
})
