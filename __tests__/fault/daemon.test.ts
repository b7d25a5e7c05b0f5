import { afterAll, describe, expect, it, jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dockerSucceeds, fixture, leftovers, removeImages, runPost, SERVE, startAction, startCli } from '../e2e/action.js'

// The Docker daemon stops while the action waits on its container. Run alone (it stops the engine
// every other test needs), and only against a daemon the caller owns and names:
//   IMAGE_GATE_FAULT_PIDFILE  the pid file of the dockerd that DOCKER_HOST (or the default socket) reaches
//   IMAGE_GATE_FAULT_RESTART  a bash command that starts that same engine again
// scripts/test.sh sets both for the second engine it started. Signals go to that PID only, never to
// every dockerd on the machine (another engine may be running beside it). Without both: skipped.

jest.setTimeout(180_000)
const TAG = 'image-gate-e2e/fault'
const PIDFILE = process.env.IMAGE_GATE_FAULT_PIDFILE ?? ''
const RESTART = process.env.IMAGE_GATE_FAULT_RESTART ?? ''
const maybe = PIDFILE && RESTART ? describe : describe.skip

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
/** The engine's dockerd now (the pid file is rewritten by every start), checked to be a live dockerd. */
function daemonPid(): number {
  const pid = Number(readFileSync(PIDFILE, 'utf8').trim())
  const comm = Number.isInteger(pid) && pid > 1 && alive(pid) ? readFileSync(`/proc/${pid}/comm`, 'utf8').trim() : ''
  if (comm !== 'dockerd') throw new Error(`${PIDFILE} names PID ${pid}, which is not a running dockerd`)
  return pid
}
const signalDaemon = (pid: number, signal: NodeJS.Signals) => process.kill(pid, signal)
const restartEngine = () => execFileSync('bash', ['-c', RESTART], { stdio: ['ignore', 'ignore', 'inherit'] })
async function daemonGone(pid: number): Promise<void> {
  for (let i = 0; i < 150 && alive(pid); i++) await new Promise(resolve => setTimeout(resolve, 200))
  if (alive(pid)) throw new Error(`dockerd (PID ${pid}) did not exit within 30 s`)
}
/** The PID a test sent SIGTERM, so afterAll can still bring that engine back if the test failed half-way. */
let stopped: number | undefined
afterAll(async () => {
  if (!PIDFILE || !RESTART) return
  if (!dockerSucceeds(['info'])) {
    if (stopped !== undefined) await daemonGone(stopped)
    restartEngine()
  }
  removeImages(TAG)
})

/** Resolves once a container of this run exists, plus a second: the action is waiting on it. */
async function waitingOnContainer(): Promise<void> {
  for (let i = 0; i < 300 && leftovers() === ''; i++) await new Promise(resolve => setTimeout(resolve, 100))
  expect(leftovers()).not.toBe('')
  await new Promise(resolve => setTimeout(resolve, 1000))
}

const NEVER_HEALTHY = ["RUN echo 'app:x:10001:10001::/:/bin/sh' > /etc/passwd", 'USER 10001', 'HEALTHCHECK CMD exit 1', SERVE[1]]

