import { afterAll, describe, expect, it, jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { dockerSucceeds, fixture, leftovers, removeImages, runPost, SERVE, startAction } from '../e2e/action.js'

// The Docker daemon stops while the action waits on its container. Run alone (it stops the engine
// every other test needs) and only where the project's own setup script runs dockerd:
// scripts/test.sh sets IMAGE_GATE_FAULT_TESTS=1 there.

jest.setTimeout(180_000)
const TAG = 'image-gate-e2e/fault'
const restartEngine = () => execFileSync('bash', ['scripts/setup-docker.sh'], { stdio: 'ignore' })
async function dockerdGone(): Promise<void> {
  for (let i = 0; i < 150; i++) {
    try {
      execFileSync('pgrep', ['-x', 'dockerd'], { stdio: 'ignore' })
    } catch {
      return // no dockerd process any more
    }
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  throw new Error('dockerd did not exit within 30 s')
}
afterAll(async () => {
  if (!dockerSucceeds(['info'])) {
    await dockerdGone()
    restartEngine()
  }
  removeImages(TAG)
})

const maybe = process.env.IMAGE_GATE_FAULT_TESTS === '1' ? describe : describe.skip

maybe('the daemon stops mid-run', () => {
  it('one clear error, the summary written, and the post step cleans up once the daemon is back', async () => {
    const context = fixture(["RUN echo 'app:x:10001:10001::/:/bin/sh' > /etc/passwd", 'USER 10001', 'HEALTHCHECK CMD exit 1', SERVE[1]])
    expect(leftovers()).toBe('') // so the container that appears is this run's
    const action = startAction({ context, tags: `${TAG}:never`, 'health-timeout': '60' })
    for (let i = 0; i < 300 && leftovers() === ''; i++) await new Promise(resolve => setTimeout(resolve, 100))
    expect(leftovers()).not.toBe('')
    await new Promise(resolve => setTimeout(resolve, 1000)) // the action is now waiting on it

    execFileSync('pkill', ['-TERM', '-x', 'dockerd'])
    const run = await action.done
    expect(run.code).toBe(1)
    const errors = run.stdout.split('\n').filter(l => l.startsWith('::error::'))
    expect(errors).toEqual([expect.stringMatching(/^::error::image-gate: the Docker engine stopped answering during the run \(.*\)\. Check the daemon/)])
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /)
    expect(run.summary).toContain('## ❌ image-gate: stopped with an error')

    // back up (once the old dockerd has exited): the container the run could not remove is still
    // there, until the post step
    await dockerdGone()
    restartEngine()
    expect(leftovers()).not.toBe('')
    const post = await runPost(run.state)
    expect(post.code).toBe(0)
    expect(leftovers()).toBe('')
  })
})
