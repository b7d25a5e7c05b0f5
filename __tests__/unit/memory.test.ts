import { describe, expect, it } from '@jest/globals'
import { spawn, type StdioOptions } from 'node:child_process'
import { engineGet } from '../../src/docker/api.js'
import { Processes } from '../../src/docker/command.js'
import type { Check, PlatformRun } from '../../src/report/report.js'
import { memoryOf } from '../../src/stages/memory.js'
import { inputs, measuredRun } from './fixtures.js'
import { judged } from './judged.js'

// Memory under run-memory and max-memory: the engine's figures as docker stats counts them, the
// health row's note, the OOM-kill verdict, and the memory row.

const row = (checks: Check[], name: Check['name']) => checks.find(c => c.name === name)
const MIB = 2 ** 20
const limited = (report: PlatformRun, text = '256m', bytes = 256 * MIB) => Object.assign(report, { settings: { profile: 'docker', readOnly: false, memory: { text, bytes } } })

describe('engineGet', () => {
  // a stand-in for `docker system dial-stdio` on Docker 20.10: it reads the request, answers only
  // while the client's side is still open (20.10 drops a request whose client closed it), then
  // holds the connection until it is stopped
  const engine = `
    let request = ''
    let closed = false
    process.stdin.on('end', () => (closed = true))
    process.stdin.on('data', d => {
      request += d
      if (!request.endsWith('\\r\\n\\r\\n')) return
      setTimeout(() => {
        const body = closed ? '' : JSON.stringify({ request: request.split('\\r\\n')[0] })
        process.stdout.write('HTTP/1.0 200 OK\\r\\nContent-Length: ' + body.length + '\\r\\n\\r\\n' + body)
      }, 50)
    })
    setInterval(() => {}, 1000)
  `
  const processes = (children: string[]) => {
    const p = new Processes()
    return {
      processes: Object.assign(p, {
        spawn: (program: string, args: string[], stdio: StdioOptions) => {
          children.push(`${program} ${args.join(' ')}`)
          return p.track(spawn(process.execPath, ['-e', engine], { stdio }))
        }
      })
    }
  }

  it('sends one GET through dial-stdio, keeps its side open until the answer is in, and ends the process', async () => {
    const children: string[] = []
    const docker = processes(children)
    const started = Date.now()
    const answer = await engineGet(docker, '/containers/app/stats?stream=false&one-shot=true', 5000)
    expect(children).toEqual(['docker system dial-stdio'])
    expect(answer).toEqual({ status: 200, body: JSON.stringify({ request: 'GET /containers/app/stats?stream=false&one-shot=true HTTP/1.1' }) })
    expect(Date.now() - started).toBeLessThan(4000) // ended on Content-Length, not on the limit
  })

  it('gives up at its limit, saying so', async () => {
    const docker = { processes: Object.assign(new Processes(), { spawn: (_p: string, _a: string[], stdio: StdioOptions) => spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio }) }) }
    await expect(engineGet(docker, '/x', 300)).rejects.toThrow('the engine did not answer within 0.3 s')
  })
})

describe('memoryOf', () => {
  // Docker 28.5 on cgroup v1, a node app holding a 300 MiB buffer under --memory 512m (trimmed)
  const v1 = {
    memory_stats: {
      usage: 322_007_040,
      stats: { active_file: 528_384, cache: 528_384, inactive_file: 0, rss: 319_815_680, total_inactive_file: 4_096, total_rss: 319_815_680 },
      limit: 536_870_912
    }
  }

  it('counts as docker stats does: the usage minus the inactive file cache (cgroup v1: total_inactive_file)', () => {
    expect(memoryOf(v1, true)).toEqual({ memory: { usedBytes: 322_002_944, limitBytes: 536_870_912 } })
  })

  it('takes inactive_file on cgroup v2, and the usage whole when the cache figure is not below it', () => {
    const v2 = { memory_stats: { usage: 95_000_000, stats: { anon: 80_000_000, file: 14_000_000, inactive_file: 9_000_000 }, limit: 268_435_456 } }
    expect(memoryOf(v2, true)).toEqual({ memory: { usedBytes: 86_000_000, limitBytes: 268_435_456 } })
    expect(memoryOf({ memory_stats: { usage: 5_000, stats: { inactive_file: 5_000 } } }, false)).toEqual({ memory: { usedBytes: 5_000 } })
  })

  it("leaves the limit out without run-memory (the engine's is the host's memory then)", () => {
    expect(memoryOf(v1, false)).toEqual({ memory: { usedBytes: 322_002_944 } })
  })

  it('says why when a container that was not running gives empty figures', () => {
    expect(memoryOf({ memory_stats: {} }, true)).toEqual({ memoryError: 'Docker gave no memory figure (the container was not running)' })
  })
})

