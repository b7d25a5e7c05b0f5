import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals'
import { createHash } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { docker, fixture, leftovers, removeImages, runAction, runPost, SERVE, startAction, takeLeftovers, type StartedAction } from './action.js'

// Nothing left behind and nothing run by a shell, whatever happens: a cancelled job (SIGTERM or
// SIGINT mid-wait), a crashed main step (SIGKILL) followed by the post step, and inputs full of
// shell syntax.

jest.setTimeout(120_000)
const TAG = 'image-gate-e2e/safety'
const NON_ROOT = ["RUN echo 'app:x:10001:10001::/:/bin/sh' > /etc/passwd", 'USER 10001']
// healthy never: the wait goes on until the test interrupts it
const NEVER_HEALTHY = [...NON_ROOT, 'HEALTHCHECK CMD exit 1', SERVE[1]]
afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(() => removeImages(TAG))

/**
 * Resolves once a container of this action's run exists (it is waiting on it): by its run label,
 * so a container anything else left cannot pass for it.
 */
async function containerUp(action: StartedAction): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const id = action.runId()
    if (id && docker(['ps', '--all', '--quiet', '--filter', `label=io.github.image-gate.run=${id}`]) !== '') return
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error('no container of this run appeared')
}
const runDirs = () => readdirSync(tmpdir()).filter(name => /^image-gate-[0-9a-f]{12}$/.test(name))

describe('cleanup', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('%s mid-wait: the action removes its containers and exits at once', async signal => {
    const action = startAction({ context: fixture(NEVER_HEALTHY), tags: `${TAG}:never`, 'health-timeout': '60' })
    await containerUp(action)
    const sent = Date.now()
    action.child.kill(signal)
    const run = await action.done
    expect(Date.now() - sent).toBeLessThan(10_000)
    // the whole ending, so a run the signal killed says how far it got
    expect({ code: run.code, signal: run.signal, stdout: run.code === null ? run.stdout + run.stderr : '' }).toEqual({ code: signal === 'SIGINT' ? 130 : 143, signal: null, stdout: '' })
    expect(run.stdout).toContain(`::error::image-gate was stopped (${signal}) before it finished; removing its containers.`)
    expect(leftovers()).toBe('')
    expect(runDirs()).not.toContain(`image-gate-${run.state.run}`)
  })

  it('a crashed main step (SIGKILL) leaves its container; the post step removes it', async () => {
    const action = startAction({ context: fixture(NEVER_HEALTHY), tags: `${TAG}:never`, 'health-timeout': '60' })
    await containerUp(action)
    action.child.kill('SIGKILL')
    const run = await action.done
    expect(run.state.run).toMatch(/^[0-9a-f]{12}$/)
    expect(leftovers()).not.toBe('') // nothing could clean up
    const post = await runPost(run.state)
    expect(post.code).toBe(0)
    expect(post.stdout).toContain('image-gate post: removed 1 container the main step left behind.')
    expect(leftovers()).toBe('')
  })

  it('the post step touches only its own run', async () => {
    const other = docker(['run', '-d', '--label', 'io.github.image-gate=true', '--label', 'io.github.image-gate.run=someoneelse', `${TAG}:never`])
    try {
      const post = await runPost({ run: '0123456789ab' })
      expect(post.code).toBe(0)
      expect(docker(['ps', '-q', '--no-trunc', '--filter', `id=${other}`])).toBe(other)
    } finally {
      docker(['rm', '-f', other])
    }
  })

  it('a normal run leaves no container and no temp directory', async () => {
    const run = await runAction({ context: fixture([...NON_ROOT, ...SERVE]), tags: `${TAG}:ok` })
    expect(run.outputs.health).toBe('healthy')
    expect(runDirs()).not.toContain(`image-gate-${run.state.run}`)
  })
})

describe('the timeout input', () => {
  const buildxRunning = (context: string) =>
    execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      .split('\n')
      .some(l => l.includes('buildx build') && l.includes(context))

  it('stops a hung build, says how far it got, and leaves nothing running', async () => {
    const context = fixture(['RUN sleep 600', ...SERVE])
    const run = await runAction({ context, tags: `${TAG}:hang`, timeout: '4' })
    expect(run.code).toBe(1)
    expect(run.seconds).toBeLessThan(30)
    expect(run.stdout).toContain('::error::image-gate: timed out after 4 s (the timeout input) while building the image')
    expect(run.summary).toContain('## ❌ image-gate: timed out')
    await new Promise(resolve => setTimeout(resolve, 1000))
    expect(buildxRunning(context)).toBe(false)
  })

  it('stops a long health wait and removes the container', async () => {
    const run = await runAction({ context: fixture(NEVER_HEALTHY), tags: `${TAG}:never`, 'health-timeout': '60', timeout: '5' })
    expect(run.code).toBe(1)
    expect(run.seconds).toBeLessThan(30)
    expect(run.stdout).toContain('while running the container and waiting for its health check')
    expect(leftovers()).toBe('')
  })
})

