import { describe, expect, it } from '@jest/globals'
import { cannotRun, fastTiming } from '../../src/health/rules.js'

// How fast-health probes, and a probe that can never pass, on probe output as Docker 20.10 logged it
// for real probes. Docker's schedule of an image's own probes: probe-schedule.test.ts.

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
