import { afterAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { outputsOf } from '../../src/publish/outputs.js'
import { loadReport } from '../../src/report/load.js'
import { renderMarkdown } from '../../src/render/markdown.js'
import type { PlatformRun, Report } from '../../src/report/report.js'
import { judged } from './judged.js'
import { inputs, measuredRun, reportOf } from './fixtures.js'

// The `report` output goes through an environment variable in the README's fork recipe, and Linux
// takes at most 128 KiB for one ("REPORT=…"): the output must stay well under it, as written
// (escapes and UTF-8 bytes count), still be a report comment-from reads, and say what it left out.

const dir = mkdtempSync(path.join(tmpdir(), 'cap-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const LIMIT = 100 * 1024

/** The report output as the step writes it, read back the way comment-from reads a saved one. */
function throughOutput(report: Report): { bytes: number; loaded: Report } {
  const json = outputsOf(report).report
  const file = path.join(dir, `${Math.random()}.json`)
  writeFileSync(file, json)
  return { bytes: Buffer.byteLength(json), loaded: loadReport(file) }
}

/** A JSON log line of about `chars` characters, with quotes that JSON escapes and a multi-byte character. */
const jsonLine = (i: number, chars: number) =>
  JSON.stringify({ level: 'error', i, msg: `request failed ✗ ${'"quoted" '.repeat(Math.ceil(chars / 10))}`.slice(0, chars) })

/** A run whose app exited, with its last 200 log lines in the report. */
function exitedWithLog(lines: string[]): PlatformRun {
  const report = measuredRun()
  report.health = { verdict: 'exited', exitCode: 1, ranSeconds: 0.8, logTail: lines }
  return judged(report, inputs())
}

describe('the report output', () => {
  it("with two platforms, cuts each platform's container log too, and says so", () => {
    const lines = Array.from({ length: 200 }, (_, i) => jsonLine(i, 1_500))
    const run = exitedWithLog(lines)
    const report = reportOf(...['linux/amd64', 'linux/arm64'].map(platform => ({ ...structuredClone(run), platform })))
    const { bytes, loaded } = throughOutput(report)
    expect(bytes).toBeLessThan(LIMIT)
    const arm64 = loaded.runs[1].health.logTail!
    expect(arm64.length).toBeGreaterThan(0)
    expect(arm64).toEqual(lines.slice(-arm64.length))
    expect(loaded.cut).toContain(`container log (linux/arm64): the last ${arm64.length} of 200 lines`)
  })

  it('of a failed run with 200 long JSON log lines stays under 100 KiB, parses, and says what was cut', () => {
    const report = exitedWithLog(Array.from({ length: 200 }, (_, i) => jsonLine(i, 1_500)))
    expect(Buffer.byteLength(JSON.stringify(report))).toBeGreaterThan(128 * 1024)
    const { bytes, loaded } = throughOutput(reportOf(report))
    expect(bytes).toBeLessThan(LIMIT)
    expect(loaded.runs[0].checks).toEqual(report.checks)
    expect(loaded.passed).toBe(false)
    const kept = loaded.runs[0].health.logTail!
    expect(kept.length).toBeGreaterThan(20)
    expect(kept).toEqual(report.health.logTail!.slice(-kept.length))
    expect(loaded.cut).toEqual([`container log: the last ${kept.length} of 200 lines`])
    expect(renderMarkdown(loaded)).toContain(`_Cut to fit the report output: container log: the last ${kept.length} of 200 lines._`)
  })

  it('cuts the middle of very long lines first, as the comment shows them', () => {
    const report = exitedWithLog(Array.from({ length: 5 }, (_, i) => jsonLine(i, 60_000)))
    const { bytes, loaded } = throughOutput(reportOf(report))
    expect(bytes).toBeLessThan(LIMIT)
    expect(loaded.runs[0].health.logTail).toHaveLength(5)
    expect(loaded.runs[0].health.logTail![4]).toMatch(/characters cut\]… /)
    expect(loaded.cut).toEqual(['log lines and probe output over 2,000 characters: their middle'])
  })

  it('shares the room among the logs and the probes, and lists findings as the comment does', () => {
    const report = exitedWithLog(Array.from({ length: 200 }, (_, i) => jsonLine(i, 1_500)))
    report.build.logTail = Array.from({ length: 30 }, (_, i) => `#${i} ${'€'.repeat(1_000)}`)
    report.health.probes = Array.from({ length: 5 }, (_, i) => ({ exitCode: i, output: '"x"'.repeat(5_000) }))
    report.smoke = [{ command: 'node worker.js', outcome: 'exited', exitCode: 1, seconds: 1, logTail: Array.from({ length: 200 }, (_, i) => jsonLine(i, 1_000)) }]
    report.contents!.findings = Array.from({ length: 100 }, (_, i) => ({ kind: 'build-tool', what: 'gcc', path: `/usr/bin/tool-${i}-${'p'.repeat(900)}`, size: 1, instruction: 'RUN apk add build-base' }))
    report.contents!.count = 100
    const { bytes, loaded } = throughOutput(reportOf(report))
    expect(bytes).toBeLessThan(LIMIT)
    expect(loaded.runs[0].contents!.findings).toHaveLength(40)
    expect(loaded.runs[0].health.probes!.at(-1)!.exitCode).toBe(4)
    for (const log of [loaded.runs[0].build.logTail!, loaded.runs[0].health.logTail!, loaded.runs[0].smoke![0].logTail!, loaded.runs[0].health.probes!]) expect(log.length).toBeGreaterThan(0)
    expect(loaded.cut).toEqual(
      expect.arrayContaining([
        'log lines and probe output over 2,000 characters: their middle',
        'contents findings: the first 40 of 100 (the comment lists 40)',
        expect.stringMatching(/^container log: the last \d+ of 200 lines$/),
        expect.stringMatching(/^smoke log 1 \(node worker\.js\): the last \d+ of 200 lines$/)
      ])
    )
  })

  it('holds even for a report no cut of its logs makes fit: every text short, the rows kept', () => {
    const report = exitedWithLog(['bye'])
    report.smoke = Array.from({ length: 90 }, (_, i) => ({ command: `worker-${i} ${'a'.repeat(2_000)}`, outcome: 'exited' as const, exitCode: 1, seconds: 1 }))
    judged(report, inputs({ smokeCommands: report.smoke.map(s => s.command.split(' ')) }))
    const { bytes, loaded } = throughOutput(reportOf(report))
    expect(bytes).toBeLessThan(LIMIT)
    expect(loaded.runs[0].checks.map(c => [c.name, c.status])).toEqual(report.checks.map(c => [c.name, c.status]))
    expect(loaded.cut).toContain('every text to 200 characters, and the logs')
  })

  it('is the report as it is when it fits', () => {
    const report = exitedWithLog(['listening', 'bye'])
    expect(JSON.parse(outputsOf(reportOf(report)).report)).toEqual(JSON.parse(JSON.stringify(reportOf(report))))
    expect(outputsOf(reportOf(report)).report).not.toContain('"cut"')
  })
})
