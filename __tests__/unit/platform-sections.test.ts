import { describe, expect, it } from '@jest/globals'
import { judge } from '../../src/checks/index.js'
import { renderMarkdown } from '../../src/render/markdown.js'
import type { PlatformRun } from '../../src/report/report.js'
import { inputs, measuredRun, reportOf } from './fixtures.js'

// With several platforms, the sections under the table (largest layers, findings, probes, log) are
// each platform's, titled with it: an arm64 crash shows the arm64 log, not the amd64 one's silence.

function gated(platform: string, change: (r: PlatformRun) => void): PlatformRun {
  const report = { ...measuredRun(), platform }
  report.image = { ...report.image, platform, largestLayers: [{ instruction: `COPY app-${platform.split('/')[1]} /app`, size: 2_000_000 }] }
  change(report)
  return Object.assign(report, judge(report, inputs()))
}

describe('the sections under the table, with several platforms', () => {
  const amd64 = gated('linux/amd64', () => undefined)
  const arm64 = gated('linux/arm64', r => {
    r.health = { verdict: 'exited', exitCode: 255, ranSeconds: 0.3, logTail: ['exec /app: exec format error'] }
    r.contents = {
      layers: 3,
      files: 10,
      count: 1,
      allowed: 0,
      findings: [{ kind: 'foreign-binary', path: '/usr/local/bin/tool', what: 'x86-64 binary in a linux/arm64 image', size: 1_000, instruction: 'COPY tool /usr/local/bin/tool' }]
    }
  })
  const report = reportOf(amd64, arm64)
  const summary = renderMarkdown(report)

  it("shows each platform's largest layers, titled with it", () => {
    expect(summary).toContain('<details><summary>Largest layers (linux/amd64) (1)</summary>')
    expect(summary).toContain('<details><summary>Largest layers (linux/arm64) (1)</summary>')
    expect(summary.indexOf('COPY app-arm64 /app')).toBeGreaterThan(summary.indexOf('Largest layers (linux/arm64)'))
  })

  it("shows the findings and the container log of the platform that failed, titled with it", () => {
    expect(summary).toContain('<details><summary>Contents findings (linux/arm64) (1)</summary>')
    expect(summary).not.toContain('Contents findings (linux/amd64)')
    expect(summary).toContain('<details><summary>Container log (linux/arm64) (last 1 line)</summary>')
    expect(summary.slice(summary.indexOf('Container log (linux/arm64)'))).toContain('exec /app: exec format error')
  })
})
