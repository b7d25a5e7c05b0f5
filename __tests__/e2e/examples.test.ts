import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals'
import * as path from 'node:path'
import { EXAMPLES, removeImages, row, runAction, standin, takeLeftovers } from './action.js'

// The example services under examples/, built verbatim from their Dockerfiles (FROM node:18-alpine,
// python:3.11-slim, golang:1.19: the offline stand-ins here, the real images on GitHub).

jest.setTimeout(180_000)
const TAG = 'image-gate-e2e/examples'
afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(() => removeImages(TAG))


describe('examples/focus-flow-backend', () => {
  it('builds, is healthy in seconds rather than 30 s, is measured, and fails the non-root check', async () => {
    const run = await runAction({ context: path.join(EXAMPLES, 'focus-flow-backend'), tags: `${TAG}:focus-flow` })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ passed: 'false', health: 'healthy', user: '', uid: '0' })
    expect(Number(run.outputs['startup-seconds'])).toBeLessThan(10)
    expect(Number(run.outputs.size)).toBeGreaterThan(10_000_000)
    expect(run.report.runs[0].checks.map(c => [c.name, c.status])).toEqual([
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
    expect(run.report.runs[0].stop).toMatchObject({ outcome: 'exited', signal: 'SIGTERM', pid1: 'dumb-init', init: 'dumb-init' })
    expect([0, 143]).toContain(run.report.runs[0].stop.exitCode)
    expect(run.report.runs[0].stop.seconds).toBeLessThan(1)
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
    expect(run.report.runs[0].stop).toMatchObject({ outcome: 'exited', exitCode: 0 })
  })
})

describe('examples/booking-api (Python)', () => {
  it('passes every check: healthy through its python urllib HEALTHCHECK, UID 10001, exits 0 on SIGTERM', async () => {
    const run = await runAction({ context: path.join(EXAMPLES, 'booking-api'), tags: `${TAG}:booking-api`, 'max-size': '200MB' })
    expect(run.code).toBe(0)
    expect(run.outputs).toMatchObject({ passed: 'true', health: 'healthy', user: '10001:10001', uid: '10001' })
    // healthy as soon as the server answers, not after the image's 30 s interval (a python probe takes about a second here)
    expect(Number(run.outputs['startup-seconds'])).toBeLessThan(10)
    expect(run.report.runs[0].checks.map(c => [c.name, c.status])).toEqual([
      ['build', 'pass'],
      ['health', 'pass'],
      ['size', 'pass'],
      ['user', 'pass'],
      ['contents', 'pass'],
      ['stop', 'pass']
    ])
    // the slim image has no wget or curl: its HEALTHCHECK is python's urllib, in exec form
    expect(row(run.summary, 'health')).toMatch(/^\| ✅ \| health \| healthy after [\d.]+ s \| healthy within 120 s \| /)
    expect(row(run.summary, 'health')).toContain(
      'HEALTHCHECK: python -c import urllib.request; urllib.request.urlopen(&#39;http://127.0.0.1:8000/health&#39;, timeout=3).'
    )
    expect(row(run.summary, 'user')).toBe('| ✅ | user | UID 10001, GID 10001 | non-root | USER 10001:10001; PID 1 (python) runs as UID 10001. |')
    // its SIGTERM handler shuts the server down: python, PID 1 without an init, exits 0
    expect(run.report.runs[0].stop).toMatchObject({ outcome: 'exited', signal: 'SIGTERM', exitCode: 0, pid1: 'python' })
    expect(run.report.runs[0].stop.seconds).toBeLessThan(2)
    expect(row(run.summary, 'stop')).toMatch(
      /^\| ✅ \| stop \| exited 0, [\d.]+ s after SIGTERM \| exits within 10 s of SIGTERM \| PID 1 \(python\) exited on SIGTERM, as docker stop and Kubernetes expect\. \|$/
    )
  })
})

describe('examples/shortlinks (Go, FROM scratch)', () => {
  // the golang:1.19 stand-in takes a minute to make the first time: not on the test's clock
  beforeAll(() => standin('golang'), 300_000)

  it('passes every check: healthy through its own -healthcheck in exec form, UID 65532, exits 0 on SIGTERM', async () => {
    const run = await runAction({ context: path.join(EXAMPLES, 'shortlinks'), tags: `${TAG}:shortlinks`, 'max-size': '20MB' })
    expect(run.code).toBe(0)
    expect(run.outputs).toMatchObject({ passed: 'true', health: 'healthy', user: '65532:65532', uid: '65532' })
    expect(Number(run.outputs['startup-seconds'])).toBeLessThan(5)
    // one static binary and nothing else
    expect(Number(run.outputs.size)).toBeGreaterThan(1_000_000)
    expect(Number(run.outputs.size)).toBeLessThan(20_000_000)
    expect(run.report.runs[0].checks.map(c => [c.name, c.status])).toEqual([
      ['build', 'pass'],
      ['health', 'pass'],
      ['size', 'pass'],
      ['user', 'pass'],
      ['contents', 'pass'],
      ['stop', 'pass']
    ])
    // no shell in scratch: the HEALTHCHECK runs the binary itself
    expect(row(run.summary, 'health')).toMatch(/^\| ✅ \| health \| healthy after [\d.]+ s \| healthy within 120 s \| HEALTHCHECK: \/shortlinks -healthcheck\. /)
    expect(row(run.summary, 'user')).toBe('| ✅ | user | UID 65532, GID 65532 | non-root | USER 65532:65532; PID 1 (shortlinks) runs as UID 65532. |')
    // signal.NotifyContext and Shutdown: without them Go's runtime would end it with exit code 2
    expect(run.report.runs[0].stop).toMatchObject({ outcome: 'exited', signal: 'SIGTERM', exitCode: 0, pid1: 'shortlinks' })
    expect(run.report.runs[0].stop.seconds).toBeLessThan(2)
    expect(row(run.summary, 'stop')).toMatch(
      /^\| ✅ \| stop \| exited 0, [\d.]+ s after SIGTERM \| exits within 10 s of SIGTERM \| PID 1 \(shortlinks\) exited on SIGTERM, as docker stop and Kubernetes expect\. \|$/
    )
  })
})