describe('engine problems: one line each, with the fix, and a summary', () => {
  const oneError = (stdout: string) => stdout.split('\n').filter(l => l.startsWith('::error::'))

  it('no docker CLI', async () => {
    // node is started by its full path; the action finds nothing on an empty PATH
    const run = await runAction({ context: fixture(SERVE) }, { env: { PATH: mkdtempSync(path.join(tmpdir(), 'empty-path-')) } })
    expect(run.code).toBe(1)
    expect(oneError(run.stdout)).toEqual(['::error::image-gate: the docker CLI was not found on PATH. Install Docker, or run on a GitHub-hosted Ubuntu runner, which has it.'])
    expect(run.summary).toContain('## ❌ image-gate: did not run')
  })

  it('a daemon that does not answer', async () => {
    const run = await runAction({ context: fixture(SERVE) }, { env: { DOCKER_HOST: 'unix:///tmp/image-gate-no-such-daemon.sock' } })
    expect(run.code).toBe(1)
    expect(oneError(run.stdout)).toEqual([expect.stringMatching(/^::error::image-gate: the Docker engine is not reachable \(.+\)\. Start the Docker daemon, or check DOCKER_HOST/)])
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /)
  })

  it('a builder that does not exist', async () => {
    const run = await runAction({ context: fixture(SERVE), builder: 'no-such-builder' })
    expect(oneError(run.stdout)).toEqual([expect.stringContaining('::error::image-gate: the buildx builder "no-such-builder" is not usable (')])
  })

  it('a builder that cannot load here: the docker driver of another context', async () => {
    // Another context (on the same daemon, so nothing else has to run): its builder exists and
    // answers, but buildx's docker driver builds only for the current context. The same daemon is
    // the one these tests were given: DOCKER_HOST when set, else the default socket.
    const name = `image-gate-e2e-other-${process.pid}`
    const host = process.env.DOCKER_HOST || 'unix:///var/run/docker.sock'
    execFileSync('docker', ['context', 'create', name, '--docker', `host=${host}`], { stdio: 'ignore' })
    try {
      const run = await runAction({ context: fixture(SERVE), builder: name })
      expect(run.code).toBe(1)
      expect(oneError(run.stdout)).toEqual([
        `::error::image-gate: the buildx builder "${name}" (driver docker, endpoint ${name}) cannot load the image into the Docker engine this run uses ` +
          `(buildx says: use \`docker --context=${name} buildx\` to switch to context "${name}"). ` +
          "Use a builder on this engine: leave builder empty for the current context's default, or create one with docker/setup-buildx-action (driver docker-container) on the same context."
      ])
      expect(run.report.error.kind).toBe('engine')
      expect(run.summary).toContain('cannot load the image into the Docker engine this run uses')
    } finally {
      execFileSync('docker', ['context', 'rm', '--force', name], { stdio: 'ignore' })
    }
  })
})

describe('hostile output', () => {
  it('50 MB of container logs: the verdict, a short summary, and the tail in the log', async () => {
    const line = 'x'.repeat(99)
    // never healthy: the verdict is its exit, after the 50 MB are written
    const context = fixture([...NON_ROOT, 'HEALTHCHECK CMD exit 1', `CMD ["sh", "-c", "yes ${line} | head -c 50000000; echo last words; exit 1"]`])
    const run = await runAction({ context, tags: `${TAG}:loud` })
    expect(run.outputs.health).toBe('exited')
    expect(run.report.runs[0].health.logTail.slice(-1)).toEqual(['last words'])
    expect(Buffer.byteLength(run.summary)).toBeLessThan(1024 * 1024)
    expect(run.stdout.length).toBeLessThan(1_000_000) // the action log has the tail, not 50 MB
  })
})

describe('no input reaches a shell on the host', () => {
  it('shell syntax in every free-text input stays text', async () => {
    const canary = path.join(tmpdir(), `image-gate-canary-${process.pid}`)
    const payloads = [`$(touch ${canary}-1)`, `\`touch ${canary}-2\``, `; touch ${canary}-3`, `| touch ${canary}-4`, `&& touch ${canary}-5`]
    const run = await runAction({
      context: fixture(['ARG A', 'ARG B', `RUN echo "$A$B" > /args.txt`, ...NON_ROOT, ...SERVE]),
      tags: `${TAG}:canary`,
      'build-args': `A=${payloads[0]}\nB=${payloads[1]}`,
      labels: `note=${payloads[2]}\nmore=${payloads[3]}`,
      env: `X=${payloads[4]}`,
      // to buildx --annotation (containerd store): an argument, never a shell's
      annotations: `org.example.note=${payloads[2]}`,
      'comment-key': payloads.join(' '),
      'health-cmd': 'wget -q -O /dev/null http://127.0.0.1:8080/health'
    })
    expect(run.outputs.health).toBe('healthy')
    for (let i = 1; i <= 5; i++) expect(existsSync(`${canary}-${i}`)).toBe(false)
    // the values arrived as plain data
    expect(run.report.runs[0].image.labels).toMatchObject({ note: payloads[2], more: payloads[3] })
  })
})

describe('build secrets', () => {
  it('reach RUN --mount=type=secret, and are masked and never echoed', async () => {
    const value = `s3cr3t-${process.pid}-value`
    // the build checks the secret by its md5, so the value itself is nowhere in the Dockerfile
    const md5 = createHash('md5').update(value).digest('hex')
    const run = await runAction({
      context: fixture([`RUN --mount=type=secret,id=token test "$(md5sum < /run/secrets/token | cut -c1-32)" = "${md5}"`, ...NON_ROOT, ...SERVE]),
      tags: `${TAG}:secret`,
      secrets: `token=${value}`
    })
    expect(run.report.runs[0].build.ok).toBe(true)
    // the only place the value appears is the runner's instruction to mask it
    expect(run.stdout.split('\n').filter(line => line.includes(value))).toEqual([`::add-mask::${value}`])
    expect(run.stderr).not.toContain(value)
    expect(run.summary).not.toContain(value)
    expect(run.outputs.report).not.toContain(value)
    expect(runDirs()).not.toContain(`image-gate-${run.state.run}`)
  })
})
