import { describe, expect, it } from '@jest/globals'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { userCheck } from '../../src/checks/user.js'
import { userPlace } from '../../src/dockerfile/places.js'
import type { ContainerState } from '../../src/docker/container.js'
import type { Docker } from '../../src/docker/docker.js'
import type { PlatformRun } from '../../src/report/report.js'
import { inContainer, measureUser, parseTop, readAccounts, resolveUser, startedByPid1, suggestAccount } from '../../src/user/measure.js'
import { inputs, measuredRun } from './fixtures.js'
import { Container } from '../../src/docker/handle.js'

describe('parseTop', () => {
  it('reads pid, real and effective uid, gid and command of every process', () => {
    const out = `PID                 PPID                RUID                EUID                EGID                COMMAND
4444                4420                1001                1001                1001                httpd
4501                4444                0                   0                   0                   sh -c sleep
`
    expect(parseTop(out)).toEqual([
      { pid: 4444, ppid: 4420, ruid: 1001, euid: 1001, egid: 1001, comm: 'httpd' },
      { pid: 4501, ppid: 4444, ruid: 0, euid: 0, egid: 0, comm: 'sh -c sleep' }
    ])
  })
})

describe('startedByPid1', () => {
  // PID 1 is 4444 (its parent, the shim, is 4420); 4600 is a HEALTHCHECK probe the engine exec'd,
  // whose parent is the shim too; 4700 its child; 4501 and 4502 the app's own (listed child first)
  const row = (pid: number, ppid: number, comm: string) => ({ pid, ppid, ruid: 0, euid: 0, egid: 0, comm })
  const rows = [row(4502, 4501, 'worker'), row(4444, 4420, 'httpd'), row(4600, 4420, 'sh'), row(4700, 4600, 'wget'), row(4501, 4444, 'sh')]

  it("keeps PID 1 and everything it started, at any depth and in any order, not the engine's exec'd probes", () => {
    expect(startedByPid1(rows, 4444).map(r => r.comm)).toEqual(['worker', 'httpd', 'sh'])
  })

  it('a probe caught by docker top beside a non-root PID 1 is not "also running as UID 0"', async () => {
    const top = `PID PPID RUID EUID EGID COMMAND\n4444 4420 1001 1001 1001 httpd\n4600 4420 0 0 0 sh\n`
    const docker = {
      call: async (args: string[]) => (args[0] === 'top' ? { exitCode: 0, stdout: top, stderr: '' } : { exitCode: 1, stdout: '', stderr: 'no such file' })
    } as unknown as Docker
    const state = { Running: true, Pid: 4444 } as ContainerState
    const user = await measureUser(new Container(docker, 'c'), readAccounts(new Container(docker, 'c'), mkdtempSync(path.join(tmpdir(), 'user-test-'))), state, '')
    expect(user.processes).toEqual([{ pid: 4444, uid: 1001, gid: 1001, command: 'httpd' }])
    const report = measuredRun()
    report.image.user = ''
    report.user = user
    expect(userCheck(report, inputs())[0].detail).not.toContain('Also running as UID 0')
  })
})

const PASSWD = `root:x:0:0:root:/root:/bin/sh
# a comment
toor:x:0:0::/root:/bin/sh
app:x:10001:10002::/home/app:/sbin/nologin
nodejs:x:1001:1001::/home/nodejs:/sbin/nologin
`
const GROUP = `root:x:0:
app:x:10002:
nodejs:x:1001:
staff:x:50:
`

describe('resolveUser', () => {
  it.each([
    ['', { resolvedUid: 0, resolvedGid: 0 }],
    ['root', { resolvedUid: 0, resolvedGid: 0 }],
    ['0:0', { resolvedUid: 0, resolvedGid: 0 }],
    ['toor', { resolvedUid: 0, resolvedGid: 0 }],
    ['app', { resolvedUid: 10001, resolvedGid: 10002 }],
    ['app:staff', { resolvedUid: 10001, resolvedGid: 50 }],
    ['app:70', { resolvedUid: 10001, resolvedGid: 70 }],
    ['1001', { resolvedUid: 1001, resolvedGid: 1001 }],
    ['4242', { resolvedUid: 4242, resolvedGid: 0 }],
    ['4242:4242', { resolvedUid: 4242, resolvedGid: 4242 }],
    ['ghost', { unresolved: 'user "ghost" is not in the image\'s /etc/passwd' }],
    ['app:nogroup', { resolvedUid: 10001, unresolved: 'group "nogroup" is not in the image\'s /etc/group' }]
  ])('USER %j', (user, expected) => {
    expect(resolveUser(user, PASSWD, GROUP)).toEqual(expected)
  })

  it('resolves a numeric USER without any passwd file', () => {
    expect(resolveUser('10001', undefined, undefined)).toEqual({ resolvedUid: 10001, resolvedGid: 0 })
  })
})

