import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { judged } from './judged.js'
import { outputsOf } from '../../src/publish/outputs.js'
import { renderMarkdown } from '../../src/render/markdown.js'
import { renderText } from '../../src/render/text.js'
import { newReport } from '../../src/report/report.js'
import { inputs, measuredRun, reportOf } from './fixtures.js'

describe('renderMarkdown', () => {
  it('renders one row per check with icon, value, limit and detail', () => {
    const report = measuredRun()
    judged(report, inputs({ maxSize: { text: '100MB', bytes: 100_000_000 } }))
    const md = renderMarkdown(reportOf(report))
    expect(md).toContain('## ❌ image-gate: 1 of 6 checks failed')
    expect(md).toContain('| ✅ | health | healthy after 1.4 s | healthy within 120 s |')
    expect(md).toContain('| ❌ | size | 123.5 MB (123,456,789 bytes) | ≤ 100MB | 23.5 MB over the budget.')
    expect(md).toContain('id `0aaa3c748093` · build 3.2 s · healthy 1.4 s after start')
  })

  it('shows the log of a passing worker without a health check, collapsed under the table', () => {
    const report = measuredRun()
    report.image.healthcheck = undefined
    report.health = { verdict: 'missing', verdictSeconds: 3.1, logTail: ['error: poll failed: ECONNREFUSED', 'error: poll failed: ECONNREFUSED'] }
    judged(report, inputs({ requireHealthcheck: false }))
    expect(report.passed).toBe(true)
    const md = renderMarkdown(reportOf(report))
    expect(md).toContain('| ✅ | health | kept running for 3.1 s (watched) | keeps running for 3 s |')
    expect(md).toContain('<details><summary>Container log (last 2 lines)</summary>')
    expect(md).not.toContain('<details open')
    expect(md.indexOf('<details><summary>Container log')).toBeGreaterThan(md.indexOf('| ✅ | health |'))
  })

  it('titles the probe log by how many probes Docker kept: "Last health probe", "Last 2 health probes"', () => {
    const report = measuredRun()
    report.health = { verdict: 'unhealthy', source: 'image', command: 'exit 1', probes: [{ exitCode: 1, output: 'refused' }] }
    judged(report, inputs())
    expect(renderMarkdown(reportOf(report))).toContain('<summary>Last health probe (last 1 line)</summary>')
    report.health.probes!.push({ exitCode: 1, output: 'refused again' })
    expect(renderMarkdown(reportOf(report))).toContain('<summary>Last 2 health probes (last 2 lines)</summary>')
  })

  it('keeps hostile log and probe text inert', () => {
    const report = measuredRun()
    report.health = {
      verdict: 'unhealthy',
      source: 'image',
      command: 'check | @admin',
      probes: [{ exitCode: 1, output: '</details><script>alert(1)</script> | @octocat' }],
      logTail: ['```', '</details>', '<img src=x onerror=alert(1)>', '@everyone']
    }
    judged(report, inputs())
    const md = renderMarkdown(reportOf(report))
    const table = md.split('\n').filter(l => l.startsWith('|'))
    // every row still has exactly 6 pipes: no cell broke out
    for (const line of table) expect(line.match(/(?<!\\)\|/g)).toHaveLength(6)
    // outside code fences nothing is live: no tags, no mentions
    const outsideFences = md.replace(/^(`{3,})text\n[\s\S]*?\n\1$/gm, '')
    expect(outsideFences).not.toMatch(/<script|<img|@octocat|@admin|@everyone/)
    expect(outsideFences.match(/<details>/g)).toHaveLength(2)
    expect(outsideFences.match(/<\/details>/g)).toHaveLength(2)
    // the log sits in a fence longer than any backtick run it contains
    expect(md).toContain('````text\n```\n</details>\n<img src=x onerror=alert(1)>\n@everyone\n````')
  })

  it('shows a tag and the code in a sentence as code: entities are not decoded inside code spans', () => {
    const run = measuredRun()
    run.health = { verdict: 'exited', exitCode: 1, ranSeconds: 0.4, logTail: ['Error: getaddrinfo ENOTFOUND my_db'] }
    judged(run, inputs({ runNetwork: 'ci_net' }))
    const md = renderMarkdown({ ...reportOf(run), tag: 'my_app:pr_7' })
    expect(md).toContain('image `my_app:pr_7` · id')
    const health = md.split('\n').find(l => l.startsWith('| ❌ | health |'))!
    expect(health).toContain('The app could not resolve `my_db`: is a service by that name on `ci_net` (run-network)?')
    expect(md).not.toMatch(/&#96;|&#95;/)
  })

  it('keeps a | inside a code span in a table cell from ending the cell', () => {
    const report = measuredRun()
    report.health = { verdict: 'exited', exitCode: 1, ranSeconds: 0.4, logTail: ['Error: getaddrinfo ENOTFOUND db'] }
    judged(report, inputs({ runNetwork: 'x|y' }))
    const health = renderMarkdown(reportOf(report)).split('\n').find(l => l.startsWith('| ❌ | health |'))!
    expect(health).toContain('`x\\|y` (run-network)')
    expect(health.match(/(?<!\\)\|/g)).toHaveLength(6)
  })

  it('says an error with a command in it with the command as code', () => {
    const report = newReport()
    report.error = { kind: 'engine', message: 'Check the daemon (`docker info`, its log) and start it_again.' }
    expect(renderMarkdown(report)).toContain('**Error:** Check the daemon (`docker info`, its log) and start it&#95;again.')
  })

  it('says the run did not start on bad input', () => {
    const report = newReport()
    report.error = { kind: 'input', message: 'Input "max-size" must be ...; got "<b>5</b>".' }
    const md = renderMarkdown(report)
    expect(md).toContain('## ❌ image-gate: did not run')
    expect(md).toContain('**Bad input:** Input &quot;max-size&quot; must be ...; got &quot;&lt;b&gt;5&lt;/b&gt;&quot;.')
  })
})

describe('renderText', () => {
  it('prints the same rows for a terminal', () => {
    const report = measuredRun()
    judged(report, inputs())
    const text = renderText(reportOf(report))
    expect(text.split('\n')[0]).toBe('image-gate: PASSED  image-gate/app:0123456789ab')
    expect(text).toContain('✅ user      UID 1001, GID 1001')
  })

  it("says the error under the headline, unless told the failure line says it", () => {
    const report = { ...reportOf(measuredRun()), error: { kind: 'engine' as const, message: 'the Docker engine is not reachable (EOF).' }, passed: false }
    expect(renderText(report).split('\n').slice(1, 2)).toEqual(['  the Docker engine is not reachable (EOF).'])
    expect(renderText(report, { error: false })).not.toContain('not reachable')
  })
})

describe('outputs', () => {
  it('are the outputs action.yml declares, read off the report', () => {
    const action = parseYaml(readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')) as { outputs: Record<string, unknown> }
    const report = reportOf(judged(measuredRun(), inputs()))
    const outputs = outputsOf(report)
    expect(Object.keys(outputs).sort()).toEqual(Object.keys(action.outputs).sort())
    expect(outputs).toMatchObject({ size: '123456789', health: 'healthy', 'startup-seconds': '1.4', user: 'nodejs', uid: '1001', passed: 'true' })
    expect(JSON.parse(outputs.report)).toEqual(report)
  })
})
