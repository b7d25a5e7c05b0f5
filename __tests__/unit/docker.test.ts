import { beforeEach, describe, expect, it, jest } from '@jest/globals'
import { fakeSpawn, notFound, type Answer } from './fake-spawn.js'

// Engine problems get one sentence with the fix. spawn is scripted (fake-spawn.ts).

let answer: (args: string[]) => Answer = () => ({ exitCode: 0 })
const fake = fakeSpawn((_program, args) => answer(args))
const childProcess = await import('node:child_process')
jest.unstable_mockModule('node:child_process', () => ({ ...childProcess, spawn: fake.spawn }))
const { Docker, EngineError } = await import('../../src/docker/docker.js')
const { apiAtLeast, parseBuilder, parseUserns, preflight: preflightOn } = await import('../../src/docker/engine.js')
const { Processes } = await import('../../src/docker/command.js')
const { cleanupSettled, post } = await import('../../src/docker/cleanup.js')
const { silent } = await import('../../src/sink.js')

const preflight = (builder?: string) => preflightOn(new Docker(new Processes()), builder)

/** Answers in turn; the last one repeats. */
function answers(...list: Answer[]) {
  answer = () => (list.length > 1 ? list.shift()! : list[0])
}

const INSPECT_DEFAULT = `Name:          default
Driver:        docker
Last Activity: 2026-11-22 10:00:00 +0000 UTC

Nodes:
Name:      default
Endpoint:  default
Status:    running
Buildkit:  v0.11.7
Platforms: linux/amd64, linux/amd64/v2, linux/386, linux/arm64*
`

beforeEach(() => {
  fake.calls.length = 0
})

