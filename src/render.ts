import { shortId } from './checks.js'
import { codeBlock, inline } from './escape.js'
import type { CheckStatus, Report } from './report.js'

// Rendering: the report as Markdown (job summary, later the PR comment) and as terminal text.
// Reads the report only; every string that came from the image, its logs or the user goes
// through escape.ts.

const ICON: Record<CheckStatus, string> = { pass: '✅', fail: '❌', skip: '⚪' }

export function headline(report: Report): string {
  if (report.error) return report.error.kind === 'input' || report.error.kind === 'engine' ? 'did not run' : 'stopped with an error'
  if (report.passed) return 'passed'
  const failed = report.checks.filter(c => c.status === 'fail').length
  return `${failed} of ${report.checks.length} checks failed`
}

export function renderMarkdown(report: Report): string {
  const out: string[] = []
  out.push(`## ${report.passed ? '✅' : '❌'} image-gate: ${headline(report)}`, '')
  if (report.error) {
    out.push(`**${report.error.kind === 'input' ? 'Bad input' : 'Error'}:** ${inline(report.error.message, 1000)}`, '')
  }
  const facts = [report.tag && `image \`${inline(report.tag, 200)}\``, report.image.id && `id \`${shortId(report.image.id)}\``]
  if (report.build.seconds !== undefined) facts.push(`build ${report.build.seconds} s`)
  if (report.health.startupSeconds !== undefined) facts.push(`healthy ${report.health.startupSeconds} s after start`)
  const factLine = facts.filter(Boolean).join(' · ')
  if (factLine) out.push(factLine, '')
  if (report.checks.length > 0) {
    out.push('| | Check | Result | Limit | Detail |', '|---|---|---|---|---|')
    for (const c of report.checks) {
      out.push(`| ${ICON[c.status]} | ${c.name} | ${inline(c.value)} | ${inline(c.limit)} | ${inline(c.detail, 600)} |`)
    }
    out.push('')
  }
  const h = report.health
  if (report.build.logTail?.length && !report.build.ok) out.push(...details(`Build log (last ${report.build.logTail.length} lines)`, report.build.logTail))
  if (h.lastProbe && h.verdict !== 'healthy') {
    out.push(...details(`Last health probe (exit code ${h.lastProbe.exitCode})`, h.lastProbe.output.split('\n')))
  }
  if (h.logTail?.length) out.push(...details(`Container log (last ${h.logTail.length} lines)`, h.logTail))
  return out.join('\n')
}

function details(summary: string, lines: string[]): string[] {
  return ['<details><summary>' + inline(summary) + '</summary>', '', codeBlock(lines), '', '</details>', '']
}

/** Plain text for a terminal or the action log: the same rows, aligned. */
export function renderText(report: Report): string {
  const out = [`image-gate: ${report.passed ? 'PASSED' : 'FAILED'} (${headline(report)})${report.tag ? `  ${report.tag}` : ''}`]
  if (report.error) out.push(`  ${report.error.message}`)
  const width = (pick: (c: Report['checks'][number]) => string) => Math.max(0, ...report.checks.map(c => pick(c).length))
  const wName = width(c => c.name)
  const wValue = width(c => c.value)
  const wLimit = width(c => c.limit)
  for (const c of report.checks) {
    out.push(`  ${ICON[c.status]} ${c.name.padEnd(wName)}  ${c.value.padEnd(wValue)}  ${c.limit.padEnd(wLimit)}  ${c.detail}`)
  }
  return out.join('\n')
}
