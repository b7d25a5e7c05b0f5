import { describe, expect, it } from '@jest/globals'
import { commands, createdAccounts, creation } from '../../src/dockerfile/accounts.js'

// The accounts a Dockerfile's final stage creates, as the Dockerfiles people write create them.

describe('createdAccounts', () => {
  it('reads the Alpine form, with a group first and options after the name', () => {
    const df = 'FROM node:18-alpine\nRUN addgroup -g 1001 -S nodejs && adduser -S hono -u 1001 -G nodejs\nUSER root\n'
    expect(createdAccounts(df)).toEqual({ users: ['hono'], groups: ['nodejs'] })
  })

  it('reads the Debian forms: useradd, groupadd, adduser --system --group', () => {
    const df = [
      'FROM debian:12-slim',
      'RUN groupadd --gid 10001 app \\',
      '  && useradd --uid 10001 --gid app --shell /bin/bash --create-home app',
      'RUN adduser --system --uid 999 --home /srv --group worker'
    ].join('\n')
    expect(createdAccounts(df)).toEqual({ users: ['app', 'worker'], groups: ['app'] })
  })

  it('only the final stage and the stages it is built FROM count; --target picks the final stage', () => {
    const df = [
      'FROM alpine AS build',
      'RUN adduser -D builder',
      'FROM alpine AS base',
      'RUN adduser -D -u 1001 web',
      'FROM base AS runtime',
      'RUN adduser -D -u 1002 runner',
      'FROM alpine AS other',
      'RUN adduser -D other'
    ].join('\n')
    expect(createdAccounts(df, 'runtime').users).toEqual(['runner', 'web'])
    expect(createdAccounts(df).users).toEqual(['other'])
    expect(createdAccounts(df, 'missing').users).toEqual([])
  })

  it('is not fooled by comments, continuation lines, quotes, exec form and heredocs', () => {
    const df = [
      'FROM alpine',
      '# RUN adduser -D commented',
      'RUN set -eux; \\',
      '  # adduser -D incomment',
      '  adduser -D -g "App User" -h /home/app app',
      'RUN ["/usr/sbin/useradd", "-m", "execform"]',
      'RUN <<EOF',
      'set -e',
      'useradd -r -s /sbin/nologin heredoc',
      'EOF',
      'RUN echo adduser -D echoed && adduser app wheel'
    ].join('\n')
    expect(createdAccounts(df).users).toEqual(['app', 'execform', 'heredoc'])
  })

  it('leaves out names it cannot know ($USER) and adding a user to a group', () => {
    const df = 'FROM alpine\nARG USER=app\nRUN adduser -D "$USER" && addgroup app wheel && adduser app wheel\n'
    expect(createdAccounts(df)).toEqual({ users: [], groups: [] })
  })
})

describe('creation', () => {
  it.each([
    [['adduser', '-Su', '1001', 'hono'], { kind: 'user', name: 'hono' }],
    [['adduser', '-u1001', '-D', 'hono'], { kind: 'user', name: 'hono' }],
    [['adduser', '--uid=1001', '--disabled-password', 'hono'], { kind: 'user', name: 'hono' }],
    [['sudo', 'useradd', '-m', '-d', '/home/x', 'x'], { kind: 'user', name: 'x' }],
    [['DEBIAN_FRONTEND=noninteractive', 'adduser', '--gecos', '', 'deb'], { kind: 'user', name: 'deb' }],
    [['addgroup', '-S', 'grp'], { kind: 'group', name: 'grp' }],
    [['echo', 'adduser', 'x'], undefined],
    [['adduser'], undefined]
  ])('%j', (words, expected) => {
    expect(creation(words)).toEqual(expected)
  })
})

describe('commands', () => {
  it('splits at separators and resolves quotes', () => {
    expect(commands(`a 'b c' && d "e \\"f\\"" | g;h\\\n i # j k\nl`)).toEqual([['a', 'b c'], ['d', 'e "f"'], ['g'], ['h', 'i'], ['l']])
  })
})
