import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { checkRow, docker, dockerSucceeds, fixture, removeImages, row, runAction, SERVE, takeLeftovers } from './action.js'

// The user check on an engine that remaps user namespaces (userns-remap): docker top shows host UIDs
// there (root in a container is e.g. 165536 on the host), so root must still be judged root: what
// the image runs as is the UID inside the container. Needs such an engine: scripts/second-engine.sh
// starts one with IMAGE_GATE_ENGINE_USERNS=1 (scripts/test.sh does, for this file only).

jest.setTimeout(120_000)
const TAG = 'image-gate-e2e/userns'
const remaps = /"name=userns"/.test(docker(['info', '--format', '{{json .SecurityOptions}}']))
const maybe = remaps ? describe : describe.skip
const why = 'this engine does not remap user namespaces (IMAGE_GATE_ENGINE_USERNS=1 bash scripts/second-engine.sh start runs one)'
const title = remaps ? 'user check under userns-remap' : `user check under userns-remap (skipped: ${why})`
// jest names no skipped describe when a whole file is skipped: say why once (printed with the file)
if (!remaps) console.warn(`userns.test.ts skipped: ${why}`)

afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(() => removeImages(TAG))

/**
 * The host UID the engine runs a container's root as, seen without image-gate: docker top of a
 * container of our own (busybox sleep as root, no USER).
 */
function hostUidOfRoot(image: string): number {
  const id = docker(['run', '--detach', '--rm', '--entrypoint', 'sleep', image, '60'])
  try {
    // docker top needs the pid column to tell the container's processes
    const [, line] = docker(['top', id, '-eo', 'pid,euid']).split('\n')
    return Number(line.trim().split(/\s+/)[1])
  } finally {
    execFileSync('docker', ['rm', '--force', id], { stdio: 'ignore' })
  }
}

maybe(title, () => {
  it('fails a root image (no USER): UID 0 inside the container, and names the host UID it maps to', async () => {
    const run = await runAction({ context: fixture(SERVE), tags: `${TAG}:root` })
    const hostUid = hostUidOfRoot(`${TAG}:root`)
    // a remap that maps root to root would prove nothing here
    expect(hostUid).toBeGreaterThan(0)
    expect(run.outputs).toMatchObject({ health: 'healthy', uid: '0', passed: 'false' })
    const user = checkRow(run, 'user')
    expect(user).toMatchObject({ status: 'fail', value: 'UID 0, GID 0' })
    expect(user.detail).toContain(
      `no USER: root by default; PID 1 (sh) runs as UID 0 (root inside the container, mapped to host UID ${hostUid} by the engine's userns-remap). The remap limits it on the engine's host only: inside, it is still root to the app and can write everything the container owns.`
    )
    expect(row(run.summary, 'user')).toMatch(/^\| ❌ \| user \| UID 0, GID 0 \| non-root \| /)
    expect(run.report.runs[0].user.remap).toEqual({ uid: hostUid, gid: expect.any(Number) })
  })

  it('passes USER 10001 with uid 10001, the container\'s own UID', async () => {
    const run = await runAction({ context: fixture(['USER 10001', ...SERVE]), tags: `${TAG}:u10001` })
    expect(run.outputs).toMatchObject({ health: 'healthy', uid: '10001' })
    const user = checkRow(run, 'user')
    expect(user).toMatchObject({ status: 'pass', value: 'UID 10001, GID 0' })
    const hostUid = run.report.runs[0].user.remap.uid + 10001
    expect(user.detail).toBe(`USER 10001; PID 1 (sh) runs as UID 10001 inside the container (host UID ${hostUid} under the engine's userns-remap).`)
    expect(run.report.runs[0].user.processes.map(p => [p.command, p.uid]).sort()).toEqual([
      ['httpd', 10001],
      ['sh', 10001]
    ])
  })

  it("run-profile: openshift: UID 1000680000 is outside the engine's remap range, and the run says the engine cannot run it", async () => {
    const image = `${TAG}:openshift`
    const run = await runAction({ context: fixture(['USER 10001', ...SERVE]), tags: image, 'run-profile': 'openshift' })
    // Docker itself: the same image starts as UID 10001, and not as 1000680000 in group 0
    expect(dockerSucceeds(['run', '--rm', '--user', '10001', '--entrypoint', 'true', image])).toBe(true)
    expect(dockerSucceeds(['run', '--rm', '--user', '1000680000:0', '--entrypoint', 'true', image])).toBe(false)
    expect(run.code).toBe(1)
    const errors = run.stdout.split('\n').filter(line => line.startsWith('::error::'))
    expect(errors).toEqual([
      expect.stringMatching(
        /^::error::image-gate: this engine cannot run UID 1000680000, the arbitrary UID run-profile: openshift runs the app as: its userns-remap maps only the remap user's subordinate UIDs \(\/etc\/subuid\), and Docker said: .*cannot set uid to unmapped user in user namespace.*\. That is the engine's limit, not the image's\. Gate run-profile: openshift on an engine without userns-remap \(GitHub's hosted runners have none\), or give the remap user a subordinate range that covers 1000680000; run-profile: restricted checks the same capabilities as a UID this engine maps\.$/
      )
    ])
    // no row blames the image or OpenShift, and it was not run again without the profile
    expect(run.report.runs[0].health.profileCause).toBeUndefined()
    expect(run.report.runs[0].checks.filter(c => c.status === 'fail')).toEqual([])
    expect(run.stdout).not.toContain('Run again without')
  })
})