describe('userPlace', () => {
  it('finds the last USER of the final stage', () => {
    const df = 'FROM alpine AS build\nUSER 1001\nRUN make\n\nFROM alpine\nUSER app\nCOPY --from=build /x /x\nUSER root\nCMD ["x"]\n'
    expect(userPlace(df)).toEqual({ line: 8, instruction: 'USER', text: 'USER root' })
  })

  it('points at the final FROM when only a build stage sets USER', () => {
    const df = 'FROM alpine AS build\nUSER 1001\nRUN make\nFROM scratch\nCOPY --from=build /x /x\n'
    expect(userPlace(df)).toMatchObject({ line: 4, instruction: 'FROM' })
  })

  it('follows FROM <stage>: USER is inherited', () => {
    const df = 'FROM alpine AS base\nUSER 1001\nFROM base AS runtime\nCMD ["x"]\n'
    expect(userPlace(df)).toMatchObject({ line: 2, instruction: 'USER' })
  })

  it('uses the target stage, not the last one', () => {
    const df = 'FROM alpine AS api\nUSER 0\nFROM alpine AS worker\nUSER 1001\n'
    expect(userPlace(df, 'api')).toMatchObject({ line: 2, instruction: 'USER' })
    expect(userPlace(df, 'missing')).toBeUndefined()
  })

  it('is not fooled by continuation lines and comments', () => {
    const df = 'FROM alpine\nRUN echo \\\n  USER 0\n# USER 0\nCMD ["x"]\n'
    expect(userPlace(df)).toMatchObject({ line: 1, instruction: 'FROM' })
  })
})

// passwd files as the images people build on have them
const NODE_ALPINE = `root:x:0:0:root:/root:/bin/sh
bin:x:1:1:bin:/bin:/sbin/nologin
daemon:x:2:2:daemon:/sbin:/sbin/nologin
nobody:x:65534:65534:nobody:/:/sbin/nologin
node:x:1000:1000:Linux User,,,:/home/node:/bin/sh
`
const DISTROLESS = `root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
`
const DEBIAN = `root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
sync:x:4:65534:sync:/bin:/bin/sync
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
`

describe('suggestAccount', () => {
  it('prefers the account the Dockerfile creates over the base image\'s', () => {
    const passwd = `${NODE_ALPINE}hono:x:1001:1001:Linux User,,,:/home/hono:/sbin/nologin\n`
    expect(suggestAccount(passwd, ['hono'])).toEqual({ name: 'hono', uid: 1001, gid: 1001, from: 'dockerfile' })
  })

  it('falls back to the base image\'s account for people or apps', () => {
    expect(suggestAccount(NODE_ALPINE, [])).toEqual({ name: 'node', uid: 1000, gid: 1000, from: 'image' })
    expect(suggestAccount(DISTROLESS)).toEqual({ name: 'nonroot', uid: 65532, gid: 65532, from: 'image' })
  })

  it('suggests no system account, no UID 0 alias, and nothing without a passwd', () => {
    expect(suggestAccount(DEBIAN, [])).toBeUndefined()
    expect(suggestAccount('root:x:0:0::/root:/bin/sh\ntoor:x:0:0::/home/toor:/bin/sh\n', ['toor'])).toBeUndefined()
    expect(suggestAccount(undefined, ['hono'])).toBeUndefined()
  })
})

