import { writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals'
import { fixture, removeImages, row, runAction, takeLeftovers } from './action.js'

// Why it failed under the run profile (issue 23): an app that writes where read-only forbids, an
// entrypoint that chowns as root under restricted, and the run without the settings when the log
// does not say.

jest.setTimeout(180_000)
const TAG = 'image-gate-e2e/profile-why'
const PROBE = 'HEALTHCHECK --interval=30s --timeout=5s CMD wget -q -O /dev/null http://127.0.0.1:8080/health || exit 1'
const ACCOUNTS = "RUN echo 'root:x:0:0::/:/bin/sh' > /etc/passwd && echo 'app:x:10001:10001::/:/bin/sh' >> /etc/passwd && echo 'root:x:0:' > /etc/group && echo 'app:x:10001:' >> /etc/group"
afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(() => removeImages(TAG))

/** A non-root app (USER app) that serves once `start` (shell) succeeded. */
function app(start: string, extra: string[] = []): string {
  return fixture([ACCOUNTS, 'RUN mkdir /app && chown app /app', ...extra, 'USER app', PROBE, `CMD ["sh", "-c", "${start} && { trap 'exit 0' TERM; httpd -f -p 8080 -h /www & wait; }"]`])
}

describe('read-only', () => {
  const writesData = app('mkdir -p /app/data && echo x > /app/data/started')

  it('an app that writes /app/data at start passes under Docker\'s defaults', async () => {
    const run = await runAction({ context: writesData, tags: `${TAG}:writes` })
    expect(run.outputs.health).toBe('healthy')
    expect(run.report.runs[0].health.profileCause).toBeUndefined()
  })

  it('fails under read-only: true, naming /app/data and read-only, from its log alone', async () => {
    const run = await runAction({ context: writesData, tags: `${TAG}:writes`, 'read-only': 'true' })
    expect(run.outputs).toMatchObject({ health: 'exited', passed: 'false' })
    expect(run.report.runs[0].health.profileCause).toEqual({
      causes: [{ setting: 'read-only', errno: 'read-only', path: '/app/data', sure: true, line: "mkdir: can't create directory '/app/data': Read-only file system" }]
    })
    expect(row(run.summary, 'health')).toContain(
      "`/app/data`: the root filesystem is read-only (read-only: true) — write under /tmp or declare a volume for it (an emptyDir on Kubernetes). It logged: `mkdir: can't create directory '/app/data': Read-only file system`."
    )
    // the line proves it: no second run
    expect(row(run.summary, 'health')).not.toContain('Run again')
  })

  it('an app that runs a program it unpacked to /tmp passes under read-only: true, as on an emptyDir (Docker\'s own --tmpfs is noexec)', async () => {
    // a native module or a JIT does this: write an executable to /tmp, then run it
    const run = await runAction({ context: app('cp /bin/busybox /tmp/true && /tmp/true'), tags: `${TAG}:exec-tmp`, 'read-only': 'true' })
    expect(run.outputs).toMatchObject({ health: 'healthy', passed: 'true' })
    expect(run.report.runs[0].settings).toMatchObject({ readOnly: true })
    expect(run.report.runs[0].health.profileCause).toBeUndefined()
  })

  it('a silent failure under read-only: run again without it, healthy, so read-only broke it', async () => {
    const run = await runAction({ context: app('touch /app/ok 2>/dev/null'), tags: `${TAG}:silent`, 'read-only': 'true' })
    expect(run.outputs).toMatchObject({ health: 'exited', passed: 'false' })
    const cause = run.report.runs[0].health.profileCause
    expect(cause).toMatchObject({ causes: [], rerun: { verdict: 'healthy' } })
    expect(row(run.summary, 'health')).toContain(
      ` Run again without read-only: true, it was healthy after ${cause.rerun.seconds} s: read-only: true broke it, though its log does not say where.`
    )
  })
})

describe('openshift', () => {
  it("an app that writes where its image's user owns fails as the arbitrary UID in group 0, naming the path and the chgrp fix", async () => {
    const run = await runAction({ context: app('mkdir -p /app/data && echo x > /app/data/started'), tags: `${TAG}:writes`, 'run-profile': 'openshift' })
    expect(run.outputs).toMatchObject({ health: 'exited', passed: 'false' })
    expect(run.report.runs[0].health.profileCause.causes).toEqual([
      expect.objectContaining({ setting: 'openshift', errno: 'permission-denied', path: '/app/data' })
    ])
    // a permission denied could be the image's own fault: the run without the profile proves it
    expect(run.report.runs[0].health.profileCause.rerun).toMatchObject({ verdict: 'healthy' })
    expect(row(run.summary, 'health')).toContain(
      "`/app/data`: permission denied — under run-profile: openshift the app runs as an arbitrary UID (1000680000) in group 0, which cannot write what the image&#39;s user owns. At build time: `chgrp -R 0 /app/data && chmod -R g=u /app/data`. It logged: `mkdir: can't create directory '/app/data': Permission denied`. Run again without run-profile: openshift, it was healthy after "
    )
    expect(row(run.summary, 'health')).toContain(' s: run-profile: openshift broke it.')
  })
})

describe('restricted', () => {
  /** Starts as root, chowns the data directory to app, then runs the server as app (as many entrypoints do). */
  function chowning(): string {
    const dir = fixture([ACCOUNTS, 'RUN mkdir -p /app/data', 'COPY entrypoint.sh /entrypoint.sh', PROBE, 'CMD ["sh", "/entrypoint.sh"]'])
    writeFileSync(path.join(dir, 'entrypoint.sh'), ['#!/bin/sh', 'set -e', 'chown -R app /app/data', `exec su app -s /bin/sh -c "trap 'exit 0' TERM; httpd -f -p 8080 -h /www & wait"`, ''].join('\n'))
    return dir
  }

  it('an entrypoint that chowns as root runs under Docker\'s defaults and fails under restricted, naming CAP_CHOWN and the fix', async () => {
    const context = chowning()
    const plain = await runAction({ context, tags: `${TAG}:chown` })
    expect(plain.outputs.health).toBe('healthy')
    const run = await runAction({ context, tags: `${TAG}:chown`, 'run-profile': 'restricted' })
    expect(run.outputs).toMatchObject({ health: 'exited', passed: 'false' })
    expect(run.report.runs[0].health.profileCause.causes).toHaveLength(1)
    expect(run.report.runs[0].health.profileCause.causes[0]).toMatchObject({ setting: 'restricted', operation: 'chown', path: '/app/data', capability: 'CAP_CHOWN', sure: true })
    expect(run.report.runs[0].health.profileCause.rerun).toBeUndefined()
    expect(row(run.summary, 'health')).toContain(
      '`chown /app/data`: operation not permitted — capabilities are dropped under run-profile: restricted (it needs `CAP_CHOWN`). Do the chown at build time (`COPY --chown`, `RUN chown`) and start as the non-root USER, with no root entrypoint that drops privileges. It logged: `chown: /app/data: Operation not permitted`.'
    )
  })

  it('an app that fails whatever the profile: run again without it, it fails too, so restricted is not the cause', async () => {
    const context = fixture([ACCOUNTS, 'USER app', PROBE, `CMD ["sh", "-c", "echo 'fatal: DATABASE_URL is not set' >&2; exit 1"]`])
    const run = await runAction({ context, tags: `${TAG}:fails`, 'run-profile': 'restricted' })
    expect(run.outputs).toMatchObject({ health: 'exited', passed: 'false' })
    expect(run.report.runs[0].health.profileCause).toMatchObject({ causes: [], rerun: { verdict: 'exited', exitCode: 1 } })
    expect(row(run.summary, 'health')).toContain(' Run again without run-profile: restricted, it failed too (exited (code 1)): run-profile: restricted is not the cause.')
  })
})
