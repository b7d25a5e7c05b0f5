import { describe, expect, it } from '@jest/globals'
import { Processes } from '../../src/docker/command.js'

// A run's processes against real ones (node itself, so nothing else needs installing).

const processes = new Processes()
const runCommand = processes.run.bind(processes)

const node = process.execPath
const script = (code: string) => ['-e', code]

describe('runCommand', () => {
  it('returns the exit code and both streams', async () => {
    const r = await runCommand(node, script("process.stdout.write('out'); process.stderr.write('err'); process.exit(3)"))
    expect(r).toEqual({ exitCode: 3, stdout: 'out', stderr: 'err', timedOut: false })
  })

  it('stops a call at its limit with SIGTERM', async () => {
    const started = Date.now()
    const r = await runCommand(node, script('setInterval(() => {}, 1000)'), { limitMs: 200 })
    expect(r).toMatchObject({ timedOut: true, exitCode: 128 + 15 })
    expect(Date.now() - started).toBeLessThan(2500)
  })

  it('kills a process that ignores SIGTERM after the grace period', async () => {
    const started = Date.now()
    const r = await runCommand(node, script("process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000)"), { limitMs: 300 })
    expect(r).toMatchObject({ timedOut: true, exitCode: 128 + 9, stdout: 'up\n' })
    const took = Date.now() - started
    expect(took).toBeGreaterThanOrEqual(3000) // the grace period
    expect(took).toBeLessThan(8000)
  })

  it('stopAll ends every command of this run still running, and no other run\'s', async () => {
    const other = new Processes()
    const theirs = other.run(node, script('setTimeout(() => {}, 600)'))
    const a = runCommand(node, script('setInterval(() => {}, 1000)'))
    const b = runCommand(node, script('setInterval(() => {}, 1000)'))
    await new Promise(resolve => setTimeout(resolve, 300))
    processes.stopAll()
    const results = await Promise.all([a, b])
    expect(results.map(r => r.exitCode)).toEqual([143, 143])
    expect((await theirs).exitCode).toBe(0)
  })

  it('keeps the tail of a huge output, not all of it', async () => {
    // 20 MiB of "x" then a last line: the tail (16 MiB) keeps the end
    const r = await runCommand(node, script("const b = Buffer.alloc(1 << 20, 'x'); for (let i = 0; i < 20; i++) process.stdout.write(b); process.stdout.write('\\nthe end\\n')"))
    expect(r.stdout.length).toBe(16 << 20)
    expect(r.stdout.endsWith('x\nthe end\n')).toBe(true)
  })

  it('says when the program does not exist', async () => {
    await expect(runCommand('image-gate-no-such-program', [])).rejects.toThrow('image-gate-no-such-program was not found on PATH')
  })
})
