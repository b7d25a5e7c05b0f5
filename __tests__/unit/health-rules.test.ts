import { describe, expect, it } from '@jest/globals'
import { cannotRun, fastTiming, healthCmdLimitSeconds, imageLimitSeconds } from '../../src/rules/health.js'

// The two early "unhealthy" rules, on probe output as Docker 20.10 logged it for real probes.

describe('imageLimitSeconds: when Docker, on the image\'s own settings, says unhealthy', () => {
  it.each([
    [1, 0, 2, 2], // interval 1 s, retries 2: the second failed probe
    [30, 5, 3, 90], // start period 5 s: the 30 s probe is the first that counts, then two more
    [30, 0, 3, 90], // Docker's defaults
    [10, 45, 3, 70], // probes at 10..40 s fall in the start period; 50, 60, 70 count
    [5, 10, 1, 10] // a probe starting exactly at the end of the start period counts
  ])('interval %d s, start period %d s, retries %d: %d s', (interval, startPeriod, retries, limit) => {
    expect(imageLimitSeconds(interval, startPeriod, retries)).toBe(limit)
  })
})

describe('healthCmdLimitSeconds: a health-cmd, on health-start-period and 3 retries a second apart', () => {
  it.each([
    [0, 3], // no start period: the probes at 1, 2 and 3 s
    [10, 12], // the probes at 10, 11 and 12 s count
    [1, 3]
  ])('start period %d s: %d s', (startPeriod, limit) => {
    expect(healthCmdLimitSeconds(startPeriod, 3)).toBe(limit)
  })
})

describe('fastTiming: how often fast-health probes', () => {
  it('every 0.1 s while starting; every second once healthy only where the engine has a start interval', () => {
    expect(fastTiming(true)).toEqual({ intervalSeconds: 1, startIntervalSeconds: 0.1 })
    expect(fastTiming(false)).toEqual({ intervalSeconds: 0.1, startIntervalSeconds: 0.1 })
  })
})

describe('cannotRun: a probe whose program could not run', () => {
  it.each([
    [127, '/bin/sh: curl: not found\n', { program: 'curl', why: 'missing' }], // busybox/alpine ash
    [127, '/bin/sh: 1: curl: not found\n', { program: 'curl', why: 'missing' }], // debian dash
    [127, 'bash: line 1: wget: command not found\n', { program: 'wget', why: 'missing' }],
    [127, 'sh: /app/healthcheck.sh: not found', { program: '/app/healthcheck.sh', why: 'missing' }],
    [126, '/bin/sh: /app/check.sh: Permission denied\n', { program: '/app/check.sh', why: 'not-executable' }],
    [
      -1,
      'OCI runtime exec failed: exec failed: unable to start container process: exec: "curl": executable file not found in $PATH: unknown',
      { program: 'curl', why: 'missing' }
    ],
    [
      -1,
      'OCI runtime exec failed: exec failed: container_linux.go:380: starting container process caused: exec: "/bin/sh": stat /bin/sh: no such file or directory: unknown',
      { program: '/bin/sh', why: 'missing' }
    ],
    [-1, 'OCI runtime exec failed: exec failed: unable to start container process: exec: "/app/hc": permission denied: unknown', { program: '/app/hc', why: 'not-executable' }]
  ])('exit %d, %j', (exitCode, output, expected) => {
    expect(cannotRun(exitCode, output)).toEqual(expected)
  })

  it("counts the shell's own 'not found' under `|| exit 1` when the check calls that program", () => {
    const command = 'curl -f http://127.0.0.1:8080/health || exit 1'
    expect(cannotRun(1, '/bin/sh: curl: not found\n', command)).toEqual({ program: 'curl', why: 'missing' })
    expect(cannotRun(1, 'sh: /app/check.sh: Permission denied', '/app/check.sh || exit 1')).toEqual({ program: '/app/check.sh', why: 'not-executable' })
    // the same words for a program the check does not call are the app's own output
    expect(cannotRun(1, '/bin/sh: curl: not found', 'wget -q -O- http://127.0.0.1:8080/health')).toBeUndefined()
    expect(cannotRun(1, '/bin/sh: curl: not found', 'mycurl -f http://x || exit 1')).toBeUndefined()
  })

  it.each([
    // the app's own answers: a 404 page is a failing check, not a missing program
    [1, 'wget: server returned error: HTTP/1.1 404 Not Found\n'],
    [22, 'curl: (22) The requested URL returned error: 404 Not Found\n'],
    [1, 'Cannot GET /health: route not found'],
    [1, '/bin/sh: curl: not found'], // the words, but not the exit code a shell gives them, nor a check calling curl
    [127, 'health endpoint: not found'], // the exit code, but not a shell's message
    [127, 'refresh: token: not found'],
    [0, ''],
    [1, 'connection refused']
  ])('not for exit %d, %j', (exitCode, output) => {
    expect(cannotRun(exitCode, output)).toBeUndefined()
  })
})
