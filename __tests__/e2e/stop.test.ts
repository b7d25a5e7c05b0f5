import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals'
import { fixture, leftovers, removeImages, row, runAction, SERVE } from './action.js'

// The stop check on real containers: stopped as docker stop and Kubernetes stop them, timed from
// the signal to the exit, and killed when they ignore it.

jest.setTimeout(120_000)
const TAG = 'image-gate-e2e/stop'
const NON_ROOT = ["RUN echo 'app:x:10001:10001::/:/bin/sh' > /etc/passwd", 'USER 10001']
afterEach(() => expect(leftovers()).toBe(''))
afterAll(() => removeImages(TAG))

describe('stop', () => {
  it('a server as PID 1 without a SIGTERM handler fails at once, not after stop-timeout, and the row says SIGTERM, PID 1 and the fix', async () => {
    // busybox httpd as PID 1 handles no SIGTERM: in its own PID namespace the signal cannot reach it,
    // so docker stop could only kill it after the grace period; that is known at once
    const context = fixture([...NON_ROOT, SERVE[0], 'CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]'])
    const run = await runAction({ context, tags: `${TAG}:ignores`, 'stop-timeout': '30' })
    expect(run.outputs).toMatchObject({ health: 'healthy', passed: 'false', 'stop-seconds': '30', 'stop-exit-code': '137' })
    expect(run.report.stop).toMatchObject({ outcome: 'killed', signal: 'SIGTERM', pid1: 'httpd', unhandled: true })
    expect(run.report.stop.waitedSeconds).toBeLessThan(0.5)
    expect(row(run.summary, 'stop')).toBe(
      '| ❌ | stop | killed after 30 s | exits within 30 s of SIGTERM | PID 1 (httpd) did not exit within 30 s of SIGTERM and was killed (SIGKILL), as docker stop would do (Kubernetes waits 30 s), dropping whatever it was doing. ' +
        'No init runs in the container, and PID 1 ignores SIGTERM unless the app handles it: run it under dumb-init or tini (ENTRYPOINT &#91;&quot;dumb-init&quot;, &quot;--&quot;&#93;), or handle SIGTERM in the app. ' +
        'Known at once: PID 1 has no handler for SIGTERM (its SigCgt mask), so in its own PID namespace the signal cannot reach it and the grace period could only end in SIGKILL; image-gate killed it without waiting. |'
    )
    expect(run.stdout).toContain('::error::image-gate: 1 of 6 checks failed: stop (killed after 30 s)')
    // the whole gate, build included, in far less than the grace period it did not wait out
    expect(run.seconds).toBeLessThan(20)
  })

  it('a process that handles SIGTERM but does not exit is waited for, then killed after stop-timeout', async () => {
    const context = fixture([...NON_ROOT, SERVE[0], `CMD ["sh", "-c", "trap 'echo ignoring TERM' TERM; httpd -f -p 8080 -h /www & while true; do sleep 1; done"]`])
    const run = await runAction({ context, tags: `${TAG}:handles-ignores`, 'stop-timeout': '2' })
    expect(run.report.stop).toMatchObject({ outcome: 'killed', signal: 'SIGTERM', pid1: 'sh' })
    expect(run.report.stop.unhandled).toBeUndefined()
    expect(run.report.stop.waitedSeconds).toBeGreaterThanOrEqual(2)
    expect(row(run.summary, 'stop')).toMatch(/^\| ❌ \| stop \| killed after 2 s \| exits within 2 s of SIGTERM \| PID 1 \(sh\) did not exit within 2 s of SIGTERM/)
  })

  it('STOPSIGNAL SIGKILL fails: exit 137 is a kill, not a graceful stop', async () => {
    const context = fixture([...NON_ROOT, ...SERVE.slice(0, 1), 'STOPSIGNAL SIGKILL', SERVE[1]])
    const run = await runAction({ context, tags: `${TAG}:sigkill` })
    expect(run.report.stop).toMatchObject({ signal: 'SIGKILL', exitCode: 137 })
    expect(run.outputs).toMatchObject({ health: 'healthy', passed: 'false', 'stop-exit-code': '137' })
    expect(row(run.summary, 'stop')).toMatch(/^\| ❌ \| stop \| exited 137, [\d.]+ s after SIGKILL \| exits within 10 s of SIGKILL \| The image&#39;s STOPSIGNAL is SIGKILL: docker stop and Kubernetes kill it outright/)
  })

  it('a container that exits on its own right after it was healthy fails the stop, with its exit code and when', async () => {
    // the app quits (code 3) as soon as its first health probe has passed
    const probed = 'HEALTHCHECK --interval=30s --timeout=5s CMD touch /tmp/probed'
    const app = `CMD ["sh", "-c", "httpd -f -p 8080 -h /www & while [ ! -f /tmp/probed ]; do sleep 0.05; done; echo 'fatal: lost the database'; exit 3"]`
    const run = await runAction({ context: fixture(['RUN mkdir -m 1777 /tmp', ...NON_ROOT, probed, app]), tags: `${TAG}:crashes` })
    expect(run.outputs).toMatchObject({ health: 'healthy', passed: 'false' })
    expect(run.report.stop).toMatchObject({ outcome: 'gone', exitCode: 3 })
    expect(run.report.stop.ranSeconds).toBeGreaterThan(0)
    expect(row(run.summary, 'stop')).toMatch(/^\| ❌ \| stop \| exited on its own \(code 3\) \| exits within 10 s of SIGTERM \| (PID 1 \(sh\)|The container) exited on its own with code 3, [\d.]+ s after it started: after the health wait/)
    expect(run.report.health.logTail).toContain('fatal: lost the database')
    expect(run.stdout).toContain('::error::image-gate: 1 of 6 checks failed: stop (exited on its own (code 3))')
  })

  it('the same server under a shell that traps TERM stops in well under a second', async () => {
    const run = await runAction({ context: fixture([...NON_ROOT, ...SERVE]), tags: `${TAG}:traps` })
    expect(run.outputs).toMatchObject({ passed: 'true', 'stop-exit-code': '0' })
    expect(run.report.stop).toMatchObject({ outcome: 'exited', signal: 'SIGTERM', exitCode: 0, pid1: 'sh' })
    expect(Number(run.outputs['stop-seconds'])).toBeLessThan(1)
    expect(row(run.summary, 'stop')).toMatch(/^\| ✅ \| stop \| exited 0, [\d.]+ s after SIGTERM \| exits within 10 s of SIGTERM \| PID 1 \(sh\) exited on SIGTERM/)
  })

  it("sends the image's own STOPSIGNAL", async () => {
    const context = fixture([...NON_ROOT, SERVE[0], 'STOPSIGNAL SIGINT', `CMD ["sh", "-c", "trap 'exit 0' INT; httpd -f -p 8080 -h /www & wait"]`])
    const run = await runAction({ context, tags: `${TAG}:sigint`, 'stop-timeout': '5' })
    expect(run.outputs.passed).toBe('true')
    expect(run.report.stop).toMatchObject({ outcome: 'exited', signal: 'SIGINT', exitCode: 0 })
    expect(row(run.summary, 'stop')).toContain('| exits within 5 s of SIGINT |')
  })

  it('a container that already exited is not stopped again', async () => {
    const run = await runAction({ context: fixture([...NON_ROOT, SERVE[0], 'CMD ["sh", "-c", "exit 3"]']), tags: `${TAG}:gone` })
    expect(run.outputs).toMatchObject({ health: 'exited', 'stop-seconds': '', 'stop-exit-code': '' })
    expect(row(run.summary, 'stop')).toBe('| ⚪ | stop | not run |  | not run: the container had already exited (see health). |')
  })
})