describe('the health row', () => {
  it('shows the memory used once healthy, and the share of the run-memory limit', () => {
    const report = limited(measuredRun())
    report.health.memory = { usedBytes: 88_200_000, limitBytes: 256 * MIB }
    judged(report, inputs({ runMemory: { text: '256m', bytes: 256 * MIB } }))
    expect(row(report.checks, 'health')).toMatchObject({
      status: 'pass',
      value: 'healthy after 1.4 s',
      detail: 'HEALTHCHECK: wget -q --spider http://localhost:3001/health || exit 1. 88.2 MB of memory used once healthy (33% of the 256m limit).'
    })
  })

  it('after the probe times, without a limit; and nothing when the figure could not be read', () => {
    const report = measuredRun()
    report.health.probeTimes = { passing: 3, medianMs: 14, slowestMs: 31 }
    report.health.memory = { usedBytes: 321_642_496 }
    judged(report, inputs())
    expect(row(report.checks, 'health')!.detail).toBe(
      'HEALTHCHECK: wget -q --spider http://localhost:3001/health || exit 1. Probe 14 ms median, 31 ms slowest (3 passing probes). 321.6 MB of memory used once healthy.'
    )
    const unread = measuredRun()
    unread.health.memoryError = 'the engine did not answer within 5 s'
    judged(unread, inputs())
    expect(row(unread.checks, 'health')!.detail).toBe('HEALTHCHECK: wget -q --spider http://localhost:3001/health || exit 1')
  })
})

