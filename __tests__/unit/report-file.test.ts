import { afterAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { judge } from '../../src/checks/index.js'
import { InputError } from '../../src/inputs/inputs.js'
import { renderMarkdown } from '../../src/report/markdown.js'
import { loadReport } from '../../src/report/load.js'
import { inputs, measuredReport } from './fixtures.js'

const dir = mkdtempSync(path.join(tmpdir(), 'report-file-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const write = (data: unknown) => {
  const file = path.join(dir, `${Math.random()}.json`)
  writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data))
  return file
}

describe('loadReport', () => {
  it('reads back a report so that it renders the same', () => {
    const report = measuredReport()
    report.pullRequest = 7
    report.commentKey = 'image/gate/app'
    report.baseline = { ref: 'shop-api:main', size: 100_000_000, growth: { instruction: 'RUN npm ci', bytes: 20_000_000 } }
    report.image.largestLayers = [
      { instruction: 'RUN npm ci', size: 60_000_000, before: 40_000_000 },
      { instruction: 'COPY . .', size: 1_000_000, before: 0 }
    ]
    judge(report, inputs())
    const loaded = loadReport(write(report))
    expect(renderMarkdown(loaded)).toBe(renderMarkdown(report))
    expect(renderMarkdown(loaded)).toContain('| 60.0 MB | +20.0 MB (+50.0%) | RUN npm ci |')
    expect(loaded).toMatchObject({ pullRequest: 7, commentKey: 'image/gate/app', passed: true })
  })

  it('keeps at most the five probes Docker keeps, each an exit code and text', () => {
    const probe = (i: number) => ({ exitCode: 1, output: `refused ${i}` })
    const loaded = loadReport(
      write({ schema: 1, checks: [], health: { verdict: 'unhealthy', probes: [probe(1), probe(2), probe(3), probe(4), { exitCode: '1; id', output: 'x' }, probe(6), probe(7)] } })
    )
    expect(loaded.health.probes).toEqual([probe(3), probe(4), probe(6), probe(7)])
    const unhealthy = measuredReport()
    unhealthy.health = { verdict: 'unhealthy', source: 'image', command: 'exit 1', probes: [probe(1), probe(2)] }
    judge(unhealthy, inputs())
    expect(renderMarkdown(loadReport(write(unhealthy)))).toContain('Last 2 health probes')
  })

  it('keeps only known fields of the right type from an untrusted file', () => {
    const loaded = loadReport(
      write({
        schema: 1,
        tag: { toString: 'x' },
        passed: true,
        pullRequest: '7; rm -rf /',
        checks: [
          { name: 'user', status: 'pass', value: 'UID 0', limit: 5, detail: ['a'] },
          { name: '__proto__', status: 'pass' },
          { name: 'health', status: 'magic', value: 'x' }
        ],
        health: { verdict: 'healthy<script>', logTail: 'not an array' },
        image: { labels: { a: { nested: true } } },
        extra: 'dropped'
      })
    )
    expect(loaded.tag).toBe('')
    expect(loaded.pullRequest).toBeUndefined()
    expect(loaded.checks).toEqual([
      { name: 'user', status: 'pass', value: 'UID 0', limit: '', detail: '' },
      { name: 'health', status: 'skip', value: 'x', limit: '', detail: '' }
    ])
    expect(loaded.health).toMatchObject({ verdict: 'skipped', logTail: undefined })
    expect(loaded.image.labels).toEqual({ a: '' })
    expect(loaded).not.toHaveProperty('extra')
  })

  it('says a file that is not a report is not one', () => {
    expect(() => loadReport(write('not json'))).toThrow(InputError)
    expect(() => loadReport(write('not json'))).toThrow(/^Input "comment-from" must name a JSON report written by image-gate/)
    expect(() => loadReport(write({ schema: 2, checks: [] }))).toThrow('is not an image-gate report (schema 1 with checks).')
  })
})
