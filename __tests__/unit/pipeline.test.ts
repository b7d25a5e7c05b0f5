import { afterAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { RunContext } from '../../src/context.js'
import { EngineError, type Docker } from '../../src/docker/docker.js'
import { run, STAGES, type Stages } from '../../src/pipeline.js'
import { rowsOf } from '../../src/report/report.js'
import type { Place, Sink } from '../../src/sink.js'

// The pipeline with fake stages, a fake engine and a sink that records: the order of the stages,
// the image they are given, how their results make the report, and what is published.

const context = mkdtempSync(path.join(tmpdir(), 'image-gate-pipeline-'))
writeFileSync(path.join(context, 'Dockerfile'), 'FROM scratch\n')
afterAll(() => rmSync(context, { recursive: true, force: true }))

const ID = `sha256:${'a'.repeat(64)}`

/** A sink that keeps what it was told. */
function recorder() {
  const said: string[] = []
  const outputs: Record<string, string> = {}
  let summary = ''
  const sink: Sink = {
    info: m => void said.push(`info: ${m}`),
    warning: m => void said.push(`warning: ${m}`),
    error: (m: string, place?: Place) => void said.push(`error: ${m}${place ? ` @${place.file}:${place.line}` : ''}`),
    debug: () => undefined,
    group: (_title, run) => run(),
    untrusted: lines => void said.push(...lines.map(l => `log: ${l}`)),
    stream: () => ({ write: () => undefined, end: () => undefined }),
    secret: () => undefined,
    output: (name, value) => void (outputs[name] = value),
    summary: async markdown => void (summary = markdown),
    fail: m => void said.push(`fail: ${m}`)
  }
  return { sink, said, outputs, summary: () => summary }
}

/** An engine where nothing of this run is left to clean up. */
const quietEngine = { call: async () => ({ exitCode: 0, stdout: '', stderr: '' }), ok: async () => '', callLimitMs: 0 } as unknown as Docker

/** Stages that pass, recording which ran and with which image. */
function fakeStages(overrides: Partial<Stages> = {}) {
  const calls: string[] = []
  const stages: Stages = {
    preflight: async () => (calls.push('preflight'), { builder: { name: 'default', driver: 'docker', endpoint: 'default', platforms: [] }, version: '28.5.2', api: '1.51', arch: 'amd64', store: 'classic' }),
    defaultTag: async () => (calls.push('defaultTag'), 'image-gate/app:local'),
    build: async (_ctx, _inputs, tags) => (calls.push(`build ${tags.join(',')}`), { ok: true, seconds: 2, id: ID }),
    inspectImage: async (_docker, image) => (
      calls.push(`inspect ${image}`),
      { id: ID, size: 5_000_000, user: 'app', healthcheck: ['CMD', 'true'], healthcheckRetries: 3, exposedPorts: [], labels: {} }
    ),
    runAndWait: async (_ctx, _inputs, image, facts) => (
      calls.push(`run ${image} as ${facts.user}`),
      {
        health: { verdict: 'healthy', source: 'image', command: 'true', startupSeconds: 1.2 },
        user: { uid: 1001, gid: 1001, process: 'app', pid: 4242 },
        stop: { outcome: 'exited', signal: 'SIGTERM', exitCode: 0, seconds: 0.05, pid1: 'app' }
      }
    ),
    measureSizes: async (_ctx, _inputs, image) => (
      calls.push(`measure ${image}`),
      { image: { store: 'classic', compressedSize: 2_000_000, largestLayers: [] }, contents: { layers: 3, files: 40, findings: [], count: 0, allowed: 0 } }
    ),
    pushGated: async (_docker, images, tags) => (
      calls.push(`push ${images.map(i => `${i.platform} ${i.image}`).join(',')} to ${tags.join(',')}`),
      { digest: `sha256:${'d'.repeat(64)}`, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', size: 525, images: images.map(i => ({ platform: i.platform, manifest: `sha256:${'d'.repeat(64)}`, config: ID })) }
    ),
    ...overrides
  }
  return { stages, calls }
}

async function runWith(stages: Stages, given: Record<string, string> = {}) {
  const out = recorder()
  const ctx = new RunContext(out.sink)
  ctx.docker = quietEngine
  const inputs: Record<string, string> = { context, tags: 'app:pr-7', ...given }
  const report = await run(ctx, name => inputs[name] ?? '', { hasPostStep: false, stages, cwd: context })
  return { report, ctx, ...out }
}

describe('the pipeline', () => {
  it('runs the stages in order on the built image id, assembles their results and publishes once', async () => {
    const { stages, calls } = fakeStages()
    const { report, said, outputs, summary, ctx } = await runWith(stages, { 'max-size': '10MB' })
    expect(calls).toEqual(['preflight', 'build app:pr-7', `inspect ${ID}`, `run ${ID} as app`, `measure ${ID}`])
    expect(report).toMatchObject({ tag: 'app:pr-7', passed: true, runs: [{ build: { ok: true, seconds: 2 }, image: { id: ID, size: 5_000_000, compressedSize: 2_000_000 } }] })
    expect(report.runs[0].checks.map(c => [c.name, c.status])).toEqual([
      ['build', 'pass'],
      ['health', 'pass'],
      ['size', 'pass'],
      ['user', 'pass'],
      ['contents', 'pass'],
      ['stop', 'pass']
    ])
    expect(said[0]).toBe('log: image-gate: PASSED  app:pr-7')
    expect(said.filter(s => s.startsWith('fail:'))).toEqual([])
    expect(outputs).toMatchObject({ passed: 'true', imageid: ID, health: 'healthy', uid: '1001', 'compressed-size': '2000000', 'contents-findings': '0' })
    expect(JSON.parse(outputs.report)).toEqual(JSON.parse(JSON.stringify(report)))
    expect(summary()).toContain('## ✅ image-gate: passed')
    expect(ctx.publishing).toBeDefined()
    expect(ctx.stage).toBe('judging')
  })

  it('gates each of several platforms as its own image, groups the rows by platform, and fails when one platform fails', async () => {
    const images: Record<string, string> = { 'linux/amd64': `sha256:${'a'.repeat(64)}`, 'linux/arm64': `sha256:${'b'.repeat(64)}` }
    const { stages, calls } = fakeStages({
      preflight: async () => ({ builder: { name: 'default', driver: 'docker', endpoint: 'default', platforms: ['linux/amd64', 'linux/arm64'] }, version: '28.5.2', api: '1.51', arch: 'amd64', store: 'classic' }),
      build: async (_ctx, inputs, tags) => {
        calls.push(`build ${inputs.platform} ${tags.join(',')}`)
        // the emulated build takes longer: the native one ends first
        await new Promise(resolve => setTimeout(resolve, inputs.platform === 'linux/arm64' ? 30 : 10))
        calls.push(`built ${inputs.platform}`)
        return { ok: true, seconds: 2, id: images[inputs.platform] }
      },
      inspectImage: async (_docker, image) => (
        calls.push(`inspect ${image}`),
        { id: image, size: 5_000_000, user: 'app', platform: image === images['linux/arm64'] ? 'linux/arm64' : 'linux/amd64', healthcheck: ['CMD', 'true'], healthcheckRetries: 3, exposedPorts: [], labels: {} }
      ),
      runAndWait: async (_ctx, inputs, image) => (
        calls.push(`run ${image} within ${inputs.healthTimeout} s`),
        {
          // the arm64 image's app crashes under emulation
          health: image === images['linux/arm64'] ? { verdict: 'exited', source: 'image', command: 'true', exitCode: 1 } : { verdict: 'healthy', source: 'image', command: 'true', startupSeconds: 1.2 },
          user: { uid: 1001, gid: 1001, process: 'app', pid: 4242 },
          stop: { outcome: 'exited', signal: 'SIGTERM', exitCode: 0, seconds: 0.05, pid1: 'app' }
        }
      )
    })
    const { report, outputs, summary, said } = await runWith(stages, { platforms: 'linux/amd64,linux/arm64' })
    // the builds at once, each its own image with tags of its own; then the runs one after another,
    // once every build has ended; the emulated one with 5x the health-timeout
    expect(calls).toEqual([
      'build linux/amd64 app:pr-7-linux-amd64',
      'build linux/arm64 app:pr-7-linux-arm64',
      'built linux/amd64',
      'built linux/arm64',
      `inspect ${images['linux/amd64']}`,
      `run ${images['linux/amd64']} within 120 s`,
      `measure ${images['linux/amd64']}`,
      `inspect ${images['linux/arm64']}`,
      `run ${images['linux/arm64']} within 600 s`,
      `measure ${images['linux/arm64']}`
    ])
    expect(report.passed).toBe(false)
    expect(rowsOf(report).map(c => [c.platform, c.name, c.status])).toEqual([
      ['linux/amd64', 'build', 'pass'],
      ['linux/amd64', 'health', 'pass'],
      ['linux/amd64', 'size', 'skip'],
      ['linux/amd64', 'user', 'pass'],
      ['linux/amd64', 'contents', 'pass'],
      ['linux/amd64', 'stop', 'pass'],
      ['linux/arm64', 'build', 'pass'],
      ['linux/arm64', 'platform', 'pass'],
      ['linux/arm64', 'health', 'fail'],
      ['linux/arm64', 'size', 'skip'],
      ['linux/arm64', 'user', 'pass'],
      ['linux/arm64', 'contents', 'pass'],
      ['linux/arm64', 'stop', 'pass']
    ])
    expect(report.runs.map(p => [p.platform, p.passed, p.image.id])).toEqual([
      ['linux/amd64', true, images['linux/amd64']],
      ['linux/arm64', false, images['linux/arm64']]
    ])
    // the outputs that name one image name the first; failed-platforms names the one that failed
    expect(outputs).toMatchObject({ passed: 'false', 'failed-platforms': 'linux/arm64', imageid: images['linux/amd64'] })
    expect(summary()).toContain('| | Platform | Check | Result | Limit | Detail |')
    expect(summary()).toContain('| ✅ | linux/arm64 | platform | linux/arm64, emulated | runs |')
    expect(summary()).toMatch(/\| ❌ \| linux\/arm64 \| health \| exited/)
    expect(said.find(s => s.startsWith('fail:'))).toMatch(/^fail: image-gate: 1 of 13 checks failed: health linux\/arm64 \(exited/)
  })

  it('a failed build runs nothing after it, and fails the step with the rows that say so', async () => {
    const { stages, calls } = fakeStages({
      build: async () => ({ ok: false, seconds: 1, failedStep: '[2/3] RUN npm ci', error: 'exit code: 1', logTail: ['npm error 404'] })
    })
    const { report, said } = await runWith(stages)
    expect(calls).toEqual(['preflight'])
    expect(report.runs[0].checks.map(c => [c.name, c.status, c.value])).toEqual([
      ['build', 'fail', 'failed'],
      ['health', 'skip', 'not run'],
      ['size', 'skip', 'not run'],
      ['user', 'skip', 'not run'],
      ['contents', 'skip', 'not run'],
      ['stop', 'skip', 'not run']
    ])
    expect(said.filter(s => s.startsWith('fail:'))).toEqual(['fail: image-gate: 1 of 6 checks failed: build (failed)'])
  })

  it('an engine error mid-run is one line, with what was measured so far kept', async () => {
    const { stages } = fakeStages({
      runAndWait: async () => {
        throw new EngineError('the Docker engine stopped answering during the run (EOF).')
      }
    })
    const { report, said, outputs } = await runWith(stages)
    expect(report.error).toEqual({ kind: 'engine', message: 'the Docker engine stopped answering during the run (EOF).' })
    expect(report.runs[0].image.size).toBe(5_000_000)
    expect(said.filter(s => s.startsWith('fail:'))).toEqual(['fail: image-gate: the Docker engine stopped answering during the run (EOF).'])
    // said once: the failure line; the report's text above it has the headline, not the error again
    expect(said.filter(s => s.includes('stopped answering'))).toHaveLength(1)
    expect(said[0]).toBe('log: image-gate: FAILED (stopped with an error)  app:pr-7')
    expect(outputs.passed).toBe('false')
  })

  it('bad input runs no stage at all and says so in one line', async () => {
    const { stages, calls } = fakeStages()
    const { report, said } = await runWith(stages, { 'max-size': 'big' })
    expect(calls).toEqual([])
    expect(report.error?.kind).toBe('input')
    expect(said.filter(s => s.startsWith('fail:'))).toEqual([`fail: ${report.error?.message}`])
  })

  it('without tags, the default tag is decided once and used for the build', async () => {
    const { stages, calls } = fakeStages()
    const { report } = await runWith(stages, { tags: '' })
    expect(calls.slice(0, 2)).toEqual(['preflight', 'defaultTag'])
    expect(calls[2]).toBe('build image-gate/app:local')
    expect(report.tag).toBe('image-gate/app:local')
  })

  it('a timeout during a build publishes exactly once, to its end, and only then exits', async () => {
    // the timeout fires at 1 s and stops the build, which returns at once; the pipeline's own
    // publish then starts while the timeout's cleanup still waits on the engine, and writing the
    // summary takes a while: the exit must wait for that one publish to finish
    const out = recorder()
    const events: string[] = []
    const slowSummary: Sink = {
      ...out.sink,
      summary: async markdown => void (await new Promise(r => setTimeout(r, 400)), events.push(`summary: ${markdown.split('\n')[0]}`)),
      fail: m => void events.push(`fail: ${m}`)
    }
    const ctx = new RunContext(slowSummary)
    ctx.docker = { ...quietEngine, ok: async () => (await new Promise(r => setTimeout(r, 200)), '') } as unknown as Docker
    let stopped: () => void = () => undefined
    const { stages } = fakeStages({
      build: async () => {
        await new Promise<void>(resolve => (stopped = resolve))
        return { ok: false, seconds: 1, error: 'the build was stopped' }
      }
    })
    ctx.processes.stopAll = () => stopped()
    const exited = new Promise<number>(resolve => {
      const inputs: Record<string, string> = { context, tags: 'app:pr-7', timeout: '1' }
      void run(ctx, name => inputs[name] ?? '', { hasPostStep: false, stages, cwd: context, exit: code => (events.push(`exit ${code}`), resolve(code)) })
    })
    expect(await exited).toBe(1)
    expect(events).toEqual([
      'summary: ## ❌ image-gate: timed out',
      'fail: image-gate: timed out after 1 s (the timeout input) while building the image',
      'exit 1'
    ])
  })

  it('masks the build secrets, the secret files and the token in all it publishes: a RUN under set -x echoed them', async () => {
    const keyFile = path.join(context, 'deploy-key')
    writeFileSync(keyFile, '-----BEGIN KEY-----\nQUJDREVGR0hJSktMTU5PUA==\n}\n-----END KEY-----\n')
    const { stages } = fakeStages({
      build: async () => ({
        ok: false,
        seconds: 1,
        failedStep: '[2/3] RUN ./fetch npm-tok-4f9a2c',
        error: 'exit code: 1',
        logTail: ['+ TOKEN=npm-tok-4f9a2c', '+ curl -H "Authorization: ghs_job-token-77"', '+ echo QUJDREVGR0hJSktMTU5PUA==', '}']
      })
    })
    const { report, said, outputs, summary } = await runWith(stages, {
      secrets: 'npm=npm-tok-4f9a2c',
      'secret-files': `key=${keyFile}`,
      'github-token': 'ghs_job-token-77'
    })
    const everything = [JSON.stringify(report), ...said, ...Object.values(outputs), summary()].join('\n')
    for (const secret of ['npm-tok-4f9a2c', 'ghs_job-token-77', 'QUJDREVGR0hJSktMTU5PUA==']) expect(everything).not.toContain(secret)
    expect(report.runs[0].build.logTail).toEqual(['+ TOKEN=***', '+ curl -H "Authorization: ***"', '+ echo ***', '}'])
    expect(report.runs[0].build.failedStep).toBe('[2/3] RUN ./fetch ***')
    expect(summary()).toContain('+ TOKEN=***')
  })

  it('the real stages are the ones the action runs', () => {
    expect(Object.keys(STAGES)).toEqual(['preflight', 'defaultTag', 'build', 'inspectImage', 'runAndWait', 'measureSizes', 'pushGated'])
  })
})

describe('push: true', () => {
  const TAGS = 'ghcr.io/o/app:1.2.0\nghcr.io/o/app:latest'
  const pushes = (calls: string[]) => calls.filter(c => c.startsWith('push'))

  it('pushes the gated image id, after every check passed, to every tag; the digest and metadata outputs are what was pushed', async () => {
    const { stages, calls } = fakeStages()
    const inspect = stages.inspectImage
    stages.inspectImage = async (docker, image) => ({ ...(await inspect(docker, image)), platform: 'linux/amd64' })
    const { report, said, outputs, summary } = await runWith(stages, { push: 'true', tags: TAGS })
    expect(pushes(calls)).toEqual([`push linux/amd64 ${ID} to ghcr.io/o/app:1.2.0,ghcr.io/o/app:latest`])
    expect(calls.indexOf(pushes(calls)[0])).toBe(calls.length - 1)
    const line = `pushed ghcr.io/o/app:1.2.0 and :latest, sha256:${'d'.repeat(64)} — the image that was gated (config ${ID})`
    expect(said).toContain(`log:   ${line}`)
    expect(summary()).toContain(line)
    expect(outputs.digest).toBe(`sha256:${'d'.repeat(64)}`)
    expect(JSON.parse(outputs.metadata)).toEqual({
      'containerimage.digest': `sha256:${'d'.repeat(64)}`,
      'containerimage.descriptor': { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest: `sha256:${'d'.repeat(64)}`, size: 525 },
      'containerimage.config.digest': ID,
      'image.name': 'ghcr.io/o/app:1.2.0,ghcr.io/o/app:latest'
    })
    expect(report.push?.outcome).toBe('pushed')
    expect(said.filter(s => s.startsWith('fail:'))).toEqual([])
  })

  it('pushes nothing when a check failed, and says how many', async () => {
    const { stages, calls } = fakeStages({
      runAndWait: async () => ({ health: { verdict: 'exited', exitCode: 3 }, user: { uid: 0, gid: 0, process: 'app', pid: 1 } })
    })
    const { report, said, outputs, summary } = await runWith(stages, { push: 'true', tags: TAGS })
    expect(pushes(calls)).toEqual([])
    expect(report.push).toEqual({ outcome: 'not-pushed', tags: ['ghcr.io/o/app:1.2.0', 'ghcr.io/o/app:latest'], why: '2 checks failed' })
    expect(said).toContain('log:   not pushed: 2 checks failed')
    expect(summary()).toContain('not pushed: 2 checks failed')
    expect(outputs.digest).toBe('')
    expect(outputs.metadata).toBe('')
  })

  it('pushes nothing when the run stops with an error, and says so', async () => {
    const { stages, calls } = fakeStages({
      measureSizes: async () => {
        throw new EngineError('the Docker engine stopped answering during the run (EOF).')
      }
    })
    const { summary } = await runWith(stages, { push: 'true', tags: TAGS })
    expect(pushes(calls)).toEqual([])
    expect(summary()).toContain('not pushed: the run stopped with an error')
  })

  it('a refused push fails the step in one line, in the registry\'s words', async () => {
    const refusal = 'push of ghcr.io/o/app:1.2.0 failed: unauthorized: authentication required (log in to the registry before this step: docker/login-action)'
    const { stages } = fakeStages({
      pushGated: async () => {
        throw new EngineError(refusal)
      }
    })
    const { report, said, outputs } = await runWith(stages, { push: 'true', tags: TAGS })
    expect(said.filter(s => s.startsWith('fail:'))).toEqual([`fail: image-gate: ${refusal}`])
    expect(report.push).toMatchObject({ outcome: 'failed', why: refusal })
    expect(outputs).toMatchObject({ passed: 'false', digest: '' })
  })

  it('without push nothing is pushed and nothing is said of it', async () => {
    const { stages, calls } = fakeStages()
    const { report, said } = await runWith(stages, { tags: TAGS })
    expect(pushes(calls)).toEqual([])
    expect(report.push).toBeUndefined()
    expect(said.join('\n')).not.toContain('pushed')
  })
})
