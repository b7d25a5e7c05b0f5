import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import * as path from 'node:path'
import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals'
import { activeCommands, checkRow, fixture, removeImages, row, runAction, takeLeftovers } from './action.js'

// BuildKit's build checks (buildx 0.15 and later) as docker/build-push-action shows them: a warning
// annotation on the Dockerfile line, counted in the build row, and named by the check it explains.
// The fixture's shell-form CMD makes a shell PID 1 that ignores SIGTERM: BuildKit warns of it
// (JSONArgsRecommended) and the stop check fails on it. The machine's engine runs buildx 0.13,
// whose builder reports no build checks: there the same fixture shows none, and nothing breaks.

jest.setTimeout(180_000)
const TAG = 'image-gate-e2e/build-checks'
const NON_ROOT = ["RUN echo 'app:x:10001:10001::/:/bin/sh' > /etc/passwd", 'USER 10001']
const HEALTH = 'HEALTHCHECK --interval=30s --timeout=5s CMD wget -q -O /dev/null http://127.0.0.1:8080/health || exit 1'
// shell form: /bin/sh -c is PID 1, and it ignores TERM (as an untrapped shell as PID 1 would anyway)
const SHELL_CMD = 'CMD trap "" TERM; httpd -f -p 8080 -h /www & wait'
afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(() => removeImages(TAG))

/** buildx's version, from `docker buildx version` ("github.com/docker/buildx 0.29.1+ds1 …", "… v0.13.1 …"). */
function buildxVersion(): [number, number] {
  const out = execFileSync('docker', ['buildx', 'version'], { encoding: 'utf8' })
  const m = /\bv?(\d+)\.(\d+)\.\d+/.exec(out)
  if (!m) throw new Error(`cannot read the version in: ${out}`)
  return [Number(m[1]), Number(m[2])]
}
const [major, minor] = buildxVersion()
const checks = major > 0 || minor >= 15
const withChecks = checks ? describe : describe.skip
const withoutChecks = checks ? describe.skip : describe
if (!checks) console.log(`build-checks: buildx ${major}.${minor} reports no build checks (they need 0.15): only the "none shown" case runs`)
else console.log(`build-checks: buildx ${major}.${minor} reports build checks: the "none shown" case needs buildx before 0.15 (engine 1)`)

function shellFormFixture(): { context: string; line: number } {
  const context = fixture([...NON_ROOT, HEALTH, SHELL_CMD])
  const line = readFileSync(path.join(context, 'Dockerfile'), 'utf8').split('\n').indexOf(SHELL_CMD) + 1
  return { context, line }
}

withChecks(`build checks (buildx ${major}.${minor})`, () => {
  it('annotates JSONArgsRecommended on the CMD line, counts it in the build row, and the failed stop names it', async () => {
    const { context, line } = shellFormFixture()
    // the workspace is the fixture: the annotation names its Dockerfile as a repository would
    const run = await runAction({ context, tags: `${TAG}:shell-form`, 'stop-timeout': '2' }, { env: { GITHUB_WORKSPACE: context } })
    expect(run.report.error).toBeUndefined()
    expect(run.outputs).toMatchObject({ health: 'healthy', passed: 'false', 'stop-exit-code': '137' })

    const annotations = activeCommands(run.stdout).filter(c => c.startsWith('::warning '))
    expect(annotations).toEqual([
      `::warning title=BuildKit build check%3A JSONArgsRecommended,file=Dockerfile,line=${line}::JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals. ` +
        'More info: https://docs.docker.com/go/dockerfile/rule/json-args-recommended/'
    ])
    expect(run.report.runs[0].build.warnings).toEqual([expect.objectContaining({ rule: 'JSONArgsRecommended', file: 'Dockerfile', line })])

    expect(row(run.summary, 'build')).toMatch(new RegExp(`^\\| ✅ \\| build \\| built in [\\d.]+ s · 1 build check warning \\(JSONArgsRecommended line ${line}\\) \\|  \\| image [0-9a-f]{12}\\. BuildKit&#39;s build checks warn`))
    // the shell ignores TERM (trap ""): the kernel drops it, known at once
    expect(row(run.summary, 'stop')).toMatch(/^\| ❌ \| stop \| killed after [\d.]+ s \(SIGTERM lost\) \| exits within 2 s of SIGTERM \| PID 1 \(sh\) has no handler for SIGTERM/)
    const stop = checkRow(run, 'stop').detail
    expect(stop).toContain(`PID 1 is a shell running the shell-form CMD, as BuildKit's JSONArgsRecommended warning (Dockerfile line ${line}) says`)
    expect(run.stdout).toMatch(/::error::image-gate: 1 of 6 checks failed: stop \(killed after [\d.]+ s \(SIGTERM lost\)\)/)
  })

  it('shows no annotation under DOCKER_BUILD_CHECKS_ANNOTATIONS=false, and the build row still counts it', async () => {
    const { context, line } = shellFormFixture()
    const run = await runAction(
      { context, tags: `${TAG}:off`, 'stop-timeout': '1', 'require-graceful-stop': 'false' },
      { env: { GITHUB_WORKSPACE: context, DOCKER_BUILD_CHECKS_ANNOTATIONS: 'false' } }
    )
    expect(run.outputs.passed).toBe('true')
    expect(activeCommands(run.stdout).filter(c => c.startsWith('::warning '))).toEqual([])
    expect(row(run.summary, 'build')).toContain(`· 1 build check warning (JSONArgsRecommended line ${line})`)
  })
})

withoutChecks(`no build checks (buildx ${major}.${minor})`, () => {
  it('shows no warnings and no error for the same fixture: the build row is as it was', async () => {
    const { context } = shellFormFixture()
    const run = await runAction({ context, tags: `${TAG}:old-buildx`, 'stop-timeout': '2' }, { env: { GITHUB_WORKSPACE: context } })
    expect(run.report.error).toBeUndefined()
    expect(run.report.runs[0].build).toMatchObject({ ok: true })
    expect(run.report.runs[0].build.warnings).toBeUndefined()
    expect(activeCommands(run.stdout).filter(c => c.startsWith('::warning '))).toEqual([])
    expect(row(run.summary, 'build')).toMatch(/^\| ✅ \| build \| built in [\d.]+ s \| {2}\| image [0-9a-f]{12} \|$/)
    // the stop still fails (the shell ignores SIGTERM), with the advice it always gave
    const stop = row(run.summary, 'stop')
    expect(stop).toMatch(/^\| ❌ \| stop \| killed after [\d.]+ s \(SIGTERM lost\) \|/)
    expect(stop).not.toContain('JSONArgsRecommended')
  })
})
