import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { checkRow, docker, removeImages, row, runAction, takeLeftovers } from './action.js'

// run-memory and max-memory on a real engine: an app that holds ~300 MiB from its start is killed
// by a 256m limit (its own verdict, with the limit as written), and under 512m is healthy with its
// memory use shown in the health row, which max-memory judges.

jest.setTimeout(180_000)
const TAG = 'image-gate-e2e/memory'
const MIB = 2 ** 20
afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(() => removeImages(TAG))

/** node on the node:18-alpine stand-in, holding 300 MiB (filled, so every page is resident) before it listens. */
function app(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-fixture-'))
  writeFileSync(
    path.join(dir, 'Dockerfile'),
    [
      'FROM node:18-alpine',
      'WORKDIR /app',
      'COPY server.js ./',
      'USER node',
      'HEALTHCHECK --interval=1s --start-period=30s CMD wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1',
      'CMD ["node", "server.js"]',
      ''
    ].join('\n')
  )
  writeFileSync(
    path.join(dir, 'server.js'),
    [
      "console.log('allocating 300 MiB')",
      'const held = Buffer.alloc(300 * 2 ** 20, 1)',
      "require('http').createServer((req, res) => res.end(String(held.length))).listen(8080, () => console.log('listening on 8080'))",
      "process.on('SIGTERM', () => process.exit(0))",
      ''
    ].join('\n')
  )
  return dir
}

describe('run-memory', () => {
  it('an app over the 256m limit is killed, and the health row says so with the limit as written and the fix', async () => {
    const run = await runAction({ context: app(), tags: `${TAG}:app`, 'run-memory': '256m' })
    expect(run.outputs).toMatchObject({ health: 'exited', passed: 'false', 'memory-used': '' })
    expect(run.report.runs[0].settings.memory).toEqual({ text: '256m', bytes: 256 * MIB })
    expect(run.report.runs[0].health).toMatchObject({ verdict: 'exited', exitCode: 137, oomKilled: true })
    const health = checkRow(run, 'health')
    expect(health.status).toBe('fail')
    expect(health.value).toMatch(/^killed by the 256m limit \(OOMKilled\) \d+(\.\d)? s after start$/)
    expect(health.detail).toMatch(/^The container stopped before it was healthy \(exit code 137\): it reached the run-memory limit \(256m = 256 MiB, no swap\), and the kernel's OOM killer ended it\. Raise run-memory /)
    expect(row(run.summary, 'health')).toContain('| ❌ | health | killed by the 256m limit (OOMKilled) ')
    expect(run.report.runs[0].checks.map(c => c.name)).not.toContain('memory') // no max-memory: not judged
  })

  it('256M is 256 MiB, as docker run reads it, and the rows say so and what a pod spec would say', async () => {
    const run = await runAction({ context: app(), tags: `${TAG}:app`, 'run-memory': '256M' })
    // Docker's own reading of the same text: the oracle for what M means to docker run
    const id = docker(['create', '--memory', '256M', `${TAG}:app`]).trim()
    const dockers = Number(docker(['inspect', '--format', '{{.HostConfig.Memory}}', id]).trim())
    docker(['rm', id])
    expect(dockers).toBe(256 * MIB)
    expect(run.report.runs[0].settings.memory).toEqual({ text: '256M', bytes: dockers })
    expect(run.report.runs[0].health).toMatchObject({ verdict: 'exited', exitCode: 137, oomKilled: true })
    expect(checkRow(run, 'health').detail).toContain(': it reached the run-memory limit (256M = 256 MiB, no swap), and the kernel\'s OOM killer ended it.')
    expect(run.summary).toContain('ran under a 256M memory limit (256 MiB, as docker run reads M; 256Mi in a pod spec, where 256M is 256,000,000 bytes)')
  })

  it('under 512m it is healthy, with its memory use (≥ 300 MiB) in the health row; max-memory passes above it', async () => {
    const run = await runAction({ context: app(), tags: `${TAG}:app`, 'run-memory': '512m', 'max-memory': '400MB' })
    expect(run.outputs).toMatchObject({ health: 'healthy', passed: 'true' })
    const memory = run.report.runs[0].health.memory
    expect(memory.usedBytes).toBeGreaterThanOrEqual(300 * MIB)
    expect(memory.usedBytes).toBeLessThan(400_000_000)
    expect(memory.limitBytes).toBe(512 * MIB)
    expect(run.outputs['memory-used']).toBe(String(memory.usedBytes))
    const used = (memory.usedBytes / 1e6).toFixed(1)
    const share = Math.round((memory.usedBytes / (512 * MIB)) * 100)
    expect(checkRow(run, 'health').detail).toContain(`. ${used} MB of memory used once healthy (${share}% of the 512m limit).`)
    expect(checkRow(run, 'memory')).toMatchObject({ status: 'pass', value: `${used} MB used once healthy`, limit: '≤ 400MB' })
    expect(checkRow(run, 'memory').detail).toMatch(/^\d+\.\d MB under max-memory\. Counted as docker stats does: the usage minus the inactive file cache, read at the healthy verdict\.$/)
  })

  it('a smoke command over the limit is killed, and its row says so as the health row would (the limit as a pod spec writes it)', async () => {
    const greedy = "node -e 'const held = []; for (;;) held.push(Buffer.alloc(64 * 2 ** 20, 1))'"
    const run = await runAction({ context: app(), tags: `${TAG}:app`, 'run-memory': '512Mi', 'smoke-commands': greedy })
    expect(run.outputs).toMatchObject({ health: 'healthy', passed: 'false' })
    expect(run.report.runs[0].smoke).toEqual([expect.objectContaining({ outcome: 'exited', exitCode: 137, oomKilled: true })])
    const smoke = checkRow(run, 'smoke')
    expect(smoke.status).toBe('fail')
    expect(smoke.value).toMatch(/^killed by the 512Mi limit \(OOMKilled\) \d+(\.\d)? s after start$/)
    expect(smoke.detail).toMatch(/^command: node -e .*\. It stopped \(exit code 137\): it reached the run-memory limit \(512Mi, no swap\), and the kernel's OOM killer ended it\. Raise run-memory /)
    expect(run.report.runs[0].checks.filter(c => c.status === 'fail').map(c => c.name)).toEqual(['smoke'])
  })

  it('max-memory below that figure fails the memory row, by how much', async () => {
    const run = await runAction({ context: app(), tags: `${TAG}:app`, 'max-memory': '200MB' })
    expect(run.outputs).toMatchObject({ health: 'healthy', passed: 'false' })
    const used = run.report.runs[0].health.memory.usedBytes
    expect(used).toBeGreaterThanOrEqual(300 * MIB)
    // no run-memory: no limit is recorded (the engine's would be the host's memory)
    expect(run.report.runs[0].health.memory.limitBytes).toBeUndefined()
    expect(checkRow(run, 'health').detail).toContain(`. ${(used / 1e6).toFixed(1)} MB of memory used once healthy.`)
    const memory = checkRow(run, 'memory')
    expect(memory).toMatchObject({ status: 'fail', value: `${(used / 1e6).toFixed(1)} MB used once healthy`, limit: '≤ 200MB' })
    expect(memory.detail).toMatch(/^\d+\.\d MB over max-memory\. Make the app use less at start /)
    expect(run.report.runs[0].checks.filter(c => c.status === 'fail').map(c => c.name)).toEqual(['memory'])
  })
})
