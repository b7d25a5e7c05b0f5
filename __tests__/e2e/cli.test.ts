import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals'
import { readFileSync } from 'node:fs'
import * as path from 'node:path'
import { EXAMPLES, removeImages, startCli, takeLeftovers } from './action.js'

// The command line, end to end on the examples: same pipeline, a terminal's output, an exit code.

jest.setTimeout(180_000)
const TAG = 'image-gate-e2e/cli'
afterEach(async () => expect(await takeLeftovers()).toBe(''))
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
    // the report is stdout; the failure line is stderr, once
    expect(run.stderr).toBe('image-gate: 1 of 6 checks failed: user (UID 0, GID 0)\n')
    expect(run.stdout).not.toContain('checks failed: user')
  })

  it('an engine it cannot reach: the report says it did not run, the reason is one line on stderr, exit 1', async () => {
    const run = await startCli(['examples/tynebase-backend'], { DOCKER_HOST: 'unix:///nonexistent.sock' }).done
    expect(run.code).toBe(1)
    expect(run.stdout.trim()).toBe('image-gate: FAILED (did not run)')
    expect(run.stderr).toMatch(/^image-gate: the Docker engine is not reachable \(.*nonexistent\.sock.*\)\. Start the Docker daemon, or check DOCKER_HOST; without one, install Docker Engine or Docker Desktop with the buildx plugin and start it\.\n$/)
  })

  it('bad usage is one line on stderr naming the option, exit 2, nothing run and no stack trace', async () => {
    const typo = await cli('--max-szie', '5MB')
    expect([typo.code, typo.stdout, typo.stderr]).toEqual([2, '', 'image-gate: unknown option --max-szie; did you mean --max-size? (see image-gate --help)\n'])
    const value = await cli('--max-size', '500XB', 'examples/tynebase-backend')
    expect(value.code).toBe(2)
    expect(value.stdout).toBe('')
    expect(value.stderr).toMatch(/^image-gate: --max-size must be a byte count or a number with a unit.*; got "500XB"\.\n$/)
    const together = await cli('--max-size-increase', '10%', 'examples/tynebase-backend')
    expect([together.code, together.stdout, together.stderr]).toEqual([2, '', 'image-gate: --max-size-increase needs --compare-to: the image to compare with.\n'])
    for (const run of [typo, value, together]) expect(run.stderr).not.toMatch(/Input "|\n\s+at /)
  })

  it('--help and --version answer on stdout, exit 0', async () => {
    const help = await cli('--help')
    expect([help.code, help.stderr]).toEqual([0, ''])
    expect(help.stdout).toContain('usage: image-gate [options] [context]')
    const { version } = JSON.parse(readFileSync(path.join(EXAMPLES, '..', 'package.json'), 'utf8')) as { version: string }
    for (const flag of ['--version', '-V']) expect(await cli(flag)).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' })
  })
})
