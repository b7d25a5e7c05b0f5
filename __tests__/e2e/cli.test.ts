import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals'
import { leftovers, removeImages, startCli } from './action.js'

// The command line, end to end on the examples: same pipeline, a terminal's output, an exit code.

jest.setTimeout(180_000)
const TAG = 'image-gate-e2e/cli'
afterEach(() => expect(leftovers()).toBe(''))
afterAll(() => removeImages(TAG))

const cli = (...args: string[]) => startCli(args).done

describe('image-gate on the command line', () => {
  it('passes tynebase-backend with a health command: exit 0 and the table', async () => {
    const run = await cli('--health-cmd', 'wget -q --spider http://127.0.0.1:8080/health', '--max-size', '500MB', '--tags', `${TAG}:tynebase`, 'examples/tynebase-backend')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`image-gate: PASSED  ${TAG}:tynebase`)
    expect(run.stdout).toMatch(/✅ user +UID 1001, GID 1001 +non-root +USER nodejs \(UID 1001 in the image\)/)
    // a terminal gets no workflow commands
    expect(run.stdout.split('\n').filter(l => l.startsWith('::'))).toEqual([])
  })

  it('fails focus-flow-backend on the user check: exit 1, the reason, and the Dockerfile line', async () => {
    const run = await cli('--tags', `${TAG}:focus-flow`, 'examples/focus-flow-backend')
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('image-gate: FAILED (1 of 6 checks failed)')
    expect(run.stdout).toMatch(/❌ user +UID 0, GID 0/)
    expect(run.stdout).toContain('examples/focus-flow-backend/Dockerfile:8: error: no USER: root by default; PID 1 (node) runs as UID 0.')
    expect(run.stdout).toContain('error: image-gate: 1 of 6 checks failed: user (UID 0, GID 0)')
  })

  it('explains bad usage and bad values in one line, exit 2 and 1, no stack trace', async () => {
    const usage = await cli('--max-sise', '5MB')
    expect(usage.code).toBe(2)
    expect(usage.stderr.trim()).toBe("image-gate: Unknown option '--max-sise' (see image-gate --help)")
    const value = await cli('--max-size', '5XB', 'examples/tynebase-backend')
    expect(value.code).toBe(1)
    expect(value.stdout).toContain('error: Input "max-size" must be a byte count or a number with a unit')
    expect(value.stdout + value.stderr).not.toMatch(/\n\s+at /)
    const help = await cli('--help')
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('usage: image-gate [options] [context]')
  })
})
