import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { runAsNonRootRefusal } from '../../src/advice/user.js'
import { userCheck } from '../../src/checks/user.js'
import type { ContainerState } from '../../src/docker/container.js'
import type { Docker } from '../../src/docker/docker.js'
import { Secrets } from '../../src/secrets.js'
import type { Inputs } from '../../src/inputs/inputs.js'
import { annotateUser } from '../../src/publish/annotations.js'
import type { Report, PlatformRun } from '../../src/report/report.js'
import { silent, type Place } from '../../src/sink.js'
import { inspectImage } from '../../src/stages/inspect.js'
import { profileOf } from '../../src/stages/profile.js'
import { measureUser, readAccounts } from '../../src/user/measure.js'
import { inputs, measuredRun, reportOf } from './fixtures.js'
import { Container } from '../../src/docker/handle.js'

// The user check under run-profile: the USER Kubernetes' runAsNonRoot can verify (a number), the
// UID OpenShift gives, and Docker 29's missing Config.User read as no USER at all.

type Options = Partial<Pick<Inputs, 'runProfile' | 'requireNonRoot'>>

/** The user row of an image with `user` whose PID 1 ran as `measured`, under `options`. */
function judge(user: string | undefined, measured: PlatformRun['user'], options: Options = {}) {
  const opts = inputs({ runProfile: 'docker', ...options })
  const report = measuredRun()
  report.image.user = user
  report.user = measured
  report.settings = profileOf(opts)
  return { row: userCheck(report, opts)[0], report }
}

// USER appuser: UID 10001, GID 10001 in the image's /etc/passwd
const APPUSER = { resolvedUid: 10001, resolvedGid: 10001, uid: 10001, gid: 10001, pid: 4242, process: 'node', processes: [{ pid: 4242, uid: 10001, gid: 10001, command: 'node' }] }
const ROOT = { resolvedUid: 0, resolvedGid: 0, uid: 0, gid: 0, pid: 4242, process: 'node', processes: [{ pid: 4242, uid: 0, gid: 0, command: 'node' }] }
// what openshift runs, whatever USER says: --user 1000680000:0
const OPENSHIFT = { uid: 1000680000, gid: 0, pid: 4242, process: 'node', processes: [{ pid: 4242, uid: 1000680000, gid: 0, command: 'node' }] }

describe("runAsNonRootRefusal: the kubelet's verdict on USER", () => {
  it.each([
    ['', 'root'],
    [undefined, 'root'],
    ['0', 'root'],
    ['0:0', 'root'],
    ['00', 'root'],
    [':1000', 'root'],
    ['root', 'name'],
    ['appuser', 'name'],
    ['appuser:10001', 'name'],
    ['10001', undefined],
    ['10001:appgroup', undefined]
  ])('USER %j: %s', (user, kind) => {
    expect(runAsNonRootRefusal(user)?.kind).toBe(kind)
  })

  it("says it in the kubelet's own words", () => {
    expect(runAsNonRootRefusal('nodejs:nodejs')?.words).toBe('container has runAsNonRoot and image has non-numeric user (nodejs), cannot verify user is non-root')
    expect(runAsNonRootRefusal('')?.words).toBe('container has runAsNonRoot and image will run as root')
  })
})

describe('run-profile: docker (the default)', () => {
  it('passes USER appuser, with the numeric USER Kubernetes needs as one sentence of advice', () => {
    const { row } = judge('appuser', APPUSER)
    expect(row).toEqual({
      name: 'user',
      status: 'pass',
      value: 'UID 10001, GID 10001',
      limit: 'non-root',
      detail:
        'USER appuser (UID 10001 in the image); PID 1 (node) runs as UID 10001. For Kubernetes, use USER 10001:10001 — the UID of appuser in this image — so runAsNonRoot can verify it is not root: a user name is refused there (run-profile: restricted fails it).'
    })
  })

  it('the advice keeps the group USER names: appuser:staff is 10001:50', () => {
    const { row } = judge('appuser:staff', { ...APPUSER, resolvedGid: 50, gid: 50 })
    expect(row.detail).toContain('use USER 10001:50 — the UID of appuser in this image —')
  })

  it('gives no advice for a numeric USER, and none on a failing row (the root fix comes first)', () => {
    expect(judge('10001', { ...APPUSER, resolvedUid: 10001 }).row.detail).toBe('USER 10001; PID 1 (node) runs as UID 10001.')
    expect(judge('root', ROOT).row.detail).not.toContain('For Kubernetes')
  })
})