describe('preflight', () => {
  it('passes when the engine answers and buildx is there, and says which builder builds', async () => {
    answer = args => (args[1] === 'inspect' ? { exitCode: 0, stdout: INSPECT_DEFAULT } : args[0] === 'info' ? { exitCode: 0, stdout: '[["Backing Filesystem","extfs"]]' } : { exitCode: 0, stdout: '20.10.24 1.41 amd64' })
    await expect(preflight()).resolves.toEqual({
      builder: { name: 'default', driver: 'docker', endpoint: 'default', platforms: ['linux/amd64', 'linux/amd64/v2', 'linux/386', 'linux/arm64'] },
      version: '20.10.24',
      api: '1.41',
      arch: 'amd64',
      store: 'classic'
    })
    expect(fake.calls.map(c => [c.program, ...c.args])).toEqual([
      ['docker', 'version', '--format', '{{.Server.Version}} {{.Client.APIVersion}} {{.Server.Arch}}'],
      ['docker', 'buildx', 'version'],
      ['docker', 'buildx', 'inspect'],
      ['docker', 'info', '--format', '{{json .DriverStatus}}\n{{json .SecurityOptions}}\n{{json .DockerRootDir}}']
    ])
  })

  it('says when the engine keeps images in the containerd store, and which API version is spoken', async () => {
    answer = args =>
      args[1] === 'inspect' ? { exitCode: 0, stdout: INSPECT_DEFAULT } : args[0] === 'info' ? { exitCode: 0, stdout: '[["driver-type","io.containerd.snapshotter.v1"]]' } : { exitCode: 0, stdout: '28.5.2 1.51' }
    await expect(preflight()).resolves.toMatchObject({ version: '28.5.2', api: '1.51', store: 'containerd' })
  })

  it('says where the engine remaps user namespaces to (userns-remap), from docker info', async () => {
    const info = '[["Backing Filesystem","extfs"]]\n["name=seccomp,profile=builtin","name=userns"]\n"/var/lib/docker/165536.165536"\n'
    answer = args => (args[1] === 'inspect' ? { exitCode: 0, stdout: INSPECT_DEFAULT } : args[0] === 'info' ? { exitCode: 0, stdout: info } : { exitCode: 0, stdout: '28.5.2 1.51' })
    await expect(preflight()).resolves.toMatchObject({ store: 'classic', userns: { rootUid: 165536, rootGid: 165536 } })
  })

  it('says the daemon is down, with Docker\'s own words and the fix', async () => {
    answers({ exitCode: 1, stderr: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n' })
    const err = await preflight().catch((e: Error) => e) as Error
    expect(err).toBeInstanceOf(EngineError)
    expect(err.message).toBe(
      'the Docker engine is not reachable (Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?). Start the Docker daemon, or check DOCKER_HOST; without one, install Docker Engine or Docker Desktop with the buildx plugin and start it.'
    )
  })

  it('says buildx is missing and how to add it', async () => {
    answers({ exitCode: 0, stdout: '20.10.24' }, { exitCode: 1, stderr: "docker: 'buildx' is not a docker command." })
    await expect(preflight()).rejects.toThrow('docker buildx is not available (`docker buildx version` failed). Install the buildx plugin; on GitHub add the step docker/setup-buildx-action')
  })

  it('says the docker CLI is missing', async () => {
    answers(notFound('docker'))
    const err = await preflight().catch((e: Error) => e) as Error
    expect(err).toBeInstanceOf(EngineError)
    expect(err.message).toBe('the docker CLI was not found on PATH. Install Docker, or run on a GitHub-hosted Ubuntu runner, which has it.')
  })

  it('says a builder that does not exist is not usable, and how to make it', async () => {
    answers({ exitCode: 0, stdout: '20.10.24' }, { exitCode: 0, stdout: 'github.com/docker/buildx 0.13.1' }, { exitCode: 1, stderr: 'ERROR: no builder "ci" found' })
    await expect(preflight('ci')).rejects.toThrow(
      'the buildx builder "ci" is not usable (ERROR: no builder "ci" found). Create it (docker buildx create --name ci, or docker/setup-buildx-action), or leave builder empty for the default.'
    )
    expect(fake.calls[2].args).toEqual(['buildx', 'inspect', 'ci'])
  })
})

describe('parseBuilder', () => {
  it('reads a docker-container builder with a daemon endpoint', () => {
    const text = 'Name:          ci\nDriver:        docker-container\n\nNodes:\nName:      ci0\nEndpoint:  unix:///var/run/docker.sock\nStatus:    running\n'
    expect(parseBuilder(text)).toEqual({ name: 'ci', driver: 'docker-container', endpoint: 'unix:///var/run/docker.sock', platforms: [] })
  })

  it('falls back to the asked-for name when buildx said nothing useful', () => {
    expect(parseBuilder('', 'ci')).toEqual({ name: 'ci', driver: 'unknown', endpoint: '', platforms: [] })
  })
})

describe('a call the engine does not answer', () => {
  it('is stopped at call-timeout with one sentence, and later calls fail at once instead of hanging in turn', async () => {
    const docker = new Docker(new Processes(), 50)
    answer = args => (args[0] === 'inspect' ? { hang: 'until-killed' } : { exitCode: 0 })
    const started = Date.now()
    const err = await docker.call(['inspect', '--format', '{{json .State}}', 'image-gate-1']).catch((e: Error) => e) as Error
    expect(Date.now() - started).toBeLessThan(5000)
    expect(err).toBeInstanceOf(EngineError)
    expect(err.message).toBe(
      "the Docker engine did not answer `docker inspect` within 0.05 s, so the run stopped there. The daemon may be hung or overloaded: check it (`docker info`, the daemon's log), or raise call-timeout."
    )
    expect(fake.calls[0].child.signals).toEqual(['SIGTERM'])

    const before = fake.calls.length
    await expect(docker.call(['ps', '--all'])).rejects.toThrow('did not answer `docker inspect`')
    expect(fake.calls.length).toBe(before) // not even started
    // another run's client is not affected
    await expect(new Docker(new Processes()).call(['ps', '--all'])).resolves.toMatchObject({ exitCode: 0 })
  })
})

describe('an engine that cannot be reached', () => {
  const GONE = { exitCode: 1, stderr: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n' }

  it('is an engine error from call() and ok() alike, never an answer about the container', async () => {
    answer = args => (args[0] === 'ps' ? { exitCode: 0, stdout: '' } : GONE)
    const docker = new Docker(new Processes())
    await docker.call(['ps', '--all'])
    for (const asked of [docker.call(['logs', 'image-gate-1']), docker.ok(['inspect', 'image-gate-1'])]) {
      const err = (await asked.catch((e: Error) => e)) as Error
      expect(err).toBeInstanceOf(EngineError)
      expect(err.message).toBe(
        'the Docker engine stopped answering during the run (Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?). Check the daemon (`docker info`, its log) and start it again if it is down.'
      )
    }
  })

  it('that never answered this process is "not reachable", not "stopped answering": the post step says so', async () => {
    answer = () => GONE
    const said: string[] = []
    const sink = { ...silent, debug: (m: string) => void said.push(`debug: ${m}`), warning: (m: string) => void said.push(`warning: ${m}`), info: (m: string) => void said.push(`info: ${m}`) }
    await post(new Docker(new Processes()), 'abc123', sink)
    expect(said).toEqual([
      'debug: image-gate post: the Docker engine is not reachable (Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?). Start the Docker daemon, or check DOCKER_HOST; without one, install Docker Engine or Docker Desktop with the buildx plugin and start it.'
    ])
  })

  it("gives Docker's own message, without the CLI's usage trailer", async () => {
    answer = () => ({ exitCode: 125, stderr: "docker: Error response from daemon: network gh_net not found\n\nRun 'docker run --help' for more information\n" })
    await expect(new Docker(new Processes()).ok(['run', 'x'])).rejects.toThrow(/^docker run failed: Error response from daemon: network gh_net not found$/)
  })
})

describe('cleanupSettled', () => {
  it('removes a container the engine finished making after the first look (a killed docker run)', async () => {
    fake.calls.length = 0
    let looks = 0
    // the first look finds nothing; the engine then finishes the container a killed `docker run` asked for
    answer = args => (args[0] === 'ps' ? { exitCode: 0, stdout: ++looks === 2 ? 'fc516c6f777e\n' : '' } : { exitCode: 0 })
    const run = { id: 'r1', docker: new Docker(new Processes()), processes: new Processes(), sink: silent, containersNamed: true }
    await cleanupSettled(run, true, 600)
    expect(fake.calls.filter(c => c.args[0] === 'rm').map(c => c.args)).toEqual([['rm', '--force', '--volumes', 'fc516c6f777e']])
    expect(looks).toBeGreaterThanOrEqual(2)
  })

  it('looks once when no container was named yet', async () => {
    fake.calls.length = 0
    answer = () => ({ exitCode: 0, stdout: '' })
    await cleanupSettled({ id: 'r2', docker: new Docker(new Processes()), processes: new Processes(), sink: silent, containersNamed: false }, true, 600)
    expect(fake.calls.filter(c => c.args[0] === 'ps')).toHaveLength(1)
  })
})

describe('apiAtLeast', () => {
  it('compares API versions as numbers, not strings', () => {
    expect(apiAtLeast('1.44', '1.44')).toBe(true)
    expect(apiAtLeast('1.51', '1.44')).toBe(true)
    expect(apiAtLeast('1.41', '1.44')).toBe(false)
    expect(apiAtLeast('1.9', '1.44')).toBe(false)
    expect(apiAtLeast('2.0', '1.44')).toBe(true)
    expect(apiAtLeast('', '1.44')).toBe(false)
  })
})

describe('parseUserns', () => {
  it('reads the host UID and GID of the containers\' root from the data directory a remapping engine uses', () => {
    expect(parseUserns('["name=seccomp,profile=builtin","name=userns"]', '"/var/lib/docker/165536.165536"')).toEqual({ rootUid: 165536, rootGid: 165536 })
    expect(parseUserns('["name=userns","name=cgroupns"]', '"/srv/docker/100000.100100"')).toEqual({ rootUid: 100000, rootGid: 100100 })
  })

  it('no remapping: nothing; remapping where the directory does not say: the remap without its range', () => {
    expect(parseUserns('["name=seccomp,profile=builtin","name=cgroupns"]', '"/var/lib/docker"')).toBeUndefined()
    expect(parseUserns('["name=usernsx"]', '"/var/lib/docker/1.1"')).toBeUndefined()
    expect(parseUserns('["name=userns"]', '"/var/lib/docker"')).toEqual({})
  })
})
