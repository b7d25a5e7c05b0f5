import { describe, expect, it } from '@jest/globals'
import { userCheck } from '../../src/checks/user.js'
import { userPlace } from '../../src/docker/dockerfile.js'
import type { Report } from '../../src/report/report.js'
import { parseTop, resolveUser, suggestAccount } from '../../src/stages/user.js'
import { inputs, measuredReport } from './fixtures.js'

describe('parseTop', () => {
  it('reads pid, real and effective uid, gid and command of every process', () => {
    const out = `PID                 RUID                EUID                EGID                COMMAND
4444                1001                1001                1001                httpd
4501                0                   0                   0                   sh -c sleep
`
    expect(parseTop(out)).toEqual([
      { pid: 4444, ruid: 1001, euid: 1001, egid: 1001, comm: 'httpd' },
      { pid: 4501, ruid: 0, euid: 0, egid: 0, comm: 'sh -c sleep' }
    ])
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
    expect(suggestAccount(passwd, ['hono'])).toEqual({ name: 'hono', uid: 1001, from: 'dockerfile' })
  })

  it('falls back to the base image\'s account for people or apps', () => {
    expect(suggestAccount(NODE_ALPINE, [])).toEqual({ name: 'node', uid: 1000, from: 'image' })
    expect(suggestAccount(DISTROLESS)).toEqual({ name: 'nonroot', uid: 65532, from: 'image' })
  })

  it('suggests no system account, no UID 0 alias, and nothing without a passwd', () => {
    expect(suggestAccount(DEBIAN, [])).toBeUndefined()
    expect(suggestAccount('root:x:0:0::/root:/bin/sh\ntoor:x:0:0::/home/toor:/bin/sh\n', ['toor'])).toBeUndefined()
    expect(suggestAccount(undefined, ['hono'])).toBeUndefined()
  })
})

describe('user check advice', () => {
  const advise = (user: string, measured: Report['user']) => {
    const report = measuredReport()
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

  it('no account to switch to: says how to create one', () => {
    const row = advise('0:0', { ...rootPid1, resolvedUid: 0, resolvedGid: 0 })
    expect(row.detail).toBe(
      'USER 0:0; PID 1 (node) runs as UID 0. Create a non-root account in the final stage and switch to it (RUN adduser -D -u 10001 app, then USER app), or use a numeric USER 10001 where the image has no shell.'
    )
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
