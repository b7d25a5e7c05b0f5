import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals'
import { writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { activeCommands, fixture, removeImages, row, runAction, SERVE, takeLeftovers } from './action.js'

// The user check's advice on Dockerfiles shaped like the ones people write: FROM node:18-alpine
// (the offline stand-in: a `node` account, UID 1000, and Alpine's adduser/addgroup as shell
// stand-ins), an account created in the final stage and then USER root, no USER at all, and a root
// helper beside a non-root PID 1.

jest.setTimeout(120_000)
const TAG = 'image-gate-e2e/real-user'
afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(() => removeImages(TAG))

/** A context with www/health (for SERVE) and this Dockerfile. */
function context(lines: string[]): string {
  const dir = fixture([])
  writeFileSync(path.join(dir, 'Dockerfile'), `${lines.join('\n')}\n`)
  return dir
}

describe('user advice on real Dockerfiles', () => {
  it('an account created in the final stage, then USER root: fails, and says USER hono', async () => {
    const dir = context([
      'FROM node:18-alpine',
      'RUN addgroup -g 1001 -S nodejs && \\',
      '    adduser -S hono -u 1001 -G nodejs',
      'COPY www /www',
      'USER root',
      ...SERVE
    ])
    const run = await runAction({ context: dir, tags: `${TAG}:user-root` })
    expect(run.outputs).toMatchObject({ health: 'healthy', uid: '0', passed: 'false' })
    // hono, which the Dockerfile creates, is preferred over the base image's node
    expect(run.report.runs[0].user.suggested).toEqual({ name: 'hono', uid: 1001, gid: 1001, from: 'dockerfile' })
    const user = row(run.summary, 'user')
    expect(user).toContain('| ❌ | user | UID 0, GID 0 | non-root | USER root; PID 1 (sh) runs as UID 0. Switch to USER hono (UID 1001), the non-root account the Dockerfile creates.')
    expect(user).not.toContain('give that account its own UID')
    // the annotation on the USER root line carries the same advice
    const annotation = activeCommands(run.stdout).find(l => /^::error .*file=.*line=5::/.test(l))
    expect(annotation).toContain('USER hono')
  })

  it('FROM node:18-alpine with no USER: root by default, and says USER node', async () => {
    const dir = context(['FROM node:18-alpine', 'COPY www /www', ...SERVE])
    const run = await runAction({ context: dir, tags: `${TAG}:no-user` })
    expect(run.outputs).toMatchObject({ health: 'healthy', uid: '0', passed: 'false' })
    expect(run.report.runs[0].user.suggested).toEqual({ name: 'node', uid: 1000, gid: 1000, from: 'image' })
    expect(row(run.summary, 'user')).toContain(
      '| ❌ | user | UID 0, GID 0 | non-root | no USER: root by default; PID 1 (sh) runs as UID 0. Switch to USER node (UID 1000), the non-root account the base image has.'
    )
    expect(row(run.summary, 'user')).not.toContain('from USER')
  })

  it('a root helper beside a non-root PID 1: named, without the host PID', async () => {
    const dir = context([
      'FROM node:18-alpine',
      'RUN adduser -D -u 1001 hono',
      'COPY www /www',
      SERVE[0],
      // PID 1 drops to hono; a sleep started before it stays root
      'CMD ["sh", "-c", "sleep 600 & exec su -s /bin/sh hono -c \\"exec httpd -f -p 8080 -h /www\\""]'
    ])
    // su execs into httpd, which as PID 1 ignores SIGTERM: a short stop-timeout keeps the test quick
    const run = await runAction({ context: dir, tags: `${TAG}:root-helper`, 'stop-timeout': '1' })
    expect(run.outputs).toMatchObject({ health: 'healthy', uid: '1001', passed: 'false' })
    const user = row(run.summary, 'user')
    expect(user).toContain('no USER: root by default; PID 1 (httpd) runs as UID 1001. Also running as UID 0: sleep. Start every process as the unprivileged user')
    // the report keeps docker top's (host) PIDs to tell PID 1 apart; none of them is shown
    const hostPids: number[] = run.report.runs[0].user.processes.map(p => p.pid)
    expect(hostPids.length).toBe(2)
    const shown = [user, row(run.summary, 'stop')].join('\n')
    for (const pid of hostPids) expect(shown).not.toMatch(new RegExp(`\\b${pid}\\b`))
    expect(user).not.toMatch(/PID (?!1\b)\d+/)
  })
})
