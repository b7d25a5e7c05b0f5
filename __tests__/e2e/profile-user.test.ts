import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals'
import { readFileSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { activeCommands, checkRow, EXAMPLES, fixture, removeImages, row, runAction, SERVE, takeLeftovers, type ActionRun } from './action.js'

// The user check under run-profile, on real containers: a USER name Kubernetes' runAsNonRoot cannot
// verify fails restricted and openshift with its UID as the fix, and is advice under Docker's
// defaults; under openshift the container runs as OpenShift's UID in group 0, and the row says so.

jest.setTimeout(180_000)
const TAG = 'image-gate-e2e/profile-user'
afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(() => removeImages(TAG))

/**
 * FROM node:18-alpine (the offline stand-in: Alpine's adduser, busybox httpd and wget), whose final
 * stage makes appuser UID 10001 (adduser -D gives it its own group, GID 10001), serving /www as `user`.
 */
function appImage(user: string): string {
  const dir = fixture([])
  writeFileSync(path.join(dir, 'Dockerfile'), `${['FROM node:18-alpine', 'RUN adduser -D -u 10001 appuser', 'COPY www /www', user, ...SERVE].join('\n')}\n`)
  return dir
}
const REFUSED = '"container has runAsNonRoot and image has non-numeric user (appuser), cannot verify user is non-root"'
const FIX = 'Use USER 10001:10001 — the UID of appuser in this image — so Kubernetes can verify it is not root.'
const OPENSHIFT = "its restricted-v2 SCC runs every image as the project's UID, here 1000680000, in group 0"

/** PID 1 runs as `uid`, as the detail says it (with the host UID on an engine with userns-remap). */
const runsAs = (run: ActionRun, uid: number) => {
  const remap = run.report.runs[0].user?.remap
  return remap ? `runs as UID ${uid} inside the container (host UID ${remap.uid + uid} under the engine's userns-remap).` : `runs as UID ${uid}.`
}
/** The summary's rendering of a detail (the table escapes quotes and apostrophes). */
const inSummary = (text: string) => text.replace(/"/g, '&quot;').replace(/'/g, '&#39;')
const statuses = (run: ActionRun) => run.report.runs[0].checks.map(c => [c.name, c.status])

/** The annotations of a run on its Dockerfile, with the text of the line each points at. */
function annotations(run: ActionRun, context: string) {
  const lines = readFileSync(path.join(context, 'Dockerfile'), 'utf8').split('\n')
  return activeCommands(run.stdout)
    .filter(l => /^::(error|warning) .*file=/.test(l))
    .map(l => {
      const m = /^::(error|warning) title=(.*?),file=.*?,line=(\d+)::/.exec(l)!
      return { level: m[1], title: m[2].replace(/%3A/g, ':').replace(/%2C/g, ','), line: lines[Number(m[3]) - 1] }
    })
}

describe('a USER name under each run-profile', () => {
  const context = appImage('USER appuser')

  it('restricted: healthy as UID 10001, and fails the user row: Kubernetes cannot verify appuser, so USER 10001:10001', async () => {
    const run = await runAction({ context, tags: `${TAG}:appuser`, 'run-profile': 'restricted' })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ passed: 'false', health: 'healthy', user: 'appuser', uid: '10001' })
    expect(statuses(run)).toEqual([
      ['build', 'pass'],
      ['health', 'pass'],
      ['size', 'skip'],
      ['user', 'fail'],
      ['contents', 'pass'],
      ['stop', 'pass']
    ])
    const detail = `USER appuser (UID 10001 in the image); PID 1 (sh) ${runsAs(run, 10001)} Kubernetes refuses it under runAsNonRoot, which the restricted profile requires: ${REFUSED}. ${FIX}`
    expect(checkRow(run, 'user')).toMatchObject({ value: 'UID 10001, GID 10001', limit: 'non-root, numeric USER', detail })
    expect(row(run.summary, 'user')).toBe(`| ❌ | user | UID 10001, GID 10001 | non-root, numeric USER | ${inSummary(detail)} |`)
    expect(run.summary).toContain("ran under Kubernetes&#39; restricted profile (every capability dropped, no-new-privileges)")
    expect(annotations(run, context)).toEqual([{ level: 'error', title: 'image-gate: Kubernetes cannot verify this USER is not root', line: 'USER appuser' }])
  })

  it('restricted: the same image with USER 10001 passes every check', async () => {
    const numeric = appImage('USER 10001')
    const run = await runAction({ context: numeric, tags: `${TAG}:numeric`, 'run-profile': 'restricted' })
    expect(run.code).toBe(0)
    expect(run.outputs).toMatchObject({ passed: 'true', health: 'healthy', user: '10001', uid: '10001' })
    expect(checkRow(run, 'user')).toMatchObject({ status: 'pass', value: 'UID 10001, GID 10001', limit: 'non-root, numeric USER', detail: `USER 10001; PID 1 (sh) ${runsAs(run, 10001)}` })
    expect(annotations(run, numeric)).toEqual([])
  })

  it('docker (the default): USER appuser passes, with the numeric USER as advice in the row and a warning on its line', async () => {
    const run = await runAction({ context, tags: `${TAG}:appuser` })
    expect(run.code).toBe(0)
    expect(run.outputs).toMatchObject({ passed: 'true', health: 'healthy', uid: '10001' })
    const detail = `USER appuser (UID 10001 in the image); PID 1 (sh) ${runsAs(run, 10001)} For Kubernetes, use USER 10001:10001 — the UID of appuser in this image — so runAsNonRoot can verify it is not root: a user name is refused there (run-profile: restricted fails it).`
    expect(checkRow(run, 'user')).toMatchObject({ status: 'pass', limit: 'non-root', detail })
    expect(run.summary).not.toContain('ran under')
    expect(annotations(run, context)).toEqual([{ level: 'warning', title: 'image-gate: Kubernetes cannot verify this USER is not root', line: 'USER appuser' }])
  })

  it("openshift: runs as UID 1000680000 in group 0, says USER is not what runs, and fails USER appuser by the numeric rule", async () => {
    const run = await runAction({ context, tags: `${TAG}:appuser`, 'run-profile': 'openshift' })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ passed: 'false', health: 'healthy', user: 'appuser', uid: '1000680000' })
    expect(run.report.runs[0].user).toMatchObject({ uid: 1000680000, gid: 0, resolvedUid: 10001, resolvedGid: 10001 })
    const detail =
      `USER appuser (UID 10001 in the image), which OpenShift does not use: ${OPENSHIFT}; PID 1 (sh) ${runsAs(run, 1000680000)} ` +
      `OpenShift's restricted-v2 SCC runs it anyway, as its own UID; where the UID is left to the image (the nonroot-v2 SCC, or Kubernetes with runAsNonRoot) it is refused: ${REFUSED}. ${FIX}`
    expect(checkRow(run, 'user')).toMatchObject({ status: 'fail', value: 'UID 1000680000, GID 0', detail })
    expect(row(run.summary, 'user')).toBe(`| ❌ | user | UID 1000680000, GID 0 | non-root, numeric USER | ${inSummary(detail)} |`)
    expect(run.summary).toContain('ran under OpenShift (restricted, as UID 1000680000 in group 0)')
  })
})