maybe('the daemon hangs mid-run (SIGSTOP: it accepts connections and never answers)', () => {
  it('the unanswered call is stopped at call-timeout, one clear error, no call after it waits, and the post step cleans up', async () => {
    const context = fixture(NEVER_HEALTHY)
    expect(leftovers()).toBe('')
    const action = startAction({ context, tags: `${TAG}:hang`, 'health-timeout': '60', 'call-timeout': '3' })
    await waitingOnContainer()

    const pid = daemonPid()
    signalDaemon(pid, 'SIGSTOP')
    const frozenAt = Date.now()
    let run
    try {
      run = await action.done
    } finally {
      signalDaemon(pid, 'SIGCONT')
    }
    // the wait inspects at least every 2 s, so a call hangs within 2 s; 3 s later it is stopped, and
    // nothing after it waits another 3 s (the removal and cleanup fail at once)
    const seconds = (Date.now() - frozenAt) / 1000
    expect(seconds).toBeGreaterThanOrEqual(3)
    expect(seconds).toBeLessThan(15)
    expect(run.code).toBe(1)
    const errors = run.stdout.split('\n').filter(l => l.startsWith('::error::'))
    expect(errors).toEqual([
      expect.stringMatching(
        /^::error::image-gate: the Docker engine did not answer `docker [a-z ]+` within 3 s, so the run stopped there\. The daemon may be hung or overloaded: check it .*, or raise call-timeout\./
      )
    ])
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /)
    expect(run.summary).toContain('## ❌ image-gate: stopped with an error')
    expect(run.report.error.kind).toBe('engine')
    expect(run.stdout).toMatch(/^image-gate could not remove this run's containers \(label=io\.github\.image-gate\.run=[0-9a-f]{12}\) now; its post step will\.$/m)

    // the engine answers again: the container is still there until the post step
    expect(leftovers()).not.toBe('')
    const post = await runPost(run.state)
    expect(post.code).toBe(0)
    expect(leftovers()).toBe('')
  })
})

maybe('the daemon hangs under the command line', () => {
  it('the same error, and since there is no post step, the command that removes what was left', async () => {
    const context = fixture(NEVER_HEALTHY)
    expect(leftovers()).toBe('')
    const cli = startCli(['--tags', `${TAG}:cli-hang`, '--health-timeout', '60', '--call-timeout', '3', context])
    await waitingOnContainer()
    const pid = daemonPid()
    signalDaemon(pid, 'SIGSTOP')
    let run
    try {
      run = await cli.done
    } finally {
      signalDaemon(pid, 'SIGCONT')
    }
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^image-gate: the Docker engine did not answer `docker [a-z ]+` within 3 s/m)
    const hint = /^warning: could not remove this run's containers; once the engine answers: docker rm -f \$\(docker ps -aq --filter (label=io\.github\.image-gate\.run=[0-9a-f]{12})\)$/m.exec(run.stdout + run.stderr)
    expect(hint).not.toBeNull()
    // what the hint says to run removes exactly what was left
    expect(leftovers()).not.toBe('')
    const ids = execFileSync('docker', ['ps', '-aq', '--filter', hint![1]], { encoding: 'utf8' }).trim().split('\n')
    expect(ids.join('\n')).toBe(leftovers())
    execFileSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' })
    expect(leftovers()).toBe('')
  })
})

maybe('the daemon stops mid-run', () => {
  it('one clear error, the summary written, and the post step cleans up once the daemon is back', async () => {
    const context = fixture(NEVER_HEALTHY)
    expect(leftovers()).toBe('') // so the container that appears is this run's
    const action = startAction({ context, tags: `${TAG}:never`, 'health-timeout': '60' })
    await waitingOnContainer()

    const pid = daemonPid()
    stopped = pid
    signalDaemon(pid, 'SIGTERM')
    const run = await action.done
    expect(run.code).toBe(1)
    const errors = run.stdout.split('\n').filter(l => l.startsWith('::error::'))
    expect(errors).toEqual([expect.stringMatching(/^::error::image-gate: the Docker engine stopped answering during the run \(.*\)\. Check the daemon/)])
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /)
    expect(run.summary).toContain('## ❌ image-gate: stopped with an error')
    expect(run.stdout).toContain("image-gate could not remove this run's containers (label=io.github.image-gate.run=")

    // back up (once the old dockerd has exited): the container the run could not remove is still
    // there, until the post step
    await daemonGone(pid)
    restartEngine()
    stopped = undefined
    expect(leftovers()).not.toBe('')
    const post = await runPost(run.state)
    expect(post.code).toBe(0)
    expect(leftovers()).toBe('')
  })
})
