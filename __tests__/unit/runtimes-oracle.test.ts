import { describe, expect, it } from '@jest/globals'
import type { Present } from '../e2e/action.js'
import { disagreements, unexpected, type Seen } from '../e2e/runtimes-oracle.js'
import type { Runtime } from '../e2e/runtimes.js'
import type { PlatformRun } from '../../src/report/report.js'

// The runtime matrix's rules for when image-gate and Docker agree (the e2e matrix only ever shows
// them agreeing, or a real disagreement: here each rule is made to fail).

const entry: Runtime = {
  name: 'tini',
  standins: [],
  dockerfile: [],
  expect: { health: 'healthy', stop: 'exited 0', uid: 10001, uids: [10001], checks: { health: 'pass', user: 'pass', stop: 'pass' } }
}
const seen: Seen = { health: 'healthy', uid: 10001, uids: [10001], stop: { outcome: 'exited', exitCode: 0, seconds: 0.12 } }
const gate = (over: { health?: object; user?: object; stop?: object } = {}) =>
  ({
    health: { verdict: 'healthy', ...over.health },
    user: { uid: 10001, processes: [{ pid: 7, uid: 10001, gid: 10001, command: 'tini' }, { pid: 9, uid: 10001, gid: 10001, command: 'python' }], ...over.user },
    stop: { outcome: 'exited', exitCode: 0, seconds: 0.3, ...over.stop },
    checks: [
      { name: 'health', status: 'pass', value: 'healthy after 0.8 s' },
      { name: 'user', status: 'pass', value: 'UID 10001, GID 10001' },
      { name: 'stop', status: over.stop ? 'fail' : 'pass', value: 'exited 0, 0.3 s after SIGTERM' }
    ]
  }) as unknown as Present<PlatformRun>

describe('the runtime oracle', () => {
  it('agrees on the same outcome and exit code within 0.5 s, and on the same UIDs and health', () => {
    expect(disagreements(entry, gate(), seen, 3)).toEqual([])
    expect(unexpected(entry, gate(), seen)).toEqual([])
  })

  it('names the row and both values where the stop differs: outcome, exit code, or seconds by more than 0.5 s', () => {
    expect(disagreements(entry, gate({ stop: { outcome: 'killed', exitCode: 137, seconds: 3 } }), seen, 3)).toEqual([
      'tini: stop: image-gate says killed, Docker (docker stop -t 3) says exited 0 after 0.12 s'
    ])
    expect(disagreements(entry, gate({ stop: { exitCode: 143 } }), seen, 3)).toEqual([
      'tini: stop: image-gate says exited 143 after 0.30 s, Docker (docker stop -t 3) says exited 0 after 0.12 s'
    ])
    expect(disagreements(entry, gate({ stop: { seconds: 0.63 } }), seen, 3)).toHaveLength(1)
  })

  it('agrees when both were killed, whatever the seconds each waited', () => {
    const killed: Seen = { ...seen, stop: { outcome: 'killed', exitCode: 137, seconds: 3.04 } }
    expect(disagreements(entry, gate({ stop: { outcome: 'killed', exitCode: 137, seconds: 0.2 } }), killed, 3)).toEqual([])
  })

  it("tells a different UID of PID 1, a different set of the processes' UIDs, and a different health", () => {
    const other = gate({ health: { verdict: 'unhealthy' }, user: { uid: 0, processes: [{ pid: 7, uid: 0, gid: 0, command: 'nginx' }, { pid: 8, uid: 101, gid: 101, command: 'nginx' }] } })
    expect(disagreements(entry, other, seen, 3)).toEqual([
      'tini: health: image-gate says unhealthy, Docker says healthy',
      'tini: UID of PID 1: image-gate says 0, Docker (/proc) says 10001',
      "tini: the processes' UIDs: image-gate says [0,101], Docker (/proc) says [10001]"
    ])
  })

  it('fails an entry both agree on when it is not what the entry expects', () => {
    const killed: Seen = { ...seen, stop: { outcome: 'killed', exitCode: 137, seconds: 3.02 } }
    const both = gate({ stop: { outcome: 'killed', exitCode: 137, seconds: 3 } })
    expect(disagreements(entry, both, killed, 3)).toEqual([])
    expect(unexpected(entry, both, killed)).toEqual([
      'tini: stop: expected exited 0, image-gate says killed',
      'tini: stop: expected exited 0, Docker says killed',
      'tini: the stop row: expected pass, image-gate says fail (exited 0, 0.3 s after SIGTERM)'
    ])
  })
})
