import { describe, expect, it } from '@jest/globals'
import { userPlace } from '../../src/docker/dockerfile.js'
import { parseTop, resolveUser } from '../../src/stages/user.js'

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