describe('run-profile: restricted', () => {
  it('fails USER appuser although it runs as UID 10001: Kubernetes refuses it, and the fix is its number', () => {
    const { row } = judge('appuser', APPUSER, { runProfile: 'restricted' })
    expect(row).toEqual({
      name: 'user',
      status: 'fail',
      value: 'UID 10001, GID 10001',
      limit: 'non-root, numeric USER',
      detail:
        'USER appuser (UID 10001 in the image); PID 1 (node) runs as UID 10001. Kubernetes refuses it under runAsNonRoot, which the restricted profile requires: "container has runAsNonRoot and image has non-numeric user (appuser), cannot verify user is non-root". Use USER 10001:10001 — the UID of appuser in this image — so Kubernetes can verify it is not root.'
    })
  })

  it('passes USER 10001', () => {
    const { row } = judge('10001', { ...APPUSER, resolvedGid: 0, gid: 0 }, { runProfile: 'restricted' })
    expect(row).toEqual({ name: 'user', status: 'pass', value: 'UID 10001, GID 0', limit: 'non-root, numeric USER', detail: 'USER 10001; PID 1 (node) runs as UID 10001.' })
  })

  it('fails a root image in the kubelet\'s words, and the account to switch to is given by number', () => {
    const { row } = judge('', { ...ROOT, suggested: { name: 'node', uid: 1000, gid: 1000, from: 'image' } }, { runProfile: 'restricted' })
    expect(row).toMatchObject({ status: 'fail', value: 'UID 0, GID 0', limit: 'non-root, numeric USER' })
    expect(row.detail).toBe(
      'no USER: root by default; PID 1 (node) runs as UID 0. Kubernetes refuses it under runAsNonRoot, which the restricted profile requires: "container has runAsNonRoot and image will run as root". Switch to USER 1000:1000 (node, the non-root account the base image has): numeric, so Kubernetes\' runAsNonRoot can verify it.'
    )
  })

  it('USER root: the kubelet names it as the name it cannot verify; no account: create one and set it by number', () => {
    const { row } = judge('root', { ...ROOT, base: { shell: true, os: 'alpine' } }, { runProfile: 'restricted' })
    expect(row.detail).toBe(
      'USER root; PID 1 (node) runs as UID 0. Kubernetes refuses it under runAsNonRoot, which the restricted profile requires: "container has runAsNonRoot and image has non-numeric user (root), cannot verify user is non-root". Create a non-root account in the final stage and switch to it (RUN adduser -D -u 10001 app, then USER 10001, by number for runAsNonRoot).'
    )
  })

  it('an account that is UID 0 in the image: its own UID, set by number (not "use USER 0")', () => {
    const { row } = judge('app', ROOT, { runProfile: 'restricted' })
    expect(row.detail).toContain("USER app is UID 0 in the image's /etc/passwd: give that account its own UID (e.g. 10001) and set USER by that number.")
    expect(row.detail).not.toMatch(/USER 0:0/)
  })

  it('require-non-root: false does not waive it: the pod would not start', () => {
    const { row } = judge('appuser', APPUSER, { runProfile: 'restricted', requireNonRoot: false })
    expect(row.status).toBe('fail')
    expect(row.detail).toMatch(/so Kubernetes can verify it is not root\. require-non-root: false does not waive this: Kubernetes would not start the pod\.$/)
    // what Kubernetes does not see (a root helper beside a numeric USER) it still waives
    const helper = { ...APPUSER, processes: [...APPUSER.processes, { pid: 4250, uid: 0, gid: 0, command: 'crond' }] }
    expect(judge('10001', helper, { runProfile: 'restricted', requireNonRoot: false }).row).toMatchObject({ status: 'skip', limit: '' })
  })

  it('a container that died is judged by its USER as the kubelet reads it', () => {
    const { row } = judge('appuser', { resolvedUid: 10001, resolvedGid: 10001, unknownReason: 'the container was not running' }, { runProfile: 'restricted' })
    expect(row).toMatchObject({ status: 'fail', value: 'UID 10001 (from USER)' })
    expect(row.detail).toContain('Use USER 10001:10001 — the UID of appuser in this image —')
  })
})

