import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { copyInit, removeImages, runAction, standin, takeLeftovers, vendorPython } from './action.js'
import { dockerSees, disagreements, unexpected } from './runtimes-oracle.js'
import { RUNTIMES, STOP_TIMEOUT, type Runtime } from './runtimes.js'

// The runtime matrix (runtimes.ts) against Docker itself: for each runtime, the gate on its build
// context as the runner runs the bundle, then the oracle on a second container of the image it
// built (runtimes-oracle.ts). It fails where image-gate's verdict or figure differs from Docker's,
// or where either differs from what the entry expects, naming the row and both values.
// scripts/test.sh sets IMAGE_GATE_ENGINE_INDEX to run each row on its engine; without it, all rows.

jest.setTimeout(300_000)
const TAG = 'image-gate-e2e/runtimes'
const engine = Number(process.env.IMAGE_GATE_ENGINE_INDEX) || undefined
const rows = RUNTIMES.filter(r => !engine || !r.engine || r.engine === engine)

const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')

function context(entry: Runtime): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-runtime-'))
  writeFileSync(path.join(dir, 'Dockerfile'), [...entry.dockerfile, ''].join('\n'))
  for (const [name, content] of Object.entries(entry.files ?? {})) writeFileSync(path.join(dir, name), content)
  for (const init of entry.inits ?? []) copyInit(dir, init)
  if (entry.vendor) vendorPython(dir, entry.vendor)
  return dir
}

// the stand-ins are imported once, off the tests' clocks (a fresh machine builds them: minutes)
beforeAll(() => {
  for (const name of new Set(rows.flatMap(r => r.standins))) standin(name)
}, 900_000)
afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(() => removeImages(TAG))

describe('the runtime matrix: image-gate agrees with Docker', () => {
  it.each(rows.map(r => [r.name, r] as const))('%s', async (_, entry) => {
    const tag = `${TAG}:${slug(entry.name)}`
    const run = await runAction({ context: context(entry), tags: tag, 'stop-timeout': String(STOP_TIMEOUT) })
    expect(run.report?.runs[0].build.ok).toBe(true)
    const seen = await dockerSees(tag, STOP_TIMEOUT)
    expect([...disagreements(entry, run.report.runs[0], seen, STOP_TIMEOUT), ...unexpected(entry, run.report.runs[0], seen)]).toEqual([])
  })
})
