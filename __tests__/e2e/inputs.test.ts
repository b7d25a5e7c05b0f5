import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { rmSync } from 'node:fs'
import { BAD_INPUTS, badInputDir } from '../bad-inputs.js'
import { runAction } from './action.js'
import { engineAgnostic } from './agnostic.js'

// Every row of the bad-input table through dist/index.js, as the runner starts it: the step fails
// with exit code 1 and one ::error:: line naming the input, no stack trace, and a job summary that
// says the run did not start. Nothing reaches Docker, so these take a node start each, and run
// on the first engine only (engineAgnostic).

let dir: string
beforeAll(() => {
  dir = badInputDir()
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

engineAgnostic('bad input, end to end', () => {
  it.each(BAD_INPUTS)('%j', async (values, message) => {
    const run = await runAction({ context: 'app', ...values }, { cwd: dir })
    expect(run.code).toBe(1)
    const errors = run.stdout.split('\n').filter(l => l.startsWith('::error'))
    expect(errors).toHaveLength(1)
    // one line: no escaped line break inside; then the message as the runner shows it (%25 is %)
    expect(errors[0]).not.toMatch(/%0A|%0D/)
    expect(errors[0].replace(/%25/g, '%').startsWith(`::error::${message}`)).toBe(true)
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /)
    expect(run.summary).toContain('## ❌ image-gate: did not run')
    expect(run.outputs.passed).toBe('false')
    // never started: no build, no container, so no platform run; the health output says so
    expect(run.report.runs).toEqual([])
    expect(run.outputs.health).toBe('skipped')
  })
})

engineAgnostic('an input the action does not have', () => {
  it('fails the step instead of being ignored (the runner only warns), naming the input meant', async () => {
    // `with: { max_size: 100MB }`: the runner passes it as INPUT_MAX_SIZE
    const run = await runAction({ context: 'app' }, { cwd: dir, env: { INPUT_MAX_SIZE: '100MB' } })
    expect(run.code).toBe(1)
    expect(run.stdout.split('\n').filter(l => l.startsWith('::error'))).toEqual(['::error::Input "max_size" is not an input of image-gate; did you mean "max-size"?'])
    expect(run.summary).toContain('## ❌ image-gate: did not run')
  })
})