describe('run-profile: openshift', () => {
  it("says the UID is the platform's, not USER's, and fails USER nodejs by the numeric rule, saying restricted-v2 would run it", () => {
    const { row } = judge('nodejs', { ...OPENSHIFT, resolvedUid: 1001, resolvedGid: 1001 }, { runProfile: 'openshift' })
    expect(row).toEqual({
      name: 'user',
      status: 'fail',
      value: 'UID 1000680000, GID 0',
      limit: 'non-root, numeric USER',
      detail:
        'USER nodejs (UID 1001 in the image), which OpenShift does not use: its restricted-v2 SCC runs every image as the project\'s UID, here 1000680000, in group 0; PID 1 (node) runs as UID 1000680000. OpenShift\'s restricted-v2 SCC runs it anyway, as its own UID; where the UID is left to the image (the nonroot-v2 SCC, or Kubernetes with runAsNonRoot) it is refused: "container has runAsNonRoot and image has non-numeric user (nodejs), cannot verify user is non-root". Use USER 1001:1001 — the UID of nodejs in this image — so Kubernetes can verify it is not root.'
    })
  })

  it('passes a numeric USER, as the UID OpenShift gives', () => {
    const { row } = judge('10001', { ...OPENSHIFT, resolvedUid: 10001, resolvedGid: 0 }, { runProfile: 'openshift' })
    expect(row).toEqual({
      name: 'user',
      status: 'pass',
      value: 'UID 1000680000, GID 0',
      limit: 'non-root, numeric USER',
      detail: "USER 10001, which OpenShift does not use: its restricted-v2 SCC runs every image as the project's UID, here 1000680000, in group 0; PID 1 (node) runs as UID 1000680000."
    })
  })

  it('a root image does not run as root there, and says so; it fails where USER decides, unless require-non-root: false', () => {
    const measured = { ...OPENSHIFT, resolvedUid: 0, resolvedGid: 0 }
    const { row } = judge('', measured, { runProfile: 'openshift' })
    expect(row.value).toBe('UID 1000680000, GID 0')
    expect(row.detail).toMatch(/^no USER: root by default, which OpenShift does not use: .*; PID 1 \(node\) runs as UID 1000680000\. OpenShift's restricted-v2 SCC runs it anyway/)
    expect(row.detail).toContain('"container has runAsNonRoot and image will run as root"')
    expect(row.status).toBe('fail')
    expect(judge('', measured, { runProfile: 'openshift', requireNonRoot: false }).row).toMatchObject({ status: 'skip', limit: '', value: 'UID 1000680000, GID 0' })
  })

  it("a container that died: the UID is still OpenShift's, not USER's", () => {
    const { row } = judge('10001', { resolvedUid: 10001, resolvedGid: 0, unknownReason: 'the container was not running' }, { runProfile: 'openshift' })
    expect(row).toMatchObject({ status: 'pass', value: "UID 1000680000, GID 0 (OpenShift's)" })
    expect(row.detail).toBe(
      "USER 10001, which OpenShift does not use: its restricted-v2 SCC runs every image as the project's UID, here 1000680000, in group 0. Runtime user not read (the container was not running), so this is the UID OpenShift gives."
    )
  })
})

describe('a missing Config.User (Docker 29 leaves an empty one out) is no USER: root', () => {
  it('inspect reads it as ""', async () => {
    const docker = { ok: async () => JSON.stringify([{ Id: 'sha256:1', Size: 1, Config: { Cmd: ['node'] } }]), secrets: new Secrets() } as unknown as Docker
    expect((await inspectImage(docker, 'app')).user).toBe('')
  })

  it('the user stage resolves it as root without any passwd file', async () => {
    const top = 'PID PPID RUID EUID EGID COMMAND\n4242 4200 0 0 0 node\n'
    const docker = {
      call: async (args: string[]) => (args[0] === 'top' ? { exitCode: 0, stdout: top, stderr: '' } : { exitCode: 1, stdout: '', stderr: 'no such file' })
    } as unknown as Docker
    const user = await measureUser(new Container(docker, 'c'), readAccounts(new Container(docker, 'c'), mkdtempSync(path.join(tmpdir(), 'user-test-'))), { Running: true, Pid: 4242 } as ContainerState, '')
    expect(user).toMatchObject({ resolvedUid: 0, resolvedGid: 0, uid: 0 })
  })

  it.each(['docker', 'restricted', 'openshift'] as const)('the %s row of an undefined user is the row of ""', runProfile => {
    for (const measured of [ROOT, OPENSHIFT, { resolvedUid: 0, resolvedGid: 0, unknownReason: 'the container was not running' }]) {
      for (const requireNonRoot of [true, false]) {
        const missing = judge(undefined, measured, { runProfile, requireNonRoot }).row
        expect(missing).toEqual(judge('', measured, { runProfile, requireNonRoot }).row)
        if (runProfile === 'docker') expect(missing.detail).toMatch(/^no USER: root by default/)
      }
    }
    expect(judge(undefined, ROOT, { runProfile }).row.status).toBe('fail')
  })
})

describe('annotateUser', () => {
  /** The annotations on a Dockerfile whose line 3 is `user`, for the judged report. */
  const annotations = (report: Report, user: string) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'annotate-user-'))
    const file = path.join(dir, 'Dockerfile')
    writeFileSync(file, `FROM node:18-alpine\nRUN adduser -D -u 10001 appuser\n${user}\nCMD ["node", "server.js"]\n`)
    const said: { level: string; message: string; place?: Place }[] = []
    const sink = { ...silent, warning: (message: string, place?: Place) => said.push({ level: 'warning', message, place }), error: (message: string, place?: Place) => said.push({ level: 'error', message, place }) }
    annotateUser(report, { file, target: '' }, sink, dir)
    return said
  }
  const judgedReport = (user: string, measured: PlatformRun['user'], options: Options) => {
    const { row, report } = judge(user, measured, options)
    report.checks = [row]
    return report
  }

  it('docker: a warning with the advice on the USER line', () => {
    const report = judgedReport('appuser', APPUSER, {})
    expect(annotations(reportOf(report), 'USER appuser')).toEqual([
      { level: 'warning', message: report.checks[0].detail, place: { title: 'image-gate: Kubernetes cannot verify this USER is not root', file: 'Dockerfile', line: 3 } }
    ])
  })

  it('restricted: an error with the fix on the USER line', () => {
    const report = judgedReport('appuser', APPUSER, { runProfile: 'restricted' })
    const [said] = annotations(reportOf(report), 'USER appuser')
    expect(said).toMatchObject({ level: 'error', place: { title: 'image-gate: Kubernetes cannot verify this USER is not root', line: 3 } })
    expect(said.message).toContain('Use USER 10001:10001 — the UID of appuser in this image —')
  })

  it("openshift: a root USER is not said to run as root, since OpenShift's UID ran", () => {
    const report = judgedReport('root', { ...OPENSHIFT, resolvedUid: 0, resolvedGid: 0 }, { runProfile: 'openshift' })
    expect(annotations(reportOf(report), 'USER root')[0]).toMatchObject({ level: 'error', place: { title: 'image-gate: this USER is root wherever the image decides the UID' } })
  })

  it('nothing for a numeric non-root USER', () => {
    expect(annotations(reportOf(judgedReport('10001', { ...APPUSER, resolvedGid: 0 }, { runProfile: 'restricted' })), 'USER 10001')).toEqual([])
  })
})