describe('the examples under run-profile: openshift', () => {
  it('TyneBase (USER nodejs, UID 1001) is healthy as UID 1000680000 and fails only the user row, by its USER name', async () => {
    const run = await runAction({
      context: path.join(EXAMPLES, 'tynebase-backend'),
      tags: `${TAG}:tynebase`,
      'health-cmd': 'wget -q --spider http://127.0.0.1:8080/health',
      'max-size': '500MB',
      'run-profile': 'openshift'
    })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ passed: 'false', health: 'healthy', user: 'nodejs', uid: '1000680000' })
    expect(statuses(run).filter(([, status]) => status === 'fail')).toEqual([['user', 'fail']])
    const detail =
      `USER nodejs (UID 1001 in the image), which OpenShift does not use: ${OPENSHIFT}; PID 1 (dumb-init) ${runsAs(run, 1000680000)} ` +
      "OpenShift's restricted-v2 SCC runs it anyway, as its own UID; where the UID is left to the image (the nonroot-v2 SCC, or Kubernetes with runAsNonRoot) it is refused: " +
      '"container has runAsNonRoot and image has non-numeric user (nodejs), cannot verify user is non-root". Use USER 1001:1001 — the UID of nodejs in this image — so Kubernetes can verify it is not root.'
    expect(row(run.summary, 'user')).toBe(`| ❌ | user | UID 1000680000, GID 0 | non-root, numeric USER | ${inSummary(detail)} |`)
    // what it used once healthy, as the engine counts it, in the health row
    expect(run.report.runs[0].health.memory?.usedBytes).toBeGreaterThan(1_000_000)
    expect(row(run.summary, 'health')).toMatch(/ \d+(\.\d+)? MB of memory used once healthy\. \|$/)
  })

  it('focus-flow (no USER: root) is healthy as UID 1000680000 and fails only the user row: root wherever the image decides the UID', async () => {
    const run = await runAction({ context: path.join(EXAMPLES, 'focus-flow-backend'), tags: `${TAG}:focus-flow`, 'run-profile': 'openshift' })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ passed: 'false', health: 'healthy', user: '', uid: '1000680000' })
    expect(statuses(run).filter(([, status]) => status === 'fail')).toEqual([['user', 'fail']])
    const detail =
      `no USER: root by default, which OpenShift does not use: ${OPENSHIFT}; PID 1 (node) ${runsAs(run, 1000680000)} ` +
      "OpenShift's restricted-v2 SCC runs it anyway, as its own UID; where the UID is left to the image (the nonroot-v2 SCC, or Kubernetes with runAsNonRoot) it is refused: " +
      '"container has runAsNonRoot and image will run as root". Switch to USER 1000:1000 (node, the non-root account the base image has): numeric, so Kubernetes\' runAsNonRoot can verify it.'
    expect(row(run.summary, 'user')).toBe(`| ❌ | user | UID 1000680000, GID 0 | non-root, numeric USER | ${inSummary(detail)} |`)
  })
})
