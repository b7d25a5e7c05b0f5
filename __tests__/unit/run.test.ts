import { describe, expect, it } from '@jest/globals'
import { RunContext } from '../../src/context.js'
import { logTail } from '../../src/docker/container.js'
import type { Docker, DockerResult } from '../../src/docker/docker.js'
import { silent } from '../../src/sink.js'
import { healthFlags, runAndWait, runArgs } from '../../src/stages/run.js'
import { smokeArgs } from '../../src/stages/smoke.js'
import { hostEntries } from '../../src/inputs/parse.js'
import { inputs, measuredReport } from './fixtures.js'
import { judged } from './judged.js'

// The run-and-wait stage against a scripted engine: what it returns when Docker cannot start the
// container, and what a failed `docker logs` becomes.

/** A Docker client whose calls are answered by `answer`; `docker events` streams nothing. */
function engine(answer: (args: string[]) => Partial<DockerResult>): { docker: Docker; calls: string[][] } {
  const calls: string[][] = []
  const call = async (args: string[]) => {
    calls.push(args)
    return { exitCode: 0, stdout: '', stderr: '', ...answer(args) }
  }
  const docker = {
    call,
    ok: async (args: string[]) => (await call(args)).stdout,
    stream: () => ({ stop: () => undefined }),
    callLimitMs: 1000
  } as unknown as Docker
  return { docker, calls }
}

describe('runAndWait', () => {
  it("when Docker cannot start the container, says so in the health and user rows (never 'undefined')", async () => {
    const why = 'docker: Error response from daemon: failed to create task: exec: "node": executable file not found in $PATH: unknown.'
    const { docker, calls } = engine(args => (args[0] === 'run' ? { exitCode: 127, stderr: `${why}\n` } : {}))
    const ctx = new RunContext(silent)
    ctx.docker = docker
    const report = measuredReport()
    const ran = await runAndWait(ctx, inputs(), report.image.id!, report.image, { api: '1.41' })
    expect(ran.health).toEqual({ verdict: 'exited', exitCode: 127, logTail: [why] })
    expect(ran.user).toEqual({ unknownReason: `the container did not start (${why})` })
    // the container Docker created is removed all the same
    expect(calls.at(-1)?.slice(0, 3)).toEqual(['rm', '--force', '--volumes'])

    Object.assign(report, { health: ran.health, user: ran.user })
    const user = judged(report, inputs()).checks.find(c => c.name === 'user')!
    expect(user.detail).toBe(`USER nodejs; runtime user not read: the container did not start (${why}).`)
    expect(user.detail).not.toContain('undefined')
  })
})

describe('healthFlags', () => {
  const given = (overrides = {}) => ({ ...inputs(), healthTimeout: 60, ...overrides })
  it('probes every second, also during the start period where the engine has a start interval (API 1.44, Docker 25)', () => {
    expect(healthFlags(given(), { imageHasHealthcheck: true, api: '1.51' })).toEqual(['--health-interval=1s', '--health-start-period=60s', '--health-start-interval=1s'])
  })
  it('leaves the start interval out where client or daemon would refuse it', () => {
    expect(healthFlags(given(), { imageHasHealthcheck: true, api: '1.41' })).toEqual(['--health-interval=1s', '--health-start-period=60s'])
  })
  it('sets nothing for an image without a health check unless health-cmd is given', () => {
    expect(healthFlags(given(), { imageHasHealthcheck: false, api: '1.51' })).toEqual([])
    expect(healthFlags(given({ healthCmd: 'true' }), { imageHasHealthcheck: false, api: '1.51' })).toEqual(['--health-cmd', 'true', '--health-interval=1s', '--health-start-period=60s', '--health-start-interval=1s'])
  })
})

describe('run-network and run-add-hosts', () => {
  const given = { ...inputs(), runNetwork: 'github_network_1f2e', runAddHosts: ['postgres:10.1.0.5', 'host.docker.internal:host-gateway'], env: ['A=1'] }
  it('the main container and every smoke container join the same network with the same host entries', () => {
    const ctx = new RunContext(silent)
    const main = runArgs(ctx, given, 'app:1', 'c1', { imageHasHealthcheck: false, api: '1.41' })
    const smoke = smokeArgs(ctx, given, 'app:1', 'c1-smoke', ['node', 'worker.js'])
    const flags = ['--env', 'A=1', '--network', 'github_network_1f2e', '--add-host', 'postgres:10.1.0.5', '--add-host', 'host.docker.internal:host-gateway']
    for (const args of [main, smoke]) expect(args.join(' ')).toContain(flags.join(' '))
    expect(smoke.slice(-3)).toEqual(['app:1', 'node', 'worker.js'])
  })
  it('takes NAME:IP and NAME=IP, IPv6 with or without brackets, and host-gateway, as docker run --add-host does', () => {
    const scope = { name: 'run-add-hosts', cwd: '/', mask: () => undefined }
    expect(hostEntries('db:10.0.0.5\ncache=fd00::6\nv6:[::1]\nhost.docker.internal:host-gateway', scope)).toEqual(['db:10.0.0.5', 'cache:fd00::6', 'v6:::1', 'host.docker.internal:host-gateway'])
  })
})

describe('logTail', () => {
  it("a failed docker logs is one line that says so, not Docker's error cut up as log lines", async () => {
    const { docker } = engine(() => ({ exitCode: 1, stderr: 'Error response from daemon: No such container: image-gate-1\n' }))
    expect(await logTail(docker, 'image-gate-1')).toEqual(["(image-gate could not read the container's log: Error response from daemon: No such container: image-gate-1)"])
  })

  it('merges stdout and stderr in time order and drops the timestamps', async () => {
    const { docker } = engine(() => ({
      stdout: '2026-11-22T10:00:00.100000000Z listening\n2026-11-22T10:00:00.300000000Z ready\n',
      stderr: '2026-11-22T10:00:00.200000000Z warn: slow disk\n'
    }))
    expect(await logTail(docker, 'c1')).toEqual(['listening', 'warn: slow disk', 'ready'])
  })
})