describe('an OOM kill', () => {
  const killed = (report: PlatformRun, overrides: Partial<PlatformRun['health']> = {}) => {
    report.health = { verdict: 'exited', source: 'image', command: 'wget -q -O /dev/null http://127.0.0.1:8080/health', exitCode: 137, oomKilled: true, ranSeconds: 3.2, logTail: ['allocating'], ...overrides }
    report.stop = { outcome: 'not-run', signal: 'SIGTERM' }
    return report
  }

  it('under run-memory is its own verdict: the limit as written, when, and what to do', () => {
    const report = judged(killed(limited(measuredRun())), inputs({ runMemory: { text: '256m', bytes: 256 * MIB } }))
    expect(report.passed).toBe(false)
    expect(row(report.checks, 'health')).toEqual({
      name: 'health',
      status: 'fail',
      value: 'killed by the 256m limit (OOMKilled) 3.2 s after start',
      limit: 'healthy within 120 s',
      detail:
        "The container stopped before it was healthy (exit code 137): it reached the run-memory limit (256m = 256 MiB, no swap), and the kernel's OOM killer ended it. " +
        'Raise run-memory to the limit it gets in production, or make the app use less (for Node, --max-old-space-size below the limit; for the JVM, -XX:MaxRAMPercentage). Its last log lines are below.'
    })
  })

  it('without run-memory says the machine ran out, and how to test against a limit', () => {
    const report = judged(killed(measuredRun()), inputs())
    expect(row(report.checks, 'health')).toMatchObject({
      value: 'killed for memory (OOMKilled) 3.2 s after start',
      detail:
        "The container stopped before it was healthy (exit code 137): no run-memory was set, so the machine the engine runs on ran out of memory, and the kernel's OOM killer ended it. " +
        "Make the app use less (for Node, --max-old-space-size; for the JVM, -XX:MaxRAMPercentage), or give the engine more memory; set run-memory to test it against production's limit. Its last log lines are below."
    })
  })

  it('without a health check, and when PID 1 outlived the kill of another process', () => {
    const watched = judged(killed(limited(measuredRun()), { source: undefined, command: undefined, ranSeconds: 0.6 }), inputs())
    expect(row(watched.checks, 'health')).toMatchObject({
      value: 'killed by the 256m limit (OOMKilled) 0.6 s after start',
      limit: 'keeps running for 3 s'
    })
    expect(row(watched.checks, 'health')!.detail).toMatch(/^The container stopped while it was watched \(no health check\) \(exit code 137\): it reached the run-memory limit \(256m/)
    const survived = judged(killed(limited(measuredRun()), { exitCode: 1 }), inputs())
    expect(row(survived.checks, 'health')!.value).toBe('exited (code 1) 3.2 s after start; a process was OOM-killed by the 256m limit')
  })

  it('exit 137 without OOMKilled under run-memory is said as a possibility, not as the verdict', () => {
    const report = judged(killed(limited(measuredRun()), { oomKilled: false }), inputs())
    const health = row(report.checks, 'health')!
    expect(health.value).toBe('exited (code 137)')
    expect(health.detail).toBe(
      "The container stopped 3.2 s after start before it was healthy. Code 137 is SIGKILL, which the kernel's OOM killer sends; Docker did not report an OOM kill, but it may have been the 256m limit (run-memory). Its last log lines are below."
    )
    // without run-memory, 137 is only an exit code
    expect(row(judged(killed(measuredRun(), { oomKilled: false }), inputs()).checks, 'health')!.detail).not.toContain('OOM')
  })

  it('after the container was healthy: the stop row says the same', () => {
    const report = limited(measuredRun())
    report.stop = { outcome: 'gone', signal: 'SIGTERM', exitCode: 137, ranSeconds: 5.1, oomKilled: true, pid1: 'node' }
    judged(report, inputs())
    expect(row(report.checks, 'stop')).toMatchObject({
      status: 'fail',
      value: 'exited on its own (code 137), OOM-killed',
      detail:
        "PID 1 (node) stopped 5.1 s after start (exit code 137), after it was healthy and before image-gate went to stop it: it reached the run-memory limit (256m = 256 MiB, no swap), and the kernel's OOM killer ended it. " +
        'Raise run-memory to the limit it gets in production, or make the app use less (for Node, --max-old-space-size below the limit; for the JVM, -XX:MaxRAMPercentage).'
    })
  })
})

describe('max-memory', () => {
  const budget = { maxMemory: { text: '200MB', bytes: 200_000_000 } }
  const measured = (usedBytes: number) => {
    const report = measuredRun()
    report.health.memory = { usedBytes }
    return report
  }

  it('has no row without a budget (the health row shows the figure)', () => {
    expect(judged(measured(88_200_000), inputs()).checks.map(c => c.name)).toEqual(['build', 'health', 'size', 'user', 'contents', 'stop'])
  })

  it('passes at or under the budget, after probe-time', () => {
    const report = judged(measured(88_200_000), inputs({ ...budget, maxProbeTime: 50 }))
    expect(report.checks.map(c => c.name)).toEqual(['build', 'health', 'probe-time', 'memory', 'size', 'user', 'contents', 'stop'])
    expect(row(report.checks, 'memory')).toEqual({
      name: 'memory',
      status: 'pass',
      value: '88.2 MB used once healthy',
      limit: '≤ 200MB',
      detail: '111.8 MB under max-memory. Counted as docker stats does: the usage minus the inactive file cache, read at the healthy verdict.'
    })
    expect(row(judged(measured(200_000_000), inputs(budget)).checks, 'memory')!.status).toBe('pass')
  })

  it('fails over the budget, by how much and what to do', () => {
    const report = judged(measured(321_642_496), inputs(budget))
    expect(report.passed).toBe(false)
    expect(row(report.checks, 'memory')).toEqual({
      name: 'memory',
      status: 'fail',
      value: '321.6 MB used once healthy',
      limit: '≤ 200MB',
      detail:
        '121.6 MB over max-memory. Make the app use less at start (caches and pools sized for a smaller machine; for Node, --max-old-space-size; for the JVM, -XX:MaxRAMPercentage), or raise the budget. ' +
        'Counted as docker stats does: the usage minus the inactive file cache, read at the healthy verdict.'
    })
  })

  it('says why there is no figure: never healthy, no health check, or not readable (never a failure)', () => {
    const killed = measuredRun()
    killed.health = { verdict: 'exited', source: 'image', command: 'x', exitCode: 137, oomKilled: true, ranSeconds: 3.2 }
    expect(row(judged(killed, inputs(budget)).checks, 'memory')).toEqual({
      name: 'memory',
      status: 'skip',
      value: 'not healthy',
      limit: '≤ 200MB',
      detail: 'No memory figure: the container never became healthy (see health).'
    })
    const watched = measuredRun()
    watched.health = { verdict: 'missing', waitedSeconds: 3 }
    expect(row(judged(watched, inputs({ ...budget, requireHealthcheck: false })).checks, 'memory')).toMatchObject({ status: 'skip', value: 'no health check' })
    const unread = measuredRun()
    unread.health.memoryError = 'Docker said: No such container: image-gate-1'
    const unreadRow = row(judged(unread, inputs(budget)).checks, 'memory')
    expect(unreadRow).toMatchObject({ status: 'skip', value: 'not measured', detail: 'The memory use could not be read (Docker said: No such container: image-gate-1): not judged.' })
    expect(unread.passed).toBe(true)
  })
})
