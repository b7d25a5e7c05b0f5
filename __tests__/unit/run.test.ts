import { describe, expect, it } from '@jest/globals'
import { RunContext } from '../../src/context.js'
import { logTail } from '../../src/docker/container.js'
import { EngineError, type Docker, type DockerResult } from '../../src/docker/docker.js'
import { Secrets } from '../../src/secrets.js'
import { InputError } from '../../src/inputs/parse.js'
import { silent } from '../../src/sink.js'
import { healthFlags, runAndWait, runArgs } from '../../src/stages/run.js'
import { runSmoke, smokeArgs } from '../../src/stages/smoke.js'
import { unmappedUser } from '../../src/stages/start.js'
import { hostEntries } from '../../src/inputs/parse.js'
import { inputs, measuredRun } from './fixtures.js'
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
    callLimitMs: 1000,
    secrets: new Secrets()
  } as unknown as Docker
  return { docker, calls }
}

describe('runAndWait', () => {
  // what Docker 28 prints: its message, then the usage trailer
  const refusal = (message: string) => `docker: ${message}\n\nRun 'docker run --help' for more information\n`
  const run = (answer: (args: string[]) => Partial<DockerResult>, given = inputs()) => {
    const { docker, calls } = engine(answer)
    const ctx = new RunContext(silent)
    ctx.docker = docker
    const report = measuredRun()
    return { report, calls, ran: runAndWait(ctx, given, report.image.id!, report.image, { api: '1.41' }) }
  }

  it("when Docker cannot start the image's command, says so in the health and user rows as Docker's words, not as the app's log", async () => {
    const why = 'Error response from daemon: failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "node": executable file not found in $PATH: unknown'
    const { report, calls, ran } = run(args => (args[0] === 'run' ? { exitCode: 127, stderr: refusal(why) } : {}))
    const { health, user } = await ran
    expect(health).toEqual({ verdict: 'exited', exitCode: 127, startError: why })
    expect(user).toEqual({ unknownReason: `the container did not start (${why})` })
    // the container Docker created is removed all the same
    expect(calls.at(-1)?.slice(0, 3)).toEqual(['rm', '--force', '--volumes'])

    Object.assign(report, { health, user })
    const checks = judged(report, inputs()).checks
    const userRow = checks.find(c => c.name === 'user')!
    expect(userRow.detail).toBe(`USER nodejs; runtime user not read: the container did not start (${why}).`)
    expect(userRow.detail).not.toContain('undefined')
    const healthRow = checks.find(c => c.name === 'health')!
    expect([healthRow.status, healthRow.value]).toEqual(['fail', 'did not start (docker run exited 127)'])
    expect(healthRow.detail).toBe(
      `The container never ran: Docker could not start it: ${why}. Check the image's CMD and ENTRYPOINT (or the command input) and its USER: Docker names what it could not use.`
    )
  })

  it("says a refusal to join a stopped run-network container as an input error naming run-network and Docker's message", async () => {
    const said = 'Error response from daemon: cannot join network namespace of a non running container: container db is exited'
    const { ran } = run(args => (args[0] === 'run' ? { exitCode: 125, stderr: refusal(said) } : {}), inputs({ runNetwork: 'container:db' }))
    const err = (await ran.catch((e: Error) => e)) as Error
    expect(err).toBeInstanceOf(InputError)
    expect(err.message).toBe(
      `Input "run-network": Docker refused to start the container on "container:db" (${said}). That container must be running for the whole run: start it before image-gate, or name one that is.`
    )
  })

  it('says a run-network removed after the check as an input error, and run-add-hosts Docker will not take beside container:NAME', async () => {
    const gone = 'Error response from daemon: failed to set up container networking: network gh_net not found'
    const net = await run(args => (args[0] === 'run' ? { exitCode: 125, stderr: refusal(gone) } : {}), inputs({ runNetwork: 'gh_net' })).ran.catch((e: Error) => e)
    expect(net).toBeInstanceOf(InputError)
    expect((net as Error).message).toMatch(/^Input "run-network": Docker refused to start the container on "gh_net" \(Error response from daemon: .*network gh_net not found\)\. That network must exist/)
    const conflict = 'Error response from daemon: conflicting options: custom host-to-IP mapping and the network mode'
    const hosts = await run(args => (args[0] === 'run' ? { exitCode: 125, stderr: refusal(conflict) } : {}), inputs({ runNetwork: 'container:db', runAddHosts: ['x:10.0.0.5'] })).ran.catch((e: Error) => e)
    expect(hosts).toBeInstanceOf(InputError)
    expect((hosts as Error).message).toBe(
      `Input "run-add-hosts": Docker refused to start the container with these host entries (${conflict}). With run-network: container:db the container takes that container's host entries: drop run-add-hosts.`
    )
  })

  it("keeps a USER the image does not have (exit 125) the image's failure: the container did not start", async () => {
    const why = 'Error response from daemon: unable to find user app: no matching entries in passwd file'
    const { health } = await run(args => (args[0] === 'run' ? { exitCode: 125, stderr: refusal(why) } : {})).ran
    expect(health).toEqual({ verdict: 'exited', exitCode: 125, startError: why })
  })

  it("says any other refusal (exit 125) as the engine's, never as the app exiting", async () => {
    const said = 'Error response from daemon: mkdir /var/lib/docker/containers/abc: no space left on device'
    const err = (await run(args => (args[0] === 'run' ? { exitCode: 125, stderr: refusal(said) } : {})).ran.catch((e: Error) => e)) as Error
    expect(err).toBeInstanceOf(EngineError)
    expect(err.message).toBe(`Docker refused to start the container (\`docker run\` exited 125: ${said}). The app never ran: this is the engine's refusal, so check the daemon (\`docker info\`, its log).`)
  })

  it("says a UID outside a userns-remap engine's range (run-profile: openshift) as the engine's limit, not the image's or the profile's", async () => {
    const said =
      'Error response from daemon: failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: unable to setup user: cannot set uid to unmapped user in user namespace: unknown'
    const { ran, calls } = run(args => (args[0] === 'run' ? { exitCode: 125, stderr: refusal(said) } : {}), inputs({ runProfile: 'openshift' }))
    const err = (await ran.catch((e: Error) => e)) as Error
    expect(err).toBeInstanceOf(EngineError)
    expect(err.message).toBe(
      `this engine cannot run UID 1000680000, the arbitrary UID run-profile: openshift runs the app as: its userns-remap maps only the remap user's subordinate UIDs (/etc/subuid), and Docker said: ${said}. That is the engine's limit, not the image's. Gate run-profile: openshift on an engine without userns-remap (GitHub's hosted runners have none), or give the remap user a subordinate range that covers 1000680000; run-profile: restricted checks the same capabilities as a UID this engine maps.`
    )
    // not run again without the profile: that would pass and seem to blame OpenShift
    expect(calls.filter(c => c[0] === 'run')).toHaveLength(1)
    // an older engine records it as the container's start error: said the same way
    expect(unmappedUser('setup user: cannot set uid to unmapped user in user namespace', inputs({ runProfile: 'openshift' }))?.message).toMatch(/^this engine cannot run UID 1000680000, /)
    expect(unmappedUser('cannot set uid to unmapped user in user namespace', inputs())?.message).toMatch(
      /^this engine cannot run the image's USER: .* Gate it on an engine without userns-remap, or give the remap user a subordinate range that covers that UID\.$/
    )
    expect(unmappedUser('exec: "node": executable file not found in $PATH', inputs({ runProfile: 'openshift' }))).toBeUndefined()
  })

  it('treats a smoke command Docker cannot start as that command not starting, with Docker\'s words', async () => {
    const why = 'Error response from daemon: failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "worker": executable file not found in $PATH: unknown'
    const given = inputs({ smokeCommands: [['worker']] })
    const { docker } = engine(args => (args[0] === 'run' ? { exitCode: 127, stderr: refusal(why) } : {}))
    const ctx = new RunContext(silent)
    ctx.docker = docker
    const smoke = await runSmoke(ctx, given, 'app:1')
    expect(smoke).toEqual([{ command: 'worker', outcome: 'exited', exitCode: 127, seconds: 0, startError: why }])
    const row = judged({ ...measuredRun(), smoke }, given).checks.find(c => c.name === 'smoke')!
    expect([row.value, row.detail]).toEqual(['did not start (docker run exited 127)', `command: worker. Docker could not start it: ${why}.`])
  })
})

