import { describe, expect, it } from '@jest/globals'
import { parseTop } from '../../src/user.js'

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