describe('user check advice', () => {
  const advise = (user: string, measured: PlatformRun['user']) => {
    const report = measuredRun()
    report.image.user = user
    report.user = measured
    return userCheck(report, inputs())[0]
  }
  // a root PID 1's root children are not listed: switching USER covers them too
  const rootPid1 = {
    uid: 0,
    gid: 0,
    pid: 4242,
    process: 'node',
    processes: [
      { pid: 4242, uid: 0, gid: 0, command: 'node' },
      { pid: 4250, uid: 0, gid: 0, command: 'httpd' }
    ]
  }

  it('USER root where the Dockerfile creates hono: switch to USER hono', () => {
    const row = advise('root', { ...rootPid1, resolvedUid: 0, resolvedGid: 0, suggested: { name: 'hono', uid: 1001, from: 'dockerfile' } })
    expect(row).toMatchObject({ status: 'fail', value: 'UID 0, GID 0' })
    expect(row.detail).toBe('USER root; PID 1 (node) runs as UID 0. Switch to USER hono (UID 1001), the non-root account the Dockerfile creates.')
  })

  it('no USER on a node image: says root is the default, and suggests USER node', () => {
    const row = advise('', { ...rootPid1, resolvedUid: 0, resolvedGid: 0, suggested: { name: 'node', uid: 1000, from: 'image' } })
    expect(row.detail).toBe('no USER: root by default; PID 1 (node) runs as UID 0. Switch to USER node (UID 1000), the non-root account the base image has.')
  })

  it('no account to switch to, base not known: says how to create one on either family, or a numeric USER', () => {
    const row = advise('0:0', { ...rootPid1, resolvedUid: 0, resolvedGid: 0 })
    expect(row.detail).toBe(
      'USER 0:0; PID 1 (node) runs as UID 0. Create a non-root account in the final stage and switch to it (RUN adduser -D -u 10001 app on Alpine and busybox, RUN useradd --system --uid 10001 app on Debian and Red Hat; then USER app), or use a numeric USER 10001 where the image has no shell.'
    )
  })

  it('no account to switch to: the command is the base\'s own (busybox adduser on Alpine, useradd on Debian)', () => {
    const create = (base: PlatformRun['user']['base']) => advise('', { ...rootPid1, resolvedUid: 0, resolvedGid: 0, base }).detail.replace(/^.*runs as UID 0\. /, '')
    expect(create({ shell: true, os: 'alpine' })).toBe('Create a non-root account in the final stage and switch to it (RUN adduser -D -u 10001 app, then USER app).')
    expect(create({ shell: true, os: 'busybox' })).toBe('Create a non-root account in the final stage and switch to it (RUN adduser -D -u 10001 app, then USER app).')
    expect(create({ shell: true, os: 'debian' })).toBe('Create a non-root account in the final stage and switch to it (RUN useradd --system --uid 10001 app, then USER app).')
    expect(create({ shell: true })).toBe(
      'Create a non-root account in the final stage and switch to it (RUN adduser -D -u 10001 app on Alpine and busybox, RUN useradd --system --uid 10001 app on Debian and Red Hat; then USER app).'
    )
  })

  it('an image without a shell (scratch, distroless) is told a numeric USER only: no RUN can run there', () => {
    const scratch = advise('', { ...rootPid1, resolvedUid: 0, resolvedGid: 0, base: { shell: false } })
    expect(scratch.detail).toBe(
      'no USER: root by default; PID 1 (node) runs as UID 0. The image has no shell (/bin/sh), so no RUN can create an account in it: set a numeric USER 10001:10001 in the final stage (it needs no /etc/passwd entry).'
    )
    // distroless: its nonroot account, by number
    const distroless = advise('', { ...rootPid1, resolvedUid: 0, resolvedGid: 0, base: { shell: false, os: 'debian' }, suggested: { name: 'nonroot', uid: 65532, gid: 65532, from: 'image' } })
    expect(distroless.detail).toBe(
      "no USER: root by default; PID 1 (node) runs as UID 0. Switch to USER 65532:65532 (nonroot, the non-root account the base image has): numeric, so it needs nothing run in the image and Kubernetes' runAsNonRoot can verify it."
    )
    expect(`${scratch.detail} ${distroless.detail}`).not.toMatch(/adduser|useradd/)
  })

  it('an account that is UID 0 in the image: give it its own UID, or switch to the real one', () => {
    const row = advise('app', { ...rootPid1, resolvedUid: 0, resolvedGid: 0, suggested: { name: 'hono', uid: 1001, from: 'dockerfile' } })
    expect(row.detail).toBe(
      "USER app (UID 0 in the image); PID 1 (node) runs as UID 0. USER app is UID 0 in the image's /etc/passwd: give that account its own UID (e.g. 10001), or use a numeric USER. Or switch to USER hono (UID 1001), the non-root account the Dockerfile creates."
    )
  })

  it('a container that died: the value says where the UID came from', () => {
    const died = { resolvedUid: 0, resolvedGid: 0, unknownReason: 'the container was not running' }
    expect(advise('', died)).toMatchObject({ status: 'fail', value: 'UID 0 (no USER: root by default)' })
    expect(advise('', died).detail).toMatch(/^no USER: root by default\. Runtime user not read \(the container was not running\), so this is Docker's default user\. /)
    expect(advise('root', died)).toMatchObject({ status: 'fail', value: 'UID 0 (from USER)' })
  })

  it('names root helpers without a PID: docker top\'s PIDs are the host\'s', () => {
    const row = advise('app', {
      uid: 10001,
      gid: 10001,
      pid: 22369,
      process: 'node',
      processes: [
        { pid: 22369, uid: 10001, gid: 10001, command: 'node' },
        { pid: 22401, uid: 0, gid: 0, command: 'crond' },
        { pid: 22402, uid: 0, gid: 0, command: 'sh' },
        { pid: 22403, uid: 0, gid: 0, command: 'sh' }
      ]
    })
    expect(row.detail).toBe('USER app; PID 1 (node) runs as UID 10001. Also running as UID 0: crond, sh (2 processes). Start every process as the unprivileged user, or drop the root helper.')
    expect(row.detail).not.toMatch(/224\d\d|22369/)
  })
})

// docker top on an engine with userns-remap (dockremap's range starting at host UID 165536)
const REMAPPED_TOP = `PID                 PPID                RUID                EUID                EGID                COMMAND
9100                9080                165536              165536              165536              httpd
9160                9100                175537              175537              175538              worker
`

describe('user namespaces (userns-remap)', () => {
  const remap = { uid: 165536, gid: 165536 }

  it('reads docker top\'s host IDs as the container\'s: host minus the host ID of its root', () => {
    expect(inContainer(parseTop(REMAPPED_TOP), remap)).toEqual([
      { pid: 9100, ppid: 9080, ruid: 0, euid: 0, egid: 0, comm: 'httpd' },
      { pid: 9160, ppid: 9100, ruid: 10001, euid: 10001, egid: 10002, comm: 'worker' }
    ])
  })

  it('says so instead of guessing when a process lies below the range', () => {
    const top = parseTop(`PID PPID RUID EUID EGID COMMAND\n9100 9080 0 0 0 sh\n`)
    expect(inContainer(top, remap)).toBe(
      "docker top shows sh as host UID 0, GID 0, outside the engine's userns-remap range from host UID 165536, GID 165536, so it could not be read as the container's"
    )
  })

  /** measureUser against a scripted engine: docker top answers `top`, docker cp finds no account files. */
  const measure = async (top: string, userns: Parameters<typeof measureUser>[5]) => {
    const docker = {
      call: async (args: string[]) => (args[0] === 'top' ? { exitCode: 0, stdout: top, stderr: '' } : { exitCode: 1, stdout: '', stderr: 'no such file' })
    } as unknown as Docker
    const state = { Running: true, Pid: 9100 } as ContainerState
    return measureUser(new Container(docker, 'c'), readAccounts(new Container(docker, 'c'), mkdtempSync(path.join(tmpdir(), 'user-test-'))), state, '', {}, userns)
  }

  it('measures root under the remap as UID 0, and fails it naming the host UID it maps to', async () => {
    const user = await measure(REMAPPED_TOP, { rootUid: 165536, rootGid: 165536 })
    expect(user).toMatchObject({ uid: 0, gid: 0, process: 'httpd', remap })
    const report = measuredRun()
    report.image.user = ''
    report.user = user
    const row = userCheck(report, inputs())[0]
    expect(row).toMatchObject({ status: 'fail', value: 'UID 0, GID 0' })
    expect(row.detail).toMatch(
      /^no USER: root by default; PID 1 \(httpd\) runs as UID 0 \(root inside the container, mapped to host UID 165536 by the engine's userns-remap\)\. The remap limits it on the engine's host only: inside, it is still root to the app and can write everything the container owns\. Create a non-root account/
    )
  })

  it('passes a non-root PID 1 under the remap with its own UID, and names the host one', async () => {
    const top = REMAPPED_TOP.split('\n').filter(l => !/httpd/.test(l)).join('\n').replace('9160', '9100')
    const user = await measure(top, { rootUid: 165536, rootGid: 165536 })
    expect(user).toMatchObject({ uid: 10001, gid: 10002, process: 'worker' })
    const report = measuredRun()
    report.image.user = '10001'
    report.user = user
    expect(userCheck(report, inputs())[0]).toEqual({
      name: 'user',
      status: 'pass',
      value: 'UID 10001, GID 10002',
      limit: 'non-root',
      detail: "USER 10001; PID 1 (worker) runs as UID 10001 inside the container (host UID 175537 under the engine's userns-remap)."
    })
  })

  it('without the remap, the same docker top is taken as it is (an unremapped engine shows the container\'s own IDs)', async () => {
    expect(await measure(REMAPPED_TOP, undefined)).toMatchObject({ uid: 165536, process: 'httpd' })
  })

  it('a remap whose range docker info did not give: the runtime user is unknown, and USER as resolved is judged', async () => {
    const user = await measure(REMAPPED_TOP, {})
    expect(user.uid).toBeUndefined()
    expect(user.unknownReason).toBe(
      "the engine remaps user namespaces (userns-remap) and docker info did not say to which host UIDs, so docker top's host UIDs could not be read as the container's"
    )
    const report = measuredRun()
    report.image.user = ''
    report.user = user
    expect(userCheck(report, inputs())[0]).toMatchObject({ status: 'fail', value: 'UID 0 (no USER: root by default)' })
  })
})
