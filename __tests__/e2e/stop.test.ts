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
  it('a server as PID 1 that ignores SIGTERM is killed after stop-timeout, and the row says SIGTERM, PID 1 and the fix', async () => {
    const context = fixture([...NON_ROOT, SERVE[0], 'CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]'])
    const run = await runAction({ context, tags: `${TAG}:ignores`, 'stop-timeout': '2' })
    expect(run.outputs).toMatchObject({ health: 'healthy', passed: 'false', 'stop-seconds': '2', 'stop-exit-code': '137' })
    expect(run.report.stop).toMatchObject({ outcome: 'killed', signal: 'SIGTERM', pid1: 'httpd' })
    expect(row(run.summary, 'stop')).toBe(
      '| ❌ | stop | killed after 2 s | exits within 2 s of SIGTERM | PID 1 (httpd) did not exit within 2 s of SIGTERM and was killed (SIGKILL), as docker stop would do (Kubernetes waits 30 s), dropping whatever it was doing. ' +
        'No init runs in the container, and PID 1 ignores SIGTERM unless the app handles it: run it under dumb-init or tini (ENTRYPOINT &#91;&quot;dumb-init&quot;, &quot;--&quot;&#93;), or handle SIGTERM in the app. |'
    )
    expect(run.stdout).toContain('::error::image-gate: 1 of 6 checks failed: stop (killed after 2 s)')
    expect(run.seconds).toBeLessThan(60)
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
