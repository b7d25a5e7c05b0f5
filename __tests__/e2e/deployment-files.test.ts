import { afterAll, afterEach, expect, it, jest } from '@jest/globals'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { EXAMPLES, removeImages, row, runAction, takeLeftovers } from './action.js'
import { engineAgnostic } from './agnostic.js'

// examples/tynebase-backend gated the way its Kubernetes Deployment and its fly.toml run it, with
// no other input than the file: each setting the file gives is applied (the figures and verdicts
// follow a change in the file), the summary names its line, and an input given wins. What is
// judged is the engine's as always; what is tested here is the reading, so it runs on one engine.

jest.setTimeout(180_000)
const TAG = 'image-gate-e2e/deployment'
const example = path.join(EXAMPLES, 'tynebase-backend')
const copies: string[] = []
afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(() => {
  removeImages(TAG)
  for (const dir of copies) rmSync(dir, { recursive: true, force: true })
})

/** The example as a checkout of its own, its file edited by `edit`: the run's working directory. */
function checkout(file: string, edit: (text: string) => string = t => t): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-deploy-'))
  copies.push(dir)
  cpSync(example, dir, { recursive: true })
  const at = path.join(dir, file)
  writeFileSync(at, edit(readFileSync(at, 'utf8')))
  return dir
}

const lineOf = (dir: string, file: string, needle: string) => readFileSync(path.join(dir, file), 'utf8').split('\n').findIndex(l => l.includes(needle)) + 1

engineAgnostic('kubernetes-manifest', () => {
  const file = 'k8s/deployment.yaml'

  it('gates the api container as the Deployment runs it, with no other input than the file', async () => {
    const dir = checkout(file)
    const run = await runAction({ 'kubernetes-manifest': file, tags: `${TAG}:k8s` }, { cwd: dir })
    const stop = run.report.runs[0].stop
    expect(run.report.runs[0].settings).toMatchObject({ profile: 'restricted', readOnly: true })
    expect(row(run.summary, 'health')).toContain('health-cmd: wget -q --spider http://127.0.0.1:8080/health')
    expect(stop).toMatchObject({ outcome: 'exited', signal: 'SIGTERM' })
    expect(row(run.summary, 'stop')).toContain('20 s')
    expect(run.summary).toContain(`**Settings from \`${file}\`** (kubernetes-manifest)`)
    expect(run.summary).toContain(`| run-memory | \`256Mi\` | line ${lineOf(dir, file, 'memory: 256Mi')} \`spec.template.spec.containers[api].resources.limits.memory\` |`)
    expect(run.summary).toContain(`| env | \`PORT, WORKER_INTERVAL_MS\` |`)
    expect(run.summary).toContain('secretKeyRef')
    expect(run.stdout).toContain(`settings from ${file} (kubernetes-manifest):`)
    expect({ code: run.code, passed: run.outputs.passed }).toEqual({ code: 0, passed: 'true' })
  })

  it('follows the file: a probe path that is not served fails health, the grace period is the stop limit', async () => {
    const dir = checkout(file, t => t.replace('path: /health', 'path: /nope').replace('terminationGracePeriodSeconds: 20', 'terminationGracePeriodSeconds: 3'))
    const run = await runAction({ 'kubernetes-manifest': file, tags: `${TAG}:k8s` }, { cwd: dir })
    expect(run.code).toBe(1)
    expect(run.outputs.health).toBe('unhealthy')
    expect(row(run.summary, 'health')).toContain('health-cmd: wget -q --spider http://127.0.0.1:8080/nope')
    expect(run.summary).toContain(`| stop-timeout | \`3\` | line ${lineOf(dir, file, 'terminationGracePeriodSeconds')} \`spec.template.spec.terminationGracePeriodSeconds\` |`)
  })

  it('follows the file: a memory limit the app cannot start in fails health as OOM-killed; an input given wins over the file', async () => {
    const dir = checkout(file, t => t.replace('memory: 256Mi', 'memory: 6Mi'))
    const run = await runAction({ 'kubernetes-manifest': file, tags: `${TAG}:k8s`, 'stop-timeout': '5' }, { cwd: dir })
    expect(run.code).toBe(1)
    expect(row(run.summary, 'health')).toMatch(/OOM/)
    expect(run.report.runs[0].settings).toMatchObject({ memory: { text: '6Mi' } })
    expect(run.summary).toContain('| stop-timeout | ~~`20`~~ the input given wins |')
  })

  it('refuses a typo in the file in one line naming the file, the line and the key, before anything runs', async () => {
    const dir = checkout(file, t => t.replace('memory: 256Mi', 'memory: 256Mx'))
    const run = await runAction({ 'kubernetes-manifest': file, tags: `${TAG}:k8s` }, { cwd: dir })
    expect(run.code).toBe(1)
    expect(run.report.runs).toEqual([])
    expect(run.stdout).toMatch(new RegExp(`::error::${file}:${lineOf(dir, file, 'memory: 256Mx')}: .*256Mx`))
  })
})

engineAgnostic('fly-config', () => {
  const file = 'fly.toml'

  it("gates the app process as Fly runs it, and the worker process as a smoke run, with no other input than the file", async () => {
    const dir = checkout(file)
    const run = await runAction({ 'fly-config': file, tags: `${TAG}:fly` }, { cwd: dir })
    expect(row(run.summary, 'health')).toContain('health-cmd: wget -q --spider http://127.0.0.1:8080/health')
    expect(row(run.summary, 'smoke')).toContain('node dist/worker.js')
    expect(row(run.summary, 'stop')).toContain('15 s')
    expect(run.summary).toContain(`| smoke-commands | \`node dist/worker.js\` | line ${lineOf(dir, file, '[processes]')} \`processes\` |`)
    expect({ code: run.code, passed: run.outputs.passed }).toEqual({ code: 0, passed: 'true' })
  })

  it('follows the file: a check path that is not served fails health', async () => {
    const dir = checkout(file, t => t.replace('path = "/health"', 'path = "/nope"'))
    const run = await runAction({ 'fly-config': file, tags: `${TAG}:fly` }, { cwd: dir })
    expect(run.code).toBe(1)
    expect(run.outputs.health).toBe('unhealthy')
    expect(row(run.summary, 'health')).toContain('http://127.0.0.1:8080/nope')
  })
})
