import { describe, expect, it, jest } from '@jest/globals'
import { writeFileSync } from 'node:fs'
import { fakeSpawn, type Answer } from './fake-spawn.js'
import { inputs, measuredRun } from './fixtures.js'

// A builder that cannot put the image into the engine this run uses is an engine problem with a
// fix, not a failed Dockerfile. spawn is scripted (fake-spawn.ts); the fault suite has the real
// case of a builder on another context.

const ID = `sha256:${'c'.repeat(64)}`
let answer: (args: string[]) => Answer
const fake = fakeSpawn((_program, args) => answer(args))
const childProcess = await import('node:child_process')
jest.unstable_mockModule('node:child_process', () => ({ ...childProcess, spawn: fake.spawn }))
const { build: buildOn } = await import('../../src/stages/build.js')
const { RunContext } = await import('../../src/context.js')
const { silent } = await import('../../src/sink.js')
const { EngineError } = await import('../../src/docker/docker.js')


const builder = { name: 'remote-ci', driver: 'remote', endpoint: 'tcp://buildkitd:1234', platforms: [] }

/** The build stage in a run of its own; its result goes into the report as the pipeline puts it. */
async function build(given: ReturnType<typeof inputs>, tags: string[], report: ReturnType<typeof measuredRun>, using: typeof builder) {
  const { id, ...built } = await buildOn(new RunContext(silent), given, tags, using)
  report.build = built
  report.image.id = id
}

/** buildx "succeeds" (writing the iidfile as buildx does) and `image inspect` answers as given. */
function buildThenInspect(inspect: Answer) {
  answer = args => {
    if (args[0] === 'buildx') {
      writeFileSync(args[args.indexOf('--iidfile') + 1], ID)
      return { exitCode: 0, stderr: '#5 exporting to docker image format\n#5 DONE 0.4s\n' }
    }
    return inspect
  }
}

describe('a builder that cannot load into this engine', () => {
  it('built but not here: one sentence naming the builder, and the fix', async () => {
    buildThenInspect({ exitCode: 1, stderr: `Error: No such image: ${ID}\n` })
    const err = await build(inputs(), ['app:1'], measuredRun(), builder).catch((e: Error) => e) as Error
    expect(err).toBeInstanceOf(EngineError)
    expect(err.message).toBe(
      `the buildx builder "remote-ci" (driver remote, endpoint tcp://buildkitd:1234) cannot load the image into the Docker engine this run uses (${ID} is not in this engine after the build). ` +
        "Use a builder on this engine: leave builder empty for the current context's default, or create one with docker/setup-buildx-action (driver docker-container) on the same context."
    )
    expect(fake.calls.at(-1)!.args).toEqual(['image', 'inspect', '--format', '{{.Id}}', ID])
  })

  it('built and here: the id is recorded and the build passes', async () => {
    buildThenInspect({ exitCode: 0, stdout: `${ID}\n` })
    const report = measuredRun()
    await build(inputs(), ['app:1'], report, builder)
    expect(report.build.ok).toBe(true)
    expect(report.image.id).toBe(ID)
  })

  it.each([
    'ERROR: docker exporter does not currently support exporting manifest lists',
    'ERROR: Docker exporter is not supported for the docker driver.',
    'ERROR: use `docker --context=other buildx` to switch to context "other"'
  ])('buildx refusing (%s) is explained the same way, not as a failed Dockerfile', async line => {
    answer = () => ({ exitCode: 1, stderr: `${line}\n` })
    const err = await build(inputs(), ['app:1'], measuredRun(), { name: 'other', driver: 'docker', endpoint: 'other', platforms: [] }).catch((e: Error) => e) as Error
    expect(err).toBeInstanceOf(EngineError)
    expect(err.message).toContain(`the buildx builder "other" (driver docker, endpoint other) cannot load the image into the Docker engine this run uses (buildx says: ${line.replace(/^ERROR: /, '')})`)
  })

  it('a RUN step that fails stays a build failure', async () => {
    answer = () => ({ exitCode: 1, stderr: ' > [2/3] RUN npm ci:\nERROR: failed to solve: process "/bin/sh -c npm ci" did not complete successfully: exit code: 1\n' })
    const report = measuredRun()
    await build(inputs(), ['app:1'], report, builder)
    expect(report.build).toMatchObject({ ok: false, failedStep: '[2/3] RUN npm ci' })
  })
})
