import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals'
import * as path from 'node:path'
import { EXAMPLES, leftovers, removeImages, row, runAction } from './action.js'

// The two example services under examples/, built verbatim from their Dockerfiles
// (FROM node:18-alpine: the offline stand-in here, the real image on GitHub).

jest.setTimeout(180_000)
const TAG = 'image-gate-e2e/examples'
afterEach(() => expect(leftovers()).toBe(''))
afterAll(() => removeImages(TAG))


describe('examples/focus-flow-backend', () => {
  it('builds, is healthy in seconds rather than 30 s, is measured, and fails the non-root check', async () => {
    const run = await runAction({ context: path.join(EXAMPLES, 'focus-flow-backend'), tags: `${TAG}:focus-flow` })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ passed: 'false', health: 'healthy', user: '', uid: '0' })
    expect(Number(run.outputs['startup-seconds'])).toBeLessThan(10)
    expect(Number(run.outputs.size)).toBeGreaterThan(10_000_000)
    expect(run.report.checks.map(c => [c.name, c.status])).toEqual([
      ['build', 'pass'],
      ['health', 'pass'],
      ['size', 'skip'],
      ['user', 'fail'],
      ['contents', 'pass'],
      ['stop', 'pass']
    ])
    expect(row(run.summary, 'health')).toContain('HEALTHCHECK: wget --no-verbose --tries=1 --spider http://localhost:3001/health')
    expect(row(run.summary, 'user')).toContain('no USER: root by default; PID 1 (node) runs as UID 0.')
  })
})

describe('examples/tynebase-backend', () => {
  const context = path.join(EXAMPLES, 'tynebase-backend')

  it('passes health through health-cmd and non-root as UID 1001', async () => {
    const run = await runAction({ context, tags: `${TAG}:tynebase`, 'health-cmd': 'wget -q --spider http://127.0.0.1:8080/health', 'max-size': '500MB' })
    expect(run.code).toBe(0)
    expect(run.outputs).toMatchObject({ passed: 'true', health: 'healthy', user: 'nodejs', uid: '1001' })
    expect(row(run.summary, 'health')).toContain('health-cmd: wget -q --spider http://127.0.0.1:8080/health')
    // PID 1 is dumb-init, the entrypoint, and it runs as the image's user too
    expect(row(run.summary, 'user')).toContain('| ✅ | user | UID 1001, GID 1001 | non-root | USER nodejs (UID 1001 in the image); PID 1 (dumb-init) runs as UID 1001.')
    // dumb-init passes SIGTERM on to node, which closes its server and exits
    expect(run.report.stop).toMatchObject({ outcome: 'exited', signal: 'SIGTERM', pid1: 'dumb-init', init: 'dumb-init' })
    expect([0, 143]).toContain(run.report.stop.exitCode)
    expect(run.report.stop.seconds).toBeLessThan(1)
  })

  it('fails health without health-cmd, saying how to fix it', async () => {
    const run = await runAction({ context, tags: `${TAG}:tynebase` })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ passed: 'false', health: 'missing', uid: '1001' })
    expect(row(run.summary, 'health')).toContain(
      '| ❌ | health | no health check | a HEALTHCHECK | The image has no HEALTHCHECK (or HEALTHCHECK NONE) and no health-cmd was given. Add a HEALTHCHECK instruction'
    )
  })

  it('runs the worker entrypoint from the same image with command', async () => {
    const run = await runAction({ context, tags: `${TAG}:tynebase`, command: 'node dist/worker.js', 'require-healthcheck': 'false' })
    expect(run.code).toBe(0)
    expect(run.outputs).toMatchObject({ passed: 'true', health: 'missing', uid: '1001' })
    // the worker finishes its tick and exits 0 on SIGTERM
    expect(run.report.stop).toMatchObject({ outcome: 'exited', exitCode: 0 })
  })
})