describe('healthFlags', () => {
  const given = (overrides = {}) => ({ ...inputs(), healthTimeout: 60, ...overrides })
  it('probes every 0.1 s during the start period and every second once healthy, where the engine has a start interval (API 1.44, Docker 25)', () => {
    expect(healthFlags(given(), { imageHasHealthcheck: true, api: '1.51' })).toEqual(['--health-interval=1s', '--health-start-period=60s', '--health-start-interval=100ms'])
  })
  it('probes every 0.1 s throughout where client or daemon would refuse the start interval (Docker 20.10 speaks 1.41)', () => {
    expect(healthFlags(given(), { imageHasHealthcheck: true, api: '1.41' })).toEqual(['--health-interval=100ms', '--health-start-period=60s'])
  })
  it('sets nothing for an image without a health check unless health-cmd is given', () => {
    expect(healthFlags(given(), { imageHasHealthcheck: false, api: '1.51' })).toEqual([])
    expect(healthFlags(given({ healthCmd: 'true' }), { imageHasHealthcheck: false, api: '1.51' })).toEqual([
      '--health-cmd',
      'true',
      '--health-interval=1s',
      '--health-start-period=60s',
      '--health-start-interval=100ms'
    ])
  })
  it("with fast-health: false, a health-cmd gets health-start-period as Docker's start period; the image's check is left alone", () => {
    expect(healthFlags(given({ fastHealth: false, healthCmd: 'true', healthStartPeriod: 15 }), { imageHasHealthcheck: false, api: '1.51' })).toEqual(['--health-cmd', 'true', '--health-start-period=15s'])
    expect(healthFlags(given({ fastHealth: false, healthCmd: 'true', healthStartPeriod: 0 }), { imageHasHealthcheck: false, api: '1.51' })).toEqual(['--health-cmd', 'true'])
    expect(healthFlags(given({ fastHealth: false, healthStartPeriod: 15 }), { imageHasHealthcheck: true, api: '1.51' })).toEqual([])
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
  it("keeps a failed docker logs apart from the log: Docker's message, no lines", async () => {
    const { docker } = engine(() => ({ exitCode: 1, stderr: 'Error response from daemon: No such container: image-gate-1\n' }))
    expect(await logTail(docker, 'image-gate-1')).toEqual({ lines: [], error: 'Error response from daemon: No such container: image-gate-1' })
  })

  it("never reads Docker's complaint for a dependency the app could not reach: the health row says it as Docker's", async () => {
    const complaint = 'Error response from daemon: dial tcp 10.0.0.5:2375: connect: connection refused'
    const state = { Status: 'exited', Running: false, ExitCode: 1, OOMKilled: false, Pid: 0, StartedAt: '2026-11-22T10:00:00Z', FinishedAt: '2026-11-22T10:00:02Z' }
    const { docker } = engine(args =>
      args[0] === 'inspect' ? { stdout: JSON.stringify(state) } : args[0] === 'logs' || args[0] === 'cp' ? { exitCode: 1, stderr: `${complaint}\n` } : {}
    )
    const ctx = new RunContext(silent)
    ctx.docker = docker
    const report = measuredRun()
    const ran = await runAndWait(ctx, inputs(), report.image.id!, report.image, { api: '1.41' })
    expect(ran.health).toMatchObject({ verdict: 'exited', exitCode: 1, logError: complaint })
    expect(ran.health.logTail).toBeUndefined()
    Object.assign(report, { health: ran.health, user: ran.user, stop: ran.stop })
    const row = judged(report, inputs()).checks.find(c => c.name === 'health')!
    expect(row.detail).not.toContain('could not reach')
    expect(row.detail).toContain(`Docker could not give the container's log: ${complaint}.`)
  })

  it('merges stdout and stderr in time order and drops the timestamps', async () => {
    const { docker } = engine(() => ({
      stdout: '2026-11-22T10:00:00.100000000Z listening\n2026-11-22T10:00:00.300000000Z ready\n',
      stderr: '2026-11-22T10:00:00.200000000Z warn: slow disk\n'
    }))
    expect(await logTail(docker, 'c1')).toEqual({ lines: ['listening', 'warn: slow disk', 'ready'] })
  })
})
