import { afterAll, afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { FakeGitHub, TOKEN } from './github-server.js'
import { fixture, leftovers, removeImages, runAction, SERVE } from './action.js'
import { loadReport } from '../../src/report/load.js'

// A saved report, end to end: a live pull-request run that uses every kind of check saves its
// `report` output (as a fork's run uploads it as an artifact), then a workflow_run run posts it
// with comment-from. The comment must show what the live run's job summary showed, row for row.

jest.setTimeout(180_000)
const TAG = 'image-gate-e2e/roundtrip'
const NON_ROOT = ["RUN echo 'app:x:10001:10001::/:/bin/sh' > /etc/passwd", 'USER 10001']
// ~1 MB of text in a layer of its own: the app is this much larger than its baseline
const TEXT_LAYER = 'RUN seq 1 150000 > /numbers.txt'
const WORKER = `sh -c 'echo "worker: cannot reach queue" >&2; exit 3'`
let gh: FakeGitHub
let artifacts: string

beforeEach(async () => {
  gh = await new FakeGitHub().start()
  artifacts = mkdtempSync(path.join(tmpdir(), 'artifact-'))
})
afterEach(async () => {
  await gh.stop()
  rmSync(artifacts, { recursive: true, force: true })
  expect(leftovers()).toBe('')
})
afterAll(() => removeImages(TAG))

describe('a saved report posted with comment-from', () => {
  it('shows every row and the smoke logs the live run showed', async () => {
    // the baseline compare-to names: the same app without the text layer, built here (nothing can be pulled)
    execFileSync('docker', ['buildx', 'build', '--load', '--quiet', '--tag', `${TAG}:base`, fixture([...NON_ROOT, ...SERVE])], { stdio: 'ignore' })
    const live = await runAction(
      {
        context: fixture([TEXT_LAYER, ...NON_ROOT, ...SERVE]),
        tags: `${TAG}:app`,
        'max-startup-time': '60',
        'max-probe-time': '5000',
        'max-size': '50MB',
        'compare-to': `${TAG}:base`,
        'max-size-increase': '10%',
        'smoke-commands': [WORKER, `sh -c "trap 'exit 0' TERM; sleep 600 & wait"`].join('\n'),
        'smoke-seconds': '2',
        // a fork's run: a read-only token, so no comment; the report goes into an artifact
        comment: 'false',
        'github-token': TOKEN
      },
      { event: 'pull_request', apiUrl: gh.url }
    )
    expect(gh.requests).toEqual([])
    expect(live.report.runs[0].checks.map(c => c.name)).toEqual(['build', 'health', 'startup', 'probe-time', 'size', 'size-increase', 'user', 'contents', 'stop', 'smoke', 'smoke'])
    expect(live.report.runs[0].checks.filter(c => c.status === 'fail').map(c => c.name)).toEqual(['size-increase', 'smoke'])
    expect(live.code).toBe(1)
    const reportFile = path.join(artifacts, 'report.json')
    writeFileSync(reportFile, live.outputs.report)

    const posted = await runAction({ 'comment-from': reportFile, 'github-token': TOKEN }, { event: 'workflow_run', apiUrl: gh.url })
    expect(posted.code).toBe(0)
    expect(gh.writes()).toEqual(['POST /repos/octo-org/shop-api/issues/7/comments'])
    const body = gh.comments[0].body
    expect(checksTable(live.summary)).toHaveLength(2 + 11)
    expect(checksTable(body)).toEqual(checksTable(live.summary))
    expect(body.split('\n')[0]).toBe('## ❌ image-gate: 2 of 11 checks failed')
    expect(body.split('\n')[0]).toBe(live.summary.split('\n')[0])
    expect(body).toContain('<details><summary>Smoke log: sh -c echo &quot;worker: cannot reach queue&quot; &gt;&amp;2; exit 3 (last 1 line)</summary>')
    expect(body).toContain('worker: cannot reach queue')
    // and the workflow_run job's own summary is the live one, whole
    expect(posted.summary).toBe(live.summary)
    expect(JSON.parse(posted.outputs.report)).toMatchObject({ runs: [{ checks: live.report.runs[0].checks, smoke: live.report.runs[0].smoke }], passed: false })
  })
})

describe('the report output of a failed run with long JSON log lines', () => {
  it('fits the environment variable the fork recipe passes it through, and the comment says what was cut', async () => {
    // JSON log lines of ~1,900 characters, each quote of which the report's JSON escapes twice: the
    // 50 lines the report keeps are about 150 KB as JSON
    const context = fixture([...NON_ROOT, 'COPY log.jsonl /log.jsonl', 'HEALTHCHECK CMD true', 'CMD ["sh", "-c", "cat /log.jsonl; exit 4"]'])
    const line = (i: number) => JSON.stringify({ level: 'error', i, msg: `upstream ✗ ${'"no" '.repeat(260)}` })
    writeFileSync(path.join(context, 'log.jsonl'), Array.from({ length: 200 }, (_, i) => line(i + 1)).join('\n') + '\n')
    const live = await runAction({ context, tags: `${TAG}:loud`, comment: 'false', 'github-token': TOKEN }, { event: 'pull_request', apiUrl: gh.url })
    expect(live.outputs.health).toBe('exited')
    const output = live.outputs.report

    // the README's step: REPORT=<the output> in a shell's environment, which Linux caps at 128 KiB
    const reportFile = path.join(artifacts, 'report.json')
    const step = spawnSync('sh', ['-c', 'printf %s "$REPORT" > "$1"', 'sh', reportFile], { env: { ...process.env, REPORT: output } })
    expect(step.error).toBeUndefined()
    expect(step.status).toBe(0)
    expect(Buffer.byteLength(output)).toBeLessThan(100 * 1024)
    const saved = loadReport(reportFile)
    expect(saved.runs[0].checks).toEqual(live.report.runs[0].checks)
    const kept = saved.runs[0].health.logTail!
    expect(kept.at(-1)).toBe(line(200))
    expect(saved.cut).toEqual([`container log: the last ${kept.length} of 50 lines`])

    const posted = await runAction({ 'comment-from': reportFile, 'github-token': TOKEN }, { event: 'workflow_run', apiUrl: gh.url })
    expect(posted.code).toBe(0)
    const body = gh.comments[0].body
    expect(checksTable(body)).toEqual(checksTable(live.summary))
    expect(body).toContain(`_Cut to fit the report output: container log: the last ${kept.length} of 50 lines._`)
    expect(readFileSync(reportFile, 'utf8')).toBe(output)
  })
})

/** The checks table of a rendered report: its header, divider and one line per row. */
function checksTable(markdown: string): string[] {
  const lines = markdown.split('\n')
  const start = lines.indexOf('| | Check | Result | Limit | Detail |')
  if (start < 0) return []
  const end = lines.indexOf('', start)
  return lines.slice(start, end < 0 ? undefined : end)
}
